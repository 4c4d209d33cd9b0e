"""How soon a cancelled topic-model run stops: the time from ``cancelled()`` turning
true to ``run_topics`` raising, at each stage (lemmatising, the LDA passes, coherence),
on synthetic projects of 2,000 and 10,000 respondent turns.  Target: under 2 s.

    .venv/bin/python benchmarks/bench_topic_cancel.py                  # 2000 10000
    .venv/bin/python benchmarks/bench_topic_cancel.py --sizes 2000 --folder /tmp/tc

Each stage is cancelled once, 0.5 s after its first progress report.  Small runs fit in
the caller's process; from ``SUBPROCESS_MIN_UNITS`` units on the fit and the coherence
run in a spawned process that the cancel terminates (workbench/topics/_interruptible.py).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

STAGES = {"lemmatising": "lemmatising", "fit": "LDA pass", "coherence": "coherence"}


def build(size: int, folder: Path) -> Path:
    from bench_topics import build as build_topics
    return build_topics(size, folder)


def cancel_at(path: Path, label: str, *, fresh_lemmas: bool) -> float:
    """Seconds from the cancel to the raise, cancelling 0.5 s after ``label`` shows."""
    from workbench.project import Project
    from workbench.topics import TopicRunCancelled
    first_seen: list[float] = []
    cancel_time: list[float] = []

    def progress(done, total, what=""):
        if what == label and not first_seen:
            first_seen.append(time.perf_counter())

    def cancelled() -> bool:
        if first_seen and not cancel_time and time.perf_counter() - first_seen[0] >= 0.5:
            cancel_time.append(time.perf_counter())
        return bool(cancel_time)

    with Project.open(path, coder="bench") as p:
        if fresh_lemmas:
            p.store.clear_lemma_cache()
        try:
            p.run_topics("lda", n_topics=8, seed=1, progress=progress, cancelled=cancelled)
        except TopicRunCancelled:
            return time.perf_counter() - cancel_time[0]
    return float("nan")             # finished before the cancel


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    ap.add_argument("--folder", type=Path, default=HERE / "data" / "topic_cancel")
    args = ap.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    print("size    stage         cancel → stopped (s)")
    for size in args.sizes:
        path = build(size, args.folder)
        for stage, label in STAGES.items():
            seconds = cancel_at(path, label, fresh_lemmas=stage == "lemmatising")
            print(f"{size:<7} {stage:<13} {seconds:.2f}")


if __name__ == "__main__":
    main()
