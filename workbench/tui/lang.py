"""The terminal interface in the current language, following a switch (ctrl+l).

Messages come from :mod:`workbench.i18n` (English msgids, French ``.po`` catalogues).
Two things make the screen follow a language switch without touching Textual's
internals:

* **Key labels.**  ``BINDINGS`` are declared once, at import time, with English
  descriptions marked ``N_("Back")``.  Every screen derives from :class:`Localised`,
  whose ``active_bindings`` (the public property the Footer and the key panel read when
  they draw) returns the bindings with their descriptions translated *then*; a switch
  only calls the public ``refresh_bindings()``.
* **Fixed texts.**  Widgets that show a fixed text are made with its msgid —
  :class:`TrLabel`, :class:`TrStatic`, :class:`TrInput` (placeholder),
  :class:`TrButton`, :class:`TrSelect` (option labels) — and translate it when drawn or
  when :meth:`Localised.relabel` asks them to.  Texts computed from data (status lines,
  table headers) are recomputed by the screen's ``refresh_data()``, which ``relabel()``
  calls.

A new screen::

    class MyScreen(BaseScreen):            # BaseScreen derives from Localised
        TITLE = N_("My screen")             # translated when shown
        BINDINGS = [Binding("x", "do", N_("do it"))]
        def compose(self):
            yield TrLabel(N_("Something to read"))
"""
from __future__ import annotations

from functools import lru_cache

from textual.binding import ActiveBinding, Binding
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from workbench.i18n import N_, _, language, pgettext, set_language

__all__ = ["Localised", "TrButton", "TrInput", "TrLabel", "TrSelect", "TrStatic",
           "switch_language", "translate_binding"]

#: Labels Textual itself puts in the footer or the palette, translated like ours.
TEXTUAL_LABELS = (N_("palette"), N_("Open the command palette"))


@lru_cache(maxsize=4096)
def _translated(binding: Binding, lang: str) -> Binding:
    from dataclasses import replace
    changes = {}
    if binding.description:             # a key's label starts with a capital, in any language
        text = _(binding.description)
        changes["description"] = text[:1].upper() + text[1:]
    if binding.tooltip:
        changes["tooltip"] = _(binding.tooltip)
    if binding.group is not None and binding.group.description:
        changes["group"] = Binding.Group(_(binding.group.description), binding.group.compact)
    return replace(binding, **changes) if changes else binding


def translate_binding(binding: Binding) -> Binding:
    """``binding`` with its description (an English msgid) in the current language."""
    return _translated(binding, language())


class Localised(Screen):
    """A screen whose key labels and fixed texts follow the current language.

    Its ``TITLE`` (an English msgid, marked ``N_``) is shown translated."""

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return {key: ActiveBinding(active.node, translate_binding(active.binding),
                                   active.enabled, _(active.tooltip) if active.tooltip else "")
                for key, active in super().active_bindings.items()}

    def on_mount(self) -> None:
        if self.TITLE:
            self.title = _(self.TITLE)
        self._fit_footer()

    def on_resize(self) -> None:
        self._fit_footer()

    def _fit_footer(self) -> None:
        """Under 100 columns the footer drops its padding (Textual's public ``compact``)
        and the ctrl+p reminder (the help screen, F1, lists it): at 80 columns the
        coder screen's keys then fit."""
        narrow = self.app.size.width < 100
        for footer in self.query(Footer):
            footer.compact = narrow
            footer.show_command_palette = not narrow

    def on_key(self, event) -> None:
        """Single-letter shortcuts never fire while a text field or a dropdown has the
        focus: a printable key that reaches the screen from one stops here (space still
        opens a dropdown; function keys, ctrl and escape still work)."""
        if not event.is_printable or event.key == "space":
            return
        focused = self.focused
        if focused is not None and any(isinstance(node, (Input, TextArea, Select))
                                       for node in focused.ancestors_with_self):
            event.stop()
            event.prevent_default()

    def relabel(self) -> None:
        """Show every fixed text again in the current language (after a switch)."""
        if self.TITLE:
            self.title = _(self.TITLE)
        for widget in self.walk_children():
            relabel = getattr(widget, "relabel", None)
            if callable(relabel):
                relabel()
        self.refresh_bindings()


class _Tr:
    """A widget text given as an English msgid (with optional format values and a
    gettext context), translated each time it is drawn."""

    def _setup_text(self, msgid: str, context: str | None, values: dict) -> str:
        self.msgid, self.context, self.values = msgid, context, values
        return self.text()

    def text(self) -> str:
        text = pgettext(self.context, self.msgid) if self.context else _(self.msgid)
        return text.format(**self.values) if self.values else text


class _TrText(_Tr):
    """A Static or a Label showing a translated message."""

    def __init__(self, msgid: str, *, context: str | None = None, values: dict | None = None,
                 markup: bool = False, **kwargs) -> None:
        super().__init__(self._setup_text(msgid, context, values or {}), markup=markup, **kwargs)

    def set_message(self, msgid: str, **values) -> None:
        """Show another message (kept across language switches)."""
        self.msgid, self.values = msgid, values
        self.update(self.text())

    def relabel(self) -> None:
        self.update(self.text())


class TrStatic(_TrText, Static):
    pass


class TrLabel(_TrText, Label):
    pass


class TrButton(_Tr, Button):
    def __init__(self, msgid: str, *, context: str | None = None, **kwargs) -> None:
        super().__init__(self._setup_text(msgid, context, {}), **kwargs)

    def relabel(self) -> None:
        self.label = self.text()


class TrInput(Input):
    """An input whose placeholder is an English msgid."""

    def __init__(self, value: str | None = None, *, placeholder: str = "", **kwargs) -> None:
        self.placeholder_msgid = placeholder
        super().__init__(value, placeholder=_(placeholder) if placeholder else "", **kwargs)

    def relabel(self) -> None:
        if self.placeholder_msgid:
            self.placeholder = _(self.placeholder_msgid)


class TrSelect(Select):
    """A dropdown whose option labels (and prompt) are English msgids."""

    def __init__(self, options, *, prompt: str = N_("Select"), context: str | None = None,
                 **kwargs) -> None:
        self.msg_options = list(options)
        self.msg_prompt, self.msg_context = prompt, context
        super().__init__(self._labelled(), prompt=_(prompt), **kwargs)

    def _label(self, msgid: str) -> str:
        return pgettext(self.msg_context, msgid) if self.msg_context else _(msgid)

    def _labelled(self):
        return [(self._label(label), value) for label, value in self.msg_options]

    def relabel(self) -> None:
        self.prompt = _(self.msg_prompt)
        if self.msg_options:           # options given as msgids (not set from data later)
            value = self.value
            self.set_options(self._labelled())
            if value is not Select.NULL:
                self.value = value


def switch_language(app, lang: str | None = None) -> str:
    """Switch the interface to ``lang`` (the other language when None) and show every
    screen on the stack in it."""
    set_language(lang or ("en" if language() == "fr" else "fr"))
    for screen in app.screen_stack:
        relabel = getattr(screen, "relabel", None)
        if callable(relabel):
            app.attempt(relabel)
        screen.refresh_bindings()
    return language()


#: Textual's own palette commands that are offered (title, help), translated here.
BUILTIN_COMMANDS = {
    "Quit": (N_("Quit"), N_("Quit the application as soon as possible")),
    "Maximize": (N_("Maximize"), N_("Maximize the focused widget")),
    "Minimize": (N_("Minimize"), N_("Minimize the widget and restore to normal size")),
}


def builtin_commands(app, screen):
    """Textual's palette commands that make sense here (quit, maximise), translated;
    the others (theme, key panel, screenshot) open English-only views and are left out:
    the help screen (F1) lists every key."""
    from textual.app import App, SystemCommand
    for command in App.get_system_commands(app, screen):
        if command.title in BUILTIN_COMMANDS:
            title, help_text = BUILTIN_COMMANDS[command.title]
            yield SystemCommand(_(title), _(help_text), command.callback, command.discover)


#: Names of keys as a French or English keyboard prints them.
KEY_NAMES = {
    "escape": N_("esc"), "delete": N_("del"), "space": N_("space"), "enter": "⏎",
    "pageup": N_("pgup"), "pagedown": N_("pgdn"), "home": N_("home"), "end": N_("end"),
    "tab": N_("tab"), "backspace": "⌫", "up": "↑", "down": "↓", "left": "←", "right": "→",
}
#: Modifiers
MODIFIERS = {"shift": N_("shift"), "ctrl": N_("ctrl"), "alt": N_("alt")}


def key_label(key: str) -> str:
    """One key (``ctrl+r``, ``delete``, ``question_mark``) as the user reads it, in the
    current language (``ctrl+r``, ``suppr``, ``?``)."""
    from textual.keys import format_key
    *modifiers, name = key.split("+")
    if name in KEY_NAMES:
        shown = KEY_NAMES[name]
        shown = _(shown) if shown.isascii() and shown.isalpha() else shown
    else:
        shown = format_key(name)
    return "+".join([_(MODIFIERS.get(m, m)) for m in modifiers] + [shown])


def key_display(key: str) -> str:
    """One key for the footer: like :func:`key_label`, with ctrl as a caret (``^r``)."""
    *modifiers, name = key.split("+")
    if "ctrl" in modifiers:
        modifiers.remove("ctrl")
        return "^" + key_label("+".join([*modifiers, name]))
    return key_label(key)


def keys_label(keys: str, sep: str = " ") -> str:
    """A binding's keys (``"u,ctrl+z"``) as the user reads them (``u ctrl+z``)."""
    return sep.join(key_label(k.strip()) for k in keys.split(",") if k.strip())
