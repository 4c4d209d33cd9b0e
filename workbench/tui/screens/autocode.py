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

from workbench.tui.i18n import actor, t
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog
from workbench.tui.widgets.rowlist import RowList

KINDS = ("keyword", "regex", "lemma", "speaker", "actor", "position", "section")
SPANS = ("segment", "match", "sentence")


class AutocodeScreen(BaseScreen):
    CSS_PATH = "../topics.tcss"
    section = "autocode"
    BINDINGS = [
        Binding("q", "back", t("key.back")),
        Binding("c", "choose_code", t("auto.code_key")),
        Binding("e", "edit", t("auto.edit_key")),
        Binding("p", "preview", t("auto.preview")),
        Binding("a", "apply(False)", t("auto.apply")),
        Binding("A", "apply(True)", t("auto.apply_accepted")),
        Binding("v", "review", t("auto.review")),
        Binding("escape", "escape", show=False),
    ]

    def __init__(self, code: int | None = None, **kwargs) -> None:
        super().__init__()
        self.code = code
        self.matches: list[dict] = []
        self.previewed = None          # the rule of the listed matches

    def compose(self) -> ComposeResult:
        from workbench.domain import ACTOR_TYPES
        programmes = sorted({cell(p) for p in self.project.documents()["programme"] if cell(p)})
        yield Header()
        yield Static(id="auto-code", classes="section-title")
        with Horizontal(classes="filters auto-row"):
            yield Select([(t(f"auto.kind_{k}"), k) for k in KINDS], value="keyword", allow_blank=False,
                         id="auto-kind")
            yield Input(placeholder=t("auto.pattern"), id="auto-pattern")
            yield Select([(t(f"auto.span_{s}"), s) for s in SPANS], value="segment",
                         allow_blank=False, id="auto-span")
        with Horizontal(classes="filters auto-row"):
            yield Select([(p, p) for p in programmes], prompt=t("topics.programme"),
                         id="auto-programme")
            yield Select([(actor(a), a) for a in ACTOR_TYPES], prompt=t("topics.actor"),
                         id="auto-actor")
            yield Checkbox(t("auto.interviewer"), id="auto-interviewer")
            yield Button(t("auto.preview").capitalize(), id="auto-preview", variant="primary")
            yield Button(t("auto.apply").capitalize(), id="auto-apply")
        yield Static(t("auto.hint"), id="auto-hint", classes="list-status")
        yield Static(classes="list-status", id="auto-status")
        yield RowList(id="auto-table", classes="list")
        yield Static(id="auto-preview-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("screen.autocode")
        self._show_code()
        self.query_one("#auto-pattern").focus()

    def _show_code(self) -> None:
        path = self.project.code_paths().get(self.code) if self.code is not None else None
        self.query_one("#auto-code", Static).update(Content(
            t("auto.code", code=path) if path else t("auto.no_code")))

    def refresh_data(self) -> None:
        self._show_code()

    # -- the rule --------------------------------------------------------------------------
    def _select(self, wid: str):
        value = self.query_one(wid, Select).value
        return None if value is Select.NULL else value

    def rule(self):
        from workbench.coding.autocode import Rule
        return Rule(kind=self._select("#auto-kind"),
                    pattern=self.query_one("#auto-pattern", Input).value.strip(),
                    span=self._select("#auto-span"), programme=self._select("#auto-programme"),
                    actor_type=self._select("#auto-actor"),
                    include_interviewer=self.query_one("#auto-interviewer", Checkbox).value)

    def _ready(self):
        rule = self.rule()
        if not rule.pattern:
            self.notify(t("auto.need_pattern"), severity="warning")
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
            table.set_data([(t("ret.document"), 24), (t("ret.speaker"), 14), ("#", 4),
                            (t("ret.text"), None)],
                           [(cell(m["document"]), cell(m["speaker"]), str(m["position"]),
                             cell(m["text"])) for m in self.matches])
            docs = len({m["document_id"] for m in self.matches})
            key = "auto.preview_cancelled" if state.get("cancelled") else "auto.preview_done"
            self.query_one("#auto-status", Static).update(Content(
                t(key, n=len(self.matches), docs=docs, rule=rule.describe())))
            self._show_match(0 if self.matches else None)
            table.focus()

        self.app.run_long(t("auto.previewing", rule=rule.describe()), job, done)

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
            self.app.pick_code(chosen, title=t("auto.choose_code"))
            return
        code = self.code
        path = self.project.code_paths()[code]
        key = "auto.confirm_accepted" if accept else "auto.confirm"
        self.app.push_screen(ConfirmDialog(t(key, rule=rule.describe(), code=path)),
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
                self.notify(t("auto.apply_cancelled"), severity="warning")
                return
            key = "auto.applied_accepted" if accept else "auto.applied"
            self.notify(t(key, n=result["written"], matches=result["matches"],
                          docs=result["documents"], code=path))
            self.query_one("#auto-status", Static).update(Content(
                t(key, n=result["written"], matches=result["matches"], docs=result["documents"],
                  code=path)))

        self.app.run_long(t("auto.applying", code=path), job, done)

    def action_choose_code(self) -> None:
        def chosen(cid):
            if cid is not None:
                self.code = int(cid)
                self._show_code()
        self.app.pick_code(chosen, title=t("auto.choose_code"))

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
