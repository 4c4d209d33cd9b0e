"""What SQLite and the file system say, as sentences a user can act on.

Every SQLite failure that is about the *file* rather than about our code (full disk,
damaged pages, not a database, locked by another program, read-only, I/O errors)
becomes one of the :class:`StoreError` classes below, which are
:class:`workbench.domain.WorkbenchError`\\ s: the CLI prints them on one line (exit 1),
the TUI shows them in a dialog, notebook users read them.  :func:`translate` is the
one place that decides; the facade (:mod:`workbench.project`), the CLI and the TUI all
call it, so no raw ``sqlite3.DatabaseError`` or ENOSPC traceback reaches a user.
Programming errors (a misspelt column, a constraint our code should have checked)
are not translated: they are bugs and keep their traceback.
"""
from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from workbench.domain import WorkbenchError
from workbench.i18n import N_, _

__all__ = ["DamagedProjectError", "DiskFullError", "NotAProjectError", "ProjectBusyError",
           "WouldWait", "WriteCancelled",
           "ReadOnlyError", "StoreError", "StoreIOError", "as_user_error", "is_disk_full",
           "translate", "translate_os_error"]

# SQLite primary result codes (https://sqlite.org/rescode.html)
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM, SQLITE_READONLY = 3, 5, 6, 7, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26
DISK_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class StoreError(WorkbenchError):
    """A problem with the project file itself (its message names the file)."""

    title = N_("Project file")


class NotAProjectError(StoreError):
    title = N_("Not a project")


class DamagedProjectError(StoreError):
    title = N_("Damaged project")


class DiskFullError(StoreError):
    title = N_("Disk full")


class ProjectBusyError(StoreError):
    title = N_("Project busy")


class WouldWait(ProjectBusyError):
    """Another program holds the write lock and the caller asked not to wait for it
    (:meth:`StoreCore.first_write`): nothing was written."""


class WriteCancelled(ProjectBusyError):
    """The wait for another program was cancelled (:meth:`StoreCore.first_write`):
    nothing was written."""
    title = N_("Cancelled")


class ReadOnlyError(StoreError):
    title = N_("Read-only")


class StoreIOError(StoreError):
    title = N_("Input/output error")


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        text = str(exc).lower()
        for needle, value in (("disk is full", SQLITE_FULL), ("database is locked", SQLITE_BUSY),
                              ("malformed", SQLITE_CORRUPT), ("not a database", SQLITE_NOTADB),
                              ("disk i/o error", SQLITE_IOERR), ("readonly", SQLITE_READONLY)):
            if needle in text:
                return value
        return None
    return code & 0xFF


def damaged_message(path: str | Path, detail: str) -> str:
    return _("{path}: the project file is damaged ({detail}). Nothing was changed. Restore "
             "it from a backup, or run: workbench check {path} --repair").format(
                 path=path, detail=detail)


def disk_full_message(path: str | Path) -> str:
    return _("{path}: the disk is full; nothing was written. Free some space and try "
             "again.").format(path=path)


def translate(exc: sqlite3.Error, path: str | Path) -> Exception:
    """The :class:`StoreError` for ``exc`` on project ``path``, or ``exc`` itself when it
    is a programming error (raise what this returns)."""
    if isinstance(exc, StoreError):
        return exc
    code = _code(exc)
    if code == SQLITE_FULL:
        return DiskFullError(disk_full_message(path))
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return ProjectBusyError(_("{path}: another program kept the project busy for too "
                                  "long; nothing was changed. Try again in a moment.")
                                .format(path=path))
    if code == SQLITE_CORRUPT:
        return DamagedProjectError(damaged_message(path, str(exc)))
    if code == SQLITE_NOTADB:
        return NotAProjectError(_("{path}: not a Workbench project (not an SQLite "
                                  "database, or an encrypted or damaged one)").format(path=path))
    if code in (SQLITE_READONLY, SQLITE_PERM):
        return ReadOnlyError(_("{path}: the project cannot be written (read-only file or "
                               "folder); nothing was changed").format(path=path))
    if code == SQLITE_CANTOPEN:
        return StoreIOError(_("{path}: the project file cannot be opened (missing folder, "
                              "permissions, or too many open files)").format(path=path))
    if code == SQLITE_IOERR:
        return StoreIOError(_("{path}: input/output error while reading or writing the "
                              "project (disk full, removed drive or network share?); nothing "
                              "was changed").format(path=path))
    if code == SQLITE_NOMEM:
        return StoreError(_("{path}: out of memory").format(path=path))
    return exc


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
        return True
    return isinstance(exc, sqlite3.Error) and _code(exc) == SQLITE_FULL


def translate_os_error(exc: OSError) -> Exception:
    """A :class:`StoreError` for a full disk or a read-only target when writing an output
    file; other OS errors are returned unchanged."""
    where = exc.filename or ""
    if exc.errno in DISK_FULL_ERRNOS:
        return DiskFullError(disk_full_message(where or _("output file")))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ReadOnlyError(_("{path}: cannot write there (permission denied or read-only "
                               "disk)").format(path=where or _("output file")))
    return exc


def as_user_error(exc: BaseException, path: str | Path = "project") -> BaseException:
    """``exc`` as the user-facing error the faces show (a :class:`StoreError` for SQLite
    and output-file errors about the file), or unchanged."""
    if isinstance(exc, sqlite3.Error):
        return translate(exc, path)
    if isinstance(exc, OSError):
        return translate_os_error(exc)
    return exc
