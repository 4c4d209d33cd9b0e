"""Queries: saved queries and running an expression (when the query module exists)."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Input, Static

from workbench.tui.i18n import t
from workbench.tui.screens.base import BaseScreen, cell


class QueriesScreen(BaseScreen):
    section = "queries"
    BINDINGS = [Binding("q", "back", t("key.back")),
                Binding("slash", "focus_expr", t("queries.expr"))]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.available = callable(getattr(self.app.project, "run_query", None)) or \
            callable(getattr(self.app.project, "query", None))
        self.rows: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=t("queries.expr"), id="query-expr")
        yield Static(classes="list-status", id="query-status")
        yield DataTable(id="query-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("screen.queries")
        if not self.available:
            self.query_one("#query-status", Static).update(t("queries.none"))
            self.query_one("#query-expr").disabled = True
            return
        self.refresh_data()
        self.query_one("#query-expr").focus()

    def refresh_data(self) -> None:
        if not self.available:
            return
        saved = getattr(self.project, "saved_queries", None)
        table = self.query_one("#query-table", DataTable)
        table.clear(columns=True)
        if callable(saved):
            df = saved()
            table.add_columns(*[str(c) for c in df.columns])
            for r in df.itertuples(index=False):
                table.add_row(*[cell(v, 60) for v in r])
            self.query_one("#query-status", Static).update(Content(t("queries.saved")))

    @on(Input.Submitted, "#query-expr")
    def _run(self, event: Input.Submitted) -> None:
        expr = event.value.strip()
        if not expr:
            return
        run = getattr(self.project, "run_query", None) or getattr(self.project, "query")
        df = self.app.attempt(run, expr)
        if df is None or not hasattr(df, "columns"):
            return
        table = self.query_one("#query-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*[str(c) for c in df.columns])
        self.rows = df.to_dict("records")
        for i, r in enumerate(self.rows):
            table.add_row(*[cell(v, 80) for v in r.values()], key=str(i))
        self.query_one("#query-status", Static).update(Content(f"{len(df)} · {expr}"))

    @on(DataTable.RowSelected, "#query-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if not self.rows or event.row_key.value is None:
            return
        r = self.rows[int(event.row_key.value)]
        if "document_id" in r and "start" in r:
            s = int(r["start"])
            e = int(r.get("end", s + 1))
            self.app.open_document(int(r["document_id"]), offset=s, select=(s, e))

    def action_focus_expr(self) -> None:
        self.query_one("#query-expr").focus()
