"""The help screen: every key, in French and English."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from workbench.tui.i18n import HELP, language, t


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", t("dlg.close"))]

    def compose(self) -> ComposeResult:
        lang = language()
        parts = []
        for title, rows in HELP:
            parts.append((f"\n{title}\n", "bold $accent"))
            for keys, fr, en in rows:
                parts += [(f"  {keys:<22}", "bold"), ((fr if lang == "fr" else en) + "\n", "")]
        with VerticalScroll(classes="dialog help-dialog"):
            yield Label(t("help.title"), classes="dialog-title")
            yield Static(Content.assemble(*parts), id="help-text")

    def action_close(self) -> None:
        self.dismiss(None)
