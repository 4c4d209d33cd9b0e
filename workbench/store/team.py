"""Team work in the store: copies for colleagues, what a merge reads and writes, and
adjudication decisions (SQL for the store only)."""
from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Iterable

from workbench.store.db import StoreCore, now


class TeamStore(StoreCore):
    # -- project identity ------------------------------------------------------------
    def project_guid(self) -> str:
        """The project's own GUID (made on first use; a copy keeps it)."""
        guid = self.get_meta("project_guid")
        if not guid:
            guid = str(uuid.uuid4())
            self.set_meta("project_guid", guid)
        return guid

    # -- copies (the copy itself: PrivacyStore.backup_to) ---------------------------------
    def strip_for_blind_copy(self, keep_coder: str) -> dict[str, int]:
        """In a copy made for ``keep_coder``: remove everyone else's codings and the
        memos on them, adjudications, and the undo and change history that would show
        them; leave no tombstone (the original never deleted them) and vacuum, so
        nothing removed can be read back from free pages."""
        with self.transaction() as c:
            keep = c.execute("SELECT id FROM coders WHERE name = ?", [keep_coder]).fetchone()
            keep_id = keep[0] if keep else -1
            others = [r[0] for r in c.execute(
                "SELECT id FROM codings WHERE coder_id != ?", [keep_id])]
            memos = c.execute(
                "DELETE FROM memos WHERE target_type = 'coding' AND CAST(target_id AS INTEGER) "
                "IN (SELECT id FROM codings WHERE coder_id != ?)", [keep_id]).rowcount
            c.execute("DELETE FROM codings WHERE coder_id != ?", [keep_id])
            c.execute("DELETE FROM adjudications")
            c.execute("DELETE FROM tombstones WHERE kind IN ('coding', 'memo')")
            c.execute("DELETE FROM undo_log")
            c.execute("DELETE FROM change_log")
        self.conn.execute("VACUUM")
        return {"codings": len(others), "memos": memos}

    # -- what a merge reads ----------------------------------------------------------
    def tombstones(self, kind: str) -> set[str]:
        return {r[0] for r in self.query("SELECT guid FROM tombstones WHERE kind = ?", [kind])}

    def merge_payload(self) -> dict[str, Any]:
        """Everything a merge brings from this project (read by
        :mod:`workbench.exchange.wbproj`): documents with their segments and participant
        links, codes in tree order (parents first) with their paths, codings with their
        coder's name, memos (a memo on a turn with its document and position), coders
        (with the REFI-QDA GUID an earlier import kept), tombstones."""
        docs = []
        for row in self.query("SELECT * FROM documents ORDER BY id"):
            d = dict(row)
            d["extra"] = json.loads(d["extra"]) if d.get("extra") else {}
            d["segments"] = [{k: s[k] for k in s.keys() if k not in ("id", "document_id")}
                             for s in self.query("SELECT * FROM segments WHERE document_id = ? "
                                                 "ORDER BY position", [row["id"]])]
            d["links"] = [(x[0], x[1]) for x in self.query(
                "SELECT participant_id, speaker FROM document_participants WHERE document_id = ?",
                [row["id"]])]
            docs.append(d)
        by_id = {r["id"]: dict(r) for r in self.query("SELECT * FROM codes")}
        codes: list[dict[str, Any]] = []
        for cid, code in by_id.items():
            parts: list[str] = []
            p: dict[str, Any] | None = code
            while p is not None:
                parts.append(p["name"])
                p = by_id.get(p["parent_id"]) if p["parent_id"] is not None else None
            entry = dict(code)
            entry["path"] = "/".join(reversed(parts))
            entry["questions"] = [q[0] for q in self.query(
                "SELECT question_id FROM code_questions WHERE code_id = ?", [cid])]
            codes.append(entry)
        codes.sort(key=lambda r: (r["path"].count("/"), r["position"], r["id"]))
        codings = [dict(r) for r in self.query(
            "SELECT k.*, c.name AS coder FROM codings k JOIN coders c ON c.id = k.coder_id "
            "ORDER BY k.id")]
        seg_pos = {r[0]: (r[1], r[2]) for r in self.query(
            "SELECT id, document_id, position FROM segments WHERE id IN (SELECT CAST(target_id "
            "AS INTEGER) FROM memos WHERE target_type = 'segment')")}
        memos = []
        for r in self.query("SELECT m.*, c.name AS coder FROM memos m LEFT JOIN coders c "
                            "ON c.id = m.coder_id ORDER BY m.id"):
            m = dict(r)
            if m["target_type"] == "segment":
                tid = m["target_id"]
                m["segment"] = seg_pos.get(int(tid)) if tid and str(tid).isdigit() else None
            memos.append(m)
        coders = [r[0] for r in self.query("SELECT name FROM coders ORDER BY name")]
        coder_guids = {r[0]: r[1] for r in self.query(
            "SELECT c.name, g.guid FROM exchange_guids g JOIN coders c "
            "ON CAST(c.id AS TEXT) = g.local_id WHERE g.kind = 'coder'")}
        return {"origin": "Workbench", "project_guid": self.get_meta("project_guid"),
                "name": self.get_meta("name"), "documents": docs, "codes": codes,
                "codings": codings, "memos": memos, "coders": coders,
                "coder_guids": coder_guids,
                "tombstones": {k: self.tombstones(k) for k in ("code", "coding", "memo")}}

    # -- what a merge remembers -------------------------------------------------------
    def merge_decisions(self) -> dict[tuple[str, str], str]:
        return {(r[0], r[1]): r[2] for r in self.query(
            "SELECT conflict, theirs, choice FROM merge_decisions")}

    def record_merge_decisions(self, decisions: Iterable[tuple[str, str, str]],
                               coder: str | None) -> None:
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO merge_decisions(conflict, theirs, choice, coder, "
                          "decided_at) VALUES (?, ?, ?, ?, ?)",
                          [(a, b, ch, coder, now()) for a, b, ch in decisions])

    # -- adjudication ------------------------------------------------------------------
    def adjudications(self, doc_id: int | None = None) -> list[dict]:
        sql = "SELECT * FROM adjudications"
        params: list[Any] = []
        if doc_id is not None:
            sql += " WHERE document_id = ?"
            params.append(doc_id)
        return [dict(r) for r in self.query(sql + " ORDER BY document_id, start, id", params)]

    # -- coders ------------------------------------------------------------------------
    def rename_coder(self, old: str, new: str, coder: str | None = None) -> None:
        """Rename a coder; their undo history and the change log follow the new name."""
        with self.transaction() as c:
            c.execute("UPDATE coders SET name = ? WHERE name = ?", [new, old])
            c.execute("UPDATE undo_log SET coder = ? WHERE coder = ?", [new, old])
            c.execute("UPDATE change_log SET coder = ? WHERE coder = ?", [new, old])
            c.execute("UPDATE adjudications SET decided_by = ? WHERE decided_by = ?", [new, old])
            c.execute("UPDATE adjudications SET coder_a = ? WHERE coder_a = ?", [new, old])
            c.execute("UPDATE adjudications SET coder_b = ? WHERE coder_b = ?", [new, old])
            self.log_change(coder, "coder.rename", "coder", None, {"from": old, "to": new})
