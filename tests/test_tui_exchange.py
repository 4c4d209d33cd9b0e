"""The REFI-QDA import in the terminal interface: the user chooses what happens when the
file's values differ from the project's, and sees what is new and every conflict."""
from __future__ import annotations

import zipfile

import pytest

from workbench.project import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import ErrorDialog
from workbench.tui.screens.export import QdpxImportDialog

pytestmark = pytest.mark.usefixtures("english")

G = "{:08x}-0000-4000-8000-{:012x}".format


def _qdpx(path, age):
    qde = ('<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="x"><Variables><Variable guid="{G(1, 1)}" name="age" typeOfVariable="Integer"/>'
           f'</Variables><Cases><Case guid="{G(2, 1)}" name="P0001"><VariableValue>'
           f'<VariableRef targetGUID="{G(1, 1)}"/><IntegerValue>{age}</IntegerValue>'
           '</VariableValue></Case></Cases></Project>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", qde)
    return path


async def _import(app, pilot, path, choice):
    app.action_import_qdpx()
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, QdpxImportDialog)
    dialog.query_one("#qdpx-path").value = str(path)
    dialog.query_one("#qdpx-conflict").value = choice
    await pilot.pause()
    dialog.query_one("#qdpx-path").focus()
    await pilot.press("enter")
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.anyio
async def test_qdpx_import_keeps_or_replaces_as_chosen(tmp_path):
    proj = tmp_path / "p.wbproj"
    with Project.create(proj, coder="testeur") as p:
        p.import_qdpx(_qdpx(tmp_path / "base.qdpx", 34))

    def age():
        with Project.open(proj) as p:
            return p.participants(["P0001"]).iloc[0]["age"]

    other = _qdpx(tmp_path / "other.qdpx", 999)
    app = WorkbenchApp(proj, coder="testeur", poll=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await _import(app, pilot, other, "keep")
        assert app.last_import["conflicts"][0]["kept"] == "project"
        assert isinstance(app.screen, ErrorDialog)            # the conflicts are shown
        assert "999" in app.screen.message and "34" in app.screen.message
        await pilot.press("escape")
        await pilot.pause()
        assert age() == 34
        await _import(app, pilot, other, "replace")
        assert app.last_import["conflicts"][0]["kept"] == "file"
    assert age() == 999
