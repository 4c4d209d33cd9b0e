"""REFI-QDA exchange: the GUIDs other tools gave to our coders, documents,
participants, attributes and memos, so that a re-export keeps them."""
from __future__ import annotations

NAME = "0005_exchange"


def apply(db) -> None:
    db.executescript(
        """
        CREATE TABLE exchange_guids (
            kind TEXT NOT NULL CHECK (kind IN
                ('coder','document','participant','attribute','memo','question','project')),
            local_id TEXT NOT NULL,
            guid TEXT NOT NULL,
            PRIMARY KEY (kind, local_id)
        );
        CREATE INDEX idx_exchange_guids_guid ON exchange_guids(kind, guid);
        """
    )
