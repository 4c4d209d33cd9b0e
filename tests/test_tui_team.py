"""The team screens in the terminal interface: the coder's name asked on first use, the
agreement screen, comparison and adjudication (keep A, keep B, both, neither, memo),
and merging a colleague's file with a conflict chosen in a dialog."""
import pytest

from tests.tui_helpers import make_project
from workbench.domain import CONSENSUS_CODER
from workbench.project import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, TextInputDialog
from workbench.tui.screens.team import AgreementScreen, ComparisonScreen, TeamScreen

SIZE = (140, 42)


@pytest.fixture
def two_coders(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    p = make_project(tmp_path / "p")
    for name in ("Camille", "Yanis"):
        p.add_coder(name)
    text = p.text(1)
    turns = [s for s in p.segments(1) if s.speaker == "Karima"]
    t0, t1, t2 = turns[0], turns[1], turns[2]
    p.apply_code(1, "Freins/Mobilité", t1.start, t1.end, coder="Camille")
    p.apply_code(1, "Freins/Mobilité", t1.start, t1.end, coder="Yanis")          # agree
    p.apply_code(1, "Confiance en soi", t2.start, t2.end, coder="Camille")       # A only
    bus = text.index("le bus")
    p.apply_code(1, "Freins/Mobilité", bus, bus + 6, coder="Yanis")             # inside t1: differ
    p.apply_code(1, "Orientation", t0.start, t0.end, coder="Yanis")             # B only
    path = p.path
    p.close()
    return path


async def settle(pilot, app):
    """Wait for the workers (agreement, merge) and the screens they push."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


@pytest.mark.anyio
async def test_name_is_asked_on_first_use_never_the_login(two_coders, monkeypatch, french):
    monkeypatch.delenv("WORKBENCH_CODER", raising=False)
    app = WorkbenchApp(two_coders, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TextInputDialog)
        assert "Qui code" in app.screen.title_text
        app.screen.query_one("#text").value = "Léa Martin"
        await pilot.press("enter")
        await pilot.pause()
        assert app.project.coder == "Léa Martin" and not app.project.needs_coder_name()
    app = WorkbenchApp(two_coders, poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, TextInputDialog)       # remembered
        assert app.project.coder == "Léa Martin"


@pytest.mark.anyio
async def test_compare_and_adjudicate(two_coders, french):
    app = WorkbenchApp(two_coders, coder="Léa", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TeamScreen)
        await pilot.press("c")                     # document choice
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        await pilot.press("enter")                 # the only document with two coders
        await pilot.pause()
        for who in ("Camille", "Yanis"):           # three coders there: choose A, then B
            if isinstance(app.screen, ChoiceDialog):
                assert who in [label for label, _v in app.screen.choices]
                app.screen.dismiss(who)
                await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ComparisonScreen)
        statuses = [p["status"] for p in screen.places]
        assert sorted(statuses) == ["a_only", "b_only", "differ"] or \
            sorted(statuses) == ["a_only", "agree", "b_only", "differ"]
        assert "Camille" in str(screen.query_one("#compare-a-title").render())
        # accept the agreements, then settle each difference, jumping with n
        await pilot.press("g")
        await pilot.pause()
        decisions = {"differ": "a", "a_only": "minus", "b_only": "b"}
        for _ in range(3):
            await pilot.press("n")
            await pilot.pause()
            place = screen.places[screen.query_one("#compare-places").cursor]
            if place["decision"]:
                break
            if place["status"] == "differ":
                await pilot.press("m")
                await pilot.pause()
                app.screen.query_one("#text").text = "Le bus seulement"
                await pilot.press("ctrl+s")
                await pilot.pause()
            await pilot.press(decisions[place["status"]])
            await pilot.pause()
        assert all(p["decision"] for p in screen.places)
    with Project.open(two_coders) as p:
        adj = p.adjudications().set_index("decision")
        assert set(adj.index) >= {"a", "b", "neither"}
        assert set(adj["decided_by"]) == {"Léa"}
        consensus = p.codings(1)
        consensus = consensus[consensus["coder"] == CONSENSUS_CODER]
        assert sorted(consensus["path"]) == ["Freins/Mobilité", "Orientation"]
        memos = p.memos("coding")
        assert "Le bus seulement" in set(memos["text"])


@pytest.mark.anyio
async def test_agreement_screen(two_coders, french):
    app = WorkbenchApp(two_coders, coder="Léa", poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(AgreementScreen())
        await pilot.pause()
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, AgreementScreen) and screen.df is not None
        table = screen.query_one("#agreement-table")
        assert table.rows[0][0] == "Tous les codes"
        assert "indéfini" in " ".join(" ".join(r) for r in table.rows) or len(table.rows) > 1
        await pilot.press("u")                     # sentences
        await settle(pilot, app)
        assert screen.df.attrs["unit"] == "sentence"


@pytest.mark.anyio
async def test_merge_with_a_conflict_from_the_interface(two_coders, tmp_path, french):
    lead = Project.open(two_coders, coder="Léa")
    other = tmp_path / "camille.wbproj"
    lead.share(other, "Camille", blind=True)
    lead.close()
    with Project.open(other, coder="Camille") as c:
        c.rename_code("Confiance en soi", "Estime de soi")
        seg = [s for s in c.segments(2) if s.speaker == "Marc"][0]
        c.apply_code(2, "Estime de soi", seg.start, seg.end)
    app = WorkbenchApp(two_coders, coder="Léa", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one("#text").value = str(other)
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ChoiceDialog)           # the renamed code
        assert "renommé" in app.screen.title_text
        await pilot.press("enter")                            # ours
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)          # the preview
        assert "codages\u00a0: 1 ajouté," in app.screen.message      # French agreement
        await pilot.press("y")
        await settle(pilot, app)
    with Project.open(two_coders) as p:
        assert "Confiance en soi" in p.code_paths().values()
        camille = p.codings(2)
        assert "Camille" in set(camille["coder"])
