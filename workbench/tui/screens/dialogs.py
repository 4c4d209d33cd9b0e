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
from textual.widgets import Button, Input, Label, OptionList, ProgressBar, Static, TextArea
from textual.widgets.option_list import Option

from workbench.domain import programme_label
from workbench.tui.fuzzy import score
from workbench.i18n import N_, _, ngettext, pgettext
from workbench.tui.lang import Localised, TrButton, TrInput, TrLabel


class ErrorDialog(Localised, ModalScreen[None]):
    """The one place errors are shown: a title and a message, never a traceback."""

    BINDINGS = [Binding("escape,enter,q", "close", N_("Close"), show=False)]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(Content(self.message), classes="dialog-body")
            yield Button(_("Close"), variant="error", id="close")

    def on_mount(self) -> None:
        for button in self.query(Button):       # none while the app is shutting down
            button.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self.dismiss(None)


class ConfirmDialog(Localised, ModalScreen[bool]):
    BINDINGS = [Binding("escape,n", "answer(False)", N_("no"), show=False),
                Binding("y,o", "answer(True)", N_("yes"), show=False)]

    def __init__(self, message: str, title: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.message, self.title_text = message, title or pgettext("dialog title", "Confirm")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(Content(self.message), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Confirm"), variant="warning", id="yes")
                yield Button(_("Cancel"), id="no")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class TextInputDialog(Localised, ModalScreen[str | None]):
    """One line (Input) or several (TextArea, ctrl+s to save)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False),
                Binding("ctrl+s", "save", N_("Save"), show=False)]

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
                yield Label(_("ctrl+s save · escape cancel"), classes="dialog-hint")
            else:
                yield Input(self.value, placeholder=self.placeholder, id="text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), variant="primary", id="save")
                yield Button(_("Cancel"), id="cancel")

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


class ChoiceDialog(Localised, ModalScreen):
    """Choose one of a few labelled values."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False)]

    def __init__(self, title: str, choices: list[tuple[str, object]]) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(Content(label), id=str(i))
                               for i, (label, _value) in enumerate(self.choices)], id="choices")

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
    codebook: str = ""


class CodePicker(Localised, ModalScreen[int | None]):
    """Fuzzy search over code names, paths and definitions; the codes in slots first.

    With ``preferred`` (the codes of the document's programme), only those are offered
    until tab shows every codebook's; a name found in two codebooks shows its codebook.
    With ``allow_create`` the last line offers to create the typed code (a path
    ``Parent/Child`` is accepted); the picker then dismisses with the new id.
    ``extra`` options (label, value) are listed first (e.g. "(top level)")."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False),
                Binding("tab", "toggle_all", N_("every codebook / the programme's"),
                        show=False),
                Binding("down", "cursor(1)", N_("next code"), show=False),
                Binding("up", "cursor(-1)", N_("previous code"), show=False),
                Binding("pagedown", "cursor(10)", N_("ten codes down"), show=False),
                Binding("pageup", "cursor(-10)", N_("ten codes up"), show=False)]
    LIMIT = 200

    def __init__(self, codes: list[CodeChoice], *, title: str | None = None,
                 slots: dict[int, int] | None = None, allow_create: bool = True, create=None,
                 extra: list[tuple[str, object]] = (), preferred: set[int] | None = None,
                 programme: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.codes, self.slots = codes, dict(slots or {})
        self.preferred = preferred       # codes of the document's programme
        self.programme = programme
        self.show_all = preferred is None or not preferred
        self.title_text = title or _("Apply a code")
        self.allow_create, self.create = allow_create, create
        self.extra = list(extra)
        self._values: list = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            yield TrInput(placeholder=N_("Name, path or definition…"), id="query")
            yield Static("", id="picker-scope", classes="dialog-hint")
            yield OptionList(id="matches")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()
        # once laid out, the list knows its width: one line per code, description cut to fit
        self.call_after_refresh(lambda: self._fill(self.query_one(Input).value))

    def action_toggle_all(self) -> None:
        if self.preferred and len(self.preferred) < len(self.codes):
            self.show_all = not self.show_all
            self._fill(self.query_one(Input).value)

    def _offered(self) -> list[CodeChoice]:
        if self.show_all or not self.preferred:
            return self.codes
        return [c for c in self.codes if c.id in self.preferred]

    def _scope_hint(self, offered: list[CodeChoice]) -> str:
        if not self.preferred or len(self.preferred) >= len(self.codes):
            return ""                   # nothing behind tab: no hint
        hidden = len(self.codes) - len(offered)
        if self.show_all:
            return _("Every codebook · tab: only the codes of programme {programme}").format(
                programme=programme_label(self.programme) or "—")
        return ngettext("Codes of programme {programme} · tab: every codebook ({n} more code)",
                        "Codes of programme {programme} · tab: every codebook ({n} more codes)",
                        hidden).format(programme=programme_label(self.programme) or "—", n=hidden)

    def _fill(self, query: str) -> None:
        offered = self._offered()
        hint = self._scope_hint(offered)
        scope = self.query_one("#picker-scope", Static)
        scope.update(hint)
        scope.display = bool(hint)
        slots = self.slots
        pref = self.preferred
        # with every codebook shown, the programme's codes still win ties and near-ties
        bonus = (lambda c: 0) if pref is None else (lambda c: 150 if c.id in pref else 0)
        if query.strip():
            scored = [(score(query, c.name, c.path, f"{c.short} {c.definition}"), c)
                      for c in offered]
            matches = [c for sc, c in sorted(scored, key=lambda sc: (-(sc[0] + bonus(sc[1])),
                                                                       sc[1].path))
                       if sc > 0]
        else:
            matches = sorted(offered, key=lambda c: (slots.get(c.id, 10), -bonus(c)))
        names: dict[str, set[str]] = {}
        for c in offered:
            names.setdefault(c.name.casefold(), set()).add(c.codebook)
        options, values = [], []
        if not query.strip():
            for label, value in self.extra:
                options.append(Option(Content(label)))
                values.append(("extra", value))
        # the cells an option has: the list's width less its scrollbar and padding
        shown = self.query_one(OptionList).scrollable_content_region.width
        width = shown - 3 if shown else min(self.app.size.width - 12, 96) - 4
        for c in matches[: self.LIMIT]:
            twin = len(names.get(c.name.casefold(), ())) > 1
            book = "  ⟨" + (c.codebook or _("project")) + "⟩" if twin else ""
            slot = f"  [{slots[c.id]}]" if c.id in slots else ""
            head = f"■ {c.path}{book}  ({c.codings}){slot}"
            room = width - len(head) - 2          # one line per code: the description fits
            about = (c.short or c.definition or "").replace("\n", " ")
            if len(about) > room:
                about = about[:max(0, room - 1)] + "…" if room > 12 else ""
            label = Content.assemble(
                ("■ ", f"{c.colour}" if c.colour else ""), (c.path, "bold"),
                (book, "italic"), (f"  ({c.codings})", "dim"), (slot, "dim"),
                *([("  " + about, "italic dim")] if about else []))
            options.append(Option(label))
            values.append(("code", c.id))
        q = query.strip()
        if self.allow_create and q and not any(c.path.casefold() == q.casefold().strip("/")
                                               for c in self.codes):
            options.append(Option(Content(_("+ Create code “{name}”").format(name=q))))
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


class ProgressDialog(Localised, ModalScreen):
    """Shows a worker's progress; Cancel (or escape) cancels the worker; b lets it go on
    in the background (the app shows its progress in the title line)."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel")),
                Binding("b", "background", N_("continue in the background"))]

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
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("In the background"), id="background")
                yield Button(_("Cancel"), id="cancel")

    def update_progress(self, done: int, total: int | None, label: str = "") -> None:
        bar = self.query_one(ProgressBar)
        bar.update(total=total or None, progress=done)
        if label:               # a step the core names in English (N_): shown translated
            self.query_one("#progress-detail", Static).update(Content(_(label)))

    def action_cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
        self.query_one("#progress-detail", Static).update(_("Cancelled"))

    def action_background(self) -> None:
        self.app.to_background(self)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_background() if event.button.id == "background" else self.action_cancel()


class FormDialog(Localised, ModalScreen):
    """A modal form: Enter in an input or the "ok" button submits (:meth:`submit`),
    Escape or any other button closes it without a result."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False)]

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


class TypeOverrideDialog(Localised, ModalScreen):
    """A participants file the project's types refuse: the values that do not fit, and
    per attribute the explicit choice to change its type for the whole project.
    Dismisses with ``{name: type}`` for the attributes ticked, or ``None``."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), show=False)]

    def __init__(self, message: str, conflicts: dict[str, tuple[str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.message = message
        self.conflicts = conflicts

    def compose(self) -> ComposeResult:
        from textual.containers import VerticalScroll
        from textual.widgets import Checkbox
        from workbench.labels import attribute_type_label
        with Vertical(classes="dialog error-dialog"):
            yield TrLabel(N_("The file does not fit the project's types"), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(Content(self.message), id="type-problems")
            yield TrLabel(N_("Change the type for the whole project (tick, then import):"))
            for i, (name, (old, fits)) in enumerate(sorted(self.conflicts.items())):
                yield Checkbox(_("{name}: {old} → {new}").format(
                    name=name, old=attribute_type_label(old), new=attribute_type_label(fits)),
                    id=f"override-{i}")
            with Horizontal(classes="dialog-buttons"):
                yield TrButton(N_("Change these types and import"), variant="warning", id="ok")
                yield TrButton(N_("Cancel"), id="cancel")

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
        chosen = {name: fits for i, (name, (_old, fits))
                  in enumerate(sorted(self.conflicts.items()))
                  if self.query_one(f"#override-{i}", Checkbox).value}
        self.dismiss(chosen or None)


class ParticipantsImportDialog(FormDialog):
    """A participants table (CSV, TSV, UTF-16 text or XLSX) and, optionally, its ID column."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog text-dialog"):
            yield TrLabel(N_("Participant table (CSV, TSV, Unicode text or XLSX)"),
                          classes="dialog-title")
            yield Input(placeholder="quanti.csv", id="file")
            yield TrInput(placeholder=N_("ID column (optional: detected)"), id="id-column")
            with Horizontal(classes="dialog-buttons"):
                yield TrButton(N_("Import"), variant="primary", id="ok")
                yield TrButton(N_("Cancel"), id="cancel")

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def on_mount(self) -> None:
        self.query_one("#file").focus()

    def submit(self) -> None:
        path = self.query_one("#file", Input).value.strip().strip("'\"")
        if not path:
            return
        self.dismiss({"path": path,
                      "id_column": self.query_one("#id-column", Input).value.strip() or None})
