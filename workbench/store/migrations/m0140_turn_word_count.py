"""A document's word count is the words of its turns (``workbench.words``): speaker
labels, written timestamps and the interview header are no longer counted.  Projects
counted before (the whole text) are recounted here from their segments."""
from __future__ import annotations

from workbench.words import turn_word_count

NAME = "0140_turn_word_count"


def apply(db) -> None:
    con = db.conn
    counts = []
    for doc_id, text in con.execute("SELECT id, text FROM documents").fetchall():
        segments = [dict(start=r[0], end=r[1], body_start=r[2], front_matter=r[3])
                    for r in con.execute("SELECT start, end, body_start, front_matter FROM "
                                         "segments WHERE document_id = ?", [doc_id])]
        counts.append((turn_word_count(text or "", segments), doc_id))
    con.executemany("UPDATE documents SET word_count = ? WHERE id = ?", counts)
