"""The turn model, stored with each segment: where its words begin (``body_start``,
after the speaker label and any written timestamp) and whether it is front matter (the
interview header before the first speaker turn).  The segment's time and section were
already columns.

Projects imported before this have both filled here by reading each segment's head
with the importer's own reader (:func:`workbench.ingest.speakers.turn_head`): a
written timestamp found there also becomes the segment's time when it had none.
"""
from __future__ import annotations

NAME = "0010_turn_model"


def apply(db) -> None:
    from workbench.ingest.speakers import turn_head

    db.executescript(
        """
        ALTER TABLE segments ADD COLUMN body_start INTEGER;
        ALTER TABLE segments ADD COLUMN front_matter INTEGER NOT NULL DEFAULT 0;
        """
    )
    con = db.conn
    doc_ids = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY id")]
    for doc_id in doc_ids:
        text = con.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()[0]
        rows = con.execute("SELECT id, kind, speaker, start, end, timestamp FROM segments "
                           "WHERE document_id = ? ORDER BY position", [doc_id]).fetchall()
        first_turn = next((i for i, r in enumerate(rows) if r[1] == "turn"), None)
        updates = []
        for i, (seg_id, _kind, speaker, start, end, timestamp) in enumerate(rows):
            body, written = turn_head(text, start, end, speaker)
            updates.append((body, int(first_turn is not None and i < first_turn),
                            timestamp if timestamp is not None else written, seg_id))
        con.executemany("UPDATE segments SET body_start = ?, front_matter = ?, timestamp = ? "
                        "WHERE id = ?", updates)
