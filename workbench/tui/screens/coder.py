"""The transcript coder: read, select, code, memo, undo — with the keyboard alone."""
from __future__ import annotations

import gc

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Input, Static

from workbench.tui.i18n import actor, t
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ChoiceDialog, TextInputDialog
from workbench.tui.widgets.transcript import Coding, TranscriptView


class CoderScreen(BaseScreen):
    section = "coder"
    BINDINGS = [
        Binding("c,enter", "code", t("coder.code")),
        *[Binding(str(i), f"recent({i})", show=False) for i in range(1, 10)],
        Binding("x", "remove", t("coder.remove")),
        Binding("m", "memo", t("coder.memo")),
        Binding("u,ctrl+z", "undo", t("coder.undo")),
        Binding("ctrl+r,ctrl+y", "redo", t("coder.redo")),
        Binding("n", "next_uncoded", t("coder.next_uncoded")),
        Binding("a", "attributes", t("coder.attrs")),
        Binding("slash", "search", t("key.search")),
        Binding("g", "documents", t("coder.docs")),
        Binding("q", "back", t("key.back")),
    ]

    def __init__(self, doc_id: int, *, offset: int | None = None,
                 select: tuple[int, int] | None = None) -> None:
        super().__init__()
        project = self.app.project
        self.doc = project.document(doc_id)
        self.doc_id = self.doc.id
        self._text = project.text(self.doc_id)
        self._segments = project.segments(self.doc_id)
        self._codings = self._load_codings()
        self.start_offset = offset
        self.start_select = select
        self._last_search = ""

    def _load_codings(self) -> list[Coding]:
        df = self.app.project.codings(self.doc_id)
        if not len(df):
            return []
        return [Coding(int(r.id), int(r.code_id), int(r.start), int(r.end), r.path,
                       r.colour or "#888888", int(r.memos), r.coder)
                for r in df.itertuples(index=False)]

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def compose(self) -> ComposeResult:
        yield Static(id="coder-title")
        with Horizontal(id="coder-body"):
            yield TranscriptView(id="transcript")
            with VerticalScroll(id="coder-attributes", classes="hidden"):
                yield Static(id="attributes-text")
        yield Static(id="coder-here")
        yield Static(id="coder-recent")
        yield Static(id="coder-status")
        yield Input(placeholder=t("coder.search"), id="coder-search", classes="hidden")
        yield Footer()

    def on_mount(self) -> None:
        d = self.doc
        meta = " · ".join(x for x in (cell(d.programme), actor(d.actor_type),
                                      cell(d.interview_date), cell(d.site)) if x)
        self.query_one("#coder-title", Static).update(
            Content.assemble((d.name, "bold"), ("  " + meta, "dim")))
        self.title = d.name
        view = self.view
        view.load(self._text, self._segments, self._codings, cursor=self.start_offset)
        if self.start_select:
            view.select(*self.start_select)
        view.focus()
        self._update_recent()
        self._update_status()
        gc.freeze()         # long-lived objects out of the collector's way: no GC pauses

    def on_resize(self) -> None:
        self.view.scroll_to_cursor()

    # -- status lines -------------------------------------------------------------------
    def _update_status(self) -> None:
        view = self.view
        sel = view.selection
        sel_text = t("coder.selection", n=sel[1] - sel[0]) if sel else t("coder.no_selection")
        status = t("coder.status", doc=self.doc.name, turn=view.turn + 1,
                   turns=len(view.turns), sel=sel_text)
        self.query_one("#coder-status", Static).update(Content(status))
        here = view.codings_at()
        if here:
            parts = [(t("coder.codings_here") + " : ", "dim")]
            for i, k in enumerate(here):
                parts += [(", " if i else "", "dim"), ("■ ", k.colour), (k.path, "bold"),
                          (" ✎" if k.memos else "", ""), (f" ({k.coder})", "dim")]
            self.query_one("#coder-here", Static).update(Content.assemble(*parts))
        else:
            self.query_one("#coder-here", Static).update("")

    def _update_recent(self) -> None:
        paths = self.app.project.code_paths()
        parts = [(t("coder.recent") + " : ", "dim")]
        for i, cid in enumerate(self.app.recent_codes[:9], 1):
            if cid in paths:
                parts += [(f" {i} ", "reverse"), (f" {paths[cid]}  ", "")]
        self.query_one("#coder-recent", Static).update(Content.assemble(*parts))

    @on(TranscriptView.CursorMoved)
    def _moved(self) -> None:
        self._update_status()

    def refresh_data(self) -> None:
        self._codings = self._load_codings()
        self.view.set_codings(self._codings)
        self._update_recent()

    # -- coding -------------------------------------------------------------------------
    def action_code(self) -> None:
        if self.view.target_span() is None:
            self.notify(t("coder.empty_turn"), severity="warning")
            return
        self.app.pick_code(lambda cid: cid is not None and self.apply(cid),
                           programme=self.doc.programme)

    def action_recent(self, n: int) -> None:
        recent = self.app.recent_codes
        if n > len(recent):
            self.notify(t("coder.recent_none", n=n), severity="warning")
            return
        self.apply(recent[n - 1])

    def apply(self, code_id: int) -> bool:
        view = self.view
        span = view.target_span()
        if span is None:
            self.notify(t("coder.empty_turn"), severity="warning")
            return False
        project = self.app.project
        coding_id = self.app.change(project.apply_code, self.doc_id, code_id, *span)
        if not self.app.ok:
            return False
        self.app.remember_code(code_id)
        view.anchor = view.head = None
        view.sel_mode = None
        info = self.app.attempt(project.code, code_id) or {}
        path = info.get("path", str(code_id))
        if all(k.id != coding_id for k in self._codings):     # no reload: add it in place
            self._codings.append(Coding(int(coding_id), code_id, span[0], span[1], path,
                                        info.get("colour") or "#888888", 0, project.coder))
        view.set_codings(self._codings)
        self._update_recent()
        self.notify(t("coder.coded", code=path))
        return True

    def _choose_coding(self, then) -> None:
        here = self.view.codings_at()
        if not here:
            self.notify(t("coder.no_coding"), severity="warning")
            return
        if len(here) == 1:
            then(here[0])
            return
        choices = [(f"{k.path}  «{self._text[k.start:k.end][:50]}»  ({k.coder})", k) for k in here]
        self.app.push_screen(ChoiceDialog(t("coder.choose_coding"), choices),
                             lambda k: k is not None and then(k))

    def action_remove(self) -> None:
        def remove(k: Coding) -> None:
            self.app.change(self.app.project.remove_coding, k.id)
            if not self.app.ok:
                return
            self.refresh_data()
            self.notify(t("coder.removed", code=k.path))
        self._choose_coding(remove)

    def action_memo(self) -> None:
        def memo(k: Coding) -> None:
            existing = self.app.attempt(self.app.project.memos, "coding", k.id)
            current = existing.iloc[0] if existing is not None and len(existing) else None

            def save(text: str | None) -> None:
                if text is None:
                    return
                p = self.app.project
                if current is not None:
                    self.app.change(p.update_memo, int(current["id"]), text=text)
                else:
                    self.app.change(p.add_memo, "coding", k.id, text)
                if self.app.ok:
                    self.refresh_data()
                    self.notify(t("coder.memo_saved", code=k.path))

            self.app.push_screen(TextInputDialog(
                t("coder.memo_title", code=k.path),
                "" if current is None else (current["text"] or ""), multiline=True), save)
        self._choose_coding(memo)

    def action_undo(self) -> None:
        label = self.app.change(self.app.project.undo)
        if not self.app.ok:
            return
        if label is None:
            self.notify(t("coder.nothing_undo"), severity="warning")
            return
        self.refresh_data()
        self.notify(t("coder.undone", label=label))

    def action_redo(self) -> None:
        label = self.app.change(self.app.project.redo)
        if not self.app.ok:
            return
        if label is None:
            self.notify(t("coder.nothing_redo"), severity="warning")
            return
        self.refresh_data()
        self.notify(t("coder.redone", label=label))

    # -- navigation ---------------------------------------------------------------------
    def action_next_uncoded(self) -> None:
        ti = self.view.next_uncoded_turn()
        if ti is None:
            self.notify(t("coder.no_uncoded"))
            return
        view = self.view
        view.move_to(view.turns[ti].start, unit="turn")

    def action_attributes(self) -> None:
        panel = self.query_one("#coder-attributes")
        panel.toggle_class("hidden")
        if not panel.has_class("hidden"):
            self.app.attempt(self._fill_attributes)

    def _fill_attributes(self) -> None:
        p = self.app.project
        links = p.document_participants(self.doc_id)
        if not links:
            self.query_one("#attributes-text", Static).update(t("coder.no_participants"))
            return
        ids = list(dict.fromkeys(link["participant_id"] for link in links))
        wide = p.participants(ids)
        speakers = {link["participant_id"]: link["speaker"] for link in links}
        parts = []
        for row in wide.to_dict("records"):
            pid = row.pop("participant_id")
            row.pop("documents", None)
            parts.append((f"{pid}", "bold"))
            if speakers.get(pid):
                parts.append((f"  ({speakers[pid]})", "dim"))
            parts.append(("\n", ""))
            for key, value in row.items():
                v = cell(value)
                if v:
                    parts += [(f"  {key}: ", "dim"), (v + "\n", "")]
            parts.append(("\n", ""))
        self.query_one("#attributes-text", Static).update(Content.assemble(*parts))

    def action_search(self) -> None:
        box = self.query_one("#coder-search", Input)
        box.remove_class("hidden")
        box.value = self._last_search
        box.focus()

    @on(Input.Submitted, "#coder-search")
    def _search(self, event: Input.Submitted) -> None:
        self._last_search = event.value
        if not event.value.strip():
            self._close_search()
            return
        if self.view.find(event.value.strip()) is None:
            self.notify(t("coder.not_found", q=event.value), severity="warning")

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#coder-search"):
            event.stop()
            self._close_search()

    def _close_search(self) -> None:
        self.query_one("#coder-search").add_class("hidden")
        self.view.highlight = None
        self.view.refresh()
        self.view.focus()

    def action_documents(self) -> None:
        self.app.action_goto("documents")
