"""Reads for triangulation queries and matrices, saved queries, and bulk loaders
(SQL for the store only).

The query engine (``workbench/query``) loads what it needs in a few wide reads --
codes, documents, segments, participant links, participant values, codings -- and
does the interval logic in numpy/pandas.  Rows come back as plain tuples for speed.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import numpy as np
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")

from workbench.domain import NotFoundError, ValidationError
from workbench.i18n import _
from workbench.store.db import Params, StoreCore, now


class QueryStore(StoreCore):
    # -- wide reads for the query engine -------------------------------------------
    def query_codes(self) -> list[tuple]:
        """(id, parent_id, name, position)."""
        with self.reading() as c:
            return c.execute("SELECT id, parent_id, name, position FROM codes "
                             "ORDER BY ifnull(parent_id, 0), position, id").fetchall()

    def query_code_questions(self) -> list[tuple]:
        """(code_id, question_id)."""
        with self.reading() as c:
            return c.execute("SELECT code_id, question_id FROM code_questions").fetchall()

    def query_questions(self) -> list[dict]:
        with self.reading() as c:
            return [dict(r) for r in c.execute(
                "SELECT id, programme, side, text, source, proposed, codebook "
                "FROM evaluation_questions ORDER BY id")]

    def query_documents(self) -> list[tuple]:
        """(id, name, programme, actor_type, interview_date, interviewer, site, extra,
        private, wave)."""
        with self.reading() as c:
            return c.execute("SELECT id, name, programme, actor_type, interview_date, "
                             "interviewer, site, extra, private, wave FROM documents "
                             "ORDER BY id").fetchall()

    def _tuples(self, sql: str, params: Params = ()) -> list[tuple]:
        with self.reading() as c:
            cur = c.cursor()
            cur.row_factory = None
            return cur.execute(sql, params).fetchall()

    def query_links(self) -> list[tuple]:
        """(document_id, participant_id, speaker) -- speaker '' for the whole document."""
        with self.reading() as c:
            return c.execute("SELECT document_id, participant_id, speaker "
                             "FROM document_participants").fetchall()

    def query_values(self, attributes: Sequence[str] | None = None) -> list[tuple]:
        """(participant_id, attribute, value, num)."""
        if attributes is None:
            return self._tuples("SELECT participant_id, attribute, value, num "
                                "FROM participant_values")
        names = list(attributes)
        if not names:
            return []
        return self._tuples(
            "SELECT participant_id, attribute, value, num FROM participant_values "
            f"WHERE attribute IN ({', '.join('?' * len(names))})", names)

    def _int_columns(self, sql: str, n: int, params: Params = ()) -> list[np.ndarray]:
        """Run an aggregate query returning ``n`` ``group_concat`` columns of integers
        (computed in one pass, so aligned) and parse each into an int64 array: far
        cheaper than materialising one Python tuple per row."""
        with self.reading() as c:
            cur = c.cursor()
            cur.row_factory = None
            row = cur.execute(sql, params).fetchone()
        return [np.zeros(0, dtype=np.int64) if not row or row[i] is None
                else np.fromstring(row[i], dtype=np.int64, sep=",") for i in range(n)]

    def query_coding_arrays(self, status: str | None = "accepted") -> dict[str, np.ndarray]:
        """Columns id, doc, code, start, end, coder_id, accepted (1/0) of the codings
        with that status (all when None), as aligned int64 arrays, in no set order."""
        names = ["id", "doc", "code", "start", "end", "coder_id"]
        sql = ("SELECT group_concat(id), group_concat(document_id), group_concat(code_id), "
               "group_concat(start), group_concat(end), group_concat(coder_id)")
        if status:
            out = dict(zip(names, self._int_columns(sql + " FROM codings WHERE status = ?",
                                                    len(names), [status])))
            out["accepted"] = np.full(len(out["id"]), int(status == "accepted"), dtype=np.int64)
            return out
        names.append("accepted")
        return dict(zip(names, self._int_columns(
            sql + ", group_concat(status = 'accepted') FROM codings", len(names))))

    def query_segment_arrays(self) -> dict[str, np.ndarray]:
        """Columns id, doc, start, end, position, interviewer (1/0) and front (1/0: front
        matter, the interview header) of every segment, as aligned int64 arrays, in no
        set order."""
        names = ["id", "doc", "start", "end", "position", "interviewer", "front"]
        cols = self._int_columns(
            "SELECT group_concat(id), group_concat(document_id), group_concat(start), "
            "group_concat(end), group_concat(position), group_concat(is_interviewer), "
            "group_concat(front_matter) FROM segments", len(names))
        return dict(zip(names, cols))

    def query_segment_speakers(self) -> tuple[np.ndarray, list]:
        """(segment ids, speakers) -- aligned, in no set order; speaker None when unset."""
        with self.reading() as c:
            cur = c.cursor()
            cur.row_factory = None
            ids, speakers = cur.execute("SELECT group_concat(id), json_group_array(speaker) "
                                        "FROM segments").fetchone()
        if ids is None:
            return np.zeros(0, dtype=np.int64), []
        return np.fromstring(ids, dtype=np.int64, sep=","), json.loads(speakers)

    def segment_times(self, ids: Iterable[int]) -> dict[int, float]:
        """Segment id -> the turn's time (seconds) for those that have one."""
        ids = [int(i) for i in ids]
        if not ids:
            return {}
        with self.reading() as c:
            rows = c.execute("SELECT s.id, s.timestamp FROM json_each(?) j JOIN segments s "
                             "ON s.id = j.value WHERE s.timestamp IS NOT NULL",
                             [json.dumps(ids)]).fetchall()
        return {int(i): float(t) for i, t in rows}

    def query_coders(self) -> dict[int, str]:
        with self.reading() as c:
            return dict(c.execute("SELECT id, name FROM coders").fetchall())

    def query_version(self) -> tuple:
        """Changes whenever anything the query engine reads may have changed: another
        process committed (data_version), or this one logged a change or added a coding."""
        with self.reading() as c:
            dv = c.execute("PRAGMA data_version").fetchone()[0]
            last = c.execute("SELECT max(id) FROM change_log").fetchone()[0]
            k = c.execute("SELECT max(id) FROM codings").fetchone()[0]
        return (dv, last, k)

    # -- saved queries -------------------------------------------------------------
    def saved_queries(self) -> list[dict]:
        with self.reading() as c:
            rows = c.execute("SELECT name, kind, expression, params, created_at, updated_at "
                             "FROM saved_queries ORDER BY name COLLATE NOCASE").fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["params"] = json.loads(d["params"] or "{}")
            out.append(d)
        return out

    def get_saved_query(self, name: str) -> dict:
        with self.reading() as c:
            row = c.execute("SELECT name, kind, expression, params, created_at, updated_at "
                            "FROM saved_queries WHERE name = ?", [name]).fetchone()
        if row is None:
            raise NotFoundError(_("no saved query {name!r}").format(name=name))
        d = dict(row)
        d["params"] = json.loads(d["params"] or "{}")
        return d

    def save_query(self, name: str, kind: str, expression: str, params: dict,
                   replace: bool = False, coder: str | None = None) -> None:
        stamp = now()
        with self.transaction() as c:
            exists = c.execute("SELECT 1 FROM saved_queries WHERE name = ?", [name]).fetchone()
            if exists and not replace:
                raise ValidationError(_("a saved query named {name!r} already exists "
                                        "(replace it explicitly)").format(name=name))
            c.execute(
                "INSERT INTO saved_queries(name, kind, expression, params, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, "
                "expression = excluded.expression, params = excluded.params, "
                "updated_at = excluded.updated_at",
                [name, kind, expression, json.dumps(params, ensure_ascii=False), stamp, stamp])
            self.log_change(coder, "query.save", "saved_query", name, {"kind": kind})

    def delete_saved_query(self, name: str, coder: str | None = None) -> None:
        with self.transaction() as c:
            cur = c.execute("DELETE FROM saved_queries WHERE name = ?", [name])
            if not cur.rowcount:
                raise NotFoundError(_("no saved query {name!r}").format(name=name))
            self.log_change(coder, "query.delete", "saved_query", name)

    # -- bulk loaders (synthetic projects, importers) --------------------------------
    def bulk_insert_codings(self, rows: Iterable[tuple], coder: str | None = None) -> int:
        """Insert many codings at once, outside undo: rows are
        (document_id, code_id, start, end, coder_id, origin, status, guid)."""
        stamp = now()
        rows = [(*r, stamp) for r in rows]
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO codings(document_id, code_id, start, end, coder_id, origin, status, "
                "guid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            self.log_change(coder, "codings.bulk_insert", "coding", None, {"rows": len(rows)})
        return len(rows)

    def bulk_insert_questions(self, rows: Iterable[dict], coder: str | None = None) -> int:
        """Insert or replace evaluation questions: dicts with id, text, programme, side."""
        rows = list(rows)
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO evaluation_questions(id, programme, side, text, source, codebook) "
                "VALUES (:id, :programme, :side, :text, :source, :codebook) "
                "ON CONFLICT(id) DO UPDATE SET programme = excluded.programme, "
                "side = excluded.side, text = excluded.text",
                [{"programme": None, "side": None, "source": None, "codebook": None, **r}
                 for r in rows])
            self.log_change(coder, "questions.bulk_insert", "question", None, {"rows": len(rows)})
        return len(rows)

    def bulk_link_participants(self, rows: Iterable[tuple[int, str, str]],
                               coder: str | None = None) -> int:
        """(document_id, participant_id, speaker or '') links, ignoring duplicates."""
        rows = [(d, p, s or "") for d, p, s in rows]
        with self.transaction() as c:
            c.executemany("INSERT OR IGNORE INTO document_participants(document_id, "
                          "participant_id, speaker) VALUES (?, ?, ?)", rows)
            self.log_change(coder, "participants.bulk_link", "document", None, {"rows": len(rows)})
        return len(rows)
