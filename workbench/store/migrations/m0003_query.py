"""Indexes for triangulation queries: codings by status (the engine reads accepted
codings in one pass), and saved queries by kind for the TUI list."""
NAME = "0003_query"


def apply(db) -> None:
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_codings_status_code ON codings(status, code_id);
        CREATE INDEX IF NOT EXISTS idx_saved_queries_kind ON saved_queries(kind, name);
        """
    )
