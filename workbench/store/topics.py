"""Topic-model runs, topics, words, unit assignments and the lemma cache (SQL for the
store only)."""
from __future__ import annotations

import json
import sqlite3
from typing import Any, Iterable, Iterator, Sequence, TypeVar

from workbench.domain import NotFoundError
from workbench.i18n import _
from workbench.store.db import now, rowid
from workbench.store.documents import DocumentStore

_CHUNK = 900   # stay under SQLite's host-parameter limit
_T = TypeVar("_T")


def _chunks(seq: Sequence[_T], n: int = _CHUNK) -> Iterator[Sequence[_T]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _run_row(row: sqlite3.Row) -> dict:
    d = dict(row)
    for key in ("params", "scope", "metrics", "timing"):
        d[key] = json.loads(d.get(key) or "{}")
    return d


class TopicStore(DocumentStore):
    # -- corpus for modelling -------------------------------------------------------
    def topic_segments(self, document_ids: Sequence[int]) -> list[dict]:
        """Segments of the given documents with their text and document metadata,
        in document then position order."""
        out: list[dict] = []
        ids = sorted(set(int(i) for i in document_ids))
        for chunk in _chunks(ids):
            out.extend(dict(r) for r in self.query(
                "SELECT s.id AS segment_id, s.document_id, s.position, s.kind, s.speaker, "
                "s.is_interviewer, s.start, s.end, ifnull(s.body_start, s.start) AS body_start, "
                "s.front_matter, substr(d.text, s.start + 1, s.end - s.start) "
                "AS text FROM segments s JOIN documents d ON d.id = s.document_id "
                f"WHERE s.document_id IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY s.document_id, s.position", chunk))
        return out

    def cached_lemmas(self, model: str, segment_ids: Sequence[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        ids = list(segment_ids)
        for chunk in _chunks(ids):
            for r in self.query(
                    "SELECT segment_id, tokens FROM topic_lemma_cache WHERE model = ? AND "
                    f"segment_id IN ({', '.join('?' * len(chunk))})", [model, *chunk]):
                out[r[0]] = r[1]
        return out

    def cache_lemmas(self, model: str, rows: Iterable[tuple[int, str]]) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO topic_lemma_cache(segment_id, model, tokens) "
                          "VALUES (?, ?, ?)", [(sid, model, tokens) for sid, tokens in rows])

    def clear_lemma_cache(self, model: str | None = None) -> int:
        with self.transaction() as c:
            if model:
                return c.execute("DELETE FROM topic_lemma_cache WHERE model = ?", [model]).rowcount
            return c.execute("DELETE FROM topic_lemma_cache").rowcount

    # -- runs ------------------------------------------------------------------------
    def insert_topic_run(self, run: dict[str, Any], topics: Sequence[dict],
                         words: Sequence[tuple[int, int, str, float]],
                         units: Sequence[tuple], coder: str | None = None) -> int:
        """Store a whole run in one transaction: the run row, its topics
        (topic, label, size), words (topic, rank, word, weight) and units
        (unit, document_id, segment_id, speaker, start, end, topic, probability)."""
        row = dict(run)
        for key in ("params", "scope", "metrics", "timing"):
            row[key] = json.dumps(row.get(key) or {}, ensure_ascii=False, sort_keys=True)
        row.setdefault("created_at", now())
        row.setdefault("coder", coder)
        with self.transaction() as c:
            cols = ", ".join(row)
            run_id = rowid(c.execute(f"INSERT INTO topic_runs({cols}) VALUES "
                                     f"({', '.join('?' * len(row))})", list(row.values())))
            c.executemany("INSERT INTO topics(run_id, topic, label, size) VALUES (?, ?, ?, ?)",
                          [(run_id, t["topic"], t.get("label"), t["size"]) for t in topics])
            c.executemany("INSERT INTO topic_words(run_id, topic, rank, word, weight) "
                          "VALUES (?, ?, ?, ?, ?)", [(run_id, *w) for w in words])
            c.executemany("INSERT INTO topic_units(run_id, unit, document_id, segment_id, speaker, "
                          "start, end, topic, probability) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          [(run_id, *u) for u in units])
            self.log_change(coder, "topics.run", "topic_run", run_id,
                            {"backend": run["backend"], "units": len(units),
                             "topics": len(topics)})
        return run_id

    def topic_runs(self) -> list[dict]:
        return [_run_row(r) for r in self.query(
            "SELECT r.*, (SELECT count(*) FROM topics t WHERE t.run_id = r.id "
            "AND t.code_id IS NOT NULL) AS promoted FROM topic_runs r ORDER BY r.id")]

    def get_topic_run(self, run_id: int) -> dict:
        rows = self.query("SELECT r.*, (SELECT count(*) FROM topics t WHERE t.run_id = r.id "
                          "AND t.code_id IS NOT NULL) AS promoted FROM topic_runs r "
                          "WHERE r.id = ?", [run_id])
        if not rows:
            raise NotFoundError(_("no topic run {id}").format(id=run_id))
        return _run_row(rows[0])

    def topic_run_by_name(self, name: str) -> int | None:
        return self.scalar("SELECT max(id) FROM topic_runs WHERE name = ?", [name])

    def delete_topic_run(self, run_id: int, coder: str | None = None) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM topic_runs WHERE id = ?", [run_id])
            self.log_change(coder, "topics.delete", "topic_run", run_id)

    # -- reading a run ------------------------------------------------------------------
    def topic_rows(self, run_id: int) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT t.topic, t.label, t.size, t.code_id, "
            "(SELECT avg(u.probability) FROM topic_units u WHERE u.run_id = t.run_id "
            " AND u.topic = t.topic) AS mean_probability, "
            "(SELECT count(DISTINCT u.document_id) FROM topic_units u WHERE u.run_id = t.run_id "
            " AND u.topic = t.topic) AS documents "
            "FROM topics t WHERE t.run_id = ? ORDER BY t.topic", [run_id])]

    def topic_word_rows(self, run_id: int, topic: int | None = None) -> list[dict]:
        sql = "SELECT topic, rank, word, weight FROM topic_words WHERE run_id = ?"
        params: list[Any] = [run_id]
        if topic is not None:
            sql += " AND topic = ?"
            params.append(topic)
        return [dict(r) for r in self.query(sql + " ORDER BY topic, rank", params)]

    def topic_unit_rows(self, run_id: int, topic: int | None = None, *,
                        with_text: bool = False, max_probability: float | None = None,
                        order: str = "unit", limit: int | None = None) -> list[dict]:
        sql = ("SELECT u.unit, u.document_id, d.name AS document, d.programme, d.actor_type, "
               "u.segment_id, u.speaker, u.start, u.end, u.topic, u.probability"
               " FROM topic_units u JOIN documents d ON d.id = u.document_id WHERE u.run_id = ?")
        params: list[Any] = [run_id]
        if topic is not None:
            sql += " AND u.topic = ?"
            params.append(topic)
        if max_probability is not None:
            sql += " AND u.probability < ?"
            params.append(max_probability)
        sql += (" ORDER BY u.probability DESC, u.unit" if order == "probability"
                else " ORDER BY u.unit")
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        rows = [dict(r) for r in self.query(sql, params)]
        if with_text:
            for r, text in zip(rows, self.span_texts((r["document_id"], r["start"], r["end"])
                                                     for r in rows)):
                r["text"] = text
        return rows

    def topic_code_counts(self, run_id: int, status: str = "accepted",
                          exclude_rule_prefix: str | None = None) -> list[dict]:
        """Units of each topic that overlap codings of each code (any overlap)."""
        sql = ("SELECT u.topic, k.code_id, count(DISTINCT u.unit) AS units "
               "FROM topic_units u JOIN codings k ON k.document_id = u.document_id "
               "AND k.start < u.end AND k.end > u.start WHERE u.run_id = ? AND k.status = ?")
        params: list[Any] = [run_id, status]
        if exclude_rule_prefix:
            sql += " AND ifnull(k.rule, '') NOT LIKE ?"
            params.append(exclude_rule_prefix + "%")
        return [dict(r) for r in self.query(sql + " GROUP BY u.topic, k.code_id "
                                            "ORDER BY u.topic, units DESC", params)]

    def code_unit_totals(self, run_id: int, status: str = "accepted") -> dict[int, int]:
        """Per code, how many of the run's units it meets."""
        return {r[0]: r[1] for r in self.query(
            "SELECT k.code_id, count(DISTINCT u.unit) FROM topic_units u JOIN codings k "
            "ON k.document_id = u.document_id AND k.start < u.end AND k.end > u.start "
            "WHERE u.run_id = ? AND k.status = ? GROUP BY k.code_id", [run_id, status])}

    def set_topic_code(self, run_id: int, topic: int, code_id: int | None) -> None:
        with self.transaction() as c:
            c.execute("UPDATE topics SET code_id = ? WHERE run_id = ? AND topic = ?",
                      [code_id, run_id, topic])

    def set_topic_label(self, run_id: int, topic: int, label: str | None,
                        coder: str | None = None) -> None:
        with self.transaction() as c:
            n = c.execute("UPDATE topics SET label = ? WHERE run_id = ? AND topic = ?",
                          [label, run_id, topic]).rowcount
            if not n:
                raise NotFoundError(_("no topic {topic} in run {id}").format(topic=topic, id=run_id))
            self.log_change(coder, "topics.label", "topic_run", run_id,
                            {"topic": topic, "label": label})

    def topic_candidate_rows(self, rule_prefix: str, status: str | None = "candidate") -> list[dict]:
        """Codings made from topics (rule ``topic-run:<run>:<topic>``), with their text."""
        sql = ("SELECT k.id, k.document_id, d.name AS document, k.code_id, co.name AS code, "
               "k.start, k.end, k.status, k.rule, cd.name AS coder "
               "FROM codings k JOIN documents d ON d.id = k.document_id "
               "JOIN codes co ON co.id = k.code_id JOIN coders cd ON cd.id = k.coder_id "
               "WHERE k.origin = 'topic' AND k.rule LIKE ?")
        params: list[Any] = [rule_prefix + "%"]
        if status:
            sql += " AND k.status = ?"
            params.append(status)
        rows = [dict(r) for r in self.query(sql + " ORDER BY k.rule, d.name, k.start", params)]
        for r, text in zip(rows, self.span_texts((r["document_id"], r["start"], r["end"])
                                                 for r in rows)):
            r["text"] = text
        return rows
