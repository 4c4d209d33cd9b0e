"""The transcript view: speaker turns, coding marks and a code-name margin, drawn with
Textual's Line API so that only the visible lines are rendered (a 20,000-word
interview opens and scrolls as fast as a short one).

The view knows nothing about the project: the coder screen gives it the text, the
segments and the codings (plain tuples), and reacts to its messages.  The cursor is a
character offset in the document text; the selection is the span between an *anchor*
unit and the unit under the cursor (a turn, a sentence or a word).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.i18n import N_

WORD = re.compile(r"[\w’'\-]+|[^\w\s]+")
SENTENCE_END = re.compile(r"[.!?…]+[»”\"')\]]*\s+")
GUTTER = 2
MAX_LANES = 4


@dataclass(frozen=True)
class Coding:
    id: int
    code_id: int
    start: int
    end: int
    path: str
    colour: str
    memos: int = 0
    coder: str = ""


@dataclass
class Turn:
    index: int
    start: int          # body start (speaker label excluded)
    end: int
    speaker: str | None
    timestamp: float | None
    is_interviewer: bool
    kind: str
    front_matter: bool = False


@dataclass(frozen=True)
class Line:
    kind: str           # header | text | blank
    turn: int
    start: int = 0
    end: int = 0


def _wrap_label(label: str, width: int, lines: int) -> list[str]:
    """``label`` on at most ``lines`` lines of ``width`` cells, cut at spaces when it
    can be; what does not fit ends with an ellipsis."""
    words, out, current = label.split(" "), [], ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
            continue
        if current:
            out.append(current)
        current = word
        while len(current) > width:
            out.append(current[:width])
            current = current[width:]
    if current:
        out.append(current)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][:width - 1] + "…"
    return out


def format_timestamp(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def body_span(text: str, segment) -> tuple[int, int]:
    """The turn's words: from the segment's stored ``body_start`` (after the speaker
    label and any written timestamp) to its end, without surrounding blanks."""
    start, end = segment.words
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def wrap(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:end]`` into (start, end) offsets, one per line;
    a line keeps its trailing space so that the lines tile the text exactly."""
    width = max(8, width)
    out: list[tuple[int, int]] = []
    pos = start
    find, rfind = text.find, text.rfind
    while True:
        nl = find("\n", pos, end)
        para_end = end if nl < 0 else nl
        line_start = pos
        while para_end - line_start > width:
            cut = rfind(" ", line_start, line_start + width + 1)
            if cut <= line_start:                       # a word longer than the line
                cut = line_start + width
            else:
                cut += 1
                while cut < para_end and text[cut] == " ":
                    cut += 1
            out.append((line_start, cut))
            line_start = cut
        out.append((line_start, para_end))
        if nl < 0:
            return out
        pos = nl + 1


class TranscriptView(ScrollView, can_focus=True):
    """Turns, codings and a margin; keyboard and mouse selection."""

    COMPONENT_CLASSES = {
        "transcript--speaker", "transcript--interviewer", "transcript--timestamp",
        "transcript--cursor", "transcript--selection", "transcript--gutter",
        "transcript--margin", "transcript--text", "transcript--search",
    }

    BINDINGS = [
        Binding("down,j", "turn(1)", N_("next turn"), show=False),
        Binding("up,k", "turn(-1)", N_("previous turn"), show=False),
        Binding("right,w", "word(1)", N_("next word"), show=False),
        Binding("left,b", "word(-1)", N_("previous word"), show=False),
        Binding("s", "sentence(1)", N_("next sentence"), show=False),
        Binding("S", "sentence(-1)", N_("previous sentence"), show=False),
        Binding("shift+right", "extend_word(1)", N_("extend the selection by a word"), show=False),
        Binding("shift+left", "extend_word(-1)", N_("shrink the selection by a word"), show=False),
        Binding("shift+down", "extend_turn(1)", N_("extend the selection to the next turn"),
                show=False),
        Binding("shift+up", "extend_turn(-1)", N_("extend the selection to the previous turn"),
                show=False),
        Binding("pagedown", "page(1)", N_("next page"), show=False),
        Binding("pageup", "page(-1)", N_("previous page"), show=False),
        Binding("home", "edge(-1)", N_("start of the interview"), show=False),
        Binding("end", "edge(1)", N_("end of the interview"), show=False),
        Binding("v", "select_turn", N_("select the turn; then w/b narrow it to words"), show=False),
        Binding("escape", "clear_selection", N_("clear the selection"), show=False),
        Binding("right_square_bracket", "next_coding(1)", N_("next coding"), show=False),
        Binding("left_square_bracket", "next_coding(-1)", N_("previous coding"), show=False),
    ]

    class CursorMoved(Message):
        def __init__(self, view: "TranscriptView") -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.turns: list[Turn] = []
        self.codings: list[Coding] = []
        self.lines: list[Line] = []
        self.turn_lines: list[tuple[int, int]] = []     # (first line, first text line)
        self.turn_starts: list[int] = []
        self._turn_codings: list[list[Coding]] = []
        self._lanes: dict[int, int] = {}
        self._words: dict[int, list[tuple[int, int]]] = {}
        self._sentences: dict[int, list[tuple[int, int]]] = {}
        self._bg_cache: dict[str, Style] = {}
        self._strip_cache: dict[tuple[int, int], Strip] = {}
        self._layout_width = 0
        self.cursor = 0
        self.turn = 0
        self.anchor: tuple[int, int] | None = None
        self.head: tuple[int, int] | None = None
        self.sel_mode: str | None = None
        self.highlight: tuple[int, int] | None = None   # search hit
        self._dragging = False
        self._pending_cursor: int | None = None
        self._pending_select: tuple[int, int] | None = None
        self.margin_width = 28
        self._margin_cache: dict[int, dict[int, list[tuple[str, "Coding | None"]]]] = {}

    # -- data -------------------------------------------------------------------------
    def load(self, text: str, segments, codings: list[Coding], *, cursor: int | None = None) -> None:
        """Show a document: its text, its segments (domain ``Segment``) and codings."""
        self.text = text
        turns = []
        for seg in segments:
            s, e = body_span(text, seg)
            turns.append(Turn(len(turns), s, e, seg.speaker, seg.timestamp,
                              seg.is_interviewer, seg.kind, seg.front_matter))
        if not turns and text:
            turns.append(Turn(0, 0, len(text), None, None, False, "paragraph"))
        self.turns = turns
        self.turn_starts = [t.start for t in turns]
        self._words.clear()
        self._sentences.clear()
        self._layout_width = 0
        self.set_codings(codings, refresh=False)
        self.turn = 0
        self.cursor = turns[0].start if turns else 0
        self.anchor = self.head = None
        self.lines = []
        self._pending_cursor = cursor
        if self.size.width:
            self._finish_load()

    def _finish_load(self) -> None:
        self._layout()
        cursor, self._pending_cursor = self._pending_cursor, None
        if cursor is not None and self.turns:
            self.move_to(cursor)
        if self._pending_select:
            start, end = self._pending_select
            self._pending_select = None
            self.select(start, end)
        self.refresh()
        self.call_after_refresh(self.scroll_to_cursor, True)
        for delay in (0.05, 0.15, 0.4):          # again once the screen's layout settles
            self.set_timer(delay, lambda: self.scroll_to_cursor(True))
        self.post_message(self.CursorMoved(self))

    def set_codings(self, codings: list[Coding], refresh: bool = True) -> None:
        self.codings = sorted(codings, key=lambda k: (k.start, -k.end, k.id))
        lane_ends: list[int] = []
        self._lanes = {}
        for k in self.codings:
            for i, e in enumerate(lane_ends):
                if e <= k.start:
                    lane_ends[i] = k.end
                    self._lanes[k.id] = min(i, MAX_LANES - 1)
                    break
            else:
                lane_ends.append(k.end)
                self._lanes[k.id] = min(len(lane_ends) - 1, MAX_LANES - 1)
        per_turn: list[list[Coding]] = [[] for _ in self.turns]
        ends = [t.end for t in self.turns]
        for k in self.codings:
            i = max(0, bisect_right(self.turn_starts, k.start) - 1)
            while i < len(self.turns) and self.turns[i].start < k.end:
                if ends[i] > k.start or (ends[i] == self.turns[i].start == k.start):
                    per_turn[i].append(k)
                i += 1
        self._turn_codings = per_turn
        self._margin_cache.clear()
        self._strip_cache.clear()
        if refresh:
            self.refresh()
            self.post_message(self.CursorMoved(self))

    # -- layout -----------------------------------------------------------------------
    @property
    def view_width(self) -> int:
        """The cells a line has: the widget's width less its scrollbar's (``size`` counts
        the scrollbar in, so a margin laid out on it would lose its last cells)."""
        return self.scrollable_content_region.width

    @property
    def text_width(self) -> int:
        return max(20, self.view_width - GUTTER - self.margin_width - 1)

    def _layout(self) -> None:
        width = self.view_width or 100
        # the code margin grows with the screen, so real code names fit
        self.margin_width = (40 if width >= 150 else 34 if width >= 120 else 28 if width >= 90
                             else 22 if width >= 64 else 0)
        self._margin_cache.clear()
        tw = self.text_width
        lines: list[Line] = []
        turn_lines = []
        text = self.text
        for t in self.turns:
            first = len(lines)
            if t.speaker or t.timestamp is not None:
                lines.append(Line("header", t.index))
            first_text = len(lines)
            if t.end > t.start:
                for s, e in wrap(text, t.start, t.end, tw):
                    lines.append(Line("text", t.index, s, e))
            else:
                lines.append(Line("text", t.index, t.start, t.start))
            lines.append(Line("blank", t.index))
            turn_lines.append((first, first_text))
        self.lines = lines
        self.turn_lines = turn_lines
        self._strip_cache.clear()
        self._layout_width = width
        self.virtual_size = Size(width, len(lines))

    def on_resize(self) -> None:
        if self.turns and not self.lines:
            self._finish_load()
        elif self.turns and self.view_width != self._layout_width:
            self._layout()
            self.scroll_to_cursor()
            self.refresh()

    def line_of(self, offset: int) -> int:
        """The index of the layout line that shows ``offset``."""
        if not self.turns or not self.turn_lines:
            return 0
        ti = max(0, bisect_right(self.turn_starts, offset) - 1)
        first, first_text = self.turn_lines[ti]
        end = self.turn_lines[ti + 1][0] if ti + 1 < len(self.turn_lines) else len(self.lines)
        starts = [self.lines[i].start for i in range(first_text, end - 1)]
        j = max(0, bisect_right(starts, offset) - 1)
        return first_text + j

    def offset_at(self, x: int, y: int) -> int | None:
        """The text offset under a point of the widget (virtual coordinates)."""
        if not (0 <= y < len(self.lines)):
            return None
        line = self.lines[y]
        t = self.turns[line.turn]
        if line.kind != "text":
            return t.start
        col = max(0, x - GUTTER)
        return min(line.start + col, max(line.start, line.end - 1), t.end)

    # -- units: words, sentences, turns ------------------------------------------------
    def words(self, ti: int) -> list[tuple[int, int]]:
        if ti not in self._words:
            t = self.turns[ti]
            self._words[ti] = [(t.start + m.start(), t.start + m.end())
                               for m in WORD.finditer(self.text[t.start:t.end])
                               if m.group()[0].isalnum() or m.group()[0] == "_"] or [(t.start, t.end)]
        return self._words[ti]

    def sentences(self, ti: int) -> list[tuple[int, int]]:
        if ti not in self._sentences:
            t = self.turns[ti]
            out, s = [], t.start
            for m in SENTENCE_END.finditer(self.text, t.start, t.end):
                out.append((s, m.end() - len(m.group()) + len(m.group().rstrip())))
                s = m.end()
            if s < t.end or not out:
                out.append((s, t.end))
            self._sentences[ti] = out
        return self._sentences[ti]

    def word_at(self, offset: int) -> tuple[int, int]:
        ti = self._turn_of(offset)
        ws = self.words(ti)
        i = max(0, bisect_right([w[0] for w in ws], offset) - 1)
        return ws[i]

    def sentence_at(self, offset: int) -> tuple[int, int]:
        ss = self.sentences(self._turn_of(offset))
        i = max(0, bisect_right([s[0] for s in ss], offset) - 1)
        return ss[i]

    def turn_span(self, ti: int | None = None) -> tuple[int, int]:
        t = self.turns[self.turn if ti is None else ti]
        return t.start, t.end

    def _turn_of(self, offset: int) -> int:
        return max(0, min(len(self.turns) - 1, bisect_right(self.turn_starts, offset) - 1))

    # -- selection --------------------------------------------------------------------
    @property
    def selection(self) -> tuple[int, int] | None:
        if self.anchor is None or self.head is None:
            return None
        s, e = min(self.anchor[0], self.head[0]), max(self.anchor[1], self.head[1])
        return (s, e) if e > s else None

    def target_span(self) -> tuple[int, int] | None:
        """What a code applies to: the selection, or else the current turn."""
        sel = self.selection
        if sel:
            return sel
        if not self.turns:
            return None
        s, e = self.turn_span()
        return (s, e) if e > s else None

    def clear_selection(self) -> None:
        old = self.selection
        self.anchor = self.head = None
        self.sel_mode = None
        if old:
            self._refresh_span(*old)
        self.post_message(self.CursorMoved(self))

    def select(self, start: int, end: int) -> None:
        if not self.lines:                  # not laid out yet: select once sized
            self._pending_select = (start, end)
            return
        old = self.selection
        self.anchor = self.head = None
        self.move_to(start)
        self.anchor, self.head, self.sel_mode = (start, start), (end, end), "span"
        self.post_message(self.CursorMoved(self))
        if old:
            self._refresh_span(*old)
        self._refresh_span(start, end)

    def codings_at(self, offset: int | None = None, span: tuple[int, int] | None = None) -> list[Coding]:
        """Codings under the cursor (or overlapping ``span``), innermost first."""
        if not self.turns:
            return []
        if span is None:
            sel = self.selection
            if sel:
                span = sel
        if span is not None:
            s, e = span
            ti = self._turn_of(s)
            cands = {k.id: k for i in range(ti, self._turn_of(max(s, e - 1)) + 1)
                     for k in self._turn_codings[i]}
            hits = [k for k in cands.values() if k.start < e and k.end > s]
        else:
            pos = self.cursor if offset is None else offset
            hits = [k for k in self._turn_codings[self._turn_of(pos)] if k.start <= pos < k.end]
        return sorted(hits, key=lambda k: (k.end - k.start, -k.start))

    # -- movement ---------------------------------------------------------------------
    def move_to(self, offset: int, *, keep_selection: bool = False, unit: str = "word") -> None:
        if not self.turns:
            return
        old_line = self.line_of(self.cursor)
        old_turn = self.turn
        ti = self._turn_of(offset)
        if offset >= self.turns[ti].end and ti + 1 < len(self.turns) and \
                offset < self.turns[ti + 1].start:      # in a speaker label: go to the turn
            ti += 1
            offset = self.turns[ti].start
        self.turn = ti
        t = self.turns[self.turn]
        self.cursor = max(t.start, min(offset, max(t.start, t.end - 1)))
        if keep_selection and self.anchor is not None:
            self.head = {"word": self.word_at, "sentence": self.sentence_at,
                         "turn": lambda _o: self.turn_span()}.get(unit, self.word_at)(self.cursor)
            self._refresh_span(*self.selection) if self.selection else None
            self.refresh()
        elif self.anchor is not None:
            self.clear_selection()
        if old_turn != self.turn:
            self._refresh_turn(old_turn)
            self._refresh_turn(self.turn)
        else:
            self.refresh_lines(old_line)
            self.refresh_lines(self.line_of(self.cursor))
        self.scroll_to_cursor(turn_move=(unit == "turn"))
        self.post_message(self.CursorMoved(self))

    def scroll_to_cursor(self, turn_move: bool = False) -> None:
        if not self.lines:
            return
        line = self.line_of(self.cursor)
        top = self.turn_lines[self.turn][0] if turn_move else line
        h = max(1, self.scrollable_content_region.height)
        y = self.scroll_offset.y
        if top < y:
            self.scroll_to(y=max(0, top - 1), animate=False, immediate=True, force=True)
        elif line >= y + h - 1:
            self.scroll_to(y=min(top - 1, line - h + 3), animate=False, immediate=True, force=True)

    def _refresh_turn(self, ti: int) -> None:
        if 0 <= ti < len(self.turn_lines):
            first = self.turn_lines[ti][0]
            end = self.turn_lines[ti + 1][0] if ti + 1 < len(self.turn_lines) else len(self.lines)
            self.refresh_lines(first, end - first)

    def _refresh_span(self, start: int, end: int) -> None:
        a, b = self.line_of(start), self.line_of(max(start, end - 1))
        self.refresh_lines(a, b - a + 1)

    def _selecting_words(self) -> bool:
        """First word motion after ``v`` narrows the turn selection to the cursor word."""
        if self.sel_mode == "turn":
            self.anchor = self.head = self.word_at(self.cursor)
            self.sel_mode = "word"
            self.refresh()
            self.post_message(self.CursorMoved(self))
            return True
        return False

    def action_turn(self, delta: int) -> None:
        if not self.turns:
            return
        ti = max(0, min(len(self.turns) - 1, self.turn + delta))
        self.move_to(self.turns[ti].start, keep_selection=self.anchor is not None, unit="turn")

    def action_word(self, delta: int) -> None:
        if not self.turns or (self.anchor is not None and self._selecting_words()):
            return
        ws = self.words(self.turn)
        i = bisect_right([w[0] for w in ws], self.cursor) - 1 + delta
        if i < 0:
            if self.turn == 0:
                return
            target = self.words(self.turn - 1)[-1][0]
        elif i >= len(ws):
            if self.turn + 1 >= len(self.turns):
                return
            target = self.words(self.turn + 1)[0][0]
        else:
            target = ws[i][0]
        self.move_to(target, keep_selection=self.anchor is not None, unit="word")

    def action_sentence(self, delta: int) -> None:
        if not self.turns:
            return
        if self.sel_mode == "turn":
            self.anchor = self.head = self.sentence_at(self.cursor)
            self.sel_mode = "sentence"
            self.refresh()
            self.post_message(self.CursorMoved(self))
            return
        ss = self.sentences(self.turn)
        starts = [s[0] for s in ss]
        i = bisect_right(starts, self.cursor) - 1
        if delta > 0:
            i += 1
        elif self.cursor == starts[max(i, 0)]:
            i -= 1
        if i < 0:
            if self.turn == 0:
                return
            target = self.sentences(self.turn - 1)[-1][0]
        elif i >= len(ss):
            if self.turn + 1 >= len(self.turns):
                return
            target = self.turns[self.turn + 1].start
        else:
            target = ss[i][0]
        self.move_to(target, keep_selection=self.anchor is not None, unit="sentence")

    def action_extend_word(self, delta: int) -> None:
        if self.anchor is None:
            self.anchor = self.head = self.word_at(self.cursor)
            self.sel_mode = "word"
            self.refresh_lines(self.line_of(self.cursor))
            self.post_message(self.CursorMoved(self))
            return
        self.action_word(delta)

    def action_extend_turn(self, delta: int) -> None:
        if self.anchor is None:
            self.anchor = self.head = self.turn_span()
            self.sel_mode = "turns"
            self._refresh_turn(self.turn)
            self.post_message(self.CursorMoved(self))
            return
        self.sel_mode = "turns"
        self.action_turn(delta)

    def action_select_turn(self) -> None:
        if self.anchor is not None:
            self.clear_selection()
            return
        if not self.turns:
            return
        self.anchor = self.head = self.turn_span()
        self.sel_mode = "turn"
        self._refresh_turn(self.turn)
        self.post_message(self.CursorMoved(self))

    def action_clear_selection(self) -> None:
        if self.anchor is not None:
            self.clear_selection()
        else:
            self.screen.action_back() if hasattr(self.screen, "action_back") else None

    def action_page(self, delta: int) -> None:
        if not self.lines:
            return
        h = max(1, self.scrollable_content_region.height - 2)
        y = max(0, min(len(self.lines) - 1, self.line_of(self.cursor) + delta * h))
        self.move_to(self.turns[self.lines[y].turn].start, keep_selection=self.anchor is not None,
                     unit="turn")

    def action_edge(self, delta: int) -> None:
        if self.turns:
            ti = 0 if delta < 0 else len(self.turns) - 1
            self.move_to(self.turns[ti].start, keep_selection=self.anchor is not None, unit="turn")

    def action_next_coding(self, delta: int) -> None:
        if not self.codings:
            return
        starts = [k.start for k in self.codings]
        if delta > 0:
            i = bisect_right(starts, self.cursor)
            if i >= len(starts):
                return
        else:
            i = bisect_left(starts, self.cursor) - 1
            if i < 0:
                return
        self.move_to(self.codings[i].start)

    def next_uncoded_turn(self) -> int | None:
        for ti in range(self.turn + 1, len(self.turns)):
            t = self.turns[ti]
            if t.is_interviewer or t.front_matter or t.end <= t.start:
                continue
            if not self._turn_codings[ti]:
                return ti
        return None

    def find(self, query: str) -> tuple[int, int] | None:
        """Next occurrence of ``query`` after the cursor (case-insensitive, wraps)."""
        if not query:
            return None
        pattern = re.compile(re.escape(query), re.I)
        m = pattern.search(self.text, self.cursor + 1) or pattern.search(self.text, 0)
        if not m:
            return None
        old = self.highlight
        self.highlight = (m.start(), m.end())
        if old:
            self._refresh_span(*old)
        self.move_to(m.start())
        self._refresh_span(m.start(), m.end())
        return self.highlight

    # -- mouse ------------------------------------------------------------------------
    def on_mouse_down(self, event) -> None:
        if event.button != 1:
            return
        self.focus()
        off = self.offset_at(event.x + self.scroll_offset.x, event.y + self.scroll_offset.y)
        if off is None:
            return
        old = self.selection
        self.anchor = self.head = self.word_at(off)
        self.sel_mode = "mouse"
        self._dragging = True
        self.capture_mouse()
        if old:
            self._refresh_span(*old)
        self.move_to(off, keep_selection=True)

    def on_mouse_move(self, event) -> None:
        if not self._dragging:
            return
        off = self.offset_at(event.x + self.scroll_offset.x, event.y + self.scroll_offset.y)
        if off is not None and self.anchor is not None:
            self.move_to(off, keep_selection=True)

    def on_mouse_up(self, event) -> None:
        if not self._dragging:
            return
        self._dragging = False
        self.capture_mouse(False)
        if self.anchor == self.head:            # a click, not a drag: just place the cursor
            self.clear_selection()

    # -- rendering --------------------------------------------------------------------
    def _code_style(self, colour: str, base_bg: Color) -> Style:
        key = colour or "#888888"
        style = self._bg_cache.get(key)
        if style is None:
            try:
                c = Color.parse(key)
            except Exception:
                c = Color.parse("#888888")
            style = Style(bgcolor=base_bg.blend(c, 0.35).rich_color)
            self._bg_cache[key] = style
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._bg_cache.clear()
        self._strip_cache.clear()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.view_width
        if not (0 <= index < len(self.lines)):
            return Strip.blank(width, self.rich_style)
        return self._render(index, width).crop(scroll_x, scroll_x + width)

    def _render(self, index: int, width: int) -> Strip:
        """Lines away from the cursor, the selection and the search hit are cached."""
        line = self.lines[index]
        t = self.turns[line.turn]
        sel, hl = self.selection, self.highlight
        dynamic = (line.turn == self.turn or (sel and sel[0] <= t.end and sel[1] >= t.start)
                   or (hl and hl[0] <= t.end and hl[1] >= t.start))
        if dynamic:
            return self._render_line(index, width)
        key = (index, width)
        strip = self._strip_cache.get(key)
        if strip is None:
            if len(self._strip_cache) > 4000:
                self._strip_cache.clear()
            strip = self._strip_cache[key] = self._render_line(index, width)
        return strip

    def _render_line(self, index: int, width: int) -> Strip:
        line = self.lines[index]
        t = self.turns[line.turn]
        base = self.rich_style
        current = line.turn == self.turn
        gutter_style = base + self.get_component_rich_style("transcript--gutter")
        gutter = RichSegment("▌ " if current else "  ", gutter_style)
        segs: list[RichSegment] = [gutter]
        tw = self.text_width
        margin: list[RichSegment] = []
        if line.kind == "header":
            ts = format_timestamp(t.timestamp)
            if ts:
                segs.append(RichSegment(ts + " ", base + self.get_component_rich_style("transcript--timestamp")))
            name = "transcript--interviewer" if t.is_interviewer else "transcript--speaker"
            segs.append(RichSegment(t.speaker or "", base + self.get_component_rich_style(name)))
        elif line.kind == "text":
            segs.extend(self._text_segments(line, base))
            margin = self._margin(line, base, index)
        elif self.margin_width:                 # a turn's blank line may carry names too
            margin = self._margin(line, base, index)
        strip = Strip(segs).adjust_cell_length(GUTTER + tw + 1, base)
        if self.margin_width:
            strip = Strip.join([strip, Strip(margin).adjust_cell_length(self.margin_width, base)])
        return strip.adjust_cell_length(width, base)

    def _text_segments(self, line: Line, base: Style) -> list[RichSegment]:
        ls, le = line.start, line.end
        if le <= ls:
            return []
        bg = self.background_colors[1]
        codings = [k for k in self._turn_codings[line.turn] if k.start < le and k.end > ls]
        cuts = {ls, le}
        for k in codings:
            cuts.add(max(ls, k.start)); cuts.add(min(le, k.end))
        sel = self.selection
        overlays: list[tuple[int, int, Style]] = []
        if self.highlight and self.highlight[0] < le and self.highlight[1] > ls:
            overlays.append((*self.highlight, self.get_component_rich_style("transcript--search")))
        if sel and sel[0] < le and sel[1] > ls:
            overlays.append((*sel, self.get_component_rich_style("transcript--selection")))
        if line.turn == self.turn and ls <= self.cursor < max(le, ls + 1) and self.has_focus_within:
            w = self.word_at(self.cursor)
            overlays.append((w[0], w[1], self.get_component_rich_style("transcript--cursor")))
        elif line.turn == self.turn and ls <= self.cursor < max(le, ls + 1):
            w = self.word_at(self.cursor)
            overlays.append((w[0], w[1], Style(underline=True)))
        for s, e, _ in overlays:
            cuts.add(max(ls, min(le, s))); cuts.add(max(ls, min(le, e)))
        points = sorted(cuts)
        text = self.text
        text_style = base + self.get_component_rich_style("transcript--text")
        out = []
        for a, b in zip(points, points[1:]):
            if b <= a:
                continue
            style = text_style
            inner = None
            for k in codings:
                if k.start <= a and k.end >= b and (inner is None or k.start >= inner.start):
                    inner = k
            if inner is not None:
                style = style + self._code_style(inner.colour, bg)
            for s, e, ov in overlays:
                if s <= a and e >= b:
                    style = style + ov
            out.append(RichSegment(text[a:b].replace("\t", " "), style))
        return out

    def _margin_rows(self, ti: int) -> dict[int, list[tuple[str, "Coding | None"]]]:
        """The code names of turn ``ti``'s margin: line index → pieces (text, coding).

        Every code that starts in the turn (or comes into it from an earlier one) is
        named, from the line where it starts down to the next free line; a name too long
        for the margin goes on over the next free line; a memo shows as ✎ before the
        name; names that find no line left are counted on the last one (+N)."""
        rows = self._margin_cache.get(ti)
        if rows is not None:
            return rows
        rows = {}
        self._margin_cache[ti] = rows
        room = self.margin_width - MAX_LANES - 1
        if room <= 0 or not (0 <= ti < len(self.turn_lines)):
            return rows
        t = self.turns[ti]
        first, first_text = self.turn_lines[ti]
        end = self.turn_lines[ti + 1][0] if ti + 1 < len(self.turn_lines) else len(self.lines)
        free = list(range(first_text, end))           # the turn's text lines and its blank line
        hidden = 0
        named: set[tuple[int, int]] = set()
        for k in self._turn_codings[ti]:
            start = max(k.start, t.start)
            line = self.line_of(start) if k.start >= t.start else first_text
            if (k.code_id, line) in named and not k.memos:
                continue        # the same code from another coder, same line: named once
            named.add((k.code_id, line))
            label = ("✎ " if k.memos else "") + k.path.rsplit("/", 1)[-1]
            pieces = _wrap_label(label, room, 2)
            placed = []
            for piece in pieces:
                row = next((r for r in free if r >= (placed[-1] + 1 if placed else line)), None)
                if row is None:
                    break
                free.remove(row)
                placed.append(row)
                rows[row] = [(piece, k)]
            if not placed:
                hidden += 1
        if hidden:                          # no line left: say how many are not named
            last = end - 1
            hidden += bool(rows.get(last))
            rows[last] = [(f"+{hidden}", None)]
        return rows

    def _margin(self, line: Line, base: Style, index: int) -> list[RichSegment]:
        ls, le = line.start, max(line.end, line.start + 1)
        codings = ([k for k in self._turn_codings[line.turn] if k.start < le and k.end > ls]
                   if line.kind == "text" else [])
        lanes = [" "] * MAX_LANES
        lane_style: list[Style | None] = [None] * MAX_LANES
        for k in codings:
            lane = self._lanes.get(k.id, 0)
            starts_here = ls <= k.start < le or (k.start < ls and ls == self.turns[line.turn].start)
            lanes[lane] = "┏" if starts_here and k.end > le else ("┃" if not starts_here else "╺")
            if k.start < ls and k.end <= le:
                lanes[lane] = "┗"
            try:
                lane_style[lane] = Style(color=Color.parse(k.colour or "#888888").rich_color)
            except Exception:
                lane_style[lane] = None
        names = self._margin_rows(line.turn).get(index, [])
        if not codings and not names:
            return []
        segs = [RichSegment(ch, base + st if st else base) for ch, st in zip(lanes, lane_style)]
        segs.append(RichSegment(" ", base))
        mstyle = base + self.get_component_rich_style("transcript--margin")
        for text, k in names:
            try:
                colour = Style(color=Color.parse(k.colour or "#888888").rich_color) if k else Style()
            except Exception:
                colour = Style()
            segs.append(RichSegment(text, mstyle + colour + (Style(dim=True) if k is None else Style())))
        return segs
