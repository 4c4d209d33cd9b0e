"""Participants of the quantitative study, their typed attributes, and links to
documents and speakers (SQL for the store only)."""
from __future__ import annotations

from typing import Iterable, Sequence

from workbench.domain import Attribute
from workbench.store.db import now
from workbench.store.fields import FieldStore


class ParticipantStore(FieldStore):
    def attributes(self) -> list[Attribute]:
        return self.field_defs("participant")

    def participant_ids(self) -> set[str]:
        return {r[0] for r in self.query("SELECT id FROM participants")}

    def unknown_participants(self, ids: Iterable[str]) -> list[str]:
        """Those of ``ids`` that are not in the participant table, sorted."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        known = {r[0] for r in self.query(
            f"SELECT id FROM participants WHERE id IN ({', '.join('?' * len(wanted))})", wanted)}
        return [i for i in wanted if i not in known]

    def attribute_values(self, name: str) -> list[tuple[str, str | None]]:
        """``(participant id, value as text)`` of one attribute, for every participant."""
        return self.field_values("participant", name)

    def upsert_participants(self, attributes: Sequence[Attribute],
                            rows: Iterable[tuple[str, dict[str, tuple[str | None, float | None]]]],
                            coder: str | None = None,
                            retyped: Iterable[tuple[str, str, str | None, float | None]] = (),
                            details: dict | None = None) -> dict[str, int]:
        """Insert or update participants and their values, in one transaction.

        ``attributes``: the definitions to write (type, levels, position; the private
        flag of an existing attribute is kept).  ``rows``: (participant id, {attribute:
        (text value, numeric value)}).  ``retyped``: (participant id, attribute, text,
        number) for values already in the project that an attribute's new type rewrites.
        Existing links to documents are kept; attributes absent from this import keep
        their old values.
        """
        stamp = now()
        inserted = updated = 0
        with self.transaction() as c:
            self.write_field_defs(c, "participant", attributes)
            existing = {r[0] for r in c.execute("SELECT id FROM participants")}
            values = [(pid, name, text, num) for pid, name, text, num in retyped]
            for pid, vals in rows:
                if pid in existing:
                    updated += 1
                    c.execute("UPDATE participants SET updated_at = ? WHERE id = ?", [stamp, pid])
                else:
                    inserted += 1
                    c.execute("INSERT INTO participants(id, created_at, updated_at) VALUES (?,?,?)",
                              [pid, stamp, stamp])
                    existing.add(pid)
                values.extend((pid, name, text, num) for name, (text, num) in vals.items())
            self.write_field_values(c, "participant", values)
            self.log_change(coder, "participants.import", "participant", None,
                            {"inserted": inserted, "updated": updated,
                             "attributes": [a.name for a in attributes], **(details or {})})
        return {"inserted": inserted, "updated": updated}

    def set_attribute_private(self, name: str, private: bool, coder: str | None = None) -> int:
        with self.transaction() as c:
            n = c.execute("UPDATE attributes SET private = ? WHERE name = ?",
                          [int(private), name]).rowcount
            if n:
                self.log_change(coder, "attribute.private", "attribute", name, {"private": private})
            return n

    def participant_values(self, participant_ids: Sequence[str] | None = None) -> list[dict]:
        """Long format: participant_id, attribute, value, num."""
        if participant_ids is None:
            rows = self.query("SELECT participant_id, attribute, value, num FROM participant_values")
        else:
            ids = list(participant_ids)
            if not ids:
                return []
            rows = self.query(
                "SELECT participant_id, attribute, value, num FROM participant_values WHERE "
                f"participant_id IN ({', '.join('?' * len(ids))})", ids)
        return [dict(r) for r in rows]

    def participant_documents(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT dp.participant_id, dp.document_id, d.name AS document, dp.speaker "
            "FROM document_participants dp JOIN documents d ON d.id = dp.document_id "
            "ORDER BY dp.participant_id, d.name")]

    def document_participants(self, doc_id: int) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT participant_id, speaker FROM document_participants WHERE document_id = ? "
            "ORDER BY speaker, participant_id", [doc_id])]

    def link_participant(self, doc_id: int, participant_id: str, speaker: str = "",
                         coder: str | None = None) -> bool:
        with self.transaction() as c:
            cur = c.execute("INSERT OR IGNORE INTO document_participants(document_id, "
                            "participant_id, speaker) VALUES (?, ?, ?)",
                            [doc_id, participant_id, speaker or ""])
            if cur.rowcount:
                self.log_change(coder, "participant.link", "document", doc_id,
                                {"participant": participant_id, "speaker": speaker})
            return bool(cur.rowcount)

    def unlink_participant(self, doc_id: int, participant_id: str, speaker: str | None = None,
                           coder: str | None = None) -> int:
        with self.transaction() as c:
            if speaker is None:
                cur = c.execute("DELETE FROM document_participants WHERE document_id = ? AND "
                                "participant_id = ?", [doc_id, participant_id])
            else:
                cur = c.execute("DELETE FROM document_participants WHERE document_id = ? AND "
                                "participant_id = ? AND speaker = ?",
                                [doc_id, participant_id, speaker])
            if cur.rowcount:
                self.log_change(coder, "participant.unlink", "document", doc_id,
                                {"participant": participant_id, "speaker": speaker})
            return cur.rowcount
