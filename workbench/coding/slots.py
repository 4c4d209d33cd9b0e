"""Code slots: the keys 1–9 of the coding screen, stable and pinnable.

A code used for the first time takes the first empty slot; when all nine are taken it
replaces the least recently used slot that is not pinned.  A code keeps its slot while
it is used, so a key always applies the code the coder learnt for it; pinning a slot
keeps its code there for good.  Slots are each coder's own, stored in the project, and
survive restarts.

    >>> slot = p.use_code_slot("Freins/Mobilité")      # 1 in a fresh project
    >>> p.pin_code_slot(slot)
    >>> p.code_slots()[slot]
    {'code': 12, 'pinned': True}
"""
from __future__ import annotations

from workbench.domain import ValidationError
from workbench.facade import Capability
from workbench.i18n import _

SLOTS = range(1, 10)


def choose_slot(slots: dict[int, dict], code_id: int) -> int | None:
    """The slot ``code_id`` goes to: its own, else the first empty one, else the least
    recently used unpinned one; None when all nine are pinned to other codes.
    ``slots``: slot → {"code", "pinned", "used_at"}."""
    for slot, entry in slots.items():
        if entry["code"] == code_id:
            return slot
    for slot in SLOTS:
        if slot not in slots:
            return slot
    free = [(entry["used_at"], slot) for slot, entry in slots.items() if not entry["pinned"]]
    return min(free)[1] if free else None


def _check_slot(slot: int) -> int:
    if slot not in SLOTS:
        raise ValidationError(_("a code slot is a number from 1 to 9, not {slot}").format(
            slot=slot))
    return slot


class SlotsAPI(Capability):
    def _slots(self) -> tuple[int, dict[int, dict]]:
        coder_id, _name = self._coder_id(None)
        return coder_id, {r["slot"]: {"code": r["code_id"], "pinned": bool(r["pinned"]),
                                      "used_at": r["used_at"]}
                          for r in self.store.code_slots(coder_id)}

    def code_slots(self) -> dict[int, dict]:
        """The session coder's slots: slot → {"code": code id, "pinned": bool}."""
        return {slot: {"code": e["code"], "pinned": e["pinned"]}
                for slot, e in self._slots()[1].items()}

    def use_code_slot(self, code: int | str) -> int | None:
        """Record that ``code`` was just applied: it keeps its slot or takes one
        (:func:`choose_slot`); returns the slot, or None when all nine are pinned."""
        code_id = self.code_id(code)
        coder_id, slots = self._slots()
        slot = choose_slot(slots, code_id)
        if slot is None:
            return None
        if slots.get(slot, {}).get("code") == code_id:
            self.store.touch_code_slot(coder_id, slot)
        else:
            self.store.put_code_slot(coder_id, slot, code_id, pinned=False)
        return slot

    def put_code_in_slot(self, slot: int, code: int | str, *, pinned: bool = True) -> None:
        """Put ``code`` in ``slot`` (pinned by default); it leaves any other slot."""
        coder_id, _slots = self._slots()
        self.store.put_code_slot(coder_id, _check_slot(slot), self.code_id(code), pinned=pinned)

    def pin_code_slot(self, slot: int, pinned: bool = True) -> None:
        coder_id, slots = self._slots()
        if _check_slot(slot) not in slots:
            raise ValidationError(_("slot {slot} holds no code").format(slot=slot))
        self.store.pin_code_slot(coder_id, slot, pinned)

    def clear_code_slot(self, slot: int) -> None:
        coder_id, _slots = self._slots()
        self.store.clear_code_slot(coder_id, _check_slot(slot))
