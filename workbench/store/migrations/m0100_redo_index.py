"""Speed: a partial index of the undone actions (the redo stack) per coder.

Every new action first forgets its coder's redo stack (``DELETE FROM undo_log WHERE
undone = 1 AND ifnull(coder, '') = ?``).  With one coder, or statistics gathered while
the log was short, SQLite scanned the whole undo log for it: a cost that grew with the
project's history (0.14 ms of a 0.5 ms coding after 1,300 actions).  This index holds
the undone rows only, so that the statement reads nothing when nothing was undone.
"""
from __future__ import annotations

NAME = "0100_redo_index"


def apply(db) -> None:
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_undo_redo ON undo_log(ifnull(coder, ''), id)
            WHERE undone = 1;
        """
    )
