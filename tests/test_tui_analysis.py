"""Headless flows of the query, analysis, evaluation-question and export screens, on a
real project file (tests/tui_analysis_helpers.py), checked through a second connection."""
from __future__ import annotations

import sqlite3
import zipfile

import pytest

from tests.tui_analysis_helpers import make_analysis_project
from workbench import i18n
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.analysis import AnalysisScreen
from workbench.tui.screens.analysis_common import ExcerptsDialog, middle, number
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.dialogs import ErrorDialog, TextInputDialog
from workbench.tui.screens.export import ExportDialog
from workbench.tui.screens.queries import QueriesScreen
from workbench.tui.screens.questions import DossierScreen, QuestionsScreen
from workbench.tui.widgets.rowlist import RowList

SIZE = (150, 44)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    p = make_analysis_project(tmp_path_factory.mktemp("analysis") / "proj")
    path = p.path
    p.close()
    return path


@pytest.fixture
def path(template, tmp_path):
    """A fresh copy of the module's project for each test."""
    import shutil
    target = tmp_path / "proj"
    shutil.copytree(template.parent, target)
    return target / template.name


async def settle(app, pilot):
    """Wait for the workers and the screens they push."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def table_rows(table) -> list[list[str]]:
    return [[str(v) for v in table.get_row_at(i)] for i in range(table.row_count)]


# -- pure helpers -------------------------------------------------------------------------
def test_cell_helpers():
    assert middle("Analyse des besoins et entrée par les compétences", 20) == "Analyse d…ompétences"
    assert len(middle("x" * 100, 20)) == 20
    assert number(3) == "3" and number(16.66) == "16.7" and number(None) == "" and number(2.0) == "2"
    i18n.set_language("fr")
    assert number(16.66) == "16,7" and number(3) == "3"


# -- queries ------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_query_then_open_result_in_context(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, QueriesScreen)
        screen.query_one("#query-expr").value = 'Freins WHERE actor = beneficiary AND emploi_6m = "non"'
        screen.query_one("#query-expr").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        results = screen.query_one("#query-results", RowList)
        assert results.row_count == 1
        assert results.rows[0][1] == "avenir_sylvie" and results.rows[0][3] == "P002"
        assert results.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        view = app.screen.view
        assert view.text[slice(*view.selection)].startswith("Sans voiture")


@pytest.mark.anyio
async def test_bad_expression_shows_the_caret_in_the_error_dialog(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(app, pilot)
        app.screen.query_one("#query-expr").value = "Freins AND Inconnu"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)
        assert app.screen.title_text == "Query error"
        assert "unknown code 'Inconnu'" in app.screen.message
        assert "\n  Freins AND Inconnu\n" + " " * 13 + "^^^^^^^" in app.screen.message
        await pilot.press("escape")
        assert isinstance(app.screen, QueriesScreen)


@pytest.mark.anyio
async def test_save_rerun_and_delete_a_saved_query(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f8")
        await settle(app, pilot)
        screen = app.screen
        screen.query_one("#query-expr").value = "Freins WHERE actor = trainer"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, TextInputDialog)
        await pilot.press(*"freins-formateurs", "enter")
        await pilot.pause()
        with sqlite3.connect(path) as db:        # another process sees it at once
            rows = db.execute("SELECT name, kind, expression FROM saved_queries").fetchall()
        assert rows == [("freins-formateurs", "query", "Freins WHERE actor = trainer")]
        # a matrix saved elsewhere (the CLI) appears after a refresh; run both
        app.project.save_query("matrice", "matrix", "actor_type", {"count": "documents"})
        screen.refresh_data()
        await pilot.pause()
        saved = screen.query_one("#saved-table")
        saved.focus()
        saved.move_cursor(row=0)
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.query_one("#query-results", RowList).row_count == 2   # Marc's two codings
        assert screen.query_one("#query-expr").value == "Freins WHERE actor = trainer"
        names = [r["name"] for r in screen.saved]
        saved.focus()
        saved.move_cursor(row=names.index("matrice"))
        await pilot.press("enter")
        await settle(app, pilot)
        table = screen.query_one("#query-table")
        assert not table.has_class("hidden") and table.row_count == 7
        assert table_rows(table)[0][:3] == ["Freins", "2", "1"]
        saved.focus()
        saved.move_cursor(row=names.index("matrice"))
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    with sqlite3.connect(path) as db:
        assert [r[0] for r in db.execute("SELECT name FROM saved_queries")] == ["freins-formateurs"]


# -- analysis -------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_code_by_actor_type_matrix_counts(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AnalysisScreen)
        table = screen.query_one("#an-table")
        rows = table_rows(table)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["Code", "beneficiary", "trainer", "total"]
        assert rows == [["Freins", "2", "2", "4"], ["  Mobilité", "2", "1", "3"],
                        ["  Garde d'enfants", "0", "1", "1"], ["Orientation", "1", "0", "1"],
                        ["  Conseiller", "1", "0", "1"], ["(total)", "3", "2", "5"]]
        await pilot.press("c")                  # passages (default) -> codings
        await settle(app, pilot)
        assert table_rows(table)[0] == ["Freins", "2", "2", "4"]
        await pilot.press("c")                  # count documents
        await settle(app, pilot)
        assert table_rows(table)[0] == ["Freins", "2", "1", "3"]
        await pilot.press("z")                  # empty rows shown
        assert any(r[0] == "Confiance en soi" for r in table_rows(table))
        # enter: the excerpts of Freins grouped by actor type, then open one in context
        table.move_cursor(row=0)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ExcerptsDialog)
        actors = [r[0] for r in app.screen.query_one(RowList).rows]
        assert actors == ["beneficiary", "beneficiary", "trainer", "trainer"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)


@pytest.mark.anyio
async def test_analysis_filter_with_the_query_language(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("slash")                              # / focuses the filter
        box = screen.query_one("#an-where")
        assert box.has_focus
        box.value = "actor = trainer"
        await pilot.press("enter")
        await settle(app, pilot)
        rows = {r[0].strip(): r for r in table_rows(screen.query_one("#an-table"))}
        assert rows["Freins"][-1] == "2" and rows["(total)"][-1] == "2"   # trainer codings only
        box.focus()
        box.value = "actor = nobody AND"
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)              # the caret message, no traceback


@pytest.mark.anyio
async def test_triangulation_joint_display_and_outcome(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f10")
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one("#an-table")
        await pilot.press("6")                  # triangulation by evaluation question
        await settle(app, pilot)
        rows = table_rows(table)
        assert rows[0][0] == "AV-T1"
        assert rows[0][1:7] == ["2", "100", "convergent", "2", "100", "convergent"]
        assert rows[0][-1] == "convergence"
        detail = str(screen.query_one("#an-detail").render())
        assert "« Pas de permis" in detail
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ExcerptsDialog)
        assert [r[0] for r in app.screen.query_one(RowList).rows] == \
            ["beneficiary", "beneficiary", "trainer", "trainer"]
        await pilot.press("escape")
        await pilot.press("5")                  # triangulation by code
        await settle(app, pilot)
        assert table_rows(table)[1][:4] == ["  Mobilité", "2", "100", "convergent"]
        await pilot.press("7")                  # joint display by emploi_6m
        await settle(app, pilot)
        assert screen.attribute == "emploi_6m"
        labels = [str(c.label) for c in table.columns.values()]
        assert labels[0] == "Code" and any(lbl.startswith("yes") or lbl.startswith("oui")
                                           or lbl.startswith("True") for lbl in labels[1:])
        assert table_rows(table)[0][1:] == ["1 · 100%", "1 · 100%"]          # English: no space before %
        await pilot.press("8")                  # binary outcome, Fisher
        await settle(app, pilot)
        rows = {r[0]: r for r in table_rows(table)}
        assert rows["Freins"][1:3] == ["2", "50"] and rows["Freins"][-1] == "⚠"
        assert rows["Orientation"][6:] == ["∞", "1", "⚠"]        # odds ratio, p, warning
        assert "small numbers" in str(screen.query_one("#an-detail").render())
        await pilot.press("4")                  # co-occurrence
        await settle(app, pilot)
        assert isinstance(app.screen, AnalysisScreen)


# -- evaluation questions -------------------------------------------------------------------
@pytest.mark.anyio
async def test_question_dossier(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, QuestionsScreen)
        assert table_rows(app.screen.query_one("#eq-table"))[0][0] == "AV-T1"
        assert table_rows(app.screen.query_one("#eq-table"))[0][-1] == "4"
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DossierScreen)
        codes = table_rows(screen.query_one("#dossier-codes"))
        assert codes == [["Freins", "4", "3", "2"]]
        assert "convergence" in str(screen.query_one("#dossier-tri").render())
        excerpts = screen.query_one("#dossier-excerpts", RowList)
        assert [r[0] for r in excerpts.rows] == ["beneficiary", "beneficiary", "trainer", "trainer"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)


# -- export -------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_export_word_report_and_qdpx_through_the_dialog(path, tmp_path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    docx, qdpx = tmp_path / "out" / "rapport.docx", tmp_path / "out" / "projet.qdpx"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        default = dialog.query_one("#export-path").value
        assert default.endswith(".docx") and "/exports/" in default
        dialog.query_one("#export-path").value = str(docx)
        dialog.query_one("#export-path").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert docx.is_file() and docx.stat().st_size > 0
        assert app.last_export == docx
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-what").value = "qdpx"
        await pilot.pause()
        assert dialog.query_one("#export-path").value.endswith(".qdpx")
        dialog.query_one("#export-path").value = str(qdpx)
        dialog.query_one("#export-path").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert qdpx.is_file() and qdpx.stat().st_size > 0
        assert app.last_export["documents"] == 3
    with zipfile.ZipFile(qdpx) as zf:
        assert "project.qde" in zf.namelist()


@pytest.mark.anyio
async def test_export_error_shows_in_the_dialog(path, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(blocker / "r.docx")
        app.screen.query_one("#export-path").focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ErrorDialog)


@pytest.mark.anyio
async def test_columns_keep_their_width_after_switching_views(tmp_path):
    """Codes × actor, triangulation, outcome, then codes × actor again, at 80×24 on the
    demo project: the code column is as wide as its labels every time (it once fell to
    four characters)."""
    from workbench.demo import build_demo
    path = build_demo(tmp_path / "demo.wbproj")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await settle(app, pilot)
        for key in ("5", "8", "1", "2", "1"):
            await pilot.press(key)
            await settle(app, pilot)
            table = app.screen.query_one("#an-table")
            first = str(table.get_row_at(0)[0]).strip()
            assert first in table.render_line(1).text, (key, table.render_line(1).text)
