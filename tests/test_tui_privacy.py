"""The terminal interface and pseudonymisation: the export guard's notification."""
from __future__ import annotations

import pytest

from tests.tui_helpers import make_project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.export import ExportDialog

SIZE = (150, 44)
pytestmark = pytest.mark.usefixtures("english")


async def settle(app, pilot):
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.anyio
async def test_an_export_of_a_project_not_pseudonymised_notifies_once(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        for name in ("a.qdpx", "b.qdpx"):
            await pilot.press("e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#export-what").value = "qdpx"
            await pilot.pause()
            dialog.query_one("#export-path").value = str(tmp_path / name)
            dialog.query_one("#export-path").focus()
            await pilot.press("enter")
            await settle(app, pilot)
            assert (tmp_path / name).is_file()
        warnings = [n for n in app._notifications if "not pseudonymised" in n.message]
        assert len(warnings) == 1 and warnings[0].severity == "warning"
