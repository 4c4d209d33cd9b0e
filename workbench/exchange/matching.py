"""The one identity matcher: which local document, code, coding or memo a foreign one is.

* **documents**: by GUID, then by the hash of their normalised text
  (:func:`workbench.identity.text_hash`: the same transcript imported separately, read
  from another tool's ``.qdpx``, or copied with other line ends); among several
  documents holding that text, the one with the same name, else the oldest;
* **positions** between the other side's copy of a transcript and ours
  (:class:`SpanMapper`): copies with the same text hash map exactly
  (:func:`workbench.identity.offset_mapper`: line ends, byte-order mark, trailing
  spaces); a text edited on one side maps a span where its words are unchanged in ours,
  else the span is *not placed*;
* **codes**: by GUID, then by name under the (matched) parent, i.e. by path
  (:func:`workbench.codebook.model.name_key`: NFC, case-insensitive);
* **codings**: by GUID, then by content (document, code, coder, span);
* **memos**: by GUID, then by content (target and text).

Everything that brings another project's work in (``workbench import X.qdpx``,
``workbench merge``) decides these facts here, through the element steps of
:mod:`workbench.exchange.engine`.
"""
from __future__ import annotations

import bisect
import difflib
from dataclasses import dataclass
from typing import Callable

from workbench.codebook.model import name_key
from workbench.identity import normalised_text, offset_mapper, text_hash

__all__ = ["DocumentIndex", "DocumentMatch", "SpanMapper", "CodeIndex", "coding_content",
           "map_span"]


# --------------------------------------------------------------------------- documents
@dataclass
class DocumentMatch:
    id: int | None          # the project's document, None if the source is new
    by: str = ""            # "guid" | "text" | ""
    text_differs: bool = False   # matched by GUID, but its text is not ours


class DocumentIndex:
    """The project's documents by GUID key, text hash and name (built once per import;
    :meth:`add` keeps it current as new documents are written)."""

    def __init__(self, store, guid_keys) -> None:
        self.by_guid: dict[str, int] = store.ids_by_guid("document", guid_keys)
        self.by_hash: dict[str, list[int]] = store.text_hashes()
        ids = list(self.by_guid.values()) + [i for ids in self.by_hash.values() for i in ids]
        self.rows: dict[int, dict] = store.document_rows(ids) if ids else {}
        self.names: set[str] = store.document_names()

    def match(self, key: str, text: str, name: str, digest: str | None = None) -> DocumentMatch:
        """``digest``: the text's :func:`~workbench.identity.text_hash` when known."""
        h = digest or text_hash(text)
        did = self.by_guid.get(key)
        if did is not None:
            return DocumentMatch(did, "guid", self.rows[did]["text_hash"] != h)
        owners = self.by_hash.get(h)
        if owners:
            same = [i for i in owners if self.rows[i]["name"] == name]
            return DocumentMatch((same or owners)[0], "text")
        return DocumentMatch(None)

    def holders(self, text: str, digest: str | None = None) -> list[int]:
        return list(self.by_hash.get(digest or text_hash(text), []))

    def add(self, did: int, key: str, row: dict) -> None:
        self.by_guid[key] = did
        self.by_hash.setdefault(row["text_hash"], []).append(did)
        self.rows[did] = row
        self.names.add(row["name"])

    def free_name(self, name: str) -> str:
        """``name``, or ``name (2)``, ``name (3)``... the first no document has."""
        candidate, n = name, 2
        while candidate in self.names:
            candidate = f"{name} ({n})"
            n += 1
        return candidate


# --------------------------------------------------------------------------- positions
def map_span(mapped: Callable[[int], int], start: int, end: int) -> tuple[int, int]:
    """A span through a position map: its end follows its last character (so characters
    the other copy has and this one has not, after it, stay outside)."""
    a = mapped(start)
    return a, (max(a, mapped(end - 1) + 1) if end > start else a)


def _same_words(a: str, b: str) -> bool:
    return normalised_text(a) == normalised_text(b)


class SpanMapper:
    """Maps spans of ``source`` (the other side's copy of a transcript) onto ``target``
    (ours).  Copies with the same text hash map exactly; for a text edited on one side,
    a span maps where its words are unchanged in ours (matching blocks of lines, then of
    characters inside changed lines), else :meth:`__call__` returns None (not placed).
    ``moved`` tells whether a mapped span changed offsets."""

    def __init__(self, source: str, target: str, *, source_hash: str | None = None,
                 target_hash: str | None = None) -> None:
        self.source, self.target = source, target
        self.identical = source == target
        self.same_text = self.identical or (source_hash or text_hash(source)) == \
            (target_hash or text_hash(target))
        self._mapped = offset_mapper(source, target) if self.same_text and not self.identical \
            else None
        self._blocks: list[tuple[int, int, int]] | None = None

    def prepare(self) -> None:
        """Do now what the first mapped span would (the comparison of an edited text):
        before an import takes the write lock."""
        if not self.same_text:
            self._matching_blocks()

    def __call__(self, start: int, end: int) -> tuple[int, int] | None:
        if self.identical:
            return (start, end) if end > start else None
        if self._mapped is not None:
            s, e = map_span(self._mapped, start, end)
            return (s, e) if e > s else None
        return self._edited(start, end)

    # -- a text edited on one side ------------------------------------------------------
    def _edited(self, start: int, end: int) -> tuple[int, int] | None:
        blocks = self._matching_blocks()
        starts = [b[0] for b in blocks]

        def inside(p: int, closing: bool) -> int | None:
            i = bisect.bisect_right(starts, p - 1 if closing else p) - 1
            if i < 0:
                return None
            a, b, size = blocks[i]
            if (a < p <= a + size) if closing else (a <= p < a + size):
                return p - a + b
            return None

        s, e = inside(start, False), inside(end, True)
        if s is None or e is None or e <= s:
            return None
        if not _same_words(self.source[start:end], self.target[s:e]):
            return None
        return s, e

    def _matching_blocks(self) -> list[tuple[int, int, int]]:
        """(start in source, start in target, size) of the unchanged stretches: whole
        lines first, then characters inside each changed run of lines."""
        if self._blocks is not None:
            return self._blocks
        a_lines = self.source.splitlines(keepends=True)
        b_lines = self.target.splitlines(keepends=True)
        a_off = [0]
        for line in a_lines:
            a_off.append(a_off[-1] + len(line))
        b_off = [0]
        for line in b_lines:
            b_off.append(b_off[-1] + len(line))
        out: list[tuple[int, int, int]] = []
        lines = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in lines.get_opcodes():
            if tag == "equal":
                out.append((a_off[i1], b_off[j1], a_off[i2] - a_off[i1]))
            elif tag == "replace":
                a_text = self.source[a_off[i1]:a_off[i2]]
                b_text = self.target[b_off[j1]:b_off[j2]]
                chars = difflib.SequenceMatcher(None, a_text, b_text, autojunk=False)
                out.extend((a_off[i1] + blk.a, b_off[j1] + blk.b, blk.size)
                           for blk in chars.get_matching_blocks() if blk.size)
        # neighbouring blocks that continue each other make one
        merged: list[tuple[int, int, int]] = []
        for a, b, size in out:
            if merged and merged[-1][0] + merged[-1][2] == a and merged[-1][1] + merged[-1][2] == b:
                pa, pb, ps = merged[-1]
                merged[-1] = (pa, pb, ps + size)
            else:
                merged.append((a, b, size))
        self._blocks = merged
        return merged


# --------------------------------------------------------------------------- codes
class CodeIndex:
    """The project's codes by GUID key and by (parent id, name key)."""

    def __init__(self, rows: list[dict]) -> None:
        self.by_guid = {r["guid"].lower(): r for r in rows if r.get("guid")}
        self.by_name = {(r["parent_id"] or 0, name_key(r["name"])): r for r in rows}

    def match(self, key: str | None, parent_id: int | None, name: str) -> tuple[dict | None, str]:
        """(the project's code row, "guid" | "path" | "")."""
        row = self.by_guid.get(key or "")
        if row is not None:
            return row, "guid"
        row = self.by_name.get((parent_id or 0, name_key(name)))
        return (row, "path") if row is not None else (None, "")

    def add(self, row: dict) -> None:
        if row.get("guid"):
            self.by_guid[row["guid"].lower()] = row
        self.by_name[(row["parent_id"] or 0, name_key(row["name"]))] = row

    def move(self, row: dict, parent_id: int | None, name: str) -> None:
        self.by_name.pop((row["parent_id"] or 0, name_key(row["name"])), None)
        row["parent_id"], row["name"] = parent_id, name
        self.by_name[(parent_id or 0, name_key(name))] = row

    def taken(self, parent_id: int | None, name: str, but: int | None = None) -> bool:
        row = self.by_name.get((parent_id or 0, name_key(name)))
        return row is not None and row["id"] != but


# --------------------------------------------------------------------------- codings, memos
def coding_content(code_id: int, coder_id: int, start: int, end: int) -> tuple:
    """What two codings of one document share when they are the same coding made in two
    copies (their GUIDs differ): the code, the coder and the span."""
    return code_id, coder_id, start, end


def memo_content(target_type: str, target_id, text: str | None) -> tuple:
    """What two memos share when they are the same memo written in two copies."""
    return target_type, None if target_id is None else str(target_id), text or ""
