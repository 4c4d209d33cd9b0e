"""Never freeze: while a worker holds the project in a write transaction (an import, an
autocode run), the interface reads through a read-only connection (WAL) and goes on:
screens open and fill, the change poll returns at once, a change is refused with a
message instead of waiting.  The writer waits for the test to release it, so a read that
waited would hang the test instead of passing it."""
from __future__ import annotations

import threading

import pytest

from tests.tui_helpers import make_project
from workbench.project import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.dialogs import ProgressDialog
from workbench.tui.screens.documents import DocumentsScreen

SIZE = (120, 36)
pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def path(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    return path


async def until(pilot, condition, tries: int = 600) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"condition never met (screen: {pilot.app.screen!r}, "
                         f"{getattr(pilot.app.screen, 'message', '')})")


@pytest.mark.anyio
async def test_the_interface_reads_while_a_worker_writes(path):
    app = WorkbenchApp(path, coder="testeur", poll=True)
    holding, release = threading.Event(), threading.Event()
    held_during: list[str] = []

    def job(progress, cancelled):
        with app.project.store.transaction() as c:
            c.execute("INSERT INTO meta(key, value) VALUES ('freeze-test', 'x')")
            holding.set()
            for i in range(600):                    # at most a minute
                if release.wait(0.1) or cancelled():
                    break
                progress(i, 600, "")
        return "done"

    async with app.run_test(size=SIZE) as pilot:
        app.run_long("Long write", job)
        await until(pilot, holding.is_set)
        assert isinstance(app.screen, ProgressDialog)
        await pilot.press("b")                      # the job goes on in the background
        await pilot.pause()
        assert "Long write" in app.sub_title

        await pilot.press("d")                      # a screen that reads the project
        await until(pilot, lambda: isinstance(app.screen, DocumentsScreen))
        await until(pilot, lambda: app.screen.query_one("#doc-table").row_count == 2)
        held_during.append("documents")
        assert app.check_for_changes() is False     # the poll does not wait either
        await pilot.press("q")
        app.open_document(1)
        await until(pilot, lambda: isinstance(app.screen, CoderScreen)
                    and bool(app.screen.query("#coder-status")))
        await pilot.pause()
        coder = app.screen
        def status() -> str:
            return str(coder.query_one("#coder-status").render())
        await until(pilot, lambda: "Long write" in status())
        await pilot.press("j", "v", "1")            # a change: refused, not frozen
        await until(pilot, lambda: "still running" in status())
        held_during.append("coder")
        assert not release.is_set() and app.long_job is not None

        release.set()
        await app.workers.wait_for_complete()
        await until(pilot, lambda: app.long_job is None)
        assert "Long write" not in app.sub_title
    assert held_during == ["documents", "coder"]
    with Project.open(path, coder="testeur") as p:
        assert p.store.get_meta("freeze-test") == "x"
        assert len(p.codings(1)) == 1               # the refused change wrote nothing


@pytest.mark.anyio
async def test_a_background_job_reporting_before_the_coding_screen_is_drawn(path):
    """A long job's progress reaches the coding screen between its creation and its
    first drawing (CI, loaded machine): nothing to update yet, no error dialog; the
    message shows once the screen is drawn."""
    app = WorkbenchApp(path, coder="testeur")
    async with app.run_test(size=SIZE) as pilot:
        screen = CoderScreen(1)                     # made, not yet mounted
        screen.show_background("Long write 40 %")
        screen.show_message("Long write goes on in the background")
        await app.push_screen(screen)
        await until(pilot, lambda: screen.is_mounted and bool(screen.query("#coder-status")))
        await pilot.pause()
        assert "goes on in the background" in str(screen.query_one("#coder-status").render())
