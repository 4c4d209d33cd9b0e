"""The transcript coder: read, select, code, memo, undo — with the keyboard alone."""
from __future__ import annotations

import gc

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from workbench.domain import programme_label
from workbench.i18n import N_, _, colon
from workbench.labels import activity_label, actor_label
from workbench.tui.lang import Localised, TrInput, TrStatic
from workbench.tui.screens.base import BaseScreen, cell
from workbench.tui.screens.dialogs import ChoiceDialog, TextInputDialog
from workbench.tui.widgets.transcript import Coding, TranscriptView

#: The keys of slots 1–9: the digits, and the same keys unshifted on a French (AZERTY)
#: keyboard, where the number row types & é " ' ( - è _ ç.
SLOT_KEYS = {1: ("1", "ampersand"), 2: ("2", "é"), 3: ("3", "quotation_mark"),
             4: ("4", "apostrophe"), 5: ("5", "left_parenthesis"), 6: ("6", "minus"),
             7: ("7", "è"), 8: ("8", "underscore"), 9: ("9", "ç")}
#: How long a message stays in the status line (seconds).
MESSAGE_SECONDS = 8


class CoderScreen(BaseScreen):
    BINDINGS = [
        Binding("c,enter", "code", N_("apply code")),
        *[Binding(",".join(keys), f"slot({i})", N_("apply the code of that slot"), show=False)
          for i, keys in SLOT_KEYS.items()],
        Binding("P", "slots", N_("code slots: pin, choose, empty"), show=False),
        Binding("x", "remove", N_("remove")),
        Binding("m", "memo", N_("memo")),
        Binding("u,ctrl+z", "undo", N_("undo")),
        Binding("ctrl+r,ctrl+y", "redo", N_("redo"), show=False),     # in F1's list
        Binding("n", "next_uncoded", N_("next uncoded")),
        Binding("a", "attributes", N_("attributes"), show=False),
        Binding("slash", "search", N_("Search")),
        Binding("g", "documents", N_("documents"), show=False),
        Binding("q", "back", N_("Back")),
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
        self._message: tuple[str, str] | None = None      # (text, severity)
        self._message_timer = None
        self._drawn = False     # on_mount has loaded the transcript: the status can show

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
        yield Static(id="coder-slots")
        yield Static(id="coder-status")
        yield TrInput(placeholder=N_("Search this interview…"), id="coder-search",
                      classes="hidden")
        yield Footer()

    def on_mount(self) -> None:
        d = self.doc
        meta = " · ".join(x for x in (programme_label(cell(d.programme)), actor_label(d.actor_type),
                                      cell(d.interview_date), cell(d.site)) if x)
        self.query_one("#coder-title", Static).update(
            Content.assemble((d.name, "bold"), ("  " + meta, "dim")))
        self.title = d.name
        view = self.view
        view.load(self._text, self._segments, self._codings, cursor=self.start_offset)
        if self.start_select:
            view.select(*self.start_select)
        view.focus()
        self._drawn = True
        if self._message is not None:       # said before the first drawing
            self._message_timer = self.set_timer(MESSAGE_SECONDS, self._clear_message)
        self._update_slots()
        self._update_status()
        gc.freeze()         # long-lived objects out of the collector's way: no GC pauses

    def on_resize(self) -> None:
        self.view.scroll_to_cursor()

    # -- status lines -------------------------------------------------------------------
    def _update_status(self) -> None:
        if not self._drawn:     # a job's progress before the first drawing: on_mount shows it
            return
        view = self.view
        sel = view.selection
        sel_text = (_("selection: {n} characters").format(n=sel[1] - sel[0]) if sel
                    else _("no selection (v: select the turn)"))
        status = _("{doc} · turn {turn}/{turns} · {sel}").format(
            doc=self.doc.name, turn=view.turn + 1, turns=len(view.turns), sel=sel_text)
        parts = [(status, "")]
        background = self.app.background_status()
        if background:
            parts += [("  ·  ", "dim"), (background, "bold $accent")]
        if self._message:       # first: on a narrow screen the line's end is cut
            text, severity = self._message
            style = {"error": "bold $error", "warning": "bold $warning"}.get(severity,
                                                                           "bold $success")
            parts = [(text, style), ("  ·  ", "dim")] + parts
        self.query_one("#coder-status", Static).update(Content.assemble(*parts))
        here = view.codings_at()
        if here:
            parts = [(colon(_("Codings here")) + " ", "dim")]
            for i, k in enumerate(here):
                parts += [(", " if i else "", "dim"), ("■ ", k.colour), (k.path, "bold"),
                          (" ✎" if k.memos else "", ""), (f" ({k.coder})", "dim")]
            self.query_one("#coder-here", Static).update(Content.assemble(*parts))
        else:
            self.query_one("#coder-here", Static).update("")

    def show_message(self, text: str, severity: str = "information",
                     timeout: float | None = None) -> None:
        """A notification in the status line, under the transcript (never over it)."""
        self._message = (text, severity)
        self._update_status()
        if self._message_timer is not None:
            self._message_timer.stop()
        if self._drawn:
            self._message_timer = self.set_timer(timeout or MESSAGE_SECONDS, self._clear_message)

    def show_background(self, status: str) -> None:
        self._update_status()

    def _clear_message(self) -> None:
        self._message = None
        self._update_status()

    def _update_slots(self) -> None:
        paths = self.app.project.code_paths()
        slots = self.app.code_slots()
        self.slots = {slot: e["code"] for slot, e in slots.items() if e["code"] in paths}
        parts = [(colon(_("Codes")) + " ", "dim")]
        for slot in sorted(self.slots):
            name = paths[self.slots[slot]].rsplit("/", 1)[-1]
            pin = "•" if slots[slot]["pinned"] else ""
            parts += [(f" {slot}{pin} ", "reverse"), (f" {name}  ", "")]
        if not self.slots:
            parts.append((_("none yet (the codes you apply take the keys 1 to 9)"), "dim"))
        self.query_one("#coder-slots", Static).update(Content.assemble(*parts))

    @on(TranscriptView.CursorMoved)
    def _moved(self) -> None:
        self._update_status()

    def refresh_data(self) -> None:
        self._codings = self._load_codings()
        self.view.set_codings(self._codings)
        self._update_slots()

    # -- coding -------------------------------------------------------------------------
    def action_code(self) -> None:
        if self.view.target_span() is None:
            self.notify(_("This turn is empty"), severity="warning")
            return
        self.app.pick_code(lambda cid: cid is not None and self.apply(cid),
                           programme=self.doc.programme)

    def action_slot(self, n: int) -> None:
        code = getattr(self, "slots", {}).get(n)
        if code is None:
            self.notify(_("No code in slot {n} (P: choose one)").format(n=n), severity="warning")
            return
        self.apply(code)

    def action_slots(self) -> None:
        self.app.push_screen(SlotsDialog(), lambda _result: self._update_slots())

    def apply(self, code_id: int) -> bool:
        view = self.view
        span = view.target_span()
        if span is None:
            self.notify(_("This turn is empty"), severity="warning")
            return False
        project = self.app.project
        coding_id = self.app.change(project.apply_code, self.doc_id, code_id, *span)
        if not self.app.ok:
            return False
        self.app.attempt(project.use_code_slot, code_id)
        # the selection stays: a second code on the same words is one key away
        info = self.app.attempt(project.code, code_id) or {}
        path = info.get("path", str(code_id))
        if all(k.id != coding_id for k in self._codings):     # no reload: add it in place
            self._codings.append(Coding(int(coding_id), code_id, span[0], span[1], path,
                                        info.get("colour") or "#888888", 0, project.coder))
        view.set_codings(self._codings)
        self._update_slots()
        self.notify(_("Coded: {code}").format(code=path))
        return True

    def _choose_coding(self, then) -> None:
        here = self.view.codings_at()
        if not here:
            self.notify(_("No coding under the cursor"), severity="warning")
            return
        if len(here) == 1:
            then(here[0])
            return
        words = self.app.project.spans_words((self.doc_id, k.start, k.end) for k in here)
        choices = [(f"{k.path}  «{' '.join(w.split())[:50]}»  ({k.coder})", k)
                   for k, w in zip(here, words)]
        self.app.push_screen(ChoiceDialog(_("Which coding?"), choices),
                             lambda k: k is not None and then(k))

    def action_remove(self) -> None:
        def remove(k: Coding) -> None:
            self.app.change(self.app.project.remove_coding, k.id)
            if not self.app.ok:
                return
            self.refresh_data()
            self.notify(_("Coding removed: {code}").format(code=k.path))
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
                    self.notify(_("Memo saved on {code}").format(code=k.path))

            self.app.push_screen(TextInputDialog(
                _("Memo on coding {code}").format(code=k.path),
                "" if current is None else (current["text"] or ""), multiline=True), save)
        self._choose_coding(memo)

    def action_undo(self) -> None:
        label = self.app.change(self.app.project.undo)
        if not self.app.ok:
            return
        if label is None:
            self.notify(_("Nothing to undo"), severity="warning")
            return
        self.refresh_data()
        self.notify(_("Undone: {label}").format(label=activity_label(label)))

    def action_redo(self) -> None:
        label = self.app.change(self.app.project.redo)
        if not self.app.ok:
            return
        if label is None:
            self.notify(_("Nothing to redo"), severity="warning")
            return
        self.refresh_data()
        self.notify(_("Redone: {label}").format(label=activity_label(label)))

    # -- navigation ---------------------------------------------------------------------
    def action_next_uncoded(self) -> None:
        ti = self.view.next_uncoded_turn()
        if ti is None:
            self.notify(_("No uncoded turn after the cursor"))
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
            self.query_one("#attributes-text", Static).update(
                _("No participant linked to this document."))
            return
        ids = list(dict.fromkeys(link["participant_id"] for link in links))
        wide = p.participants(ids, typed=False)         # as imported: 47, non, 2021-10-04
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
                    parts += [("  " + colon(key) + " ", "dim"), (v + "\n", "")]
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
            self.notify(_("“{q}” not found").format(q=event.value), severity="warning")

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


class SlotsDialog(Localised, ModalScreen[None]):
    """The nine code slots: enter pins or unpins a slot, c puts a code in it (pinned),
    delete empties it."""

    BINDINGS = [Binding("escape,q", "close", N_("Close")),
                Binding("c", "choose", N_("put a code in the slot")),
                Binding("delete", "empty", N_("empty the slot")),
                Binding("space", "pin", N_("pin / unpin"), show=False)]

    def compose(self):
        with Vertical(classes="dialog"):
            yield Label(_("Code slots (keys 1 to 9)"), classes="dialog-title")
            yield OptionList(id="slots")
            yield TrStatic(N_("enter: pin or unpin · c: put a code in the slot · "
                              "delete: empty it · a pinned code keeps its key"),
                           classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        paths = self.app.project.code_paths()
        slots = self.app.code_slots()
        ol = self.query_one(OptionList)
        keep = ol.highlighted or 0
        options = []
        for slot in range(1, 10):
            e = slots.get(slot)
            if e is None or e["code"] not in paths:
                options.append(Option(Content.assemble((f" {slot} ", "reverse"),
                                                       ("  " + _("(empty)"), "dim"))))
            else:
                pin = "  • " + _("pinned") if e["pinned"] else ""
                options.append(Option(Content.assemble((f" {slot} ", "reverse"),
                                                       ("  " + paths[e["code"]], "bold"),
                                                       (pin, "italic"))))
        ol.set_options(options)
        ol.highlighted = keep

    def _slot(self) -> int:
        return (self.query_one(OptionList).highlighted or 0) + 1

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:          # enter
        self.action_pin()

    def action_pin(self) -> None:
        slot = self._slot()
        entry = self.app.code_slots().get(slot)
        if entry is not None:
            self.app.attempt(self.app.project.pin_code_slot, slot, not entry["pinned"])
            self._fill()

    def action_choose(self) -> None:
        slot = self._slot()

        def chosen(code):
            if code is not None:
                self.app.attempt(self.app.project.put_code_in_slot, slot, code)
                self._fill()
        self.app.pick_code(chosen, title=_("Code for slot {slot}").format(slot=slot),
                           allow_create=False)

    def action_empty(self) -> None:
        self.app.attempt(self.app.project.clear_code_slot, self._slot())
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)
