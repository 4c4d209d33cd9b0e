"""Finding known strings in text, fast and at word boundaries.

Every variant of every entity (a name, a place, an e-mail address...) is looked for in
every document with one compiled expression per case mode, built as a character trie
so that thousands of variants cost one pass over the text.  A match never starts or ends
inside a word: "Lina" is not found in "Linares" nor "Lô" in "Saint-Lô".
"""
from __future__ import annotations

import re
from typing import Iterable

# A word character or a hyphen on either side means "inside a word" (Saint-Lô, Jean-Marc).
_BEFORE = r"(?<![^\W_]|-)"
_AFTER = r"(?![^\W_]|-)"
# In file names, underscores and dots separate words: entretien_karima.docx
_BEFORE_PATH = r"(?<![^\W_])"
_AFTER_PATH = r"(?![^\W_])"


def trie_pattern(words: Iterable[str]) -> str:
    """One regular expression matching any of ``words``, longest first at each position."""
    trie: dict = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        # longer continuations first: a regex alternation takes the first that matches
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    body = build(trie)
    return body or r"(?!x)x"


class Matcher:
    """Finds variants in text.  ``exact``: variants matched as written (and in capitals:
    "Martin" also finds "MARTIN"); ``folded``: variants matched ignoring case (team lists:
    "Leroy Merlin" finds "leroy merlin").  Each match gives the variant it stands for."""

    def __init__(self, exact: Iterable[str] = (), folded: Iterable[str] = (), *,
                 paths: bool = False):
        self.lookup: dict[str, str] = {}
        self.folded: dict[str, str] = {}
        for v in exact:
            self.lookup.setdefault(v, v)
            if len(v) > 1:
                self.lookup.setdefault(v.upper(), v)
        for v in folded:
            self.folded.setdefault(v.casefold(), v)
        before, after = (_BEFORE_PATH, _AFTER_PATH) if paths else (_BEFORE, _AFTER)
        self._exact = (re.compile(before + "(?:" + trie_pattern(self.lookup) + ")" + after)
                       if self.lookup else None)
        self._folded = (re.compile(before + "(?:" + trie_pattern(self.folded) + ")" + after,
                                   re.IGNORECASE) if self.folded else None)

    def __bool__(self) -> bool:
        return bool(self.lookup or self.folded)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, variant) in text order; where two matches overlap
        the one starting first wins, then the longer."""
        hits: list[tuple[int, int, str]] = []
        if self._exact is not None:
            hits.extend((m.start(), m.end(), self.lookup[m.group()])
                        for m in self._exact.finditer(text))
        if self._folded is not None:
            for m in self._folded.finditer(text):
                v = self.folded.get(m.group().casefold())
                if v is not None:
                    hits.append((m.start(), m.end(), v))
        return resolve_overlaps(hits)


def resolve_overlaps(spans: Iterable[tuple]) -> list:
    """Keep non-overlapping spans (tuples starting with start, end): leftmost first, then
    longest."""
    out: list = []
    last_end = -1
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if span[0] >= last_end:
            out.append(span)
            last_end = span[1]
    return out
