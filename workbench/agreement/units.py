"""The units agreement is measured on: speaker turns, paragraphs, sentences, or characters.

Units come from the stored turn model: a turn's words start at its ``body_start``
(after the speaker label and any written timestamp) and front matter is never a unit.
Interviewer turns are left out unless asked for.  A document without speaker turns
(notes, a report, an unlabelled transcript) is cut into paragraphs instead, so it never
contributes "0 units"; which unit each document used is reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.i18n import N_

UNIT_KINDS = ("turn", "sentence", "paragraph", "character")
UNIT_LABELS = {"turn": N_("speaker turn"), "sentence": N_("sentence"),
               "paragraph": N_("paragraph"), "character": N_("character")}

# A sentence ends with . ! ? or … (and any closing quote or bracket), then space.
_SENTENCE_END = re.compile(r"(?<=[.!?…])[»\"')\]]*\s+")
_LINE = re.compile(r"[^\n]+")


@dataclass(frozen=True)
class Unit:
    document_id: int
    start: int
    end: int


def _is_front_matter(seg) -> bool:
    return bool(seg.front_matter)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def regions(text: str, segments, *, include_interviewer: bool = False) -> tuple[list[tuple[int, int]], str]:
    """The stretches of a document that count: respondent turn bodies (``"turn"``), or
    every non-front-matter segment when the document has no speaker turns
    (``"paragraph"``)."""
    turns = [s for s in segments if s.kind == "turn" and s.speaker and not _is_front_matter(s)]
    if turns:
        chosen = [s for s in turns if include_interviewer or not s.is_interviewer]
        kind = "turn"
    else:
        chosen = [s for s in segments if not _is_front_matter(s)]
        kind = "paragraph"
    out = []
    for s in chosen:
        span = _trim(text, *s.words)
        if span:
            out.append(span)
    return out, kind


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for m in _LINE.finditer(text, start, end):
        span = _trim(text, m.start(), m.end())
        if span:
            out.append(span)
    return out


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        span = _trim(text, pos, m.start())
        if span:
            out.append(span)
        pos = m.end()
    span = _trim(text, pos, end)
    if span:
        out.append(span)
    return out


def document_units(doc_id: int, text: str, segments, kind: str, *,
                   include_interviewer: bool = False) -> tuple[list[Unit], str]:
    """The units of one document and the kind actually used (a turn request on a
    document without turns falls back to paragraphs)."""
    if kind not in UNIT_KINDS:
        raise ValueError(kind)
    spans, base = regions(text, segments, include_interviewer=include_interviewer)
    if kind == "character":
        return [Unit(doc_id, s, e) for s, e in spans], "character"
    out: list[tuple[int, int]] = []
    if kind == "turn" and base == "turn":
        out = spans
        used = "turn"
    elif kind == "sentence":
        for s, e in spans:
            for ps, pe in _lines(text, s, e):
                out.extend(_sentences(text, ps, pe))
        used = "sentence"
    else:                                   # paragraph, or turn without turns
        for s, e in spans:
            out.extend(_lines(text, s, e))
        used = "paragraph"
    return [Unit(doc_id, s, e) for s, e in out], used
