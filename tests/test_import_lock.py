"""A big import or merge holds SQLite's write lock briefly (issue #16, concurrency).

Counted, never timed: what runs inside the import's write transaction (statements,
hashing of texts, undo records), and that undo and redo of an import still restore
exactly.  The figures themselves are ``benchmarks/bench_lock.py``'s."""
from __future__ import annotations

import json
import uuid
import warnings

import pytest

from workbench.project import Project

TURN = ("ENQ : Comment avez-vous connu le dispositif ?\n"
        "Karima : Par ma conseillère, elle m'a parlé de l'immersion en entreprise.\n")


def _build(path, documents: int, per_doc: int):
    """A project of ``documents`` interviews with ``per_doc`` codings each (two codes,
    bulk-inserted: no undo history)."""
    p = Project.create(path, coder="alice")
    store = p.store
    codes = [p.create_code("Parcours"), p.create_code("Immersion")]
    coder = store.ensure_coder("alice")
    rows = []
    for d in range(documents):
        text = "".join(f"Entretien {d}, tour {i}.\n" + TURN for i in range(per_doc))
        segs, pos = [], 0
        for i, line in enumerate(text.splitlines(keepends=True)):
            segs.append({"position": i, "kind": "turn", "speaker": None,
                         "is_interviewer": False, "start": pos, "end": pos + len(line) - 1})
            pos += len(line)
        doc = store.insert_document({"name": f"E{d:02d}", "text": text, "programme": "avenir"},
                                    segs, coder="alice")
        step = len(text) // per_doc
        rows += [(doc, codes[i % 2], i * step, i * step + 20, coder, "manual", "accepted",
                  str(uuid.uuid4())) for i in range(per_doc)]
    store.bulk_insert_codings(rows, coder="alice")
    return p


def _export(p, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p.export_qdpx(path)
    return path


def _inside_transaction(store, fn):
    """Run ``fn`` and return the SQL statements it ran inside write transactions."""
    seen: list[str] = []
    store.conn.set_trace_callback(
        lambda sql: seen.append(sql) if store.conn.in_transaction else None)
    try:
        fn()
    finally:
        store.conn.set_trace_callback(None)
    return seen


def _codings(store):
    return sorted(tuple(r) for r in store.query(
        "SELECT guid, document_id, code_id, start, end, coder_id, origin, status "
        "FROM codings"))


@pytest.fixture
def exported(tmp_path):
    with _build(tmp_path / "a.wbproj", documents=3, per_doc=12) as a:
        return _export(a, tmp_path / "a.qdpx")


def test_an_import_is_one_undo_record_per_table_not_one_per_coding(tmp_path, exported):
    """36 codings come in: the undoable step records the codings it inserted as id runs
    (one change), not 36 copies of rows; undo takes them out, redo puts the same rows
    back, and a re-import after that matches everything."""
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        report = b.import_qdpx(exported)
        assert report["new"]["codings"] == 36
        ops = json.loads(b.store.scalar("SELECT ops FROM undo_log ORDER BY id DESC LIMIT 1"))
        bulk = [ch for ch in ops if ch["table"] == "codings"]
        assert len(bulk) == 1 and "after" not in bulk[0]
        assert sum(hi - lo + 1 for lo, hi in bulk[0]["inserted"]) == 36
        before = _codings(b.store)
        assert b.undo() == "import"
        assert _codings(b.store) == []
        # undoing an insert leaves no tombstone: the codings never existed here before
        assert b.store.scalar("SELECT count(*) FROM tombstones WHERE kind = 'coding'") == 0
        assert b.redo() == "import"
        assert _codings(b.store) == before
        # the record is light again once redone
        ops = json.loads(b.store.scalar("SELECT ops FROM undo_log ORDER BY id DESC LIMIT 1"))
        assert all("rows" not in ch for ch in ops)
        again = b.import_qdpx(exported)
        assert again["new"].get("codings", 0) == 0 and again["matched"]["codings"] == 36


def test_undoing_an_import_that_brought_a_deleted_coding_back_deletes_it_again(
        tmp_path, exported):
    """A coding deleted here (tombstone) that a re-import with 'replace' brings back:
    undo deletes it again and puts back the tombstone exactly as it was."""
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        b.import_qdpx(exported)
        gid, cid = b.store.query("SELECT guid, id FROM codings ORDER BY id LIMIT 1")[0]
        b.remove_coding(cid)
        tomb = b.store.query("SELECT deleted_at FROM tombstones WHERE kind = 'coding' AND "
                             "guid = ?", [gid.lower()])[0][0]
        report = b.import_qdpx(exported, on_conflict="replace")
        assert report["restored"]["codings"] == 1
        assert b.store.scalar("SELECT count(*) FROM codings WHERE guid = ?", [gid]) == 1
        assert b.undo() == "import"
        assert b.store.scalar("SELECT count(*) FROM codings WHERE guid = ?", [gid]) == 0
        assert b.store.query("SELECT deleted_at FROM tombstones WHERE kind = 'coding' AND "
                             "guid = ?", [gid.lower()])[0][0] == tomb
        assert b.redo() == "import"
        assert b.store.scalar("SELECT count(*) FROM codings WHERE guid = ?", [gid]) == 1


def test_texts_are_hashed_and_counted_before_the_lock(tmp_path, exported, monkeypatch):
    """Hashing each source's text and counting its words (seconds for 500 interviews)
    happen before the write transaction, never inside it (a preview's too)."""
    import workbench.export.qdpx.sources as sources
    import workbench.exchange.matching as matching
    import workbench.store.documents as documents
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        inside = []

        def watch(module, name):
            real = getattr(module, name)

            def counted(*a, **k):
                if b.store.conn.in_transaction:
                    inside.append(name)
                return real(*a, **k)
            monkeypatch.setattr(module, name, counted)

        for module in (sources, matching, documents):
            watch(module, "text_hash")
        watch(sources, "turn_word_count")            # the one word count (workbench.words)
        b.import_qdpx(exported, dry_run=True)           # a preview too (then rolled back)
        assert inside == [] and b.store.scalar("SELECT count(*) FROM documents") == 0
        b.import_qdpx(exported)
        assert b.store.scalar("SELECT count(*) FROM documents") == 3
        assert inside == []
        b.import_qdpx(exported)                          # re-import: all matched
        assert inside == []


def test_a_reimport_reads_in_a_fixed_number_of_queries_and_writes_nothing(tmp_path):
    """A re-import (everything matches) reads the project inside its transaction in a
    fixed number of queries, whatever the number of documents and codings (2 documents
    of 4 codings or 5 of 40), and writes nothing there."""
    selects, writes = {}, {}
    for documents, per_doc in ((2, 4), (5, 40)):
        name = f"{documents}x{per_doc}"
        with _build(tmp_path / f"a{name}.wbproj", documents=documents, per_doc=per_doc) as a:
            qdpx = _export(a, tmp_path / f"a{name}.qdpx")
        with Project.create(tmp_path / f"b{name}.wbproj", coder="bruno") as b:
            b.import_qdpx(qdpx)
            seen = _inside_transaction(b.store, lambda: b.import_qdpx(qdpx))
        selects[name] = sum(s.lstrip().upper().startswith("SELECT") for s in seen)
        writes[name] = [s for s in seen if s.lstrip().upper().startswith(
            ("INSERT", "UPDATE", "DELETE")) and "import_batches" not in s]
    assert selects["2x4"] == selects["5x40"]
    assert writes == {"2x4": [], "5x40": []}


def test_a_fresh_import_does_not_read_back_the_codings_it_writes(tmp_path, exported):
    """Inside the transaction a fresh import inserts the codings with their ids given
    (no read back of the new rows for undo, none to learn their ids)."""
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        seen = _inside_transaction(b.store, lambda: b.import_qdpx(exported))
        inserts = [s for s in seen if s.startswith("INSERT INTO codings")]   # (traced once
        # per trigger too: counted once each)
        assert len(set(inserts)) == 36 and all(s.startswith("INSERT INTO codings(id,")
                                           for s in inserts)
        assert not [s for s in seen if "FROM codings WHERE id >" in s]
        assert not [s for s in seen if s.startswith("SELECT lower(guid), id FROM codings")]


def test_what_the_matching_reads_is_read_before_the_lock(tmp_path, exported):
    """A re-import reads the project's codings and selections (to match the file's)
    before taking the write lock; inside it, only their fingerprint."""
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        b.import_qdpx(exported)
        seen = _inside_transaction(b.store, lambda: b.import_qdpx(exported))
        reads = [s for s in seen if s.startswith("SELECT") and " FROM codings" in s]
        assert reads and all("INDEXED BY idx_codings_query" in s for s in reads), reads


def test_a_coding_changed_between_the_reads_and_the_lock_is_seen(tmp_path, exported,
                                                                 monkeypatch):
    """Another program changes a coding after the import read the project and before it
    holds the lock: the import notices (the fingerprint differs), reads again under the
    lock, and reports the change as a conflict instead of matching a stale copy."""
    import sqlite3

    import workbench.export.qdpx.sources as sources
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        b.import_qdpx(exported)
        gid = b.store.query("SELECT guid FROM codings ORDER BY id LIMIT 1")[0][0]
        real = sources.preindex

        def then_another_program_writes(ctx, batch=None):
            real(ctx, batch)
            other = sqlite3.connect(tmp_path / "b.wbproj", isolation_level=None)
            other.execute("UPDATE codings SET end = end + 5 WHERE guid = ?", [gid])
            other.close()
        monkeypatch.setattr(sources, "preindex", then_another_program_writes)
        report = b.import_qdpx(exported)
        assert f"coding:{gid.lower()}" in {c["id"] for c in report["conflicts"]}


def test_a_big_insert_keeps_the_triggers_and_does_their_work(tmp_path, monkeypatch):
    """From BULK_ROWS rows, the import's insert of codings drops their per-row insert
    triggers and does their work itself, inside its transaction: a coding the project
    had deleted (tombstone) and the file brings back lifts its tombstone, undo puts it
    back as it was; the triggers are there afterwards as before, and a failure in the
    middle leaves them (and the project) as they were."""
    import workbench.store.coding as coding
    monkeypatch.setattr(coding, "BULK_ROWS", 10)      # the 36 codings are a big insert

    def triggers(store):
        return sorted(tuple(r) for r in store.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))

    with _build(tmp_path / "a.wbproj", documents=3, per_doc=12) as a:
        gid = a.store.query("SELECT guid FROM codings ORDER BY id LIMIT 1")[0][0].lower()
        qdpx = _export(a, tmp_path / "a.qdpx")
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        before = triggers(b.store)
        with b.store.transaction() as c:              # deleted here once, long ago
            c.execute("INSERT INTO tombstones(kind, guid, deleted_at) VALUES "
                      "('coding', ?, '2026-01-02T03:04:05Z')", [gid])
        report = b.import_qdpx(qdpx, on_conflict="replace")     # theirs: it comes back
        assert report["new"]["codings"] == 35 and report["restored"]["codings"] == 1
        assert triggers(b.store) == before
        assert b.store.scalar("SELECT count(*) FROM tombstones") == 0
        assert b.store.scalar("SELECT count(*) FROM codings WHERE guid IS NULL") == 0
        assert b.undo() == "import"
        tombs = b.store.query("SELECT kind, guid, deleted_at FROM tombstones")
        assert [tuple(r) for r in tombs] == [("coding", gid, "2026-01-02T03:04:05Z")]
        # a failure in the middle of the big insert: nothing written, triggers intact
        real = coding._Recorder._insert_without_triggers

        def failing(self, table, sql, cols, values, tombs):
            real(self, table, sql, cols, values[:5], tombs)
            raise RuntimeError("disk on fire")
        monkeypatch.setattr(coding._Recorder, "_insert_without_triggers", failing)
        with pytest.raises(Exception):
            b.import_qdpx(qdpx, on_conflict="replace")
        assert b.store.scalar("SELECT count(*) FROM codings") == 0
        assert triggers(b.store) == before
        assert b.store.scalar("SELECT count(*) FROM tombstones") == 1


def test_a_preview_does_not_index_new_sources_for_search(tmp_path, exported):
    """A preview (rolled back) writes new sources' turns without their search index:
    no full-text row is written inside its transaction; the report is the import's."""
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        seen = _inside_transaction(b.store, lambda: b.import_qdpx(exported, dry_run=True))
        assert not [s for s in seen if "INSERT INTO segments_fts" in s]
        preview = b.import_qdpx(exported, dry_run=True)
        assert b.store.scalar("SELECT count(*) FROM documents") == 0
        done = b.import_qdpx(exported)
        assert (preview["new"], preview["matched"]) == (done["new"], done["matched"])
