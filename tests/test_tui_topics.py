"""Headless tests of the topics, autocoding, review and codebook import/export screens:
real flows on real project files (an LDA model fitted in the worker with a fixed seed),
with the database checked afterwards through a second sqlite3 connection."""
from __future__ import annotations

import random
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.tui_helpers import make_project
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.autocode import AutocodeScreen
from workbench.tui.screens.codebook import CodebookScreen
from workbench.tui.screens.coder import CoderScreen
from workbench.tui.screens.dialogs import (CodePicker, ConfirmDialog, ErrorDialog,
                                           TextInputDialog)
from workbench.tui.screens.review import ReviewScreen
from workbench.tui.screens.topics import NewRunDialog, TopicsScreen

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from topics_corpus import transcript  # noqa: E402

SIZE = (140, 40)
DOCS = [  # name, themes, actor type, programme (as in tests/test_topics.py)
    ("Karima", ["mobilite", "garde"], "beneficiary", "avenir"),
    ("Julien", ["formation", "numerique"], "beneficiary", "avenir"),
    ("Sandrine", ["mobilite", "formation"], "trainer", "pct"),
    ("Moussa", ["garde", "numerique"], "operator", "pct"),
]


pytestmark = pytest.mark.usefixtures("english")


def build_topics_project(folder: Path) -> Path:
    """Four themed interviews (72 speaker turns) and one existing code."""
    from workbench.project import Project
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(3)
    p = Project.create(folder / "t.wbproj", coder="testeur")
    for i, (name, themes, actor_type, programme) in enumerate(DOCS):
        f = folder / f"entretien_{i}.txt"
        f.write_text(transcript(rng, name, themes, 18), encoding="utf-8")
        p.import_files([f], actor_type=actor_type, programme=programme, new_programme=True)
    p.create_code("Freins")
    path = p.path
    p.close()
    return path


@pytest.fixture
def topics_path(tmp_path):
    return build_topics_project(tmp_path / "topics")


@pytest.fixture
def path(tmp_path):
    p = make_project(tmp_path / "proj")
    path = p.path
    p.close()
    return path


def db(path):
    """A second connection, as another process would read the file."""
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    return con


def scalar(path, sql, *args):
    with db(path) as con:
        return con.execute(sql, args).fetchone()[0]


async def new_run(pilot, app, topics="4", seed="7"):
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(app.screen, NewRunDialog)
    app.screen.query_one("#run-topics").value = topics
    app.screen.query_one("#run-seed").value = seed
    await pilot.press("enter")
    await pilot.pause()


async def wait_workers(pilot, app):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def topic_with_word(screen: TopicsScreen, word: str) -> int:
    return next(int(r["topic"]) for r in screen.topics if word in r["words"].split(", "))


async def goto_topic(pilot, screen: TopicsScreen, topic: int) -> None:
    table = screen.query_one("#topic-list")
    table.focus()
    table.move_cursor(table.keys.index(topic))
    await pilot.pause()
    assert screen.topic == topic


# -- topics ------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_lda_run_promote_review_accept(topics_path):
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, TopicsScreen) and screen.run_id is None
        await new_run(pilot, app)
        # (the progress dialog may already be gone when the fit is fast: the cancel test
        # covers it)
        await wait_workers(pilot, app)
        assert app.screen is screen
        assert scalar(topics_path, "select count(*) from topic_runs") == 1
        assert screen.run_id is not None and len(screen.topics) == 4
        garde = topic_with_word(screen, "crèche")
        await goto_topic(pilot, screen, garde)
        detail = str(screen.query_one("#topic-detail-text").render())
        assert "crèche" in detail and "By actor type" in detail
        assert screen.excerpts and "crèche" in " ".join(r["text"] for r in screen.excerpts)

        # label, then promote to a new code
        await pilot.press("l")
        app.screen.query_one("#text").value = "Garde des enfants"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("p")
        assert isinstance(app.screen, TextInputDialog)
        assert app.screen.query_one("#text").value == "Garde des enfants"
        app.screen.query_one("#text").value = "Freins/Garde"
        await pilot.press("enter")
        await pilot.pause()
        with db(topics_path) as con:
            label = con.execute("select label from topics where topic = ?", (garde,)).fetchone()
            code = con.execute("select c.id from codes c join codes p on c.parent_id = p.id "
                               "where c.name = 'Garde' and p.name = 'Freins'").fetchone()
            rows = con.execute("select id, status, origin, rule from codings where code_id = ?",
                               (code["id"],)).fetchall()
        assert label["label"] == "Garde des enfants"
        size = next(r["size"] for r in screen.topics if int(r["topic"]) == garde)
        assert len(rows) == size and {r["status"] for r in rows} == {"candidate"}
        assert {r["origin"] for r in rows} == {"topic"}

        # review: accept one, remove one, accept all the rest
        await pilot.press("v")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen) and len(review.rows) == size
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        assert len(review.rows) == size - 2
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert review.rows == []
        with db(topics_path) as con:
            statuses = [r[0] for r in con.execute(
                "select status from codings where code_id = ?", (code["id"],))]
        assert statuses == ["accepted"] * (size - 1)

        # back on the topics screen: the topic shows its code; enter opens an excerpt
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is screen
        assert next(r["code"] for r in screen.topics if int(r["topic"]) == garde) == "Freins/Garde"
        screen.query_one("#topic-excerpts").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        s, e = app.screen.view.selection
        assert app.screen.view.text[s:e] == screen.excerpts[0]["text"]


@pytest.mark.anyio
async def test_cancelled_run_stores_nothing(topics_path):
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    original = app.run_long
    seen = []

    def run_long(label, fn, on_done=None):
        """As if Cancel were pressed while the model is being fitted."""
        def cancel_midway(progress, cancelled):
            def late_cancel():
                seen.append(1)
                return len(seen) > 3
            return fn(progress, late_cancel)
        original(label, cancel_midway, on_done)
    app.run_long = run_long
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        await new_run(pilot, app)
        await wait_workers(pilot, app)
        assert isinstance(app.screen, TopicsScreen)     # no error dialog
        assert any("nothing was stored" in n.message for n in app._notifications)
    assert scalar(topics_path, "select count(*) from topic_runs") == 0
    assert scalar(topics_path, "select count(*) from codings") == 0


@pytest.mark.anyio
async def test_attach_topic_to_existing_code_and_delete_run(topics_path):
    from workbench.project import Project
    with Project.open(topics_path, coder="testeur") as p:
        run = p.run_topics("lda", n_topics=4, seed=7)
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        assert screen.run_id == run.id
        mob = int(screen.topics[1]["topic"])
        await goto_topic(pilot, screen, mob)
        await pilot.press("c")
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"Freins", "enter")
        await pilot.pause()
        n = scalar(topics_path, "select count(*) from codings where rule = ?",
                   f"topic-run:{run.id}:{mob}")
        assert n == next(r["size"] for r in screen.topics if int(r["topic"]) == mob)
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await pilot.pause()
        assert screen.run_id is None and screen.topics == []
    assert scalar(topics_path, "select count(*) from topic_runs") == 0
    assert scalar(topics_path, "select count(*) from codings") == n      # codings stay


# -- autocoding and review ---------------------------------------------------------------------
@pytest.mark.anyio
async def test_autocode_preview_apply_and_review(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        cb = app.screen
        mob = app.project.code_id("Freins/Mobilité")
        cb.refresh_data(select=mob)
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AutocodeScreen) and screen.code == mob
        await pilot.press(*"permis|voiture", "enter")      # enter = preview
        await wait_workers(pilot, app)
        assert sorted(m["document"] for m in screen.matches) == ["avenir_formateur_marc",
                                                                 "avenir_karima"]
        assert scalar(path, "select count(*) from codings where origin = 'rule'") == 0
        await pilot.press("enter")                          # open the first match in context
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        s, e = app.screen.view.selection
        assert {"permis", "voiture"} & set(app.screen.view.text[s:e].replace(".", " ").split())
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await wait_workers(pilot, app)
        with db(path) as con:
            rows = con.execute("select id, status, rule from codings where origin = 'rule' "
                               "order by id").fetchall()
        assert [r["status"] for r in rows] == ["candidate", "candidate"]
        assert rows[0]["rule"] == "keyword:permis|voiture"
        await pilot.press("v")
        await pilot.pause()
        review = app.screen
        assert isinstance(review, ReviewScreen) and len(review.rows) == 2
        await pilot.press("a")                              # accept the first
        await pilot.pause()
        await pilot.press("x")                              # remove the other
        await pilot.pause()
        assert review.rows == []
    with db(path) as con:
        rows = con.execute("select id, status from codings where origin = 'rule'").fetchall()
    assert [(r["id"], r["status"]) for r in rows] == [(rows[0]["id"], "accepted")]


@pytest.mark.anyio
async def test_autocode_bad_regex_shows_the_caret(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        app.action_goto("autocode")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#auto-kind").value = "regex"
        screen.query_one("#auto-pattern").value = "perm(is"
        screen.query_one("#auto-pattern").focus()
        await pilot.press("enter")
        await wait_workers(pilot, app)
        assert isinstance(app.screen, ErrorDialog)
        assert "^" in app.screen.message and "perm(is" in app.screen.message


@pytest.mark.anyio
async def test_autocode_from_palette_asks_for_the_code_and_lemma_rule(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Autocoding", "Review candidate codings", "Import a codebook",
                "Export the codebook"} <= set(titles)
        app.action_goto("autocode")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#auto-kind").value = "lemma"
        screen.query_one("#auto-span").value = "match"
        screen.query_one("#auto-pattern").value = "former"
        screen.query_one("#auto-table").focus()
        await pilot.press("A")                              # apply, accepted: no code yet
        await pilot.pause()
        assert isinstance(app.screen, CodePicker)
        await pilot.press(*"Confiance", "enter")
        await pilot.pause()
        await pilot.press("y")
        await wait_workers(pilot, app)
    with db(path) as con:
        rows = con.execute("select status, start, end from codings where origin = 'rule'").fetchall()
    assert rows and {r["status"] for r in rows} == {"accepted"}


# -- codebook import / export ---------------------------------------------------------------
@pytest.mark.anyio
async def test_codebook_import_bad_file_imports_nothing_then_good_file(path, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("codebook: x\ntitle: X\nquestions: []\ncodes:\n  - name: A\n"
                   "    colour: pas-une-couleur\n  - nme: B\n", encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text("codebook: x\ntitle: X\nquestions: []\ncodes:\n  - name: Numérique\n"
                    "    children:\n      - name: Équipement\n", encoding="utf-8")
    before = scalar(path, "select count(*) from codes")
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        await pilot.press("I")
        assert isinstance(app.screen, TextInputDialog)
        app.screen.query_one("#text").value = str(bad)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ErrorDialog)
        assert f"{bad}:6" in app.screen.message and f"{bad}:7" in app.screen.message
        assert scalar(path, "select count(*) from codes") == before
        await pilot.press("escape")
        await pilot.press("I")
        app.screen.query_one("#text").value = str(good)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookScreen)
        assert any("2 codes added" in n.message for n in app._notifications)
        assert "Numérique/Équipement" in [r["path"] for r in app.screen._rows.values()]
        out = tmp_path / "export" / "grille.yaml"
        await pilot.press("E")
        app.screen.query_one("#text").value = str(out)
        await pilot.press("enter")
        await pilot.pause()
    assert scalar(path, "select count(*) from codes") == before + 2
    assert "Équipement" in out.read_text(encoding="utf-8")


# -- language -------------------------------------------------------------------------------
@pytest.mark.anyio
async def test_footer_labels_follow_the_language(path):
    app = WorkbenchApp(path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()

        async def labels():
            await pilot.pause()
            return {k.description for k in app.screen.query("FooterKey")}
        assert {"Back", "Merge", "Autocode"} <= await labels()
        await pilot.press("ctrl+l")
        assert {"Retour", "Fusionner", "Codage auto"} <= await labels()
        await pilot.press("q", "f9")                    # a screen opened after the switch
        assert {"Retour", "Nouvelle analyse"} <= await labels()


# -- topics: breakdown, outliers, comparison ---------------------------------------------------
def add_participants(path: Path, folder: Path) -> None:
    """One participant per interview, with a ``genre`` attribute."""
    from workbench.project import Project
    csv = folder / "participants.csv"
    csv.write_text("participant_id,genre\nP0,F\nP1,H\nP2,F\nP3,H\n", encoding="utf-8")
    with Project.open(path, coder="testeur") as p:
        p.import_participants(csv)
        for i, doc in enumerate(p.documents()["name"]):
            p.link_participant(doc, f"P{i}")


@pytest.mark.anyio
async def test_breakdown_cycles_actor_programme_and_attributes(topics_path, tmp_path):
    from workbench.project import Project
    add_participants(topics_path, tmp_path)
    with Project.open(topics_path, coder="testeur") as p:
        run = p.run_topics("lda", n_topics=4, seed=7)
        expected = p.topic_by(run.id, "genre")
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        topic = int(screen.topics[0]["topic"])
        await goto_topic(pilot, screen, topic)

        def detail():
            return str(screen.query_one("#topic-detail-text").render())
        assert "By actor type" in detail() and "(b: next, 1/3)" in detail()
        assert "% of topic" in detail()
        await pilot.press("b")
        await pilot.pause()
        assert "By programme" in detail() and "(b: next, 2/3)" in detail()
        assert "By actor type" not in detail()
        await pilot.press("b")
        await pilot.pause()
        assert "By genre" in detail() and "(b: next, 3/3)" in detail()
        mine = expected[expected["topic"] == topic].iloc[0]
        size = int(mine["F"]) + int(mine["H"])
        for g in ("F", "H"):
            if int(mine[g]):
                share = f"{100 * int(mine[g]) / size:.0f}%"          # English: no space before %
                assert f"{g}: {int(mine[g])} · {share} · " in detail()
        await pilot.press("b")                          # back to the first dimension
        await pilot.pause()
        assert "By actor type" in detail() and "(b: next, 1/3)" in detail()
        assert not isinstance(app.screen, ErrorDialog)


@pytest.mark.anyio
async def test_outliers_view_lda_low_probability_and_open(topics_path):
    from workbench.project import Project
    from workbench.tui.screens.topics import OutliersScreen
    with Project.open(topics_path, coder="testeur") as p:
        run = p.run_topics("lda", n_topics=4, seed=7)
        expected = p.outliers(run.id, below=0.3)
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, OutliersScreen)
        title = str(view.query_one("#outliers-title").render())
        note = str(view.query_one("#outliers-note").render())
        assert f"Outliers of run {run.id} ({len(expected)})" in title
        assert len(view.rows) == len(expected)
        if len(expected):
            assert "below 0.3" in note
            assert [r["text"] for r in view.rows] == list(expected["text"])
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, CoderScreen)
            s, e = app.screen.view.selection
            assert app.screen.view.text[s:e] == view.rows[0]["text"]
            await pilot.press("q")
            await pilot.pause()
            assert app.screen is view
        else:                                   # (the case of this fixture and seed)
            assert "No outliers: every unit has a topic probability of at least 0.3" in note
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TopicsScreen)


@pytest.mark.anyio
async def test_outliers_view_lists_minus_one_units(topics_path):
    """A run with topic -1 units (as BERTopic makes): they are listed, text and all."""
    from workbench.project import Project
    from workbench.tui.screens.topics import OutliersScreen
    with Project.open(topics_path, coder="testeur") as p:
        run = p.run_topics("lda", n_topics=4, seed=7)
        units = p.topic_units(run.id, with_text=False)
        moved = units.iloc[:3]
    with db(topics_path) as con:                # as if BERTopic had left three units out
        con.executemany("update topic_units set topic = -1 where run_id = ? and unit = ?",
                        [(run.id, int(u)) for u in moved["unit"]])
        con.execute("update topic_runs set backend = 'bertopic' where id = ?", (run.id,))
    with Project.open(topics_path, coder="testeur") as p:
        expected = p.outliers(run.id)
    assert len(expected) == 3
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, OutliersScreen)
        assert f"Outliers of run {run.id} (3)" in str(view.query_one("#outliers-title").render())
        assert "placed in no topic" in str(view.query_one("#outliers-note").render())
        assert [r["text"] for r in view.rows] == list(expected["text"])
        assert {int(r["topic"]) for r in view.rows} == {-1}
        assert [row[2] for row in view.query_one("#outliers-list").rows] == ["-1"] * 3
        await pilot.press("down", "enter")             # open the second one in the coder
        await pilot.pause()
        assert isinstance(app.screen, CoderScreen)
        s, e = app.screen.view.selection
        assert app.screen.view.text[s:e] == view.rows[1]["text"]
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is view


@pytest.mark.anyio
async def test_compare_two_lda_runs(topics_path):
    from workbench.project import Project
    from workbench.tui.screens.topics import CompareRunsScreen
    with Project.open(topics_path, coder="testeur") as p:
        a = p.run_topics("lda", n_topics=4, seed=7)
        b = p.run_topics("lda", n_topics=3, seed=11)
        c = p.run_topics("lda", n_topics=5, seed=3)
        aligned = p.align_topics(a.id, c.id)
        aligned_bc = p.align_topics(b.id, c.id)
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        screen = app.screen
        assert screen.run_id == c.id
        # no mark: the selected run (the newest) and the one before it
        await pilot.press("C")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, CompareRunsScreen) and (view.run_a, view.run_b) == (b.id, c.id)
        assert len(view.alignment) == len(aligned_bc)
        await pilot.press("escape")
        await pilot.pause()
        # mark runs a and c (space on the runs list), then compare them
        runs = screen.query_one("#topic-runs")
        runs.focus()
        runs.move_cursor(runs.keys.index(a.id))
        await pilot.pause()
        await pilot.press("space")
        runs.move_cursor(runs.keys.index(c.id))
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert screen.marked == [a.id, c.id]
        await pilot.press("C")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, CompareRunsScreen) and (view.run_a, view.run_b) == (a.id, c.id)
        assert [r["run"] for r in view.summary] == [a.id, c.id]
        assert [r["topics"] for r in view.summary] == [4, 5]
        assert {r["backend"] for r in view.summary} == {"lda"}
        summary = view.query_one("#compare-summary")
        align = view.query_one("#compare-align")
        assert len(summary.rows) == 2 and len(align.rows) == len(aligned) == 4
        first = aligned.iloc[0]
        row = align.rows[0]
        assert row[0].startswith(f"{first['topic_a']} · ")
        assert row[1].startswith(f"{first['topic_b']} · ")
        assert row[3] == f"{float(first['jaccard']):.2f}"
        assert row[4] == (first["shared_words"] or "—")
        title = str(view.query_one("#compare-align-title").render())
        assert f"Topics of {a.id}" in title
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


@pytest.mark.anyio
async def test_compare_needs_two_runs(topics_path):
    from workbench.project import Project
    with Project.open(topics_path, coder="testeur") as p:
        p.run_topics("lda", n_topics=4, seed=7)
    app = WorkbenchApp(topics_path, coder="testeur", poll=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, TopicsScreen)
        assert any("Two runs are needed" in n.message for n in app._notifications)
