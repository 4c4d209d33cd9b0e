"""Headless tests of the terminal interface: real flows on a real project file, with
the database checked afterwards (through a second connection, as another process)."""
from __future__ import annotations

import pytest

from tests.tui_helpers import make_project
from workbench.project import Project
from workbench import i18n
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.codebook import CodebookScreen
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.dialogs import (ChoiceDialog, CodePicker, ConfirmDialog, ErrorDialog,
                                           TextInputDialog)
from workbench.tui.screens.documents import DocumentsScreen
from workbench.tui.screens.home import HomeScreen
from workbench.tui.screens.retrieval import RetrievalScreen
from workbench.tui.widgets.transcript import body_span, wrap

SIZE = (140, 40)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def path(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    return path


def reopen(path):
    return Project.open(path, coder="testeur")


def codings(path, doc):
    with reopen(path) as p:
        return p.codings(doc)


async def open_coder(pilot, app, doc=1):
    app.open_document(doc)
    await pilot.pause()
    assert isinstance(app.screen, CoderScreen)
    return app.screen


# -- pure helpers ----------------------------------------------------------------------
def test_language_detection():
    assert i18n.detect_language({"LANG": "fr_FR.UTF-8"}) == "fr"
    assert i18n.detect_language({"LANG": "en_GB.UTF-8"}) == "en"
    assert i18n.detect_language({"LC_ALL": "fr_CA", "LANG": "en_US"}) == "fr"
    assert i18n.detect_language({"LANG": "fr_FR", "WORKBENCH_LANG": "en"}) == "en"
    assert i18n.detect_language({}) == "en"
    i18n.set_language("fr")
    assert i18n._("Coded: {code}").format(code="Freins") == "Codé\u00a0: Freins"


def test_body_span_reads_the_stored_turn_model():
    from workbench.domain import Segment
    from workbench.ingest.speakers import segment_lines

    text, (parsed, _) = segment_lines(["[00:00:12] Karima : Ben euh, c'est ma conseillère.  ",
                                       "Karima : Oui."])
    seg = Segment(1, 1, 0, "turn", "Karima", False, parsed.start, parsed.end,
                  body_start=parsed.body_start)
    s, e = body_span(text, seg)
    assert text[s:e] == "Ben euh, c'est ma conseillère."
    assert body_span("Bonjour.", Segment(2, 1, 0, "paragraph", None, False, 0, 8)) == (0, 8)


def test_wrap_keeps_offsets():
    text = "un deux trois quatre cinq six sept huit neuf dix onze douze"
    lines = wrap(text, 0, len(text), 12)
    assert all(e - s <= 13 for s, e in lines)
    assert "".join(text[s:e] for s, e in lines) == text


# -- flows -----------------------------------------------------------------------------
@pytest.mark.anyio
async def test_home_shows_counts_and_uncoded(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        counts = str(app.screen.query_one("#home-counts").render())
        assert "2 documents" in counts and "6 codes" in counts and "1 memo " in counts


@pytest.mark.anyio
async def test_select_turn_code_undo_redo(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        view = coder.view
        await pilot.press("j", "j", "j", "j")          # the turn about transport
        assert "permis" in view.text[view.turns[view.turn].start:view.turns[view.turn].end]
        await pilot.press("v")
        sel = view.selection
        assert view.text[sel[0]:sel[1]].startswith("Alors ça c'était dur")
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"mobil", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        df = codings(path, 1)
        row = df[df["path"] == "Freins/Mobilité"].iloc[0]
        assert (row["start"], row["end"]) == sel
        assert view.selection == sel                   # kept: a second code is one key away
        assert any(k.path == "Freins/Mobilité" for k in view.codings)
        assert "Freins/Mobilité" in str(coder.query_one("#coder-status").render())
        assert not app._notifications                  # in the status line, not over the text
        await pilot.press("u")
        await pilot.pause()
        assert "Freins/Mobilité" not in set(codings(path, 1)["path"])
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert "Freins/Mobilité" in set(codings(path, 1)["path"])


@pytest.mark.anyio
async def test_word_selection_and_recent_code(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        app.project.put_code_in_slot(1, "Confiance en soi")
        coder._update_slots()
        await pilot.press("G" if False else "end")         # last turn (ENQ : Merci)
        await pilot.press("k")                              # Karima on the immersion
        view = coder.view
        for _ in range(9):
            await pilot.press("w")
        await pilot.press("v", "w", "w", "w")
        s, e = view.selection
        assert len(view.text[s:e].split()) == 3
        await pilot.press("1")
        await pilot.pause()
        df = codings(path, 1)
        row = df[df["path"] == "Confiance en soi"].iloc[0]
        assert (row["start"], row["end"]) == (s, e)


@pytest.mark.anyio
async def test_shift_arrows_extend_and_sentence_moves(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        view = coder.view
        await pilot.press("j", "j", "j", "j")
        start = view.cursor
        await pilot.press("s")
        assert view.text[view.cursor:].startswith("Pas de permis")
        await pilot.press("S")
        assert view.cursor == start
        await pilot.press("shift+right", "shift+right")
        s, e = view.selection
        assert view.text[s:e] == "Alors ça"
        await pilot.press("escape")
        assert view.selection is None


@pytest.mark.anyio
async def test_create_code_from_picker(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_coder(pilot, app, 1)
        await pilot.press("j", "j", "c", *"Freins/Horaires")
        picker = app.screen
        assert isinstance(picker, CodePicker)
        picker.query_one("OptionList").highlighted = len(picker._values) - 1
        await pilot.press("enter")
        await pilot.pause()
        with reopen(path) as p:
            assert "Freins/Horaires" in p.code_paths().values()
            assert "Freins/Horaires" in set(p.codings(1)["path"])


@pytest.mark.anyio
async def test_memo_and_remove_coding(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        await pilot.press("j", "j")                     # Karima's coded turn
        assert [k.path for k in coder.view.codings_at()] == ["Orientation/Conseiller"]
        await pilot.press("m")
        assert isinstance(app.screen, TextInputDialog)
        app.screen.query_one("#text").text = "Orientation par la conseillère"
        await pilot.press("ctrl+s")
        await pilot.pause()
        kid = int(codings(path, 1).iloc[0]["id"])
        with reopen(path) as p:
            memos = p.memos("coding", kid)
            assert list(memos["text"]) == ["Orientation par la conseillère"]
        await pilot.press("x")
        await pilot.pause()
        assert len(codings(path, 1)) == 0
        with reopen(path) as p:
            assert len(p.memos("coding", kid)) == 0
        await pilot.press("u")                          # undo brings coding and memo back
        await pilot.pause()
        with reopen(path) as p:
            assert len(p.codings(1)) == 1 and len(p.memos("coding", kid)) == 1


@pytest.mark.anyio
async def test_choosing_a_coding_quotes_its_words(path):
    """Two codings under the cursor: the choice quotes each one's words, never the
    label or timestamp a coding over the whole segment holds."""
    with reopen(path) as p:
        seg = p.segments(1)[2]                          # [00:00:12] Karima : Ben euh…
        p.apply_code_spans(1, p.create_code("Segment entier"), [(seg.start, seg.end)])
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        await pilot.press("j", "j")
        assert len(coder.view.codings_at()) == 2
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        labels = [label for label, _k in app.screen.choices]
        assert all("«Ben euh, c'est ma conseillère" in label for label in labels), labels
        await pilot.press("escape")


@pytest.mark.anyio
async def test_next_uncoded_turn_skips_interviewer_and_coded(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        await pilot.press("n")
        t = coder.view.turns[coder.view.turn]
        assert t.speaker == "Karima" and "Pas de permis" in coder.view.text[t.start:t.end]


@pytest.mark.anyio
async def test_search_in_transcript_and_attributes(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        await pilot.press("slash", *"crèche", "enter")
        assert coder.view.text[coder.view.cursor:].startswith("crèche")
        await pilot.press("escape")
        await pilot.press("a")
        await pilot.pause()
        text = str(coder.query_one("#attributes-text").render())
        assert "P001" in text and "34" in text


@pytest.mark.anyio
async def test_retrieval_and_open_in_context(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        app.action_goto("retrieval", code=app.project.code_id("Freins"))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RetrievalScreen)
        assert len(screen.rows) == 2                # both sub-codes' excerpts
        table = screen.query_one("#ret-table")
        assert table.row_count == 2
        await pilot.press("slash", *"crèche", "enter")
        assert table.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        s, e = app.screen.view.selection
        assert app.screen.view.text[s:e].startswith("C'est le deuxième frein")


@pytest.mark.anyio
async def test_codebook_create_rename_merge(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodebookScreen)
        await pilot.press("n")
        app.screen.query_one("#text").value = "Transport"
        await pilot.press("enter")
        await pilot.pause()
        assert screen.selected_code() == app.project.code_id("Transport")
        await pilot.press("r")
        app.screen.query_one("#text").value = "Transports"
        await pilot.press("enter")
        await pilot.pause()
        # merge Freins/Mobilité into Transports
        mob = app.project.code_id("Freins/Mobilité")
        screen.refresh_data(select=mob)
        await pilot.pause()
        assert screen.selected_code() == mob
        await pilot.press("f", *"Transports", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
    with reopen(path) as p:
        paths = set(p.code_paths().values())
        assert "Transports" in paths and "Freins/Mobilité" not in paths
        assert len(p.excerpts("Transports")) == 1


@pytest.mark.anyio
async def test_codebook_move_and_delete_with_confirmation(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        screen = app.screen
        screen.refresh_data(select=app.project.code_id("Confiance en soi"))
        await pilot.pause()
        await pilot.press("M", *"Orientation", "enter")
        await pilot.pause()
        assert "Orientation/Confiance en soi" in app.project.code_paths().values()
        screen.refresh_data(select=app.project.code_id("Freins/Garde d'enfants"))
        await pilot.pause()
        await pilot.press("delete")
        await pilot.press("y")                          # "delete?"
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)    # "it carries 1 coding"
        await pilot.press("y")
        await pilot.pause()
    with reopen(path) as p:
        assert "Freins/Garde d'enfants" not in p.code_paths().values()


@pytest.mark.anyio
async def test_documents_filter_and_search(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DocumentsScreen)
        table = screen.query_one("#doc-table")
        assert table.row_count == 2
        screen.query_one("#f-actor").value = "trainer"
        await pilot.pause()
        assert table.row_count == 1
        screen.query_one("#f-actor").clear()
        await pilot.press("slash", *"permis", "enter")
        await pilot.pause()
        assert screen.mode == "search" and table.row_count == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        assert app.screen.view.text[app.screen.view.cursor:].startswith("Alors")


@pytest.mark.anyio
async def test_errors_show_in_a_dialog(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("n")
        app.screen.query_one("#text").value = "Freins"        # already exists
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "already exists" in app.screen.message
        await pilot.press("escape")
        assert isinstance(app.screen, CodebookScreen)


@pytest.mark.anyio
async def test_refreshes_on_changes_by_another_process(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        coder = await open_coder(pilot, app, 1)
        assert len(coder.view.codings) == 1
        other = Project.open(path, coder="bob")            # the CLI, say
        seg = other.segments(1)[4]
        other.apply_code(1, "Freins/Mobilité", seg.start + 20, seg.end)
        other.close()
        assert app.check_for_changes()
        await pilot.pause()
        assert len(coder.view.codings) == 2
        assert not app.check_for_changes()


@pytest.mark.anyio
async def test_memos_and_participants_screens(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.pause()
        assert app.screen.query_one("#memo-table").row_count == 1
        await pilot.press("n")
        app.screen.query_one("#text").text = "Mémo de projet"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen.query_one("#memo-table").row_count == 2
        await pilot.press("q", "p")
        await pilot.pause()
        assert app.screen.query_one("#part-table").row_count == 2
    with reopen(path) as p:
        assert "Mémo de projet" in set(p.memos("project")["text"])


@pytest.mark.anyio
async def test_import_runs_in_a_worker_with_progress(path, tmp_path):
    extra = tmp_path / "extra.txt"
    extra.write_text("ENQ : Bonjour.\nLéa : Bonjour, je suis formatrice.\n", encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#import-path").focus()
        await pilot.press(*str(extra), "enter", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    with reopen(path) as p:
        assert "extra" in set(p.documents()["name"])


@pytest.mark.anyio
async def test_import_with_a_manifest_and_a_failure_dialog(path, tmp_path):
    good = tmp_path / "op.txt"
    good.write_text("ENQ : Et les partenaires ?\nSophie : On travaille avec le PLIE.\n",
                    encoding="utf-8")
    (tmp_path / "vide.txt").write_text("", encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,name,programme,actor_type\n"
                        "op.txt,OPE-01,avenir,operator\nvide.txt,VIDE,avenir,operator\n",
                        encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        app.screen.manifest = manifest
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)          # the empty file is reported
        assert "vide.txt" in app.screen.message and "empty" in app.screen.message
    with reopen(path) as p:
        doc = p.document("OPE-01")
        assert (doc.programme, doc.actor_type) == ("avenir", "operator")
        assert "VIDE" not in set(p.documents()["name"])


@pytest.mark.anyio
async def test_help_palette_and_language_switch(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape", "ctrl+l")
        assert i18n.language() == "fr"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


@pytest.mark.anyio
async def test_opening_at_an_offset_scrolls_the_turn_into_view(tmp_path):
    from tests.tui_helpers import make_project
    p = make_project(tmp_path / "long")
    long_text = "".join(f"ENQ : Question {i} ?\nKarima : Réponse numéro {i}, assez longue pour "
                        f"occuper une ligne ou deux de l'écran du terminal.\n" for i in range(80))
    (tmp_path / "long.txt").write_text(long_text, encoding="utf-8")
    p.import_files([tmp_path / "long.txt"])
    doc = p.document_id("long")
    target = p.text(doc).index("Réponse numéro 70")
    p.close()
    app = WorkbenchApp(tmp_path / "long" / "test.wbproj", coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        app.open_document(doc, offset=target, select=(target, target + 17))
        for _attempt in range(50):         # a loaded machine lays out late: wait for it
            await pilot.pause(0.1)
            view = app.screen.view
            line = view.line_of(view.cursor)
            if view.size.height and view.scroll_offset.y <= line < view.scroll_offset.y + view.size.height:
                break
        assert view.scroll_offset.y <= line < view.scroll_offset.y + view.size.height
        assert view.text[slice(*view.selection)] == "Réponse numéro 70"


@pytest.mark.anyio
async def test_import_dialog_maps_table_columns_and_imports_tags(path, tmp_path):
    from pathlib import Path

    from workbench.tui.screens.importing import ImportDialog

    table = tmp_path / "tableau.csv"
    table.write_text("Qui;Dit;Codes\nENQ;Et le bus ?;\nLéa:;Une fois par heure.;Freins/Mobilité\n",
                     encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportDialog)
        app.screen.chosen.append(Path(table))
        app.screen.query_one("#import-columns").value = "speaker=Qui, text=Dit, tags=Codes"
        app.screen.query_one("#import-tags").value = True
        app.screen.submit()
        for _ in range(50):
            await pilot.pause(0.1)
            if "tableau" in set(app.project.documents()["name"]):
                break
        await app.workers.wait_for_complete()
        await pilot.pause()
    with Project.open(path) as p:
        assert [s.speaker for s in p.segments("tableau")] == ["ENQ", "Léa"]
        k = p.codings("tableau")
        assert list(k["path"]) == ["Freins/Mobilité"]
        assert p.text("tableau")[k["start"][0]:k["end"][0]] == "Une fois par heure."
