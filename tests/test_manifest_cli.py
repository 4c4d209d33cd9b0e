"""Manifests and the command line contract (exit codes, formats, messages)."""
import json

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.ingest.manifest import ManifestError, load_manifest


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def test_manifest_csv_and_yaml(tmp_path, interview_txt):
    csv_m = tmp_path / "m.csv"
    csv_m.write_text("file,name,programme,actor_type,participants,speakers\n"
                     "entretien_karima.txt,AV-BEN-01,avenir,beneficiary,P001;P002,Karima=P001\n",
                     encoding="utf-8")
    entries = load_manifest(csv_m)
    meta = entries[interview_txt.resolve()]
    assert meta.name == "AV-BEN-01" and meta.participants == ("P001", "P002")
    assert meta.speakers == {"Karima": "P001"}
    yml = tmp_path / "m.yaml"
    yml.write_text("documents:\n  - file: entretien_karima.txt\n    programme: avenir\n"
                   "    speakers: {Karima: P001}\n", encoding="utf-8")
    assert load_manifest(yml)[interview_txt.resolve()].speakers == {"Karima": "P001"}


def test_manifest_missing_files_are_listed_with_lines(tmp_path):
    m = tmp_path / "m.csv"
    m.write_text("file,programme\na.txt,avenir\nb.txt,avenir\n", encoding="utf-8")
    with pytest.raises(ManifestError) as exc:
        load_manifest(m)
    assert "m.csv:2: no such file a.txt" in str(exc.value)
    assert "m.csv:3: no such file b.txt" in str(exc.value)


def test_manifest_bad_column(tmp_path, interview_txt):
    m = tmp_path / "m.csv"
    m.write_text("file,programe\nentretien_karima.txt,avenir\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"m.csv:1: unknown column 'programe' \(did you "
                                            r"mean programme\?\)"):
        load_manifest(m)


def test_cli_init_import_list_show_search(tmp_path, interview_txt, participants_csv):
    proj = tmp_path / "eval.wbproj"
    assert run("init", proj).exit_code == 0
    r = run("participants", "import", proj, participants_csv)
    assert r.exit_code == 0 and "3 participants added" in r.output
    r = run("import", proj, interview_txt, "--programme", "avenir", "--actor", "beneficiary",
            "--speaker", "Karima=P001", "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)[0]["status"] == "imported"
    r = run("docs", "list", proj, "--format", "csv")
    assert r.exit_code == 0 and "entretien_karima,avenir,beneficiary" in r.stdout
    r = run("docs", "show", proj, "entretien_karima")
    assert "crèche municipale" in r.stdout and "P001 (Karima)" in r.stdout
    r = run("docs", "show", proj, "entretien_karima", "--format", "json")
    segs = json.loads(r.stdout)
    assert any(s["speaker"] == "Karima" for s in segs)
    r = run("search", proj, "creche", "--format", "json")
    hits = json.loads(r.stdout)
    assert len(hits) == 1 and hits[0]["speaker"] == "Karima"
    r = run("info", proj, "--format", "json")
    info = json.loads(r.stdout)
    assert info["documents"] == 1 and info["participants"] == 3
    r = run("participants", "list", proj, "--format", "csv")
    assert "P001" in r.stdout and "entretien_karima" in r.stdout


def test_cli_errors_exit_1_with_file_named(tmp_path, interview_txt):
    proj = tmp_path / "eval.wbproj"
    run("init", proj)
    bad = tmp_path / "vide.txt"
    bad.write_text("")
    r = CliRunner().invoke(main, ["import", str(proj), str(interview_txt), str(bad)])
    assert r.exit_code == 1
    assert "vide.txt" in r.stderr
    assert "1 imported, 1 failed" in r.stderr
    r = CliRunner().invoke(main, ["docs", "show", str(proj), "nope"])
    assert r.exit_code == 1 and "no document 'nope'" in r.stderr
    r = CliRunner().invoke(main, ["info", str(tmp_path / "missing.wbproj")])
    assert r.exit_code == 1 and "no such project file" in r.stderr
    r = CliRunner().invoke(main, ["import", str(proj), str(interview_txt), "--actor", "student"])
    assert r.exit_code == 2          # usage error
    r = CliRunner().invoke(main, ["init", str(proj)])
    assert r.exit_code == 1 and "already exists" in r.stderr
