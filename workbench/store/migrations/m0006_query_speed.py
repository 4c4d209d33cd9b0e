"""A covering index for the query engine's read of the document table: the metadata
columns sit after ``text`` in each row, so a plain scan walks every transcript's
overflow pages (12 ms on 500 interviews); the index scan reads only the metadata."""
NAME = "0006_query_speed"


def apply(db) -> None:
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_documents_query
            ON documents(id, name, programme, actor_type, interview_date, interviewer, site,
                         extra);
        """
    )
