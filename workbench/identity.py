"""Stable identity of project rows: GUIDs and the text hash of documents.

Documents, codes, codings and memos each carry a GUID (column ``guid``) that is given
once, when the row is made (or when it is first read from another tool), and never
regenerated: exports write it, imports keep the one they read.  GUIDs are stored as
the tool that made them wrote them (its letter case kept, braces removed) and compared
case-insensitively through :func:`guid_key`.

Documents also carry ``text_hash``: the SHA-256 of their *normalised* text, which
recognises the same transcript in another project, a copied ``.wbproj`` or a ``.qdpx``
written by another tool, whatever its line ends, byte-order mark, trailing spaces or
Unicode composition.  ``source_hash`` is something else: the hash of the source file's
bytes (a ``.docx`` and the ``.txt`` saved from it have different source hashes and the
same text hash).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid

__all__ = ["new_guid", "normalise_guid", "guid_key", "valid_key", "keep_guid", "normalised_text",
           "text_hash", "WORKBENCH_NS"]

#: Namespace of the GUIDs Workbench derives (fixed forever: changing it changes them all).
WORKBENCH_NS = uuid.UUID("5b0d7c1e-3f4a-5e21-9c8d-6a7b8c9d0e1f")

_SPACES = (" ", "\t", "\u00a0", "\u202f", "\u3000")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0\u202f\u3000]+$", re.M)


def new_guid() -> str:
    """A fresh random GUID (version 4, lower case)."""
    return str(uuid.uuid4())


def normalise_guid(value: str | None) -> str | None:
    """A GUID in canonical form (lower case, no braces), or None if it is not one."""
    try:
        return str(uuid.UUID(str(value).strip().strip("{}")))
    except (ValueError, AttributeError, TypeError):
        return None


#: the key GUIDs are compared by (the store compares ``lower(guid)``)
guid_key = normalise_guid


def valid_key(guid: str) -> str:
    """The key of a GUID already known to be one (from :func:`keep_guid` or
    :func:`new_guid`); a programming error otherwise."""
    key = normalise_guid(guid)
    if key is None:
        raise ValueError(f"not a GUID: {guid!r}")
    return key


def keep_guid(value: str | None) -> str | None:
    """A GUID as another tool wrote it, braces and spaces removed but its letter case
    kept (some tools match their own GUIDs case-sensitively); None if not a GUID."""
    if normalise_guid(value) is None:
        return None
    return str(value).strip().strip("{}")


def normalised_text(text: str) -> str:
    """The text that :func:`text_hash` hashes: no byte-order mark, ``\\n`` line ends,
    no spaces at line ends, no blank lines at either end, Unicode NFC."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith(_SPACES) or any(space + "\n" in text for space in _SPACES):
        text = _TRAILING_SPACE.sub("", text)      # (a substring search finds none faster)
    text = text.strip("\n")
    return unicodedata.normalize("NFC", text)


def text_hash(text: str) -> str:
    """SHA-256 (hex) of :func:`normalised_text`: equal for the same transcript
    wherever it comes from."""
    return hashlib.sha256(normalised_text(text).encode("utf-8")).hexdigest()


def _kept_positions(text: str) -> list[int] | None:
    """Indices of ``text`` whose characters :func:`normalised_text` keeps, in order
    (None when NFC would change the text: then positions do not map one to one)."""
    if unicodedata.normalize("NFC", text) != text:
        return None
    n = len(text)
    drop = bytearray(n)
    if n and text[0] == "\ufeff":
        drop[0] = 1
    for i, ch in enumerate(text):
        if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
            drop[i] = 1
    # spaces at line ends
    i = n - 1
    at_line_end = True
    while i >= 0:
        ch = text[i]
        if ch in "\n\r":
            at_line_end = True
        elif at_line_end and ch in " \t\u00a0\u202f\u3000":
            drop[i] = 1
        elif not drop[i]:
            at_line_end = False
        i -= 1
    kept = [i for i in range(n) if not drop[i]]
    # blank lines at either end (line ends once the spaces are gone)
    lo, hi = 0, len(kept)
    while lo < hi and text[kept[lo]] in "\n\r":
        lo += 1
    while hi > lo and text[kept[hi - 1]] in "\n\r":
        hi -= 1
    return kept[lo:hi]


def _subsequence(short: str, long: str) -> list[int] | None:
    """Where each character of ``short`` sits in ``long`` when ``short`` is ``long``
    with characters deleted (greedy, linear); None if it is not."""
    out: list[int] = []
    j, n = 0, len(long)
    find = long.find
    for ch in short:
        j = find(ch, j)
        if j < 0:
            return None
        out.append(j)
        j += 1
    return out


def offset_mapper(source: str, target: str):
    """A function taking a character position in ``source`` to the same place in
    ``target``: two copies of one transcript that differ in line ends, trailing
    spaces, byte-order mark, edge blank lines or deleted invisible characters (equal
    :func:`text_hash`, or one a copy of the other with characters removed)."""
    import bisect

    if source == target:
        return lambda p: p
    a, b = _kept_positions(source), _kept_positions(target)
    if a is not None and b is not None and len(a) == len(b) and \
            all(source[i] == target[j] or source[i] in "\r\n" for i, j in zip(a, b)):
        def mapped(p: int) -> int:
            i = bisect.bisect_left(a, p)
            return b[i] if i < len(b) else len(target)
        return mapped
    if len(source) <= len(target):
        where = _subsequence(source, target)
        if where is not None:              # target = source + characters
            return lambda p: where[p] if p < len(where) else len(target)
    else:
        where = _subsequence(target, source)
        if where is not None:              # target = source - characters
            return lambda p: bisect.bisect_left(where, p)
    import difflib
    blocks = difflib.SequenceMatcher(None, source, target,
                                     autojunk=len(source) > 20_000).get_matching_blocks()
    starts = [blk.a for blk in blocks]

    def aligned(p: int) -> int:
        i = max(bisect.bisect_right(starts, p) - 1, 0)
        blk = blocks[i]
        return min(blk.b + min(p - blk.a, blk.size), len(target))
    return aligned
