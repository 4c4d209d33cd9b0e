"""SVG snapshots of the topics, autocoding and review screens (pytest-textual-snapshot).

Update after an intended change with:
    .venv/bin/python -m pytest tests/test_tui_snapshots_topics.py --snapshot-update
"""
from __future__ import annotations

import pytest

from tests.test_tui_topics import build_topics_project
from tests.tui_helpers import freeze_time, make_project
from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def both_languages(ui_language):
    yield


def test_topics_screen(snap_compare, tmp_path, monkeypatch):
    freeze_time(monkeypatch)
    from workbench.project import Project
    path = build_topics_project(tmp_path / "topics")
    with Project.open(path, coder="testeur") as p:
        run = p.run_topics("lda", n_topics=4, seed=7)
        p.label_topic(run.id, 0, "Garde des enfants")
        p.promote_topic(run.id, 0, name="Garde")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    assert snap_compare(app, terminal_size=SIZE, press=["f9"])


def test_autocode_preview(snap_compare, tmp_path, monkeypatch):
    freeze_time(monkeypatch)
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    app = WorkbenchApp(path, coder="testeur", poll=False)

    async def run_before(pilot):
        app.action_goto("autocode", code=app.project.code_id("Freins/Mobilité"))
        await pilot.pause()
        await pilot.press(*"permis|voiture|crèche", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_review_screen(snap_compare, tmp_path, monkeypatch):
    freeze_time(monkeypatch)
    from workbench.coding.autocode import Rule
    p = make_project(tmp_path / "proj")
    p.autocode("Freins/Mobilité", Rule("keyword", "permis|voiture|bus"))
    p.autocode("Freins/Garde d'enfants", Rule("keyword", "crèche", span="sentence"))
    path = p.path
    p.close()
    app = WorkbenchApp(path, coder="testeur", poll=False)

    async def run_before(pilot):
        app.action_goto("review")
        await pilot.pause()
        await pilot.press("down")
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
