"""The units a topic model reads: speaker turns, paragraphs, or windows of long ones.

A unit is a ``[start, end)`` span of a document's text inside one segment: the turn's
words, from the segment's stored ``body_start`` (no speaker label ``Karima :``, no
written timestamp), so that a unit promoted to a code becomes a clean coding.
Interviewer turns are left out unless asked for; front matter always is.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from workbench.i18n import _

UNIT_KINDS = ("turn", "paragraph")
DEFAULT_WINDOW = 200     # words; longer turns/paragraphs are cut into windows

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Unit:
    document_id: int
    segment_id: int
    speaker: str | None
    start: int      # offsets in the document text
    end: int


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraphs(text: str, start: int) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"[^\n]+", text[start:]):
        s, e = _trim(text, start + m.start(), start + m.end())
        if e > s:
            out.append((s, e))
    return out


def _windows(text: str, s: int, e: int, window: int, stride: int) -> list[tuple[int, int]]:
    words = [(m.start() + s, m.end() + s) for m in _WORD.finditer(text[s:e])]
    if not window or len(words) <= window:
        return [(s, e)]
    out: list[tuple[int, int]] = []
    i = 0
    while True:
        j = min(i + window, len(words))
        if j == len(words) and out and j - i < window // 4 and stride >= window:
            out[-1] = (out[-1][0], words[-1][1])     # fold a short tail into the last window
            break
        out.append((words[i][0], words[j - 1][1]))
        if j == len(words):
            break
        i += stride
    return out


def build_units(segments: Iterable[dict], *, unit: str = "turn",
                include_interviewer: bool = False, window: int = DEFAULT_WINDOW,
                stride: int | None = None) -> list[Unit]:
    """Units from segment rows (``segment_id, document_id, speaker, is_interviewer,
    kind, start, body_start, front_matter, text`` keys), in the rows' order.  A unit
    holds a turn's words: it begins at the segment's stored ``body_start`` (after the
    speaker label and any written timestamp).  Front matter is never a unit; in a
    document with speaker turns, text outside the turns (headers, notes) is left out;
    a document without turns is read by its paragraphs.  ``window`` words (0 = never cut) with a
    step of ``stride`` words (default: ``window``, i.e. adjacent windows)."""
    if unit not in UNIT_KINDS:
        raise ValueError(_("unit must be one of {units}").format(units=", ".join(UNIT_KINDS)))
    stride = stride or window
    segments = list(segments)
    with_turns = {s["document_id"] for s in segments if s.get("kind") == "turn"}
    out: list[Unit] = []
    for seg in segments:
        if seg.get("front_matter") or (seg["is_interviewer"] and not include_interviewer):
            continue
        if seg.get("kind") == "paragraph" and seg["document_id"] in with_turns:
            continue        # headers and notes around the turns of a transcript
        text = seg["text"]
        begin = max(0, seg.get("body_start", seg["start"]) - seg["start"])
        if unit == "paragraph":
            spans = _paragraphs(text, begin)
        else:
            s, e = _trim(text, begin, len(text))
            spans = [(s, e)] if e > s else []
        for s, e in spans:
            for ws, we in _windows(text, s, e, window, stride):
                out.append(Unit(seg["document_id"], seg["segment_id"], seg.get("speaker"),
                                seg["start"] + ws, seg["start"] + we))
    return out


def unit_tokens(unit: Unit, seg_start: int, tokens: Sequence[Sequence]) -> list[Sequence]:
    """The cached tokens of a segment that fall inside the unit."""
    lo, hi = unit.start - seg_start, unit.end - seg_start
    return [t for t in tokens if lo <= t[0] < hi]
