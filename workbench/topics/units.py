"""The units a topic model reads: speaker turns, paragraphs, or windows of long ones.

A unit is a ``[start, end)`` span of a document's text inside one segment, without the
speaker label (``Karima :``), so that a unit promoted to a code becomes a clean
coding.  Interviewer turns are left out unless asked for.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

UNIT_KINDS = ("turn", "paragraph")
DEFAULT_WINDOW = 200     # words; longer turns/paragraphs are cut into windows

_WORD = re.compile(r"\S+")
_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_SP = r"[\s\u00a0\u202f*_]*"
# what follows a speaker label: "Karima :", "Karima (00:12) :", "[Karima]", "**Karima :**"
_LABEL_TAIL = re.compile(rf"{_SP}(?:[\[(]\s*{_TS}\s*[\])]|{_TS})?{_SP}[:\]]?{_SP}"
                         rf"(?:[\[(]\s*{_TS}\s*[\])]|{_TS})?[\s\u00a0\u202f*_\-–—]*")


@dataclass(frozen=True)
class Unit:
    document_id: int
    segment_id: int
    speaker: str | None
    start: int      # offsets in the document text
    end: int


def content_start(text: str, speaker: str | None) -> int:
    """Offset where a turn's words begin, after its speaker label (and timestamp)."""
    if not speaker:
        return 0
    i = text[:80].find(speaker)
    if i < 0:
        return 0
    pos = i + len(speaker)
    m = _LABEL_TAIL.match(text, pos)
    return m.end() if m else pos


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
    out = []
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
    kind, start, text`` keys), in the rows' order.  In a document with speaker turns,
    text outside the turns (headers, notes) is left out; a document without turns is
    read by its paragraphs.  ``window`` words (0 = never cut) with a
    step of ``stride`` words (default: ``window``, i.e. adjacent windows)."""
    if unit not in UNIT_KINDS:
        raise ValueError(f"unit must be one of {', '.join(UNIT_KINDS)}")
    stride = stride or window
    segments = list(segments)
    with_turns = {s["document_id"] for s in segments if s.get("kind") == "turn"}
    out: list[Unit] = []
    for seg in segments:
        if seg["is_interviewer"] and not include_interviewer:
            continue
        if seg.get("kind") == "paragraph" and seg["document_id"] in with_turns:
            continue        # headers and notes around the turns of a transcript
        text = seg["text"]
        begin = content_start(text, seg["speaker"]) if seg.get("speaker") else 0
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
