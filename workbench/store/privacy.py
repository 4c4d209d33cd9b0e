"""Pseudonymisation data (SQL for the store only): detected entities, their variants and
occurrences, the team's decisions and category actions; and the rewrite that turns a copy
of a project into its pseudonymised version.

**Every column of the schema has a rule** (:data:`COLUMN_RULES`) saying what the rewrite
does with it: the document text is rewritten, character offsets into it are remapped
(one function, :meth:`PrivacyStore._remap_offsets`, over :data:`OFFSET_COLUMNS`), free
text that may carry names is scanned, derived values are recomputed, identities that
would link the copy to the original are regenerated, logs are dropped.  An integer
column whose name looks like an offset and that has no rule stops the rewrite (and fails
``tests/test_privacy_schema.py``): a new offset column cannot be forgotten silently.
"""
from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from workbench.store.db import StoreError, now, rowid
from workbench.store.documents import DocumentStore
from workbench.words import turn_word_count

# -- what the pseudonymised copy does with each column ---------------------------------
DOC_TEXT = "document_text"   # documents.text: rewritten
START = "offset_start"       # an offset where something begins: inside a replaced name,
END = "offset_end"           # it moves to the pseudonym's start; an end moves to its end
SCAN = "scan"                # free text: every replaced variant (as written) is replaced
SCAN_FOLD = "scan_fold"      # the same, ignoring case (lower-cased words, labels)
SCAN_JSON = "scan_json"      # JSON: the strings inside are scanned
PATH = "path"                # a file path or name: the base name only, scanned ignoring
                             # case with _ and . as word separators (entretien_karima.txt)
RECOMPUTE = "recompute"      # derived from the new text (text hash) or its turns (word count)
REGENERATE = "regenerate"    # a value that must not link the copy to the original
NULL = "null"                # no longer true of the copy (the source file's hash)
KEEP = "keep"                # ids, GUIDs, numbers, dates, enumerations
DROP = "drop"                # table emptied in the copy (logs, caches, the privacy data)
REBUILD = "rebuild"          # the search index: rebuilt from the new text

#: Tables whose offset columns point into ``documents.text``, with the column naming the
#: document of each row.
OFFSET_TABLES = {"segments": "document_id", "codings": "document_id",
                 "topic_units": "document_id", "privacy_occurrences": "document_id",
                 "selections": "document_id", "adjudications": "document_id"}

#: Whole tables: dropped in the copy (their columns need no rule), or rebuilt.
TABLE_RULES = {
    "change_log": DROP, "undo_log": DROP, "topic_lemma_cache": DROP,
    "privacy_entities": DROP, "privacy_variants": DROP, "privacy_occurrences": DROP,
    "segments_fts": REBUILD,
    "import_batches": DROP,      # an import in progress (hostile's migration 0040)
}

COLUMN_RULES: dict[tuple[str, str], str] = {
    # documents
    ("documents", "id"): KEEP, ("documents", "name"): PATH, ("documents", "text"): DOC_TEXT,
    ("documents", "programme"): KEEP, ("documents", "actor_type"): KEEP,
    ("documents", "interview_date"): KEEP, ("documents", "interviewer"): SCAN,
    ("documents", "site"): SCAN, ("documents", "language"): KEEP,
    ("documents", "source_file"): PATH, ("documents", "source_format"): KEEP,
    ("documents", "source_hash"): NULL, ("documents", "encoding"): KEEP,
    ("documents", "word_count"): RECOMPUTE, ("documents", "private"): KEEP,
    ("documents", "extra"): SCAN_JSON, ("documents", "imported_at"): KEEP,
    ("documents", "imported_by"): KEEP,
    # identity (GUIDs are kept, as on every copy of a project: they link the copy to the
    # original only for whoever holds both; the text hash is the new text's)
    ("documents", "guid"): KEEP, ("documents", "text_hash"): RECOMPUTE,
    ("memos", "guid"): KEEP,
    ("exchange_guids", "kind"): KEEP, ("exchange_guids", "local_id"): KEEP,
    ("exchange_guids", "guid"): KEEP,
    # segments
    ("segments", "id"): KEEP, ("segments", "document_id"): KEEP,
    ("segments", "position"): KEEP, ("segments", "kind"): KEEP, ("segments", "speaker"): SCAN,
    ("segments", "is_interviewer"): KEEP, ("segments", "start"): START,
    ("segments", "end"): END, ("segments", "timestamp"): KEEP, ("segments", "end_time"): KEEP,
    ("segments", "section"): SCAN,
    ("segments", "body_start"): START, ("segments", "front_matter"): KEEP,
    # participants
    ("participants", "id"): KEEP, ("participants", "created_at"): KEEP,
    ("participants", "updated_at"): KEEP,
    ("attributes", "name"): KEEP, ("attributes", "type"): KEEP, ("attributes", "levels"): KEEP,
    ("attributes", "position"): KEEP, ("attributes", "private"): KEEP,
    ("participant_values", "participant_id"): KEEP, ("participant_values", "attribute"): KEEP,
    ("participant_values", "value"): SCAN, ("participant_values", "num"): KEEP,
    # typed document fields (extra manifest columns), as participant attributes
    ("document_fields", "name"): KEEP, ("document_fields", "type"): KEEP,
    ("document_fields", "levels"): KEEP, ("document_fields", "position"): KEEP,
    ("document_fields", "private"): KEEP,
    ("document_values", "document_id"): KEEP, ("document_values", "field"): KEEP,
    ("document_values", "value"): SCAN, ("document_values", "num"): KEEP,
    ("document_participants", "document_id"): KEEP,
    ("document_participants", "participant_id"): KEEP,
    ("document_participants", "speaker"): SCAN,
    # codebook and questions
    ("evaluation_questions", "id"): KEEP, ("evaluation_questions", "programme"): KEEP,
    ("evaluation_questions", "side"): KEEP, ("evaluation_questions", "text"): SCAN,
    ("evaluation_questions", "source"): SCAN, ("evaluation_questions", "proposed"): KEEP,
    ("evaluation_questions", "codebook"): KEEP,
    ("codes", "id"): KEEP, ("codes", "parent_id"): KEEP, ("codes", "name"): SCAN,
    ("codes", "short"): SCAN, ("codes", "definition"): SCAN, ("codes", "when_to_use"): SCAN,
    ("codes", "when_not_to_use"): SCAN, ("codes", "example"): SCAN, ("codes", "colour"): KEEP,
    ("codes", "position"): KEEP, ("codes", "codebook"): KEEP, ("codes", "guid"): KEEP,
    ("codes", "created_at"): KEEP,
    ("code_questions", "code_id"): KEEP, ("code_questions", "question_id"): KEEP,
    # codings and memos
    ("codings", "id"): KEEP, ("codings", "document_id"): KEEP, ("codings", "code_id"): KEEP,
    ("codings", "start"): START, ("codings", "end"): END, ("codings", "coder_id"): KEEP,
    ("codings", "origin"): KEEP, ("codings", "status"): KEEP, ("codings", "rule"): SCAN,
    ("codings", "guid"): KEEP, ("codings", "created_at"): KEEP,
    ("memos", "id"): KEEP, ("memos", "target_type"): KEEP, ("memos", "target_id"): KEEP,
    ("memos", "title"): SCAN, ("memos", "text"): SCAN, ("memos", "coder_id"): KEEP,
    ("memos", "private"): KEEP, ("memos", "created_at"): KEEP, ("memos", "updated_at"): KEEP,
    # a coder's code slots (keys 1-9 of the coding screen): ids and times
    ("code_slots", "coder_id"): KEEP, ("code_slots", "slot"): KEEP,
    ("code_slots", "code_id"): KEEP, ("code_slots", "pinned"): KEEP,
    ("code_slots", "used_at"): KEEP,
    # the team: coders keep their names unless the team pseudonymised one of them
    ("coders", "id"): KEEP, ("coders", "name"): SCAN, ("coders", "created_at"): KEEP,
    ("meta", "key"): KEEP, ("meta", "value"): SCAN,
    ("saved_queries", "name"): SCAN, ("saved_queries", "kind"): KEEP,
    ("saved_queries", "expression"): SCAN, ("saved_queries", "params"): SCAN_JSON,
    ("saved_queries", "created_at"): KEEP, ("saved_queries", "updated_at"): KEEP,
    # topic models
    ("topic_runs", "id"): KEEP, ("topic_runs", "name"): SCAN, ("topic_runs", "backend"): KEEP,
    ("topic_runs", "params"): SCAN_JSON, ("topic_runs", "seed"): KEEP,
    ("topic_runs", "unit"): KEEP, ("topic_runs", "scope"): SCAN_JSON,
    ("topic_runs", "n_units"): KEEP, ("topic_runs", "n_skipped"): KEEP,
    ("topic_runs", "n_topics"): KEEP, ("topic_runs", "n_outliers"): KEEP,
    ("topic_runs", "metrics"): KEEP, ("topic_runs", "timing"): KEEP,
    ("topic_runs", "corpus_hash"): NULL, ("topic_runs", "coder"): KEEP,
    ("topic_runs", "created_at"): KEEP,
    ("topics", "run_id"): KEEP, ("topics", "topic"): KEEP, ("topics", "label"): SCAN_FOLD,
    ("topics", "size"): KEEP, ("topics", "code_id"): KEEP,
    ("topic_words", "run_id"): KEEP, ("topic_words", "topic"): KEEP,
    ("topic_words", "rank"): KEEP, ("topic_words", "word"): SCAN_FOLD,
    ("topic_words", "weight"): KEEP,
    ("topic_units", "run_id"): KEEP, ("topic_units", "unit"): KEEP,
    ("topic_units", "document_id"): KEEP, ("topic_units", "segment_id"): KEEP,
    ("topic_units", "speaker"): SCAN, ("topic_units", "start"): START,
    ("topic_units", "end"): END, ("topic_units", "topic"): KEEP,
    ("topic_units", "probability"): KEEP,
    # REFI-QDA exchange (migration 0021): another tool's selections (their name is a
    # text excerpt), groups (Sets), case links, links and graphs kept as read, and the
    # attributes of other tools' elements (JSON)
    ("codes", "codable"): KEEP, ("codings", "selection_guid"): KEEP,
    ("participants", "description"): SCAN, ("attributes", "exchange_type"): KEEP,
    ("selections", "guid"): KEEP, ("selections", "document_id"): KEEP,
    ("selections", "start"): START, ("selections", "end"): END, ("selections", "name"): SCAN,
    ("selections", "description"): SCAN, ("selections", "coder_id"): KEEP,
    ("selections", "created_at"): KEEP, ("selections", "notes"): KEEP,
    ("groups", "id"): KEEP, ("groups", "guid"): KEEP, ("groups", "name"): SCAN,
    ("groups", "description"): SCAN, ("groups", "created_at"): KEEP,
    ("group_members", "group_id"): KEEP, ("group_members", "kind"): KEEP,
    ("group_members", "member_guid"): KEEP,
    ("case_codes", "participant_id"): KEEP, ("case_codes", "code_guid"): KEEP,
    ("case_selections", "participant_id"): KEEP, ("case_selections", "selection_guid"): KEEP,
    ("exchange_objects", "guid"): KEEP, ("exchange_objects", "kind"): KEEP,
    ("exchange_objects", "name"): SCAN, ("exchange_objects", "xml"): SCAN,
    ("exchange_objects", "refs"): KEEP, ("exchange_objects", "created_at"): KEEP,
    ("exchange_fields", "kind"): KEEP, ("exchange_fields", "guid"): KEEP,
    ("exchange_fields", "data"): SCAN_JSON,
    # team work (migration 0060): deletions, merge choices, adjudication decisions
    ("tombstones", "kind"): KEEP, ("tombstones", "guid"): KEEP,
    ("tombstones", "deleted_at"): KEEP,
    ("merge_decisions", "conflict"): KEEP, ("merge_decisions", "theirs"): SCAN,
    ("merge_decisions", "choice"): KEEP, ("merge_decisions", "coder"): SCAN,
    ("merge_decisions", "decided_at"): KEEP,
    ("adjudications", "id"): KEEP, ("adjudications", "document_id"): KEEP,
    ("adjudications", "code_id"): KEEP, ("adjudications", "start"): START,
    ("adjudications", "end"): END, ("adjudications", "decision"): KEEP,
    ("adjudications", "coder_a"): SCAN, ("adjudications", "coder_b"): SCAN,
    ("adjudications", "decided_by"): SCAN, ("adjudications", "decided_at"): KEEP,
    ("adjudications", "memo"): SCAN, ("adjudications", "codings"): KEEP,
    # privacy: what stays in the copy holds no one's name
    ("privacy_categories", "name"): KEEP, ("privacy_categories", "label"): KEEP,
    ("privacy_categories", "kind"): KEEP, ("privacy_categories", "action"): KEEP,
    ("privacy_documents", "document_id"): KEEP, ("privacy_documents", "detected_at"): KEEP,
    ("privacy_documents", "pseudonymised_at"): KEEP,
    # waves and cases (migration 0090): a case's name and description and a case field's
    # values are free text (an organisation may be named after a person); ids, kinds,
    # wave names and positions are the project's own labels
    ("waves", "name"): KEEP, ("waves", "position"): KEEP, ("waves", "description"): SCAN,
    ("documents", "wave"): KEEP,
    ("cases", "id"): KEEP, ("cases", "kind"): KEEP, ("cases", "name"): SCAN,
    ("cases", "description"): SCAN, ("cases", "parent_id"): KEEP, ("cases", "guid"): KEEP,
    ("cases", "created_at"): KEEP, ("cases", "updated_at"): KEEP,
    ("case_fields", "name"): KEEP, ("case_fields", "type"): KEEP,
    ("case_fields", "levels"): KEEP, ("case_fields", "position"): KEEP,
    ("case_fields", "private"): KEEP,
    ("case_values", "case_id"): KEEP, ("case_values", "field"): KEEP,
    ("case_values", "value"): SCAN, ("case_values", "num"): KEEP,
    ("document_cases", "document_id"): KEEP, ("document_cases", "case_id"): KEEP,
    ("document_cases", "speaker"): SCAN,
    ("participant_cases", "participant_id"): KEEP, ("participant_cases", "case_id"): KEEP,
}

#: Column names that look like character offsets: such a column needs a rule.
OFFSET_NAME = re.compile(r"(^|_)(start|end|begin|stop|offset|offsets|pos|position|anchor|"
                         r"char|chars|index|from|to)(_|$)", re.IGNORECASE)
_SKIP_TABLE = re.compile(r"^(sqlite_|_sqlite_|segments_fts_)")


def schema_columns(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(table, column, declared type) of every table a project holds (FTS shadow tables
    and SQLite's own left out)."""
    out = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                 "ORDER BY name").fetchall():
        if _SKIP_TABLE.match(table):
            continue
        for row in conn.execute(f"PRAGMA table_info({table})").fetchall():
            out.append((table, row[1], (row[2] or "").upper()))
    return out


def unclassified_columns(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """Columns with no rule, in tables that are not dropped or rebuilt whole."""
    return [(t, c, ty) for t, c, ty in schema_columns(conn)
            if t not in TABLE_RULES and (t, c) not in COLUMN_RULES]


def unruled_offset_columns(conn: sqlite3.Connection) -> list[str]:
    """Integer columns that look like offsets and have no rule: the rewrite refuses to run."""
    return [f"{t}.{c}" for t, c, ty in unclassified_columns(conn)
            if OFFSET_NAME.search(c) and ("INT" in ty or ty in ("", "NUMERIC", "REAL"))]


def text_values(path: str | Path) -> Iterable[tuple[str, str, str]]:
    """(table, column, value) of every text value in a project file, read-only (the check
    that a pseudonymised copy holds no replaced name)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for table, column, _ty in schema_columns(con):
            for (value,) in con.execute(f'SELECT "{column}" FROM {table} '
                                        f'WHERE typeof("{column}") = \'text\''):
                yield table, column, value
    finally:
        con.close()


def rule_of(table: str, column: str, declared_type: str) -> str:
    rule = TABLE_RULES.get(table) or COLUMN_RULES.get((table, column))
    if rule:
        return rule
    # a column added after this table was written: free text is scanned (names never
    # slip through), anything else is kept
    return SCAN if "TEXT" in declared_type or "CHAR" in declared_type else KEEP


def _scan_json(value: str, scan: Callable[[str], str]) -> str:
    try:
        data = json.loads(value)
    except (TypeError, ValueError):
        return scan(value)

    def walk(x: Any) -> Any:
        if isinstance(x, str):
            return scan(x)
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, dict):
            return {walk(k) if isinstance(k, str) else k: walk(v) for k, v in x.items()}
        return x
    new = walk(data)
    return value if new == data else json.dumps(new, ensure_ascii=False)


class PrivacyStore(DocumentStore):
    # -- entities and variants -------------------------------------------------------
    def privacy_variants(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT v.text, v.entity_id, v.fold, v.source, e.category, e.status "
            "FROM privacy_variants v JOIN privacy_entities e ON e.id = v.entity_id "
            "ORDER BY v.entity_id, v.text")]

    def privacy_entities(self, *, category: str | None = None, status: str | None = None,
                         ids: Sequence[int] | None = None) -> list[dict]:
        """Entities with their variants (list), occurrences and documents counted."""
        where: list[str] = []
        params: list[Any] = []
        if category:
            where.append("e.category = ?")
            params.append(category)
        if status:
            where.append("e.status = ?")
            params.append(status)
        if ids is not None:
            if not ids:
                return []
            where.append(f"e.id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        rows = self.query(
            "SELECT e.*, (SELECT count(*) FROM privacy_occurrences o JOIN privacy_variants v "
            "ON v.text = o.variant WHERE v.entity_id = e.id) AS occurrences, "
            "(SELECT count(DISTINCT o.document_id) FROM privacy_occurrences o "
            "JOIN privacy_variants v ON v.text = o.variant WHERE v.entity_id = e.id) AS documents "
            "FROM privacy_entities e" + (" WHERE " + " AND ".join(where) if where else "") +
            " ORDER BY e.id", params)
        variants: dict[int, list[str]] = {}
        for r in self.query("SELECT entity_id, text FROM privacy_variants "
                            "ORDER BY entity_id, length(text) DESC, text"):
            variants.setdefault(r[0], []).append(r[1])
        out = []
        for r in rows:
            d = dict(r)
            d["variants"] = variants.get(d["id"], [])
            out.append(d)
        return out

    def privacy_entity_of(self, variant: str) -> int | None:
        return self.scalar("SELECT entity_id FROM privacy_variants WHERE text = ?", [variant])

    def privacy_add(self, entities: Sequence[dict], variants: Sequence[dict],
                    coder: str | None = None) -> list[int]:
        """Insert new entities (category, label, gender, sources, status) and variants
        (text, fold, source, and ``entity`` = an index into ``entities`` or
        ``entity_id``); returns the new entities' ids."""
        stamp = now()
        with self.transaction() as c:
            ids = [rowid(c.execute(
                "INSERT INTO privacy_entities(category, label, status, gender, sources, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [e["category"], e["label"], e.get("status", "pending"), e.get("gender", ""),
                 e.get("sources", ""), stamp])) for e in entities]
            for v in variants:
                entity_id = v["entity_id"] if "entity_id" in v else ids[v["entity"]]
                c.execute("INSERT OR IGNORE INTO privacy_variants(text, entity_id, fold, source, "
                          "created_at) VALUES (?, ?, ?, ?, ?)",
                          [v["text"], entity_id, int(bool(v.get("fold"))), v["source"], stamp])
            if entities or variants:
                self.log_change(coder, "privacy.detect", "privacy", None,
                                {"entities": len(entities), "variants": len(variants)})
        return ids

    def privacy_add_sources(self, entity_id: int, sources: Iterable[str]) -> None:
        with self.transaction() as c:
            row = c.execute("SELECT sources FROM privacy_entities WHERE id = ?",
                            [entity_id]).fetchone()
            if row is None:
                return
            merged = sorted(set(filter(None, row[0].split(","))) | set(sources))
            c.execute("UPDATE privacy_entities SET sources = ? WHERE id = ?",
                      [",".join(merged), entity_id])

    def privacy_set_gender(self, entity_id: int, gender: str) -> None:
        with self.transaction() as c:
            c.execute("UPDATE privacy_entities SET gender = ? WHERE id = ? AND gender = ''",
                      [gender, entity_id])

    def privacy_set_status(self, entity_ids: Sequence[int], status: str,
                           coder: str | None = None) -> int:
        stamp = now()
        with self.transaction() as c:
            n = 0
            for i in entity_ids:
                n += c.execute("UPDATE privacy_entities SET status = ?, decided_by = ?, "
                               "decided_at = ? WHERE id = ?", [status, coder, stamp, i]).rowcount
            self.log_change(coder, f"privacy.{status}", "privacy", None,
                            {"entities": list(entity_ids)})
        return n

    def privacy_set_category(self, entity_id: int, category: str,
                             coder: str | None = None) -> None:
        with self.transaction() as c:
            c.execute("UPDATE privacy_entities SET category = ?, number = NULL, pseudonym = NULL "
                      "WHERE id = ?", [category, entity_id])
            self.log_change(coder, "privacy.category", "privacy", entity_id,
                            {"category": category})

    def privacy_merge(self, target: int, others: Sequence[int], coder: str | None = None) -> None:
        """Move the variants of ``others`` to ``target`` and delete ``others``."""
        with self.transaction() as c:
            sources: set[str] = set()
            for (src,) in c.execute(
                    f"SELECT sources FROM privacy_entities WHERE id IN "
                    f"({', '.join('?' * (len(others) + 1))})", [target, *others]).fetchall():
                sources.update(filter(None, src.split(",")))
            for other in others:
                c.execute("UPDATE privacy_variants SET entity_id = ? WHERE entity_id = ?",
                          [target, other])
                c.execute("DELETE FROM privacy_entities WHERE id = ?", [other])
            c.execute("UPDATE privacy_entities SET sources = ? WHERE id = ?",
                      [",".join(sorted(sources)), target])
            self.log_change(coder, "privacy.merge", "privacy", target, {"merged": list(others)})

    def privacy_split(self, variant: str, coder: str | None = None) -> int:
        """Give ``variant`` an entity of its own (same category, pending)."""
        with self.transaction() as c:
            row = c.execute("SELECT e.category, e.sources, e.gender FROM privacy_variants v "
                            "JOIN privacy_entities e ON e.id = v.entity_id WHERE v.text = ?",
                            [variant]).fetchone()
            if row is None:
                raise StoreError(f"no variant {variant!r}")
            new = rowid(c.execute("INSERT INTO privacy_entities(category, label, gender, "
                                  "sources, created_at) VALUES (?, ?, ?, ?, ?)",
                                  [row[0], variant, row[2], row[1], now()]))
            c.execute("UPDATE privacy_variants SET entity_id = ? WHERE text = ?", [new, variant])
            self.log_change(coder, "privacy.split", "privacy", new, {"variant": variant})
        return new

    def privacy_delete_variant(self, variant: str, coder: str | None = None) -> None:
        with self.transaction() as c:
            entity = c.execute("SELECT entity_id FROM privacy_variants WHERE text = ?",
                               [variant]).fetchone()
            c.execute("DELETE FROM privacy_variants WHERE text = ?", [variant])
            if entity and not c.execute("SELECT 1 FROM privacy_variants WHERE entity_id = ?",
                                        [entity[0]]).fetchone():
                c.execute("DELETE FROM privacy_entities WHERE id = ?", [entity[0]])

    def privacy_assign(self, assignments: Iterable[tuple[int, int | None, str | None]]) -> None:
        """Record (entity id, tag number, realistic pseudonym) once chosen: the same entity
        keeps its pseudonym in every later pseudonymised copy."""
        with self.transaction() as c:
            c.executemany("UPDATE privacy_entities SET number = coalesce(number, ?), "
                          "pseudonym = coalesce(pseudonym, ?) WHERE id = ?",
                          [(n, p, i) for i, n, p in assignments])

    def privacy_redraw(self, pseudonyms: Iterable[tuple[int, str | None]]) -> None:
        """Replace stored realistic pseudonyms (entity id, new pseudonym): one drawn for an
        earlier copy that now writes a detected form."""
        with self.transaction() as c:
            c.executemany("UPDATE privacy_entities SET pseudonym = ? WHERE id = ?",
                          [(p, i) for i, p in pseudonyms])

    def privacy_reset_pseudonyms(self) -> None:
        with self.transaction() as c:
            c.execute("UPDATE privacy_entities SET number = NULL, pseudonym = NULL")

    # -- occurrences -------------------------------------------------------------------
    def privacy_set_occurrences(self, rows: Iterable[tuple[int, int, int, str]],
                                documents: Sequence[int] | None = None) -> int:
        """Replace the occurrences (document_id, start, end, variant) of ``documents``
        (all documents when None)."""
        rows = list(rows)
        with self.transaction() as c:
            if documents is None:
                c.execute("DELETE FROM privacy_occurrences")
            else:
                c.executemany("DELETE FROM privacy_occurrences WHERE document_id = ?",
                              [(d,) for d in documents])
            c.executemany("INSERT OR REPLACE INTO privacy_occurrences(document_id, start, end, "
                          "variant) VALUES (?, ?, ?, ?)", rows)
        return len(rows)

    def privacy_occurrences(self, *, entity_id: int | None = None,
                            document_id: int | None = None, limit: int | None = None) -> list[dict]:
        where, params = [], []
        if entity_id is not None:
            where.append("v.entity_id = ?")
            params.append(entity_id)
        if document_id is not None:
            where.append("o.document_id = ?")
            params.append(document_id)
        sql = ("SELECT o.document_id, d.name AS document, o.start, o.end, o.variant, v.entity_id "
               "FROM privacy_occurrences o JOIN privacy_variants v ON v.text = o.variant "
               "JOIN documents d ON d.id = o.document_id" +
               (" WHERE " + " AND ".join(where) if where else "") +
               " ORDER BY d.name, o.start")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [dict(r) for r in self.query(sql, params)]

    def privacy_category_counts(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT e.category, e.status, count(DISTINCT e.id) AS entities, "
            "count(o.variant) AS occurrences FROM privacy_entities e "
            "LEFT JOIN privacy_variants v ON v.entity_id = e.id "
            "LEFT JOIN privacy_occurrences o ON o.variant = v.text "
            "GROUP BY e.category, e.status ORDER BY e.category, e.status")]

    # -- categories and documents ------------------------------------------------------
    def privacy_category_rows(self) -> list[dict]:
        return [dict(r) for r in self.query("SELECT * FROM privacy_categories ORDER BY name")]

    def privacy_set_category_row(self, name: str, label: str, kind: str, action: str,
                                 coder: str | None = None) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO privacy_categories(name, label, kind, action) VALUES "
                      "(?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET label = excluded.label, "
                      "kind = excluded.kind, action = excluded.action",
                      [name, label, kind, action])
            self.log_change(coder, "privacy.policy", "privacy", name, {"action": action})

    def privacy_undetected_documents(self) -> list[int]:
        return [r[0] for r in self.query(
            "SELECT d.id FROM documents d LEFT JOIN privacy_documents p ON p.document_id = d.id "
            "WHERE p.detected_at IS NULL ORDER BY d.id")]

    def privacy_mark_detected(self, doc_ids: Sequence[int]) -> None:
        stamp = now()
        with self.transaction() as c:
            c.executemany("INSERT INTO privacy_documents(document_id, detected_at) VALUES (?, ?) "
                          "ON CONFLICT(document_id) DO UPDATE SET detected_at = excluded.detected_at",
                          [(d, stamp) for d in doc_ids])

    def privacy_document_states(self) -> list[dict]:
        """Every document with when it was scanned and pseudonymised (None: never)."""
        return [dict(r) for r in self.query(
            "SELECT d.id, d.name, d.private, p.detected_at, p.pseudonymised_at FROM documents d "
            "LEFT JOIN privacy_documents p ON p.document_id = d.id ORDER BY d.id")]

    # -- the pseudonymised copy --------------------------------------------------------
    def backup_to(self, path: str | Path) -> None:
        """A consistent copy of the project file (SQLite's online backup)."""
        dest = sqlite3.connect(str(path))
        try:
            with self._lock:
                self.conn.backup(dest)
        finally:
            dest.close()

    def check_rewrite_rules(self) -> None:
        missing = unruled_offset_columns(self.conn)
        if missing:
            raise StoreError(
                "columns that look like text offsets have no pseudonymisation rule: "
                f"{', '.join(missing)} (add them to workbench/store/privacy.py COLUMN_RULES)")

    def rewrite_pseudonymised(self, texts: dict[int, tuple[str, Callable[[int], int],
                                                           Callable[[int], int]]],
                              *, scan: Callable[[str], str], scan_fold: Callable[[str], str],
                              scan_path: Callable[[str], str],
                              derived: dict[str, Callable[[str], Any]],
                              meta: dict[str, str | None],
                              pseudonymised: bool = True,
                              progress: Callable[[int, int, str], None] | None = None) -> dict:
        """Rewrite this (copied) project: ``texts`` maps each document id to its new text
        and its offset maps (start, end); every other column follows its rule; ``meta``
        entries are set (None: removed); ``derived`` computes each RECOMPUTE column of
        ``documents`` from the new text.  ``pseudonymised``: mark the documents as
        pseudonymised (False: re-identified).  One transaction, then VACUUM so that no
        page of the old text survives in the file."""
        self.check_rewrite_rules()
        step = progress or (lambda *a: None)
        stats = {"documents": 0, "offsets": 0, "fields": 0}
        self.conn.execute("PRAGMA secure_delete = ON")
        columns = schema_columns(self.conn)
        by_table: dict[str, list[tuple[str, str]]] = {}
        for t, col_name, ty in columns:
            by_table.setdefault(t, []).append((col_name, rule_of(t, col_name, ty)))
        # the word count follows the remapped turns (workbench.words), the rest the text
        recompute = [col for col, rule in by_table["documents"]
                     if rule == RECOMPUTE and col != "word_count"]
        missing = [col for col in recompute if col not in derived]
        if missing:
            raise StoreError(f"no way to recompute documents.{', '.join(missing)} from the "
                             "new text")
        sets = ", ".join(["text = ?"] + [f'"{col}" = ?' for col in recompute])
        with self.transaction() as c:
            for table, rule in TABLE_RULES.items():
                if rule == DROP and table in by_table:
                    c.execute(f"DELETE FROM {table}")
            total = len(texts)
            for i, (doc_id, (text, start_map, end_map)) in enumerate(sorted(texts.items())):
                c.execute(f"UPDATE documents SET {sets} WHERE id = ?",
                          [text, *(derived[col](text) for col in recompute), doc_id])
                stats["offsets"] += self._remap_offsets(c, doc_id, start_map, end_map, by_table)
                segments = [dict(start=r[0], end=r[1], body_start=r[2], front_matter=r[3])
                            for r in c.execute("SELECT start, end, body_start, front_matter "
                                               "FROM segments WHERE document_id = ?", [doc_id])]
                c.execute("UPDATE documents SET word_count = ? WHERE id = ?",
                          [turn_word_count(text, segments), doc_id])
                stats["documents"] += 1
                step(i + 1, total, str(doc_id))
            scanners = {SCAN: scan, SCAN_FOLD: scan_fold, PATH: scan_path,
                        SCAN_JSON: lambda v: _scan_json(v, scan)}
            for table, cols in by_table.items():
                if table in TABLE_RULES:
                    continue
                work = [(col, rule) for col, rule in cols if rule in scanners]
                fixed = [(col, rule) for col, rule in cols if rule in (NULL, REGENERATE)]
                if work:
                    names = ", ".join(f'"{col}"' for col, _r in work)
                    rows = c.execute(f"SELECT rowid, {names} FROM {table}").fetchall()
                    updates = []
                    for row in rows:
                        new = [scanners[rule](v) if isinstance(v, str) else v
                               for (col, rule), v in zip(work, row[1:])]
                        if new != list(row[1:]):
                            updates.append((*new, row[0]))
                    if updates:
                        sets = ", ".join(f'"{col}" = ?' for col, _r in work)
                        c.executemany(f"UPDATE {table} SET {sets} WHERE rowid = ?", updates)
                        stats["fields"] += len(updates)
                for col, rule in fixed:
                    if rule == NULL:
                        c.execute(f'UPDATE {table} SET "{col}" = NULL')
                    else:
                        ids = [r[0] for r in c.execute(
                            f'SELECT rowid FROM {table} WHERE "{col}" IS NOT NULL').fetchall()]
                        c.executemany(f'UPDATE {table} SET "{col}" = ? WHERE rowid = ?',
                                      [(str(uuid.uuid4()), i) for i in ids])
            # the search index, from the new text
            c.execute("DELETE FROM segments_fts")
            docs = {r[0]: r[1] for r in c.execute("SELECT id, text FROM documents").fetchall()}
            for doc_id, text in docs.items():
                self._index_document(c, doc_id, text)
            c.execute("INSERT INTO segments_fts(segments_fts) VALUES ('optimize')")
            stamp = now()
            c.executemany("INSERT INTO privacy_documents(document_id, detected_at, "
                          "pseudonymised_at) VALUES (?, ?, ?) ON CONFLICT(document_id) DO "
                          "UPDATE SET pseudonymised_at = excluded.pseudonymised_at",
                          [(d, None, stamp if pseudonymised else None) for d in docs])
            for key, value in meta.items():
                if value is None:
                    c.execute("DELETE FROM meta WHERE key = ?", [key])
                else:
                    c.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) "
                              "DO UPDATE SET value = excluded.value", [key, value])
            c.execute("INSERT INTO change_log(at, coder, action, target_type, details) "
                      "VALUES (?, NULL, ?, 'project', ?)",
                      [stamp, "project.pseudonymise" if pseudonymised else "project.reidentify",
                       json.dumps({"documents": stats["documents"]})])
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return stats

    def _remap_offsets(self, c: sqlite3.Connection, doc_id: int, start_map: Callable[[int], int],
                       end_map: Callable[[int], int],
                       by_table: dict[str, list[tuple[str, str]]]) -> int:
        """The one remapping of character offsets: every START/END column of every table
        in :data:`OFFSET_TABLES`, for the rows of one document."""
        n = 0
        for table, cols in by_table.items():
            offset_cols = [(col, rule) for col, rule in cols if rule in (START, END)]
            if not offset_cols or TABLE_RULES.get(table) == DROP:
                continue
            doc_col = OFFSET_TABLES.get(table)
            if doc_col is None:
                raise StoreError(f"{table} has offset columns but no document column in "
                                 "OFFSET_TABLES (workbench/store/privacy.py)")
            names = ", ".join(f'"{col}"' for col, _r in offset_cols)
            rows = c.execute(f"SELECT rowid, {names} FROM {table} WHERE {doc_col} = ?",
                             [doc_id]).fetchall()
            updates = []
            for row in rows:
                new = [None if v is None else (start_map(v) if rule == START else end_map(v))
                       for (col, rule), v in zip(offset_cols, row[1:])]
                if new != list(row[1:]):
                    updates.append((*new, row[0]))
            if updates:
                sets = ", ".join(f'"{col}" = ?' for col, _r in offset_cols)
                c.executemany(f"UPDATE {table} SET {sets} WHERE rowid = ?", updates)
            n += len(rows) * len(offset_cols)
        return n
