"""What a document's word count counts: the words said in its turns.

One definition for every "mots" a user reads (``workbench info``, the documents list,
the home screen, the report's corpus): the words of each turn's span of words
(:attr:`workbench.domain.Segment.words`: after the speaker label and any written
timestamp), front matter (the interview header) left out.  A word is a run of letters
or digits, with its inner apostrophes and hyphens (``m'a``, ``êtes-vous``: one word).
The store computes it whenever it writes a document's segments.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

__all__ = ["WORD", "count_words", "turn_word_count"]

WORD = re.compile(r"\w+(?:['’-]\w+)*")
#: Characters counted per step of :func:`count_words` (memory stays small on a 45 MB text).
_COUNT_CHUNK = 1 << 20
_SPACE = re.compile(r"\s")


def count_words(text: str) -> int:
    """Words: runs of letters and digits, joined by an apostrophe or a hyphen
    ("aujourd'hui", "peut-être" are one).  Counted in C (``subn`` counts its matches; no
    match object reaches Python), a slice at a time cut at a space, which no word
    spans: a list of every word of a 45 MB transcript would be 300 MB."""
    n, start, size = 0, 0, len(text)
    while start < size:
        end = start + _COUNT_CHUNK
        if end < size:
            space = _SPACE.search(text, end)
            end = space.end() if space else size
        n += WORD.subn("", text[start:end])[1]
        start = end
    return n


def _get(seg: Any, name: str, default: Any = None) -> Any:
    return seg.get(name, default) if isinstance(seg, Mapping) else getattr(seg, name, default)


def turn_word_count(text: str, segments: Iterable[Any]) -> int:
    """The words of the turns of a document: over each segment (a dict or a
    :class:`~workbench.domain.Segment`) that is not front matter, the words between its
    ``body_start`` (its ``start`` when None) and its ``end``.  A text without segments
    counts whole."""
    total, seen = 0, False
    for seg in segments:
        seen = True
        if _get(seg, "front_matter"):
            continue
        begin = _get(seg, "body_start")
        start = _get(seg, "start") if begin is None else begin
        total += count_words(text[start:_get(seg, "end")])
    return total if seen else count_words(text)
