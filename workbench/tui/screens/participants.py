"""Participants: the quantitative study's table, with the documents of each."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Input, Static

from workbench.tui.fuzzy import fold
from workbench.tui.i18n import t
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import (ChoiceDialog, ParticipantsImportDialog,
                                           TypeOverrideDialog)


class ParticipantsScreen(BaseScreen):
    section = "participants"
    BINDINGS = [
        Binding("q", "back", t("key.back")),
        Binding("slash", "filter", t("key.filter")),
        Binding("i", "import_participants", t("key.import")),
        Binding("escape", "clear_filter", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.records: list[dict] = []
        self.columns: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=t("ret.filter"), id="part-filter")
        yield Static(classes="list-status", id="part-status")
        yield DataTable(id="part-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("screen.participants")
        self.refresh_data()
        self.query_one("#part-table").focus()

    def refresh_data(self) -> None:
        wide = self.project.participants()
        self.columns = list(wide.columns)
        self.records = wide.to_dict("records")
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#part-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*[t("parts.id") if c == "participant_id" else
                            t("parts.documents") if c == "documents" else c for c in self.columns])
        q = fold(self.query_one("#part-filter", Input).value.strip())
        n = 0
        for i, r in enumerate(self.records):
            values = [cell(r[c], 40) for c in self.columns]
            if q and not all(w in fold(" ".join(values)) for w in q.split()):
                continue
            table.add_row(*values, key=str(i))
            n += 1
        self.query_one("#part-status", Static).update(Content(t("parts.count", n=n)))

    @on(Input.Changed, "#part-filter")
    def _filter(self) -> None:
        self._fill()

    @on(Input.Submitted, "#part-filter")
    def _filter_done(self) -> None:
        self.query_one("#part-table").focus()

    def action_filter(self) -> None:
        self.query_one("#part-filter").focus()

    def action_clear_filter(self) -> None:
        self.query_one("#part-filter", Input).value = ""
        self.query_one("#part-table").focus()

    @on(DataTable.RowSelected, "#part-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        r = self.records[int(event.row_key.value)]
        names = [d for d in cell(r.get("documents")).split(";") if d]
        if not names:
            self.notify(t("parts.no_docs"), severity="warning")
            return
        if len(names) == 1:
            self.app.open_document(names[0])
            return
        self.app.push_screen(ChoiceDialog(r["participant_id"], [(n, n) for n in names]),
                             lambda name: name and self.app.open_document(name))

    # -- importing the table -------------------------------------------------------------
    def action_import_participants(self) -> None:
        self.app.push_screen(ParticipantsImportDialog(),
                             lambda values: values and self._import(values, {}))

    def _import(self, values: dict, overrides: dict[str, str]) -> None:
        """Import; when the file disagrees with the project's types, offer to change
        them explicitly, attribute by attribute, then import again."""
        from workbench.domain import WorkbenchError
        from workbench.tables import TableTypeError
        try:
            result = self.project.import_participants(
                values["path"], id_column=values.get("id_column"),
                types={name: (type_, ()) for name, type_ in overrides.items()})
        except TableTypeError as exc:
            if exc.conflicts:
                self.app.push_screen(
                    TypeOverrideDialog(str(exc), exc.conflicts),
                    lambda chosen: chosen and self._import(values, {**overrides, **chosen}))
            else:
                self.app.show_error(exc)
            return
        except WorkbenchError as exc:
            self.app.show_error(exc)
            return
        self.app.mark_synced()
        self.refresh_data()
        lines = [t("parts.imported", added=result["inserted"], updated=result["updated"])]
        lines += [t("parts.retyped", name=name, old=old, new=new)
                  for name, old, new in result["retyped"]]
        lines += result["notes"]
        self.notify("\n".join(lines), timeout=8)

