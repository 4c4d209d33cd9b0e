"""Documents, segments and full-text search (SQL for the store only)."""
from __future__ import annotations

import json
import re
import sqlite3
from typing import Any, Iterable, Sequence

from workbench.domain import Document, NotFoundError, SearchHit, Segment, ValidationError
from workbench.i18n import _
from workbench.identity import new_guid, text_hash
from workbench.words import turn_word_count
from workbench.safety.limits import MAX_SEARCH_CHARS, MAX_SEARCH_TERMS
from workbench.store.batch import BatchStore
from workbench.store.db import now, rowid

_DOC_COLUMNS = ("id, name, programme, actor_type, interview_date, interviewer, site, language, "
                "source_file, source_format, source_hash, encoding, word_count, private, "
                "imported_at, extra, guid, text_hash, wave")


def _document(row: sqlite3.Row) -> Document:
    d = dict(row)
    d["private"] = bool(d["private"])
    d["extra"] = json.loads(d.get("extra") or "{}")
    return Document(**d)


_SEGMENT_COLUMNS = ("id, document_id, position, kind, speaker, is_interviewer, start, end, "
                    "timestamp, end_time, section, ifnull(body_start, start) AS body_start, "
                    "front_matter")


def _segment(row: sqlite3.Row) -> Segment:
    d = dict(row)
    d["is_interviewer"] = bool(d["is_interviewer"])
    d["front_matter"] = bool(d["front_matter"])
    return Segment(**d)


def words_in_span(text: str, heads: Sequence[tuple[int, int]], start: int, end: int) -> str:
    """The words of ``text[start:end]``: the span without the heads (speaker label and
    written timestamp, ``[seg.start, seg.body_start)``) of the turns it covers.  What a
    quote shows, in every output."""
    out, pos = [], start
    for h_start, h_end in heads:
        if h_end <= pos or h_start >= end:
            continue
        if h_start > pos:
            out.append(text[pos:h_start])
        pos = max(pos, h_end)
    if pos < end:
        out.append(text[pos:end])
    return "".join(out)


def segment_row(s: dict) -> tuple:
    """A segment (a dict with position, kind, speaker, is_interviewer, start, end,
    timestamp, end_time, section, body_start, front_matter; the optional ones may be
    missing) as the row :meth:`DocumentStore.insert_document` writes after the document
    id.  An importer may pass these rows instead of the dicts (made where the file was
    parsed: no dict per segment crosses between processes)."""
    return (s["position"], s.get("kind", "turn"), s.get("speaker"),
            int(bool(s.get("is_interviewer"))), s["start"], s["end"],
            s.get("timestamp"), s.get("end_time"), s.get("section"),
            s["start"] if s.get("body_start") is None else s["body_start"],
            int(bool(s.get("front_matter"))))


def index_text(text: str, start: int, end: int) -> str:
    """What of a segment goes into the full-text index (the one definition: documents
    inserted directly and those indexed ahead by an import batch use it): its words,
    ``text[start:end]`` where ``start`` is the segment's ``body_start`` (no speaker
    label, no written timestamp)."""
    return text[start:end]


def fts_query(text: str) -> str:
    """Turn user text into a safe FTS5 query: words are ANDed, "quoted phrases" kept,
    a trailing * keeps prefix search.  Punctuation never reaches FTS5 syntax.

    :raises ValidationError: more than :data:`~workbench.safety.limits.MAX_SEARCH_TERMS`
        words or :data:`~workbench.safety.limits.MAX_SEARCH_CHARS` characters (a
        20,000-word search ran for over ten minutes)."""
    if len(text) > MAX_SEARCH_CHARS:
        raise ValidationError(_("the search text is too long ({n} characters; the limit is "
                                "{limit})").format(n=len(text), limit=MAX_SEARCH_CHARS))
    parts: list[str] = []
    for m in re.finditer(r'"([^"]+)"|(\S+)', text):
        if m.group(1):
            words = re.findall(r"\w+", m.group(1))
            if words:
                parts.append('"' + " ".join(words) + '"')
        else:
            token = m.group(2)
            prefix = token.endswith("*")
            for w in re.findall(r"\w+", token):
                parts.append(f'"{w}"' + ("*" if prefix else ""))
    n_words = sum(p.count(" ") + 1 for p in parts)
    if n_words > MAX_SEARCH_TERMS:
        raise ValidationError(_("the search has too many words ({n}; the limit is {limit})")
                              .format(n=n_words, limit=MAX_SEARCH_TERMS))
    return " ".join(parts)


def _document_filters(programme: str | None, actor_type: str | None,
                      attribute: tuple[str, str] | None) -> tuple[list[str], list]:
    """WHERE clauses on documents ``d``: programme, actor type, and a participant
    attribute value (documents linked to a participant who has it)."""
    where, params = [], []
    if programme:
        where.append("d.programme = ?")
        params.append(programme)
    if actor_type:
        where.append("d.actor_type = ?")
        params.append(actor_type)
    if attribute:
        where.append("d.id IN (SELECT dp.document_id FROM document_participants dp "
                     "JOIN participant_values v ON v.participant_id = dp.participant_id "
                     "WHERE v.attribute = ? AND v.value = ?)")
        params.extend(attribute)
    return where, params


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


class DocumentStore(BatchStore):
    # -- writing -------------------------------------------------------------------
    def insert_document(self, fields: dict[str, Any], segments: Sequence[dict] | Sequence[tuple],
                        participants: Sequence[tuple[str, str]] = (),
                        coder: str | None = None, *,
                        typed_fields: tuple[Sequence, dict, Sequence] | None = None,
                        importer: str | None = None,
                        segment_ids: Sequence[int] | None = None,
                        cases: Sequence[tuple[str, str]] = (), index: bool = True) -> int:
        """Insert one document with its segments and participant links, all or nothing.

        ``segments``: dicts with position, kind, speaker, is_interviewer, start, end,
        timestamp, end_time (or the rows of :func:`segment_row`).  The document gets its text hash here, and a new GUID
        unless ``fields`` brings one (a document read from another tool keeps its own).  ``participants``: (participant_id, speaker or '').
        ``typed_fields``: (field definitions, {field: (text, number)} of this document,
        (document id, field, text, number) values of other documents that a field's new
        type rewrites), all written in the same transaction.  ``importer``: the coder
        recorded as having imported it (created if new, in the same transaction).
        ``segment_ids``: ids an :class:`~workbench.store.batch.ImportBatch` reserved and
        already indexed for search (``batch.preindex``): the segments take them and the
        full-text index is not written again, inside this (short) transaction.
        ``cases``: (case id, speaker or '') links; a ``wave`` field names a wave, added
        after the others when new.  ``index=False`` (inside a transaction): the caller
        indexes the document for search with :meth:`index_documents` before it commits,
        several documents at once.  ``fields`` may bring the ``text_hash`` of its text
        (:func:`workbench.identity.text_hash`, computed where the file was parsed).
        """
        text = fields["text"]
        if not index and not getattr(self, "_depth", 0):
            raise RuntimeError("a document indexed later is inserted inside a transaction")
        if self.batch_worthy(text) and segment_ids is None:   # a long text: staged
            return self.insert_document_batched(fields, segments, participants, coder,
                                                typed_fields=typed_fields, importer=importer,
                                                cases=cases)
        with self.transaction() as c:
            row = dict(fields)
            row.setdefault("imported_at", now())
            if importer and not self.is_scratch and row.get("imported_by") is None:
                row["imported_by"] = self.ensure_coder(importer)  # with the document, not before
            row["guid"] = row.get("guid") or new_guid()
            row["text_hash"] = row.get("text_hash") or text_hash(text)
            if row.get("word_count") is None:       # the words said (workbench.words)
                row["word_count"] = turn_word_count(text, segments)
            row["extra"] = json.dumps(row.get("extra") or {}, ensure_ascii=False)
            if row.get("wave"):
                self._ensure_wave(c, row["wave"])
            cols = ", ".join(row)
            doc_id = rowid(c.execute(
                f"INSERT INTO documents({cols}) VALUES ({', '.join('?' * len(row))})",
                list(row.values())))
            rows = [s if isinstance(s, tuple) else segment_row(s) for s in segments]
            seg_rows = [(doc_id, *row) for row in rows]
            if segment_ids is None:
                c.executemany(
                    "INSERT INTO segments(document_id, position, kind, speaker, is_interviewer, "
                    "start, end, timestamp, end_time, section, body_start, front_matter) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    seg_rows)
                if index:
                    self._index_document(c, doc_id, text)
            else:               # indexed beforehand under these ids (an import batch)
                if len(segment_ids) != len(seg_rows):
                    raise ValueError("one reserved id per segment")
                c.executemany(
                    "INSERT INTO segments(id, document_id, position, kind, speaker, "
                    "is_interviewer, start, end, timestamp, end_time, section, body_start, "
                    "front_matter) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(sid, *row) for sid, row in zip(segment_ids, seg_rows)])
            for pid, speaker in participants:
                c.execute("INSERT OR IGNORE INTO document_participants(document_id, "
                          "participant_id, speaker) VALUES (?, ?, ?)", [doc_id, pid, speaker or ""])
            for case_id, speaker in cases:
                c.execute("INSERT OR IGNORE INTO document_cases(document_id, case_id, speaker) "
                          "VALUES (?, ?, ?)", [doc_id, case_id, speaker or ""])
            if typed_fields is not None:
                defs, values, restored = typed_fields
                self.write_field_defs(c, "document", defs)
                self.write_field_values(c, "document", [
                    *restored, *((doc_id, name, text, num) for name, (text, num) in values.items()
                                 if text is not None)])
            self.log_change(coder, "document.import", "document", doc_id,
                            {"name": fields["name"], "source_file": fields.get("source_file")})
        return doc_id

    def free_segment_ids(self, n: int) -> list[int]:
        """``n`` segment ids no segment has (after the last one), for segments written
        without their search index inside a transaction that is then rolled back (an
        import's preview)."""
        last = self.scalar("SELECT ifnull(max(id), 0) FROM segments") or 0
        return list(range(int(last) + 1, int(last) + 1 + n))

    @staticmethod
    def _index_document(c: sqlite3.Connection, doc_id: int, text: str) -> None:
        """Put a document's segments in the full-text index (the one place that decides
        what of a segment is indexed): each turn's words, from its ``body_start`` (no
        speaker label, no written timestamp)."""
        ids = c.execute("SELECT id, ifnull(body_start, start), end FROM segments "
                        "WHERE document_id = ? ORDER BY position", [doc_id]).fetchall()
        c.executemany("INSERT INTO segments_fts(rowid, text) VALUES (?, ?)",
                      ((r[0], index_text(text, r[1], r[2])) for r in ids))   # one at a time

    def index_documents(self, documents: Sequence[tuple[int, str]]) -> None:
        """Index for search documents inserted with ``index=False`` in this transaction,
        ``(document id, text)``: one statement for all of them (the full-text index is
        built in bulk, not document by document)."""
        with self.transaction() as c:
            rows: list[tuple[int, str]] = []
            for doc_id, text in documents:
                rows.extend((r[0], index_text(text, r[1], r[2])) for r in c.execute(
                    "SELECT id, ifnull(body_start, start), end FROM segments "
                    "WHERE document_id = ? ORDER BY position", [doc_id]))
            c.executemany("INSERT INTO segments_fts(rowid, text) VALUES (?, ?)", rows)

    def update_document(self, doc_id: int, changes: dict[str, Any], coder: str | None = None) -> None:
        allowed = {"name", "programme", "actor_type", "interview_date", "interviewer", "site",
                   "language", "private", "wave"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"cannot change {', '.join(sorted(bad))}")
        if not changes:
            return
        with self.transaction() as c:
            if changes.get("wave"):
                self._ensure_wave(c, changes["wave"])
            sets = ", ".join(f"{k} = ?" for k in changes)
            c.execute(f"UPDATE documents SET {sets} WHERE id = ?", [*changes.values(), doc_id])
            self.log_change(coder, "document.update", "document", doc_id, changes)

    def delete_document(self, doc_id: int, coder: str | None = None) -> None:
        with self.transaction() as c:
            seg_ids = [r[0] for r in c.execute("SELECT id FROM segments WHERE document_id = ?",
                                                [doc_id])]
            c.executemany("DELETE FROM segments_fts WHERE rowid = ?", [(i,) for i in seg_ids])
            c.execute("DELETE FROM memos WHERE target_type = 'document' AND target_id = ?",
                      [str(doc_id)])
            c.execute("DELETE FROM documents WHERE id = ?", [doc_id])
            self.log_change(coder, "document.delete", "document", doc_id)

    # -- reading -------------------------------------------------------------------
    def document_id_by_hash(self, source_hash: str) -> int | None:
        return self.scalar("SELECT id FROM documents WHERE source_hash = ?", [source_hash])

    def document_name_exists(self, name: str) -> bool:
        return self.scalar("SELECT 1 FROM documents WHERE name = ?", [name]) is not None

    def document_names(self) -> set[str]:
        return {r[0] for r in self.query("SELECT name FROM documents")}

    def programme_names(self) -> set[str]:
        """Programmes of the documents and of the codebooks' evaluation questions."""
        return {r[0] for r in self.query(
            "SELECT programme FROM documents WHERE ifnull(programme, '') <> '' UNION "
            "SELECT programme FROM evaluation_questions WHERE ifnull(programme, '') <> ''")}

    def resolve_document(self, ref: int | str) -> int:
        """A document id, or its unique name."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            found = self.scalar("SELECT id FROM documents WHERE id = ?", [int(ref)])
            if found is not None:
                return found
        found = self.scalar("SELECT id FROM documents WHERE name = ?", [str(ref)])
        if found is None:
            raise NotFoundError(_("no document {ref!r}").format(ref=ref))
        return found

    def get_document(self, doc_id: int) -> Document:
        rows = self.query(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", [doc_id])
        if not rows:
            raise NotFoundError(_("no document with id {id}").format(id=doc_id))
        return _document(rows[0])

    def document_text(self, doc_id: int) -> str:
        text = self.scalar("SELECT text FROM documents WHERE id = ?", [doc_id])
        if text is None:
            raise NotFoundError(_("no document with id {id}").format(id=doc_id))
        return text

    def text_reaches(self, doc_id: int, end: int) -> bool:
        """Whether a document's text has at least ``end`` characters.  Its last turn's
        end says so without reading the text (a turn never ends past the text: one
        index look-up); past it, the text's length decides."""
        last = self.scalar('SELECT "end" FROM segments WHERE document_id = ? '
                           "ORDER BY start DESC LIMIT 1", [doc_id])
        if last is not None and end <= int(last):
            return True
        return end <= self.document_length(doc_id)

    def document_length(self, doc_id: int) -> int:
        """The number of characters of a document's text (without reading the text)."""
        n = self.scalar("SELECT length(text) FROM documents WHERE id = ?", [doc_id])
        if n is None:
            raise NotFoundError(_("no document with id {id}").format(id=doc_id))
        return int(n)

    def segments(self, doc_id: int) -> list[Segment]:
        return [_segment(r) for r in self.query(
            f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE document_id = ? ORDER BY position",
            [doc_id])]

    def get_segment(self, segment_id: int) -> Segment:
        rows = self.query(f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE id = ?", [segment_id])
        if not rows:
            raise NotFoundError(_("no segment with id {id}").format(id=segment_id))
        return _segment(rows[0])

    def list_documents(self, programme: str | None = None, actor_type: str | None = None,
                       participant_filter: tuple[str, str] | None = None,
                       coded: bool | None = None) -> list[dict]:
        """Documents with counts; ``participant_filter`` = (attribute, value)."""
        where, params = _document_filters(programme, actor_type, participant_filter)
        if coded is True:
            where.append("EXISTS (SELECT 1 FROM codings k WHERE k.document_id = d.id)")
        elif coded is False:
            where.append("NOT EXISTS (SELECT 1 FROM codings k WHERE k.document_id = d.id)")
        sql = (
            "SELECT d.id, d.name, d.programme, d.actor_type, d.interview_date, d.interviewer, "
            "d.site, d.language, d.source_file, d.source_format, d.encoding, d.word_count, "
            "d.private, d.wave, "
            "(SELECT count(*) FROM segments s WHERE s.document_id = d.id) AS segments, "
            "(SELECT count(*) FROM codings k WHERE k.document_id = d.id) AS codings, "
            "(SELECT ifnull(group_concat(participant_id, ';'), '') FROM (SELECT DISTINCT participant_id "
            " FROM document_participants dp WHERE dp.document_id = d.id)) AS participants "
            "FROM documents d" + (" WHERE " + " AND ".join(where) if where else "") +
            " ORDER BY d.name")
        return [dict(r) for r in self.query(sql, params)]

    def private_document_ids(self) -> set[int]:
        """Ids of the documents marked private."""
        return {int(r[0]) for r in self.query("SELECT id FROM documents WHERE private = 1")}

    def span_texts(self, spans: Iterable[tuple[int, int, int]]) -> list[str]:
        """The words of (document_id, start, end) spans, in order, in two queries: each
        span's text without the speaker labels and written timestamps of the turns it
        covers (:func:`words_in_span`).  Every quote, excerpt and exemplar is read here."""
        triples = [[int(d), int(s), int(e)] for d, s, e in spans]
        if not triples:
            return []
        payload = json.dumps(triples)
        with self.reading() as c:
            # each document's text read once and cut here (a substr() per span read the
            # whole text again for every span: seconds for a 2,600-excerpt annex)
            texts = {int(i): t or "" for i, t in c.execute(
                "SELECT id, text FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(sorted({d for d, _s, _e in triples}))])}
            heads = c.execute(
                "SELECT j.key, s.start, s.body_start FROM json_each(?) j JOIN segments s "
                "ON s.document_id = (j.value ->> 0) AND s.start < (j.value ->> 2) "
                "AND s.body_start > (j.value ->> 1) AND s.body_start > s.start "
                "ORDER BY j.key, s.start", [payload]).fetchall()
        out = [texts.get(d, "")[s:e] for d, s, e in triples]
        by_span: dict[int, list[tuple[int, int]]] = {}
        for key, h_start, h_end in heads:
            by_span.setdefault(key, []).append((h_start, h_end))
        for key, hs in by_span.items():
            start, end = triples[key][1], triples[key][2]
            out[key] = words_in_span(out[key], [(a - start, b - start) for a, b in hs],
                                     0, end - start)
        return out

    def span_words(self, doc_id: int, start: int, end: int) -> str:
        """The words of one span of a document (see :meth:`span_texts`)."""
        return self.span_texts([(doc_id, start, end)])[0]

    def speakers(self, doc_id: int) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT speaker, max(is_interviewer) AS is_interviewer, count(*) AS turns "
            "FROM segments WHERE document_id = ? AND speaker IS NOT NULL "
            "GROUP BY speaker ORDER BY min(position)", [doc_id])]

    def counts(self) -> dict[str, Any]:
        q = self.scalar
        out = {
            "documents": q("SELECT count(*) FROM documents"),
            "segments": q("SELECT count(*) FROM segments"),
            "words": q("SELECT ifnull(sum(word_count), 0) FROM documents"),
            "participants": q("SELECT count(*) FROM participants"),
            "linked_participants": q("SELECT count(DISTINCT participant_id) FROM document_participants"),
            "attributes": q("SELECT count(*) FROM attributes"),
            "codes": q("SELECT count(*) FROM codes"),
            "codings": q("SELECT count(*) FROM codings"),
            "coders": q("SELECT count(*) FROM coders"),
            "memos": q("SELECT count(*) FROM memos"),
            "evaluation_questions": q("SELECT count(*) FROM evaluation_questions"),
            "uncoded_documents": q("SELECT count(*) FROM documents d WHERE NOT EXISTS "
                                   "(SELECT 1 FROM codings k WHERE k.document_id = d.id)"),
        }
        out["by_programme"] = [dict(r) for r in self.query(
            "SELECT ifnull(programme, '') AS programme, ifnull(actor_type, '') AS actor_type, "
            "count(*) AS documents FROM documents GROUP BY 1, 2 ORDER BY 1, 2")]
        return out

    # -- search --------------------------------------------------------------------
    def search(self, text: str, programme: str | None = None, actor_type: str | None = None,
               attribute: tuple[str, str] | None = None, limit: int = 50,
               context_chars: int = 60, order: str = "document",
               include_private: bool = True) -> list[SearchHit]:
        """Accent-insensitive full-text search over segments, in document order
        (``order="relevance"``: best BM25 matches first, slower for frequent words);
        ``include_private=False`` leaves private documents out."""
        match = fts_query(text)
        if not match:
            return []
        where, params = _document_filters(programme, actor_type, attribute)
        if not include_private:
            where.append("d.private = 0")
        where.insert(0, "segments_fts MATCH ?")
        params.insert(0, match)
        params.append(limit)
        # the context is the hit turn's own text, kept in the FTS table: reading it there
        # avoids loading whole documents for each hit
        sql = (
            "SELECT s.id, s.document_id, d.name, d.programme, d.actor_type, s.speaker, s.start, "
            "s.end, s.timestamp, snippet(segments_fts, 0, '[', ']', '…', 12) AS snip, "
            "segments_fts.text AS ctx "
            "FROM segments_fts JOIN segments s ON s.id = segments_fts.rowid "
            "JOIN documents d ON d.id = s.document_id WHERE " + " AND ".join(where) +
            (" ORDER BY rank" if order == "relevance" else " ORDER BY segments_fts.rowid") +
            " LIMIT ?")
        rows = self.query(sql, params)
        return [SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
                          _trim(r[10], context_chars * 4)) for r in rows]
