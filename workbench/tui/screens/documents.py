"""Document browser: filter by programme, actor type, participant attribute and coding
status; full-text search with results in context."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from workbench.domain import programme_label
from workbench.i18n import N_, _, ngettext
from workbench.labels import ACTOR_LABELS, actor_label
from workbench.tui.lang import TrInput, TrSelect
from workbench.tui.screens.base import BaseScreen, cell


class DocumentsScreen(BaseScreen):
    TITLE = N_("Documents")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("slash", "search", N_("Search")),
        Binding("f", "filter", N_("Filter")),
        Binding("escape", "clear_search", N_("clear the search"), show=False),
        Binding("i", "app.import", N_("Import")),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.mode = "list"          # list | search
        self._hits = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="filters"):
            yield TrSelect([], prompt=N_("Programme"), id="f-programme")
            yield TrSelect([(m, a) for a, m in ACTOR_LABELS.items()], prompt=N_("Actor"),
                           id="f-actor")
            yield TrSelect([(N_("coded"), "coded"), (N_("uncoded"), "uncoded")],
                           prompt=N_("Coding"), id="f-status")
            yield TrInput(placeholder=N_("attribute=value (participant)"), id="f-attribute")
        yield TrInput(placeholder=N_("Full-text search…"), id="doc-search")
        yield Static(classes="list-status", id="doc-status")
        yield DataTable(id="doc-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Footer()

    def on_mount(self) -> None:
        programmes = sorted({p for p in self.project.documents()["programme"].dropna() if p})
        self.query_one("#f-programme", Select).set_options([(programme_label(p), p)
                                                            for p in programmes])
        self.refresh_data()
        self.query_one("#doc-table").focus()

    def _filters(self) -> dict:
        def val(sel_id):
            v = self.query_one(sel_id, Select).value
            return None if v is Select.NULL else v
        status = val("#f-status")
        attr = self.query_one("#f-attribute", Input).value.strip()
        attribute = None
        if attr:
            if "=" not in attr:
                raise ValueError(_("Attribute filter must be attribute=value"))
            k, _sep, v = attr.partition("=")
            attribute = (k.strip(), v.strip())
        return dict(programme=val("#f-programme"), actor_type=val("#f-actor"),
                    attribute=attribute,
                    coded=None if status is None else status == "coded")

    def refresh_data(self) -> None:
        query = self.query_one("#doc-search", Input).value.strip()
        try:
            filters = self._filters()
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        table = self.query_one("#doc-table", DataTable)
        table.clear(columns=True)
        if query:
            self.mode = "search"
            f = {k: v for k, v in filters.items() if k != "coded"}
            hits = self.project.search(query, limit=200, **f)
            table.add_columns(_("Document"), _("Speaker"), _("Context"))
            self._hits = {}
            for r in hits.itertuples(index=False):
                key = f"{r.segment_id}"
                self._hits[key] = (int(r.document_id), int(r.start), int(r.end))
                snippet = cell(r.snippet).replace("[", "«").replace("]", "»")
                table.add_row(r.document, cell(r.speaker), snippet, key=key)
            self.query_one("#doc-status", Static).update(Content(ngettext(
                "{n} result for “{q}”", "{n} results for “{q}”", len(hits)).format(n=len(hits), q=query)))
        else:
            self.mode = "list"
            docs = self.project.documents(**filters)
            table.add_columns(_("Document"), _("Programme"), _("Actor type"),
                              _("Date"), _("Words"), _("Turns"), _("Codings"),
                              _("Participants"))
            for r in docs.itertuples(index=False):
                table.add_row(r.name, self.programme(r.programme), actor_label(r.actor_type),
                              cell(r.interview_date),
                              r.word_count, r.segments, r.codings, cell(r.participants, 30),
                              key=str(r.id))
            self.query_one("#doc-status", Static).update(Content(ngettext(
                "{n} document", "{n} documents", len(docs)).format(n=len(docs))))

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self.app.attempt(self.refresh_data)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.app.attempt(self.refresh_data)
        self.query_one("#doc-table").focus()

    @on(DataTable.RowSelected, "#doc-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if self.mode == "search" and key in self._hits:
            doc, start, end = self._hits[key]
            self.app.open_document(doc, offset=start)
        elif key and key.isdigit():
            self.app.open_document(int(key))

    def action_search(self) -> None:
        self.query_one("#doc-search").focus()

    def action_filter(self) -> None:
        self.query_one("#f-programme").focus()

    def action_clear_search(self) -> None:
        box = self.query_one("#doc-search", Input)
        if box.value:
            box.value = ""
            self.app.attempt(self.refresh_data)
        self.query_one("#doc-table").focus()
