"""The import dialog: interview files picked in a file tree (or typed one per line, so
a path with spaces needs no quotes), an optional correspondence file (manifest), the
programme chosen among the programmes the project knows (or a new one, said so
explicitly), the actor type.  Dismisses with the arguments of ``Project.import_files``."""
from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DirectoryTree, Input, Select, Static

from workbench.domain import programme_label
from workbench.i18n import N_, _, ngettext
from workbench.labels import ACTOR_LABELS
from workbench.tui.lang import Localised, TrButton, TrInput, TrLabel, TrSelect

#: What a correspondence file (manifest) can be.
MANIFEST_SUFFIXES = (".csv", ".tsv", ".xlsx", ".yaml", ".yml")
NEW_PROGRAMME = "\x00new"


class ImportDialog(Localised, ModalScreen):
    """Pick files and folders in the tree (enter adds or removes a file, a adds or
    removes the highlighted file or folder; m makes a table the correspondence file), or
    type a path and press enter; then choose the programme and the actor type and press
    ctrl+s or Import."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False),
                Binding("ctrl+s", "submit", N_("Import"), show=False),
                Binding("a", "toggle", N_("add or remove the highlighted file or folder"),
                        show=False),
                Binding("m", "manifest", N_("use the highlighted table as correspondence file"),
                        show=False)]

    def __init__(self, programmes: list[str], root: str | Path | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.programmes = programmes
        self.root = Path(root or Path.cwd()).expanduser()
        self.chosen: list[Path] = []
        self.manifest: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog import-dialog"):
            yield TrLabel(N_("Import interviews"), classes="dialog-title")
            yield TrLabel(N_("a: add or remove the file or folder · m: correspondence file · "
                             "ctrl+s: import"), classes="dialog-hint")
            yield DirectoryTree(str(self.root), id="import-tree")
            yield TrInput(placeholder=N_("…or type a file, folder or pattern, then enter "
                                         "(spaces are fine)"), id="import-path")
            yield Static("", id="import-chosen")
            with Horizontal(classes="import-row"):
                yield TrSelect([], prompt=N_("Programme"), id="import-programme")
                yield TrInput(placeholder=N_("name of the new programme"),
                              id="import-new-programme", classes="hidden")
                yield TrSelect([(msgid, a) for a, msgid in ACTOR_LABELS.items()],
                               prompt=N_("Actor type"), id="import-actor")
            with Horizontal(classes="import-row"):
                yield TrInput(placeholder=N_("Table columns (optional): speaker=Who, text=Said, "
                                             "start=Start, tags=Codes"), id="import-columns")
                yield Checkbox(_("Import the tags column as codings"), id="import-tags")
            with Horizontal(classes="dialog-buttons"):
                yield TrButton(N_("Import"), variant="primary", id="ok")
                yield TrButton(N_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        options = [(f"{programme_label(p)} ({p})" if programme_label(p) != p else p, p)
                   for p in self.programmes]
        options.append((_("New programme…"), NEW_PROGRAMME))
        self.query_one("#import-programme", Select).set_options(options)
        self._show_chosen()
        self.query_one("#import-tree").focus()

    # -- choosing files ---------------------------------------------------------------
    def _toggle(self, path: Path) -> None:
        path = path.resolve()
        if path == self.manifest:
            self.manifest = None
        elif path in self.chosen:
            self.chosen.remove(path)
        else:
            self.chosen.append(path)
        self._show_chosen()

    def _show_chosen(self) -> None:
        n = len(self.chosen)
        lines = [ngettext("{n} file or folder to import", "{n} files or folders to import",
                          n).format(n=n)]
        lines += [f"  {p}" for p in self.chosen[-4:]]
        if n > 4:
            lines.insert(1, "  …")
        if self.manifest:
            lines.append(_("Correspondence file: {path}").format(path=self.manifest))
        self.query_one("#import-chosen", Static).update("\n".join(lines))

    @on(DirectoryTree.FileSelected)
    def _file(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._toggle(Path(event.path))

    def _highlighted(self) -> Path | None:
        node = self.query_one(DirectoryTree).cursor_node
        return None if node is None or node.data is None else Path(node.data.path)

    def action_toggle(self) -> None:
        path = self._highlighted()
        if path is not None:
            self._toggle(path)

    def action_manifest(self) -> None:
        path = self._highlighted()
        if path is None or path.suffix.lower() not in MANIFEST_SUFFIXES:
            self.notify(_("A correspondence file is a table: .csv, .tsv, .xlsx or .yaml"),
                        severity="warning")
            return
        path = path.resolve()
        if path in self.chosen:
            self.chosen.remove(path)
        self.manifest = None if self.manifest == path else path
        self._show_chosen()

    @on(Input.Submitted, "#import-path")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip().strip("'\"")
        if not text:
            return
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.root / path
        if any(ch in text for ch in "*?["):
            self.chosen.append(path)             # a pattern: the import expands it
            self._show_chosen()
        elif path.exists():
            self._toggle(path)
        else:
            self.notify(_("{path}: no such file or folder").format(path=path),
                        severity="warning")
            return
        event.input.value = ""

    @on(Select.Changed, "#import-programme")
    def _programme(self, event: Select.Changed) -> None:
        new = self.query_one("#import-new-programme", Input)
        new.set_class(event.value != NEW_PROGRAMME, "hidden")
        if event.value == NEW_PROGRAMME:
            new.focus()

    # -- the result -----------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.submit() if event.button.id == "ok" else self.dismiss(None)

    def action_submit(self) -> None:
        self.submit()

    def submit(self) -> None:
        if not self.chosen and not self.manifest:
            self.notify(_("Choose files or a folder to import first"), severity="warning")
            return
        programme = self.query_one("#import-programme", Select).value
        new_programme = programme == NEW_PROGRAMME
        if new_programme:
            programme = self.query_one("#import-new-programme", Input).value.strip()
            if not programme:
                self.notify(_("Give the new programme's name"), severity="warning")
                return
        actor = self.query_one("#import-actor", Select).value
        self.dismiss({"columns": self.query_one("#import-columns", Input).value.strip() or None,
                      "tags_as_codes": self.query_one("#import-tags", Checkbox).value,
                      "paths": [str(p) for p in self.chosen],
                      "manifest": str(self.manifest) if self.manifest else None,
                      "programme": None if programme is Select.NULL else programme,
                      "new_programme": new_programme,
                      "actor_type": None if actor is Select.NULL else actor})
