"""The terminal interface and pseudonymisation: the Privacy screen on the demo project
(detect, review, merge, split, add, categories, write the copy) and the export guard's
notification; then the copy's report and .qdpx, exported through the export dialog,
quote no original name."""
from __future__ import annotations

import re
import sqlite3
import zipfile

import pytest

from tests.tui_helpers import make_project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.dialogs import ChoiceDialog
from workbench.tui.screens.export import ExportDialog
from workbench.tui.screens.privacy import (AddTermDialog, DetectDialog, PoliciesDialog,
                                           PrivacyScreen, WriteDialog)

SIZE = (140, 42)


async def settle(app, pilot, until=None, tries: int = 60):
    """Wait for the workers and the screens they push (and, given ``until``, for it to
    hold: a worker started by a dialog's callback may not exist yet on a loaded machine)."""
    for _ in range(tries if until else 3):
        await app.workers.wait_for_complete()
        await pilot.pause(0.05 if until else None)
        if until is not None and until():
            return


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    from workbench.demo import build_demo
    return build_demo(tmp_path_factory.mktemp("privacy-tui") / "demo.wbproj")


@pytest.fixture
def demo(demo_template, tmp_path):
    import shutil
    path = tmp_path / "demo.wbproj"
    shutil.copy(demo_template, path)
    return path


def _entity(path, variant):
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT e.id, e.status, e.category FROM privacy_variants v JOIN "
                          "privacy_entities e ON e.id = v.entity_id WHERE v.text = ?",
                          [variant]).fetchone()
        return row
    finally:
        con.close()


async def _show(app, pilot, words: str):
    screen = app.screen
    screen.query_one("#privacy-filter").value = words
    await pilot.pause()
    screen.query_one("#privacy-table").focus()
    await pilot.pause()


def _guard_warnings(app) -> list:
    """The export guard's notifications, in either language."""
    return [n for n in app._notifications
            if "not pseudonymised" in n.message or "pas pseudonymisé" in n.message]


@pytest.mark.anyio
async def test_review_and_write_the_copy_from_the_privacy_screen(demo, tmp_path, ui_language):
    app = WorkbenchApp(demo, coder="testeur", poll=False)
    out, key = tmp_path / "demo-pseudo.wbproj", tmp_path / "cles" / "demo.key"
    key.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, PrivacyScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DetectDialog)
        app.screen.query_one("#detect-ner").value = False       # the fast sources only
        app.screen.query_one("#ok").focus()
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: isinstance(app.screen, PrivacyScreen)
                     and len(app.screen.rows) > 0)
        screen = app.screen
        assert isinstance(screen, PrivacyScreen) and len(screen.rows) > 50
        # the screen speaks the interface's language: title, counts, column headers
        title = str(screen.query_one("#privacy-title").render())
        words = {"fr": ("Confidentialité", "candidats", "à examiner", "Graphies"),
                 "en": ("Privacy", "candidates", "to review", "Written forms")}[ui_language]
        assert words[0] in app.title + " " + screen.title and words[1] in title
        assert words[2] in title
        assert words[3] in [c[0] for c in screen.query_one("#privacy-table").columns]
        detected = [n.message for n in app._notifications
                    if n.message.startswith(("Detection:", "Repérage\u00a0:"))]
        assert detected and ("documents lus" if ui_language == "fr" else "documents read") \
            in detected[-1]
        # accept, reject, back to review: on disk when the key is pressed
        await _show(app, pilot, "Karima")
        await pilot.press("a")
        await pilot.pause()
        assert _entity(demo, "Karima")[1] == "accepted"
        await _show(app, pilot, "Kévin")
        await pilot.press("x")
        await pilot.pause()
        assert _entity(demo, "Kévin")[1] == "rejected"
        await pilot.press("u")
        await pilot.pause()
        assert _entity(demo, "Kévin")[1] == "pending"
        # merge two candidates (marked with space), then split them again
        await _show(app, pilot, "Rachid")
        await pilot.press("space")
        await _show(app, pilot, "Mehdi")
        await pilot.press("m")
        await pilot.pause()
        assert _entity(demo, "Rachid")[0] == _entity(demo, "Mehdi")[0]
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ChoiceDialog)
        app.screen.dismiss("Rachid")
        await pilot.pause()
        assert _entity(demo, "Rachid")[0] != _entity(demo, "Mehdi")[0]
        # add what was missed
        await pilot.press("n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, AddTermDialog)
        dialog.query_one("#term-text").value = "Sidobre"
        dialog.query_one("#term-category").value = "small_town"
        dialog.query_one("#term-text").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert _entity(demo, "Sidobre")[1:] == ("accepted", "small_town")
        # categories: keep places' names
        await pilot.press("p")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PoliciesDialog)
        dialog.query_one("#policies").move_cursor(dialog.names.index("place"))
        await pilot.press("space")
        await pilot.pause()
        assert app.project.privacy_categories()["place"].action == "keep"
        await pilot.press("space")                 # and back to replaced
        await pilot.press("escape")
        await pilot.pause()
        assert app.project.privacy_categories()["place"].action == "replace"
        # write the copy and the encrypted key
        await pilot.press("w")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, WriteDialog)
        dialog.query_one("#write-out").value = str(out)
        dialog.query_one("#write-key").value = str(key)
        dialog.query_one("#write-pass").value = "une phrase"
        dialog.query_one("#write-pass2").value = "une autre"
        dialog.query_one("#write-pass2").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WriteDialog) and not out.exists()   # they differ
        dialog.query_one("#write-pass2").value = "une phrase"
        dialog.query_one("#write-pass2").focus()
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: getattr(app, "last_pseudonymised", None))
        assert out.is_file() and key.is_file(), (app.screen, getattr(app.screen, "message", ""))
        assert app.last_pseudonymised["replacements"]["person"] > 300
        # written again over the same files, when asked (after a review, new interviews)
        first = out.stat().st_mtime_ns
        app.last_pseudonymised = None
        await pilot.press("w")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, WriteDialog)
        for wid, value in (("#write-out", str(out)), ("#write-key", str(key)),
                           ("#write-pass", "une phrase"), ("#write-pass2", "une phrase")):
            dialog.query_one(wid).value = value
        dialog.query_one("#write-overwrite").value = True
        dialog.query_one("#write-pass2").focus()
        await pilot.press("enter")
        await settle(app, pilot, until=lambda: getattr(app, "last_pseudonymised", None))
        assert app.last_pseudonymised and out.stat().st_mtime_ns != first
    from workbench.privacy.keyfile import is_encrypted, read_key
    assert is_encrypted(key) and read_key(key, "une phrase")["entities"]
    originals = {v for e in read_key(key, "une phrase")["entities"] for v in e["forms"]}
    assert {"Karima", "Sidobre", "Claire Maréchal"} <= originals and "Kévin" in originals

    # the copy, opened in the interface, exports a report and a .qdpx naming no one
    app = WorkbenchApp(out, coder="testeur", poll=False)
    report, qdpx = tmp_path / "rapport.docx", tmp_path / "projet.qdpx"
    async with app.run_test(size=SIZE) as pilot:
        for what, path in (("report", report), ("qdpx", qdpx)):
            await pilot.press("e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#export-what").value = what
            await pilot.pause()
            dialog.query_one("#export-path").value = str(path)
            dialog.query_one("#export-path").focus()
            await pilot.press("enter")
            await settle(app, pilot, until=lambda: path.is_file())
            assert path.is_file()
        assert not _guard_warnings(app)
    texts = []
    for path in (report, qdpx):
        with zipfile.ZipFile(path) as z:
            texts.append(" ".join(re.sub(r"<[^>]+>", " ", z.read(n).decode("utf-8"))
                                  for n in z.namelist() if n.endswith((".xml", ".qde", ".txt"))))
    for text in texts + [out.read_bytes().decode("utf-8", errors="replace")]:
        leaks = [v for v in originals if len(v) > 2 and
                 re.search(r"(?<![^\W_])" + re.escape(v) + r"(?![^\W_])", text)]
        assert leaks == []
    # every coding is in the copy; one whose words named no one covers the same words
    from workbench.project import Project
    texts, spans = {}, {}
    for name, path in (("orig", demo), ("copy", out)):
        with Project.open(path) as p:
            spans[name] = {r["id"]: (r["document_id"], r["start"], r["end"])
                           for r in p.store.find_codings()}
            texts[name] = p.store.document_texts({d for d, _s, _e in spans[name].values()})
    assert spans["copy"].keys() == spans["orig"].keys() and len(spans["orig"]) > 500
    names = [re.compile(r"(?<![^\W_])" + re.escape(v) + r"(?![^\W_])", re.I)
             for v in originals if len(v) > 2]
    same = 0
    for cid, (doc, s, e) in spans["orig"].items():
        words = texts["orig"][doc][s:e]
        if not any(n.search(words) for n in names):
            _d, ns, ne = spans["copy"][cid]
            assert texts["copy"][doc][ns:ne] == words, cid
            same += 1
    assert same > len(spans["orig"]) / 2
    # the key re-identifies the copy's .qdpx
    from workbench.privacy.reidentify import reidentify
    reidentify(key, qdpx, tmp_path / "projet-id.qdpx", passphrase="une phrase")
    with zipfile.ZipFile(tmp_path / "projet-id.qdpx") as z:
        sources = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                           if n.startswith("Sources/"))
    assert "Karima" in sources and "[Prénom" not in sources


@pytest.mark.anyio
@pytest.mark.usefixtures("english")
async def test_an_export_of_a_project_not_pseudonymised_notifies_once(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        for name in ("a.qdpx", "b.qdpx"):
            await pilot.press("e")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, ExportDialog)
            dialog.query_one("#export-what").value = "qdpx"
            await pilot.pause()
            dialog.query_one("#export-path").value = str(tmp_path / name)
            dialog.query_one("#export-path").focus()
            await pilot.press("enter")
            await settle(app, pilot, until=lambda: (tmp_path / name).is_file())
            assert (tmp_path / name).is_file()
        warnings = _guard_warnings(app)
        assert len(warnings) == 1 and warnings[0].severity == "warning"
