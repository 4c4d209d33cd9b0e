"""Codes, codings, memos, evaluation questions, and persistent undo/redo.

Every user action that changes coding data is one transaction that also records, in
``undo_log``, the row-level changes it made: (table, primary key, row before, row after).
Undo applies them backwards, redo forwards, so both survive a restart; each coder
undoes their own actions.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from workbench.domain import NotFoundError
from workbench.i18n import _
from workbench.identity import new_guid
from workbench.store.db import now, rowid
from workbench.store.documents import DocumentStore

# tables whose rows undo/redo may restore, with their primary key columns
_PK = {
    "codes": ("id",),
    "codings": ("id",),
    "memos": ("id",),
    "code_questions": ("code_id", "question_id"),
    "evaluation_questions": ("id",),
    "adjudications": ("id",),
}
# tables whose deleted rows leave a tombstone (migration 0060), and its kind
_TOMB_KIND = {"codes": "code", "codings": "coding", "memos": "memo"}
#: the row triggers of an insert that :meth:`_Recorder.insert_many` does the work of
#: itself for a big insert (a GUID for rows without one; the tombstones of the GUIDs
#: inserted lifted): run once per row they cost more than the row (0.9 s of 1.45 s for
#: 40,000 codings), so the insert drops them and creates them again, in its transaction
_BULK_TRIGGERS = {"codings": ("trg_codings_guid", "trg_codings_revive"),
                  "codes": ("trg_codes_guid", "trg_codes_revive"),
                  "memos": ("trg_memos_guid", "trg_memos_revive")}
#: from how many rows an insert does that
BULK_ROWS = 1000

_T = TypeVar("_T")


class _Recorder:
    """Collects the row changes of one action inside a transaction."""

    def __init__(self, conn: sqlite3.Connection):
        self.c = conn
        self.changes: list[dict] = []

    def fetch(self, table: str, key: dict) -> dict | None:
        where = " AND ".join(f"{k} = ?" for k in key)
        row = self.c.execute(f"SELECT * FROM {table} WHERE {where}", list(key.values())).fetchone()
        return dict(row) if row else None

    def _tombs(self, table: str, rows: Sequence[dict]) -> dict[str, str]:
        """guid key -> deleted_at of the tombstones these new rows will lift (an undo
        of the insert puts them back as they were)."""
        kind = _TOMB_KIND.get(table)
        keys = sorted({r["guid"].lower() for r in rows if r.get("guid")}) if kind else []
        out: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            out.update((g, at) for g, at in self.c.execute(
                f"SELECT guid, deleted_at FROM tombstones WHERE kind = ? AND guid IN "
                f"({', '.join('?' * len(chunk))})", [kind, *chunk]))
        return out

    def insert(self, table: str, row: dict) -> int:
        tombs = self._tombs(table, [row])
        cols = ", ".join(row)
        cur = self.c.execute(f"INSERT INTO {table}({cols}) VALUES ({', '.join('?' * len(row))})",
                             list(row.values()))
        pk = _PK[table]
        key = ({k: row[k] for k in pk} if all(row.get(k) is not None for k in pk)
               else {"id": cur.lastrowid})
        change = {"table": table, "key": key, "before": None, "after": self.fetch(table, key)}
        if row.get("guid") and row["guid"].lower() in tombs:
            change["tomb"] = tombs[row["guid"].lower()]
        self.changes.append(change)
        return rowid(cur)

    def insert_many(self, table: str, rows: Sequence[dict]) -> list[int] | None:
        """Insert many rows of one table at once (an import's codings), recorded as ONE
        change that names the ids inserted (:func:`_id_runs`), not one per row: undo
        reads the rows when it deletes them, for redo (see :func:`_undo_inserted`).
        Rows without an id get the next free ones, returned in order (None for a table
        keyed otherwise, whose rows are recorded one by one)."""
        if not rows:
            return []
        cols = list(rows[0])
        if _PK[table] != ("id",):
            for r in rows:
                self.insert(table, r)
            return None
        tombs = self._tombs(table, rows)
        if "id" in cols:
            ids = [r["id"] for r in rows]
            values = [[r[k] for k in cols] for r in rows]
        else:
            last = self.c.execute(f"SELECT ifnull(max(id), 0) FROM {table}").fetchone()[0]
            ids = list(range(last + 1, last + 1 + len(rows)))
            cols = ["id", *cols]
            values = [[i, *(r[k] for k in cols[1:])] for i, r in zip(ids, rows)]
        sql = f"INSERT INTO {table}({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        if len(rows) >= BULK_ROWS and table in _BULK_TRIGGERS and "guid" in cols:
            self._insert_without_triggers(table, sql, cols, values, tombs)
        else:
            self.c.executemany(sql, values)
        last = self.changes[-1] if self.changes else None
        if last is not None and last["table"] == table and "inserted" in last:
            # the same table's rows again (the next document's codings): one record
            last["inserted"] = _join_runs(last["inserted"], _id_runs(ids))
            if tombs:
                last.setdefault("tombs", {}).update(tombs)
            return ids
        change: dict[str, Any] = {"table": table, "inserted": _id_runs(ids)}
        if tombs:                      # what undo puts back (see _restore_tombstone)
            change["tombs"] = tombs
        self.changes.append(change)
        return ids

    def _insert_without_triggers(self, table: str, sql: str, cols: list[str],
                                 values: list[list], tombs: dict[str, str]) -> None:
        """``sql`` for every row of ``values`` with the table's per-row insert triggers
        (:data:`_BULK_TRIGGERS`) dropped, their work done here for all rows at once, and
        the triggers created again as they were — all inside the caller's transaction,
        so that an error or a kill anywhere leaves them as they were."""
        c = self.c
        names = _BULK_TRIGGERS[table]
        saved = c.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND "
                          f"tbl_name = ? AND name IN ({', '.join('?' * len(names))})",
                          [table, *names]).fetchall()
        g = cols.index("guid")
        for v in values:                    # trg_*_guid: a GUID for a row without one
            if v[g] is None:
                v[g] = new_guid()
        try:
            for name, _sql in saved:
                c.execute(f"DROP TRIGGER {name}")
            c.executemany(sql, values)
            # trg_*_revive: the tombstones of these GUIDs are lifted (_tombs found them)
            c.executemany("DELETE FROM tombstones WHERE kind = ? AND guid = ?",
                          [(_TOMB_KIND[table], key) for key in tombs])
        finally:
            for _name, create in saved:
                c.execute(create)

    def update(self, table: str, key: dict, values: dict) -> None:
        before = self.fetch(table, key)
        if before is None:
            raise NotFoundError(f"no {table[:-1]} {key}")
        sets = ", ".join(f"{k} = ?" for k in values)
        where = " AND ".join(f"{k} = ?" for k in key)
        self.c.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*values.values(), *key.values()])
        self.changes.append({"table": table, "key": key, "before": before,
                             "after": self.fetch(table, key)})

    def delete(self, table: str, key: dict) -> dict | None:
        before = self.fetch(table, key)
        if before is None:
            return None
        where = " AND ".join(f"{k} = ?" for k in key)
        self.c.execute(f"DELETE FROM {table} WHERE {where}", list(key.values()))
        self.changes.append({"table": table, "key": key, "before": before, "after": None})
        return before


def _apply_change(c: sqlite3.Connection, table: str, key: dict, target: dict | None) -> None:
    """Bring one row to ``target`` (None = absent)."""
    where = " AND ".join(f"{k} = ?" for k in key)
    exists = c.execute(f"SELECT 1 FROM {table} WHERE {where}", list(key.values())).fetchone()
    if target is None:
        if exists:
            c.execute(f"DELETE FROM {table} WHERE {where}", list(key.values()))
    elif exists:
        sets = ", ".join(f"{k} = ?" for k in target)
        c.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*target.values(), *key.values()])
    else:
        cols = ", ".join(target)
        c.execute(f"INSERT INTO {table}({cols}) VALUES ({', '.join('?' * len(target))})",
                  list(target.values()))


def _restore_tombstone(c: sqlite3.Connection, ch: dict) -> None:
    """Undoing an insert deletes the row, and the delete trigger leaves a tombstone; but
    before the action there was none (the row never existed here), or the one the
    insert lifted: put back exactly that, so that a merge undone and made again asks
    nothing about what it had brought."""
    kind = _TOMB_KIND.get(ch["table"])
    guid = (ch.get("after") or {}).get("guid") if ch.get("before") is None else None
    if not kind or not guid:
        return
    if ch.get("tomb"):
        c.execute("INSERT OR REPLACE INTO tombstones(kind, guid, deleted_at) VALUES (?, ?, ?)",
                  [kind, guid.lower(), ch["tomb"]])
    else:
        c.execute("DELETE FROM tombstones WHERE kind = ? AND guid = ?", [kind, guid.lower()])


def _id_runs(ids: Iterable[int]) -> list[list[int]]:
    """Sorted ids as [first, last] runs of consecutive ids (an import's new rows: one run)."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def _join_runs(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    """Two lists of id runs as one (``b`` usually follows ``a``: joined in place)."""
    if a and b and b[0][0] > a[-1][1]:
        if b[0][0] == a[-1][1] + 1:
            a[-1][1] = b[0][1]
            b = b[1:]
        return a + b
    return _id_runs([i for lo, hi in a + b for i in range(lo, hi + 1)])


def change_rows(ch: dict) -> int:
    """How many rows one recorded change covers."""
    if "inserted" in ch:
        return sum(b - a + 1 for a, b in ch["inserted"])
    return 1


def _undo_inserted(c: sqlite3.Connection, ch: dict) -> None:
    """Undo a bulk insert (:meth:`_Recorder.insert_many`): the rows are read (kept in
    ``ch["rows"]`` for redo, as they are now) and deleted, and the tombstones their
    deletion leaves are put back as they were before the action."""
    table, kind = ch["table"], _TOMB_KIND.get(ch["table"])
    rows: list[dict] = []
    for a, b in ch["inserted"]:
        rows.extend(dict(r) for r in c.execute(
            f"SELECT * FROM {table} WHERE id BETWEEN ? AND ? ORDER BY id", [a, b]))
        c.execute(f"DELETE FROM {table} WHERE id BETWEEN ? AND ?", [a, b])
    ch["rows"] = rows
    if not kind:
        return
    guids = sorted({r["guid"].lower() for r in rows if r.get("guid")})
    for i in range(0, len(guids), 500):
        chunk = guids[i:i + 500]
        c.execute(f"DELETE FROM tombstones WHERE kind = ? AND guid IN "
                  f"({', '.join('?' * len(chunk))})", [kind, *chunk])
    c.executemany("INSERT OR REPLACE INTO tombstones(kind, guid, deleted_at) VALUES (?, ?, ?)",
                  [(kind, g, at) for g, at in (ch.get("tombs") or {}).items()])


def _redo_inserted(c: sqlite3.Connection, ch: dict) -> None:
    """Redo a bulk insert undone by :func:`_undo_inserted`: its rows back, as they were."""
    rows = ch.pop("rows", None) or []
    if rows:
        cols = list(rows[0])
        c.executemany(f"INSERT INTO {ch['table']}({', '.join(cols)}) VALUES "
                      f"({', '.join('?' * len(cols))})", [[r[k] for k in cols] for r in rows])


class CodingStore(DocumentStore):
    # -- actions with undo ---------------------------------------------------------------
    def action(self, label: str, coder: str | None, fn: Callable[[_Recorder], _T], *,
               undoable: bool = True, details: dict | None = None) -> _T:
        """Run ``fn(recorder)`` in one transaction; log it and make it undoable.

        Called inside :meth:`grouped` (or another action), it joins the outer action:
        a composite operation is one undo step."""
        with self.grouped(label, coder, undoable=undoable, details=details) as rec:
            return fn(rec)

    @contextlib.contextmanager
    def grouped(self, label: str, coder: str | None, *, undoable: bool = True,
                details: dict | None = None) -> Iterator[_Recorder]:
        """One undoable action spanning several facade calls (yields the recorder)."""
        local = self._action_local()
        outer = getattr(local, "recorder", None)
        if outer is not None:
            yield outer
            return
        with self.transaction() as c:
            rec = _Recorder(c)
            local.recorder = rec
            try:
                yield rec
            finally:
                local.recorder = None
            if rec.changes:
                if undoable:
                    # the coder's redo stack is forgotten (through the partial index of
                    # undone rows: nothing to read when nothing was undone)
                    c.execute("DELETE FROM undo_log INDEXED BY idx_undo_redo "
                              "WHERE undone = 1 AND ifnull(coder, '') = ?",
                              [coder or ""])
                    c.execute("INSERT INTO undo_log(at, coder, label, ops) VALUES (?, ?, ?, ?)",
                              [now(), coder, label, json.dumps(rec.changes, ensure_ascii=False)])
                first = rec.changes[0]
                self.log_change(coder, label, first["table"],
                                next(iter(first["key"].values())) if "key" in first
                                else first["inserted"][0][0],
                                {**(details or {}),
                                 "rows": sum(change_rows(ch) for ch in rec.changes)})

    def _action_local(self) -> threading.local:
        local = self.__dict__.get("_action_thread_local")
        if local is None:
            local = self.__dict__.setdefault("_action_thread_local", threading.local())
        return local

    def undo(self, coder: str | None) -> str | None:
        """Undo the coder's last action; returns its label, or None if nothing to undo."""
        with self.transaction() as c:
            row = c.execute("SELECT id, label, ops FROM undo_log WHERE undone = 0 AND "
                            "ifnull(coder, '') = ? ORDER BY id DESC LIMIT 1", [coder or ""]).fetchone()
            if not row:
                return None
            ops = json.loads(row["ops"])
            bulk = False
            for ch in reversed(ops):
                if "inserted" in ch:
                    _undo_inserted(c, ch)
                    bulk = True
                    continue
                _apply_change(c, ch["table"], ch["key"], ch["before"])
                _restore_tombstone(c, ch)
            if bulk:        # the rows read for redo travel with the record
                c.execute("UPDATE undo_log SET undone = 1, ops = ? WHERE id = ?",
                          [json.dumps(ops, ensure_ascii=False), row["id"]])
            else:
                c.execute("UPDATE undo_log SET undone = 1 WHERE id = ?", [row["id"]])
            self.log_change(coder, "undo", None, None, {"label": row["label"]})
            return row["label"]

    def redo(self, coder: str | None) -> str | None:
        with self.transaction() as c:
            row = c.execute("SELECT id, label, ops FROM undo_log WHERE undone = 1 AND "
                            "ifnull(coder, '') = ? ORDER BY id ASC LIMIT 1", [coder or ""]).fetchone()
            if not row:
                return None
            ops = json.loads(row["ops"])
            bulk = False
            for ch in ops:
                if "inserted" in ch:
                    _redo_inserted(c, ch)
                    bulk = True
                    continue
                _apply_change(c, ch["table"], ch["key"], ch["after"])
            if bulk:        # done again: the record names the ids only, as when first made
                c.execute("UPDATE undo_log SET undone = 0, ops = ? WHERE id = ?",
                          [json.dumps(ops, ensure_ascii=False), row["id"]])
            else:
                c.execute("UPDATE undo_log SET undone = 0 WHERE id = ?", [row["id"]])
            self.log_change(coder, "redo", None, None, {"label": row["label"]})
            return row["label"]

    def undo_labels(self, coder: str | None) -> dict[str, list[str]]:
        rows = self.query("SELECT label, undone FROM undo_log WHERE ifnull(coder, '') = ? "
                          "ORDER BY id", [coder or ""])
        return {"undo": [r[0] for r in rows if not r[1]][::-1],
                "redo": [r[0] for r in rows if r[1]]}

    # -- codes -----------------------------------------------------------------------
    def codes(self) -> list[dict]:
        """All codes with coding counts (own), in tree order of insertion."""
        return [dict(r) for r in self.query(
            "SELECT c.*, (SELECT count(*) FROM codings k WHERE k.code_id = c.id "
            "AND k.status = 'accepted') AS codings, "
            "(SELECT count(*) FROM codings k WHERE k.code_id = c.id "
            "AND k.status = 'candidate') AS candidates, "
            "(SELECT count(DISTINCT k.document_id) FROM codings k WHERE k.code_id = c.id "
            "AND k.status = 'accepted') AS documents, "
            "(SELECT group_concat(question_id, ';') FROM code_questions q "
            " WHERE q.code_id = c.id) AS questions "
            "FROM codes c ORDER BY ifnull(c.parent_id, 0), c.position, c.id")]

    def code_document_pairs(self) -> list[tuple[int, int]]:
        """(code_id, document_id) of every code used in a document (accepted codings)."""
        return [tuple(r) for r in self.query(
            "SELECT DISTINCT code_id, document_id FROM codings WHERE status = 'accepted'")]

    def code_tree_rows(self) -> list[tuple[int, int | None, str]]:
        """(id, parent id, name) of every code: the tree alone, without the counts of
        :meth:`codes` (which read every coding: seconds at 400,000 codings)."""
        return [(r[0], r[1], r[2]) for r in self.query(
            "SELECT id, parent_id, name FROM codes ORDER BY ifnull(parent_id, 0), position, id")]

    def get_code(self, code_id: int) -> dict:
        rows = self.query("SELECT * FROM codes WHERE id = ?", [code_id])
        if not rows:
            raise NotFoundError(_("no code with id {id}").format(id=code_id))
        return dict(rows[0])

    def child_code_id(self, parent_id: int | None, name: str) -> int | None:
        return self.scalar("SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND "
                           "name = ? COLLATE NOCASE", [parent_id or 0, name])

    def code_children(self, code_id: int | None) -> list[int]:
        return [r[0] for r in self.query("SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? "
                                         "ORDER BY position, id", [code_id or 0])]

    def code_descendants(self, code_id: int) -> list[int]:
        return [r[0] for r in self.query(
            "WITH RECURSIVE t(id) AS (SELECT ? UNION ALL SELECT c.id FROM codes c JOIN t "
            "ON c.parent_id = t.id) SELECT id FROM t", [code_id])]

    def next_code_position(self, parent_id: int | None) -> int:
        return self.scalar("SELECT ifnull(max(position) + 1, 0) FROM codes WHERE "
                           "ifnull(parent_id, 0) = ?", [parent_id or 0])

    def code_questions(self, code_id: int) -> list[str]:
        return [r[0] for r in self.query("SELECT question_id FROM code_questions WHERE code_id = ? "
                                         "ORDER BY question_id", [code_id])]

    # -- evaluation questions --------------------------------------------------------
    def evaluation_questions(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT q.*, (SELECT group_concat(code_id, ';') FROM code_questions cq "
            "WHERE cq.question_id = q.id) AS codes FROM evaluation_questions q "
            "ORDER BY q.codebook, q.id")]

    def question_ids(self) -> set[str]:
        return {r[0] for r in self.query("SELECT id FROM evaluation_questions")}

    # -- codings ---------------------------------------------------------------------
    def get_coding(self, coding_id: int) -> dict:
        rows = self.query("SELECT k.*, c.name AS coder FROM codings k JOIN coders c "
                          "ON c.id = k.coder_id WHERE k.id = ?", [coding_id])
        if not rows:
            raise NotFoundError(_("no coding with id {id}").format(id=coding_id))
        return dict(rows[0])

    def document_codings(self, doc_id: int, status: str | None = "accepted") -> list[dict]:
        sql = ("SELECT k.id, k.document_id, k.code_id, k.start, k.end, k.origin, k.status, "
               "k.rule, k.created_at, c.name AS coder, co.name AS code, co.colour, "
               "(SELECT count(*) FROM memos m WHERE m.target_type = 'coding' "
               " AND m.target_id = CAST(k.id AS TEXT)) AS memos "
               "FROM codings k JOIN coders c ON c.id = k.coder_id JOIN codes co ON co.id = k.code_id "
               "WHERE k.document_id = ?")
        params: list[Any] = [doc_id]
        if status:
            sql += " AND k.status = ?"
            params.append(status)
        return [dict(r) for r in self.query(sql + " ORDER BY k.start, k.end DESC", params)]

    def find_codings(self, *, document_id: int | None = None, code_ids: Sequence[int] | None = None,
                     coder_id: int | None = None, origin: str | None = None,
                     status: str | None = None, start: int | None = None,
                     end: int | None = None, rule: str | None = None) -> list[dict]:
        where, params = [], []
        for col, val in (("document_id", document_id), ("coder_id", coder_id),
                         ("origin", origin), ("status", status), ("rule", rule),
                         ("start", start), ("end", end)):
            if val is not None:
                where.append(f"k.{col} = ?")
                params.append(val)
        if code_ids is not None:
            ids = list(code_ids) or [-1]
            where.append(f"k.code_id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        sql = ("SELECT k.*, c.name AS coder FROM codings k JOIN coders c ON c.id = k.coder_id"
               + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY k.document_id, k.start")
        return [dict(r) for r in self.query(sql, params)]

    def coding_excerpts(self, code_ids: Sequence[int], status: str = "accepted",
                        limit: int | None = None) -> list[dict]:
        """Coded excerpts of codes, with document, speaker, timestamp and actor type.

        Excerpt texts are the coded words (:meth:`span_texts`: no speaker label, no
        written timestamp)."""
        ids = list(code_ids) or [-1]
        sql = (
            "SELECT k.id AS coding_id, k.code_id, co.name AS code, k.document_id, d.name AS document, "
            "d.programme, d.actor_type, k.start, k.end, cd.name AS coder, k.origin, "
            "(SELECT s.speaker FROM segments s WHERE s.document_id = k.document_id AND "
            " s.start <= k.start ORDER BY s.start DESC LIMIT 1) AS speaker, "
            "(SELECT s.timestamp FROM segments s WHERE s.document_id = k.document_id AND "
            " s.start <= k.start ORDER BY s.start DESC LIMIT 1) AS timestamp "
            "FROM codings k JOIN documents d ON d.id = k.document_id JOIN codes co ON "
            "co.id = k.code_id JOIN coders cd ON cd.id = k.coder_id "
            f"WHERE k.code_id IN ({', '.join('?' * len(ids))}) AND k.status = ? "
            "ORDER BY d.name, k.start" + (" LIMIT ?" if limit else ""))
        params: list[Any] = [*ids, status] + ([limit] if limit else [])
        rows = [dict(r) for r in self.query(sql, params)]
        texts = self.span_texts((r["document_id"], r["start"], r["end"]) for r in rows)
        for r, text in zip(rows, texts):
            r["text"] = text
        return rows

    def document_texts(self, doc_ids: Iterable[int]) -> dict[int, str]:
        ids = list(doc_ids)
        if not ids:
            return {}
        return {r[0]: r[1] for r in self.query(
            f"SELECT id, text FROM documents WHERE id IN ({', '.join('?' * len(ids))})", ids)}

    # -- memos -----------------------------------------------------------------------
    def memos(self, target_type: str | None = None, target_id: Any = None) -> list[dict]:
        where, params = [], []
        if target_type:
            where.append("m.target_type = ?"); params.append(target_type)
        if target_id is not None:
            where.append("m.target_id = ?"); params.append(str(target_id))
        return [dict(r) for r in self.query(
            "SELECT m.*, c.name AS coder FROM memos m LEFT JOIN coders c ON c.id = m.coder_id"
            + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY m.updated_at DESC",
            params)]

    def get_memo(self, memo_id: int) -> dict:
        rows = self.query("SELECT m.*, c.name AS coder FROM memos m LEFT JOIN coders c "
                          "ON c.id = m.coder_id WHERE m.id = ?", [memo_id])
        if not rows:
            raise NotFoundError(_("no memo with id {id}").format(id=memo_id))
        return dict(rows[0])

    def code_guid_taken(self, guid: str) -> bool:
        return self.scalar("SELECT 1 FROM codes WHERE guid = ?", [guid]) is not None
