"""The Store: the only place that speaks SQL to a project file.

One SQLite file per project, opened through sqlite-utils with WAL, foreign keys,
a busy timeout and ``synchronous=FULL``: a write is durable when the call returns.
All writes happen inside :meth:`Store.transaction`, which serialises threads of one
process with a lock; SQLite's own locking (WAL + busy timeout) serialises processes.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator

from sqlite_utils import Database

from workbench.store.schema import apply_migrations, latest_version

BUSY_TIMEOUT_MS = 10_000
_READERS_LOCK = threading.Lock()        # guards opening a store's read-only connection


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


class StoreError(Exception):
    pass


class StoreCore:
    """Connection, pragmas, migrations, transactions and the change log."""

    def __init__(self, path: str | Path, *, create: bool = False):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no such project file")
        if create and self.path.exists() and self.path.stat().st_size > 0:
            raise StoreError(f"{self.path}: a file already exists there")
        if not create:
            with open(self.path, "rb") as fh:
                head = fh.read(16)
            if head and head != b"SQLite format 3\x00":
                raise StoreError(f"{self.path}: not a Workbench project (not an SQLite file)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            str(self.path), isolation_level=None, check_same_thread=False,
            timeout=BUSY_TIMEOUT_MS / 1000,
        )
        conn.row_factory = sqlite3.Row
        self.conn = conn
        self.db = Database(conn)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._pragmas()
            with self._lock:
                self.migrations_applied = apply_migrations(self.db)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{self.path}: not a Workbench project ({exc})") from exc

    def _pragmas(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self._close_read_only()
        with self._lock:
            try:
                self.conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            self.conn.close()

    # -- transactions ------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``); nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self.conn
            except BaseException:
                self._depth = 0
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            else:
                self._depth = 0
                self.conn.execute("COMMIT")

    # -- reads never wait behind another thread's write ------------------------------
    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A connection to read with, at once.  This process's connection when it is free
        (or this thread's own transaction holds it, whose uncommitted rows it then sees);
        while another thread writes through it (an import, an autocode run in a worker),
        a read-only connection instead, which WAL lets read the last committed state
        without waiting: the interface never freezes behind a worker's write."""
        if self._lock.acquire(blocking=False):
            try:
                yield self.conn
            finally:
                self._lock.release()
            return
        reader, lock = self._read_only()
        with lock:
            yield reader

    def _read_only(self) -> tuple[sqlite3.Connection, threading.Lock]:
        with _READERS_LOCK:
            found = self.__dict__.get("_reader")
            if found is None:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False,
                                       timeout=BUSY_TIMEOUT_MS / 1000)
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA query_only = ON")
                found = self._reader = (conn, threading.Lock())
            return found

    def _close_read_only(self) -> None:
        with _READERS_LOCK:
            found = self.__dict__.pop("_reader", None)
        if found is not None:
            with found[1]:
                found[0].close()

    def query(self, sql: str, params: Iterable[Any] | dict = ()) -> list[sqlite3.Row]:
        with self.reading() as c:
            return c.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Iterable[Any] | dict = ()) -> Any:
        with self.reading() as c:
            row = c.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- meta, coders, change log ---------------------------------------------------
    def schema_version(self) -> str:
        return latest_version()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", [key])
        return default if value is None else value

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as c:
            c.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])

    def ensure_coder(self, name: str) -> int:
        with self.transaction() as c:
            row = c.execute("SELECT id FROM coders WHERE name = ?", [name]).fetchone()
            if row:
                return row[0]
            return c.execute("INSERT INTO coders(name, created_at) VALUES (?, ?)",
                             [name, now()]).lastrowid

    def coder_id(self, name: str) -> int | None:
        return self.scalar("SELECT id FROM coders WHERE name = ?", [name])

    def list_coders(self) -> list[dict]:
        return [dict(r) for r in self.query(
            "SELECT c.id, c.name, c.created_at, "
            "(SELECT count(*) FROM codings k WHERE k.coder_id = c.id) AS codings "
            "FROM coders c ORDER BY c.name")]

    def log_change(self, coder: str | None, action: str, target_type: str | None = None,
                   target_id: Any = None, details: dict | None = None) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO change_log(at, coder, action, target_type, target_id, details) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [now(), coder, action, target_type,
                 None if target_id is None else str(target_id),
                 json.dumps(details, ensure_ascii=False) if details else None])

    def change_log(self, limit: int = 50, action_prefix: str | None = None) -> list[dict]:
        if action_prefix:
            rows = self.query("SELECT * FROM change_log WHERE action LIKE ? "
                              "ORDER BY id DESC LIMIT ?", [action_prefix + "%", limit])
        else:
            rows = self.query("SELECT * FROM change_log ORDER BY id DESC LIMIT ?", [limit])
        out = []
        for r in rows:
            d = dict(r)
            d["details"] = json.loads(d["details"]) if d["details"] else {}
            out.append(d)
        return out

    def data_version(self) -> tuple[int, int] | None:
        """Changes when any process commits: used by the TUI to refresh.  None while
        another thread of this process is writing (asked again later, never waited for;
        ``PRAGMA data_version`` is only comparable on one connection)."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            dv = self.conn.execute("PRAGMA data_version").fetchone()[0]
            last = self.conn.execute("SELECT ifnull(max(id), 0) FROM change_log").fetchone()[0]
        finally:
            self._lock.release()
        return dv, last
