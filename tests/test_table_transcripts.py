"""CSV/XLSX transcripts: explicit column mapping (API, CLI, manifest), continuation rows,
labels written with a colon, HTML entities, and a tags column imported as codings.

Every file is written here; expected texts and offsets were worked out by hand.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from workbench.ingest.model import ImportFileError
from workbench.ingest.parsers import parse_column_mapping, parse_file

ODD_HEADERS = "Qui;Dit;Quand\nENQ;Vous êtes arrivée comment ?;00:00:05\nDB;En bus.;00:00:09\n"


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def words(t):
    return [(s.speaker, t.text[s.words_start:s.end]) for s in t.segments]


def test_unknown_headers_are_refused_with_the_way_to_map_them(tmp_path):
    path = write(tmp_path, "odd.csv", ODD_HEADERS)
    with pytest.raises(ImportFileError) as exc:
        parse_file(path)
    message = str(exc.value)
    assert message.startswith(f"{path}:1:")
    assert "'Qui', 'Dit', 'Quand'" in message and "--columns" in message


@pytest.mark.parametrize("mapping", [
    {"speaker": "Qui", "text": "Dit", "start": "Quand"},
    {"speaker": "qui", "text": "DIT", "start": "quand"},          # case does not matter
    {"speaker": "1", "text": "2", "start": "3"},                   # column numbers
    parse_column_mapping("speaker=Qui, text=Dit; début=Quand"),   # as the CLI writes it
])
def test_explicit_column_mapping(tmp_path, mapping):
    t = parse_file(write(tmp_path, "odd.csv", ODD_HEADERS), columns=mapping)
    assert words(t) == [("ENQ", "Vous êtes arrivée comment ?"), ("DB", "En bus.")]
    assert [s.timestamp for s in t.segments] == [5.0, 9.0]
    assert t.metadata["columns"] == {"text": "Dit", "speaker": "Qui", "timestamp": "Quand"}


def test_a_mapping_naming_a_missing_column_is_an_error_naming_it(tmp_path):
    path = write(tmp_path, "odd.csv", ODD_HEADERS)
    with pytest.raises(ImportFileError, match=r"odd\.csv:1: no column 'Verbatim' \(text\)"):
        parse_file(path, columns={"text": "Verbatim"})
    with pytest.raises(ImportFileError, match=r"no column 7 \(speaker\)"):
        parse_file(path, columns={"speaker": "7", "text": "Dit"})


@pytest.mark.parametrize("spec, error", [
    ("speaker", "ROLE=COLUMN"),
    ("qui=Qui", "unknown role 'qui'"),
    ("text=Dit,text=Quand", "text is mapped twice"),
    ("text=", "ROLE=COLUMN"),
])
def test_bad_mapping_specs(spec, error):
    with pytest.raises(ValueError, match=error):
        parse_column_mapping(spec)


CONTINUED = (
    "speaker,text,start,end\n"
    "Interviewer:,Bonjour.,0,2\n"
    "DB:,Je suis arrivée en 2021.,3,5\n"
    ",Par le bus.,5,7\n"
    ",&Eacute;t&eacute; comme hiver &amp; c&#39;est long.,7,9\n"
    "DB,Voilà.,10,11\n"
    "Fran&ccedil;oise,Moi aussi.,12,13\n"
)


def test_continuation_rows_colon_labels_and_entities(tmp_path):
    t = parse_file(write(tmp_path, "suite.csv", CONTINUED))
    assert words(t) == [
        ("Interviewer", "Bonjour."),
        ("DB", "Je suis arrivée en 2021.\nPar le bus.\nÉté comme hiver & c'est long."),
        ("DB", "Voilà."),
        ("Françoise", "Moi aussi."),
    ]
    db = t.segments[1]
    assert (db.timestamp, db.end_time) == (3.0, 9.0)
    assert t.segments[0].is_interviewer and not db.is_interviewer
    assert t.metadata["speakers"] == ["Interviewer", "DB", "Françoise"]


def test_rows_before_any_speaker_stay_paragraphs(tmp_path):
    t = parse_file(write(tmp_path, "debut.csv", "speaker,text\n,Note de contexte.\nDB,Bonjour.\n"))
    assert [(s.kind, s.speaker) for s in t.segments] == [("paragraph", None), ("turn", "DB")]


def test_xlsx_with_mapping_and_continuation(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [("Personne", "Propos tenus", "Étiquettes"),
                ("ENQ", "Et le transport ?", None),
                ("Léa:", "Pas de voiture.", "Freins/Mobilité"),
                (None, "Et pas de bus.", "Freins/Mobilité; Territoire")]:
        ws.append(row)
    path = tmp_path / "table.xlsx"
    wb.save(path)
    t = parse_file(path, columns={"text": "Propos tenus", "tags": "Étiquettes"})
    assert words(t) == [("ENQ", "Et le transport ?"), ("Léa", "Pas de voiture.\nEt pas de bus.")]
    spans = [(t.text[a:b], tag) for a, b, tag in t.tags]
    assert spans == [("Pas de voiture.", "Freins/Mobilité"), ("Et pas de bus.", "Freins/Mobilité"),
                     ("Et pas de bus.", "Territoire")]


TAGGED = (
    "speaker,text,tags\n"
    "ENQ,Qu'est-ce qui vous a freinée ?,\n"
    "Léa,Le transport surtout.,Freins/Transport\n"
    ",Et la garde des enfants.,freins/garde d'enfants|Emploi\n"
    "ENQ,Merci.,\n"
)


def test_tags_are_offered_not_imported_by_default(project, tmp_path):
    path = write(tmp_path, "tags.csv", TAGGED)
    report = project.import_files([path])
    result = report.results[0]
    assert result.status == "imported"
    assert any("tags" in w and "--tags-as-codes" in w and "3" in w for w in result.warnings)
    assert project.store.find_codings() == []


def test_tags_as_codes_make_real_codings_on_the_rows_words(project, tmp_path):
    project.create_code("Freins")
    existing = project.create_code("Emploi")
    path = write(tmp_path, "tags.csv", TAGGED)
    report = project.import_files([path], tags_as_codes=True)
    result = report.results[0]
    assert result.status == "imported", result.message
    text = project.text("tags")
    rows = project.codings("tags")
    got = sorted((p, text[s:e]) for p, s, e in zip(rows["path"], rows["start"], rows["end"]))
    assert got == [("Emploi", "Et la garde des enfants."),
                   ("Freins/Transport", "Le transport surtout."),
                   ("Freins/garde d'enfants", "Et la garde des enfants.")]
    assert set(rows["origin"]) == {"imported"} and set(rows["status"]) == {"accepted"}
    assert set(rows["coder"]) == {"testeur"}
    # matched by path (case aside): Freins and Emploi existed; two sub-codes were created
    assert project.code_id("Emploi") == existing
    note = " ".join(report.notes)
    assert "3 codings" in note and "Freins/Transport" in note and "Freins/garde d'enfants" in note
    assert "Emploi" not in note.split("created")[-1]
    # the quotes are the rows' words
    assert sorted(project.excerpts("Freins")["text"]) == ["Et la garde des enfants.",
                                                          "Le transport surtout."]


def test_a_bad_tag_fails_the_file_and_changes_nothing(project, tmp_path):
    path = write(tmp_path, "mauvais.csv", "speaker,text,tags\nLéa,Oui.,Freins//\n")
    before = project.store.codes()
    report = project.import_files([path], tags_as_codes=True)
    assert report.results[0].status == "failed"
    assert "mauvais.csv:2" in report.results[0].message
    assert project.documents().empty and project.store.codes() == before


def test_cli_columns_and_tags_options(tmp_path):
    from workbench.cli import main

    project = tmp_path / "p.wbproj"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    path = write(tmp_path, "odd.csv", "Qui;Dit;Codes\nENQ;Bonjour ?;\nDB:;Oui.;Accord\n")
    r = runner.invoke(main, ["import", str(project), str(path), "--columns",
                             "speaker=Qui,text=Dit,tags=Codes", "--tags-as-codes",
                             "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[0]["status"] == "imported"
    assert "1 coding" in r.stderr and "Accord" in r.stderr
    r = runner.invoke(main, ["import", str(project), str(path), "--columns", "speaker"])
    assert r.exit_code == 2 and "ROLE=COLUMN" in r.output


def test_manifest_columns_and_tags_fields(project, tmp_path):
    write(tmp_path, "odd.csv", "Qui;Dit;Codes\nENQ;Vous êtes arrivée comment ?;\nDB;En bus.;Accord\n")
    manifest = write(tmp_path, "manifest.csv",
                     "file,name,columns,tags_as_codes\n"
                     "odd.csv,AV-01,\"speaker=Qui,text=Dit,tags=Codes\",oui\n")
    report = project.import_files(manifest=manifest)
    assert [r.status for r in report.results] == ["imported"], report.results[0].message
    assert [s.speaker for s in project.segments("AV-01")] == ["ENQ", "DB"]
    assert list(project.codings("AV-01")["path"]) == ["Accord"]


def test_manifest_with_a_bad_mapping_names_its_line(project, tmp_path):
    from workbench.domain import ValidationError

    write(tmp_path, "odd.csv", ODD_HEADERS)
    manifest = write(tmp_path, "manifest.csv", "file,columns\nodd.csv,texte\n")
    with pytest.raises(ValidationError, match=r"manifest\.csv:2.*ROLE=COLUMN"):
        project.import_files(manifest=manifest)
