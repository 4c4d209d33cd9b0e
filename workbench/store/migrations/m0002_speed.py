"""Speed: FTS5 prefix indexes for prefix search ("form*"), and an index for the
per-coder undo stack."""
NAME = "0002_speed"


def apply(db) -> None:
    db.executescript(
        """
        CREATE VIRTUAL TABLE segments_fts_new USING fts5(
            text, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
        );
        INSERT INTO segments_fts_new(rowid, text) SELECT rowid, text FROM segments_fts;
        DROP TABLE segments_fts;
        ALTER TABLE segments_fts_new RENAME TO segments_fts;
        CREATE INDEX idx_undo_coder ON undo_log(ifnull(coder, ''), undone, id);
        """
    )
