"""Typed fields of a kind of unit (SQL for the store only).

Participants have attributes (``attributes`` / ``participant_values``), documents have
fields (``document_fields`` / ``document_values``, the extra manifest columns), cases
(sites, organisations) have fields (``case_fields`` / ``case_values``).  Definitions and values have the same
shape everywhere: a definition is a :class:`workbench.domain.Attribute` (name, type,
ordinal levels, position, private); a value is a text and, for numbers, dates, yes/no
and ordinal levels, the number comparisons use.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Iterable, Sequence

from workbench.domain import Attribute
from workbench.store.db import StoreCore


@dataclass(frozen=True)
class FieldSet:
    defs: str            # table of definitions
    values: str          # table of values
    owner: str           # owner column in the values table
    field: str           # field-name column in the values table


FIELD_SETS = {
    "participant": FieldSet("attributes", "participant_values", "participant_id", "attribute"),
    "document": FieldSet("document_fields", "document_values", "document_id", "field"),
    "case": FieldSet("case_fields", "case_values", "case_id", "field"),
}


def _set(kind: str) -> FieldSet:
    try:
        return FIELD_SETS[kind]
    except KeyError:
        raise ValueError(f"unknown kind of typed fields {kind!r}") from None


class FieldStore(StoreCore):
    def field_defs(self, kind: str) -> list[Attribute]:
        fs = _set(kind)
        return [Attribute(r["name"], r["type"], tuple(json.loads(r["levels"] or "[]")),
                          r["position"], bool(r["private"]))
                for r in self.query(f"SELECT * FROM {fs.defs} ORDER BY position, name")]

    def field_values(self, kind: str, name: str) -> list[tuple]:
        """``(owner, value as text)`` of one field, for every owner that has one."""
        fs = _set(kind)
        return [(r[0], r[1]) for r in self.query(
            f"SELECT {fs.owner}, value FROM {fs.values} WHERE {fs.field} = ? "
            f"ORDER BY {fs.owner}", [name])]

    def field_value_rows(self, kind: str, name: str | None = None) -> list[dict]:
        """Long format: owner, field, value, num (one field, or all)."""
        fs = _set(kind)
        where, params = (f" WHERE {fs.field} = ?", [name]) if name is not None else ("", [])
        return [dict(owner=r[0], field=r[1], value=r[2], num=r[3]) for r in self.query(
            f"SELECT {fs.owner}, {fs.field}, value, num FROM {fs.values}{where} "
            f"ORDER BY {fs.owner}", params)]

    def field_values_of(self, kind: str, owner: int | str) -> dict[str, tuple[str | None, float | None]]:
        """One owner's values: {field: (text, number)}."""
        fs = _set(kind)
        return {r[0]: (r[1], r[2]) for r in self.query(
            f"SELECT {fs.field}, value, num FROM {fs.values} WHERE {fs.owner} = ?", [owner])}

    def field_values_of_many(self, kind: str, owners: Iterable[int | str]
                             ) -> dict[int | str, dict[str, tuple[str | None, float | None]]]:
        """Several owners' values at once: {owner: {field: (text, number)}} (every owner
        asked for is a key; one query per 500)."""
        fs = _set(kind)
        wanted = sorted(set(owners), key=str)
        out: dict[int | str, dict[str, tuple[str | None, float | None]]] = {o: {} for o in wanted}
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            for r in self.query(f"SELECT {fs.owner}, {fs.field}, value, num FROM {fs.values} "
                                f"WHERE {fs.owner} IN ({', '.join('?' * len(chunk))})", chunk):
                out.setdefault(r[0], {})[r[1]] = (r[2], r[3])
        return out

    def write_field_defs(self, c: sqlite3.Connection, kind: str,
                         defs: Sequence[Attribute]) -> None:
        """Insert or update definitions (inside the caller's transaction); an existing
        field keeps its private flag."""
        fs = _set(kind)
        c.executemany(
            f"INSERT INTO {fs.defs}(name, type, levels, position, private) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET type = excluded.type, levels = excluded.levels, "
            "position = excluded.position",
            [(a.name, a.type, json.dumps(list(a.levels), ensure_ascii=False), a.position,
              int(a.private)) for a in defs])

    def write_field_values(self, c: sqlite3.Connection, kind: str,
                           values: Iterable[tuple]) -> None:
        """Insert or replace ``(owner, field, text, number)`` values (inside the caller's
        transaction)."""
        fs = _set(kind)
        c.executemany(
            f"INSERT INTO {fs.values}({fs.owner}, {fs.field}, value, num) VALUES (?, ?, ?, ?) "
            f"ON CONFLICT({fs.owner}, {fs.field}) DO UPDATE SET value = excluded.value, "
            "num = excluded.num", list(values))

    def set_field_private(self, kind: str, name: str, private: bool,
                          coder: str | None = None) -> int:
        fs = _set(kind)
        with self.transaction() as c:
            n = c.execute(f"UPDATE {fs.defs} SET private = ? WHERE name = ?",
                          [int(private), name]).rowcount
            if n:
                self.log_change(coder, f"{kind}_field.private", kind, name, {"private": private})
            return n
