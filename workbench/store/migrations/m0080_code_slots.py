"""The coder's code slots (keys 1–9 of the coding screen): which code each slot holds,
whether the coder pinned it there, and when it was last used (to reuse the oldest
unpinned slot).  A preference of each coder, not coding data: no undo, no change log."""
NAME = "0080_code_slots"


def apply(db) -> None:
    db.executescript(
        """
        CREATE TABLE code_slots (
            coder_id INTEGER NOT NULL REFERENCES coders(id) ON DELETE CASCADE,
            slot INTEGER NOT NULL CHECK (slot BETWEEN 1 AND 9),
            code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            pinned INTEGER NOT NULL DEFAULT 0,
            used_at TEXT NOT NULL,
            PRIMARY KEY (coder_id, slot),
            UNIQUE (coder_id, code_id)
        );
        """
    )
