"""The writes and look-ups of a REFI-QDA import, element by element (SQL for the store
only).  The import itself (matching, conflicts) is :mod:`workbench.export.qdpx`; it
calls these inside one :meth:`~workbench.store.db.StoreCore.transaction`."""
from __future__ import annotations

import json
from typing import Any, Iterable

from workbench.identity import guid_key
from workbench.store.coding import CodingStore

#: the tables an import may insert into or update, and their key columns
_WRITABLE = {
    "codes": "id", "codings": "id", "memos": "id", "selections": "guid", "groups": "id",
    "evaluation_questions": "id", "code_questions": None, "group_members": None,
    "case_codes": None, "case_selections": None, "document_participants": None,
    "participants": "id", "attributes": "name", "exchange_objects": "guid",
    "cases": "id", "case_fields": "name", "case_values": None, "document_cases": None,
    "participant_cases": None,
}
#: the tables whose writes an undoable import or merge records (store/coding.py _PK)
_UNDOABLE = ("codes", "codings", "memos", "code_questions")


def _exists(rec: Any, table: str, row: dict) -> bool:
    """Whether a row with ``row``'s key is there (code-question links: both columns)."""
    if table == "code_questions":
        return rec.fetch(table, {"code_id": row["code_id"],
                                 "question_id": row["question_id"]}) is not None
    return row.get("id") is not None and rec.fetch(table, {"id": row["id"]}) is not None


def _key(table: str, row: dict) -> Any:
    """The key a row of an undoable table is unique by (None: no key given)."""
    if table == "code_questions":
        return row["code_id"], row["question_id"]
    return row.get("id")


class ExchangeImportStore(CodingStore):
    # -- generic ------------------------------------------------------------------------
    # Inside an undoable action (``Store.grouped``: a merge or an import), the rows of
    # codes, codings, memos and code-question links written here are recorded for undo.
    def _undo_recorder(self, table: str) -> Any:
        if table not in _UNDOABLE:
            return None
        return getattr(self._action_local(), "recorder", None)

    def exchange_insert(self, table: str, row: dict, *, ignore: bool = False) -> int | None:
        """Insert one row into one of the tables an import writes; returns its rowid
        (``ignore``: an existing equal key is left alone, returns None)."""
        if table not in _WRITABLE:
            raise ValueError(f"an import does not write {table}")
        rec = self._undo_recorder(table)
        if rec is not None:
            with self.transaction():
                if ignore and _exists(rec, table, row):
                    return None
                return rec.insert(table, row)
        cols = ", ".join(row)
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        with self.transaction() as c:
            cur = c.execute(f"{verb} INTO {table}({cols}) VALUES ({', '.join('?' * len(row))})",
                            list(row.values()))
            return cur.lastrowid if cur.rowcount else None

    def exchange_insert_many(self, table: str, rows: list[dict], *,
                             ignore: bool = False) -> list[int] | None:
        """Insert rows into one of the tables an import writes, in one statement.  Rows
        of a table keyed by ``id`` that bring none get the next free ids, returned in
        order (None otherwise, and with ``ignore``).  Inside an undoable action, codes,
        codings, memos and code-question links are recorded for undo (one record for
        the whole insert: :meth:`_Recorder.insert_many`)."""
        if not rows:
            return []
        if table not in _WRITABLE:
            raise ValueError(f"an import does not write {table}")
        rec = self._undo_recorder(table)
        if rec is not None:
            with self.transaction():
                if ignore:                 # as INSERT OR IGNORE: rows already there, and
                    kept, seen = [], set()  # a repeated key within these rows, left out
                    for r in rows:
                        key = _key(table, r)
                        if (key is not None and key in seen) or _exists(rec, table, r):
                            continue
                        seen.add(key)
                        kept.append(r)
                    rec.insert_many(table, kept)
                    return None
                return rec.insert_many(table, rows)
        cols = list(rows[0])
        verb = "INSERT OR IGNORE" if ignore else "INSERT"
        with self.transaction() as c:
            ids = None
            values = [[r[k] for k in cols] for r in rows]
            if not ignore and _WRITABLE[table] == "id" and "id" not in cols:
                last = c.execute(f"SELECT ifnull(max(id), 0) FROM {table}").fetchone()[0]
                ids = list(range(last + 1, last + 1 + len(rows)))
                cols = ["id", *cols]
                values = [[i, *v] for i, v in zip(ids, values)]
            c.executemany(f"{verb} INTO {table}({', '.join(cols)}) VALUES "
                          f"({', '.join('?' * len(cols))})", values)
            return ids

    def exchange_update(self, table: str, key: Any, values: dict) -> None:
        col = _WRITABLE.get(table)
        if not col or not values:
            raise ValueError(f"an import does not update {table}")
        rec = self._undo_recorder(table)
        if rec is not None:
            with self.transaction():
                rec.update(table, {col: key}, values)
            return
        sets = ", ".join(f"{k} = ?" for k in values)
        with self.transaction() as c:
            c.execute(f"UPDATE {table} SET {sets} WHERE {col} = ?", [*values.values(), key])

    def exchange_delete(self, table: str, key: Any) -> None:
        """Delete one row of codings or memos (a merge taking the other side's deletion)."""
        if table not in ("codings", "memos"):
            raise ValueError(f"an import does not delete from {table}")
        rec = self._undo_recorder(table)
        with self.transaction() as c:
            if rec is not None:
                rec.delete(table, {"id": key})
            else:
                c.execute(f"DELETE FROM {table} WHERE id = ?", [key])

    def set_exchange_guid(self, kind: str, local_id: str, guid: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO exchange_guids(kind, local_id, guid) VALUES (?, ?, ?) "
                      "ON CONFLICT(kind, local_id) DO UPDATE SET guid = excluded.guid",
                      [kind, str(local_id), guid])

    def exchange_fields_of(self, kind: str, guids: Iterable[str]) -> dict[str, dict]:
        """GUID key -> the attributes kept of those elements that have some (one query
        per 500)."""
        keys = sorted({guid_key(g) or g for g in guids})
        out: dict[str, dict] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            out.update((r[0], json.loads(r[1])) for r in self.query(
                "SELECT guid, data FROM exchange_fields WHERE kind = ? AND guid IN "
                f"({', '.join('?' * len(chunk))})", [kind, *chunk]))
        return out

    def set_exchange_fields(self, kind: str, guid: str, data: dict,
                            kept: dict | None = None) -> None:
        """Keep another tool's attributes of one element (merged over those kept;
        ``kept``: those, when the caller read them already, see
        :meth:`exchange_fields_of`).  Nothing is written when nothing changes."""
        data = {k: v for k, v in data.items() if v not in (None, "")}
        if not data:
            return
        key = guid_key(guid) or guid
        with self.transaction() as c:
            if kept is None:
                row = c.execute("SELECT data FROM exchange_fields WHERE kind = ? AND guid = ?",
                                [kind, key]).fetchone()
                kept = json.loads(row[0]) if row else {}
            merged = {**kept, **data}
            if merged == kept:
                return
            c.execute("INSERT INTO exchange_fields(kind, guid, data) VALUES (?, ?, ?) "
                      "ON CONFLICT(kind, guid) DO UPDATE SET data = excluded.data",
                      [kind, key, json.dumps(merged, ensure_ascii=False, sort_keys=True)])

    def set_document_extra(self, document_id: int, extra: dict) -> None:
        """Replace a document's extra fields (an import filling or replacing them)."""
        with self.transaction() as c:
            c.execute("UPDATE documents SET extra = ? WHERE id = ?",
                      [json.dumps(extra, ensure_ascii=False), document_id])

    # -- look-ups -----------------------------------------------------------------------
    def exchange_guid_owner(self, kind: str, guid: str) -> str | None:
        """The local id that holds another tool's GUID (coder, participant, attribute...)."""
        key = guid_key(guid)
        if key is None:
            return None
        return self.scalar("SELECT local_id FROM exchange_guids WHERE kind = ? AND "
                           "lower(guid) = ?", [kind, key])

    def coder_ids(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.query("SELECT name, id FROM coders")}

    def code_rows(self) -> list[dict]:
        """Every code's own fields (no counts)."""
        return [dict(r) for r in self.query(
            "SELECT id, parent_id, name, short, definition, when_to_use, when_not_to_use, "
            "example, colour, codable, guid, position FROM codes ORDER BY id")]

    def attribute_rows(self) -> dict[str, dict]:
        return {r["name"]: dict(r) for r in self.query(
            "SELECT name, type, levels, position, private, exchange_type FROM attributes")}

    def participant_rows(self, ids: Iterable[str]) -> dict[str, dict]:
        ids = sorted(set(ids))
        out: dict[str, dict] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.query("SELECT id, description FROM participants WHERE id IN "
                                f"({', '.join('?' * len(chunk))})", chunk):
                out[r[0]] = dict(r)
        return out

    def write_participant_values(self, rows: list[tuple[str, str, str | None, float | None]]) -> None:
        """(participant, attribute, text, number): insert or replace those values."""
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO participant_values(participant_id, attribute, value, num) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(participant_id, attribute) DO UPDATE SET "
                "value = excluded.value, num = excluded.num", rows)

    def document_rows(self, ids: Iterable[int]) -> dict[int, dict]:
        """Metadata of some documents (no text)."""
        ids = sorted(set(ids))
        out: dict[int, dict] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.query(
                    "SELECT id, name, guid, text_hash, programme, actor_type, interview_date, "
                    "interviewer, site, language, extra, wave FROM documents WHERE id IN "
                    f"({', '.join('?' * len(chunk))})", chunk):
                d = dict(r)
                d["extra"] = json.loads(d["extra"] or "{}")
                out[r[0]] = d
        return out

    def selection_keys(self, document_ids: Iterable[int]) -> dict[int, dict[str, dict]]:
        """Document id -> {GUID key -> selection row}, for these documents (one query per
        500 documents)."""
        ids = sorted(set(document_ids))
        out: dict[int, dict[str, dict]] = {i: {} for i in ids}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.query("SELECT guid, document_id, start, end, notes FROM selections "
                                f"WHERE document_id IN ({', '.join('?' * len(chunk))})", chunk):
                out[r["document_id"]][r["guid"].lower()] = dict(r)
        return out

    def selection_row(self, guid: str) -> dict | None:
        rows = self.query("SELECT guid, document_id, start, end, notes FROM selections WHERE "
                          "lower(guid) = ?", [guid_key(guid)])
        return dict(rows[0]) if rows else None

    def _by_guid_keys(self, table: str, columns: str, keys: Iterable[str]) -> list[tuple]:
        """Rows (``columns``, then the GUID key) of ``table`` whose GUID key is one of
        ``keys`` (GUID keys: lower case, as :func:`~workbench.identity.guid_key` makes
        them).  Looked up by the GUID index, 500 at a time; when the keys are many for
        the table (an import matching its own earlier copy), one scan instead."""
        wanted = set(keys)
        if not wanted:
            return []
        size = self.scalar(f"SELECT ifnull(max(rowid), 0) FROM {table}") or 0
        if len(wanted) * 4 >= size:
            return [tuple(r) for r in self.query(
                f"SELECT {columns}, lower(guid) FROM {table} WHERE guid IS NOT NULL")
                if r[-1] in wanted]
        ordered = sorted(wanted)
        out: list[tuple] = []
        for i in range(0, len(ordered), 500):
            chunk = ordered[i:i + 500]
            out.extend(tuple(r) for r in self.query(
                f"SELECT {columns}, lower(guid) FROM {table} WHERE lower(guid) IN "
                f"({', '.join('?' * len(chunk))})", chunk))
        return out

    def selection_owners(self, keys: Iterable[str]) -> dict[str, int]:
        """GUID key -> document id, for those of these selection GUID keys the project
        holds."""
        return {r[1]: r[0] for r in self._by_guid_keys("selections", "document_id", keys)}

    def codings_for_match(self, document_ids: Iterable[int]) -> dict[int, list[tuple]]:
        """Document id -> [(id, code id, coder id, start, end)] of its codings, for these
        documents (one query per 500 documents)."""
        ids = sorted(set(document_ids))
        out: dict[int, list[tuple]] = {i: [] for i in ids}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for r in self.query("SELECT document_id, id, code_id, coder_id, start, end "
                                "FROM codings WHERE document_id IN "
                                f"({', '.join('?' * len(chunk))})", chunk):
                out[r[0]].append(tuple(r)[1:])
        return out

    def codings_version(self) -> tuple:
        """A fingerprint of every coding's and selection's place (id, document, span,
        code, coder): equal before and after, nothing of that changed meanwhile (an
        import reads what it matches against before it takes the write lock, and checks
        this once it holds it).  One pass over an index of codings (it holds those
        columns) and one over selections."""
        k = self.query(
            "SELECT count(*), ifnull(max(id), 0), total(id * 31 + document_id * 37 + "
            "start * 41 + end * 43 + code_id * 47 + coder_id * 53), "
            "total(((start * 2654435761 + end) * 40503 + code_id * 97 + coder_id + "
            "document_id * 7919 + id * 104729) % 4294967291) "
            "FROM codings INDEXED BY idx_codings_query")[0]
        s = self.query(
            "SELECT count(*), ifnull(max(rowid), 0), total(rowid * 31 + document_id * 37 + "
            "start * 41 + end * 43), total(((start * 2654435761 + end) * 40503 + "
            "document_id * 7919 + rowid * 104729) % 4294967291) FROM selections")[0]
        return (*tuple(k), *tuple(s))

    def codings_by_guid(self, keys: Iterable[str]) -> dict[str, dict]:
        """GUID key -> the coding's id, document_id, code_id, coder_id, start, end, guid,
        for those of these GUID keys the project holds."""
        names = ("id", "document_id", "code_id", "coder_id", "start", "end", "guid")
        return {r[-1]: dict(zip(names, r)) for r in self._by_guid_keys(
            "codings", ", ".join(names), keys)}

    def memo_ids_on_many(self, target_type: str,
                         target_ids: Iterable[int | str]) -> dict[str, list[int]]:
        """Target id (as text) -> ids of the memos on it, for these targets of one type
        (one query per 500)."""
        ids = sorted({str(i) for i in target_ids})
        out: dict[str, list[int]] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for memo_id, target in self.query(
                    "SELECT id, target_id FROM memos WHERE target_type = ? AND target_id IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY id", [target_type, *chunk]):
                out.setdefault(str(target), []).append(memo_id)
        return out

    def memos_by_content(self) -> dict[tuple, int]:
        """(target type, target id, text) -> memo id (see matching.memo_content)."""
        return {(r[1], r[2], r[3] or ""): r[0] for r in self.query(
            "SELECT id, target_type, target_id, text FROM memos ORDER BY id DESC")}

    def memo_row(self, memo_id: int) -> dict:
        return dict(self.query("SELECT id, target_type, target_id, title, text, guid, private "
                               "FROM memos WHERE id = ?", [memo_id])[0])

    def segment_ids(self, document_id: int) -> dict[int, int]:
        """position -> segment id, for one document."""
        return {r[0]: r[1] for r in self.query(
            "SELECT position, id FROM segments WHERE document_id = ?", [document_id])}

    def group_rows(self) -> list[dict]:
        return [dict(r) for r in self.query("SELECT id, guid, name, description FROM groups")]

    def group_member_keys(self, group_id: int) -> set[tuple[str, str]]:
        return {(r[0], r[1]) for r in self.query(
            "SELECT kind, member_guid FROM group_members WHERE group_id = ?", [group_id])}

    def exchange_object_keys(self) -> set[str]:
        return {r[0].lower() for r in self.query("SELECT guid FROM exchange_objects")}
