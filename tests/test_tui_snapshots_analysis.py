"""SVG snapshots of the query, analysis and dossier screens (pytest-textual-snapshot).

Update after an intended change with:
    .venv/bin/python -m pytest tests/test_tui_snapshots_analysis.py --snapshot-update
"""
from __future__ import annotations

import pytest

from tests.tui_analysis_helpers import make_analysis_project
from tests.tui_helpers import freeze_time
from workbench.tui.app import WorkbenchApp

SIZE = (130, 36)


@pytest.fixture
def app(tmp_path, monkeypatch, ui_language):
    freeze_time(monkeypatch)
    p = make_analysis_project(tmp_path / "proj")
    path = p.path
    p.close()
    application = WorkbenchApp(path, coder="testeur", poll=False)
    yield application


async def settle(app, pilot):
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def test_query_results(snap_compare, app):
    async def run_before(pilot):
        await pilot.press("f8")
        await settle(app, pilot)
        app.screen.query_one("#query-expr").value = "Freins WHERE actor = beneficiary"
        await pilot.press("enter")
        await settle(app, pilot)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_analysis_triangulation(snap_compare, app):
    async def run_before(pilot):
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("5")
        await settle(app, pilot)
        await pilot.press("down")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_question_dossier(snap_compare, app):
    async def run_before(pilot):
        await pilot.press("v")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
