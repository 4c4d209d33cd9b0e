"""Output files that are whole or absent, and leave no personal data behind.

:func:`atomic_output` is the one way Workbench writes an export (Word, spreadsheets,
CSV, REFI-QDA, codebooks, query results): the target appears (or is replaced) only once
the content is complete and synced, and no temporary file survives a failure:

* where the file system allows it, the bytes go to an *unnamed* file beside the target
  (Linux ``O_TMPFILE``), named only when complete: even ``kill -9`` leaves nothing;
* elsewhere the content is built in memory and written to a hidden ``.*.wbtmp`` file
  beside the target just before the rename (a window of milliseconds); what a killed
  process leaves there is removed by the next export to that folder and when the
  project is opened (:func:`sweep_leftovers`);
* openpyxl, which writes every worksheet to the system temp folder, writes it to
  anonymous memory instead (``memfd``), so the temp folder never holds transcript text.

Every failure path (an exception, a full disk, Ctrl-C, SIGTERM in the CLI) removes the
temporary file; a full disk raises :class:`workbench.store.errors.DiskFullError` naming
the target.
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["TEMP_SUFFIX", "atomic_output", "sweep_leftovers"]

TEMP_SUFFIX = ".wbtmp"
_DISK_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
_patch_lock = threading.Lock()
_patched = False
_UNNAMED_OK: dict[int, bool] = {}


def _temp_name(directory: Path, stem: str) -> Path:
    return directory / f".{stem}.{os.getpid()}-{secrets.token_hex(4)}{TEMP_SUFFIX}"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine still runs (one we may not signal does)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def sweep_leftovers(directory: str | os.PathLike) -> list[Path]:
    """Remove the temporary files that killed Workbench processes left in ``directory``
    (their process is gone); returns what was removed."""
    removed: list[Path] = []
    try:
        candidates = list(Path(directory).glob(f".*{TEMP_SUFFIX}"))
    except OSError:
        return removed
    for path in candidates:
        try:
            pid = int(path.name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[1].split("-", 1)[0])
        except (ValueError, IndexError):
            continue
        if pid != os.getpid() and not pid_alive(pid):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


# ------------------------------------------------------------------ openpyxl in memory

def keep_openpyxl_in_memory() -> None:
    """Make openpyxl write its per-sheet temporary files to anonymous memory (Linux
    ``memfd``) instead of the system temp folder.  Idempotent; a no-op without memfd."""
    global _patched
    with _patch_lock:
        if _patched:
            return
        _patched = True
        if not hasattr(os, "memfd_create") or not os.path.isdir("/proc/self/fd"):
            return                                    # pragma: no cover - not Linux
        try:
            from openpyxl.worksheet import _writer
        except ImportError:                           # pragma: no cover
            return
        original_create = _writer.create_temporary_file
        original_cleanup = _writer.WorksheetWriter.cleanup
        fds: dict[str, int] = {}

        def create_temporary_file(suffix: str = "") -> str:
            try:
                fd = os.memfd_create("openpyxl", os.MFD_CLOEXEC)
            except OSError:
                return original_create(suffix)
            path = f"/proc/self/fd/{fd}"
            fds[path] = fd
            return path

        def cleanup(self) -> None:
            fd = fds.pop(self.out, None) if isinstance(self.out, str) else None
            if fd is None:
                original_cleanup(self)
                return
            with contextlib.suppress(OSError):
                os.close(fd)

        _writer.create_temporary_file = create_temporary_file
        _writer.WorksheetWriter.cleanup = cleanup


# ---------------------------------------------------------------------- our own output

def _unnamed_files_work(directory: Path) -> bool:
    """Whether this file system makes unnamed files (``O_TMPFILE``) that can be given a
    name afterwards (probed once per device: some kernels and sandboxes refuse)."""
    if not hasattr(os, "O_TMPFILE"):
        return False
    try:
        dev = directory.stat().st_dev
    except OSError:
        return False
    if dev not in _UNNAMED_OK:
        ok = False
        probe = _temp_name(directory, "probe")
        try:
            fd = os.open(directory, os.O_WRONLY | os.O_TMPFILE, 0o600)
            try:
                os.link(f"/proc/self/fd/{fd}", probe)
                ok = True
            finally:
                os.close(fd)
        except OSError:
            ok = False
        finally:
            with contextlib.suppress(OSError):
                probe.unlink()
        _UNNAMED_OK[dev] = ok
    return _UNNAMED_OK[dev]


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


class _Output:
    """Where the bytes go until :meth:`publish`: an unnamed file, or memory."""

    def __init__(self, target: Path, mode: str, encoding: str | None, newline: str | None):
        self.target = target
        self.mode = mode
        self.encoding = encoding or "utf-8"
        self.newline = newline
        self.fd = -1
        if _unnamed_files_work(target.parent):
            try:
                self.fd = os.open(target.parent, os.O_WRONLY | os.O_TMPFILE | os.O_CLOEXEC, 0o600)
            except OSError:
                self.fd = -1
        if self.fd >= 0:
            self.fh: IO = (os.fdopen(self.fd, "wb") if mode == "wb" else
                           os.fdopen(self.fd, "w", encoding=self.encoding, newline=newline))
        else:
            self.buffer = io.BytesIO()
            self.fh = self.buffer if mode == "wb" else io.TextIOWrapper(
                self.buffer, encoding=self.encoding, newline=newline, write_through=True)

    def publish(self) -> None:
        temp = _temp_name(self.target.parent, self.target.name)
        self.fh.flush()
        try:
            if self.fd >= 0:
                os.fsync(self.fh.fileno())
                os.link(f"/proc/self/fd/{self.fh.fileno()}", temp)
                self.fh.close()
            else:
                data = self.buffer.getvalue()
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(fd, view):]
                    os.fsync(fd)
                finally:
                    os.close(fd)
                self.buffer = io.BytesIO()
            os.replace(temp, self.target)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        _fsync_dir(self.target.parent)

    def discard(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.fh.close()


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike, mode: str = "wb", *, encoding: str | None = None,
                  newline: str | None = None) -> Iterator[IO]:
    """Write ``target`` through a file object (``mode`` "wb" or "w"); the target appears
    or is replaced only when the block ends without error.

    >>> with atomic_output("exports/table.csv", "w", encoding="utf-8") as fh:  # doctest: +SKIP
    ...     fh.write(text)
    """
    from workbench.store.errors import DiskFullError, disk_full_message, translate_os_error

    if mode not in ("wb", "w"):
        raise ValueError("atomic_output writes ('wb' or 'w') only")
    target = Path(target)
    if target.suffix.lower() in (".xlsx", ".xlsm") or "openpyxl" in sys.modules:
        keep_openpyxl_in_memory()     # (a Word or XML file never loads openpyxl for it)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_leftovers(target.parent)
        out = _Output(target, mode, encoding, newline)
    except OSError as exc:
        exc.filename = exc.filename or str(target)
        error = translate_os_error(exc)
        if error is exc:
            raise
        raise error from None
    done = False
    try:
        yield out.fh
        out.publish()
        done = True
    except OSError as exc:
        if exc.errno in _DISK_FULL:
            raise DiskFullError(disk_full_message(target)) from None
        if not exc.filename or TEMP_SUFFIX in str(exc.filename):
            exc.filename = str(target)
        error = translate_os_error(exc)
        if error is exc:
            raise
        raise error from None
    finally:
        if not done:
            out.discard()
