"""CLI for codebooks, coding, autocoding and review (exit codes and messages)."""
import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import main

REPO = Path(__file__).resolve().parent.parent


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def test_codebook_commands(tmp_path):
    proj = tmp_path / "e.wbproj"
    run("init", proj)
    r = run("codebook", "validate", REPO / "codebooks" / "avenir.yaml")
    assert r.exit_code == 0 and "valid" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("codebook: b\ntitle: B\nquestions: []\ncodes:\n  - name: X\n    colour: '#12'\n")
    r = run("codebook", "validate", bad)
    assert r.exit_code == 1 and "bad.yaml:6" in r.stderr
    r = run("codebook", "import", proj, REPO / "codebooks" / "avenir.yaml")
    assert r.exit_code == 0 and "codes added" in r.output
    r = run("codebook", "show", proj, "--format", "json")
    codes = json.loads(r.stdout)
    assert any(c["path"].count("/") == 1 for c in codes)
    out = tmp_path / "cb.qdc"
    assert run("codebook", "export", proj, out).exit_code == 0 and out.exists()
    r = run("codebook", "diff", proj, REPO / "codebooks" / "avenir.yaml")
    assert r.exit_code == 0
    assert run("codebook", "history", proj).exit_code == 0


def test_code_autocode_review_undo(tmp_path, interview_txt):
    proj = tmp_path / "e.wbproj"
    run("init", proj)
    run("import", proj, interview_txt)
    assert run("codes", "create", proj, "Freins/Mobilité").exit_code == 0
    r = run("codes", "create", proj, "Freins/Mobilité")
    assert r.exit_code == 1 and "already exists" in r.stderr
    r = run("code", proj, "entretien_karima", 0, 40, "Freins/Mobilité", "--memo", "à revoir")
    assert r.exit_code == 0
    r = run("code", proj, "entretien_karima", 0, 99999, "Freins/Mobilité")
    assert r.exit_code == 1 and "outside the text" in r.stderr
    r = run("code", proj, "entretien_karima", 0, 40, "Freins/Mobilité", "--coder", "inconnu")
    assert r.exit_code == 1 and "unknown coder" in r.stderr
    r = run("autocode", proj, "Freins", "--keyword", "crèche", "--dry-run", "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 1
    assert "would be coded" in r.stderr
    r = run("autocode", proj, "Freins", "--keyword", "crèche")
    assert r.exit_code == 0 and "1 candidate coding written" in r.output
    r = run("review", proj, "--format", "json")
    cands = json.loads(r.stdout)
    assert len(cands) == 1 and cands[0]["origin"] == "rule"
    assert "1 coding accepted" in run("review", proj, "--accept", "all").output
    r = run("codings", proj, "--code", "Freins", "--format", "json")
    assert len(json.loads(r.stdout)) == 2
    assert run("undo", proj).output.startswith("Undone: candidate codings accepted")
    assert run("redo", proj).output.startswith("Redone: candidate codings accepted")
    r = run("codes", "delete", proj, "Freins")
    assert r.exit_code == 1 and "--yes" in r.stderr
    assert run("codes", "delete", proj, "Freins", "--yes").exit_code == 0
    r = run("autocode", proj, "Nope", "--keyword", "x")
    assert r.exit_code == 1 and "no code" in r.stderr
    r = run("autocode", proj, "Nope")
    assert r.exit_code == 2


def test_segments_memos_coders(tmp_path, interview_txt):
    proj = tmp_path / "e.wbproj"
    run("init", proj)
    run("import", proj, interview_txt)
    run("codes", "create", proj, "Immersion")
    r = run("code-segments", proj, "entretien_karima", "Immersion", 2, 4)
    assert r.exit_code == 0 and "2 codings" in r.output
    assert run("coders", "add", proj, "Camille").exit_code == 0
    r = run("coders", "list", proj, "--format", "json")
    assert {c["name"] for c in json.loads(r.stdout)} >= {"Camille"}
    assert run("memo", "add", proj, "code", "Immersion", "Thème central").exit_code == 0
    r = run("memo", "list", proj, "--format", "json")
    assert json.loads(r.stdout)[0]["text"] == "Thème central"


def test_review_and_dry_run_with_nothing_to_show(tmp_path, interview_txt):
    """No candidate coding, and a rule that matches nothing: an empty table, not a
    traceback (the text column of an empty frame is not text)."""
    proj = tmp_path / "p.wbproj"
    assert run("init", proj).exit_code == 0
    assert run("import", proj, interview_txt).exit_code == 0
    r = run("review", proj)
    assert r.exit_code == 0 and r.exception is None, r.output
    assert "(no rows)" in r.output
    assert run("codes", "create", proj, "Rien").exit_code == 0
    r = run("autocode", proj, "Rien", "--keyword", "zzzzqqq", "--dry-run")
    assert r.exit_code == 0 and r.exception is None, r.output
