"""Import batches: a long import stages its documents outside the project and indexes
them for search in short transactions before publishing them at once (see
:mod:`workbench.store.batch`).  A batch left open by a killed process is cleaned up on
the next open."""
from __future__ import annotations

NAME = "0040_import_batches"


def apply(db) -> None:
    db.executescript(
        """
        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            coder TEXT,
            pid INTEGER NOT NULL,
            host TEXT NOT NULL,
            started_at TEXT NOT NULL,
            scratch TEXT NOT NULL,          -- staging file, beside the project
            fts_base INTEGER NOT NULL,      -- segment ids reserved from here
            fts_next INTEGER NOT NULL       -- full-text rows [fts_base, fts_next) are written
        );
        """
    )
