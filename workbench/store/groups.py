"""Groups of documents, codes and memos (REFI-QDA Sets), and a case's links to codes
(SQL for the store only).  Members are kept by GUID key, so that undoing the deletion
of a member brings its membership back."""
from __future__ import annotations

from workbench.domain import NotFoundError, ValidationError
from workbench.i18n import _, pgettext
from workbench.identity import new_guid
from workbench.store.db import StoreCore, now, rowid

GROUP_KINDS = ("document", "code", "memo")
_TABLE = {"document": "documents", "code": "codes", "memo": "memos"}


class GroupStore(StoreCore):
    def create_group(self, name: str, description: str | None = None,
                     coder: str | None = None) -> int:
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM groups WHERE name = ?", [name]).fetchone():
                raise ValidationError(_("a group named {name!r} already exists").format(name=name))
            gid = rowid(c.execute("INSERT INTO groups(guid, name, description, created_at) "
                                  "VALUES (?, ?, ?, ?)", [new_guid(), name, description, now()]))
            self.log_change(coder, "group.create", "group", gid, {"name": name})
            return gid

    def group_id(self, ref: int | str) -> int:
        if isinstance(ref, int) or str(ref).isdigit():
            found = self.scalar("SELECT id FROM groups WHERE id = ?", [int(ref)])
            if found is not None:
                return found
        found = self.scalar("SELECT id FROM groups WHERE name = ?", [str(ref)])
        if found is None:
            raise NotFoundError(_("no group {ref!r}").format(ref=ref))
        return found

    def add_group_members(self, group_id: int, kind: str, ids: list[int],
                          coder: str | None = None) -> int:
        """Add rows (by id) to a group; returns how many were not members yet."""
        if kind not in GROUP_KINDS:
            raise ValidationError(_("a group holds {kinds}, not {kind!r}").format(
                kinds=", ".join(GROUP_KINDS), kind=kind))
        with self.transaction() as c:
            added = 0
            for i in ids:
                row = c.execute(f"SELECT lower(guid) FROM {_TABLE[kind]} WHERE id = ?",
                                [i]).fetchone()
                if row is None:
                    raise NotFoundError(_("no {kind} with id {id}").format(
                        kind=pgettext("element", kind), id=i))
                added += c.execute("INSERT OR IGNORE INTO group_members(group_id, kind, "
                                   "member_guid) VALUES (?, ?, ?)", [group_id, kind, row[0]]).rowcount
            if added:
                self.log_change(coder, "group.add", "group", group_id, {kind: len(ids)})
            return added

    def remove_group_members(self, group_id: int, kind: str, ids: list[int],
                             coder: str | None = None) -> int:
        with self.transaction() as c:
            removed = 0
            for i in ids:
                removed += c.execute(
                    f"DELETE FROM group_members WHERE group_id = ? AND kind = ? AND member_guid = "
                    f"(SELECT lower(guid) FROM {_TABLE[kind]} WHERE id = ?)",
                    [group_id, kind, i]).rowcount
            if removed:
                self.log_change(coder, "group.remove", "group", group_id, {kind: removed})
            return removed

    def delete_group(self, group_id: int, coder: str | None = None) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM groups WHERE id = ?", [group_id])
            self.log_change(coder, "group.delete", "group", group_id)

    def list_groups(self) -> list[dict]:
        """Groups with how many documents, codes and memos (that still exist) they hold."""
        counts = {kind: (f"(SELECT count(*) FROM group_members m JOIN {t} x ON "
                         f"lower(x.guid) = m.member_guid WHERE m.group_id = g.id AND "
                         f"m.kind = '{kind}')") for kind, t in _TABLE.items()}
        return [dict(r) for r in self.query(
            f"SELECT g.id, g.guid, g.name, g.description, {counts['document']} AS documents, "
            f"{counts['code']} AS codes, {counts['memo']} AS memos FROM groups g ORDER BY g.name")]

    def group_members(self, group_id: int) -> dict[str, list[int]]:
        """kind -> ids of the members that exist."""
        out: dict[str, list[int]] = {k: [] for k in GROUP_KINDS}
        for kind, table in _TABLE.items():
            out[kind] = [r[0] for r in self.query(
                f"SELECT x.id FROM group_members m JOIN {table} x ON lower(x.guid) = "
                f"m.member_guid WHERE m.group_id = ? AND m.kind = ? ORDER BY x.id",
                [group_id, kind])]
        return out

    # -- cases ---------------------------------------------------------------------
    def set_participant_description(self, participant_id: str, text: str | None,
                                    coder: str | None = None) -> None:
        with self.transaction() as c:
            if not c.execute("UPDATE participants SET description = ?, updated_at = ? "
                             "WHERE id = ?", [text, now(), participant_id]).rowcount:
                raise NotFoundError(_("unknown participant ID {id!r}").format(id=participant_id))
            self.log_change(coder, "participant.describe", "participant", participant_id)

    def participant_description(self, participant_id: str) -> str | None:
        return self.scalar("SELECT description FROM participants WHERE id = ?", [participant_id])

    def link_case_code(self, participant_id: str, code_id: int, coder: str | None = None) -> bool:
        with self.transaction() as c:
            g = c.execute("SELECT lower(guid) FROM codes WHERE id = ?", [code_id]).fetchone()
            if g is None:
                raise NotFoundError(_("no code with id {id}").format(id=code_id))
            n = c.execute("INSERT OR IGNORE INTO case_codes(participant_id, code_guid) VALUES "
                          "(?, ?)", [participant_id, g[0]]).rowcount
            if n:
                self.log_change(coder, "participant.code", "participant", participant_id,
                                {"code": code_id})
            return bool(n)

    def case_code_ids(self, participant_id: str) -> list[int]:
        return [r[0] for r in self.query(
            "SELECT x.id FROM case_codes cc JOIN codes x ON lower(x.guid) = cc.code_guid "
            "WHERE cc.participant_id = ? ORDER BY x.id", [participant_id])]
