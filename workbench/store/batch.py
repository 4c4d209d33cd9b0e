"""Long imports without a long lock: staged, indexed in short steps, published at once.

SQLite lets one process write at a time.  An import that wrote a big ``.qdpx`` in one
transaction held that lock for 20 s, and every other writer (a coder in the TUI, a
script) failed.  An :class:`ImportBatch` keeps the import all-or-nothing for everyone
without holding the lock:

1. **staging** — each document (its row, segments and participant links, built by the
   same :meth:`insert_document` as any import) goes to a scratch file beside the project
   (``.<project>.<pid>-<n>.wbtmp``): no lock on the project at all;
2. **indexing** — its full-text rows are written to the project in transactions of at
   most :data:`FTS_CHUNK_CHARS` characters (a fraction of a second each), under segment
   ids reserved for the batch far above the project's own (``import_batches``).  Search
   joins the full-text index with the segments, so these rows find nothing until the
   segments exist: readers see nothing of the batch;
3. **publishing** — one transaction copies the staged rows (``INSERT ... SELECT``, no
   Python per row, no re-indexing) and runs the caller's ``finish`` step (codes,
   codings, memos...): the whole import appears at once;
4. **discarding** — on an error, a cancel, or when the process was killed (the next
   open of the project sees the batch's process gone), the reserved full-text rows are
   removed in short transactions and the scratch file deleted: the project is as before.

>>> with store.import_batch("import.qdpx", coder="ana") as batch:        # doctest: +SKIP
...     key = batch.add_document(fields, segments, links)
...     doc_ids = batch.publish(lambda c, doc_ids: ...)                 # {key: id}
"""
from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence, cast

from workbench.safety.files import pid_alive
from workbench.store.db import StoreCore, now
from workbench.store.fields import FieldStore

if TYPE_CHECKING:
    from workbench.store.documents import DocumentStore

#: Segment ids reserved per batch (other writers add segments below; a batch never
#: holds this many).
ID_GAP = 1 << 32
#: Characters of full-text index written per transaction (about 0.1 s on a 2-core laptop).
FTS_CHUNK_CHARS = int(os.environ.get("WORKBENCH_FTS_CHUNK_CHARS", 1_000_000))
#: Full-text rows removed per transaction when a batch is discarded.
DISCARD_CHUNK_ROWS = 2_000
#: Documents longer than this (characters) are inserted through a batch.
BATCH_TEXT_CHARS = int(os.environ.get("WORKBENCH_BATCH_TEXT_CHARS", 2_000_000))
#: The tables a batch stages, in the order they are published.
STAGED_TABLES = ("documents", "segments", "document_participants")

FinishFn = Callable[[sqlite3.Connection, dict[int, int]], Any]


def _host() -> str:
    try:
        return socket.gethostname()
    except OSError:      # pragma: no cover
        return "?"


class ImportBatch:
    """One long import (see the module's description).  Use through
    :meth:`BatchStore.import_batch`."""

    #: Called with the batch after each committed indexing step (observers, tests).
    after_chunk: Callable[["ImportBatch"], None] | None = None

    def __init__(self, store: DocumentStore, label: str, coder: str | None):
        self.store = store
        self.label = label
        self.coder = coder
        self.published = False
        self.closed = False
        self.chunks = 0                   # indexing transactions committed so far
        self.keys: list[int] = []
        stem = store.path.name
        self.scratch_path = store.path.with_name(
            f".{stem}.{os.getpid()}-{int(time.monotonic_ns() % 1_000_000_000)}.wbtmp")
        with store.transaction() as c:
            base = c.execute(
                "SELECT max(ifnull((SELECT max(id) FROM segments), 0), "
                "ifnull((SELECT max(rowid) FROM segments_fts), 0), "
                "ifnull((SELECT max(fts_base) FROM import_batches), 0))").fetchone()[0] + ID_GAP
            self.id: int = cast(int, c.execute(
                "INSERT INTO import_batches(label, coder, pid, host, started_at, scratch, "
                "fts_base, fts_next) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [label, coder, os.getpid(), _host(), now(), self.scratch_path.name, base,
                 base]).lastrowid)
        self.fts_base = self.fts_next = self._next_id = base
        self._scratch: DocumentStore | None = None
        self._pending: list[tuple[int, str]] = []      # preindexed, not yet written
        self._pending_chars = 0

    @property
    def scratch(self) -> DocumentStore:
        """The staging store, made on first use (``preindex`` alone needs none)."""
        if self._scratch is None:
            self._scratch = self._make_scratch()
        return self._scratch

    def _make_scratch(self) -> DocumentStore:
        store, base = self.store, self.fts_base
        try:
            scratch = type(store)(self.scratch_path, create=True, check=False)
            scratch.is_scratch = True
            sc = scratch.conn
            sc.execute("PRAGMA foreign_keys = OFF")      # participants live in the project
            sc.execute("PRAGMA journal_mode = OFF")      # a scratch file is thrown away
            sc.execute("PRAGMA synchronous = OFF")
            sc.executescript(
                "DROP TABLE segments_fts;"                # staged text: no tokenising twice
                "CREATE TABLE segments_fts(text);"
                # segment ids from the reserved range: a placeholder row seeds it
                f"INSERT INTO segments(id, document_id, position, start, end) "
                f"VALUES ({base - 1}, -1, -1, 0, 0);")
        except BaseException:
            self._forget()
            raise
        return scratch

    # -- staging ------------------------------------------------------------------------
    def add_document(self, fields: dict[str, Any], segments: Sequence[dict] | Sequence[tuple],
                     links: Sequence[tuple[str, str]] = ()) -> int:
        """Stage one document (the same row, segments and links as
        :meth:`insert_document` writes) and index it for search; returns its key for
        :meth:`publish`'s mapping."""
        if self.closed:
            raise RuntimeError("this import batch is closed")
        key = self.scratch.insert_document(fields, segments, links)
        self.keys.append(key)
        self._index_staged()
        return key

    def _index_staged(self) -> None:
        """Copy the staged full-text rows into the project, a bounded slice per
        transaction (the reserved ids make them invisible until published); rows are
        read one at a time, so a long document is never held twice more in memory."""
        cursor = self.scratch.conn.execute(
            "SELECT rowid, text FROM segments_fts WHERE rowid >= ? ORDER BY rowid",
            [self.fts_next])
        row = cursor.fetchone()
        while row is not None:
            size = 0
            with self.store.transaction() as c:
                while row is not None and (size == 0 or size < FTS_CHUNK_CHARS):
                    c.execute("INSERT INTO segments_fts(rowid, text) VALUES (?, ?)",
                              [row[0], row[1]])
                    size += len(row[1] or "") + 1
                    self.fts_next = self._next_id = row[0] + 1
                    row = None                  # (a long text freed before the next one)
                    row = cursor.fetchone()
                c.execute("UPDATE import_batches SET fts_next = ? WHERE id = ?",
                          [self.fts_next, self.id])
            self.chunks += 1
            if ImportBatch.after_chunk is not None:
                ImportBatch.after_chunk(self)

    def preindex(self, texts: Sequence[str]) -> list[int]:
        """Reserve one id per segment text and index the texts for search under them,
        in transactions of about :data:`FTS_CHUNK_CHARS` characters (texts of several
        calls share a transaction: call :meth:`flush` when done).  The segments must then
        be inserted with these ids (``insert_document(..., segment_ids=...)``, inside any
        later transaction); rows whose segment never comes are removed when the batch
        closes.  For imports whose documents are written by other code (REFI-QDA)."""
        if self.closed:
            raise RuntimeError("this import batch is closed")
        ids = list(range(self._next_id, self._next_id + len(texts)))
        self._next_id += len(texts)
        for pair in zip(ids, texts):
            self._pending.append(pair)
            self._pending_chars += len(pair[1]) + 1
            if self._pending_chars >= FTS_CHUNK_CHARS:
                self.flush()
        return ids

    def flush(self) -> None:
        """Write the texts :meth:`preindex` holds (one short transaction)."""
        if not self._pending:
            return
        with self.store.transaction() as c:
            c.executemany("INSERT INTO segments_fts(rowid, text) VALUES (?, ?)", self._pending)
            self.fts_next = self._pending[-1][0] + 1
            c.execute("UPDATE import_batches SET fts_next = ? WHERE id = ?",
                      [self.fts_next, self.id])
        self._pending, self._pending_chars = [], 0
        self.chunks += 1
        if ImportBatch.after_chunk is not None:
            ImportBatch.after_chunk(self)

    # -- publishing ---------------------------------------------------------------------
    def publish(self, finish: FinishFn | None = None) -> tuple[dict[int, int], Any]:
        """Make everything visible in one transaction: the staged documents (new ids),
        their segments (the reserved ids their index rows already carry) and links, then
        ``finish(connection, {key: document id})`` for the rest of the import.

        :returns: ({key: document id}, what ``finish`` returned).
        """
        if self.closed:
            raise RuntimeError("this import batch is closed")
        store = self.store
        if self._scratch is None:         # nothing staged (only preindexed): nothing to copy
            with store.transaction() as c:
                result = finish(c, {}) if finish is not None else None
                c.execute("DELETE FROM import_batches WHERE id = ?", [self.id])
                self.published = True
            self.close()
            return {}, result
        self.scratch.conn.commit()
        with store._lock:
            store.conn.execute("ATTACH DATABASE ? AS staged", [str(self.scratch_path)])
            try:
                with store.transaction() as c:
                    offset = c.execute("SELECT ifnull(max(id), 0) FROM main.documents").fetchone()[0]
                    for table in STAGED_TABLES:
                        cols = _common_columns(c, table)
                        shifted = [f"{col} + {offset}" if col in ("id", "document_id")
                                   and not (table == "segments" and col == "id") else col
                                   for col in cols]
                        where = " WHERE document_id > 0" if table == "segments" else ""
                        c.execute(f"INSERT INTO main.{table} ({', '.join(cols)}) "
                                  f"SELECT {', '.join(shifted)} FROM staged.{table}{where}")
                    doc_ids = {key: key + offset for key in self.keys}
                    result = finish(c, doc_ids) if finish is not None else None
                    c.execute("DELETE FROM import_batches WHERE id = ?", [self.id])
                    self.published = True
            finally:
                store.conn.execute("DETACH DATABASE staged")
        self.close()
        return doc_ids, result

    # -- ending -------------------------------------------------------------------------
    def close(self) -> None:
        """Discard what was not published (index rows, batch record) and the scratch file."""
        if self.closed:
            return
        self.closed = True
        self._pending = []
        if self._scratch is not None:
            with contextlib.suppress(Exception):
                self._scratch.conn.close()
        if self.published:          # (publish removed the record; its rows are all owned)
            if self.fts_next > self.fts_base and self.store.scalar(
                    "SELECT count(*) FROM import_batches WHERE id = ?", [self.id]):
                discard_batch(self.store, self.id, self.fts_base, self.fts_next)
        else:
            discard_batch(self.store, self.id, self.fts_base, self.fts_next)
        self._forget()

    def _forget(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(str(self.scratch_path) + suffix).unlink()


def _common_columns(c: sqlite3.Connection, table: str) -> list[str]:
    main = [r[1] for r in c.execute(f"PRAGMA main.table_info({table})")]
    staged = {r[1] for r in c.execute(f"PRAGMA staged.table_info({table})")}
    return [f'"{col}"' if not col.isidentifier() else col for col in main if col in staged]


def discard_batch(store: StoreCore, batch_id: int, base: int, upto: int) -> None:
    """Remove a batch's index rows that no segment owns (all of them when nothing was
    published), a bounded number per transaction, then its record."""
    low = base
    while low < upto:
        with store.transaction() as c:
            ids = [r[0] for r in c.execute(
                "SELECT rowid FROM segments_fts WHERE rowid >= ? AND rowid < ? ORDER BY rowid "
                "LIMIT ?", [low, upto, DISCARD_CHUNK_ROWS])]
            if not ids:
                break
            owned = {r[0] for r in c.execute(
                "SELECT id FROM segments WHERE id >= ? AND id <= ?", [ids[0], ids[-1]])}
            c.executemany("DELETE FROM segments_fts WHERE rowid = ?",
                          [(i,) for i in ids if i not in owned])
            low = ids[-1] + 1
    with store.transaction() as c:
        c.execute("DELETE FROM import_batches WHERE id = ?", [batch_id])


class BatchStore(FieldStore):
    """Store mixin: long imports in batches, and the clean-up of abandoned ones."""

    #: True on a batch's scratch store (which never batches itself).
    is_scratch = False

    @staticmethod
    def _ensure_wave(c: sqlite3.Connection, wave: str) -> None:
        """A wave the caller allowed to be new is added after the project's waves."""
        c.execute("INSERT OR IGNORE INTO waves(name, position) "
                  "VALUES (?, (SELECT ifnull(max(position), 0) + 1 FROM waves))", [wave])

    def batch_worthy(self, text: str) -> bool:
        """Whether inserting a document of this text would hold the lock too long (more
        than :data:`BATCH_TEXT_CHARS`; not inside an open transaction, not on a scratch
        store)."""
        return (len(text) > BATCH_TEXT_CHARS and not self.is_scratch
                and not getattr(self, "_depth", 0))

    def insert_document_batched(self, fields: dict[str, Any], segments: Sequence[dict] | Sequence[tuple],
                                participants: Sequence[tuple[str, str]] = (),
                                coder: str | None = None, *,
                                typed_fields: tuple | None = None,
                                importer: str | None = None,
                                cases: Sequence[tuple[str, str]] = ()) -> int:
        """:meth:`insert_document` for a long text, through an :class:`ImportBatch` (its
        wave and case links written when it is published)."""
        fields = dict(fields)
        wave = fields.pop("wave", None)
        with self.import_batch("document.import", coder) as batch:
            key = batch.add_document(fields, segments, participants)

            def finish(c: sqlite3.Connection, doc_ids: dict[int, int]) -> None:
                doc_id = doc_ids[key]
                if wave:
                    self._ensure_wave(c, wave)
                    c.execute("UPDATE documents SET wave = ? WHERE id = ?", [wave, doc_id])
                for case_id, speaker in cases:
                    c.execute("INSERT OR IGNORE INTO document_cases(document_id, case_id, "
                              "speaker) VALUES (?, ?, ?)", [doc_id, case_id, speaker or ""])
                if importer and fields.get("imported_by") is None:
                    c.execute("UPDATE documents SET imported_by = ? WHERE id = ?",
                              [self.ensure_coder(importer), doc_id])
                if typed_fields is not None:
                    defs, values, restored = typed_fields
                    self.write_field_defs(c, "document", defs)
                    self.write_field_values(c, "document", [
                        *restored, *((doc_id, name, text, num) for name, (text, num)
                                     in values.items() if text is not None)])
                self.log_change(coder, "document.import", "document", doc_id,
                                {"name": fields["name"], "source_file": fields.get("source_file")})

            doc_ids, _ = batch.publish(finish)
        return doc_ids[key]

    @contextlib.contextmanager
    def import_batch(self, label: str, coder: str | None = None) -> Iterator[ImportBatch]:
        """A batch for one long import; anything not published when the block ends
        (an error, a cancel) is discarded."""
        batch = ImportBatch(cast("DocumentStore", self), label, coder)
        try:
            yield batch
        finally:
            batch.close()

    def recover_batches(self) -> int:
        """Discard the batches whose process is gone (killed during an import); returns
        how many were cleaned up."""
        try:
            rows = self.query("SELECT id, pid, host, scratch, fts_base, fts_next "
                              "FROM import_batches")
        except sqlite3.OperationalError:      # before migration 0040
            return 0
        host = _host()
        cleaned = 0
        for r in rows:
            if r["host"] != host or r["pid"] == os.getpid() or pid_alive(r["pid"]):
                continue
            discard_batch(self, r["id"], r["fts_base"], r["fts_next"])
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    (self.path.parent / (r["scratch"] + suffix)).unlink()
            cleaned += 1
        return cleaned
