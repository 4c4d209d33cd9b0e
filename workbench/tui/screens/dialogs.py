"""Modal dialogs: error, confirm, text input, choice, code picker, progress."""
from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, ProgressBar, Select, Static, TextArea
from textual.widgets.option_list import Option

from workbench.tui.fuzzy import score
from workbench.tui.i18n import t


class ErrorDialog(ModalScreen[None]):
    """The one place errors are shown: a title and a message, never a traceback."""

    BINDINGS = [Binding("escape,enter,q", "close", show=False)]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(Content(self.message), classes="dialog-body")
            yield Button(t("dlg.close"), variant="error", id="close")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape,n", "answer(False)", show=False),
                Binding("y,o", "answer(True)", show=False)]

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.message, self.title_text = message, title or t("dlg.confirm_title")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(Content(self.message), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dlg.confirm"), variant="warning", id="yes")
                yield Button(t("dlg.cancel"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TextInputDialog(ModalScreen[str | None]):
    """One line (Input) or several (TextArea, ctrl+s to save)."""

    BINDINGS = [Binding("escape", "cancel", show=False),
                Binding("ctrl+s", "save", t("dlg.save"), show=False)]

    def __init__(self, title: str, value: str = "", *, multiline: bool = False,
                 placeholder: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.value, self.multiline = title, value, multiline
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.multiline:
                yield TextArea(self.value, id="text", soft_wrap=True)
                yield Label(t("dlg.save_hint"), classes="dialog-hint")
            else:
                yield Input(self.value, placeholder=self.placeholder, id="text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("dlg.save"), variant="primary", id="save")
                yield Button(t("dlg.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#text").focus()

    def _value(self) -> str:
        w = self.query_one("#text")
        return w.text if isinstance(w, TextArea) else w.value

    def action_save(self) -> None:
        self.dismiss(self._value())

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()


class ChoiceDialog(ModalScreen):
    """Choose one of a few labelled values."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, title: str, choices: list[tuple[str, object]]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(Content(label), id=str(i))
                               for i, (label, _) in enumerate(self.choices)], id="choices")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class CodeChoice:
    id: int
    path: str
    name: str
    short: str = ""
    definition: str = ""
    colour: str = ""
    codings: int = 0


class CodePicker(ModalScreen[int | None]):
    """Fuzzy search over code names, paths and definitions; recent codes first.

    With ``allow_create`` the last line offers to create the typed code (a path
    ``Parent/Child`` is accepted); the picker then dismisses with the new id.
    ``extra`` options (label, value) are listed first (e.g. "(top level)")."""

    BINDINGS = [Binding("escape", "cancel", show=False),
                Binding("down", "cursor(1)", show=False), Binding("up", "cursor(-1)", show=False),
                Binding("pagedown", "cursor(10)", show=False),
                Binding("pageup", "cursor(-10)", show=False)]
    LIMIT = 200

    def __init__(self, codes: list[CodeChoice], *, title: str | None = None,
                 recent: list[int] = (), allow_create: bool = True, create=None,
                 extra: list[tuple[str, object]] = (), preferred: set[int] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.codes, self.recent = codes, list(recent)
        self.preferred = preferred       # codes of the document's programme: listed first
        self.title_text = title or t("picker.title")
        self.allow_create, self.create = allow_create, create
        self.extra = list(extra)
        self._values: list = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder=t("picker.placeholder"), id="query")
            yield OptionList(id="matches")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        rank = {cid: i for i, cid in enumerate(self.recent)}
        pref = self.preferred
        # codes of the document's programme win ties and near-ties, never a clearly
        # better match elsewhere
        bonus = (lambda c: 0) if pref is None else (lambda c: 150 if c.id in pref else 0)
        if query.strip():
            scored = [(score(query, c.name, c.path, f"{c.short} {c.definition}"), c) for c in self.codes]
            matches = [c for s, c in sorted(scored, key=lambda sc: (-(sc[0] + bonus(sc[1])), sc[1].path))
                       if s > 0]
        else:
            matches = sorted(self.codes, key=lambda c: (rank.get(c.id, 10**6), -bonus(c)))
        options, values = [], []
        if not query.strip():
            for label, value in self.extra:
                options.append(Option(Content(label)))
                values.append(("extra", value))
        for c in matches[: self.LIMIT]:
            label = Content.assemble(
                ("■ ", f"{c.colour}" if c.colour else ""), (c.path, "bold"),
                (f"  ({c.codings})", "dim"),
                *([("  " + (c.short or c.definition or "")[:70], "italic dim")]
                  if (c.short or c.definition) else []),
                *([(f"  [{rank[c.id] + 1}]", "dim")] if c.id in rank and rank[c.id] < 9 else []))
            options.append(Option(label))
            values.append(("code", c.id))
        q = query.strip()
        if self.allow_create and q and not any(c.path.casefold() == q.casefold().strip("/")
                                               for c in self.codes):
            options.append(Option(Content(t("picker.create", name=q))))
            values.append(("create", q))
        ol = self.query_one(OptionList)
        ol.set_options(options)
        self._values = values
        if options:
            ol.highlighted = 0

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        ol = self.query_one(OptionList)
        if ol.highlighted is not None:
            self._choose(ol.highlighted)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def _choose(self, index: int) -> None:
        if not (0 <= index < len(self._values)):
            return
        kind, value = self._values[index]
        if kind == "create":
            new_id = self.create(value) if self.create else None
            if new_id is None:
                return
            value = new_id
        self.dismiss(value)

    def action_cursor(self, delta: int) -> None:
        ol = self.query_one(OptionList)
        if ol.option_count:
            ol.highlighted = max(0, min(ol.option_count - 1, (ol.highlighted or 0) + delta))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProgressDialog(ModalScreen):
    """Shows a worker's progress; Cancel (or escape) cancels the worker."""

    BINDINGS = [Binding("escape", "cancel", t("progress.cancel"))]

    class Cancelled(Message):
        pass

    def __init__(self, label: str) -> None:
        super().__init__(classes="dialog-screen")
        self.label = label
        self.worker = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog progress-dialog"):
            yield Label(self.label, classes="dialog-title", id="progress-label")
            yield ProgressBar(total=None, id="bar", show_eta=False)
            yield Static("", id="progress-detail")
            yield Button(t("progress.cancel"), id="cancel")

    def update_progress(self, done: int, total: int | None, label: str = "") -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=total or None, progress=done)
        if label:
            self.query_one("#progress-detail", Static).update(Content(label))

    def action_cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        self.query_one("#progress-detail", Static).update(t("progress.cancelled"))

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self.action_cancel()


class FormDialog(ModalScreen):
    """A modal form: Enter in an input or the "ok" button submits (:meth:`submit`),
    Escape or any other button closes it without a result."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.submit() if event.button.id == "ok" else self.dismiss(None)

    def submit(self) -> None:
        raise NotImplementedError


class ImportDialog(FormDialog):
    """Files or a manifest to import, with a programme chosen among the known ones, or a
    new programme typed in (created only then)."""

    def __init__(self, programmes: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.programmes = programmes

    def compose(self) -> ComposeResult:
        from workbench.domain import ACTOR_TYPES, programme_label
        from workbench.tui.i18n import actor
        with Vertical(classes="dialog text-dialog import-dialog"):
            yield Label(t("import.prompt"), classes="dialog-title")
            yield Input(placeholder="entretiens/*.docx", id="paths")
            yield Input(placeholder=t("import.manifest"), id="manifest")
            with Horizontal(classes="programme-row"):
                yield Select([(programme_label(p) if programme_label(p) == p else
                               f"{programme_label(p)} ({p})", p) for p in self.programmes],
                             prompt=t("docs.filter_programme"), id="programme")
                yield Input(placeholder=t("import.new_programme"), id="new-programme")
            yield Select([(actor(a), a) for a in ACTOR_TYPES], prompt=t("docs.filter_actor"),
                         id="actor")
            yield Input(placeholder=t("import.columns"), id="columns")
            yield Checkbox(t("import.tags"), id="tags")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.import"), variant="primary", id="ok")
                yield Button(t("dlg.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#paths").focus()

    def submit(self) -> None:
        import shlex
        paths = shlex.split(self.query_one("#paths", Input).value)
        manifest = self.query_one("#manifest", Input).value.strip() or None
        if not paths and not manifest:
            return
        actor_value = self.query_one("#actor", Select).value
        chosen = self.query_one("#programme", Select).value
        new = self.query_one("#new-programme", Input).value.strip()
        self.dismiss({"paths": paths, "manifest": manifest,
                      "programme": new or (None if chosen is Select.NULL else chosen),
                      "new_programme": bool(new),
                      "actor_type": None if actor_value is Select.NULL else actor_value,
                      "columns": self.query_one("#columns", Input).value.strip() or None,
                      "tags_as_codes": self.query_one("#tags", Checkbox).value})


class TypeOverrideDialog(ModalScreen):
    """A participants file the project's types refuse: the values that do not fit, and
    per attribute the explicit choice to change its type for the whole project.
    Dismisses with ``{name: type}`` for the attributes ticked, or ``None``."""

    BINDINGS = [Binding("escape", "cancel", show=False)]

    def __init__(self, message: str, conflicts: dict[str, tuple[str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.message = message
        self.conflicts = conflicts

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll
        from textual.widgets import Checkbox
        with Vertical(classes="dialog error-dialog"):
            yield Label(t("parts.types_title"), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(Content(self.message), id="type-problems")
            yield Label(t("parts.override_prompt"))
            for i, (name, (old, fits)) in enumerate(sorted(self.conflicts.items())):
                yield Checkbox(t("parts.override_one", name=name, old=old, new=fits),
                               id=f"override-{i}")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("parts.override_ok"), variant="warning", id="ok")
                yield Button(t("dlg.cancel"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        from textual.widgets import Checkbox
        if event.button.id != "ok":
            self.dismiss(None)
            return
        chosen = {name: fits for i, (name, (_old, fits)) in enumerate(sorted(self.conflicts.items()))
                  if self.query_one(f"#override-{i}", Checkbox).value}
        self.dismiss(chosen or None)


class ParticipantsImportDialog(FormDialog):
    """A participants table (CSV, TSV, UTF-16 text or XLSX) and, optionally, its ID column."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog"):
            yield Label(t("parts.import_prompt"), classes="dialog-title")
            yield Input(placeholder="quanti.csv", id="file")
            yield Input(placeholder=t("parts.id_column"), id="id-column")
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("key.import"), variant="primary", id="ok")
                yield Button(t("dlg.cancel"), id="cancel")

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def on_mount(self) -> None:
        self.query_one("#file").focus()

    def submit(self) -> None:
        path = self.query_one("#file", Input).value.strip()
        if not path:
            return
        self.dismiss({"path": path,
                      "id_column": self.query_one("#id-column", Input).value.strip() or None})
