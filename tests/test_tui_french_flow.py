"""A French-locale day of coding, driven through the real interface: import → code →
a second code on the same selection → memo → retrieval → query → export, with every
screen checked for English: no word that only the English side of the catalogue uses
may be on screen (the interviews' own words and the user's typing aside)."""
from __future__ import annotations

import html
import re

import pytest

from tests.tui_helpers import INTERVIEW_A, INTERVIEW_B, PARTICIPANTS
from workbench import i18n
from workbench.project import Project
from workbench.tui.app import WorkbenchApp

SIZE = (120, 36)
WORD = re.compile(r"[A-Za-zÀ-ÿ']{3,}")
#: Words that are the same in both languages, names, or query syntax the user types.
NEUTRAL = {"WHERE", "AND", "OR", "NOT", "actor", "REFI", "QDA", "qdpx", "xlsx", "docx", "csv",
           "json", "yaml", "qdc", "Word", "NVivo", "MAXQDA", "ATLAS", "QualCoder", "LDA",
           "BERTopic", "UMAP", "Fisher", "ctrl", "tab", "Jaccard", "Workbench", "CSV", "YAML",
           "XLSX", "TSV", "PIC", "spaCy"}


def english_only_words() -> set[str]:
    """Words of the English msgids that no French translation uses."""
    catalogue = i18n.catalogue("fr")
    english, french = set(), set()
    for key, forms in catalogue.items():
        msgid = key.split("\x04")[-1]
        english |= set(WORD.findall(re.sub(r"\{[^{}]*\}", " ", msgid)))
        plural = i18n.plural_of(key)
        if plural:
            english |= set(WORD.findall(re.sub(r"\{[^{}]*\}", " ", plural)))
        for form in forms:
            french |= set(WORD.findall(form))
    return {w for w in english - french if w not in NEUTRAL}


def screen_words(app) -> set[str]:
    svg = app.export_screenshot()
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    return set(WORD.findall(html.unescape(" ".join(texts)).replace("\u00a0", " ")))


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "mon étude"
    d.mkdir()
    (d / "entretien karima.txt").write_text(INTERVIEW_A, encoding="utf-8")
    (d / "entretien marc.txt").write_text(INTERVIEW_B, encoding="utf-8")
    (d / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    p = Project.create(d / "étude.wbproj", name="Étude", coder="claire")
    p.import_participants(d / "participants.csv")
    p.create_code("Freins")
    p.create_code("Freins/Mobilité")
    p.create_code("Confiance en soi")
    p.close()
    return d


async def settle(app, pilot, times: int = 3):
    for _ in range(times):
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)


@pytest.mark.anyio
async def test_a_day_of_coding_in_french_shows_no_english(folder, french):
    forbidden = english_only_words()
    assert {"Back", "Excerpts", "Save", "Help"} <= forbidden          # the check can bite
    data = set()
    for text in (INTERVIEW_A, INTERVIEW_B, PARTICIPANTS):
        data |= set(WORD.findall(text))
    data |= {"Freins", "Mobilité", "Confiance", "entretien", "karima", "marc", "étude"}
    data |= set(WORD.findall(str(folder)))              # the file tree shows the path
    seen: dict[str, set[str]] = {}

    def check(step: str) -> None:
        english = (screen_words(app) - data) & forbidden
        seen[step] = english
        assert not english, f"{step}: English on screen: {sorted(english)}"

    app = WorkbenchApp(folder / "étude.wbproj", coder="claire", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        check("accueil")
        # -- import: the file tree's typed path (spaces), a known programme, the actor type
        await pilot.press("i")
        await pilot.pause()
        check("dialogue d'import")
        dialog = app.screen
        dialog.query_one("#import-path").focus()
        await pilot.press(*"entretien karima.txt", "enter")
        dialog.query_one("#import-programme").value = "avenir"
        dialog.query_one("#import-actor").value = "beneficiary"
        check("dialogue d'import rempli")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        check("import terminé")
        with Project.open(folder / "étude.wbproj", coder="claire") as p:
            assert list(p.documents()["name"]) == ["entretien karima"]
            doc = int(p.documents()["id"][0])
            p.link_participant(doc, "P001", "Karima")
        # -- code, then a second code on the same selection, then a memo
        app.open_document(doc)
        await pilot.pause()
        await pilot.press("j", "j", "v")
        selection = app.screen.view.selection
        await pilot.press("c")
        await pilot.pause()
        check("choix du code")
        await pilot.press(*"mobil", "enter")
        await pilot.pause()
        check("codé")
        assert app.screen.view.selection == selection
        await pilot.press("c", *"confiance", "enter")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        check("choix du codage pour le mémo")
        await pilot.press("enter")                          # the first of the two codings
        await pilot.pause()
        await pilot.press(*"Le conseiller a tout déclenché.", "ctrl+s")
        await pilot.pause()
        check("mémo enregistré")
        await pilot.press("a")
        await pilot.pause()
        check("attributs")
        # -- retrieval of the first code's excerpts
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"mobil", "enter")
        await pilot.pause()
        check("extraits")
        # -- a query in the query language, with a French actor type
        await pilot.press("q", "f8")
        await pilot.pause()
        app.screen.query_one("#query-expr").focus()
        await pilot.press(*"Mobilité WHERE actor = bénéficiaire", "enter")
        await settle(app, pilot)
        check("requête")
        # -- an export of the coded excerpts
        await pilot.press("q", "e")
        await pilot.pause()
        check("dialogue d'export")
        export = app.screen
        export.query_one("#export-what").value = "excerpts_xlsx"
        await pilot.pause()
        export.query_one("#export-path").value = str(folder / "extraits.xlsx")
        export.query_one("#ok").press()
        await settle(app, pilot, 6)
        check("export terminé")
        await pilot.press("question_mark")
        await pilot.pause()
        check("aide")
    assert (folder / "extraits.xlsx").exists()
    with Project.open(folder / "étude.wbproj", coder="claire") as p:
        k = p.codings(doc)
        assert sorted(k["path"]) == ["Confiance en soi", "Freins/Mobilité"]
        assert len({(s, e) for s, e in zip(k["start"], k["end"])}) == 1
        memos = p.memos("coding")
        assert list(memos["text"]) == ["Le conseiller a tout déclenché."]
    assert len(seen) == 14
