"""Replacing spans of a text and mapping old character offsets to new ones.

For non-overlapping replacements ``(start, end, new_text)``, an old offset ``p``:

* before or at a replacement's start, or at or after its end, moves by the lengths
  gained or lost before it;
* strictly inside a replaced span, goes to the start of the new text if it is where
  something *starts* (a coding that began inside a name now begins at the pseudonym),
  to its end if it is where something *ends*.

So a coding that covered a name covers its pseudonym; one that began or ended inside a
name covers the whole pseudonym; and everything outside the names keeps its words.
"""
from __future__ import annotations

import bisect
from typing import Sequence


class OffsetMap:
    def __init__(self, replacements: Sequence[tuple[int, int, str]]):
        self.spans = sorted(replacements)
        for (s1, e1, _t1), (s2, _e2, _t2) in zip(self.spans, self.spans[1:]):
            if s2 < e1:
                raise ValueError(f"overlapping replacements at {s1}-{e1} and {s2}")
        self._starts = [s for s, _e, _t in self.spans]
        self._ends = [e for _s, e, _t in self.spans]
        # shift before replacement i, and new start of replacement i
        self._shift: list[int] = []
        shift = 0
        for s, e, t in self.spans:
            self._shift.append(shift)
            shift += len(t) - (e - s)
        self.total_shift = shift

    def __len__(self) -> int:
        return len(self.spans)

    def apply(self, text: str) -> str:
        parts, last = [], 0
        for s, e, t in self.spans:
            parts.append(text[last:s])
            parts.append(t)
            last = e
        parts.append(text[last:])
        return "".join(parts)

    def _locate(self, p: int) -> tuple[int, bool]:
        """(index of the last replacement starting before p, whether p is inside it)."""
        i = bisect.bisect_left(self._starts, p) - 1     # last start < p
        return i, i >= 0 and p < self._ends[i]

    def start(self, p: int) -> int:
        i, inside = self._locate(p)
        if i < 0:
            return p
        s, e, t = self.spans[i]
        if inside:
            return s + self._shift[i]
        return p + self._shift[i] + len(t) - (e - s)

    def end(self, p: int) -> int:
        i, inside = self._locate(p)
        if i < 0:
            return p
        s, e, t = self.spans[i]
        if inside:
            return s + self._shift[i] + len(t)
        return p + self._shift[i] + len(t) - (e - s)
