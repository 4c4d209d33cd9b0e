"""Team work: what was deleted (so a merge can tell "deleted here" from "never had it"),
the choices made on merge conflicts (so merging the same file again asks nothing new),
and adjudication decisions (who decided what between which coders)."""
from __future__ import annotations

NAME = "0060_team"


def apply(db) -> None:
    script = """
        CREATE TABLE tombstones (
            kind TEXT NOT NULL CHECK (kind IN ('code','coding','memo')),
            guid TEXT NOT NULL,
            deleted_at TEXT NOT NULL,
            PRIMARY KEY (kind, guid)
        );
        CREATE TABLE merge_decisions (
            conflict TEXT NOT NULL,
            theirs TEXT NOT NULL,
            choice TEXT NOT NULL,
            coder TEXT,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (conflict, theirs)
        );
        CREATE TABLE adjudications (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            end INTEGER NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('a','b','both','neither')),
            coder_a TEXT NOT NULL,
            coder_b TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            memo TEXT,
            codings TEXT
        );
        CREATE INDEX idx_adjudications_doc ON adjudications(document_id, code_id, start);
    """
    for table, kind in (("codes", "code"), ("codings", "coding"), ("memos", "memo")):
        script += f"""
        CREATE TRIGGER trg_{table}_tombstone AFTER DELETE ON {table}
        WHEN OLD.guid IS NOT NULL BEGIN
            INSERT OR REPLACE INTO tombstones(kind, guid, deleted_at)
            VALUES ('{kind}', lower(OLD.guid), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
        END;
        CREATE TRIGGER trg_{table}_revive AFTER INSERT ON {table}
        WHEN NEW.guid IS NOT NULL BEGIN
            DELETE FROM tombstones WHERE kind = '{kind}' AND guid = lower(NEW.guid);
        END;
        """
    db.executescript(script)
