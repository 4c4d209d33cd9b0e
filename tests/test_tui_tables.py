"""The terminal interface's part of typed tables: the programme chosen among the known
ones (a new one only when typed in), and the participants import that offers explicit
type changes when a file disagrees with the project's types."""
from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Select

from tests.tui_helpers import make_project
from workbench.project import Project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import ErrorDialog, TypeOverrideDialog
from workbench.tui.screens.importing import NEW_PROGRAMME, ImportDialog
from workbench.tui.screens.participants import ParticipantsScreen

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


@pytest.mark.anyio
async def test_programme_is_chosen_among_the_known_ones(path, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("ENQ : Bonjour.\nLéa : Bonjour, je suis formatrice.\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("ENQ : Et vous ?\nMarc : Je suis conseiller.\n", encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ImportDialog)
        select = dialog.query_one("#import-programme", Select)
        values = [value for _label, value in select._options if value is not Select.NULL]
        assert values == ["avenir", "becomino", "lab_capital_humain", "occitanie_e_formation",
                          "occitanie_ia_emploi", "pct_illettrisme", "transversal", NEW_PROGRAMME]
        select.value = "pct_illettrisme"
        dialog.chosen.append(a)
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        app.screen.chosen.append(b)
        app.screen.query_one("#import-programme", Select).value = NEW_PROGRAMME
        await pilot.pause()
        app.screen.query_one("#import-new-programme").value = "reprise_confiance"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
    with reopen(path) as p:
        assert p.document("a").programme == "pct_illettrisme"
        assert p.document("b").programme == "reprise_confiance"
        assert "reprise_confiance" in p.known_programmes()


@pytest.mark.anyio
async def test_unknown_programme_in_a_manifest_is_shown_not_created(path, tmp_path):
    (tmp_path / "c.txt").write_text("ENQ : Bonjour.\nLéa : Bonjour.\n", encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,programme\nc.txt,pct\n", encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        app.screen.manifest = manifest
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert "unknown programme 'pct' (did you mean pct_illettrisme?)" in app.screen.message
    with reopen(path) as p:
        assert "c" not in set(p.documents()["name"])


@pytest.mark.anyio
async def test_participants_import_offers_explicit_type_changes(path, tmp_path):
    new = tmp_path / "nouveaux.csv"
    new.write_text("participant_id,age,satisfaction\nP003,27,Très satisfait\n"
                   "P004,NSP,Insatisfait\n", encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, ParticipantsScreen)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#file").value = str(new)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, TypeOverrideDialog)
        assert dialog.conflicts == {"age": ("numeric", "nominal")}
        assert "nouveaux.csv:3: age = 'NSP' is not a number" in dialog.message
        with reopen(path) as p:                    # nothing written yet
            assert p.info()["participants"] == 2
        dialog.query_one("#override-0", Checkbox).value = True
        dialog.query_one("#ok").press()
        await pilot.pause()
        assert isinstance(app.screen, ParticipantsScreen)
        assert app.screen.query_one("#part-table").row_count == 4
    with reopen(path) as p:
        types = {a.name: a.type for a in p.store.attributes()}
        assert types["age"] == "nominal" and types["satisfaction"] == "ordinal"
        assert p.info()["participants"] == 4


@pytest.mark.anyio
async def test_participants_type_refusal_cancelled_changes_nothing(path, tmp_path):
    new = tmp_path / "n.csv"
    new.write_text("participant_id,emploi_6m\nP001,peut-être\n", encoding="utf-8")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#file").value = str(new)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TypeOverrideDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ParticipantsScreen)
    with reopen(path) as p:
        assert {a.name: a.type for a in p.store.attributes()}["emploi_6m"] == "boolean"
        vals = {r["participant_id"]: r["value"] for r in p.store.participant_values()
                if r["attribute"] == "emploi_6m"}
        assert vals == {"P001": "oui", "P002": "non"}
