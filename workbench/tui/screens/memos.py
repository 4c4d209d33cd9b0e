"""Memos: every memo of the project; read, edit, delete, open what it is about."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Static

from workbench.i18n import N_, _, colon, ngettext
from workbench.labels import memo_target_label
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog, TextInputDialog


class MemosScreen(BaseScreen):
    TITLE = N_("Memos")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("n", "new", N_("New project memo")),
        Binding("e", "edit", N_("Edit memo")),
        Binding("o", "open_target", N_("Open")),
        Binding("delete", "delete", N_("Delete")),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.rows: dict[str, dict] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(classes="list-status", id="memo-status")
        yield DataTable(id="memo-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Static(id="excerpt-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#memo-table").focus()

    def _target(self, r: dict, paths: dict) -> str:
        kind, tid = r["target_type"], r["target_id"]
        label = memo_target_label(kind)
        if kind == "code" and tid and str(tid).isdigit():
            return f"{colon(label)} {paths.get(int(tid), tid)}"
        if kind == "coding" and tid:
            return _("coding no. {id}").format(id=tid)
        return f"{colon(label)} {tid}" if tid else label

    def refresh_data(self) -> None:
        df = self.project.memos()
        paths = self.project.code_paths()
        table = self.query_one("#memo-table", DataTable)
        table.clear(columns=True)
        table.add_columns(_("On"), _("Text"), _("Coder"), _("Updated"))
        self.rows = {}
        for r in df.to_dict("records"):
            key = str(r["id"])
            self.rows[key] = r
            table.add_row(self._target(r, paths), cell(r["title"] or r["text"], 80), cell(r["coder"]),
                          cell(r["updated_at"])[:16].replace("T", " "), key=key)
        self.query_one("#memo-status", Static).update(Content(
            ngettext("{n} memo", "{n} memos", len(df)).format(n=len(df))))
        self._preview(next(iter(self.rows), None))

    def _current(self) -> dict | None:
        table = self.query_one("#memo-table", DataTable)
        if not self.rows or table.cursor_row is None:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.rows.get(key)

    def _preview(self, key) -> None:
        r = self.rows.get(key) if key else None
        self.query_one("#excerpt-preview", Static).update(
            Content("") if r is None else Content.assemble(
                (cell(r["title"]) + "\n" if r["title"] else "", "bold"), (cell(r["text"]), "")))

    @on(DataTable.RowHighlighted, "#memo-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._preview(event.row_key.value if event.row_key else None)

    @on(DataTable.RowSelected, "#memo-table")
    def _selected(self) -> None:
        self.action_edit()

    def action_new(self) -> None:
        def done(text):
            if text and text.strip():
                self.app.change(self.project.add_memo, "project", None, text.strip())
                if self.app.ok:
                    self.refresh_data()
                    self.notify(_("Memo saved"))
        self.app.push_screen(TextInputDialog(_("New project memo"), multiline=True), done)

    def action_edit(self) -> None:
        r = self._current()
        if r is None:
            return

        def done(text):
            if text is not None:
                self.app.change(self.project.update_memo, int(r["id"]), text=text)
                if self.app.ok:
                    self.refresh_data()
                    self.notify(_("Memo saved"))
        self.app.push_screen(TextInputDialog(_("Edit memo"), r["text"] or "", multiline=True), done)

    def action_delete(self) -> None:
        r = self._current()
        if r is None:
            return

        def done(yes):
            if yes:
                self.app.change(self.project.delete_memo, int(r["id"]))
                if self.app.ok:
                    self.refresh_data()
                    self.notify(_("Memo deleted"))
        self.app.push_screen(ConfirmDialog(_("Delete this memo?")), done)

    def action_open_target(self) -> None:
        r = self._current()
        if r is None:
            return
        kind, tid = r["target_type"], r["target_id"]
        if kind == "coding":
            df = self.app.attempt(self.project.codings, None)
            if df is None or not len(df):
                return
            hit = df[df["id"] == int(tid)]
            if len(hit):
                row = hit.iloc[0]
                s, e = int(row["start"]), int(row["end"])
                self.app.open_document(int(row["document_id"]), offset=s, select=(s, e))
        elif kind == "document":
            self.app.open_document(int(tid))
        elif kind == "code":
            self.app.action_goto("retrieval", code=int(tid))
