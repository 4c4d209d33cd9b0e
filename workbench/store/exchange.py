"""Reads for reports and REFI-QDA export (SQL for the store only).

Exports read a privacy-filtered snapshot: documents, memos and attributes marked
private never leave this module.  The writes of a REFI-QDA import are in
:mod:`workbench.store.exchange_import`.
"""
from __future__ import annotations

import json
from typing import Any

from workbench.store.db import StoreCore, now


class ExchangeStore(StoreCore):
    # -- GUID mapping ----------------------------------------------------------------
    def exchange_guids(self, kind: str) -> dict[str, str]:
        """local id -> GUID another tool gave, for one kind (coder, participant,
        attribute, question, project)."""
        return {r[0]: r[1] for r in self.query(
            "SELECT local_id, guid FROM exchange_guids WHERE kind = ?", [kind])}

    def exchange_fields(self, kind: str) -> dict[str, dict]:
        """GUID key -> the REFI attributes kept for elements of ``kind`` (source,
        selection, note, variable, user, project...)."""
        return {r[0]: json.loads(r[1]) for r in self.query(
            "SELECT guid, data FROM exchange_fields WHERE kind = ?", [kind])}

    def exchange_objects(self) -> list[dict]:
        """REFI Links and Graphs kept as read (guid, kind, name, xml, refs)."""
        out = []
        for r in self.query("SELECT guid, kind, name, xml, refs FROM exchange_objects "
                            "ORDER BY kind, rowid"):
            d = dict(r)
            d["refs"] = json.loads(d["refs"])
            out.append(d)
        return out

    def export_selections(self) -> list[dict]:
        """Selections (coded passages of another tool) of non-private documents."""
        out = []
        for r in self.query(
                "SELECT s.guid, s.document_id, s.start, s.end, s.name, s.description, "
                "c.name AS coder, s.created_at, s.notes FROM selections s LEFT JOIN coders c "
                "ON c.id = s.coder_id JOIN documents d ON d.id = s.document_id "
                "WHERE d.private = 0 ORDER BY s.document_id, s.start, s.end, s.rowid"):
            d = dict(r)
            d["notes"] = json.loads(d["notes"] or "[]")
            out.append(d)
        return out

    def export_groups(self) -> list[dict]:
        """Groups (REFI Sets) with their members' GUID keys by kind."""
        groups = [dict(r) for r in self.query(
            "SELECT id, guid, name, description, created_at FROM groups ORDER BY name, id")]
        members: dict[int, dict[str, list[str]]] = {}
        for gid, kind, g in self.query("SELECT group_id, kind, member_guid FROM group_members "
                                       "ORDER BY rowid"):
            members.setdefault(gid, {}).setdefault(kind, []).append(g)
        for grp in groups:
            grp["members"] = members.get(grp["id"], {})
        return groups

    def export_case_links(self) -> dict[str, dict[str, list[str]]]:
        """participant id -> {"codes": [code GUID keys], "selections": [...]}."""
        out: dict[str, dict[str, list[str]]] = {}
        for pid, g in self.query("SELECT participant_id, code_guid FROM case_codes ORDER BY rowid"):
            out.setdefault(pid, {}).setdefault("codes", []).append(g)
        for pid, g in self.query("SELECT participant_id, selection_guid FROM case_selections "
                                 "ORDER BY rowid"):
            out.setdefault(pid, {}).setdefault("selections", []).append(g)
        return out

    def export_participants(self) -> list[dict]:
        """Participants (cases) with their description."""
        return [dict(r) for r in self.query(
            "SELECT id, description, created_at FROM participants ORDER BY id")]

    # -- privacy-filtered reads ------------------------------------------------------
    def export_documents(self, with_text: bool = True) -> list[dict]:
        """Documents not marked private, with their text."""
        cols = ("id, name, programme, actor_type, interview_date, interviewer, site, language, "
                "source_file, source_format, word_count, imported_at, extra, guid, text_hash, "
                "wave")
        if with_text:
            cols += ", text"
        return [dict(r) for r in self.query(
            f"SELECT {cols} FROM documents WHERE private = 0 ORDER BY name")]

    def export_segments(self, document_id: int | None = None) -> list[dict]:
        """Segments of non-private documents (or of one document), every column but the
        row id: the turn model's fields travel whatever they are."""
        sql = ("SELECT s.* FROM segments s JOIN documents d ON d.id = s.document_id "
               "WHERE d.private = 0")
        params: list[Any] = []
        if document_id is not None:
            sql += " AND s.document_id = ?"
            params.append(document_id)
        rows = [dict(r) for r in self.query(sql + " ORDER BY s.document_id, s.position", params)]
        for r in rows:
            r.pop("id", None)
        return rows

    def export_codings(self, status: str | None = "accepted") -> list[dict]:
        """Codings of non-private documents with coder name, code and source context
        (speaker and timestamp of the segment the coding starts in)."""
        sql = (
            "SELECT k.id, k.document_id, k.code_id, k.start, k.end, k.origin, k.status, k.guid, "
            "k.created_at, c.name AS coder, k.coder_id, k.rule, k.selection_guid, "
            "(SELECT s.speaker FROM segments s WHERE s.document_id = k.document_id AND "
            " s.start <= k.start ORDER BY s.start DESC LIMIT 1) AS speaker, "
            "(SELECT s.timestamp FROM segments s WHERE s.document_id = k.document_id AND "
            " s.start <= k.start ORDER BY s.start DESC LIMIT 1) AS timestamp "
            "FROM codings k JOIN coders c ON c.id = k.coder_id JOIN documents d ON "
            "d.id = k.document_id WHERE d.private = 0")
        params: list[Any] = []
        if status:
            sql += " AND k.status = ?"
            params.append(status)
        return [dict(r) for r in self.query(sql + " ORDER BY k.document_id, k.start, k.id",
                                            params)]

    def export_memos(self) -> list[dict]:
        """Memos not marked private, and not attached to a private document, a coding
        or a segment of a private document."""
        return [dict(r) for r in self.query(
            "SELECT m.*, c.name AS coder FROM memos m LEFT JOIN coders c ON c.id = m.coder_id "
            "WHERE m.private = 0 AND NOT ("
            " (m.target_type = 'document' AND m.target_id IN "
            "   (SELECT CAST(id AS TEXT) FROM documents WHERE private = 1)) OR "
            " (m.target_type = 'coding' AND m.target_id IN (SELECT CAST(k.id AS TEXT) FROM "
            "   codings k JOIN documents d ON d.id = k.document_id WHERE d.private = 1)) OR "
            " (m.target_type = 'segment' AND m.target_id IN (SELECT CAST(s.id AS TEXT) FROM "
            "   segments s JOIN documents d ON d.id = s.document_id WHERE d.private = 1)))"
            " ORDER BY m.id")]

    def export_segment_positions(self) -> dict[int, tuple[int, int]]:
        """segment id -> (document id, position), for memos on segments."""
        return {r[0]: (r[1], r[2]) for r in self.query(
            "SELECT id, document_id, position FROM segments WHERE id IN (SELECT CAST(target_id "
            "AS INTEGER) FROM memos WHERE target_type = 'segment')")}

    def export_attributes(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT name, type, levels, position, exchange_type FROM attributes WHERE private = 0 "
            "ORDER BY position, name")]

    def export_participant_values(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT v.participant_id, v.attribute, v.value, v.num FROM participant_values v "
            "JOIN attributes a ON a.name = v.attribute WHERE a.private = 0 "
            "ORDER BY v.participant_id, a.position")]

    def export_participant_links(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT dp.participant_id, dp.document_id, dp.speaker FROM document_participants dp "
            "JOIN documents d ON d.id = dp.document_id WHERE d.private = 0 "
            "ORDER BY dp.participant_id, dp.document_id")]

    def export_code_questions(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT code_id, question_id FROM code_questions ORDER BY question_id, code_id")]

    def private_counts(self) -> dict[str, int]:
        """What an export leaves out (for the methods annex and the summary)."""
        q = self.scalar
        return {"documents": q("SELECT count(*) FROM documents WHERE private = 1"),
                "memos": q("SELECT count(*) FROM memos WHERE private = 1"),
                "attributes": q("SELECT count(*) FROM attributes WHERE private = 1")}
