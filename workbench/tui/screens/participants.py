"""Participants: the quantitative study's table, with the documents of each."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Header, Input, Static

from workbench.tui.fuzzy import fold
from workbench.i18n import N_, _, ngettext
from workbench.labels import attribute_type_label
from workbench.tui.lang import TrInput
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import (ChoiceDialog, ParticipantsImportDialog,
                                           TypeOverrideDialog)


class ParticipantsScreen(BaseScreen):
    TITLE = N_("Participants")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("slash", "filter", N_("Filter")),
        Binding("i", "import_participants", N_("Import")),
        Binding("escape", "clear_filter", N_("clear the filter"), show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__()
        self.records: list[dict] = []
        self.columns: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield TrInput(placeholder=N_("Filter (participant, attribute, value)…"), id="part-filter")
        yield Static(classes="list-status", id="part-status")
        yield DataTable(id="part-table", cursor_type="row", zebra_stripes=True, classes="list")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one("#part-table").focus()

    def refresh_data(self) -> None:
        wide = self.project.participants(typed=False)   # as imported: 47, non, 2021-10-04
        self.columns = list(wide.columns)
        self.records = wide.to_dict("records")
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#part-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*[_("ID") if c == "participant_id" else
                            _("Documents") if c == "documents" else c for c in self.columns])
        q = fold(self.query_one("#part-filter", Input).value.strip())
        n = 0
        for i, r in enumerate(self.records):
            values = [cell(r[c], 40) for c in self.columns]
            if q and not all(w in fold(" ".join(values)) for w in q.split()):
                continue
            table.add_row(*values, key=str(i))
            n += 1
        self.query_one("#part-status", Static).update(Content(
            ngettext("{n} participant", "{n} participants", n).format(n=n)))

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
            self.notify(_("No document for this participant"), severity="warning")
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
        from workbench.public import TableTypeError
        def imported():
            try:
                return self.project.import_participants(
                    values["path"], id_column=values.get("id_column"),
                    types={name: (type_, ()) for name, type_ in overrides.items()})
            except TableTypeError as exc:     # (refused before anything is written)
                return exc

        # a change like any other: behind another program's write it waits in a long job
        # instead of freezing the screen (errors are shown by the app)
        result = self.app.change(imported)
        if isinstance(result, TableTypeError):
            exc = result
            if exc.conflicts:
                self.app.push_screen(
                    TypeOverrideDialog(str(exc), exc.conflicts),
                    lambda chosen: chosen and self._import(values, {**overrides, **chosen}))
            else:
                self.app.show_error(exc)
            return
        if not self.app.ok or result is None:
            return
        self.refresh_data()
        added = result["inserted"]
        lines = [ngettext("{added} participant added, {updated} updated",
                          "{added} participants added, {updated} updated", added).format(
                              added=added, updated=result["updated"])]
        lines += [_("{name}: {old} → {new} (for the whole project)").format(
            name=name, old=attribute_type_label(old), new=attribute_type_label(new))
                  for name, old, new in result["retyped"]]
        lines += result["notes"]
        self.notify("\n".join(lines), timeout=8)

