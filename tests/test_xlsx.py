"""One .xlsx writer, and no formula injection: a text cell that starts like a formula
(= + - @, tab, carriage return) is written as text, in every spreadsheet Workbench
writes."""
import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from openpyxl import load_workbook

from workbench.export.tables import write_xlsx

REPO = Path(__file__).resolve().parent.parent
DANGEROUS = ["=HYPERLINK(\"http://x\",\"clic\")", "+33 6 12 34 56 78", "-2+3", "@SUM(A1:A2)",
             "\t=1+1", "\r=1+1"]


def cells(path):
    wb = load_workbook(path)
    return {(ws.title, c.coordinate): c for ws in wb for row in ws.iter_rows() for c in row}


def test_formula_like_text_is_written_as_text(tmp_path):
    df = pd.DataFrame({"text": DANGEROUS, "n": [-5, 1, 2, 3, 4, 5],
                       "when": [dt.date(2022, 1, 2)] * 6, "ok": [True, False] * 3})
    out = write_xlsx({"t": df}, tmp_path / "t.xlsx")
    got = cells(out)
    for i, value in enumerate(DANGEROUS, start=2):
        c = got[("t", f"A{i}")]
        assert c.data_type == "s" and c.value == value
        assert c.quotePrefix
    assert got[("t", "B2")].value == -5 and got[("t", "B2")].data_type == "n"
    assert got[("t", "C2")].is_date and got[("t", "D2")].value is True
    xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml                               # not one formula in the file
    assert not list(tmp_path.glob("*.part.xlsx"))


def test_every_spreadsheet_path_is_safe(tmp_path):
    """CLI query --format xlsx, eq --format xlsx and export table go through the same
    writer: a coded passage and a memo that start with "=" stay text."""
    from workbench.cli import main
    from workbench.project import Project
    p = Project.create(tmp_path / "p.wbproj", coder="testeur")
    f = tmp_path / "d.txt"
    f.write_text("ENQ : Question ?\nAnne : =1+1 et @moi\nENQ : Merci.\nAnne : Au revoir.\n",
                 encoding="utf-8")
    p.import_files([f], name="d")
    p.store.bulk_insert_questions([{"id": "Q1", "text": "=Q ?"}])
    p.create_code("=Formule", questions=["Q1"])
    s = p.text("d").index("=1+1")
    p.apply_code("d", "=Formule", s, s + len("=1+1 et @moi"))
    p.add_memo("project", None, "=2+2")
    p.close()
    runner = CliRunner()
    outs = [tmp_path / "q.xlsx", tmp_path / "e.xlsx", tmp_path / "t.xlsx", tmp_path / "m.xlsx"]
    for args in (["query", str(p.path), "*", "--format", "xlsx", "--output", str(outs[0])],
                 ["eq", str(p.path), "Q1", "--format", "xlsx", "--output", str(outs[1])],
                 ["export", "table", str(p.path), str(outs[2])],
                 ["matrix", str(p.path), "--format", "xlsx", "--output", str(outs[3])]):
        r = runner.invoke(main, args)
        assert r.exit_code == 0, (args, r.output)
    for out in outs:
        with zipfile.ZipFile(out) as z:
            for name in z.namelist():
                if name.startswith("xl/worksheets/"):
                    assert "<f>" not in z.read(name).decode(), (out.name, name)
    texts = {c.value for c in cells(outs[0]).values() if isinstance(c.value, str)}
    assert "=1+1 et @moi" in texts
    # every sheet says what it counts (a "notes" sheet)
    for out in (outs[0], outs[2], outs[3]):
        notes = load_workbook(out)["notes"]
        assert any("passages" in str(c.value) for row in notes.iter_rows() for c in row), out


def test_one_xlsx_writer():
    """No other module writes .xlsx (pandas' to_excel / ExcelWriter); a module that edits
    a workbook with openpyxl sets its cells through ``tables.set_cell``."""
    offenders = []
    for path in (REPO / "workbench").rglob("*.py"):
        if path.name == "tables.py" and path.parent.name == "export":
            continue
        text = path.read_text(encoding="utf-8")
        if "to_excel(" in text or "ExcelWriter" in text:
            offenders.append(str(path.relative_to(REPO)))
        if "openpyxl" in text and ".save(" in text and "set_cell" not in text:
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders, offenders
