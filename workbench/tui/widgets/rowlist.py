"""A fast read-only table for long lists (thousands of excerpts): fixed columns, a row
cursor, and the Line API, so only the visible rows are ever rendered."""
from __future__ import annotations

import math

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from workbench.i18n import N_


class RowList(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"rowlist--header", "rowlist--cursor", "rowlist--odd"}
    BINDINGS = [
        Binding("down,j", "move(1)", N_("next row"), show=False),
        Binding("up,k", "move(-1)", N_("previous row"), show=False),
        Binding("pagedown", "page(1)", N_("next page"), show=False),
        Binding("pageup", "page(-1)", N_("previous page"), show=False),
        Binding("home", "edge(-1)", N_("first row"), show=False),
        Binding("end", "edge(1)", N_("last row"), show=False),
        Binding("enter", "select", N_("open"), show=False),
    ]

    class Highlighted(Message):
        def __init__(self, rowlist: "RowList", index: int) -> None:
            super().__init__()
            self.rowlist, self.index = rowlist, index

        @property
        def control(self):
            return self.rowlist

    class Selected(Highlighted):
        pass

    def __init__(self, *, id: str | None = None, classes: str | None = None,
                 min_flex: int | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.min_flex = self.MIN_FLEX if min_flex is None else min_flex
        self.columns: list[tuple[str, int | None]] = []
        self.rows: list[tuple[str, ...]] = []
        self.keys: list = []
        self.cursor = 0

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def set_data(self, columns: list[tuple[str, int | None]], rows: list[tuple[str, ...]],
                 keys: list | None = None) -> None:
        self.columns, self.rows = columns, rows
        self.keys = list(keys) if keys is not None else list(range(len(rows)))
        self.cursor = 0
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        if rows:
            self.post_message(self.Highlighted(self, 0))

    #: The least a flexible column (the excerpt's text) keeps on a narrow screen.
    MIN_FLEX = 30

    def _widths(self, width: int) -> list[int]:
        """Fixed columns as asked; on a narrow screen they shrink (never below their
        header, nor below 4 cells) so that the flexible ones (the text) keep
        :attr:`min_flex` cells (:attr:`MIN_FLEX` unless given)."""
        asked = [w for _, w in self.columns]
        flex = [i for i, w in enumerate(asked) if not w]
        fixed_total = sum(w for w in asked if w)
        room = width - len(asked)                       # one space between columns
        keep = self.min_flex * len(flex)
        if flex and fixed_total + keep > room and fixed_total:
            least = [min(w, max(4, len(str(h)))) if w else 0 for h, w in self.columns]
            spare = fixed_total - sum(least)
            need = fixed_total + keep - room
            scale = max(0.0, 1 - need / spare) if spare else 0.0
            # rounded up: a column a cell or two wider than its header (AV-BEN-01 under
            # "Document") keeps its width; the wide ones give the room
            asked = [lo + math.ceil((w - lo) * scale) if w else w for w, lo in zip(asked, least)]
            fixed_total = sum(w for w in asked if w)
        rest = max(10, room - fixed_total)
        return [w if w else max(10, rest // max(1, len(flex))) for w in asked]

    def _cells(self, values, widths, style: Style) -> list[RichSegment]:
        segs = []
        for value, w in zip(values, widths):
            v = str(value).replace("\n", " ")
            v = v[: w - 1] + "…" if len(v) > w else v.ljust(w)
            segs.append(RichSegment(v + " ", style))
        return segs

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        widths = self._widths(width)
        if y == 0:
            style = base + self.get_component_rich_style("rowlist--header")
            return Strip(self._cells([c for c, _ in self.columns], widths, style)).adjust_cell_length(width, style)
        index = y - 1 + self.scroll_offset.y
        if not (0 <= index < len(self.rows)):
            return Strip.blank(width, base)
        style = base
        if index == self.cursor:
            style = base + self.get_component_rich_style("rowlist--cursor")
        elif index % 2:
            style = base + self.get_component_rich_style("rowlist--odd")
        return Strip(self._cells(self.rows[index], widths, style)).adjust_cell_length(width, style)

    def move_cursor(self, index: int) -> None:
        if not self.rows:
            return
        old, self.cursor = self.cursor, max(0, min(len(self.rows) - 1, index))
        self.refresh_lines(old + 1)
        self.refresh_lines(self.cursor + 1)
        h = max(1, self.size.height - 1)
        y = self.scroll_offset.y
        if self.cursor < y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= y + h:
            self.scroll_to(y=self.cursor - h + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor))

    def action_move(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta * max(1, self.size.height - 2))

    def action_edge(self, delta: int) -> None:
        self.move_cursor(0 if delta < 0 else len(self.rows) - 1)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.cursor))

    def on_click(self, event) -> None:
        index = event.y - 1 + self.scroll_offset.y
        if event.y >= 1 and 0 <= index < len(self.rows):
            if index == self.cursor and event.chain >= 2:
                self.action_select()
            self.move_cursor(index)
