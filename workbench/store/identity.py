"""Looking rows up by their stable identity: GUID (documents, codes, codings, memos)
and text hash (documents).  See :mod:`workbench.identity` (SQL for the store only)."""
from __future__ import annotations

from typing import Iterable

from workbench.domain import ValidationError
from workbench.identity import guid_key
from workbench.store.db import StoreCore

#: kinds of rows that carry a ``guid`` column, and their tables
GUID_TABLES = {"document": "documents", "code": "codes", "coding": "codings", "memo": "memos"}


def _table(kind: str) -> str:
    try:
        return GUID_TABLES[kind]
    except KeyError:
        raise ValidationError(f"no GUIDs for {kind!r}: use one of "
                              f"{', '.join(GUID_TABLES)}") from None


class IdentityStore(StoreCore):
    def id_by_guid(self, kind: str, guid: str) -> int | None:
        """The id of the ``kind`` row with this GUID (any letter case, braces or not)."""
        key = guid_key(guid)
        if key is None:
            return None
        return self.scalar(f"SELECT id FROM {_table(kind)} WHERE lower(guid) = ?", [key])

    def ids_by_guid(self, kind: str, guids: Iterable[str]) -> dict[str, int]:
        """GUID key (lower case) -> id, for those of ``guids`` that exist."""
        keys = sorted({k for k in (guid_key(g) for g in guids) if k})
        out: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            out.update((r[0], r[1]) for r in self.query(
                f"SELECT lower(guid), id FROM {_table(kind)} WHERE lower(guid) IN "
                f"({', '.join('?' * len(chunk))})", chunk))
        return out

    def guid_of(self, kind: str, row_id: int) -> str | None:
        return self.scalar(f"SELECT guid FROM {_table(kind)} WHERE id = ?", [row_id])

    def guids(self, kind: str) -> dict[int, str]:
        """id -> GUID of every ``kind`` row."""
        return {r[0]: r[1] for r in self.query(f"SELECT id, guid FROM {_table(kind)}")}

    def documents_by_text_hash(self, digest: str) -> list[int]:
        """Ids of the documents whose normalised text has this hash (oldest first)."""
        return [r[0] for r in self.query(
            "SELECT id FROM documents WHERE text_hash = ? ORDER BY id", [digest])]

    def text_hashes(self) -> dict[str, list[int]]:
        """text hash -> document ids."""
        out: dict[str, list[int]] = {}
        # (the hash index holds both: sorting here spares reading every row, and with it
        # every text, as ORDER BY id would)
        for h, i in sorted(self.query("SELECT text_hash, id FROM documents"),
                           key=lambda r: r[1]):
            out.setdefault(h, []).append(i)
        return out
