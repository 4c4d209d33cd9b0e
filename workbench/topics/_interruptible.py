"""Run a long, uninterruptible computation (gensim's LDA passes, UMAP/HDBSCAN, c_v
coherence) so that a cancel stops it at once: in a separate process that is terminated
when ``cancelled()`` turns true, its progress relayed to the caller.

A small corpus runs in this process (starting a process costs more than the whole fit,
and the backends check ``cancelled()`` between passes), with the BLAS libraries on one
thread (see :func:`one_blas_thread`); from :data:`SUBPROCESS_MIN_UNITS` units on, the
work goes to a new Python process (:class:`Spawned`, also the lemmatising helper of
``preprocess.lemmatise``), polled every :data:`POLL_SECONDS`.  Measured by
``benchmarks/bench_topic_cancel.py``.
"""
from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from typing import Any, Callable

from workbench.i18n import _
from workbench.topics._base import (CancelledFn, ProgressFn, TopicModelError,
                                    TopicRunCancelled)

#: From this many units on, a fit or a coherence runs in its own process.
SUBPROCESS_MIN_UNITS = 1500
#: How often the parent looks at ``cancelled()`` and at the child's messages.
POLL_SECONDS = 0.1


def one_blas_thread() -> contextlib.AbstractContextManager:
    """Within this block, numpy's and SciPy's OpenBLAS use one thread.  A small corpus
    gives small matrices (the demo's TF-IDF SVD factorises 708 x 110 blocks), on which
    OpenBLAS's thread pool only costs: with two threads on a busy two-core machine the
    demo's embedding took 0.7-1.9 s of CPU, with one 0.07 s, the same numbers.  SciPy
    carries its own OpenBLAS, loaded with ``scipy.linalg`` (imported here: both
    backends load it anyway), and a limit only reaches the libraries already loaded."""
    try:
        import scipy.linalg  # noqa: F401  (SciPy's OpenBLAS, before the limit is set)
        from threadpoolctl import threadpool_limits
    except ImportError:         # pragma: no cover - both come with scikit-learn/gensim
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _put(out, message: tuple) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def serve() -> None:
    """The child's side of :class:`Spawned` (``python -c``): read the parent's
    ``sys.path``, then ``(fn, args, kwargs, stream)`` from stdin; run it; write pickled
    messages to stdout.  Whatever a library prints goes to stderr instead, so that it
    never mixes with the messages."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        sys.path[:0] = [p for p in pickle.load(sys.stdin.buffer) if p not in sys.path]
        fn, args, kwargs, stream = pickle.load(sys.stdin.buffer)

        def progress(done, total, label=""):
            _put(out, ("progress", done, total, str(label)))

        extra = {"send": lambda part: _put(out, ("part", part))} if stream else {}
        result = fn(*args, progress=progress, cancelled=lambda: False, **extra, **kwargs)
    except BaseException as exc:          # sent back and raised in the parent
        try:
            _put(out, ("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            _put(out, ("error", TopicModelError(_("the topic-model process failed: {problem}")
                                                .format(problem=f"{type(exc).__name__}: {exc}"))))
        return
    _put(out, ("done", result))


_SERVE = ("import sys; sys.path.insert(0, {root!r}); "
          "from workbench.topics._interruptible import serve; serve()")


class Spawned:
    """``fn(*args, progress=, cancelled=, **kwargs)`` run by a new Python process (not a
    fork of this one, which may run threads; and not ``multiprocessing``'s spawn, which
    imports the caller's main script again and hangs or fails when a script has no
    ``if __name__ == "__main__"`` guard).  With ``stream=True`` ``fn`` also gets
    ``send(part)``.  :meth:`get` gives the next message (``("progress", done, total,
    label)``, ``("part", part)`` or ``("done", result)``), raises the child's own
    exception, and :class:`TopicModelError` if the process ended without an answer;
    :meth:`stop` ends it (also on leaving a ``with`` block)."""

    def __init__(self, fn: Callable[..., Any], *args, stream: bool = False, **kwargs):
        import workbench
        root = os.path.dirname(os.path.dirname(os.path.abspath(workbench.__file__)))
        payload = (pickle.dumps(list(sys.path), protocol=pickle.HIGHEST_PROTOCOL)
                   + pickle.dumps((fn, args, kwargs, stream), protocol=pickle.HIGHEST_PROTOCOL))
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE.format(root=root)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.finished = False
        self._inbox: queue.Queue = queue.Queue()
        threading.Thread(target=self._write, args=(payload,), daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()

    def _write(self, payload: bytes) -> None:
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(payload)
            stdin.close()
        except (BrokenPipeError, OSError, ValueError):
            pass                # the child is gone: the reader tells

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while True:
                self._inbox.put(pickle.load(stdout))
        except Exception:  # noqa: BLE001 - end of the stream (or a torn message)
            self._inbox.put(("eof",))

    def get(self, timeout: float | None = POLL_SECONDS) -> tuple | None:
        """The next message, or None if none came within ``timeout`` seconds (0: at
        once)."""
        try:
            message = (self._inbox.get(timeout=timeout) if timeout
                       else self._inbox.get_nowait())
        except queue.Empty:
            return None
        if message[0] == "eof":
            self.finished = True
            try:
                code = self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
            raise TopicModelError(_("the topic-model process stopped (exit code "
                                    "{code})").format(code=code))
        if message[0] == "error":
            self.finished = True
            raise message[1]
        if message[0] == "done":
            self.finished = True
        return message

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass

    def __enter__(self) -> "Spawned":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def run_interruptible(fn: Callable[..., Any], *args, units: int, progress: ProgressFn,
                      cancelled: CancelledFn, **kwargs) -> Any:
    """``fn(*args, progress=, cancelled=, **kwargs)``, stopped within
    :data:`POLL_SECONDS` of ``cancelled()`` turning true (raises
    :class:`TopicRunCancelled`).  ``fn`` and its arguments must be picklable when
    ``units`` reaches :data:`SUBPROCESS_MIN_UNITS`."""
    if units < SUBPROCESS_MIN_UNITS:
        with one_blas_thread():
            return fn(*args, progress=progress, cancelled=cancelled, **kwargs)
    with Spawned(fn, *args, **kwargs) as child:
        while True:
            if cancelled():
                raise TopicRunCancelled()
            message = child.get()
            if message is None:
                continue
            if message[0] == "progress":
                progress(*message[1:])
            else:
                return message[1]
