"""The Store: the only place that speaks SQL to a project file.

One SQLite file per project, opened through sqlite-utils with WAL, foreign keys,
a busy timeout and ``synchronous=FULL`` (sqlite-utils only to migrate): a write is durable when the call returns.
All writes happen inside :meth:`Store.transaction`, which serialises threads of one
process with a lock; SQLite's own locking (WAL + busy timeout) serialises processes.

Opening refuses what is not a project (an empty file, another kind of file, an SQLite
database that is not Workbench's) and runs SQLite's ``quick_check`` within a time
budget (:data:`CHECK_BUDGET_S`), so a damaged file is named as such instead of failing
later.  A writer that finds the project busy (another process is committing) waits,
says so through :attr:`StoreCore.on_wait`, and keeps waiting up to
:data:`MAX_WRITE_WAIT_S`; long imports never hold the lock for long (see
:mod:`workbench.store.batch`).  SQLite errors about the file become
:mod:`workbench.store.errors` classes.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

if TYPE_CHECKING:
    from sqlite_utils import Database

from workbench.i18n import _
from workbench.store.errors import (SQLITE_BUSY, SQLITE_LOCKED, DamagedProjectError,
                                    NotAProjectError, ProjectBusyError, StoreError, WouldWait,
                                    WriteCancelled, _code, damaged_message, translate)

#: query parameters: a sequence (?) or a mapping (:name)
Params = Sequence[Any] | Mapping[str, Any]

#: How long one attempt to take the write lock waits inside SQLite before we say that
#: we are waiting (and try again).
BUSY_TIMEOUT_MS = 1_000
#: How long a writer keeps waiting for another process before giving up with a clear
#: message (no "database is locked" ever reaches a user).
MAX_WRITE_WAIT_S = float(os.environ.get("WORKBENCH_MAX_WRITE_WAIT", "600"))
#: Time budget of the integrity check on open (a big file is checked in part; damage
#: found later is still reported as damage, never as a raw error).
CHECK_BUDGET_S = float(os.environ.get("WORKBENCH_CHECK_BUDGET", "0.1"))
#: How long a write that must not wait (the interface's changes) gives another program
#: that is just finishing a commit before it says it would wait.
NO_WAIT_TIMEOUT_MS = 100
#: Page cache of a connection while it writes one big import (KiB; SQLite's default is
#: 2 MB): the indexes of tens of thousands of new codings stay in memory instead of
#: being spilled and read back within the transaction (a quarter less work).
BULK_CACHE_KIB = 16_384
_READERS_LOCK = threading.Lock()        # guards opening a store's read-only connection

_log = logging.getLogger("workbench")


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def _default_on_wait(message: str) -> None:
    _log.warning(message)


#: the migration set of workbench.store.schema (recorded in ``_sqlite_migrations``)
MIGRATION_SET = "workbench"


@functools.lru_cache(maxsize=1)
def migration_names() -> list[str]:
    """Every migration's name, in order, from the file names (``mNNNN_name.py`` has
    ``NAME = "NNNN_name"``; tests/test_migrations.py checks they agree with the
    registered ones), without importing them."""
    from workbench.store import migrations as package
    names = [Path(f).stem[1:] for f in os.listdir(package.__path__[0])
             if f.startswith("m") and f.endswith(".py")]
    return ["0001_initial", *sorted(names)]


def rowid(cur: sqlite3.Cursor) -> int:
    """The id of the row the INSERT run by ``cur`` made."""
    value = cur.lastrowid
    if value is None:  # pragma: no cover - an INSERT always sets it
        raise StoreError("no row was inserted")
    return value


class StoreCore:
    """Connection, pragmas, migrations, transactions and the change log."""

    def __init__(self, path: str | Path, *, create: bool = False, check: bool = True):
        self.path = Path(path)
        #: Called with a message when a write must wait for another process.
        self.on_wait: Callable[[str], None] = _default_on_wait
        #: per thread: how the next write transaction takes the lock (first_write)
        self._first_write = threading.local()
        if not create:
            self._refuse_non_project_file()
        elif self.path.exists() and self.path.stat().st_size > 0:
            raise StoreError(_("{path}: a file already exists there").format(path=self.path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(
                str(self.path), isolation_level=None, check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from None
        conn.row_factory = sqlite3.Row
        self.conn = conn
        self._db: Database | None = None
        self._lock = threading.RLock()
        self._depth = 0
        self._wrote = False
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not create:      # before any pragma that writes (WAL): a file not ours stays as is
                self._refuse_foreign_database()
                if check:
                    self.quick_check(CHECK_BUDGET_S)
            self._pragmas()
            with self._lock:
                self.migrations_applied = self._migrate()
            if not create:
                self._recover()
        except StoreError:
            conn.close()
            raise
        except sqlite3.Error as exc:
            conn.close()
            error = translate(exc, self.path)
            if error is exc:
                raise NotAProjectError(_("{path}: not a Workbench project ({detail})")
                                       .format(path=self.path, detail=exc)) from None
            raise error from None

    def _recover(self) -> None:
        """Clean up after a process killed in the middle of a long import (its batch's
        index rows and scratch file); never a reason not to open."""
        recover = getattr(self, "recover_batches", None)
        if recover is None:
            return
        try:
            recover()
        except (StoreError, sqlite3.Error) as exc:
            _log.warning("%s: could not clean up an interrupted import yet (%s)", self.path, exc)

    def _refuse_non_project_file(self) -> None:
        if not self.path.exists():
            raise StoreError(_("{path}: no such project file").format(path=self.path))
        if not self.path.is_file():
            raise NotAProjectError(_("{path}: not a Workbench project (not a file)")
                                   .format(path=self.path))
        try:
            with open(self.path, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise StoreError(_("{path}: cannot read the project file ({detail})")
                             .format(path=self.path, detail=exc.strerror or exc)) from None
        if not head:
            raise NotAProjectError(_("{path}: empty file (0 bytes), not a Workbench project; "
                                     "to start a project there, delete it and run: "
                                     "workbench init {path}").format(path=self.path))
        if head != b"SQLite format 3\x00":
            raise NotAProjectError(_("{path}: not a Workbench project (not an SQLite file)")
                                   .format(path=self.path))

    def _refuse_foreign_database(self) -> None:
        """An SQLite file that is not ours (no Workbench tables) is never migrated into one."""
        names = {r[0] for r in self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
            "('meta', '_sqlite_migrations')")}
        if names != {"meta", "_sqlite_migrations"}:
            raise NotAProjectError(_("{path}: an SQLite database, but not a Workbench project")
                                   .format(path=self.path))

    def quick_check(self, budget_s: float | None = None) -> bool:
        """SQLite's ``quick_check``; ``budget_s`` bounds its time (``None``: no bound).

        :returns: True when the whole file was checked, False when the budget ran out.
        :raises DamagedProjectError: the check found damage.
        """
        timer = None
        if budget_s is not None:
            timer = threading.Timer(budget_s, self.conn.interrupt)
            timer.daemon = True
            timer.start()
        try:
            with self._lock:
                rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.OperationalError as exc:
            if budget_s is not None and "interrupt" in str(exc).lower():
                return False
            raise
        except sqlite3.DatabaseError as exc:
            raise DamagedProjectError(damaged_message(self.path, str(exc))) from None
        finally:
            if timer is not None:
                timer.cancel()
        if rows != ["ok"]:
            raise DamagedProjectError(damaged_message(self.path, "; ".join(rows)))
        return True

    def integrity_problems(self) -> list[str]:
        """The whole ``PRAGMA integrity_check`` (no time bound) plus the full-text index's
        own check; an empty list means the file is sound."""
        problems: list[str] = []
        try:
            with self._lock:
                rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check(100)")]
            if rows != ["ok"]:
                problems.extend(rows)
            with self._lock:
                self.conn.execute("INSERT INTO segments_fts(segments_fts, rank) "
                                  "VALUES ('integrity-check', 0)")
        except sqlite3.DatabaseError as exc:
            problems.append(str(exc))
        return problems

    def rebuild_copy(self, target: Path) -> list[str]:
        """Write a fresh copy of the project to ``target``: a new file with the current
        schema, every table's rows read by a plain table scan (``NOT INDEXED``, so a
        damaged index page is never read), every index and the full-text index built
        anew.  Returns the copy's problems (empty: sound) or why the copy failed."""
        fresh = None
        try:
            fresh = StoreCore(target, create=True)
            c = fresh.conn
            c.execute("PRAGMA foreign_keys = OFF")
            c.execute("ATTACH DATABASE ? AS damaged", [str(self.path)])
            c.execute("BEGIN IMMEDIATE")
            tables = [r[0] for r in c.execute(
                "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE "
                "'sqlite_%' AND name NOT LIKE 'segments_fts%' AND name != '_sqlite_migrations' "
                "AND sql NOT LIKE 'CREATE VIRTUAL%'")]
            old = {r[0] for r in c.execute("SELECT name FROM damaged.sqlite_master "
                                           "WHERE type = 'table'")}
            for table in tables:
                if table not in old:
                    continue
                new_cols = [r[1] for r in c.execute(f'PRAGMA main.table_info("{table}")')]
                old_cols = {r[1] for r in c.execute(f'PRAGMA damaged.table_info("{table}")')}
                cols = ", ".join(f'"{col}"' for col in new_cols if col in old_cols)
                c.execute(f'DELETE FROM main."{table}"')
                c.execute(f'INSERT INTO main."{table}" ({cols}) '
                          f'SELECT {cols} FROM damaged."{table}" NOT INDEXED')
            try:
                c.execute("INSERT INTO main.segments_fts(rowid, text) "
                          "SELECT rowid, text FROM damaged.segments_fts")
            except sqlite3.DatabaseError:       # the index itself is damaged: from the text
                c.execute("DELETE FROM main.segments_fts")
                c.execute("INSERT INTO main.segments_fts(rowid, text) SELECT s.id, "
                          "substr(d.text, s.start + 1, s.end - s.start) FROM main.segments s "
                          "JOIN main.documents d ON d.id = s.document_id")
            c.execute("COMMIT")
            c.execute("DETACH DATABASE damaged")
            c.execute("PRAGMA foreign_keys = ON")
            problems = fresh.integrity_problems()
            problems += [f"foreign key: {tuple(r)}" for r in
                         c.execute("PRAGMA foreign_key_check").fetchmany(20)]
            return problems
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        finally:
            if fresh is not None:
                fresh.conn.close()

    @property
    def db(self) -> Database:
        """The sqlite-utils view of the connection (it imports pandas and numpy: made
        only when a migration runs)."""
        if self._db is None:
            from sqlite_utils import Database
            self._db = Database(self.conn)
        return self._db

    def _migrate(self) -> list[str]:
        """Apply pending migrations; when none is pending (every open but the first after
        an upgrade), find it out with one query, without loading sqlite-utils."""
        try:
            done = {r[0] for r in self.conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                [MIGRATION_SET])}
        except sqlite3.OperationalError:      # a new file: no migrations table yet
            done = set()
        if set(migration_names()) <= done:
            return []
        from workbench.store.schema import apply_migrations
        return self._with_wait(lambda: apply_migrations(self.db))

    def _pragmas(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("PRAGMA synchronous = FULL")
        c.execute("PRAGMA foreign_keys = ON")

    def close(self) -> None:
        self._close_read_only()
        with self._lock:
            if self._wrote:     # a read-only session never writes (a damaged file stays as is)
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
            policy = getattr(self._first_write, "policy", None)
            if policy is None:
                self._with_wait(lambda: self.conn.execute("BEGIN IMMEDIATE"))
            else:
                self._first_write.policy = None        # later transactions wait as usual
                self._begin_first(*policy)
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
                self._wrote = True

    @contextlib.contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: a part undone alone when it raises (the transaction goes
        on without it), as a file of an import written with others."""
        with self._lock:
            if not self._depth:
                raise RuntimeError("a savepoint belongs inside a transaction")
            self.conn.execute("SAVEPOINT part")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK TO part")
                    self.conn.execute("RELEASE part")
                raise
            self.conn.execute("RELEASE part")

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Within this block this connection has a bigger page cache
        (:data:`BULK_CACHE_KIB`), for an import writing many rows in one transaction."""
        with self._lock:
            old = self.conn.execute("PRAGMA cache_size").fetchone()[0]
            self.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            with self._lock:
                self.conn.execute(f"PRAGMA cache_size = {int(old)}")

    @contextlib.contextmanager
    def first_write(self, *, wait: bool = True,
                    cancelled: Callable[[], bool] | None = None) -> Iterator[None]:
        """Within this block (in this thread), the first write transaction takes the
        lock differently: ``wait=False`` raises :class:`WouldWait` at once when another
        program holds it; ``cancelled`` stops the wait with :class:`WriteCancelled` when
        it returns true.  Either way nothing was written when they are raised, so the
        whole block can be run again later (the interface runs a change that would wait
        as a long job, with a dialog, instead of freezing).  Later transactions of the
        block wait as usual."""
        state = self._first_write
        old = getattr(state, "policy", None)
        state.policy = (wait, cancelled)
        try:
            yield
        finally:
            state.policy = old

    def _begin_first(self, wait: bool, cancelled: Callable[[], bool] | None) -> None:
        if wait:
            self._with_wait(lambda: self.conn.execute("BEGIN IMMEDIATE"), cancelled=cancelled)
            return
        self.conn.execute(f"PRAGMA busy_timeout = {NO_WAIT_TIMEOUT_MS}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _code(exc) not in (SQLITE_BUSY, SQLITE_LOCKED):
                raise
            raise WouldWait(_("{path}: another program is writing to the project").format(
                path=self.path)) from None
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def _with_wait(self, fn: Callable[[], Any],
                   cancelled: Callable[[], bool] | None = None) -> Any:
        """Run ``fn`` (which takes the write lock), waiting for other writers: after
        :data:`BUSY_TIMEOUT_MS`, say so through :attr:`on_wait`, then keep trying until
        :data:`MAX_WRITE_WAIT_S`; then :class:`ProjectBusyError`."""
        started = time.monotonic()
        announced = False
        while True:
            try:
                return fn()
            except sqlite3.OperationalError as exc:
                if _code(exc) not in (SQLITE_BUSY, SQLITE_LOCKED):
                    raise
                if cancelled is not None and cancelled():
                    raise WriteCancelled(_("{path}: cancelled while waiting for another "
                                           "program; nothing was changed").format(
                                               path=self.path)) from None
                waited = time.monotonic() - started
                if waited >= MAX_WRITE_WAIT_S:
                    raise ProjectBusyError(_(
                        "{path}: another program has been writing to the project for {n} s; "
                        "nothing was changed. Try again when it has finished.").format(
                            path=self.path, n=int(waited))) from None
                if not announced:
                    announced = True
                    try:
                        self.on_wait(_("{path}: another program is writing to the project; "
                                       "waiting for it to finish…").format(path=self.path))
                    except Exception:   # a notifier must never break a write
                        pass

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

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        with self.reading() as c:
            return c.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Params = ()) -> Any:
        with self.reading() as c:
            row = c.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- meta, coders, change log ---------------------------------------------------
    def schema_version(self) -> str:
        return migration_names()[-1]

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
            return rowid(c.execute("INSERT INTO coders(name, created_at) VALUES (?, ?)",
                                   [name, now()]))

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
