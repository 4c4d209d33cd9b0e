"""Waves of data collection and cases (sites, organisations) with their links (SQL for
the store only).  The rules (names, order, kinds, which link wins) are the facade's,
:mod:`workbench.waves`."""
from __future__ import annotations

from typing import Iterable, Sequence

from workbench.domain import Attribute
from workbench.identity import new_guid
from workbench.store.db import now
from workbench.store.fields import FieldStore


class WaveStore(FieldStore):
    # -- waves ---------------------------------------------------------------------------
    def wave_rows(self) -> list[dict]:
        """The project's waves in order: name, position, description, documents."""
        return [dict(r) for r in self.query(
            "SELECT w.name, w.position, w.description, "
            "(SELECT count(*) FROM documents d WHERE d.wave = w.name) AS documents "
            "FROM waves w ORDER BY w.position, w.name")]

    def wave_names(self) -> list[str]:
        return [r[0] for r in self.query("SELECT name FROM waves ORDER BY position, name")]

    def write_waves(self, order: Sequence[str], *, descriptions: dict | None = None,
                    delete: Sequence[str] = (), coder: str | None = None,
                    action: str = "waves.set") -> None:
        """Insert or reorder the waves ``order`` (positions 1..n, in that order) and delete
        ``delete`` (their interviews lose their wave), in one transaction."""
        descriptions = descriptions or {}
        with self.transaction() as c:
            for name in delete:
                c.execute("DELETE FROM waves WHERE name = ?", [name])
            for i, name in enumerate(order, start=1):
                c.execute("INSERT INTO waves(name, position, description) VALUES (?, ?, ?) "
                          "ON CONFLICT(name) DO UPDATE SET position = excluded.position, "
                          "description = coalesce(excluded.description, waves.description)",
                          [name, i, descriptions.get(name)])
            self.log_change(coder, action, "wave", None,
                            {"order": list(order), "deleted": list(delete)})

    def rename_wave(self, old: str, new: str, coder: str | None = None) -> None:
        """Rename a wave; its interviews follow (ON UPDATE CASCADE)."""
        with self.transaction() as c:
            c.execute("UPDATE waves SET name = ? WHERE name = ?", [new, old])
            self.log_change(coder, "wave.rename", "wave", old, {"new": new})

    # -- cases ---------------------------------------------------------------------------
    def case_rows(self, kind: str | None = None, ids: Iterable[str] | None = None) -> list[dict]:
        """Cases: id, kind, name, description, parent_id, guid, documents, participants
        (numbers of links)."""
        where, params = [], []
        if kind is not None:
            where.append("c.kind = ?")
            params.append(kind)
        if ids is not None:
            ids = list(ids)
            if not ids:
                return []
            where.append(f"c.id IN ({', '.join('?' * len(ids))})")
            params.extend(ids)
        return [dict(r) for r in self.query(
            "SELECT c.id, c.kind, c.name, c.description, c.parent_id, c.guid, "
            "(SELECT count(DISTINCT dc.document_id) FROM document_cases dc "
            " WHERE dc.case_id = c.id) AS documents, "
            "(SELECT count(*) FROM participant_cases pc WHERE pc.case_id = c.id) AS participants "
            "FROM cases c" + (" WHERE " + " AND ".join(where) if where else "") +
            " ORDER BY c.kind, c.id", params)]

    def case_kinds(self) -> list[str]:
        return [r[0] for r in self.query("SELECT DISTINCT kind FROM cases ORDER BY kind")]

    def case_kind_of(self) -> dict[str, str]:
        """{case id: kind} of every case."""
        return {r[0]: r[1] for r in self.query("SELECT id, kind FROM cases")}

    def upsert_cases(self, kind: str, fields: Sequence[Attribute],
                     rows: Iterable[tuple[str, dict, dict]], *, coder: str | None = None,
                     retyped: Iterable[tuple] = (), details: dict | None = None) -> dict:
        """Insert or update cases of ``kind`` and their values in one transaction.

        ``rows``: (case id, {name, description, parent_id: value or None when the file
        has no such column}, {field: (text, number)}); a parent is set after every case
        of the file exists.  ``retyped``: (case id, field, text, number) of values
        already in the project that a field's new type rewrites."""
        stamp = now()
        inserted = updated = 0
        rows = list(rows)
        with self.transaction() as c:
            self.write_field_defs(c, "case", fields)
            existing = {r[0] for r in c.execute("SELECT id FROM cases")}
            values = [tuple(r) for r in retyped]
            for cid, meta, vals in rows:
                if cid in existing:
                    updated += 1
                    sets = {k: v for k, v in meta.items() if k in ("name", "description")
                            and v is not None}
                    c.execute("UPDATE cases SET updated_at = ?"
                              + "".join(f", {k} = ?" for k in sets) + " WHERE id = ?",
                              [stamp, *sets.values(), cid])
                else:
                    inserted += 1
                    c.execute("INSERT INTO cases(id, kind, name, description, guid, created_at, "
                              "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                              [cid, kind, meta.get("name"), meta.get("description"), new_guid(),
                               stamp, stamp])
                    existing.add(cid)
                values.extend((cid, name, text, num) for name, (text, num) in vals.items())
            for cid, meta, _vals in rows:
                if "parent_id" in meta and meta["parent_id"] is not None:
                    c.execute("UPDATE cases SET parent_id = ? WHERE id = ?",
                              [meta["parent_id"] or None, cid])
            self.write_field_values(c, "case", values)
            self.log_change(coder, "cases.import", "case", None,
                            {"kind": kind, "inserted": inserted, "updated": updated,
                             "fields": [a.name for a in fields], **(details or {})})
        return {"inserted": inserted, "updated": updated}

    def delete_case(self, case_id: str, coder: str | None = None) -> int:
        with self.transaction() as c:
            n = c.execute("DELETE FROM cases WHERE id = ?", [case_id]).rowcount
            if n:
                self.log_change(coder, "case.delete", "case", case_id)
            return n

    def case_parents(self) -> dict[str, str]:
        """{case id: parent case id} of the cases that have a parent."""
        return {r[0]: r[1] for r in self.query(
            "SELECT id, parent_id FROM cases WHERE parent_id IS NOT NULL")}

    # -- links ---------------------------------------------------------------------------
    def document_case_links(self) -> list[tuple]:
        """(document id, case id, speaker or '') of every document link."""
        return [tuple(r) for r in self.query(
            "SELECT document_id, case_id, speaker FROM document_cases "
            "ORDER BY document_id, speaker, case_id")]

    def participant_case_links(self) -> list[tuple]:
        """(participant id, case id) of every participant link."""
        return [tuple(r) for r in self.query(
            "SELECT participant_id, case_id FROM participant_cases ORDER BY participant_id, "
            "case_id")]

    def write_case_links(self, documents: Iterable[tuple[int, str, str]] = (),
                         participants: Iterable[tuple[str, str]] = (), *,
                         coder: str | None = None, details: dict | None = None) -> int:
        """Add (document id, case id, speaker) and (participant id, case id) links in one
        transaction; links already there are left alone.  Returns the links added."""
        added = 0
        with self.transaction() as c:
            for doc_id, cid, speaker in documents:
                added += c.execute("INSERT OR IGNORE INTO document_cases(document_id, case_id, "
                                   "speaker) VALUES (?, ?, ?)",
                                   [doc_id, cid, speaker or ""]).rowcount
            for pid, cid in participants:
                added += c.execute("INSERT OR IGNORE INTO participant_cases(participant_id, "
                                   "case_id) VALUES (?, ?)", [pid, cid]).rowcount
            if added:
                self.log_change(coder, "case.link", "case", None,
                                {"added": added, **(details or {})})
        return added

    def delete_case_links(self, case_id: str, *, document_id: int | None = None,
                          speaker: str | None = None, participant_id: str | None = None,
                          coder: str | None = None) -> int:
        """Remove a case's link to a document (one speaker's, or every link to it when
        ``speaker`` is None) or to a participant."""
        with self.transaction() as c:
            if participant_id is not None:
                n = c.execute("DELETE FROM participant_cases WHERE case_id = ? AND "
                              "participant_id = ?", [case_id, participant_id]).rowcount
            elif speaker is None:
                n = c.execute("DELETE FROM document_cases WHERE case_id = ? AND document_id = ?",
                              [case_id, document_id]).rowcount
            else:
                n = c.execute("DELETE FROM document_cases WHERE case_id = ? AND document_id = ? "
                              "AND speaker = ?", [case_id, document_id, speaker]).rowcount
            if n:
                self.log_change(coder, "case.unlink", "case", case_id,
                                {"document": document_id, "speaker": speaker,
                                 "participant": participant_id})
            return n

    # -- exchange (REFI-QDA) ---------------------------------------------------------------
    def export_cases(self) -> list[dict]:
        """Every case: id, kind, name, description, parent_id, guid."""
        return [dict(r) for r in self.query(
            "SELECT id, kind, name, description, parent_id, guid FROM cases ORDER BY kind, id")]

    def export_case_values(self) -> list[dict]:
        """Values of the shareable (not private) case fields: case_id, field, value, num."""
        return [dict(r) for r in self.query(
            "SELECT v.case_id, v.field, v.value, v.num FROM case_values v "
            "JOIN case_fields f ON f.name = v.field WHERE f.private = 0 "
            "ORDER BY v.case_id, f.position, f.name")]

    def export_case_document_links(self) -> list[dict]:
        """Links of cases to documents that are not private: case_id, document_id, speaker."""
        return [dict(r) for r in self.query(
            "SELECT dc.case_id, dc.document_id, dc.speaker FROM document_cases dc "
            "JOIN documents d ON d.id = dc.document_id WHERE d.private = 0 "
            "ORDER BY dc.case_id, dc.document_id, dc.speaker")]

    def case_by_guid(self) -> dict[str, str]:
        """{GUID key (lower case): case id}."""
        return {r[0].lower(): r[1] for r in self.query(
            "SELECT guid, id FROM cases WHERE guid IS NOT NULL")}
