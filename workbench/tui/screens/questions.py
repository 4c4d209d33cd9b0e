"""Evaluation questions and their dossiers: the list (id, programme, side, text,
codings); enter shows the dossier — linked codes with counts, the triangulation
summary, and every excerpt grouped by actor type (enter opens it in context)."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Label, Static

from workbench.i18n import N_, _, colon, ngettext
from workbench.labels import actor_label, side_label
from workbench.tui.lang import TrLabel
from workbench.tui.screens.analysis import ACTOR_ORDER, status_label
from workbench.tui.screens.analysis_common import (CodeLabels, excerpt_columns, excerpt_rows,
                                                   number, open_record, run_read, share_text)
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.widgets.rowlist import RowList


class QuestionsScreen(BaseScreen):
    TITLE = N_("Evaluation questions")
    BINDINGS = [Binding("q", "back", N_("Back"))]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.ids: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(classes="list-status", id="eq-status")
        yield DataTable(id="eq-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Static(id="eq-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#eq-table").focus()

    def refresh_data(self) -> None:
        p = self.project
        questions = p.evaluation_questions()
        self.questions = questions.to_dict("records")
        self.ids = [q["id"] for q in self.questions]
        if not self.ids:
            self._fill({})
            return
        run_read(self.app, _("Computing…"), lambda: p.triangulate(questions="all", exemplars=0),
                 self._counted)

    def _counted(self, tri) -> None:
        totals = {}
        for r in tri.to_dict("records"):
            totals[r["question"]] = sum(int(v or 0) for k, v in r.items() if k.endswith("_codings"))
        self._fill(totals)

    def _fill(self, totals: dict) -> None:
        table = self.query_one("#eq-table", DataTable)
        table.clear(columns=True)
        table.add_columns(_("ID"), _("Programme"), _("Side"), _("Question"),
                          _("Codings"))
        for q in self.questions:
            table.add_row(cell(q["id"]), self.programme(q["programme"]), side_label(q["side"]),
                          cell(q["text"], 90), number(totals.get(q["id"], "")), key=q["id"])
        n = len(self.questions)
        status = (ngettext("{n} evaluation question · enter: dossier",
                           "{n} evaluation questions · enter: dossier", n).format(n=n) if n
                  else _("No evaluation question in this project."))
        self.query_one("#eq-status", Static).update(Content(status))
        if self.questions:
            self._preview(self.questions[0]["id"])

    def _preview(self, qid: str) -> None:
        q = next((q for q in self.questions if q["id"] == qid), None)
        if q is None:
            return
        self.query_one("#eq-preview", Static).update(Content.assemble(
            (f"{q['id']} ", "bold"), (cell(q["text"]), ""),
            (f"\n{cell(q.get('source'))}", "dim italic")))

    @on(DataTable.RowHighlighted, "#eq-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self._preview(event.row_key.value)

    @on(DataTable.RowSelected, "#eq-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        qid = event.row_key.value
        if qid:
            self.open_dossier(qid)

    def open_dossier(self, qid: str) -> None:
        run_read(self.app, _("Computing…"), lambda: self.project.question_dossier(qid),
                 lambda d: self.app.push_screen(DossierScreen(qid, dossier=d)))


class DossierScreen(BaseScreen):
    """One evaluation question: codes, triangulation, excerpts by actor type."""
    BINDINGS = [Binding("q", "back", N_("Back"))]

    def __init__(self, question_id: str, dossier=None, **kwargs) -> None:
        super().__init__()
        self.question_id, self.dossier = question_id, dossier
        self.records: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="dossier-question")
        with Horizontal(id="dossier-top"):
            with Vertical(id="dossier-codes-box"):
                yield TrLabel(N_("Linked codes"), classes="section-title", id="lbl-dossier-codes")
                yield DataTable(id="dossier-codes", cursor_type="row", zebra_stripes=True)
            with Vertical(id="dossier-tri-box"):
                yield TrLabel(N_("Triangulation"), classes="section-title", id="lbl-dossier-tri")
                yield Static(id="dossier-tri")
        yield Label("", classes="section-title", id="lbl-dossier-excerpts")
        yield RowList(id="dossier-excerpts", classes="list")
        yield Static(id="dossier-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Question dossier {id}").format(id=self.question_id)
        if self.dossier is None:
            self.refresh_data()
        else:
            self.show(self.dossier)
        self.query_one("#dossier-excerpts").focus()

    def refresh_data(self) -> None:
        run_read(self.app, _("Computing…"),
                 lambda: self.project.question_dossier(self.question_id), self.show)

    def show(self, d) -> None:
        self.dossier = d
        q = d.question
        self.query_one("#dossier-question", Static).update(Content.assemble(
            (f"{q.get('id')} ", "bold"), (f"[{cell(q.get('programme'))} · {side_label(q.get('side'))}] ", "dim"),
            (cell(q.get("text")), "")))
        labels = CodeLabels(self.project)
        codes = self.query_one("#dossier-codes", DataTable)
        codes.clear(columns=True)
        codes.add_columns(_("Code"), _("Codings"), _("Docs"), _("Participants"))
        for r in d.codes.to_dict("records"):
            codes.add_row(labels.label(r["code"], 44), number(r["codings"]),
                          number(r["documents"]), number(r["participants"]))
        parts = []
        for r in d.triangulation.to_dict("records"):
            actors = [k[: -len("_codings")] for k in r if k.endswith("_codings")]
            for a in actors:
                parts.append((f"{actor_label(a):<14}", "bold"))
                share = share_text(r[a + "_share"])
                parts.append((f"{number(r[a + '_codings']):>4} · "
                              f"{share or '—'} · "
                              f"{status_label(r[a + '_status'])}\n", ""))
            parts.append((colon(_("Summary")) + f" {cell(r.get('summary'))}\n", "bold $accent"))
            for a in actors:
                for quote in str(r.get(a + "_exemplars") or "").split("\n"):
                    if quote.strip():
                        parts.append((f"[{actor_label(a)}] {quote}\n", "dim"))
        self.query_one("#dossier-tri", Static).update(Content.assemble(*parts))
        rank = {a: i for i, a in enumerate(ACTOR_ORDER)}
        self.records = sorted(d.excerpts.to_dict("records"),
                              key=lambda r: rank.get(cell(r.get("actor_type")), len(rank)))
        rows, _records = excerpt_rows(self.records)
        self.query_one("#lbl-dossier-excerpts", Label).update(
            _("Excerpts by actor type ({n}) · enter: open in context").format(n=len(rows)))
        self.query_one("#dossier-excerpts", RowList).set_data(excerpt_columns(), rows)

    @on(RowList.Highlighted, "#dossier-excerpts")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if isinstance(event, RowList.Selected) or not (0 <= event.index < len(self.records)):
            return
        r = self.records[event.index]
        self.query_one("#dossier-preview", Static).update(Content.assemble(
            (cell(r.get("document")), "bold"),
            (f" · {cell(r.get('speaker'))} · {actor_label(cell(r.get('actor_type')))} · "
             f"{cell(r.get('codes'))}\n", "dim"), (cell(r.get("text")), "")))

    @on(RowList.Selected, "#dossier-excerpts")
    def _open(self, event: RowList.Selected) -> None:
        if 0 <= event.index < len(self.records):
            open_record(self.app, self.records[event.index])
