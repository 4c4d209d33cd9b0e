"""SVG snapshots of the main screens (pytest-textual-snapshot).

Update after an intended change with:
    .venv/bin/python -m pytest tests/test_tui_snapshots.py --snapshot-update
"""
from __future__ import annotations

import pytest

from tests.tui_helpers import freeze_time, make_project
from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)


@pytest.fixture
def app(tmp_path, monkeypatch, ui_language):
    freeze_time(monkeypatch)
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    application = WorkbenchApp(path, coder="testeur", poll=False)
    yield application


def test_home(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE)


def test_coder_with_selection(snap_compare, app):
    async def run_before(pilot):
        app.open_document(2)
        await pilot.pause()
        await pilot.press("j", "v", "w", "w", "w")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_coder_attributes_panel(snap_compare, app):
    async def run_before(pilot):
        app.open_document(1)
        await pilot.pause()
        await pilot.press("j", "j", "a")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_code_picker(snap_compare, app):
    async def run_before(pilot):
        app.open_document(1)
        await pilot.pause()
        await pilot.press("j", "c", *"frein")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_codebook(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["b"])


def test_retrieval(snap_compare, app):
    async def run_before(pilot):
        app.action_goto("retrieval", code=app.project.code_id("Freins"))
        await pilot.pause()
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_documents_search(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["d", "slash", *"formation", "enter"])


def test_help(snap_compare, app):
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"])
