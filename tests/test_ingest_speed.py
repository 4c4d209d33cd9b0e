"""The import made fast (issue #17) still imports exactly what it did: the same turns
(golden file recorded before the speed work), the same project whether files are parsed
in worker processes or not, each file all or nothing inside a shared transaction, errors
naming their file, progress, cancel and duplicates as before.  No timings here: speed is
measured by benchmarks/bench_peer.py and bench_import.py."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

import hostile_files as H
from segmentation_golden import record
from workbench import i18n
from workbench.domain import ValidationError
from workbench.ingest import workers
from workbench.project import Project

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
TRANSCRIBER = Path(__file__).resolve().parent / "fixtures" / "transcriber"


@pytest.mark.parametrize("name", sorted(json.loads((GOLDEN / "segments.json").read_text(
    encoding="utf-8"))))
def test_segments_are_those_recorded_before_the_speed_work(name):
    """Real Transcriber files, synthetic interviews (.txt UTF-8 and cp1252/CRLF, .docx with
    bold labels) and hand-written shapes: boundaries, where the words begin, speakers,
    times, sections, front matter, word counts all as recorded on 83f9fbc."""
    golden = json.loads((GOLDEN / "segments.json").read_text(encoding="utf-8"))
    path = GOLDEN / name if (GOLDEN / name).exists() else TRANSCRIBER / name
    assert json.loads(json.dumps(record(path))) == golden[name]


def _folder(tmp_path: Path) -> Path:
    """Good files of every kind, a binary one, an empty one, and a copy of a good one."""
    folder = tmp_path / "lot"
    folder.mkdir()
    for f in sorted(GOLDEN.iterdir()):
        if f.suffix in (".txt", ".md", ".docx", ".trs") and f.name != "README.md":
            shutil.copy(f, folder / f.name)
    shutil.copy(GOLDEN / "E0001_yasmina.txt", folder / "zz_copie.txt")
    H.binary_junk(folder, ".txt")
    H.empty_file(folder, ".md")
    return folder


def _content(path: Path) -> dict:
    c = sqlite3.connect(path)
    names = dict(c.execute("SELECT id, name FROM documents"))
    out = {
        "documents": sorted(c.execute(
            "SELECT name, source_file, source_format, encoding, word_count, text, text_hash, "
            "extra FROM documents")),
        "segments": sorted((names[r[0]],) + r[1:] for r in c.execute(
            "SELECT document_id, position, kind, speaker, is_interviewer, start, end, "
            "timestamp, end_time, section, body_start, front_matter FROM segments")),
        "index": sorted((names[r[0]], r[1], r[2]) for r in c.execute(
            "SELECT s.document_id, s.position, f.text FROM segments_fts f "
            "JOIN segments s ON s.id = f.rowid")),
        "index_rows": c.execute("SELECT count(*) FROM segments_fts").fetchone()[0],
        "log": sorted(c.execute("SELECT action, details FROM change_log "
                                "WHERE action LIKE 'document.%'")),
    }
    c.close()
    return out


class _Counted:
    submitted = 0


@pytest.fixture
def pooled(monkeypatch):
    """Worker processes for any import of 2 files or more (2 workers), counted."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setenv("WORKBENCH_IMPORT_WORKERS", "2")
    _Counted.submitted = 0
    make = workers.executor

    def counting(n):
        pool = make(n)
        submit = pool.submit

        def counted(fn, *args, **kwargs):
            _Counted.submitted += 1
            return submit(fn, *args, **kwargs)
        pool.submit = counted
        return pool
    monkeypatch.setattr(workers, "executor", counting)
    return _Counted


def test_worker_processes_make_the_same_project_as_one_process(tmp_path, monkeypatch, pooled):
    folder = _folder(tmp_path)
    reports = {}
    for mode in ("inline", "pooled"):
        monkeypatch.setenv("WORKBENCH_IMPORT_WORKERS", "0" if mode == "inline" else "2")
        with Project.create(tmp_path / f"{mode}.wbproj", coder="testeur") as p:
            reports[mode] = p.import_files([folder], programme="avenir")
    assert pooled.submitted >= 10            # the second import parsed in the workers
    inline, pool = reports["inline"], reports["pooled"]
    assert [(r.path, r.status, r.name, r.message, r.warnings) for r in pool.results] == \
        [(r.path, r.status, r.name, r.message, r.warnings) for r in inline.results]
    statuses = {Path(r.path).name: r.status for r in pool.results}
    assert statuses["binaire.txt"] == "failed" and statuses["vide.md"] == "failed"
    assert statuses["zz_copie.txt"] == "duplicate"          # a file twice in one import
    assert sum(s == "imported" for s in statuses.values()) == 14
    failed = {Path(r.path).name: r.message for r in pool.failed}
    assert failed["binaire.txt"].startswith(str(folder / "binaire.txt"))
    assert "NUL" in failed["binaire.txt"]
    assert _content(tmp_path / "pooled.wbproj") == _content(tmp_path / "inline.wbproj")


def test_messages_from_the_workers_are_in_the_importers_language(tmp_path, pooled, french):
    folder = _folder(tmp_path)
    with Project.create(tmp_path / "fr.wbproj", coder="testeur") as p:
        report = p.import_files([folder], programme="avenir")
    assert pooled.submitted
    message = next(r.message for r in report.failed if r.path.endswith("binaire.txt"))
    assert "fichier binaire (octet NUL)" in message


def test_progress_in_order_and_cancel_keeps_the_files_before(tmp_path, pooled):
    folder = _folder(tmp_path)
    seen: list[str] = []
    with Project.create(tmp_path / "c.wbproj", coder="testeur") as p:
        report = p.import_files([folder], programme="avenir",
                                progress=lambda done, total, name: seen.append(name),
                                cancelled=lambda: len(seen) >= 3)
        names = set(p.documents()["name"])
    files = sorted(f.name for f in folder.iterdir())
    assert seen == files[:3] + ["done"]
    assert report.cancelled
    assert [Path(r.path).name for r in report.results] == files[:3]
    assert names == {Path(r.path).stem for r in report.imported}
    assert len(names) == 3


def test_a_file_failing_inside_a_shared_transaction_is_undone_alone(tmp_path, monkeypatch):
    """Files are written several per transaction; one whose write fails half-way (after
    its rows were inserted) leaves nothing, the others are imported."""
    folder = _folder(tmp_path)
    path = tmp_path / "s.wbproj"
    with Project.create(path, coder="testeur") as p:
        insert = p.store.insert_document

        def failing(fields, *args, **kwargs):
            doc_id = insert(fields, *args, **kwargs)
            if fields["name"] == "E0003_benoit":
                raise ValidationError("refused after writing")
            return doc_id
        monkeypatch.setattr(p.store, "insert_document", failing)
        report = p.import_files([folder], programme="avenir")
        result = next(r for r in report.results if r.path.endswith("E0003_benoit.txt"))
        assert result.status == "failed" and "refused after writing" in result.message
        assert result.message.startswith(str(folder / "E0003_benoit.txt"))
        assert len(report.imported) == 13
        names = set(p.documents()["name"])
        assert "E0003_benoit" not in names and "E0001_yasmina" in names
    content = _content(path)
    assert not [s for s in content["segments"] if s[0] == "E0003_benoit"]
    assert content["index_rows"] == len(content["segments"])      # no stray search rows
    assert not [e for e in content["log"] if "E0003_benoit" in (e[1] or "")]


def test_the_search_index_covers_every_turn_written_in_groups(tmp_path):
    folder = _folder(tmp_path)
    with Project.create(tmp_path / "i.wbproj", coder="testeur") as p:
        p.import_files([folder], programme="avenir")
        hits = p.search("formation")
    content = _content(tmp_path / "i.wbproj")
    assert content["index_rows"] == len(content["segments"])
    assert len(hits) > 0


def _varied_docx(path: Path, *, merged: bool) -> Path:
    """A Word file with what the direct reader must read as python-docx does: bold
    labels (whole, split, not bold), tabs, line and page breaks, headings, a title,
    tables as turns and as header fields, a nested table (and merged cells if asked)."""
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.core_properties.title = "Entretien 12"
    d.core_properties.author = "Sophie"
    d.add_heading("Parcours", level=1)
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Date", "12/03/2023"
    t.cell(1, 0).text, t.cell(1, 1).text = "Lieu", "Amiens"
    p = d.add_paragraph()
    p.add_run("ENQ :").bold = True
    p.add_run(" Bonjour,\tça va ?")
    p = d.add_paragraph()
    p.add_run("Kar").bold = True
    p.add_run("ima").bold = True
    p.add_run(" : oui, ")
    r = p.add_run("merci")
    r.add_break()
    r.add_text("deuxième ligne")
    r.add_break(WD_BREAK.PAGE)
    r.add_tab()
    p = d.add_paragraph()
    p.add_run("Alors").bold = False
    p.add_run(" : on continue")
    d.add_paragraph("Thème 2", style="Title")
    t = d.add_table(rows=2, cols=3)
    for row, cells in zip(t.rows, (("00:01:02", "ENQ", "Et ensuite ?"),
                                   ("00:01:10", "Karima", "Le stage."))):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    inner = t.cell(1, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "R", "imbriqué"
    if merged:
        t.cell(0, 0).merge(t.cell(1, 0))
    d.add_paragraph("Karima : dernière phrase.")
    d.save(path)
    return path


@pytest.mark.parametrize("merged", [False, True])
def test_word_files_read_directly_as_python_docx_reads_them(tmp_path, merged):
    from workbench.ingest.parsers import _docx, parse_file

    path = _varied_docx(tmp_path / "varie.docx", merged=merged)
    slow = _docx._read_python_docx(path)
    if merged:                # merged cells: python-docx reads them (it repeats them)
        with pytest.raises(_docx._Unexpected):
            _docx._read_fast(path)
    else:
        assert _docx._read_fast(path) == slow
    assert slow[1:] == ("Entretien 12", "Sophie")
    parsed = parse_file(path)
    assert parsed.metadata["document_title"] == "Entretien 12"
    assert [s.speaker for s in parsed.segments if s.speaker][:2] == ["ENQ", "Karima"]
    for golden in sorted(GOLDEN.glob("*.docx")):
        assert _docx._read_fast(golden) == _docx._read_python_docx(golden)
