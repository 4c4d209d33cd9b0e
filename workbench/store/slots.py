"""The coders' code slots (keys 1–9 of the coding screen)."""
from __future__ import annotations

from workbench.store.db import StoreCore, now


class SlotStore(StoreCore):
    def code_slots(self, coder_id: int) -> list[dict]:
        """slot, code_id, pinned, used_at — by slot."""
        return [dict(r) for r in self.query(
            "SELECT slot, code_id, pinned, used_at FROM code_slots WHERE coder_id = ? "
            "ORDER BY slot", [coder_id])]

    def put_code_slot(self, coder_id: int, slot: int, code_id: int, *, pinned: bool) -> None:
        """Put ``code_id`` in ``slot`` (the code leaves any other slot it held)."""
        with self.transaction() as c:
            c.execute("DELETE FROM code_slots WHERE coder_id = ? AND (slot = ? OR code_id = ?)",
                      [coder_id, slot, code_id])
            c.execute("INSERT INTO code_slots(coder_id, slot, code_id, pinned, used_at) "
                      "VALUES (?, ?, ?, ?, ?)", [coder_id, slot, code_id, int(pinned), now()])

    def touch_code_slot(self, coder_id: int, slot: int) -> None:
        with self.transaction() as c:
            c.execute("UPDATE code_slots SET used_at = ? WHERE coder_id = ? AND slot = ?",
                      [now(), coder_id, slot])

    def pin_code_slot(self, coder_id: int, slot: int, pinned: bool) -> None:
        with self.transaction() as c:
            c.execute("UPDATE code_slots SET pinned = ? WHERE coder_id = ? AND slot = ?",
                      [int(pinned), coder_id, slot])

    def clear_code_slot(self, coder_id: int, slot: int) -> None:
        with self.transaction() as c:
            c.execute("DELETE FROM code_slots WHERE coder_id = ? AND slot = ?", [coder_id, slot])
