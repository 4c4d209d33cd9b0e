"""Word reports, spreadsheets, privacy, the CLI, and the LibreOffice check."""
import shutil
import zipfile

import pandas as pd
import pytest
from docx import Document

from workbench.export.report import convert_to_pdf


@pytest.fixture
def coded(project, interview_txt, participants_csv, tmp_path):
    p = project
    p.import_participants(participants_csv)
    p.import_files([interview_txt], programme="avenir", actor_type="beneficiary",
                   speakers={"Karima": "P001"})
    secret = tmp_path / "secret.txt"
    secret.write_text("ENQ : Question ?\nMarc : Réponse confidentielle très privée.\n"
                      "ENQ : Merci.\nMarc : Au revoir.\n", encoding="utf-8")
    p.import_files([secret], programme="avenir", actor_type="trainer")
    p.create_code("Parcours", definition="Le parcours du bénéficiaire.")
    p.create_code("Parcours/Entrée", when_to_use="Premier contact.")
    p.create_code("Immersion")
    text = p.text("entretien_karima")
    s = text.index("ma conseillère")
    p.apply_code("entretien_karima", "Parcours/Entrée", s, s + 30)
    s2 = text.index("l'immersion, c'était")
    p.apply_code("entretien_karima", "Immersion", s2, s2 + 60)
    st = p.text("secret").index("Réponse")
    p.apply_code("secret", "Immersion", st, st + 30)
    p.update_document("secret", private=True)
    p.add_memo("project", None, "Mémo public")
    p.add_memo("project", None, "Mémo très secret", private=True)
    return p


def _docx_text(path):
    doc = Document(str(path))
    parts = [para.text for para in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts), doc


def test_report_content_styles_and_privacy(coded, tmp_path):
    out = coded.export_report(tmp_path / "r.docx", attributes=["age", "emploi_6m"],
                              joint_attributes=["emploi_6m"], language="fr")
    text, doc = _docx_text(out)
    assert "Grille de codage" in text and "Annexe des extraits" in text
    assert "Annexe méthodologique" in text and "Matrices et présentations conjointes" in text
    assert "ma conseillère" in text
    assert "entretien_karima · Karima (bénéficiaire) · P001 (age\u00a0: 34\u00a0; emploi_6m\u00a0: oui)" \
        in text
    assert "confidentielle" not in text and "Mémo très secret" not in text
    assert "1 document, 1 mémo, " in text         # what privacy left out
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Heading 1", "Quote", "Caption", "Title"} <= styles
    assert len(doc.inline_shapes) >= 1                   # charts are embedded images
    assert len(doc.tables) >= 3
    xml = zipfile.ZipFile(out).read("word/document.xml").decode()
    assert "TOC \\o" in xml                              # a real table of contents field


def test_report_by_question_and_template(coded, tmp_path):
    from docx.shared import RGBColor
    template = Document()
    template.styles["Heading 1"].font.color.rgb = RGBColor(0x12, 0x34, 0x56)
    template.add_paragraph("texte du modèle à supprimer")
    tpl = tmp_path / "modele.docx"
    template.save(str(tpl))
    out = coded.export_excerpts(tmp_path / "e.docx", by="question", template=tpl)
    text, doc = _docx_text(out)
    assert "texte du modèle" not in text
    assert doc.styles["Heading 1"].font.color.rgb == RGBColor(0x12, 0x34, 0x56)


def test_default_location_is_exports_folder(coded):
    out = coded.export_codebook_report()
    assert out.parent == coded.path.resolve().parent / "exports"
    assert out.suffix == ".docx"


def test_tables_xlsx_typed_and_csv(coded, tmp_path):
    paths = coded.export_tables(tmp_path / "t.xlsx")
    book = pd.read_excel(paths[0], sheet_name=None)
    assert {"codes", "extraits", "participants", "participants_x_codes"} <= set(book)
    parts = book["participants"]
    assert pd.api.types.is_numeric_dtype(parts["age"])
    assert "confidentielle" not in book["extraits"].to_string()
    csvs = coded.export_tables(tmp_path / "t.csv", names=["codes", "extraits"])
    assert [p.name for p in csvs] == ["t-codes.csv", "t-extraits.csv"]


def test_participant_code_matrix_merges(coded, tmp_path):
    out = coded.export_participant_matrix(tmp_path / "m.csv")
    m = pd.read_csv(out)
    assert list(m["participant_id"]) == ["P001", "P002", "P003"]
    assert all(len(c) <= 32 and c.isascii() for c in m.columns)
    row = m.set_index("participant_id").loc["P001"]
    # Karima's two public passages: Parcours/Entrée (so Parcours, with its sub-codes,
    # too) and Immersion
    assert row.to_dict() == {"c001_parcours": 1, "c002_entree": 1, "c003_immersion": 1}
    quant = pd.DataFrame({"participant_id": ["P001", "P002"], "y": [1, 0]})
    assert len(quant.merge(m, on="participant_id")) == 2
    names = pd.read_csv(tmp_path / "m-variables.csv")
    assert "Parcours/Entrée" in set(names["code"])


def test_private_attribute_never_exported(coded, tmp_path):
    coded.set_private("attribute", "age")
    paths = coded.export_tables(tmp_path / "t.xlsx", names=["participants"])
    assert "age" not in pd.read_excel(paths[0]).columns
    from workbench.domain import ValidationError
    with pytest.raises(ValidationError, match="private"):
        coded.export_report(tmp_path / "r.docx", attributes=["age"])


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice not installed (see docs/reports-and-exchange.md)")
def test_report_converts_to_pdf_with_libreoffice(coded, tmp_path):
    out = coded.export_report(tmp_path / "rapport.docx")
    pdf = convert_to_pdf(out, tmp_path)
    assert pdf is not None and pdf.stat().st_size > 1000


def test_cli_export_commands(coded, tmp_path):
    cli = pytest.importorskip("workbench.cli", exc_type=ImportError)
    from click.testing import CliRunner
    path = str(coded.path)
    coded.close()
    runner = CliRunner()
    for args in (["report", path, str(tmp_path / "r.docx"), "--section", "codebook"],
                 ["excerpts", path, str(tmp_path / "e.xlsx")],
                 ["codebook", path, str(tmp_path / "c.csv")],
                 ["table", path, str(tmp_path / "m.csv"), "--name", "participants_x_codes"],
                 ["qdpx", path, str(tmp_path / "p.qdpx")]):
        result = runner.invoke(cli.main, ["export", *args])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli.main, ["export", "report", path, str(tmp_path / "x.docx"),
                                      "--attribute", "nope"])
    assert result.exit_code == 1 and "unknown or private attribute" in result.output
    result = runner.invoke(cli.main, ["init", str(tmp_path / "n.wbproj")])
    result = runner.invoke(cli.main, ["import", str(tmp_path / "n.wbproj"),
                                      str(tmp_path / "p.qdpx")])
    assert result.exit_code == 0, result.output


def test_report_tables_are_the_query_engine_s_without_private_documents(coded):
    from workbench.export.data import code_by, shareable_where
    where = shareable_where(coded)
    assert where == 'document NOT IN ("secret")'
    table = code_by(coded, "actor_type", where=where).set_index("code")
    # the private trainer interview's "Immersion" coding is not counted
    assert table.loc["Immersion", "total"] == 1
    from workbench.labels import actor_label
    trainer = actor_label("trainer")              # the column's name in the current language
    assert trainer not in table.columns or table[trainer].sum() == 0
    same = coded.matrix("actor_type", descendants=False, where=where).set_index("code")
    assert table.loc["Immersion", "total"] == same.loc["Immersion", "total"]
    # the engine itself never counts a private document; only the project's own
    # snapshot with include_private does
    assert coded.matrix("actor_type", descendants=False).set_index("code") \
        .loc["Immersion", "total"] == 1
    from workbench.query.matrices import code_matrix
    everything = code_matrix(coded.query_data(include_private=True), "actor_type",
                             descendants=False).set_index("code")
    assert everything.loc["Immersion", "total"] == 2


def test_report_paragraphs_are_what_python_docx_writes():
    """The report writer builds its paragraphs as XML fragments (python-docx's
    per-character run writer was the cost of a long annex): the same XML as
    ``add_paragraph(text)`` with the style set, for tabs, line breaks, edge spaces,
    no-break spaces, markup characters, control characters and empty text."""
    from docx import Document
    from lxml import etree

    from workbench.export.report import _Writer
    from workbench.safety.text import xml_safe
    texts = ["« Bonjour »", "  espace au début", "fin ", "a\tb\nc\r\nd", "\n", "",
             "x < y & z > w \"q\" 'a'", "\u00a0insécable\u00a0", "ctrl\x01char", "\t"]
    w = _Writer(None, "a4")
    ref = Document()
    for text in texts:
        for style in ("Quote", "Caption", None):
            st = w.style(style) if style else None
            mine = w.add(text, st)
            theirs = ref.add_paragraph(xml_safe(text))
            if st is not None:
                theirs._p.style = st.style_id
            assert etree.tostring(mine._p) == etree.tostring(theirs._p), (text, style)
            assert mine.text == theirs.text
    body = w.doc.element.body
    assert body[-1].tag.endswith("}sectPr")             # paragraphs go before it
    assert len(body) == len(texts) * 3 + 1
