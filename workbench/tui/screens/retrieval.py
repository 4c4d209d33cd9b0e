"""Retrieval: every excerpt of a code (or of an evaluation question) with its document,
speaker, actor type and participant attributes; filter; open in context."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Header, Input, Static

from workbench.tui.fuzzy import fold
from workbench.i18n import N_, _, ngettext
from workbench.labels import actor_label
from workbench.tui.lang import TrInput
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ChoiceDialog
from workbench.tui.widgets.rowlist import RowList


class RetrievalScreen(BaseScreen):
    TITLE = N_("Excerpts")
    BINDINGS = [
        Binding("q", "back", N_("Back")),
        Binding("c", "choose_code", N_("Code")),
        Binding("e", "choose_question", N_("Evaluation question")),
        Binding("slash", "filter", N_("Filter")),
        Binding("escape", "clear_filter", N_("clear the filter"), show=False),
    ]

    def __init__(self, code: int | None = None, question: str | None = None, **kwargs) -> None:
        super().__init__()
        self.code, self.question = code, question
        self.rows: list[dict] = []
        self._keys: list[int] = []
        self._attrs: dict[str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("Choose a code (c) or an evaluation question (e)"), id="ret-title",
                     classes="section-title")
        yield TrInput(placeholder=N_("Filter (document, speaker, text, attribute)…"),
                      id="ret-filter")
        yield Static(classes="list-status", id="ret-status")
        yield RowList(id="ret-table", classes="list")
        yield Static(id="excerpt-preview")
        yield Footer()

    def on_mount(self) -> None:
        if self.code is not None or self.question is not None:
            self.app.attempt(self.refresh_data)
        self.query_one("#ret-table").focus()
        if self.code is None and self.question is None:
            self.call_after_refresh(self.action_choose_code)

    def _attributes(self) -> dict[str, str]:
        """Document name → participants' attributes, as one short line."""
        if self._attrs is None:
            wide = self.project.participants(typed=False)   # as imported
            out: dict[str, list[str]] = {}
            cols = [c for c in wide.columns if c not in ("participant_id", "documents")]
            for row in wide.itertuples(index=False):
                values = [cell(v) for v in row[1:1 + len(cols)]]
                desc = row[0] + " " + ", ".join(f"{c}={v}" for c, v in zip(cols, values) if v)
                for doc in (cell(row[-1]) or "").split(";"):
                    if doc:
                        out.setdefault(doc, []).append(desc)
            self._attrs = {k: " | ".join(v) for k, v in out.items()}
        return self._attrs

    def refresh_data(self) -> None:
        p = self.project
        if self.code is not None:
            df = p.excerpts(self.code)
            label = p.code_paths().get(self.code, str(self.code))
        elif self.question is not None:
            codes = p.codes()
            ids = [int(r.id) for r in codes.itertuples(index=False)
                   if self.question in (r.questions or "").split(";")]
            frames = [p.excerpts(cid, descendants=False) for cid in ids]
            records = [r for f in frames for r in f.to_dict("records")]
            label = _("Question {q}").format(q=self.question)
        else:
            return
        self._attrs = None
        attrs = self._attributes()
        self.rows = []
        if self.code is not None:
            cols = list(df.columns)
            records = [dict(zip(cols, values)) for values in zip(*(df[c].tolist() for c in cols))]
        for r in records:
            r["attributes"] = attrs.get(r.get("document"), "")
            self.rows.append(r)
        self.label = label
        self._fill()

    def _fill(self) -> None:
        q = fold(self.query_one("#ret-filter", Input).value.strip())
        words = q.split()
        rows, keys = [], []
        for i, r in enumerate(self.rows):
            values = (cell(r["document"]), cell(r["speaker"]), actor_label(r["actor_type"]),
                      cell(r["code"]), cell(r["text"]), cell(r["attributes"]))
            if words:
                hay = r.get("_folded")
                if hay is None:
                    hay = r["_folded"] = fold(" ".join(values))
                if not all(w in hay for w in words):
                    continue
            rows.append(values)
            keys.append(i)
        self._keys = keys
        table = self.query_one("#ret-table", RowList)
        # document names are short (AV-BEN-01): their column no wider than they are
        doc_width = max([len(_("Document"))] + [len(v[0]) for v in rows[:2000]])
        table.set_data([(_("Document"), min(24, doc_width)), (_("Speaker"), 12), (_("Actor"), 12),
                        (_("Code"), 18), (_("Excerpt"), None), (_("Attributes"), 30)],
                       rows, keys)
        n = len(self.rows)
        self.query_one("#ret-title", Static).update(Content(ngettext(
            "{n} excerpt of “{code}”", "{n} excerpts of “{code}”", n).format(n=n, code=self.label)))
        self.query_one("#ret-status", Static).update(Content(ngettext(
            "{shown}/{n} shown", "{shown}/{n} shown", len(rows)).format(shown=len(rows), n=n)))
        self._preview(keys[0] if keys else None)

    def _preview(self, index: int | None) -> None:
        box = self.query_one("#excerpt-preview", Static)
        if index is None or not (0 <= index < len(self.rows)):
            box.update("")
            return
        r = self.rows[index]
        box.update(Content.assemble(
            (f"{r['document']}", "bold"), (f" · {cell(r['speaker'])} · {actor_label(r['actor_type'])}"
                                           f" · {r['code']} · {cell(r['coder'])}\n", "dim"),
            (cell(r["text"]), ""), (f"\n{cell(r['attributes'])}", "dim italic")))

    @on(RowList.Highlighted, "#ret-table")
    def _highlighted(self, event: RowList.Highlighted) -> None:
        if isinstance(event, RowList.Selected):
            return
        if 0 <= event.index < len(self._keys):
            self._preview(self._keys[event.index])

    @on(RowList.Selected, "#ret-table")
    def _open(self, event: RowList.Selected) -> None:
        r = self.rows[self._keys[event.index]]
        s, e = int(r["start"]), int(r["end"])
        self.app.open_document(int(r["document_id"]), offset=s, select=(s, e))

    @on(Input.Changed, "#ret-filter")
    def _filter(self) -> None:
        if self.rows:
            self._fill()

    @on(Input.Submitted, "#ret-filter")
    def _filter_done(self) -> None:
        self.query_one("#ret-table").focus()

    def action_filter(self) -> None:
        self.query_one("#ret-filter").focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#ret-filter", Input)
        if box.value:
            box.value = ""
        self.query_one("#ret-table").focus()

    def action_choose_code(self) -> None:
        def chosen(cid):
            if cid is not None:
                self.code, self.question = cid, None
                self.app.attempt(self.refresh_data)
                self.query_one("#ret-table").focus()
        self.app.pick_code(chosen, title=_("Show the excerpts of the code…"), allow_create=False)

    def action_choose_question(self) -> None:
        questions = sorted({q for qs in self.project.codes()["questions"] for q in (qs or "").split(";")
                            if q})
        if not questions:
            self.notify(_("No evaluation question is linked to a code"), severity="warning")
            return

        def chosen(q):
            if q is not None:
                self.code, self.question = None, q
                self.app.attempt(self.refresh_data)
        self.app.push_screen(ChoiceDialog(_("Show the excerpts of the evaluation question…"),
                                          [(q, q) for q in questions]),
                             chosen)
