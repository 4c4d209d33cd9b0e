"""Topics: topic-model runs, their topics, words, representative excerpts, sizes by
actor type, programme or a participant attribute, and the codes they meet.  A new run
fits in a cancellable worker (a cancelled run stores nothing); a topic can be labelled,
promoted to a new code or attached to an existing one, and its candidate codings
reviewed.  A run's outliers and the comparison of two runs open in their own views."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from workbench.i18n import N_, _, colon, decimal, ngettext, percent, pgettext
from workbench.labels import ACTOR_LABELS, actor_label
from workbench.tui.lang import Localised, TrSelect, TrStatic
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog, FormDialog, TextInputDialog
from workbench.tui.widgets.rowlist import RowList

BACKENDS = ("lda", "bertopic")
UNITS = {"turn": N_("turns"), "paragraph": N_("paragraphs")}
GROUPINGS = ("actor_type", "programme")


def _num(value, digits: int = 2) -> str:
    try:
        if value is None or value != value:
            return ""
        return decimal(float(value), digits)
    except (TypeError, ValueError):
        return cell(value)


def _pct(value) -> str:
    try:
        return percent(float(value))
    except (TypeError, ValueError):
        return ""


def _records(df) -> list[dict]:
    cols = list(df.columns)
    return [dict(zip(cols, values)) for values in df.itertuples(index=False)]


class OutliersScreen(Localised, ModalScreen):
    """The units a run could not place (BERTopic's topic -1), or for LDA those whose
    topic probability is under the run's threshold (``Project.outlier_threshold``); enter
    opens one in the coder."""
    CSS_PATH = "../topics.tcss"
    BINDINGS = [Binding("escape,q", "close", N_("Back"))]

    def __init__(self, run: dict) -> None:
        super().__init__(classes="dialog-screen")
        self.run = run
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog topic-view-dialog", id="outliers-dialog"):
            yield Label("", id="outliers-title", classes="dialog-title")
            yield Static("", id="outliers-note", classes="topic-view-note")
            yield RowList(id="outliers-list")
            yield TrStatic(N_("enter: open in the coder · escape: back"), classes="topic-view-note")

    def on_mount(self) -> None:
        run = self.run
        rid = int(run["id"])
        below = self.app.project.outlier_threshold(rid)
        df = self.app.attempt(self.app.project.outliers, rid, below=below)
        self.rows = [] if df is None else _records(df)
        self.query_one("#outliers-title", Label).update(
            _("Outliers of run {run} ({n})").format(run=rid, n=len(self.rows)))
        if not self.rows:
            note = (_("No outliers: every unit has a topic probability of at least {p}.").format(
                p=_num(below, 1)) if below else _("No outliers in this run."))
        else:
            note = (_("LDA run: units whose topic probability is below {p}.").format(
                p=_num(below, 1)) if below
                else _("Units the model placed in no topic (−1)."))
        self.query_one("#outliers-note", Static).update(note)
        table = self.query_one("#outliers-list", RowList)
        table.set_data([(_("Document"), 22), (_("Speaker"), 12),
                        (_("No."), 4), (_("Prob."), 6),
                        (_("Excerpt"), None)],
                       [(cell(r["document"]), cell(r["speaker"]), str(r["topic"]),
                         _num(r["probability"]), cell(r["text"])) for r in self.rows])
        table.focus()

    @on(RowList.Selected, "#outliers-list")
    def _selected(self, event: RowList.Selected) -> None:
        if 0 <= event.index < len(self.rows):
            r = self.rows[event.index]
            s, e = int(r["start"]), int(r["end"])
            self.app.open_document(int(r["document_id"]), offset=s, select=(s, e))

    def action_close(self) -> None:
        self.dismiss(None)


class CompareRunsScreen(Localised, ModalScreen):
    """Two runs side by side (compare_topic_runs) and, for each topic of run A, the
    topic of run B sharing most units (align_topics)."""
    CSS_PATH = "../topics.tcss"
    BINDINGS = [Binding("escape,q", "close", N_("Back"))]

    def __init__(self, run_a: int, run_b: int) -> None:
        super().__init__(classes="dialog-screen")
        self.run_a, self.run_b = run_a, run_b
        self.summary: list[dict] = []
        self.alignment: list[dict] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog topic-view-dialog", id="compare-dialog"):
            yield Label(_("Runs {a} and {b} compared").format(a=self.run_a, b=self.run_b),
                        classes="dialog-title")
            yield RowList(id="compare-summary")
            yield Static(_("Topics of {a} → the topic of {b} sharing most units").format(
                a=self.run_a, b=self.run_b), id="compare-align-title", classes="section-title")
            yield RowList(id="compare-align")
            yield TrStatic(N_("similarity: Jaccard index of the shared units · escape: back"),
                           classes="topic-view-note")

    def on_mount(self) -> None:
        p = self.app.project
        summary = self.app.attempt(p.compare_topic_runs, [self.run_a, self.run_b])
        alignment = self.app.attempt(p.align_topics, self.run_a, self.run_b) \
            if summary is not None else None
        self.summary = [] if summary is None else _records(summary)
        self.alignment = [] if alignment is None else _records(alignment)
        self.query_one("#compare-summary", RowList).set_data(
            [("#", 4), (_("Name"), 12), (_("Backend"), 9),
             (_("Seed"), 6), (_("Units"), 7), (_("Topics"), 7),
             (_("Outliers"), 9), (_("Coherence"), 9),
             (_("Diversity"), None)],
            [(str(r["run"]), cell(r["name"]), cell(r["backend"]), cell(r["seed"]),
              cell(r["units"]), cell(r["topics"]), cell(r["outliers"]),
              _num(r["coherence_cv"]), _num(r["diversity"])) for r in self.summary])
        self.query_one("#compare-align", RowList).set_data(
            [(_("Topic of {run}").format(run=self.run_a), 18),
             (_("Best of {run}").format(run=self.run_b), 18),
             (_("Units"), 8), (_("Similarity"), 10),
             (_("Shared words"), None)],
            [(f"{r['topic_a']} · {cell(r['label_a'])}",
              "" if cell(r["topic_b"]) == "" else f"{r['topic_b']} · {cell(r['label_b'])}",
              cell(r["shared_units"]), _num(r["jaccard"]), cell(r["shared_words"]) or "—")
             for r in self.alignment])
        self.query_one("#compare-align").focus()

    def action_close(self) -> None:
        self.dismiss(None)


class NewRunDialog(FormDialog):
    """Backend, number of topics (blank = automatic), seed, units, scope."""
    CSS_PATH = "../topics.tcss"


    def __init__(self, programmes: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.programmes = programmes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog new-run-dialog"):
            yield Label(_("New topic-model run"), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label(_("Backend"), classes="form-label")
                yield Select([(b, b) for b in BACKENDS], value="lda", allow_blank=False,
                             id="run-backend")
            with Horizontal(classes="form-row"):
                yield Label(_("Number of topics"), classes="form-label")
                yield Input("8", placeholder=_("empty = automatic"), id="run-topics")
            with Horizontal(classes="form-row"):
                yield Label(_("Seed"), classes="form-label")
                yield Input("42", id="run-seed")
            with Horizontal(classes="form-row"):
                yield Label(_("Units"), classes="form-label")
                yield TrSelect([(m, u) for u, m in UNITS.items()], value="turn",
                               allow_blank=False, id="run-unit")
            with Horizontal(classes="form-row"):
                yield Label(_("Programme"), classes="form-label")
                yield Select([(p, p) for p in self.programmes], prompt=_("(all)"),
                             id="run-programme")
            with Horizontal(classes="form-row"):
                yield Label(_("Actor type"), classes="form-label")
                yield Select([(actor_label(a), a) for a in ACTOR_LABELS], prompt=_("(all)"),
                             id="run-actor")
            with Horizontal(classes="form-row"):
                yield Label(_("Words to ignore"), classes="form-label")
                yield Input("", placeholder=_("e.g. rire, silence (separated by spaces)"),
                            id="run-stop")
            yield Static("", id="run-problem", classes="form-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button(pgettext("topic model", "Run"), variant="primary", id="ok")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#run-topics").focus()

    def _select(self, wid: str):
        value = self.query_one(wid, Select).value
        return None if value is Select.NULL else value

    def submit(self) -> None:
        topics = self.query_one("#run-topics", Input).value.strip()
        seed = self.query_one("#run-seed", Input).value.strip() or "42"
        problem = self.query_one("#run-problem", Static)
        if topics and not (topics.isdigit() and int(topics) >= 2):
            problem.update(_("Number of topics: an integer ≥ 2, or empty."))
            return
        if not seed.lstrip("-").isdigit():
            problem.update(_("The seed must be an integer."))
            return
        self.dismiss({"backend": self._select("#run-backend"),
                      "n_topics": int(topics) if topics else None, "seed": int(seed),
                      "unit": self._select("#run-unit"),
                      "programme": self._select("#run-programme"),
                      "actor_type": self._select("#run-actor"),
                      "stop_words": [w.strip() for w in
                                     self.query_one("#run-stop", Input).value.replace(",", " ").split()
                                     if w.strip()]})


class TopicsScreen(BaseScreen):
    CSS_PATH = "../topics.tcss"
    TITLE = N_("Topics")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("n", "new_run", N_("new run")),
        Binding("l", "label", N_("label")),
        Binding("p", "promote", N_("new code")),
        Binding("c", "attach", N_("to a code")),
        Binding("v", "review", N_("review")),
        Binding("b", "cycle_by", N_("breakdown"), show=False),
        Binding("o", "outliers", N_("outliers"), show=False),
        Binding("C", "compare", N_("compare"), show=False),
        Binding("space", "mark", N_("mark the run for comparison"), show=False),
        Binding("delete", "delete_run", N_("delete run")),
        Binding("escape", "up", N_("back up: excerpts → topics → runs"), show=False),
    ]

    def __init__(self, run: int | None = None, **kwargs) -> None:
        super().__init__()
        self.run_id: int | None = run
        self.topic: int | None = None
        self.runs: list[dict] = []
        self.topics: list[dict] = []
        self.excerpts: list[dict] = []
        self.by_index = 0                       # breakdown: GROUPINGS, then attributes
        self.marked: list[int] = []             # runs marked for comparison (space)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Runs"), id="topic-runs-title", classes="section-title")
        yield RowList(id="topic-runs", min_flex=10)
        with Horizontal(id="topics-main"):
            with Vertical(id="topics-left"):
                yield Static(_("Topics"), id="topic-list-title", classes="section-title")
                yield RowList(id="topic-list")
            with VerticalScroll(id="topic-detail"):
                yield Static(id="topic-detail-text")
        yield Static(_("Representative excerpts"), id="topic-ex-title", classes="section-title")
        yield RowList(id="topic-excerpts")
        yield Static(classes="list-status", id="topic-status")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#topic-runs").focus()

    # -- data ---------------------------------------------------------------------------
    def refresh_data(self) -> None:
        df = self.project.topic_runs()
        cols = list(df.columns)
        self.runs = [dict(zip(cols, values)) for values in df.itertuples(index=False)]
        self.runs.reverse()                             # newest first
        ids = [int(r["id"]) for r in self.runs]
        self.marked = [m for m in self.marked if m in ids]
        rows = [(("● " if int(r["id"]) in self.marked else "") + str(r["id"]),
                 cell(r["name"]) or "", r["backend"], _(UNITS.get(r["unit"], r["unit"])),
                 str(r["n_units"]), str(r["n_topics"]), _num(r["coherence_cv"]),
                 _num(r["diversity"]),
                 _("(all)") if cell(r["scope"]) == "all" else cell(r["scope"]),
                 cell(r["created_at"])[:16].replace("T", " "), str(r["promoted"] or ""))
                for r in self.runs]
        table = self.query_one("#topic-runs", RowList)
        if self.run_id not in ids:
            self.run_id = ids[0] if ids else None
        table.set_data([("#", 5), (_("Name"), 12), (_("Backend"), 9),
                        (_("Unit"), 10), (_("Units"), 7),
                        (_("Topics"), 7), (_("Coherence"), 9),
                        (_("Diversity"), 9), (_("Scope"), None),
                        (_("Date"), 16), (_("Promoted"), 7)], rows, ids)
        if self.run_id is not None:
            table.move_cursor(ids.index(self.run_id))
        self.query_one("#topic-runs-title", Static).update(
            Content(_("Runs ({n}) — n: new run").format(n=len(ids))))
        self._load_run()

    def _load_run(self) -> None:
        table = self.query_one("#topic-list", RowList)
        if self.run_id is None:
            self.topics = []
            table.set_data([(_("No."), 6)], [])
            self.query_one("#topic-status", Static).update(_("No run yet. Press n to start one."))
            self._show_topic()
            return
        df = self.project.topic_info(self.run_id)
        cols = list(df.columns)
        self.topics = [dict(zip(cols, values)) for values in df.itertuples(index=False)]
        rows = [(str(r["topic"]), cell(r["label"]), str(r["size"]), cell(r["code"]),
                 cell(r["words"])) for r in self.topics]
        keys = [int(r["topic"]) for r in self.topics]
        if self.topic not in keys:
            self.topic = keys[0] if keys else None
        table.set_data([(_("No."), 5), (_("Label"), 26),
                        (_("Size"), 6), (_("Code"), 14),
                        (_("Words"), None)], rows, keys)
        if self.topic is not None:
            table.move_cursor(keys.index(self.topic))
        self.query_one("#topic-list-title", Static).update(
            Content(_("Topics of run {run} ({n})").format(run=self.run_id, n=len(keys))))
        self.query_one("#topic-status", Static).update(Content(_(
            "enter: topics → excerpts → open · l label · p new code · c existing code · "
            "v review candidate codings · b breakdown · o outliers · space mark, C compare · "
            "delete: delete the run")))
        self._show_topic()

    def _dimensions(self) -> list[str]:
        """What the breakdown cycles through: actor type, programme, then each
        participant attribute."""
        names = [cell(n) for n in self.project.attributes()["name"]]
        return list(GROUPINGS) + [n for n in names if n and n not in GROUPINGS]

    def _breakdown(self, rid: int, topic: int) -> list[tuple[str, str]]:
        """The topic's units by the current dimension: count, share of the topic and
        share of the group's units that go to this topic."""
        dims = self._dimensions()
        self.by_index %= len(dims)
        by = dims[self.by_index]
        title = {"actor_type": _("By actor type"), "programme": _("By programme")}.get(
            by) or _("By {name}").format(name=by)
        parts = [("\n" + title, "bold $accent"),
                 ("  " + _("(b: next, {i}/{n})").format(i=self.by_index + 1, n=len(dims)) + "\n",
                  "dim")]
        table = self.project.topic_by(rid, by)
        groups = [c for c in table.columns if c not in ("topic", "label")]
        mine = table[table["topic"] == topic]
        total = int(sum(int(mine.iloc[0][g]) for g in groups)) if len(mine) else 0
        if not total:
            return parts + [("  " + _("no unit") + "\n", "dim")]
        parts.append(("  " + _("group: units · % of topic · % of group") + "\n", "dim"))
        values = mine.iloc[0]
        for g in sorted(groups, key=lambda g: (-int(values[g]), str(g))):
            n = int(values[g])
            if not n:
                continue
            group_total = int(table[g].sum())
            name = actor_label(g) if by == "actor_type" else cell(g)
            parts.append((f"  {colon(name)} {n} · {_pct(n / total)} · "
                          f"{_pct(n / group_total) if group_total else ''}\n", ""))
        return parts

    def _topic_row(self) -> dict | None:
        return next((r for r in self.topics if int(r["topic"]) == self.topic), None)

    def _show_topic(self) -> None:
        box = self.query_one("#topic-detail-text", Static)
        ex = self.query_one("#topic-excerpts", RowList)
        row = self._topic_row()
        if row is None or self.run_id is None:
            box.update("")
            self.excerpts = []
            ex.set_data([(_("Document"), 20)], [])
            return
        p, rid, topic = self.project, self.run_id, int(row["topic"])
        parts = [(f"{topic} · {cell(row['label'])}\n", "bold"),
                 (ngettext("{n} unit", "{n} units", int(row["size"])).format(n=row["size"])
                  + f" ({_pct(row['share'])}) · "
                  + ngettext("{n} document", "{n} documents", int(row["documents"])).format(
                      n=row["documents"]) + "\n", "dim")]
        if cell(row["code"]):
            parts.append((_("Promoted to code: {code}").format(code=row["code"]) + "\n", "italic"))
        words = p.topic_words(rid, topic)
        parts.append(("\n" + _("Words") + "\n", "bold $accent"))
        parts.append(("  ".join(f"{w} {decimal(float(x), 3)}" for w, x in
                                zip(words["word"], words["weight"])) + "\n", ""))
        parts.extend(self._breakdown(rid, topic))
        overlap = p.topic_code_overlap(rid)
        mine = overlap[overlap["topic"] == topic]
        parts.append(("\n" + _("Codes it meets (accepted codings)") + "\n", "bold $accent"))
        if len(mine):
            for code, units, share in zip(mine["code"], mine["units"], mine["share_of_topic"]):
                parts.append((f"  {colon(code)} {int(units)} ({_pct(share or 0)})\n", ""))
        else:
            parts.append(("  " + _("no code overlaps this topic") + "\n", "dim"))
        box.update(Content.assemble(*parts))
        df = p.representative_excerpts(rid, topic, 10)
        cols = list(df.columns)
        self.excerpts = [dict(zip(cols, values)) for values in df.itertuples(index=False)]
        ex.set_data([(_("Document"), 22), (_("Speaker"), 12), (_("Actor"), 12),
                     (_("Prob."), 6), (_("Excerpt"), None)],
                    [(cell(r["document"]), cell(r["speaker"]), actor_label(r["actor_type"]),
                      _num(r["probability"]), cell(r["text"])) for r in self.excerpts])
        self.query_one("#topic-ex-title", Static).update(
            Content(_("Representative excerpts of topic {topic} ({n}) — enter: open in context")
                    .format(topic=topic, n=len(self.excerpts))))

    # -- navigation ---------------------------------------------------------------------
    @on(RowList.Highlighted, "#topic-runs")
    def _run_highlighted(self, event: RowList.Highlighted) -> None:
        if isinstance(event, RowList.Selected):
            return
        rid = event.rowlist.keys[event.index] if event.index < len(event.rowlist.keys) else None
        if rid is not None and rid != self.run_id:
            self.run_id, self.topic = rid, None
            self.app.attempt(self._load_run)

    @on(RowList.Selected, "#topic-runs")
    def _run_selected(self) -> None:
        self.query_one("#topic-list").focus()

    @on(RowList.Highlighted, "#topic-list")
    def _topic_highlighted(self, event: RowList.Highlighted) -> None:
        if isinstance(event, RowList.Selected):
            return
        keys = event.rowlist.keys
        topic = keys[event.index] if event.index < len(keys) else None
        if topic is not None and topic != self.topic:
            self.topic = topic
            self.app.attempt(self._show_topic)

    @on(RowList.Selected, "#topic-list")
    def _topic_selected(self) -> None:
        if self.excerpts:
            self.query_one("#topic-excerpts").focus()

    @on(RowList.Selected, "#topic-excerpts")
    def _excerpt_selected(self, event: RowList.Selected) -> None:
        if 0 <= event.index < len(self.excerpts):
            r = self.excerpts[event.index]
            s, e = int(r["start"]), int(r["end"])
            self.app.open_document(int(r["document_id"]), offset=s, select=(s, e))

    def action_up(self) -> None:
        """escape: from the excerpts to the topics to the runs."""
        focused = self.focused
        if focused is not None and focused.id == "topic-excerpts":
            self.query_one("#topic-list").focus()
        elif focused is not None and focused.id == "topic-list":
            self.query_one("#topic-runs").focus()
        else:
            self.action_back()

    # -- actions ------------------------------------------------------------------------
    def _need_topic(self) -> dict | None:
        row = self._topic_row()
        if row is None:
            self.notify(_("No topic selected"), severity="warning")
        elif int(row["topic"]) == -1:
            self.notify(_("Outliers (−1) are not a topic"), severity="warning")
            return None
        return row

    def _run_row(self, rid: int | None) -> dict | None:
        return next((r for r in self.runs if int(r["id"]) == rid), None)

    def action_cycle_by(self) -> None:
        """b: the breakdown of the detail panel by the next dimension."""
        if self.run_id is None:
            return
        self.by_index += 1
        self.app.attempt(self._show_topic)

    def action_outliers(self) -> None:
        run = self._run_row(self.run_id)
        if run is None:
            self.notify(_("No run selected"), severity="warning")
            return
        self.app.push_screen(OutliersScreen(run))

    def action_mark(self) -> None:
        """space: mark (or unmark) the selected run for the comparison."""
        if self.run_id is None:
            return
        if self.run_id in self.marked:
            self.marked.remove(self.run_id)
        else:
            self.marked = (self.marked + [self.run_id])[-2:]
        self.app.attempt(self.refresh_data)
        self.notify(_("Runs marked for comparison: {runs}").format(
            runs=", ".join(str(m) for m in self.marked) or "—"))

    def action_compare(self) -> None:
        """C: the two marked runs, or the selected run and the one before it."""
        if len(self.marked) == 2:
            a, b = self.marked
        else:
            ids = [int(r["id"]) for r in self.runs]          # newest first
            if self.run_id not in ids or len(ids) < 2:
                self.notify(_("Two runs are needed: mark two (space) or start another"),
                            severity="warning")
                return
            i = ids.index(self.run_id)
            previous = ids[i + 1] if i + 1 < len(ids) else ids[i - 1]
            a, b = sorted((self.run_id, previous))
        self.app.push_screen(CompareRunsScreen(a, b))

    def action_new_run(self) -> None:
        programmes = sorted({cell(p) for p in self.project.documents()["programme"] if cell(p)})

        def go(values):
            if not values:
                return
            from workbench.public import TopicRunCancelled

            def job(progress, cancelled):
                try:
                    return self.project.run_topics(
                        values["backend"], n_topics=values["n_topics"], seed=values["seed"],
                        unit=values["unit"], programme=values["programme"],
                        actor_type=values["actor_type"],
                        stop_words=values.get("stop_words", ()),
                        progress=lambda d, n, what="": progress(d, n, what),
                        cancelled=cancelled)
                except TopicRunCancelled:
                    return None

            def done(run):
                if run is None:
                    self.notify(_("Run cancelled: nothing was stored"), severity="warning")
                    return
                self.run_id, self.topic = run.id, None
                self.refresh_data()
                self.notify(_("Run {id} stored: {n} topics over {units} units").format(
                    id=run.id, n=run.n_topics, units=run.n_units))
                self.query_one("#topic-list").focus()

            self.app.run_long(_("Topic model ({backend})…").format(backend=values["backend"]),
                              job, done)

        self.app.push_screen(NewRunDialog(programmes), go)

    def action_label(self) -> None:
        row = self._need_topic()
        if row is None:
            return
        topic = int(row["topic"])

        def done(label):
            if label is None:
                return
            self.app.change(self.project.label_topic, self.run_id, topic, label)
            if self.app.ok:
                self.refresh_data()
                self.notify(_("Topic {topic} labelled").format(topic=topic))
        self.app.push_screen(TextInputDialog(_("Label of topic {topic}").format(topic=topic),
                                             cell(row["label"])), done)

    def _promoted(self, result) -> None:
        if result is None:
            return
        self.refresh_data()
        n = result.candidates
        self.notify(ngettext(
            "Topic promoted to code “{code}”: {n} candidate coding to review (v)",
            "Topic promoted to code “{code}”: {n} candidate codings to review (v)", n).format(
                code=result.code_path, n=n))

    def action_promote(self) -> None:
        row = self._need_topic()
        if row is None:
            return
        topic = int(row["topic"])
        label = cell(row["label"])
        default = "" if label.startswith(f"{topic}_") else label
        words = cell(row["words"]).split(", ")

        def done(name):
            if name is None:
                return
            name = name.strip() or ", ".join(words[:3])
            parent = None
            if "/" in name:                     # "Parent/Child": under an existing parent
                parent_path, name = name.rsplit("/", 1)
                parent = parent_path
            result = self.app.change(self.project.promote_topic, self.run_id, topic,
                                     name=name, parent=parent)
            self._promoted(result)
        self.app.push_screen(TextInputDialog(
            _("Name of the new code for topic {topic} (Parent/Child accepted)").format(topic=topic),
            default, placeholder=", ".join(words[:3])), done)

    def action_attach(self) -> None:
        row = self._need_topic()
        if row is None:
            return
        topic = int(row["topic"])

        def chosen(code_id):
            if code_id is None:
                return
            result = self.app.change(self.project.promote_topic, self.run_id, topic,
                                     code=int(code_id))
            self._promoted(result)
        self.app.pick_code(chosen, title=_("Attach topic {topic} to code…").format(topic=topic),
                           allow_create=False)

    def action_review(self) -> None:
        row = self._need_topic()
        if row is None:
            return
        from workbench.public import topic_rule
        from workbench.tui.screens.review import ReviewScreen
        self.app.push_screen(ReviewScreen(rule=topic_rule(self.run_id, int(row["topic"]))))

    def action_delete_run(self) -> None:
        if self.run_id is None:
            return
        rid = self.run_id

        def confirmed(yes):
            if not yes:
                return
            self.app.change(self.project.delete_topic_run, rid)
            if self.app.ok:
                self.run_id, self.topic = None, None
                self.refresh_data()
                self.notify(_("Run {id} deleted").format(id=rid))
        self.app.push_screen(ConfirmDialog(
            _("Delete run {id}? Codings already made from its topics stay.").format(id=rid)),
            confirmed)

    def palette_commands(self):
        from textual.app import SystemCommand
        yield SystemCommand(_("new run"), _("New topic-model run"), self.action_new_run)
