"""Every acknowledged change is on disk (issues #16 and #17).

Writers (the API in a process of its own, and the CLI) are killed with SIGKILL at many
moments chosen by a seeded random draw — counted in acknowledgements, never in seconds,
so a loaded machine changes nothing — during codings, imports (a long one goes through
an import batch) and exports.  Each time: what was acknowledged is stored, the file
passes SQLite's integrity check, nothing half-written remains.  Each acknowledgement
must follow a synchronous commit: the writer reports, with every acknowledgement, that
its transaction is committed and that the commit was synced (WAL with
``synchronous=FULL``); a writer patched to ``synchronous=OFF`` fails the check.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from workbench.project import Project

REPO = Path(__file__).resolve().parent.parent
SEED = 1604

#: A writer: ``action`` in (code, import, export); prints one acknowledgement per
#: finished action: "<what> <synchronous> <journal mode> <committed> <in transaction>".
WRITER = textwrap.dedent(r"""
    import sys
    from pathlib import Path
    from workbench.project import Project

    action, path, coder, folder = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
    patch = len(sys.argv) > 5 and sys.argv[5] == "sync-off"
    p = Project.open(path, coder=coder)
    conn = p.store.conn
    if patch:                                   # the faulty writer the test must catch
        conn.execute("PRAGMA synchronous = OFF")
    said = []
    conn.set_trace_callback(said.append)

    def ack(what):
        committed = any(s.strip().upper().startswith("COMMIT") for s in said)
        said.clear()
        sync = conn.execute("PRAGMA synchronous").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        said.clear()
        # one write: with PYTHONUNBUFFERED set, print() writes each word on its own and
        # a kill between two of them left a partial acknowledgement
        sys.stdout.write(f"{what} {sync} {mode} {int(committed)} {int(conn.in_transaction)}\n")
        sys.stdout.flush()

    i = 0
    if action == "code":
        n = len(p.text("entretien_karima")) - 10
        while True:
            ack(p.apply_code("entretien_karima", "Immersion", i % n, i % n + 5))
            i += 1
    elif action == "import":
        for f in sorted(folder.glob("*.txt")):
            result = p.import_files([f]).results[0]
            if result.status == "imported":      # (a file of an earlier round is a duplicate)
                ack(result.document_id)
    elif action == "export":
        while True:                 # Word (python-docx) and .xlsx (openpyxl) in turn
            target = folder / (f"rapport-{i}.docx" if i % 2 == 0 else f"tableaux-{i}.xlsx")
            if i % 2 == 0:
                p.export_excerpts(target)
            else:
                p.export_tables(target)
            ack(target.name)
            i += 1
""")


def _env():
    return dict(os.environ, PYTHONPATH=str(REPO), WORKBENCH_BATCH_TEXT_CHARS="20000",
                WORKBENCH_FTS_CHUNK_CHARS="20000", PYTHONWARNINGS="ignore")


def _writer(action, path, coder, folder, *extra):
    return subprocess.Popen([sys.executable, "-c", WRITER, action, str(path), coder, str(folder),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=_env())


def _kill_after(proc, acks: int) -> list[list[str]]:
    """Read ``acks`` acknowledgements, SIGKILL the writer, return every one it gave."""
    got = []
    while len(got) < acks:
        line = proc.stdout.readline()
        if not line.endswith("\n"):     # end of output (or a line cut by the kill)
            break
        got.append(line.split())
    proc.send_signal(signal.SIGKILL)
    # the rest through the same buffered reader (communicate() with a timeout reads the
    # raw pipe and would miss what readline() had already buffered)
    out = proc.stdout.read()
    proc.wait(timeout=60)
    # only whole lines are acknowledgements: a kill can land while ``print`` is writing,
    # and a line without its newline was never completely said
    got += [line.split() for line in out.splitlines(keepends=True)
            if line.endswith("\n") and line.strip()]
    return got


def check_synchronous(acks: list[list[str]]) -> None:
    """Each acknowledgement followed a committed, synced write (WAL, synchronous FULL)."""
    for ack in acks:
        assert len(ack) == 5, f"not an acknowledgement: {ack}"
        what, sync, mode, committed, in_tx = ack
        assert mode == "wal", f"acknowledged {what} without WAL ({mode})"
        assert int(sync) >= 2, f"acknowledged {what} with synchronous={sync} (not FULL): " \
                               "a power cut could lose it"
        assert committed == "1" and in_tx == "0", f"acknowledged {what} before its commit"


def _integrity(path) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.execute("INSERT INTO segments_fts(segments_fts, rank) VALUES ('integrity-check', 0)")
    finally:
        con.close()


@pytest.fixture
def team_project(project, interview_txt):
    project.import_files([interview_txt])
    project.create_code("Immersion")
    project.add_coder("w1")
    project.add_coder("w2")
    return project


def test_killed_coders_lose_nothing_acknowledged(team_project):
    path = team_project.path
    rng = random.Random(SEED)
    team_project.close()
    acked: list[int] = []
    for _round in range(3):                       # 2 writers at once, killed 3 times each
        procs = [_writer("code", path, "w1", path.parent), _writer("code", path, "w2", path.parent)]
        for proc in procs:
            acks = _kill_after(proc, rng.randint(1, 40))
            check_synchronous(acks)
            acked += [int(a[0]) for a in acks]
        _integrity(path)
    con = sqlite3.connect(path)
    stored = {r[0] for r in con.execute("SELECT id FROM codings")}
    con.close()
    assert len(acked) > 10 and set(acked) <= stored
    with Project.open(path) as p:
        assert len(p.codings("entretien_karima")) == len(stored)


def test_killed_cli_loses_nothing_acknowledged(team_project):
    path = team_project.path
    team_project.close()
    rng = random.Random(SEED + 1)
    acked = []
    for i in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", "from workbench.cli import main; main()", "code", str(path),
             "entretien_karima", str(i), str(i + 5), "Immersion"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=_env())
        if rng.random() < 0.5:                     # killed somewhere in its run
            proc.stdout.read(rng.randint(0, 3))
            proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=120)
        if proc.returncode == 0:
            acked.append(i)                        # the CLI's acknowledgement: exit 0
        _integrity(path)
    with Project.open(path) as p:
        starts = set(p.codings("entretien_karima")["start"])
    assert acked and set(acked) <= starts


def test_killed_imports_leave_whole_documents_only(tmp_path, project):
    folder = tmp_path / "lot"
    folder.mkdir()
    for i in range(6):       # every third one is long: it goes through an import batch
        turns = 900 if i % 3 == 0 else 20
        (folder / f"entretien_{i}.txt").write_text(
            "".join(f"Karima : tour {t} du fichier {i}, la formation.\n" for t in range(turns)),
            encoding="utf-8")
    path = project.path
    project.close()
    rng = random.Random(SEED + 2)
    acked = []
    for _round in range(3):
        acks = _kill_after(_writer("import", path, "w1", folder), rng.randint(0, 3))
        check_synchronous(acks)
        acked += [int(a[0]) for a in acks]
        with Project.open(path) as p:          # opening cleans up a batch cut short
            assert p.store.scalar("SELECT count(*) FROM import_batches") == 0
            docs = p.documents()
            for row in docs.itertuples():      # every stored document is whole
                expected = 900 if row.name.endswith(("_0", "_3")) else 20
                assert row.segments == expected, row.name
                assert len(p.search(f'"fichier {row.name[-1]}"', limit=2000)) == expected
            assert set(acked) <= set(docs["id"])
        _integrity(path)
    assert not list(path.parent.glob(".*wbtmp"))


def test_killed_exports_leave_whole_files_only(tmp_path, team_project, monkeypatch):
    team_project.apply_code("entretien_karima", "Immersion", 0, 30)
    path = team_project.path
    team_project.close()
    out = tmp_path / "exports"
    out.mkdir()
    # the writers' own system temp folder (TMPDIR), watched alone: other test workers
    # write to the machine's /tmp meanwhile
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(system_temp))
    temp_before = set(system_temp.glob("openpyxl.*"))
    rng = random.Random(SEED + 3)
    acked = []
    for _round in range(3):
        acked += [a[0] for a in _kill_after(_writer("export", path, "w1", out), rng.randint(0, 3))]
    for name in acked:                            # acknowledged: there and whole
        with zipfile.ZipFile(out / name) as z:
            assert z.testzip() is None
            assert ("word/document.xml" if name.endswith(".docx") else "xl/workbook.xml") \
                in z.namelist()
    for f in [*out.glob("rapport-*.docx"), *out.glob("tableaux-*.xlsx")]:   # whole too
        with zipfile.ZipFile(f) as z:
            assert z.testzip() is None
    with Project.open(path):                     # leftovers of killed writers are swept
        pass
    from workbench.safety.files import sweep_leftovers
    sweep_leftovers(out)
    assert not [f for f in out.iterdir() if not f.name.startswith(("rapport-", "tableaux-"))]
    assert set(system_temp.glob("openpyxl.*")) <= temp_before   # none new


def test_a_writer_without_synchronous_commits_fails_the_check(team_project):
    """The check above is real: a writer patched to synchronous=OFF is caught."""
    path = team_project.path
    team_project.close()
    acks = _kill_after(_writer("code", path, "w1", path.parent, "sync-off"), 3)
    with pytest.raises(AssertionError, match="synchronous=0"):
        check_synchronous(acks)
