"""Autocode: a rule (keyword, regex, lemma, speaker, actor, position, section) with its
span and scope; Preview lists what it would code (nothing written), Apply writes the
codings as candidates (or accepted) for review.  Both run in a cancellable worker."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Button, Checkbox, Footer, Header, Input, Select, Static

from workbench.public import RULE_KINDS as KINDS, RULE_SPANS as SPANS
from workbench.i18n import N_, _, ngettext
from workbench.labels import ACTOR_LABELS
from workbench.tui.lang import TrButton, TrInput, TrSelect, TrStatic
from workbench.domain import programme_label
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog
from workbench.tui.widgets.rowlist import RowList


def passages_in_documents(n: int, docs: int) -> str:
    """"3 passages in 2 documents"."""
    return _("{passages} in {documents}").format(
        passages=ngettext("{n} passage", "{n} passages", n).format(n=n),
        documents=ngettext("{n} document", "{n} documents", docs).format(n=docs))


class AutocodeScreen(BaseScreen):
    CSS_PATH = "../topics.tcss"
    TITLE = N_("Autocoding")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("c", "choose_code", N_("target code")),
        Binding("e", "edit", N_("rule")),
        Binding("p", "preview", N_("preview")),
        Binding("a", "apply(False)", N_("apply")),
        Binding("A", "apply(True)", N_("apply (accepted)")),
        Binding("v", "review", N_("review")),
        Binding("escape", "escape", N_("to the results, then back"), show=False),
    ]

    def __init__(self, code: int | None = None, **kwargs) -> None:
        super().__init__()
        self.code = code
        self.matches: list[dict] = []
        self.previewed = None          # the rule of the listed matches

    def compose(self) -> ComposeResult:
        programmes = sorted({cell(p) for p in self.project.documents()["programme"] if cell(p)})
        yield Header()
        yield Static(id="auto-code", classes="section-title")
        with Horizontal(classes="filters auto-row"):
            yield TrSelect([(m, k) for k, m in KINDS.items()], value="keyword",
                           allow_blank=False, id="auto-kind")
            yield TrInput(placeholder=N_("Pattern (word|other word, regex, lemma, speaker, N-M…)"),
                          id="auto-pattern")
            yield TrSelect([(m, k) for k, m in SPANS.items()], value="segment",
                           allow_blank=False, id="auto-span")
        with Horizontal(classes="filters auto-row"):
            yield TrSelect([], prompt=N_("Programme"), id="auto-programme")
            yield TrSelect([(m, a) for a, m in ACTOR_LABELS.items()], prompt=N_("Actor"),
                           id="auto-actor")
            yield Checkbox(_("include interviewer"), id="auto-interviewer")
            yield TrButton(N_("Preview"), id="auto-preview", variant="primary")
            yield TrButton(N_("Apply"), id="auto-apply")
        yield TrStatic(N_("enter: preview · a: apply as candidates · A: apply accepted · "
                          "c: code · v: review · enter on a result: open"),
                       id="auto-hint", classes="list-status")
        yield Static(classes="list-status", id="auto-status")
        yield RowList(id="auto-table", classes="list")
        yield Static(id="auto-preview-text")
        yield Footer()

    def on_mount(self) -> None:
        programmes = sorted({cell(p) for p in self.project.documents()["programme"] if cell(p)})
        self.query_one("#auto-programme", Select).set_options(
            [(programme_label(p), p) for p in programmes])
        self._show_code()
        self.query_one("#auto-pattern").focus()

    def _show_code(self) -> None:
        path = self.project.code_paths().get(self.code) if self.code is not None else None
        self.query_one("#auto-code", Static).update(Content(
            _("Target code: {code}").format(code=path) if path
            else _("Target code: none (c to choose)")))

    def refresh_data(self) -> None:
        self._show_code()

    # -- the rule --------------------------------------------------------------------------
    def _select(self, wid: str):
        value = self.query_one(wid, Select).value
        return None if value is Select.NULL else value

    def rule(self):
        from workbench.public import Rule
        return Rule(kind=self._select("#auto-kind"),
                    pattern=self.query_one("#auto-pattern", Input).value.strip(),
                    span=self._select("#auto-span"), programme=self._select("#auto-programme"),
                    actor_type=self._select("#auto-actor"),
                    include_interviewer=self.query_one("#auto-interviewer", Checkbox).value)

    def _ready(self):
        rule = self.rule()
        if not rule.pattern:
            self.notify(_("Type a pattern first"), severity="warning")
            self.query_one("#auto-pattern").focus()
            return None
        return rule

    # -- preview -----------------------------------------------------------------------------
    def action_preview(self) -> None:
        rule = self._ready()
        if rule is None:
            return
        state = {}

        def job(progress, cancelled):
            df = self.project.autocode_preview(
                rule, progress=lambda d, n, what="": progress(d, n, what), cancelled=cancelled)
            state["cancelled"] = cancelled()
            return df

        def done(df):
            self.preview_frame = None if state.get("cancelled") else df
            cols = list(df.columns)
            self.matches = [dict(zip(cols, values)) for values in df.itertuples(index=False)]
            self.previewed = None if state.get("cancelled") else rule
            table = self.query_one("#auto-table", RowList)
            table.set_data([(_("Document"), 24), (_("Speaker"), 14), ("#", 4),
                            (_("Excerpt"), None)],
                           [(cell(m["document"]), cell(m["speaker"]), str(m["position"]),
                             cell(m["text"])) for m in self.matches])
            docs = len({m["document_id"] for m in self.matches})
            found = passages_in_documents(len(self.matches), docs)
            message = (_("Preview stopped: {found} — {rule}") if state.get("cancelled")
                       else _("{found} — {rule} (nothing written)"))
            self.query_one("#auto-status", Static).update(Content(
                message.format(found=found, rule=rule.label())))
            self._show_match(0 if self.matches else None)
            table.focus()

        self.app.run_long(_("Previewing rule {rule}…").format(rule=rule.label()), job, done)

    def _show_match(self, index: int | None) -> None:
        box = self.query_one("#auto-preview-text", Static)
        if index is None or not (0 <= index < len(self.matches)):
            box.update("")
            return
        m = self.matches[index]
        box.update(Content.assemble((cell(m["document"]), "bold"),
                                    (f" · {cell(m['speaker'])}\n", "dim"), (cell(m["text"]), "")))

    @on(RowList.Highlighted, "#auto-table")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if not isinstance(event, RowList.Selected):
            self._show_match(event.index)

    @on(RowList.Selected, "#auto-table")
    def _open(self, event: RowList.Selected) -> None:
        if 0 <= event.index < len(self.matches):
            m = self.matches[event.index]
            s, e = int(m["start"]), int(m["end"])
            self.app.open_document(int(m["document_id"]), offset=s, select=(s, e))

    # -- apply ---------------------------------------------------------------------------
    def action_apply(self, accept: bool = False) -> None:
        rule = self._ready()
        if rule is None:
            return
        if self.code is None or self.code not in self.project.code_paths():
            def chosen(cid):
                if cid is not None:
                    self.code = int(cid)
                    self._show_code()
                    self.action_apply(accept)
            self.app.pick_code(chosen, title=_("Code to apply"))
            return
        code = self.code
        path = self.project.code_paths()[code]
        question = (_("Write the passages of rule {rule} as ACCEPTED codings of “{code}”?")
                    if accept else
                    _("Write the passages of rule {rule} as candidate codings of “{code}” (to review)?"))
        self.app.push_screen(ConfirmDialog(question.format(rule=rule.label(), code=path)),
                             lambda yes: yes and self._apply(rule, code, path, accept))

    def _apply(self, rule, code: int, path: str, accept: bool) -> None:

        # what the user previewed for this very rule is written as is (no second pass)
        preview = getattr(self, "preview_frame", None) if self.previewed == rule else None

        def job(progress, cancelled):
            return self.project.autocode(code, rule, accept=accept, preview=preview,
                                         progress=lambda d, n, what="": progress(d, n, what),
                                         cancelled=cancelled)

        def done(result):
            if result.get("cancelled"):
                self.notify(_("Autocoding cancelled: nothing was written"),
                            severity="warning")
                return
            n = result["written"]
            written = (ngettext("{n} accepted coding written", "{n} accepted codings written", n)
                       if accept else
                       ngettext("{n} candidate coding written", "{n} candidate codings written", n))
            message = _("{written} ({found}) with “{code}”").format(
                written=written.format(n=n), code=path,
                found=passages_in_documents(result["matches"], result["documents"]))
            self.notify(message)
            self.query_one("#auto-status", Static).update(Content(message))

        self.app.run_long(_("Autocoding with {code}…").format(code=path), job, done)

    def action_choose_code(self) -> None:
        def chosen(cid):
            if cid is not None:
                self.code = int(cid)
                self._show_code()
        self.app.pick_code(chosen, title=_("Code to apply"))

    def action_edit(self) -> None:
        self.query_one("#auto-pattern").focus()

    def action_review(self) -> None:
        from workbench.tui.screens.review import ReviewScreen
        self.app.push_screen(ReviewScreen(code=self.code, origin="rule"))

    def action_escape(self) -> None:
        if self.focused is self.query_one("#auto-table"):
            self.action_back()
        else:
            self.query_one("#auto-table").focus()

    @on(Input.Submitted, "#auto-pattern")
    def _submitted(self) -> None:
        self.action_preview()

    @on(Button.Pressed, "#auto-preview")
    def _preview_pressed(self) -> None:
        self.action_preview()

    @on(Button.Pressed, "#auto-apply")
    def _apply_pressed(self) -> None:
        self.action_apply(False)
