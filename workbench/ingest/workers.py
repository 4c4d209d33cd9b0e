"""Parsing an import's files in worker processes, results in the order of the files.

Parsing (decoding, turns, speakers, timestamps, word counts) is pure Python work that
never touches the project: with two cores or more, and enough text to pay for starting
the processes (:data:`PARALLEL_MIN_BYTES`, :data:`PARALLEL_MIN_FILES`), files are
parsed in a :class:`~concurrent.futures.ProcessPoolExecutor` while the importing
process writes the ones already parsed.  Otherwise, or when the processes cannot be
started, the same function runs in the importing process: the results are the same
either way.

* **Entry point**: :func:`parse_in_worker`, a module-level function that sets the
  messages' language and calls :func:`workbench.ingest.service.parse_job`: it works under
  ``fork``, ``forkserver`` and ``spawn``.  ``fork`` (instant: nothing to import again)
  is used only on Linux in a process with a single thread (the command line); a process
  with threads (the terminal interface) uses ``forkserver``, elsewhere ``spawn``.
* **Errors** stay each file's own: ``parse_job`` returns the failed result naming the
  file; a worker that dies (out of memory) fails the file it was parsing with a message
  saying so, and the rest are parsed in the importing process.
* **Memory** is bounded: at most :data:`AHEAD_FILES` files per worker and
  :data:`AHEAD_BYTES` bytes of files are parsed ahead of the writer.
* **Cancel**: :meth:`Parsers.cancel` drops what is queued and does not wait for the
  files being parsed.
"""
from __future__ import annotations

import collections
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from workbench.i18n import _, language, set_language
from workbench.ingest.service import FileJob, ImportResult, ParsedFile, parse_job

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

#: Below this many bytes of files in all, or this many files, parsing stays in the
#: importing process (starting workers costs more than it saves).
PARALLEL_MIN_BYTES = int(os.environ.get("WORKBENCH_PARALLEL_MIN_BYTES", 4_000_000))
PARALLEL_MIN_FILES = 4
#: Files queued per worker, and bytes of files in all, parsed ahead of the writer.
AHEAD_FILES = 3
AHEAD_BYTES = 64 * 1024 * 1024

#: What preparing a file gives: its digest and the job, or its result already known.
Prepared = tuple[str, FileJob] | ImportResult
#: What :meth:`Parsers.next` gives: (digest, parsed file or failed result), or
#: (None, result) for a file known before parsing (unreadable, already imported).
Outcome = tuple[str | None, ParsedFile | ImportResult]


def parse_in_worker(job: FileJob) -> ParsedFile | ImportResult:
    """The worker processes' entry point: :func:`parse_job` in the importer's language."""
    if job.language and job.language != language():
        set_language(job.language)
    return parse_job(job)


def worker_count(paths: Sequence[Path]) -> int:
    """How many worker processes to parse these files with (0: none).
    ``WORKBENCH_IMPORT_WORKERS`` sets it (0 turns them off)."""
    wanted = os.environ.get("WORKBENCH_IMPORT_WORKERS", "")
    if wanted.strip().isdigit():
        cores = int(wanted)
    else:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
    if cores < 2 or len(paths) < PARALLEL_MIN_FILES:
        return 0
    size = 0
    for path in paths:
        try:
            size += path.stat().st_size
        except OSError:
            continue
        if size >= PARALLEL_MIN_BYTES:
            return min(cores, len(paths))
    return 0


def executor(workers: int) -> ProcessPoolExecutor:
    """The pool (imported here: an import that parses in-process never loads it)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=_context())


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")


class Parsers:
    """The parse results of ``files`` in order: ``prepare(i)`` (in the importing
    process: read, hash, already imported?) gives the job, parsed here or in workers."""

    def __init__(self, files: Sequence[Path], prepare: Callable[[int], Prepared]):
        self.files = files
        self.prepare = prepare
        self.workers = worker_count(files)
        self.pool: ProcessPoolExecutor | None = None
        self.queue: collections.deque[tuple[str, FileJob, Future | None] | ImportResult] = \
            collections.deque()
        self.queued_bytes = 0
        self.next_index = 0         # the next file to prepare
        if self.workers:
            try:
                self.pool = executor(self.workers)
            except (OSError, ValueError, ImportError):     # no processes here: parse inline
                self.pool = None

    def __enter__(self) -> Parsers:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.shutdown(wait=True)
            else:
                self.cancel()

    def cancel(self) -> None:
        """Drop what is queued; the files being parsed are not waited for."""
        self.queue.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def _fill(self) -> None:
        """Queue files ahead of the writer, within the bounds."""
        while self.next_index < len(self.files):
            if self.queue and (len(self.queue) >= AHEAD_FILES * max(self.workers, 1)
                               or self.queued_bytes >= AHEAD_BYTES or self.pool is None):
                return
            i = self.next_index
            self.next_index += 1
            prepared = self.prepare(i)
            if isinstance(prepared, ImportResult):
                self.queue.append(prepared)
                continue
            digest, job = prepared
            future = None
            if self.pool is not None:
                future = self.pool.submit(parse_in_worker, job)
                self.queued_bytes += _size(job.path)
            self.queue.append((digest, job, future))

    def next(self) -> Outcome:
        """The next file's outcome (files in order; call once per file)."""
        self._fill()
        item = self.queue.popleft()
        if isinstance(item, ImportResult):
            return None, item
        digest, job, future = item
        if future is None:
            return digest, parse_job(job)
        self.queued_bytes -= _size(job.path)
        from concurrent.futures.process import BrokenProcessPool

        try:
            return digest, future.result()
        except BrokenProcessPool:     # a worker died (out of memory?): the rest inline
            self._inline()
            return digest, ImportResult(job.path, "failed", message=_(
                "{path}: the parsing process stopped unexpectedly (out of memory?)").format(
                    path=job.path))

    def _inline(self) -> None:
        """Parse what is left in this process (the workers are gone)."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        self.queue = collections.deque(
            item if isinstance(item, ImportResult) else (item[0], item[1], None)
            for item in self.queue)
        self.queued_bytes = 0


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
