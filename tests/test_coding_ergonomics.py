"""Coding ergonomics: stable, pinnable code slots (keys 1–9, AZERTY too), the selection
kept after a code, messages in the status line, the picker's programme codebook first,
attributes as imported, single-letter keys silent in text fields and dropdowns."""
from __future__ import annotations

import pytest

from tests.tui_helpers import make_project
from workbench.coding.slots import choose_slot
from workbench.project import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.coder import CoderScreen, SlotsDialog
from workbench.tui.screens.dialogs import CodePicker

SIZE = (140, 40)
pytestmark = pytest.mark.usefixtures("english")


# -- slot rule, worked by hand --------------------------------------------------------
def slot(code, pinned=False, used="2024-01-01T00:00"):
    return {"code": code, "pinned": pinned, "used_at": used}


def test_a_code_keeps_its_slot_and_a_new_one_takes_the_first_empty():
    slots = {1: slot(10), 3: slot(30)}
    assert choose_slot(slots, 30) == 3          # already there: the key does not move
    assert choose_slot(slots, 99) == 2          # first empty slot, not "most recent first"


def test_full_slots_reuse_the_least_recently_used_unpinned_one():
    slots = {i: slot(i * 10, used=f"2024-01-0{i}T00:00") for i in range(1, 10)}
    assert choose_slot(slots, 99) == 1          # slot 1 was used longest ago
    slots[1]["pinned"] = True
    slots[2]["pinned"] = True
    assert choose_slot(slots, 99) == 3          # pinned slots are never taken
    for s in slots.values():
        s["pinned"] = True
    assert choose_slot(slots, 99) is None       # all pinned: the code gets no key


def test_slots_persist_per_coder_and_pins_hold(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    assert p.use_code_slot("Freins") == 1
    assert p.use_code_slot("Orientation") == 2
    assert p.use_code_slot("Freins") == 1
    p.pin_code_slot(2)
    p.close()
    with Project.open(path, coder="testeur") as again:
        assert again.code_slots() == {1: {"code": again.code_id("Freins"), "pinned": False},
                                      2: {"code": again.code_id("Orientation"), "pinned": True}}
    with Project.open(path, coder="autre") as other:
        assert other.code_slots() == {}        # each coder has their own keys
        other.put_code_in_slot(5, "Confiance en soi")
        assert other.code_slots()[5]["pinned"] is True


# -- the coding screen -----------------------------------------------------------------
@pytest.fixture
def path(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    return path


def codings(path, doc):
    with Project.open(path, coder="testeur") as p:
        return p.codings(doc)


async def open_coder(pilot, app, doc=1) -> CoderScreen:
    app.open_document(doc)
    await pilot.pause()
    assert isinstance(app.screen, CoderScreen)
    return app.screen


@pytest.mark.anyio
async def test_second_code_on_the_same_selection_is_one_key(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        app.project.put_code_in_slot(2, "Confiance en soi")
        coder._update_slots()
        await pilot.press("j", "j", "j", "j", "v")      # the turn about transport
        sel = coder.view.selection
        await pilot.press("c", *"mobil", "enter")
        await pilot.pause()
        assert coder.view.selection == sel
        await pilot.press("é")                          # slot 2 on a French keyboard
        await pilot.pause()
    df = codings(path, 1)
    spans = {r.path: (r.start, r.end) for r in df.itertuples()}
    assert spans["Freins/Mobilité"] == sel and spans["Confiance en soi"] == sel


@pytest.mark.anyio
async def test_slot_keys_stay_where_the_coder_learnt_them(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        before = dict(coder.slots)
        await pilot.press("j", "v", "c", *"confiance", "enter")
        await pilot.pause()
        after = dict(coder.slots)
        # the old keys did not move; the new code took the first free key
        assert all(after[k] == v for k, v in before.items())
        new_slot = next(k for k, v in after.items() if k not in before)
        assert after[new_slot] == app.project.code_id("Confiance en soi")
        assert new_slot == min(set(range(1, 10)) - set(before))


@pytest.mark.anyio
async def test_slots_dialog_pins_and_fills_a_slot(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, SlotsDialog)
        await pilot.press("enter")                      # pin slot 1
        await pilot.press("down", "down", "down", "down", "down", "down", "down", "down")
        await pilot.press("c")                          # slot 9: choose a code
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"confiance", "enter")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is coder
        slots = app.project.code_slots()
        assert slots[1]["pinned"] is True
        assert slots[9] == {"code": app.project.code_id("Confiance en soi"), "pinned": True}
        assert coder.slots[9] == app.project.code_id("Confiance en soi")


@pytest.mark.anyio
async def test_attributes_show_as_imported(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        await pilot.press("a")
        await pilot.pause()
        text = str(coder.query_one("#attributes-text").render())
        assert "age: 34" in text and "34.0" not in text
        assert "emploi_6m: oui" in text and "True" not in text


@pytest.mark.anyio
async def test_letters_typed_in_a_dropdown_do_not_fire_shortcuts(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        docs = app.screen
        docs.query_one("#f-actor").focus()
        await pilot.press("i", "q", "f")                # import, back, filter: none fire
        await pilot.pause()
        assert app.screen is docs
        docs.query_one("#doc-table").focus()
        await pilot.press("q")                          # outside a field they do
        await pilot.pause()
        assert app.screen is not docs


# -- the picker: the document's programme first ----------------------------------------
@pytest.fixture
def two_codebooks(tmp_path):
    from tests.tui_helpers import INTERVIEW_A
    folder = tmp_path / "books"
    folder.mkdir()
    (folder / "avenir_karima.txt").write_text(INTERVIEW_A, encoding="utf-8")
    p = Project.create(folder / "p.wbproj", coder="testeur")
    repo = __import__("pathlib").Path(__file__).resolve().parent.parent / "codebooks"
    p.import_codebook(repo / "avenir.yaml")
    p.import_codebook(repo / "becomino.yaml")
    p.import_files([folder / "avenir_karima.txt"], programme="avenir",
                   actor_type="beneficiary")
    path = p.path
    p.close()
    return path


@pytest.mark.anyio
async def test_picker_offers_the_programme_codebook_then_every_one_on_tab(two_codebooks):
    app = WorkbenchApp(two_codebooks, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        books = {int(r.id): r.codebook for r in app.project.codes().itertuples()}
        await pilot.press("j", "c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, CodePicker)
        offered = {v for kind, v in picker._values if kind == "code"}
        assert offered and {books[c] for c in offered} == {"avenir"}
        scope = str(picker.query_one("#picker-scope").render())
        assert "#Avenir (Normandie)" in scope and "tab" in scope      # the programme by its name
        await pilot.press("tab")
        await pilot.pause()
        offered = {v for kind, v in picker._values if kind == "code"}
        assert {books[c] for c in offered} == {"avenir", "becomino"}
        # a name both codebooks use shows which codebook each code is from
        await pilot.press(*"Découverte des métiers")
        await pilot.pause()
        labels = [str(o.prompt) for o in picker.query_one("#matches")._options]
        twins = [lb for lb in labels if "Découverte des métiers" in lb]
        assert any("⟨avenir⟩" in lb for lb in twins) and any("⟨becomino⟩" in lb for lb in twins)
        await pilot.press("escape")
        assert app.screen is coder


# -- import: a file tree, paths with spaces, a known programme -------------------------
@pytest.mark.anyio
async def test_import_picks_files_in_the_tree_with_spaces_and_a_known_programme(tmp_path):
    from tests.tui_helpers import INTERVIEW_B
    from workbench.tui.screens.importing import ImportDialog
    folder = tmp_path / "mon projet"
    folder.mkdir()
    p = Project.create(folder / "p.wbproj", coder="testeur")
    p.close()
    (folder / "entretien formateur 1.txt").write_text(INTERVIEW_B, encoding="utf-8")
    (folder / "entretien formateur 2.txt").write_text(INTERVIEW_B.replace("Marc", "Luc"),
                                                      encoding="utf-8")
    app = WorkbenchApp(folder / "p.wbproj", coder="testeur", poll=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        tree = dialog.query_one("#import-tree")
        await pilot.pause(0.3)                          # the tree reads the folder
        names = [n.data.path.name for n in tree.root.children]
        tree.move_cursor(tree.root.children[names.index("entretien formateur 1.txt")])
        await pilot.press("a")                          # add the highlighted file
        dialog.query_one("#import-path").focus()
        await pilot.press(*"entretien formateur 2.txt", "enter")   # typed, with spaces
        assert [c.name for c in dialog.chosen] == ["entretien formateur 1.txt",
                                                   "entretien formateur 2.txt"]
        programmes = dict((v, label) for label, v in dialog.query_one("#import-programme")._options
                          if v is not None)
        assert "avenir" in programmes and "#Avenir" in str(programmes["avenir"])
        dialog.query_one("#import-programme").value = "avenir"
        dialog.query_one("#import-actor").value = "trainer"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    with Project.open(folder / "p.wbproj", coder="testeur") as p:
        docs = p.documents()
        assert sorted(docs["name"]) == ["entretien formateur 1", "entretien formateur 2"]
        assert set(docs["programme"]) == {"avenir"} and set(docs["actor_type"]) == {"trainer"}


# -- the code margin --------------------------------------------------------------------
def test_margin_labels_wrap_at_spaces():
    from workbench.tui.widgets.transcript import _wrap_label
    assert _wrap_label("Mobilité et transport", 17, 2) == ["Mobilité et", "transport"]
    assert _wrap_label("Reprise de confiance en soi durable", 17, 2) == [
        "Reprise de", "confiance en soi…"]


@pytest.mark.anyio
async def test_margin_names_every_code_starting_on_a_line_with_its_memo_mark(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(80, 24)) as pilot:
        coder = await open_coder(pilot, app, 2)           # Marc: Garde d'enfants has a memo
        await pilot.press("j", "v", "c", *"confiance", "enter")
        await pilot.pause()
        view = coder.view
        lines = [view.render_line(y).text for y in range(view.size.height)]
        margin = "\n".join(line[-(view.margin_width - 5):] for line in lines)
        assert "Mobilité" in margin and "Confiance en soi" in margin     # same first line
        assert "✎ Garde d'enfants" in margin or "✎ Garde" in margin


@pytest.mark.anyio
async def test_margin_names_a_code_two_coders_applied_alike_once(path):
    with Project.open(path, coder="testeur") as p:
        mine = p.codings(2)
        k = mine[mine["path"] == "Freins/Mobilité"].iloc[0]
    with Project.open(path, coder="seconde") as p:         # a colleague codes the same words
        p.apply_code(2, "Freins/Mobilité", int(k["start"]), int(k["end"]))
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        coder = await open_coder(pilot, app, 2)
        view = coder.view
        assert sum(c.code_id == int(k["code_id"]) for c in view.codings) == 2   # both drawn
        lines = [view.render_line(y).text for y in range(view.size.height)]
        margin = "\n".join(line[-(view.margin_width - 5):] for line in lines)
        assert margin.count("Mobilité") == 1
