"""The full-text index holds each turn's words only (from ``body_start``): a speaker's
name in the labels of all their turns, or a written timestamp, is no longer found by
search as if it were said.  Projects indexed before are re-indexed here, for the
segments whose words begin after a label or timestamp."""
from __future__ import annotations

NAME = "0011_search_words"


def apply(db) -> None:
    con = db.conn
    rows = con.execute(
        "SELECT s.id, substr(d.text, s.body_start + 1, s.end - s.body_start) FROM segments s "
        "JOIN documents d ON d.id = s.document_id WHERE s.body_start > s.start").fetchall()
    con.executemany("DELETE FROM segments_fts WHERE rowid = ?", [(r[0],) for r in rows])
    con.executemany("INSERT INTO segments_fts(rowid, text) VALUES (?, ?)", rows)
