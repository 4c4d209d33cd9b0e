"""Typed document fields: the extra columns of import manifests (``vague``, ``site``,
``structure``...), typed like participant attributes.  The field definitions (type,
ordinal levels, order, privacy) belong to the project, one row per field; the values,
one row per (document, field), hold the text and, for numbers, dates, yes/no and ordinal
levels, the number comparisons use -- as ``participant_values`` do."""
NAME = "0050_document_fields"


def apply(db) -> None:
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS document_fields (
            name TEXT PRIMARY KEY,
            type TEXT NOT NULL CHECK (type IN ('nominal','ordinal','numeric','date','boolean')),
            levels TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            private INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE IF NOT EXISTS document_values (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            field TEXT NOT NULL REFERENCES document_fields(name) ON DELETE CASCADE
                ON UPDATE CASCADE,
            value TEXT,
            num REAL,
            PRIMARY KEY (document_id, field)
        );
        CREATE INDEX IF NOT EXISTS idx_dvalues_field ON document_values(field, value);
        """
    )
