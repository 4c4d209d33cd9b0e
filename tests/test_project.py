"""The project file and the facade: migrations, import pipeline, links, search."""
import sqlite3

import pytest

from workbench.domain import NotFoundError, ValidationError, WorkbenchError
from workbench.project import Project


def test_create_applies_migrations_and_pragmas(tmp_path):
    path = tmp_path / "p.wbproj"
    with Project.create(path) as p:
        assert p.info()["documents"] == 0
        mode = p.store.scalar("PRAGMA journal_mode")
        assert mode == "wal"
        assert p.store.scalar("PRAGMA foreign_keys") == 1
    con = sqlite3.connect(path)
    names = {r[0] for r in con.execute("SELECT name FROM _sqlite_migrations")}
    assert "0001_initial" in names
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for t in ("documents", "segments", "participants", "attributes", "participant_values",
              "document_participants", "codes", "codings", "memos", "coders",
              "evaluation_questions", "change_log"):
        assert t in tables


def test_reopen_keeps_data_and_does_not_reapply(tmp_path, interview_txt):
    path = tmp_path / "p.wbproj"
    with Project.create(path) as p:
        p.import_files([interview_txt], programme="avenir", actor_type="beneficiary")
    with Project.open(path) as p:
        assert p.store.migrations_applied == []
        assert len(p.documents()) == 1


def test_open_rejects_non_project(tmp_path):
    bad = tmp_path / "notes.wbproj"
    bad.write_text("hello, not sqlite")
    with pytest.raises(WorkbenchError, match="not a Workbench project"):
        Project.open(bad)
    with pytest.raises(WorkbenchError, match="no such project"):
        Project.open(tmp_path / "missing.wbproj")


def test_import_text_segments_offsets_and_metadata(project, interview_txt):
    report = project.import_files([interview_txt], programme="avenir", actor_type="beneficiary",
                                  interview_date="2022-05-03", site="Caen")
    assert [r.status for r in report.results] == ["imported"]
    doc = project.document("entretien_karima")
    assert doc.programme == "avenir" and doc.actor_type == "beneficiary" and doc.site == "Caen"
    assert doc.source_format == "txt" and doc.encoding.lower().replace("-", "") in ("utf8", "ascii")
    text = project.text(doc.id)
    segs = project.segments(doc.id)
    speakers = [s.speaker for s in segs if s.speaker]
    assert "ENQ" in speakers and "Karima" in speakers
    karima = [s for s in segs if s.speaker == "Karima"]
    # the continuation line belongs to Karima's turn, offsets index the stored text
    assert "redonné confiance" in text[karima[1].start:karima[1].end]
    assert any(s.is_interviewer for s in segs if s.speaker == "ENQ")
    assert doc.word_count > 40


def test_reimport_same_file_is_detected_by_hash(project, interview_txt, tmp_path):
    project.import_files([interview_txt])
    copy = tmp_path / "copie.txt"
    copy.write_bytes(interview_txt.read_bytes())
    report = project.import_files([copy])
    assert report.results[0].status == "duplicate"
    assert "already imported" in report.results[0].message
    assert len(project.documents()) == 1


def test_batch_keeps_good_files_and_reports_every_failure(project, interview_txt, tmp_path):
    empty = tmp_path / "vide.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    report = project.import_files([interview_txt, empty, binary, tmp_path / "absent.txt"])
    status = {r.path.split("/")[-1]: r.status for r in report.results}
    assert status["entretien_karima.txt"] == "imported"
    assert status["vide.txt"] == "failed" and status["image.txt"] == "failed"
    assert status["absent.txt"] == "failed"
    msgs = " ".join(r.message for r in report.failed)
    assert "vide.txt" in msgs and "image.txt" in msgs and "absent.txt" in msgs
    assert project.info()["documents"] == 1


def test_participants_and_links(project, participants_csv, interview_txt):
    result = project.import_participants(participants_csv)
    assert result["inserted"] == 3
    types = dict(result["attributes"])
    assert types["age"] == "numeric" and types["emploi_6m"] == "boolean"
    assert types["niveau_qualification"] == "ordinal" and types["date_entree"] == "date"
    assert types["canal_entree"] == "nominal"
    project.import_files([interview_txt], programme="avenir", actor_type="beneficiary",
                         speakers={"Karima": "P001"})
    links = project.document_participants("entretien_karima")
    assert links == [{"participant_id": "P001", "speaker": "Karima"}]
    df = project.participants()
    row = df.set_index("participant_id").loc["P003"]
    assert row["heures_formation"] == 410.5          # French decimal comma
    assert str(row["date_entree"].date()) == "2022-03-15"
    assert df.set_index("participant_id").loc["P001", "documents"] == "entretien_karima"
    # re-import updates values, keeps links
    participants_csv.write_text(participants_csv.read_text().replace("P001,avenir,34", "P001,avenir,35"))
    again = project.import_participants(participants_csv)
    assert again == {**again, "inserted": 0, "updated": 3}
    assert project.participants().set_index("participant_id").loc["P001", "age"] == 35
    assert project.document_participants("entretien_karima")[0]["participant_id"] == "P001"


def test_unknown_participant_and_speaker_are_clear_errors(project, participants_csv, interview_txt):
    project.import_participants(participants_csv)
    report = project.import_files([interview_txt], participants=["P999"])
    assert report.results[0].status == "failed"
    assert "P999" in report.results[0].message and "entretien_karima.txt" in report.results[0].message
    report = project.import_files([interview_txt], speakers={"Nadia": "P001"})
    assert "Nadia" in report.results[0].message and "Karima" in report.results[0].message
    assert project.info()["documents"] == 0
    project.import_files([interview_txt])
    with pytest.raises(NotFoundError):
        project.link_participant("entretien_karima", "P404")
    with pytest.raises(ValidationError):
        project.link_participant("entretien_karima", "P002", speaker="Inconnu")
    assert project.link_participant("entretien_karima", "P002", speaker="Karima") is True


def test_search_accent_insensitive_with_filters(project, interview_txt, participants_csv):
    project.import_participants(participants_csv)
    project.import_files([interview_txt], programme="avenir", actor_type="beneficiary",
                         participants=["P001"])
    hits = project.search("creche")
    assert len(hits) == 1
    hit = hits.iloc[0]
    assert hit["speaker"] == "Karima" and "crèche" in hit["snippet"]
    assert project.text(int(hit["document_id"]))[hit["start"]:hit["end"]].startswith("Karima")
    assert len(project.search("creche", actor_type="trainer")) == 0
    assert len(project.search("creche", attribute=("emploi_6m", "oui"))) == 1
    assert len(project.search("creche", attribute=("emploi_6m", "non"))) == 0
    assert len(project.search('"immersion en entreprise"')) == 1
    assert len(project.search("immers*")) == 2
    assert len(project.search('((( AND "')) == 0     # never an FTS syntax error


def test_change_log_records_who(project, interview_txt):
    project.import_files([interview_txt])
    actions = [(h["action"], h["coder"]) for h in project.history()]
    assert ("document.import", "testeur") in actions


def test_mark_private_document_attribute(project, interview_txt, participants_csv):
    project.import_participants(participants_csv)
    project.import_files([interview_txt])
    project.set_private("document", "entretien_karima")
    assert bool(project.document("entretien_karima").private) is True
    project.set_private("attribute", "age")
    attrs = project.attributes().set_index("name")
    assert bool(attrs.loc["age", "private"]) is True
    with pytest.raises(NotFoundError):
        project.set_private("attribute", "inconnu")
    with pytest.raises(ValidationError):
        project.set_private("code", "x")
