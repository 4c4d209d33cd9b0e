"""Reads and bulk writes for reports and REFI-QDA exchange (SQL for the store only).

Exports read a privacy-filtered snapshot: documents, memos and attributes marked
private never leave this module.  Imports write a whole project payload in one
transaction (all or nothing).
"""
from __future__ import annotations

import json
from typing import Any

from workbench.store.db import now


class ExchangeStore:
    # -- GUID mapping ----------------------------------------------------------------
    def exchange_guids(self, kind: str) -> dict[str, str]:
        """local id -> GUID for one kind (coder, document, participant, attribute, memo)."""
        return {r[0]: r[1] for r in self.query(
            "SELECT local_id, guid FROM exchange_guids WHERE kind = ?", [kind])}

    # -- privacy-filtered reads ------------------------------------------------------
    def export_documents(self, with_text: bool = True) -> list[dict]:
        """Documents not marked private, with their text."""
        cols = ("id, name, programme, actor_type, interview_date, interviewer, site, language, "
                "source_file, source_format, word_count, imported_at, extra, guid, text_hash")
        if with_text:
            cols += ", text"
        return [dict(r) for r in self.query(
            f"SELECT {cols} FROM documents WHERE private = 0 ORDER BY name")]

    def export_segments(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT s.document_id, s.position, s.kind, s.speaker, s.is_interviewer, s.start, "
            "s.end, s.timestamp, s.end_time, s.section FROM segments s JOIN documents d ON "
            "d.id = s.document_id WHERE d.private = 0 ORDER BY s.document_id, s.position")]

    def export_codings(self, status: str | None = "accepted") -> list[dict]:
        """Codings of non-private documents with coder name, code and source context
        (speaker and timestamp of the segment the coding starts in)."""
        sql = (
            "SELECT k.id, k.document_id, k.code_id, k.start, k.end, k.origin, k.status, k.guid, "
            "k.created_at, c.name AS coder, k.coder_id, "
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
            "SELECT name, type, levels, position FROM attributes WHERE private = 0 "
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

    # -- bulk import -------------------------------------------------------------------
    def import_exchange(self, payload: dict, coder: str | None = None,
                        progress=None) -> dict[str, Any]:
        """Write a whole REFI-QDA project in ONE transaction; any error rolls it all back.

        ``payload`` keys (lists of dicts, see :mod:`workbench.export.qdpx`): coders,
        questions, codes (with ``key`` and ``parent_key``), code_questions, attributes,
        participants, documents (with ``key``, ``segments``, ``links``), codings
        (``document_key``, ``code_key``, ``coder``), memos (``target`` resolved by
        ``target_kind``/``target_key``), guids (kind, key, guid).
        Returns the local ids of what was created, by key.
        """
        stamp = now()
        step = progress or (lambda *a: None)
        with self.transaction() as c:
            coder_ids: dict[str, int] = {}
            for name in payload.get("coders", []):
                row = c.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
                coder_ids[name] = row[0] if row else c.execute(
                    "INSERT INTO coders(name, created_at) VALUES (?, ?)", [name, stamp]).lastrowid
            for q in payload.get("questions", []):
                c.execute("INSERT INTO evaluation_questions(id, programme, side, text, source, "
                          "proposed, codebook) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO "
                          "NOTHING", [q["id"], q.get("programme"), q.get("side"), q["text"],
                                      q.get("source"), int(q.get("proposed") or 0),
                                      q.get("codebook")])
            code_ids: dict[str, int] = {}
            for code in payload.get("codes", []):   # parents before children
                parent = code_ids.get(code["parent_key"]) if code.get("parent_key") else None
                existing = c.execute(
                    "SELECT id FROM codes WHERE ifnull(parent_id, 0) = ? AND name = ? COLLATE "
                    "NOCASE", [parent or 0, code["name"]]).fetchone()
                if existing:
                    code_ids[code["key"]] = existing[0]
                    continue
                guid = code.get("guid")
                if guid and self.id_by_guid("code", guid):
                    guid = None
                pos = c.execute("SELECT ifnull(max(position) + 1, 0) FROM codes WHERE "
                                "ifnull(parent_id, 0) = ?", [parent or 0]).fetchone()[0]
                code_ids[code["key"]] = c.execute(
                    "INSERT INTO codes(parent_id, name, short, definition, when_to_use, "
                    "when_not_to_use, example, colour, position, codebook, guid, created_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [parent, code["name"], code.get("short"), code.get("definition"),
                     code.get("when_to_use"), code.get("when_not_to_use"), code.get("example"),
                     code.get("colour"), pos, code.get("codebook"), guid, stamp]).lastrowid
            known_q = {r[0] for r in c.execute("SELECT id FROM evaluation_questions")}
            c.executemany("INSERT OR IGNORE INTO code_questions(code_id, question_id) VALUES (?, ?)",
                          [(code_ids[k], q) for k, q in payload.get("code_questions", [])
                           if k in code_ids and q in known_q])
            for a in payload.get("attributes", []):
                c.execute("INSERT INTO attributes(name, type, levels, position, private) "
                          "VALUES (?, ?, ?, ?, 0) ON CONFLICT(name) DO NOTHING",
                          [a["name"], a["type"], json.dumps(a.get("levels", []), ensure_ascii=False),
                           a.get("position", 0)])
            for p in payload.get("participants", []):
                c.execute("INSERT INTO participants(id, created_at, updated_at) VALUES (?, ?, ?) "
                          "ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at",
                          [p["id"], stamp, stamp])
                c.executemany(
                    "INSERT INTO participant_values(participant_id, attribute, value, num) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT(participant_id, attribute) DO UPDATE SET "
                    "value = excluded.value, num = excluded.num",
                    [(p["id"], name, text, num) for name, (text, num) in p["values"].items()])
            doc_ids: dict[str, int] = {}
            docs = payload.get("documents", [])
            for i, d in enumerate(docs):
                fields = {k: v for k, v in d.items() if k not in ("key", "segments", "links")}
                if fields.get("guid") and self.id_by_guid("document", fields["guid"]):
                    fields["guid"] = None
                if coder:
                    fields["imported_by"] = coder_ids.get(coder) or self.ensure_coder(coder)
                doc_ids[d["key"]] = self.insert_document(fields, d["segments"], d["links"],
                                                         coder=coder)
                step(i + 1, len(docs), d["name"])
            taken = {r[0] for r in c.execute("SELECT lower(guid) FROM codings WHERE guid IS NOT NULL")}
            rows = []
            for k in payload.get("codings", []):
                if k.get("guid") and k["guid"].lower() in taken:
                    k["guid"] = None
                elif k.get("guid"):
                    taken.add(k["guid"].lower())
                rows.append((doc_ids[k["document_key"]], code_ids[k["code_key"]], k["start"],
                             k["end"], coder_ids[k["coder"]], k.get("origin", "imported"),
                             k.get("status", "accepted"), k.get("guid"),
                             k.get("created_at") or stamp))
            c.executemany(
                "INSERT INTO codings(document_id, code_id, start, end, coder_id, origin, status, "
                "guid, created_at) VALUES (?,?,?,?,?,?,?,?,?)", rows)
            coding_ids: dict[str, int] = {}
            wanted = {k["guid"] for k in payload.get("codings", []) if k.get("guid")}
            if wanted:
                for r in c.execute("SELECT guid, id FROM codings WHERE guid IS NOT NULL"):
                    if r[0] in wanted:
                        coding_ids[r[0]] = r[1]
            seg_ids: dict[tuple[int, int], int] = {}
            if any(m.get("target_kind") == "segment" for m in payload.get("memos", [])):
                for r in c.execute("SELECT document_id, position, id FROM segments"):
                    seg_ids[(r[0], r[1])] = r[2]
            memo_ids: dict[str, int] = {}
            for m in payload.get("memos", []):
                kind, key = m["target_kind"], m.get("target_key")
                target = None
                if kind == "document":
                    target = doc_ids.get(key)
                elif kind == "code":
                    target = code_ids.get(key)
                elif kind == "coding":
                    target = coding_ids.get(key)
                elif kind == "segment":
                    dk, pos = key
                    target = seg_ids.get((doc_ids.get(dk), pos))
                elif kind in ("participant", "question"):
                    target = key
                if kind != "project" and target is None:
                    kind, target = "project", None
                guid = m.get("guid")
                if guid and self.id_by_guid("memo", guid):
                    guid = None
                memo_ids[m["key"]] = c.execute(
                    "INSERT INTO memos(target_type, target_id, title, text, coder_id, private, "
                    "guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
                    [kind, None if target is None else str(target), m.get("title"), m["text"],
                     coder_ids.get(m.get("coder") or ""), guid, m.get("created_at") or stamp,
                     m.get("created_at") or stamp]).lastrowid
            local = {"coder": {n: str(i) for n, i in coder_ids.items()},
                     "document": {k: str(i) for k, i in doc_ids.items()},
                     "memo": {k: str(i) for k, i in memo_ids.items()},
                     "participant": {p["id"]: p["id"] for p in payload.get("participants", [])},
                     "attribute": {a["name"]: a["name"] for a in payload.get("attributes", [])}}
            c.executemany(
                "INSERT INTO exchange_guids(kind, local_id, guid) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, local_id) DO UPDATE SET guid = excluded.guid",
                [(kind, local[kind][key], guid) for kind, key, guid in payload.get("guids", [])
                 if key in local.get(kind, {})])
            self.log_change(coder, "project.import_qdpx", "project", None,
                            {"documents": len(doc_ids), "codes": len(code_ids),
                             "codings": len(rows), "memos": len(memo_ids),
                             "origin": payload.get("origin")})
        return {"documents": doc_ids, "codes": code_ids, "codings": len(rows),
                "memos": len(memo_ids)}
