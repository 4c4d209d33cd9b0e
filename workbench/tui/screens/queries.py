"""Queries: an expression in the query language (docs/query-language.md, WHERE filters
included), its coded excerpts (enter opens one in context), and the saved queries
(enter runs one — a table for matrices, triangulations… —, s saves, delete deletes)."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Input, Static

from workbench.i18n import N_, _, ngettext
from workbench.labels import actor_label, query_kind_label
from workbench.tui.lang import TrInput, TrLabel, TrStatic
from workbench.tui.screens.analysis_common import (excerpt_columns, excerpt_rows, number,
                                                   open_record, run_read)
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog, TextInputDialog
from workbench.tui.widgets.rowlist import RowList


class QueriesScreen(BaseScreen):
    TITLE = N_("Queries")
    BINDINGS = [Binding("q", "back", N_("Back")),
                Binding("slash", "focus_expr", N_("Query expression…")),
                Binding("s,ctrl+s", "save", N_("Save")),
                Binding("delete", "delete", N_("Delete")),
                Binding("escape", "focus_results", N_("back to the results"), show=False)]

    def __init__(self, expression: str = "", **kwargs) -> None:
        super().__init__()
        self.expression = expression      # the expression whose results are shown
        self.records: list[dict] = []
        self.saved: list[dict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield TrInput(self.expression, placeholder=N_("Query expression…"), id="query-expr")
        yield TrStatic(N_("Type an expression, then enter (e.g. Freins WHERE actor = beneficiary)"
                          " · s save · tab saved queries"), classes="list-status", id="query-help")
        yield Static(classes="list-status", id="query-status")
        yield RowList(id="query-results", classes="list")
        yield DataTable(id="query-table", cursor_type="row", zebra_stripes=True,
                        classes="list hidden")
        yield Static(id="query-preview")
        yield TrLabel(N_("Saved queries"), classes="section-title", id="lbl-saved")
        yield DataTable(id="saved-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        if self.expression:
            self.run_expression(self.expression)
        self.query_one("#query-expr").focus()

    # -- saved queries -----------------------------------------------------------------
    def refresh_data(self) -> None:
        df = self.project.saved_queries()
        self.saved = df.to_dict("records")
        table = self.query_one("#saved-table", DataTable)
        table.clear(columns=True)
        table.add_columns(_("Name"), _("Kind"), _("Expression"))
        for i, r in enumerate(self.saved):
            table.add_row(cell(r["name"], 22), query_kind_label(r["kind"]), cell(r["expression"], 80),
                          key=str(i))
        if not self.saved:
            table.add_row(_("No saved query"), "", "")

    def _selected_saved(self) -> dict | None:
        table = self.query_one("#saved-table", DataTable)
        if not self.saved or table.row_count == 0:
            return None
        row = max(0, min(table.cursor_row, len(self.saved) - 1))
        return self.saved[row]

    @on(DataTable.RowSelected, "#saved-table")
    def _run_saved(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key is None or not key.isdigit() or int(key) >= len(self.saved):
            return
        entry = self.saved[int(key)]
        if entry["kind"] == "query":
            self.query_one("#query-expr", Input).value = entry["expression"]
        run_read(self.app, entry["name"], lambda: self.project.run_saved_query(entry["name"]),
                 lambda result: self.show_saved_result(entry, result))

    def show_saved_result(self, entry: dict, result) -> None:
        if entry["kind"] == "query":
            self.show_results(entry["expression"], result)
            return
        if entry["kind"] == "dossier" and hasattr(result, "excerpts"):
            from workbench.tui.screens.questions import DossierScreen
            self.app.push_screen(DossierScreen(entry["expression"], dossier=result))
            return
        self.show_table(result)
        self.query_one("#query-status", Static).update(Content(ngettext(
            "{name} ({kind}): {n} row", "{name} ({kind}): {n} rows", len(result)).format(
                name=entry["name"], kind=query_kind_label(entry["kind"]), n=len(result))))

    def show_table(self, df) -> None:
        """Any DataFrame (matrix, triangulation, joint display…) in the table view."""
        table = self.query_one("#query-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*[cell(c, 30) for c in df.columns])
        for values in df.itertuples(index=False):
            table.add_row(*[number(v) if not isinstance(v, str) else cell(v, 50) for v in values])
        self.query_one("#query-results").add_class("hidden")
        table.remove_class("hidden")
        self.query_one("#query-preview", Static).update("")
        table.focus()

    def action_save(self) -> None:
        expr = self.query_one("#query-expr", Input).value.strip() or self.expression
        if not expr:
            self.notify(_("Type an expression first"), severity="warning")
            return

        def named(name):
            name = (name or "").strip()
            if not name:
                return
            if any(r["name"] == name for r in self.saved):
                self.app.push_screen(ConfirmDialog(
                    _("The query “{name}” exists: replace it?").format(name=name)),
                                     lambda yes: yes and self._save(name, expr, True))
            else:
                self._save(name, expr, False)

        self.app.push_screen(TextInputDialog(_("Name of the saved query")), named)

    def _save(self, name: str, expr: str, replace: bool) -> None:
        self.app.change(self.project.save_query, name, "query", expr, replace=replace)
        if self.app.ok:
            self.notify(_("Query saved: {name}").format(name=name))
            self.refresh_data()

    def action_delete(self) -> None:
        entry = self._selected_saved()
        if entry is None:
            return

        def confirmed(yes):
            if yes:
                self.app.change(self.project.delete_saved_query, entry["name"])
                if self.app.ok:
                    self.notify(_("Query deleted: {name}").format(name=entry["name"]))
                    self.refresh_data()

        self.app.push_screen(ConfirmDialog(
            _("Delete the saved query “{name}”?").format(name=entry["name"])),
                             confirmed)

    # -- running an expression -----------------------------------------------------------
    @on(Input.Submitted, "#query-expr")
    def _submitted(self, event: Input.Submitted) -> None:
        expr = event.value.strip()
        if expr:
            self.run_expression(expr)

    def run_expression(self, expr: str) -> None:
        run_read(self.app, _("Computing…"), lambda: self.project.query(expr),
                 lambda df: self.show_results(expr, df))

    def show_results(self, expr: str, df) -> None:
        self.expression = expr
        self.records = df.to_dict("records")
        rows, _records = excerpt_rows(self.records)
        lst = self.query_one("#query-results", RowList)
        lst.set_data(excerpt_columns(), rows)
        self.query_one("#query-table").add_class("hidden")
        lst.remove_class("hidden")
        self.query_one("#query-status", Static).update(
            Content(ngettext("{n} excerpt · {expr}", "{n} excerpts · {expr}",
                             len(self.records)).format(n=len(self.records), expr=expr)))
        if not rows:
            self.query_one("#query-preview", Static).update(_("No excerpt"))
        lst.focus()

    @on(RowList.Highlighted, "#query-results")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if isinstance(event, RowList.Selected) or not (0 <= event.index < len(self.records)):
            return
        r = self.records[event.index]
        self.query_one("#query-preview", Static).update(Content.assemble(
            (cell(r.get("document")), "bold"),
            (f" · {cell(r.get('speaker'))} · {actor_label(cell(r.get('actor_type')))} · "
             f"{cell(r.get('participant_id'))} · {cell(r.get('codes'))}\n", "dim"),
            (cell(r.get("text")), "")))

    @on(RowList.Selected, "#query-results")
    def _open(self, event: RowList.Selected) -> None:
        if 0 <= event.index < len(self.records):
            open_record(self.app, self.records[event.index])

    def action_focus_expr(self) -> None:
        self.query_one("#query-expr").focus()

    def action_focus_results(self) -> None:
        table = self.query_one("#query-table")
        (self.query_one("#query-results") if table.has_class("hidden") else table).focus()
