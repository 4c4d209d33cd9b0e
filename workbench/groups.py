"""Groups of documents, codes and memos (REFI-QDA Sets: NVivo "sets", MAXQDA document
and code sets, ATLAS.ti groups), and what a participant (a case) carries besides its
attributes: a description and links to codes.  A mixin of
:class:`workbench.project.Project`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.domain import NotFoundError, ValidationError
from workbench.i18n import _


class GroupsAPI(Capability):
    def create_group(self, name: str, *, description: str | None = None) -> int:
        """A new, empty group (names are unique)."""
        name = (name or "").strip()
        if not name:
            raise ValidationError(_("a group needs a name"))
        return self.store.create_group(name, description, coder=self.coder)

    def add_to_group(self, group: int | str, *, documents: Iterable[int | str] = (),
                     codes: Iterable[int | str] = (), memos: Iterable[int] = ()) -> int:
        """Add documents (ids or names), codes (ids or paths) and memos (ids) to a
        group; returns how many were not members yet."""
        gid = self.store.group_id(group)
        added = 0
        with self.store.transaction():
            added += self.store.add_group_members(
                gid, "document", [self.document_id(d) for d in documents], coder=self.coder)
            added += self.store.add_group_members(
                gid, "code", [self.code_id(c) for c in codes], coder=self.coder)
            added += self.store.add_group_members(gid, "memo", [int(m) for m in memos],
                                                  coder=self.coder)
        return added

    def remove_from_group(self, group: int | str, *, documents: Iterable[int | str] = (),
                          codes: Iterable[int | str] = (), memos: Iterable[int] = ()) -> int:
        gid = self.store.group_id(group)
        with self.store.transaction():
            return (self.store.remove_group_members(gid, "document",
                                                    [self.document_id(d) for d in documents])
                    + self.store.remove_group_members(gid, "code",
                                                      [self.code_id(c) for c in codes])
                    + self.store.remove_group_members(gid, "memo", [int(m) for m in memos]))

    def delete_group(self, group: int | str) -> None:
        """Delete a group (its members stay in the project)."""
        self.store.delete_group(self.store.group_id(group), coder=self.coder)

    def groups(self) -> pd.DataFrame:
        return pd.DataFrame(self.store.list_groups(),
                            columns=["id", "guid", "name", "description", "documents", "codes",
                                     "memos"])

    def group_members(self, group: int | str) -> dict[str, list[int]]:
        """{"document": [ids], "code": [ids], "memo": [ids]}."""
        return self.store.group_members(self.store.group_id(group))

    # -- cases ---------------------------------------------------------------------
    def describe_participant(self, participant_id: str, text: str | None) -> None:
        """Set a participant's (case's) description."""
        self.store.set_participant_description(participant_id, text or None, coder=self.coder)

    def participant_description(self, participant_id: str) -> str | None:
        if self.store.unknown_participants([participant_id]):
            raise NotFoundError(_("unknown participant ID {id!r}").format(id=participant_id))
        return self.store.participant_description(participant_id)

    def link_participant_code(self, participant_id: str, code: int | str) -> bool:
        """Link a case to a code that stands for it (REFI case ↔ code)."""
        if self.store.unknown_participants([participant_id]):
            raise NotFoundError(_("unknown participant ID {id!r}").format(id=participant_id))
        return self.store.link_case_code(participant_id, self.code_id(code), coder=self.coder)

    def participant_codes(self, participant_id: str) -> list[int]:
        return self.store.case_code_ids(participant_id)
