"""Covering indexes for the query engine, which reads all accepted codings and all
segments in one pass each (an index-only scan instead of a table scan of wide rows)."""
NAME = "0003_query"


def apply(db) -> None:
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_codings_query
            ON codings(status, document_id, start, end, code_id, coder_id);
        CREATE INDEX IF NOT EXISTS idx_segments_query
            ON segments(document_id, start, position, end, speaker, is_interviewer);
        """
    )
