"""Pseudonymisation: the entities detected in the project (a person, a place, an
e-mail address...), the written forms (variants) of each, where they occur, the team's
decisions, the categories' actions, and which documents were scanned or pseudonymised.
"""
NAME = "0070_privacy"


def apply(db) -> None:
    db.executescript(
        """
        CREATE TABLE privacy_entities (
            id INTEGER PRIMARY KEY,
            category TEXT NOT NULL,
            label TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','accepted','rejected')),
            gender TEXT NOT NULL DEFAULT '' CHECK (gender IN ('','f','m')),
            number INTEGER,
            pseudonym TEXT,
            sources TEXT NOT NULL DEFAULT '',
            decided_by TEXT,
            decided_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX idx_privacy_entities_category ON privacy_entities(category, status);

        CREATE TABLE privacy_variants (
            text TEXT PRIMARY KEY,
            entity_id INTEGER NOT NULL REFERENCES privacy_entities(id) ON DELETE CASCADE,
            fold INTEGER NOT NULL DEFAULT 0,
            source TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX idx_privacy_variants_entity ON privacy_variants(entity_id);

        CREATE TABLE privacy_occurrences (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            variant TEXT NOT NULL REFERENCES privacy_variants(text)
                ON DELETE CASCADE ON UPDATE CASCADE,
            PRIMARY KEY (document_id, start),
            CHECK (end > start)
        );
        CREATE INDEX idx_privacy_occurrences_variant ON privacy_occurrences(variant);

        CREATE TABLE privacy_categories (
            name TEXT PRIMARY KEY,
            label TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('person','place','organisation','identifier')),
            action TEXT NOT NULL CHECK (action IN ('replace','keep'))
        );

        CREATE TABLE privacy_documents (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            detected_at TEXT,
            pseudonymised_at TEXT
        );
        """
    )
