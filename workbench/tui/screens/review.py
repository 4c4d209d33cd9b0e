"""Review: candidate codings written by autocoding rules or promoted topics, to accept
or remove one by one or all at once (the filtered list); enter opens in context."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Header, Input, Static

from workbench.tui.fuzzy import fold
from workbench.i18n import N_, _, ngettext
from workbench.labels import origin_label
from workbench.tui.lang import TrInput
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ConfirmDialog
from workbench.tui.widgets.rowlist import RowList

ORIGINS = (None, "rule", "topic")


class ReviewScreen(BaseScreen):
    CSS_PATH = "../topics.tcss"
    TITLE = N_("Review candidate codings")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("a", "accept", N_("accept")),
        Binding("x,delete", "remove", N_("remove")),
        Binding("A", "accept_all", N_("accept all")),
        Binding("X", "remove_all", N_("remove all")),
        Binding("o", "origin", N_("origin")),
        Binding("c", "choose_code", N_("code filter")),
        Binding("slash", "filter", N_("Filter")),
        Binding("escape", "clear_filter", N_("clear the filter"), show=False),
    ]

    def __init__(self, code: int | None = None, rule: str | None = None,
                 origin: str | None = None, **kwargs) -> None:
        super().__init__()
        self.code, self.rule, self.origin = code, rule, origin
        self.rows: list[dict] = []
        self._keys: list[int] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-title", classes="section-title")
        yield TrInput(placeholder=N_("Filter (code, rule, document, text)…"), id="review-filter")
        yield Static(classes="list-status", id="review-status")
        yield RowList(id="review-table", classes="list")
        yield Static(id="review-preview")
        yield Footer()

    def on_mount(self) -> None:
        self.app.attempt(self.refresh_data)
        self.query_one("#review-table").focus()

    def refresh_data(self) -> None:
        df = self.project.review_candidates(code=self.code, rule=self.rule, origin=self.origin)
        names = dict(zip(self.project.documents()["id"].astype(int),
                         self.project.documents()["name"]))
        cols = list(df.columns)
        self.rows = []
        for values in df.itertuples(index=False):
            r = dict(zip(cols, values))
            r["document"] = names.get(int(r["document_id"]), str(r["document_id"]))
            self.rows.append(r)
        self._fill()

    def _fill(self, keep: int | None = None) -> None:
        words = fold(self.query_one("#review-filter", Input).value.strip()).split()
        rows, keys = [], []
        for i, r in enumerate(self.rows):
            values = (cell(r["code"]), origin_label(r["origin"]), cell(r["rule"]),
                      cell(r["document"]), cell(r["text"]))
            if words and not all(w in fold(" ".join(values)) for w in words):
                continue
            rows.append(values)
            keys.append(i)
        self._keys = keys
        table = self.query_one("#review-table", RowList)
        table.set_data([(_("Code"), 22), (_("Origin"), 8), (_("Rule"), 24),
                        (_("Document"), 22), (_("Excerpt"), None)], rows, keys)
        if keep is not None and keys:
            table.move_cursor(min(keep, len(keys) - 1))
        scope = []
        if self.code is not None:
            scope.append(self.project.code_paths().get(self.code, str(self.code)))
        if self.rule:
            scope.append(self.rule)
        if self.origin:
            scope.append(origin_label(self.origin))
        n = len(self.rows)
        self.query_one("#review-title", Static).update(Content(
            ngettext("{n} candidate coding", "{n} candidate codings", n).format(n=n)
            + (f" — {' · '.join(scope)}" if scope else "")))
        self.query_one("#review-status", Static).update(Content(ngettext(
            "{shown}/{n} shown · a accept · x remove · A/X all (the filtered list) · o origin · "
            "enter: open",
            "{shown}/{n} shown · a accept · x remove · A/X all (the filtered list) · o origin · "
            "enter: open", len(rows)).format(shown=len(rows), n=n)))
        self._preview(table.cursor if keys else None)

    def _preview(self, index: int | None) -> None:
        box = self.query_one("#review-preview", Static)
        if index is None or not (0 <= index < len(self._keys)):
            box.update(_("No candidate coding to review.") if not self._keys else "")
            return
        r = self.rows[self._keys[index]]
        box.update(Content.assemble((cell(r["document"]), "bold"),
                                    (f" · {cell(r['code'])} · {cell(r['rule'])} · "
                                     f"{cell(r['coder'])}\n", "dim"), (cell(r["text"]), "")))

    @on(RowList.Highlighted, "#review-table")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if not isinstance(event, RowList.Selected):
            self._preview(event.index)

    @on(RowList.Selected, "#review-table")
    def _open(self, event: RowList.Selected) -> None:
        if 0 <= event.index < len(self._keys):
            r = self.rows[self._keys[event.index]]
            s, e = int(r["start"]), int(r["end"])
            self.app.open_document(int(r["document_id"]), offset=s, select=(s, e))

    # -- decisions -------------------------------------------------------------------------
    def _current(self) -> tuple[int, dict] | None:
        table = self.query_one("#review-table", RowList)
        if not self._keys:
            return None
        return table.cursor, self.rows[self._keys[table.cursor]]

    def _decide(self, ids: list[int], accept: bool, keep: int | None) -> None:
        if not ids:
            return
        fn = self.project.accept_codings if accept else self.project.reject_codings
        n = self.app.change(fn, ids)
        if self.app.ok:
            self.refresh_data()
            self._fill(keep)
            n = n or 0
            self.notify((ngettext("{n} coding accepted", "{n} codings accepted", n) if accept
                         else ngettext("{n} coding removed", "{n} codings removed", n)).format(n=n))

    def action_accept(self) -> None:
        cur = self._current()
        if cur:
            self._decide([int(cur[1]["id"])], True, cur[0])

    def action_remove(self) -> None:
        cur = self._current()
        if cur:
            self._decide([int(cur[1]["id"])], False, cur[0])

    def _all(self, accept: bool) -> None:
        ids = [int(self.rows[i]["id"]) for i in self._keys]
        if not ids:
            return
        n = len(ids)
        question = (ngettext("Accept the {n} coding shown?", "Accept the {n} codings shown?", n)
                    if accept else
                    ngettext("Remove the {n} coding shown?", "Remove the {n} codings shown?", n))
        self.app.push_screen(ConfirmDialog(question.format(n=n)),
                             lambda yes: yes and self._decide(ids, accept, 0))

    def action_accept_all(self) -> None:
        self._all(True)

    def action_remove_all(self) -> None:
        self._all(False)

    def action_origin(self) -> None:
        self.origin = ORIGINS[(ORIGINS.index(self.origin) + 1) % len(ORIGINS)]
        self.app.attempt(self.refresh_data)

    def action_choose_code(self) -> None:
        def chosen(value):
            if value is None:
                return
            self.code = None if value == "*" else int(value)
            self.app.attempt(self.refresh_data)
        self.app.pick_code(chosen, title=_("Show the candidate codings of the code…"),
                           allow_create=False, extra=[(_("(all codes)"), "*")])

    @on(Input.Changed, "#review-filter")
    def _filter(self) -> None:
        self._fill()

    @on(Input.Submitted, "#review-filter")
    def _filter_done(self) -> None:
        self.query_one("#review-table").focus()

    def action_filter(self) -> None:
        self.query_one("#review-filter").focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#review-filter", Input)
        if box.value:
            box.value = ""
        elif self.focused is self.query_one("#review-table"):
            self.action_back()
            return
        self.query_one("#review-table").focus()
