"""The waves-and-cases screen of the terminal interface (w on the home screen), driven on
the small panel project of tests/test_waves.py, whose answers are worked out by hand
there:

* waves: entrée D1 D4 D6, sortie D2 D5 D8, 6 mois D3; T1 (trainer) in no wave;
* sampling frame by groupe: programme 4 sampled (P1 P2 P4 P6), 3 interviewed (P1 P2 P4);
  comparaison 2 sampled (P3 P5), 1 interviewed (P3);
* trajectories on Freins follow P1 (three waves) and P2 (two); P1's entrée cell is
  "pas de voiture", their 6 mois interview says nothing on Freins;
* change entrée -> sortie on Freins: panel P1, P2; Freins persists for P1 and appears for
  P2; Freins/Mobilité disappears for P1 (Freins itself at sortie) and appears for P2.
"""
import shutil

import pytest

from tests.test_waves import make_panel
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import ChoiceDialog
from workbench.tui.screens.waves import WavesScreen
from workbench.tui.widgets.rowlist import RowList


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    p = make_panel(tmp_path_factory.mktemp("tui-waves"))
    path = p.path
    p.close()
    return path


@pytest.fixture
def project(built, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WORKBENCH_CODER", "me")
    copy = tmp_path / "panel.wbproj"
    shutil.copy(built, copy)
    return copy


async def settle(pilot, app):
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


def rows(app):
    return app.screen.query_one("#waves-table", RowList).rows


def title(app):
    return str(app.screen.query_one("#waves-title").render())


@pytest.mark.anyio
@pytest.mark.parametrize("size", [(80, 24), (140, 42)])
async def test_waves_cases_and_sampling(project, english, size):
    app = WorkbenchApp(project, poll=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        assert isinstance(app.screen, WavesScreen)
        assert [r[:2] for r in rows(app)] == [("entrée", "3"), ("sortie", "3"), ("6 mois", "1"),
                                              ("(no wave)", "1")]
        assert "D1, D4, D6" in str(app.screen.query_one("#waves-detail").render())
        await pilot.press("2")
        await settle(pilot, app)
        assert sorted(r[1] for r in rows(app)) == ["OF-A", "OF-B", "S1", "S2"]
        await pilot.press("s")
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.dismiss("groupe")
        await settle(pilot, app)
        table = {r[0]: r for r in rows(app)}
        assert table["programme"][1] == "4" and table["programme"][3] == "3"
        assert table["comparaison"][1] == "2" and table["comparaison"][3] == "1"
        assert table["Total"][1:4] == ("6", "100", "4")
        await pilot.press("b")                 # by wave: followed and lost
        await settle(pilot, app)
        totals = [r for r in rows(app) if r[0] == "Total"]
        assert [(r[1], r[3]) for r in totals] == [("entrée", "3"), ("sortie", "3"),
                                                  ("6 mois", "1")]
        assert "by groupe and wave" in title(app)


@pytest.mark.anyio
async def test_trajectory_and_change_table_then_export(project, english):
    app = WorkbenchApp(project, poll=False)
    async with app.run_test(size=(140, 42)) as pilot:
        await settle(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        screen = app.screen
        await pilot.press("5")                 # no code yet: the picker opens
        await settle(pilot, app)
        picker = app.screen
        assert picker is not screen
        picker.dismiss(app.project.code_id("Freins"))
        await settle(pilot, app)
        assert app.screen is screen and screen.view == "trajectory"
        assert [r[0] for r in rows(app)] == ["P1", "P2"]
        p1 = rows(app)[0]
        assert p1[1] == "pas de voiture" and p1[3] == "(nothing on this theme)"
        await pilot.press("a")                 # everyone interviewed: P1 P2 P3 P4
        await settle(pilot, app)
        assert [r[0] for r in rows(app)] == ["P1", "P2", "P3", "P4"]
        await pilot.press("6")
        await settle(pilot, app)
        table = {r[0].strip(" └"): r for r in rows(app)}
        # theme, panel, at entrée, at sortie, appears, disappears, persists, absent
        assert table["Freins"][1:] == ("2", "1", "2", "1", "0", "1", "0")
        assert table["Mobilité"][1:] == ("2", "1", "1", "1", "1", "0", "0")
        assert table["Garde"][1:] == ("2", "0", "0", "0", "0", "0", "2")
        detail = str(screen.query_one("#waves-detail").render())
        assert "Appears: P2" in detail and "Persists: P1" in detail
        assert "interviewed at both entrée and sortie" in detail
        await pilot.press("w")                 # sortie -> 6 mois
        await settle(pilot, app)
        app.screen.dismiss("sortie")
        await settle(pilot, app)
        app.screen.dismiss("6 mois")
        await settle(pilot, app)
        assert "From sortie to 6 mois" in title(app)
        assert {r[0].strip(" └"): r[1] for r in rows(app)}["Freins"] == "1"     # P1 only
        await pilot.press("e")
        await settle(pilot, app)
    files = list((project.parent / "exports").glob("*evolution*.xlsx"))
    assert len(files) == 1
    import openpyxl
    book = openpyxl.load_workbook(files[0])
    assert book.sheetnames == ["evolution", "notes"]
    assert "interviewed at both sortie and 6 mois" in book["notes"]["B2"].value


@pytest.mark.anyio
async def test_word_report_asked_from_the_screen(project, english):
    """r writes a Word report with the trajectories on the chosen code, the sampling frame
    by the chosen stratum (groupe: programme 4 sampled, 3 interviewed) and the quotes
    grouped by site."""
    from docx import Document
    app = WorkbenchApp(project, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("w")
        await settle(pilot, app)
        await pilot.press("5")
        await settle(pilot, app)
        app.screen.dismiss(app.project.code_id("Freins"))
        await settle(pilot, app)
        await pilot.press("s")
        await settle(pilot, app)
        app.screen.dismiss("groupe")
        await settle(pilot, app)
        await pilot.press("r")
        await settle(pilot, app)
    files = list((project.parent / "exports").glob("*rapport-vagues*.docx"))
    assert len(files) == 1
    doc = Document(str(files[0]))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Trajectories across waves" in heads and "Freins" in heads
    assert "Sampling frame" in heads
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    frame = next(t for t in tables if t[0][:2] == ["groupe", "Sampled"])
    assert frame[2][:4] == ["programme", "4", "66.7", "3"]
