"""The terminal interface under faults (issue #16): a change that finds another program
writing never freezes the screen: it waits in a long job whose dialog says so (no
"database is locked"), can be cancelled, and a wait that lasts too long is a clear
dialog naming the project; nothing is half-applied.  Bad files imported through the
dialog are each named.

No sleeps: the other program is a process holding the write lock until it reads a line,
released from the interface's own "waiting" notification.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.tui_helpers import make_project
from workbench.project import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import ErrorDialog

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("english")]

#: Another program's long transaction: holds the write lock until it reads a line.
HOLDER = textwrap.dedent(r"""
    import sqlite3, sys
    con = sqlite3.connect(sys.argv[1], isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    sys.stdin.readline()
    con.execute("COMMIT")
""")


@pytest.fixture
def path(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    return path


def _hold_lock(path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _release(holder: subprocess.Popen) -> None:
    if holder.poll() is None:
        holder.stdin.write("release\n")
        holder.stdin.flush()
        holder.wait(timeout=60)


def _notifications(app, monkeypatch) -> list[str]:
    said: list[str] = []
    real = app.notify

    def notify(message, *args, **kwargs):
        said.append(str(message))
        return real(message, *args, **kwargs)
    monkeypatch.setattr(app, "notify", notify)
    return said


def _a_turn(path):
    with Project.open(path) as p:
        seg = p.segments(1)[4]
        before = len(p.codings(1))
    return seg, before


async def _settle(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_change_that_would_wait_never_freezes_and_says_so(path, monkeypatch):
    """A coding made while another program holds the write lock: the interface does not
    block (the change returns while the lock is still held), a dialog says that the
    change waits, and once the other program has finished the coding is written and the
    screens show it.  Meanwhile another change is refused with a message."""
    from workbench.store import db
    from workbench.tui.screens.dialogs import ProgressDialog
    monkeypatch.setattr(db, "MAX_WRITE_WAIT_S", 60)    # a regression fails, never hangs
    seg, before = _a_turn(path)
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        said = _notifications(app, monkeypatch)
        holder = _hold_lock(path)
        try:
            result = app.change(app.project.apply_code, 1, "Freins/Mobilité",
                                seg.start, seg.end)
            # back at once, the lock still held by the other program: nothing written
            assert result is None and not app.ok and holder.poll() is None
            await pilot.pause()
            assert isinstance(app.screen, ProgressDialog)
            assert "your change waits for it to finish" in app.screen.label
            app.change(app.project.create_code, "Autre")        # refused, in order
            assert not app.ok and "is still running" in said[-1]
        finally:
            _release(holder)
        await _settle(app, pilot)
        assert not isinstance(app.screen, (ErrorDialog, ProgressDialog))
        assert any("other program has finished writing" in m for m in said)
    with Project.open(path) as p:
        assert len(p.codings(1)) == before + 1
        assert "Autre" not in p.code_paths().values()


async def test_a_waiting_change_can_be_cancelled_and_changes_nothing(path, monkeypatch):
    from workbench.store import db
    monkeypatch.setattr(db, "MAX_WRITE_WAIT_S", 60)
    seg, before = _a_turn(path)
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        holder = _hold_lock(path)
        try:
            app.change(app.project.apply_code, 1, "Freins/Mobilité", seg.start, seg.end)
            await pilot.pause()
            app.cancel_long_job()
            for _i in range(100):          # the wait notices within one busy timeout (1 s)
                await pilot.pause(0.1)
                if isinstance(app.screen, ErrorDialog):
                    break
        finally:
            _release(holder)
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "cancelled while waiting" in app.screen.message
        assert app.screen.message.startswith(str(path))
    with Project.open(path) as p:
        assert len(p.codings(1)) == before


async def test_a_change_that_waits_too_long_is_a_clear_dialog(path, monkeypatch):
    from workbench.store import db
    monkeypatch.setattr(db, "MAX_WRITE_WAIT_S", 0.3)
    seg, before = _a_turn(path)
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        holder = _hold_lock(path)
        try:
            app.change(app.project.apply_code, 1, "Freins/Mobilité", seg.start, seg.end)
            await _settle(app, pilot)
        finally:
            _release(holder)
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        message = app.screen.message
        assert message.startswith(str(path)) and "another program has been writing" in message
        assert "locked" not in message.lower() and "Traceback" not in message
    with Project.open(path) as p:
        assert len(p.codings(1)) == before


async def test_a_long_job_waits_in_its_thread_and_says_so(path, tmp_path, monkeypatch):
    """An import (a long job, in a worker thread) behind another writer: the notice comes
    from the worker, the import completes, no error dialog."""
    from tests.tui_helpers import INTERVIEW_B
    new = tmp_path / "avenir_formatrice_lea.txt"
    new.write_text(INTERVIEW_B.replace("Marc", "Léa"), encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        said = _notifications(app, monkeypatch)
        holder = _hold_lock(path)
        notify_waiting = app.project.store.on_wait

        def on_wait(message):
            notify_waiting(message)
            _release(holder)
        app.project.store.on_wait = on_wait
        results = []
        try:
            app.run_long("import", lambda progress, cancelled: app.project.import_files(
                [new], programme="avenir", progress=progress, cancelled=cancelled),
                results.append)
            await app.workers.wait_for_complete()
            await pilot.pause()
        finally:
            _release(holder)
        assert not isinstance(app.screen, ErrorDialog)
        assert [r.status for r in results[0].results] == ["imported"]
        assert any("waiting for it to finish" in m for m in said)
    with Project.open(path) as p:
        assert "avenir_formatrice_lea" in set(p.documents()["name"])


async def test_bad_files_imported_through_the_dialog_are_named_and_the_rest_imported(path, tmp_path):
    """A folder with a malformed .docx, a UTF-16 DOCTYPE .docx, binary junk and one good
    transcript, imported through the import dialog: the good one is imported, the error
    dialog names every bad file (never "Unexpected error"), nothing else changes."""
    from pathlib import Path

    import hostile_files as H
    from workbench.tui.screens.importing import ImportDialog

    folder = tmp_path / "lot"
    folder.mkdir()
    bad = [H.docx_malformed(folder), H.docx_utf16_doctype(folder),
           H.binary_junk(folder, ".docx"), H.empty_file(folder, ".odt")]
    (folder / "zz_bon.txt").write_text(H.GOOD_TXT, encoding="utf-8")
    with Project.open(path) as p:
        before = set(p.documents()["name"])
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportDialog)
        app.screen.chosen.append(Path(folder))
        app.screen.submit()
        for _ in range(100):
            await pilot.pause(0.1)
            if isinstance(app.screen, ErrorDialog):
                break
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog), app.screen
        assert app.screen.title_text == "Files not imported"
        message = app.screen.message
        assert "Unexpected" not in message and "Traceback" not in message
        lines = message.splitlines()
        assert len(lines) == len(bad)
        for f in bad:
            assert any(line.startswith(str(f)) for line in lines), (f.name, message)
    with Project.open(path) as p:
        assert set(p.documents()["name"]) == before | {"zz_bon"}


async def test_deleting_a_code_behind_another_program_waits_without_freezing(path,
                                                                            monkeypatch):
    """The codebook's delete (with its confirmation that the code carries codings) goes
    through the interface's changes: behind another program's write it waits in a long
    job, and the code is deleted once the other program has finished."""
    from workbench.store import db
    from workbench.tui.screens.dialogs import ConfirmDialog, ProgressDialog
    monkeypatch.setattr(db, "MAX_WRITE_WAIT_S", 60)
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("b")
        await pilot.pause()
        app.screen.refresh_data(select=app.project.code_id("Freins/Garde d'enfants"))
        await pilot.pause()
        holder = _hold_lock(path)
        try:
            await pilot.press("delete")
            await pilot.press("y")                          # "delete?"
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)    # "it carries 1 coding": asked
            await pilot.press("y")                          # while the lock is held
            await pilot.pause()
            assert holder.poll() is None and isinstance(app.screen, ProgressDialog)
        finally:
            _release(holder)
        await _settle(app, pilot)
        assert not isinstance(app.screen, (ErrorDialog, ProgressDialog))
    with Project.open(path) as p:
        assert "Freins/Garde d'enfants" not in p.code_paths().values()
