"""The help screen: every key of every screen, read from the screens' own bindings (so
it is never out of date), in the current language."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.i18n import N_, _
from workbench.tui.lang import Localised, TrLabel, keys_label

#: What is done without a key binding, per section (keys, description msgid).
EXTRA = {
    "coder": [(N_("mouse"), N_("drag over words to select them"))],
    "slots": [("⏎", N_("pin / unpin"))],
}


def help_sections() -> list[tuple[str, str, list[type]]]:
    """(section id, title msgid, classes whose bindings it lists), in reading order."""
    from workbench.tui.app import WorkbenchApp
    from workbench.tui.screens import (analysis, autocode, codebook, coder, dialogs, documents,
                                       home, importing, memos, participants, privacy,
                                       queries, questions, retrieval, review, topics)
    from workbench.tui.screens.base import BaseScreen
    from workbench.tui.widgets.rowlist import RowList
    from workbench.tui.widgets.transcript import TranscriptView
    return [
        ("everywhere", N_("Everywhere"), [WorkbenchApp, BaseScreen]),
        ("home", N_("Home"), [home.HomeScreen]),
        ("coder", N_("Coding"), [coder.CoderScreen, TranscriptView]),
        ("slots", N_("Code slots (P)"), [coder.SlotsDialog]),
        ("picker", N_("Code picker"), [dialogs.CodePicker]),
        ("documents", N_("Documents"), [documents.DocumentsScreen]),
        ("codebook", N_("Codebook"), [codebook.CodebookScreen]),
        ("retrieval", N_("Excerpts"), [retrieval.RetrievalScreen, RowList]),
        ("memos", N_("Memos"), [memos.MemosScreen]),
        ("participants", N_("Participants"), [participants.ParticipantsScreen]),
        ("queries", N_("Queries"), [queries.QueriesScreen]),
        ("analysis", N_("Matrices / Analysis"), [analysis.AnalysisScreen]),
        ("questions", N_("Evaluation questions"), [questions.QuestionsScreen]),
        ("topics", N_("Topics"), [topics.TopicsScreen]),
        ("autocode", N_("Autocoding"), [autocode.AutocodeScreen]),
        ("review", N_("Review candidate codings"), [review.ReviewScreen]),
        ("import", N_("Import interviews"), [importing.ImportDialog]),
        ("privacy", N_("Privacy"), [privacy.PrivacyScreen, privacy.PoliciesDialog,
                                    privacy.OccurrencesDialog]),
        ("dialogs", N_("Dialogs"), [dialogs.TextInputDialog, dialogs.ConfirmDialog]),
    ]


def bindings_of(cls: type) -> list[Binding]:
    """The bindings a class declares itself (not those it inherits)."""
    return list(Binding.make_bindings(cls.__dict__.get("BINDINGS", [])))


def help_rows(classes: list[type], seen: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """(keys, description) for the bindings of ``classes``, bindings that share a
    description merged (``1 2 … 9``), those already listed in ``seen`` left out."""
    rows: dict[str, list[str]] = {}
    for cls in classes:
        for binding in bindings_of(cls):
            if not binding.description:
                continue
            pair = (binding.key, binding.description)
            if pair in seen:
                continue
            seen.add(pair)
            rows.setdefault(binding.description, []).append(binding.key)
    return [(keys_label(",".join(keys)), _(description)) for description, keys in rows.items()]


class HelpScreen(Localised, ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", N_("Close"))]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help-dialog"):
            yield TrLabel(N_("Help — every key"), classes="dialog-title")
            yield Static(self._text(), id="help-text")

    def _text(self) -> Content:
        parts = []
        seen: set[tuple[str, str]] = set()
        for section, title, classes in help_sections():
            rows = help_rows(classes, seen)
            rows += [(_(keys), _(text)) for keys, text in EXTRA.get(section, [])]
            if not rows:
                continue
            parts.append((f"\n{_(title)}\n", "bold $accent"))
            for keys, text in rows:
                parts += [(f"  {keys:<20} ", "bold"), (text + "\n", "")]
        return Content.assemble(*parts)

    def relabel(self) -> None:
        super().relabel()
        self.query_one("#help-text", Static).update(self._text())

    def action_close(self) -> None:
        self.dismiss(None)
