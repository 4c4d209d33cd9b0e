"""Counting a code's codings by status reads the index alone (``codes()`` counted
400,000 codings through the table: seconds per call)."""
NAME = "0041_coding_counts"


def apply(db) -> None:
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_codings_code_status
            ON codings(code_id, status, document_id);
        """
    )
