"""Identity: every document, code, coding and memo has a GUID, and every document the
hash of its normalised text (see :mod:`workbench.identity`).

Rows made before this migration get the GUID that earlier REFI-QDA exports already
wrote for them (the one another tool gave them, else the one derived from the
project's creation stamp and name), so two copies of one ``.wbproj`` upgraded
separately still agree, and a ``.qdpx`` exported before the upgrade still matches.
Rows inserted later without a GUID get a random one from a trigger, whatever code
inserts them.
"""
from __future__ import annotations

import uuid
from pathlib import Path

from workbench.identity import WORKBENCH_NS, text_hash

NAME = "0020_identity"

# a random version-4 GUID in SQL, for the triggers
_SQL_UUID4 = ("lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
              "substr(lower(hex(randomblob(2))), 2) || '-' || "
              "substr('89ab', 1 + (abs(random()) % 4), 1) || "
              "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))")

TABLES = ("documents", "codes", "codings", "memos")


def _seed(conn) -> str:
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('created_at', 'name')")
                .fetchall())
    name = meta.get("name")
    if not name:
        files = [r[2] for r in conn.execute("PRAGMA database_list") if r[1] == "main"]
        name = Path(files[0]).stem if files and files[0] else ""
    return f"{meta.get('created_at') or ''}/{name}"


def apply(db) -> None:
    conn = db.conn
    db.executescript(
        """
        ALTER TABLE documents ADD COLUMN guid TEXT;
        ALTER TABLE documents ADD COLUMN text_hash TEXT;
        ALTER TABLE memos ADD COLUMN guid TEXT;
        """)
    seed = _seed(conn)

    def derived(kind: str, local) -> str:
        return str(uuid.uuid5(WORKBENCH_NS, f"{seed}/{kind}/{local}"))

    def exchanged(kind: str) -> dict[str, str]:
        return {r[0]: r[1] for r in conn.execute(
            "SELECT local_id, guid FROM exchange_guids WHERE kind = ?", [kind])}

    taken: set[str] = set()

    def fresh(candidate: str | None) -> str:
        g = candidate if candidate and candidate.lower() not in taken else str(uuid.uuid4())
        taken.add(g.lower())
        return g

    for table in ("codes", "codings"):
        taken.update(r[0].lower() for r in conn.execute(
            f"SELECT guid FROM {table} WHERE guid IS NOT NULL"))
    # documents: GUID and text hash
    known = exchanged("document")
    for (i,) in conn.execute("SELECT id FROM documents").fetchall():   # one text at a time
        text = conn.execute("SELECT text FROM documents WHERE id = ?", [i]).fetchone()[0]
        conn.execute("UPDATE documents SET guid = ?, text_hash = ? WHERE id = ?",
                     [fresh(known.get(str(i)) or derived("document", i)), text_hash(text), i])
    # memos
    known = exchanged("memo")
    conn.executemany("UPDATE memos SET guid = ? WHERE id = ?",
                     [(fresh(known.get(str(i)) or derived("memo", i)), i)
                      for (i,) in conn.execute("SELECT id FROM memos").fetchall()])
    # codings without one
    conn.executemany("UPDATE codings SET guid = ? WHERE id = ?",
                     [(fresh(derived("coding", i)), i) for (i,) in conn.execute(
                         "SELECT id FROM codings WHERE guid IS NULL").fetchall()])
    # codes without one: the codebook-path GUID exports derived ("projet/<path>")
    from workbench.codebook.qdc import code_guid
    codes = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT id, parent_id, name FROM codes")}
    paths: dict[int, str] = {}

    def path(cid: int) -> str:
        chain = []
        while cid is not None and cid not in paths:
            chain.append(cid)
            cid = codes[cid][0]
        prefix = paths.get(cid, "") if cid is not None else ""
        for c in reversed(chain):
            prefix = f"{prefix}/{codes[c][1]}" if prefix else codes[c][1]
            paths[c] = prefix
        return paths[chain[0]] if chain else prefix

    conn.executemany("UPDATE codes SET guid = ? WHERE id = ?",
                     [(fresh(code_guid("projet", path(i))), i) for (i,) in conn.execute(
                         "SELECT id FROM codes WHERE guid IS NULL").fetchall()])
    script = """
        CREATE UNIQUE INDEX idx_documents_guid ON documents(lower(guid));
        CREATE INDEX idx_documents_text_hash ON documents(text_hash);
        CREATE UNIQUE INDEX idx_memos_guid ON memos(lower(guid));
        CREATE UNIQUE INDEX idx_codes_guid_key ON codes(lower(guid));
        CREATE UNIQUE INDEX idx_codings_guid_key ON codings(lower(guid));
    """
    for table in TABLES:
        script += f"""
        CREATE TRIGGER trg_{table}_guid AFTER INSERT ON {table} WHEN NEW.guid IS NULL
        BEGIN
            UPDATE {table} SET guid = {_SQL_UUID4} WHERE id = NEW.id;
        END;
        """
    db.executescript(script)
