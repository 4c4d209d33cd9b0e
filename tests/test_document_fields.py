"""Manifests' extra columns as typed document fields reachable by ``doc.KEY``, and
programmes: an unknown one is an error listing the known ones, a new one is made only on
request (issue #10).  Every file is built here."""
import json

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.ingest.manifest import ManifestError, load_manifest
from workbench.programmes import UnknownProgrammeError
from workbench.domain import ValidationError
from workbench.tables import TableTypeError

# two turns each, so that Karima is detected as a speaker (a single "Name :" line is not),
# and her words are not interviewer speech (left out of every count)
TEXT = ("ENQ : Parlez-moi des freins.\nKarima : Le transport, surtout.\n"
        "ENQ : Merci.\nKarima : Merci à vous.\n")


def transcripts(tmp_path, n):
    files = []
    for i in range(1, n + 1):
        f = tmp_path / f"e{i}.txt"
        f.write_text(TEXT.replace("transport", f"transport {i}"), encoding="utf-8")
        files.append(f)
    return files


def manifest(tmp_path, text, name="m.csv"):
    m = tmp_path / name
    m.write_text(text, encoding="utf-8")
    return m


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# -- programmes --------------------------------------------------------------------------------
def test_unknown_programme_is_an_error_listing_the_known_ones(project, tmp_path):
    f, = transcripts(tmp_path, 1)
    with pytest.raises(UnknownProgrammeError) as exc:
        project.import_files([f], programme="pct")
    msg = str(exc.value)
    assert "unknown programme 'pct' (did you mean pct_illettrisme?)" in msg
    assert "known programmes: avenir, becomino, lab_capital_humain" in msg
    assert "--new-programme" in msg
    assert project.info()["documents"] == 0


def test_programme_case_is_the_known_one_and_new_ones_only_on_request(project, tmp_path):
    f, g, h = transcripts(tmp_path, 3)
    project.import_files([f], programme="Avenir")
    assert project.document("e1").programme == "avenir"
    project.import_files([g], programme="reprise_confiance", new_programme=True)
    assert project.document("e2").programme == "reprise_confiance"
    assert "reprise_confiance" in project.known_programmes()
    project.import_files([h], programme="REPRISE_confiance")      # known now: no flag needed
    assert project.document("e3").programme == "reprise_confiance"
    with pytest.raises(UnknownProgrammeError, match="did you mean avenir"):
        project.update_document("e1", programme="avnir")
    project.update_document("e1", programme="becomino")
    assert project.document("e1").programme == "becomino"


def test_codebook_programmes_are_known(project, tmp_path):
    from workbench.codebook.model import Codebook, CodeDef, EvaluationQuestion
    project.import_codebook(Codebook("cb", "Labo", programme="labo_mobilite", questions=(
        EvaluationQuestion(id="LM1", programme="labo_mobilite", side="beneficiaries",
                           text="La mobilité freine-t-elle ?"),), codes=(CodeDef("Mobilité"),)))
    assert "labo_mobilite" in project.known_programmes()
    f, = transcripts(tmp_path, 1)
    project.import_files([f], programme="labo_mobilite")
    assert project.document("e1").programme == "labo_mobilite"


def test_manifest_programmes_checked_per_row_with_lines(project, tmp_path):
    transcripts(tmp_path, 3)
    m = manifest(tmp_path, "file,programme,new_programme\ne1.txt,avenir,\ne2.txt,pct,\n"
                           "e3.txt,prog_local,peut-être\n")
    with pytest.raises(ManifestError) as exc:
        project.import_files(manifest=m)
    msg = str(exc.value)
    assert f"{m}:3: unknown programme 'pct'" in msg
    assert f"{m}:4: new_programme = 'peut-être' is not a yes/no value" in msg
    assert project.info()["documents"] == 0
    m = manifest(tmp_path, "file,programme,new_programme\ne1.txt,avenir,\ne2.txt,PCT_illettrisme,\n"
                           "e3.txt,prog_local,oui\n")
    report = project.import_files(manifest=m)
    assert not report.failed
    assert [project.document(f"e{i}").programme for i in (1, 2, 3)] == \
        ["avenir", "pct_illettrisme", "prog_local"]


def test_cli_programme_refused_then_created(tmp_path):
    proj = tmp_path / "e.wbproj"
    run("init", proj)
    f, = transcripts(tmp_path, 1)
    r = run("import", proj, f, "--programme", "pct")
    assert r.exit_code == 1 and "unknown programme 'pct'" in r.output
    r = run("import", proj, f, "--programme", "pct", "--new-programme")
    assert r.exit_code == 0, r.output
    r = run("docs", "list", proj, "--format", "csv")
    assert "e1,pct," in r.stdout


# -- document fields ---------------------------------------------------------------------------
MANIFEST = ("file,programme,actor_type,vague,structure,date_vague,satisfaction\n"
            "e1.txt,avenir,beneficiary,1,Mission locale Caen,03/04/2022,Très satisfait\n"
            "e2.txt,avenir,beneficiary,2,CIDFF,15/09/2022 10:30,Insatisfait\n"
            "e3.txt,avenir,trainer,3,Mission locale Caen,,\n")


@pytest.fixture
def with_fields(project, tmp_path):
    transcripts(tmp_path, 3)
    report = project.import_files(manifest=manifest(tmp_path, MANIFEST))
    assert not report.failed, report.results
    project.create_code("Freins")
    for i in (1, 2, 3):
        text = project.text(f"e{i}")
        start = text.index("transport")
        project.apply_code(f"e{i}", "Freins", start, start + 9)
    return project, report


def test_extra_columns_are_typed_document_fields(with_fields):
    project, report = with_fields
    types = {a.name: (a.type, a.levels) for a in project.document_fields()}
    assert types["vague"] == ("numeric", ()) and types["structure"] == ("nominal", ())
    assert types["date_vague"] == ("date", ())
    assert types["satisfaction"][0] == "ordinal"
    assert any("satisfaction" in n for n in report.notes)
    assert project.document_field_values("e2") == {
        "vague": "2", "structure": "CIDFF", "date_vague": "2022-09-15T10:30",
        "satisfaction": "Insatisfait"}
    assert "satisfaction" not in project.document_field_values("e3")   # empty: no value


@pytest.mark.parametrize("where, docs", [
    ("doc.vague >= 2", ["e2", "e3"]),
    ("doc.vague = 1", ["e1"]),
    ('doc.structure = "mission locale caen"', ["e1", "e3"]),
    ("doc.date_vague < 2022-06-01", ["e1"]),                        # 3 April 2022, day first
    ('doc.satisfaction >= "Satisfait"', ["e1"]),
    ("doc.satisfaction IS MISSING", ["e3"]),
    ("doc.VAGUE IN (1, 3) AND actor = trainer", ["e3"]),
])
def test_doc_key_filters_follow_the_field_type(with_fields, where, docs):
    project, _report = with_fields
    found = project.query("Freins", where=where)
    assert sorted(found["document"]) == docs


def test_doc_key_type_errors_point_at_the_value(with_fields):
    project, _report = with_fields
    from workbench.query.language import QueryError
    with pytest.raises(QueryError, match="vague is numeric: deux is not a number"):
        project.check_filter("doc.vague = deux")


def test_field_types_belong_to_the_project(with_fields, tmp_path):
    project, _report = with_fields
    transcripts(tmp_path, 5)
    m = manifest(tmp_path, "file,programme,vague\ne4.txt,avenir,deux\ne5.txt,avenir,3\n", "m2.csv")
    with pytest.raises(TableTypeError) as exc:
        project.import_files(manifest=m)
    assert f"{m}:2: vague = 'deux' is not a number (vague is numeric in the project)" in \
        str(exc.value)
    assert project.info()["documents"] == 3
    report = project.import_files(manifest=m, field_types={"vague": ("nominal", ())})
    assert not report.failed
    types = {a.name: a.type for a in project.document_fields()}
    assert types["vague"] == "nominal"
    assert project.document_field_values("e4")["vague"] == "deux"
    # every document's value was re-read under the new type
    rows = {r["owner"]: r["num"] for r in project.store.field_value_rows("document", "vague")}
    assert set(rows.values()) == {None}
    assert sorted(project.query("Freins", where='doc.vague = "2"')["document"]) == ["e2"]


def test_bad_field_names_are_refused_with_the_column_meant(project, tmp_path):
    transcripts(tmp_path, 1)
    m = manifest(tmp_path, "file,date,programe,date entretien\ne1.txt,2022-01-01,avenir,x\n")
    with pytest.raises(ManifestError) as exc:
        load_manifest(m)
    msg = str(exc.value)
    assert "'date' is a name queries give to document metadata; did you mean the column " \
           "interview_date?" in msg
    assert "unknown column 'programe' (did you mean programme?)" in msg
    assert "'date entretien' cannot be written in a query" in msg and "date_entretien" in msg


def test_yaml_manifest_fields_and_semicolon_csv(project, tmp_path):
    transcripts(tmp_path, 2)
    y = manifest(tmp_path, "documents:\n  - file: e1.txt\n    programme: avenir\n    vague: 1\n"
                           "    date_vague: 2022-04-03\n    suivi: oui\n"
                           "  - file: e2.txt\n    programme: avenir\n    vague: 2\n"
                           "    suivi: non\n", "m.yaml")
    project.import_files(manifest=y)
    types = {a.name: a.type for a in project.document_fields()}
    assert types == {"vague": "numeric", "date_vague": "date", "suivi": "boolean"}
    # a French Excel CSV: semicolons, cp1252
    transcripts(tmp_path, 3)
    m = tmp_path / "m3.csv"
    m.write_bytes("file;programme;vague;structure\ne3.txt;avenir;3;Pôle emploi\n".encode("cp1252"))
    project.import_files(manifest=m)
    assert project.document_field_values("e3") == {"vague": "3", "structure": "Pôle emploi"}


def test_cli_field_type_and_docs_show(tmp_path):
    proj = tmp_path / "e.wbproj"
    run("init", proj)
    transcripts(tmp_path, 2)
    m = manifest(tmp_path, "file,programme,vague\ne1.txt,avenir,1\ne2.txt,avenir,2\n")
    r = run("import", proj, "--manifest", m, "--field-type", "vague=ordinal:1,2,3",
            "--format", "json")
    assert r.exit_code == 0, r.output
    assert [x["status"] for x in json.loads(r.stdout)] == ["imported", "imported"]
    r = run("docs", "show", proj, "e2")
    assert "vague: 2" in r.stdout
    transcripts(tmp_path, 3)
    m = manifest(tmp_path, "file,programme,vague\ne3.txt,avenir,4\n", "m2.csv")
    r = run("import", proj, "--manifest", m)
    assert r.exit_code == 1
    assert "vague = '4' is not one of the levels 1, 2, 3" in r.output
    assert "--field-type vague=numeric" in r.output


# -- interview dates: the one date parser ----------------------------------------------------
def test_interview_dates_are_read_day_first_and_stored_iso(project, tmp_path):
    transcripts(tmp_path, 4)
    m = manifest(tmp_path, "file,programme,interview_date\ne1.txt,avenir,03/04/2022\n"
                           "e2.txt,avenir,2022-05-06 14:30\ne3.txt,avenir,\n")
    assert not project.import_files(manifest=m).failed
    assert [project.document(f"e{i}").interview_date for i in (1, 2, 3)] == \
        ["2022-04-03", "2022-05-06T14:30", None]
    bad = manifest(tmp_path, "file,programme,interview_date\ne4.txt,avenir,avril 2022\n", "b.csv")
    with pytest.raises(ManifestError, match=r"b\.csv:2: interview date 'avril 2022' is not a "
                                            r"date"):
        project.import_files(manifest=bad)
    with pytest.raises(ValidationError, match="interview date '13/13/2022' is not a date"):
        project.import_files([tmp_path / "e4.txt"], interview_date="13/13/2022")
    project.import_files([tmp_path / "e4.txt"], interview_date="19/1/2023")
    assert project.document("e4").interview_date == "2023-01-19"
    project.update_document("e4", interview_date="20/01/2023 9h15")
    assert project.document("e4").interview_date == "2023-01-20T09:15"


def test_xlsx_manifest_with_date_cells(project, tmp_path):
    import datetime as dt

    import openpyxl
    transcripts(tmp_path, 2)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["file", "programme", "interview_date", "vague"])
    ws.append(["e1.txt", "avenir", dt.datetime(2023, 1, 19, 10, 0), 1])
    ws.append(["e2.txt", "avenir", 44945, 2])                 # a serial: 2023-01-19
    m = tmp_path / "m.xlsx"
    wb.save(m)
    assert not project.import_files(manifest=m).failed
    assert project.document("e1").interview_date == "2023-01-19T10:00"
    assert project.document("e2").interview_date == "2023-01-19"
    assert {a.name: a.type for a in project.document_fields()} == {"vague": "numeric"}
