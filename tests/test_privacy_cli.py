"""``workbench privacy``: the review from the command line, exit codes and messages."""
import json

from click.testing import CliRunner

from workbench.cli import main


def run(*args, input=None, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env)


def test_review_and_write_from_the_command_line(tmp_path, interview_txt):
    proj = tmp_path / "e.wbproj"
    run("init", proj)
    run("import", proj, interview_txt, "--interviewer", "Claire Maréchal")
    lists = tmp_path / "listes.yaml"
    lists.write_text("employer: [crèche municipale]\n", encoding="utf-8")
    r = run("privacy", "detect", proj, "--no-ner", "--lists", lists)
    assert r.exit_code == 0, r.output
    assert "1 document read in" in r.output
    r = run("privacy", "list", proj, "--format", "json")
    rows = json.loads(r.stdout)
    by_label = {row["label"]: row for row in rows}
    assert by_label["Karima"]["category"] == "person"
    assert by_label["crèche municipale"]["status"] == "accepted"      # the team's list
    assert by_label["Pôle emploi"]["action"] == "keep"
    r = run("privacy", "show", proj, "Karima", "--format", "csv")
    assert r.exit_code == 0 and r.stdout.count("\n") == 1 + 2          # header + 2 turns
    assert run("privacy", "accept", proj, "Karima").exit_code == 0
    r = run("privacy", "reject", proj, "--category", "person")
    assert r.exit_code == 0 and "1 candidate rejected" in r.output      # Claire Maréchal
    r = run("privacy", "add", proj, "confiance", "--category", "place")
    assert r.exit_code == 0 and "1 occurrence" in r.output
    r = run("privacy", "policy", proj, "employer", "keep", "--format", "csv")
    assert "employer,Employeur,organisation,keep" in r.stdout
    r = run("privacy", "settings", proj, "--export-guard", "error", "--format", "json")
    assert json.loads(r.stdout)[0]["export_guard"] == "error"
    r = run("export", "qdpx", proj, tmp_path / "x.qdpx")
    assert r.exit_code == 1 and "not pseudonymised" in r.stderr
    out, key = tmp_path / "p.wbproj", tmp_path / "cle.key"
    r = run("privacy", "apply", proj, out, "--key", key, "--encrypt",
            env={"WORKBENCH_KEY_PASSPHRASE": "secret"})
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and "(encrypted)" in r.output
    r = run("privacy", "apply", proj, out, "--key", key)
    assert r.exit_code == 1 and "already exists" in r.stderr
    r = run("privacy", "apply", proj, tmp_path / "q.wbproj")
    assert r.exit_code == 2                                             # --key is required
    r = run("search", out, "Karima")
    assert "Karima" not in r.output
    r = run("privacy", "summary", out)
    assert r.exit_code == 0 and "pseudonymised" in r.output
    r = run("export", "qdpx", out, tmp_path / "p.qdpx")
    assert r.exit_code == 0, r.stderr
    r = run("privacy", "reidentify", tmp_path / "p.qdpx", tmp_path / "back.qdpx", "--key", key,
            input="secret\n")
    assert r.exit_code == 0, r.output
    r = run("privacy", "reidentify", tmp_path / "p.qdpx", tmp_path / "back2.qdpx", "--key", key,
            input="wrong\n")
    assert r.exit_code == 1 and "wrong passphrase" in r.stderr
