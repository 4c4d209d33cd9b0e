"""Run a long, uninterruptible computation (gensim's LDA passes, UMAP/HDBSCAN, c_v
coherence) so that a cancel stops it at once: in a separate process that is terminated
when ``cancelled()`` turns true, its progress relayed to the caller.

A small corpus runs in this process (starting a process costs more than the whole fit,
and the backends check ``cancelled()`` between passes), with the BLAS libraries on one
thread (see :func:`one_blas_thread`); from :data:`SUBPROCESS_MIN_UNITS` units on, the
work goes to a spawned process, polled every :data:`POLL_SECONDS`.  Measured by
``benchmarks/bench_topic_cancel.py``.
"""
from __future__ import annotations

import contextlib
import multiprocessing as mp
import queue
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


def _child(fn: Callable, args: tuple, kwargs: dict, messages) -> None:
    def progress(done, total, label=""):
        messages.put(("progress", done, total, str(label)))

    try:
        result = fn(*args, progress=progress, cancelled=lambda: False, **kwargs)
    except BaseException as exc:          # sent back and raised in the parent
        messages.put(("error", exc))
        return
    messages.put(("done", result))


def run_interruptible(fn: Callable[..., Any], *args, units: int, progress: ProgressFn,
                      cancelled: CancelledFn, **kwargs) -> Any:
    """``fn(*args, progress=, cancelled=, **kwargs)``, stopped within
    :data:`POLL_SECONDS` of ``cancelled()`` turning true (raises
    :class:`TopicRunCancelled`).  ``fn`` and its arguments must be picklable when
    ``units`` reaches :data:`SUBPROCESS_MIN_UNITS`."""
    if units < SUBPROCESS_MIN_UNITS:
        with one_blas_thread():
            return fn(*args, progress=progress, cancelled=cancelled, **kwargs)
    context = mp.get_context("spawn")          # no fork of a process that runs threads
    messages = context.Queue()
    child = context.Process(target=_child, args=(fn, args, kwargs, messages), daemon=True)
    child.start()
    try:
        while True:
            if cancelled():
                raise TopicRunCancelled()
            try:
                message = messages.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not child.is_alive() and messages.empty():
                    raise TopicModelError(_("the topic-model process stopped (exit code "
                                            "{code})").format(code=child.exitcode)) from None
                continue
            if message[0] == "progress":
                progress(*message[1:])
            elif message[0] == "error":
                raise message[1]
            else:
                return message[1]
    finally:
        if child.is_alive():
            child.terminate()
        child.join(timeout=2)
        messages.close()
