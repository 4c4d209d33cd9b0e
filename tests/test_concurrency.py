"""Several writers at once (issue #16, concurrency): a long import never holds the
write lock for long and stays invisible until it is whole; a writer that must wait
says so and waits; no "database is locked" reaches a user; a killed or failed import
leaves the project as it was.

No sleeps: processes meet through pipes (a paused import says "paused" on stdout and
waits for a line on stdin), so every step happens in a known order.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import hostile_files as H
from workbench.cli import main
from workbench.project import Project

REPO = Path(__file__).resolve().parent.parent

#: A process that imports a long transcript and stops after its first indexing step
#: (stdout "paused <chunks>"), until it reads a line; then prints "done <id>".
IMPORTER = textwrap.dedent(r"""
    import sys
    from workbench.project import Project
    from workbench.store.batch import ImportBatch

    def pause(batch):
        if batch.chunks == 1:
            print("paused", batch.chunks, flush=True)
            sys.stdin.readline()
    ImportBatch.after_chunk = pause
    with Project.open(sys.argv[1], coder="importeur") as p:
        report = p.import_files([sys.argv[2]])
        print("done", report.summary(), report.results[0].document_id, flush=True)
""")


def _long_transcript(path: Path, turns: int = 3000) -> Path:
    path.write_text("".join(f"Karima : tour {i}, la formation et l'immersion en entreprise.\n"
                            for i in range(turns)), encoding="utf-8")
    return path


def _env(**extra):
    env = dict(os.environ, PYTHONPATH=str(REPO), WORKBENCH_BATCH_TEXT_CHARS="10000",
               WORKBENCH_FTS_CHUNK_CHARS="20000")
    env.update(extra)
    return env


def _start_importer(proj: Path, transcript: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", IMPORTER, str(proj), str(transcript)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env())


@pytest.fixture
def coded_project(tmp_path, interview_txt):
    path = tmp_path / "equipe.wbproj"
    with Project.create(path, coder="testeur") as p:
        p.import_files([interview_txt])
        p.create_code("Immersion")
    return path


def test_long_import_lets_others_write_and_stays_invisible_until_whole(tmp_path, coded_project):
    transcript = _long_transcript(tmp_path / "long.txt")
    importer = _start_importer(coded_project, transcript)
    try:
        assert importer.stdout.readline().split()[0] == "paused"
        # the import is half-way: its first indexing step is committed, the lock is free
        with Project.open(coded_project, coder="codeuse") as p:
            coding = p.apply_code("entretien_karima", "Immersion", 0, 10)   # does not wait
            assert list(p.documents()["name"]) == ["entretien_karima"]      # nothing shows
            assert len(p.search("tour", limit=10_000)) == 0
            assert p.info()["segments"] == len(p.segments("entretien_karima"))
        r = CliRunner().invoke(main, ["code", str(coded_project), "entretien_karima",
                                      "20", "30", "Immersion"])
        assert r.exit_code == 0, r.output
        importer.stdin.write("go\n")
        importer.stdin.flush()
        out, err = importer.communicate(timeout=300)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert importer.returncode == 0, err
    assert out.split()[:3] == ["done", "1", "imported"]
    with Project.open(coded_project) as p:
        assert sorted(p.documents()["name"]) == ["entretien_karima", "long"]
        assert len(p.segments("long")) == 3000
        assert len(p.search("tour", limit=10_000)) == 3000
        assert coding in set(p.codings("entretien_karima")["id"])
        assert p.check() == []
    assert not list(tmp_path.glob(".*wbtmp"))


def test_killed_import_is_undone_on_next_open(tmp_path, coded_project):
    before = H.project_checksum(coded_project)
    importer = _start_importer(coded_project, _long_transcript(tmp_path / "long.txt"))
    try:
        assert importer.stdout.readline().split()[0] == "paused"
        con = sqlite3.connect(coded_project)
        assert con.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 1
        con.close()
        importer.send_signal(signal.SIGKILL)
        importer.wait(timeout=60)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert list(tmp_path.glob(".*wbtmp"))                  # the killed process's scratch file
    with Project.open(coded_project) as p:                 # opening cleans it all up
        assert p.check() == []
    assert H.project_checksum(coded_project) == before
    assert not list(tmp_path.glob(".*wbtmp"))


def test_failed_import_is_undone(tmp_path, coded_project, monkeypatch):
    """An error while publishing (here: the change log) rolls the whole import back."""
    monkeypatch.setenv("WORKBENCH_BATCH_TEXT_CHARS", "10000")
    from workbench.store import batch as batch_module
    monkeypatch.setattr(batch_module, "BATCH_TEXT_CHARS", 10_000)
    monkeypatch.setattr(batch_module, "FTS_CHUNK_CHARS", 20_000)
    before = H.project_checksum(coded_project)
    with Project.open(coded_project) as p:
        def broken(*args, **kwargs):
            raise sqlite3.IntegrityError("simulated failure while publishing")
        monkeypatch.setattr(p.store, "log_change", broken)
        report = p.import_files([_long_transcript(tmp_path / "long.txt")])
        assert report.failed and "simulated failure" in report.failed[0].message
    assert H.project_checksum(coded_project) == before
    assert not list(tmp_path.glob(".*wbtmp"))


#: A process that holds the write lock until it reads a line (another program's long
#: transaction).
HOLDER = textwrap.dedent(r"""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.readline()
    con.execute("COMMIT")
""")


def _hold_lock(path: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_cli_writer_says_it_waits_then_writes(coded_project):
    holder = _hold_lock(coded_project)
    try:
        writer = subprocess.Popen(
            [sys.executable, "-c", "from workbench.cli import main; main()", "code",
             str(coded_project), "entretien_karima", "0", "10", "Immersion"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        line = writer.stderr.readline()          # blocks until the writer has waited 1 s
        assert "another program is writing to the project; waiting" in line
        holder.stdin.write("release\n")
        holder.stdin.flush()
        out, err = writer.communicate(timeout=120)
    finally:
        for proc in (holder,):
            if proc.poll() is None:
                proc.kill()
    assert writer.returncode == 0, err
    assert "locked" not in err.lower() or "waiting" in err
    with Project.open(coded_project) as p:
        assert len(p.codings("entretien_karima")) == 1


def test_api_writer_waits_and_never_raises_a_lock_error(coded_project, monkeypatch):
    holder = _hold_lock(coded_project)
    said = []
    try:
        with Project.open(coded_project) as p:
            def on_wait(message):
                said.append(message)
                holder.stdin.write("release\n")      # the other program finishes meanwhile
                holder.stdin.flush()
            p.store.on_wait = on_wait
            p.apply_code("entretien_karima", "Immersion", 0, 10)
    finally:
        holder.wait(timeout=60)
    assert len(said) == 1 and "waiting" in said[0]


def test_a_writer_that_waits_too_long_gets_a_clear_error(coded_project, monkeypatch):
    from workbench.store import db
    from workbench.store.errors import ProjectBusyError
    monkeypatch.setattr(db, "MAX_WRITE_WAIT_S", 0.5)
    holder = _hold_lock(coded_project)
    try:
        with Project.open(coded_project) as p:
            with pytest.raises(ProjectBusyError, match="another program has been writing"):
                p.apply_code("entretien_karima", "Immersion", 0, 10)
            assert len(p.codings("entretien_karima")) == 0
    finally:
        holder.stdin.write("release\n")
        holder.stdin.flush()
        holder.wait(timeout=60)


#: A .qdpx import that stops after its first search-index step, until it reads a line.
QDPX_IMPORTER = textwrap.dedent(r"""
    import sys
    from workbench.project import Project
    from workbench.store.batch import ImportBatch

    def pause(batch):
        if batch.chunks == 1:
            print("paused", flush=True)
            sys.stdin.readline()
    ImportBatch.after_chunk = pause
    with Project.open(sys.argv[1], coder="importeur") as p:
        report = p.import_qdpx(sys.argv[2])
        print("done", report["documents"], flush=True)
""")


def test_qdpx_import_indexes_before_the_lock_and_stays_invisible(tmp_path, coded_project):
    text = "".join(f"Karima : tour{i} de la formation en entreprise.\n" for i in range(3000))
    source = H.qdpx(tmp_path / "long.qdpx", text=text, selections=H.selection(9, 14))
    importer = subprocess.Popen([sys.executable, "-c", QDPX_IMPORTER, str(coded_project),
                                 str(source)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert importer.stdout.readline().strip() == "paused"
        with Project.open(coded_project, coder="codeuse") as p:   # the lock is free
            p.apply_code("entretien_karima", "Immersion", 0, 10)
            assert len(p.search("tour17")) == 0                    # nothing shows yet
            assert list(p.documents()["name"]) == ["entretien_karima"]
        importer.stdin.write("go\n")
        importer.stdin.flush()
        out, err = importer.communicate(timeout=300)
    finally:
        if importer.poll() is None:
            importer.kill()
    assert importer.returncode == 0, err
    with Project.open(coded_project) as p:
        assert len(p.search("tour17")) == 1 and len(p.search("tour2999")) == 1
        assert p.store.scalar("SELECT count(*) FROM segments_fts") == \
            p.store.scalar("SELECT count(*) FROM segments")          # no orphan index rows
        assert p.store.scalar("SELECT count(*) FROM import_batches") == 0
        assert p.check() == []
        assert len(p.codings("entretien")) == 1
