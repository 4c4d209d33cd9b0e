"""The one text-sanitising step every importer applies, and the guard every XML
exporter applies.

What each class of character becomes (:func:`clean_text`):

========================================  ==========================================
tab, line feed                            kept
CR LF, CR, VT, FF, NEL, U+2028, U+2029    a line feed (one line-break convention)
ANSI terminal escape sequences            dropped whole (``ESC [ 31 m`` leaves nothing)
other C0 controls (NUL, ESC, BEL...),     dropped: they carry no text, break XML 1.0
DEL, C1 controls (U+0080-U+009F)          (Word, .xlsx, REFI-QDA) and terminals
lone surrogates, U+FFFE, U+FFFF           U+FFFD (a character was there but it is
                                          not valid Unicode text: the loss stays visible)
everything else                           kept
========================================  ==========================================

:func:`clean_text_map` also returns the mapping of old offsets to new ones, so that
spans into the text (segments, codings from a REFI-QDA file) follow it.

Exports cannot be broken by stored text (a project written by an older version may
hold a NUL): :func:`xml_safe` replaces, one for one, every character XML 1.0
forbids with U+FFFD, so offsets into the exported text stay valid.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["CleanedText", "XmlSafeReads", "clean_text", "clean_text_map", "has_unsafe",
           "xml_safe", "xml_safe_deep"]

_LINE_BREAK = r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]"
#: CSI (``ESC [ ... final``), OSC (``ESC ] ... BEL|ST``) and two-character escapes.
_ANSI = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]"
_CONTROL = r"[\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f]"
_INVALID = r"[\ud800-\udfff\ufffe\uffff]"

_UNSAFE = re.compile(f"{_LINE_BREAK}|{_ANSI}|{_CONTROL}|{_INVALID}")
#: The characters any of ``_UNSAFE``'s alternatives starts with, and each of them is one
#: (a CR, an ESC, a control...): a single class finds whether there is anything to do
#: several times faster than the alternation, which clean texts (nearly all) never need.
_UNSAFE_START = re.compile(r"[\r\x0b\x0c\x85\u2028\u2029\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f"
                           r"\ud800-\udfff\ufffe\uffff]")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

REPLACEMENT = "\ufffd"


def _replacement(match: re.Match) -> str:
    s = match.group()
    if s[0] in "\r\x0b\x0c\x85\u2028\u2029":
        return "\n"
    if "\ud800" <= s[0] <= "\udfff" or s in ("\ufffe", "\uffff"):
        return REPLACEMENT
    return ""


def has_unsafe(text: str) -> bool:
    """Whether :func:`clean_text` would change ``text``."""
    return _UNSAFE_START.search(text) is not None


def clean_text(text: str) -> str:
    """``text`` with control characters handled as the module table says."""
    if not text or _UNSAFE_START.search(text) is None:
        return text
    return _UNSAFE.sub(_replacement, text)


@dataclass(frozen=True)
class CleanedText:
    text: str
    dropped: int            # characters removed (controls, escape sequences, CR of CR LF)
    replaced: int           # characters replaced with U+FFFD
    _starts: tuple[int, ...] = ()
    _ends: tuple[int, ...] = ()
    _new_starts: tuple[int, ...] = ()
    _new_lens: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self._starts)

    def offset(self, old: int) -> int:
        """The offset in the cleaned text of offset ``old`` in the original one (an
        offset inside a removed sequence maps to where that sequence was)."""
        if not self._starts:
            return old
        i = bisect.bisect_right(self._starts, old) - 1
        if i < 0:
            return old
        start, end = self._starts[i], self._ends[i]
        new_start, new_len = self._new_starts[i], self._new_lens[i]
        if old >= end:
            return new_start + new_len + (old - end)
        return new_start + min(old - start, new_len)

    @property
    def remap(self) -> Callable[[int], int]:
        return self.offset


def clean_text_map(text: str) -> CleanedText:
    """:func:`clean_text` with the offset mapping (identity when nothing changes)."""
    if not text or _UNSAFE_START.search(text) is None:
        return CleanedText(text, 0, 0)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    new_starts: list[int] = []
    new_lens: list[int] = []
    last = 0
    length = 0
    dropped = replaced = 0
    for m in _UNSAFE.finditer(text):
        out.append(text[last:m.start()])
        length += m.start() - last
        rep = _replacement(m)
        if rep == REPLACEMENT:
            replaced += 1
        dropped += len(m.group()) - len(rep)
        starts.append(m.start())
        ends.append(m.end())
        new_starts.append(length)
        new_lens.append(len(rep))
        out.append(rep)
        length += len(rep)
        last = m.end()
    out.append(text[last:])
    return CleanedText("".join(out), dropped, replaced, tuple(starts), tuple(ends),
                       tuple(new_starts), tuple(new_lens))


def xml_safe(value: str) -> str:
    """``value`` with every character XML 1.0 forbids replaced by U+FFFD (same length)."""
    if not value or _XML_ILLEGAL.search(value) is None:
        return value
    return _XML_ILLEGAL.sub(REPLACEMENT, value)


def _has_xml_illegal(value) -> bool:
    """Whether any string inside ``value`` (dicts, lists, tuples; keys included) holds a
    character XML 1.0 forbids: one regular-expression search over them all."""
    strings: list[str] = []
    _gather_strings(value, strings)
    return _XML_ILLEGAL.search("\n".join(strings)) is not None


_PLAIN = frozenset({str, int, float, bool, bytes, type(None)})


def _gather_strings(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
        return
    if isinstance(value, dict):
        values = [*value, *value.values()]
    elif isinstance(value, (list, tuple)):
        if value and {type(r) for r in value} == {dict}:     # rows: flattened at once
            values = [*{k for r in value for k in r}, *(v for r in value for v in r.values())]
        else:
            values = list(value)
    else:
        return
    out.extend([v for v in values if type(v) is str])
    for v in [v for v in values if type(v) not in _PLAIN]:      # containers (rarely)
        _gather_strings(v, out)


def xml_safe_deep(value):
    """:func:`xml_safe` on every string inside dicts, lists and tuples (keys included);
    the same object back when nothing needed replacing."""
    if isinstance(value, str):
        return xml_safe(value)
    if not _has_xml_illegal(value):       # the usual case: checked in one pass
        return value
    return _xml_safe_deep(value)


def _xml_safe_deep(value):
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, dict):
        pairs = [(_xml_safe_deep(k), _xml_safe_deep(v)) for k, v in value.items()]
        if all(k2 is k1 and v2 is v1 for (k2, v2), (k1, v1) in zip(pairs, value.items())):
            return value
        return dict(pairs)
    if isinstance(value, (list, tuple)):
        items = [_xml_safe_deep(v) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return type(value)(items) if isinstance(value, list) else tuple(items)
    return value


class XmlSafeReads:
    """A read-only view of a store whose every method returns :func:`xml_safe_deep`
    results: what an XML writer reads through it cannot break the XML (a project made
    by an older version may hold a NUL or an ESC)."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if not callable(attr):
            return xml_safe_deep(attr)

        def call(*args, **kwargs):
            return xml_safe_deep(attr(*args, **kwargs))
        return call
