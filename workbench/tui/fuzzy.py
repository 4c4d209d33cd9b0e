"""Fuzzy matching for the code picker and the command palette (pure Python)."""
from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Case- and accent-insensitive form of ``text``."""
    if not text:
        return ""
    norm = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in norm if not unicodedata.combining(ch))


def _subsequence(query: str, text: str) -> int | None:
    """A score for ``query`` appearing in order in ``text`` (lower gaps score higher)."""
    pos, gaps, last = 0, 0, -1
    for ch in query:
        found = text.find(ch, pos)
        if found < 0:
            return None
        if last >= 0:
            gaps += found - last - 1
        last, pos = found, found + 1
    return max(1, 40 - gaps)


def score(query: str, name: str, path: str, definition: str = "") -> int:
    """How well ``query`` matches a code: 0 means no match.  Name beats path beats
    definition; prefixes beat substrings beat subsequences."""
    q = fold(query).strip()
    if not q:
        return 1
    n, p, d = fold(name), fold(path), fold(definition)
    if n == q or p == q:
        return 1000
    if n.startswith(q):
        return 800 - len(n)
    if q in n:
        return 600 - len(n)
    if q in p:
        return 500 - len(p)
    words = q.split()
    if len(words) > 1 and all(w in p for w in words):
        return 400
    sub = _subsequence(q.replace(" ", ""), p)
    if sub is not None:
        return 200 + sub
    if d and all(w in d for w in words):
        return 100
    return 0
