"""How long a big import or merge holds the project's write lock (issue #16).

While another program imports a ``.qdpx`` or merges a colleague's project, a coder's
change must wait for SQLite's write lock.  This benchmark measures what that coder
sees: a second *process* (the probe) makes one short write every ~50 ms and records
how long each waited for the lock, during

(a) a fresh ``.qdpx`` import into an empty project,
(b) a re-import of the same file (everything matches, nothing new),
(c) a ``workbench merge`` of a copy of the exported project in which some codings were
    changed, added and deleted (every conflict taken from the copy: ``prefer="theirs"``).

The case is built first (seeded, under ``benchmarks/data/lock/``): a synthetic project
(``benchmarks/synthetic.py``: 500 interviews, 40,000 codings, 500 participants) and its
``.qdpx`` export.  For each scenario it prints the longest wait of the probe (what a
user sees), the longest write transaction of the importing process itself (measured
inside, by wrapping ``StoreCore.transaction``), how many transactions it made, and the
total time of the import.

    python benchmarks/bench_lock.py                  # 500 interviews, 40,000 codings
    python benchmarks/bench_lock.py --quick          # 20 interviews: checks that it runs
    python benchmarks/bench_lock.py --json benchmarks/data/results/lock.json

Target (issue #16): the longest hold, hence the longest wait, at most 1–2 s, on an
idle machine.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_HOLD_S = 2.0
PROBE_EVERY_S = 0.05


# --------------------------------------------------------------------------- the probe
def probe(project: str, out: str, stop: str) -> int:
    """The other program: one short write every ~50 ms until ``stop`` exists; writes
    ``[[started, waited], ...]`` (monotonic seconds) to ``out``."""
    conn = sqlite3.connect(project, timeout=600, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 600000")
    samples: list[list[float]] = []
    n = 0
    ready = Path(out + ".ready")
    while not os.path.exists(stop):
        t0 = time.monotonic()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta(key, value) VALUES ('bench_lock_probe', ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", [str(n)])
        conn.execute("COMMIT")
        waited = time.monotonic() - t0
        samples.append([t0, waited])
        n += 1
        if n == 3:
            ready.touch()
        time.sleep(max(0.0, PROBE_EVERY_S - waited))
    conn.close()
    Path(out).write_text(json.dumps(samples))
    return 0


@contextlib.contextmanager
def probing(project: Path, work: Path):
    """Run the probe on ``project`` for the duration of the block; yields a dict that
    holds, after the block, the probe's samples."""
    out, stop = work / "probe.json", work / "probe.stop"
    for f in (out, stop, Path(str(out) + ".ready")):
        f.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, __file__, "--probe", str(project), str(out),
                             str(stop)], env={**os.environ, "PYTHONPATH": str(ROOT)})
    result: dict = {}
    try:
        deadline = time.monotonic() + 60
        while not Path(str(out) + ".ready").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the probe did not start")
            time.sleep(0.02)
        yield result
    finally:
        stop.touch()
        proc.wait(timeout=700)
        samples = json.loads(out.read_text()) if out.exists() else []
        result["samples"] = samples
        for f in (out, stop, Path(str(out) + ".ready")):
            f.unlink(missing_ok=True)


# --------------------------------------------------------------------------- holds
class Holds:
    """The importing process's own write transactions (outermost), timed."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self.longest_at = ""          # where the longest one was opened (workbench code)

    @contextlib.contextmanager
    def watching(self):
        from workbench.store import db
        import traceback
        original = db.StoreCore.transaction
        durations = self.durations
        holds = self

        @contextlib.contextmanager
        def timed(store):
            outer = not store._depth and not getattr(store, "is_scratch", False)
            t = time.perf_counter()
            with original(store) as c:
                yield c
            if outer:
                d = time.perf_counter() - t
                if d > max(durations, default=0.0):
                    frames = [f for f in traceback.extract_stack()[:-2]
                              if "/workbench/" in f.filename and "/store/" not in f.filename]
                    holds.longest_at = " < ".join(
                        f"{Path(f.filename).name}:{f.name}" for f in reversed(frames[-3:]))
                durations.append(d)

        db.StoreCore.transaction = timed
        try:
            yield self
        finally:
            db.StoreCore.transaction = original


def measure(name: str, project_path: Path, work: Path, run) -> dict:
    holds = Holds()
    with probing(project_path, work) as probed, holds.watching():
        t = time.perf_counter()
        outcome = run()
        total = time.perf_counter() - t
    waits = sorted(w for _t, w in probed["samples"])
    row = {
        "scenario": name, "total_s": round(total, 2),
        "longest_hold_s": round(max(holds.durations, default=0.0), 3),
        "longest_hold_at": holds.longest_at,
        "transactions": len(holds.durations),
        "probe_writes": len(waits),
        "longest_wait_s": round(waits[-1], 3) if waits else None,
        "p95_wait_s": round(waits[int(0.95 * (len(waits) - 1))], 3) if waits else None,
        "waits_over_1s": sum(w > 1.0 for w in waits),
        "outcome": outcome,
    }
    print(f"{name:<10} total {row['total_s']:7.2f} s | longest hold {row['longest_hold_s']:6.2f} s "
          f"({row['transactions']} transactions) | probe: {row['probe_writes']} writes, longest "
          f"wait {row['longest_wait_s']} s, p95 {row['p95_wait_s']} s, "
          f"{row['waits_over_1s']} over 1 s | {outcome} | longest in {holds.longest_at}",
          flush=True)
    return row


# --------------------------------------------------------------------------- the case
def build_case(work: Path, interviews: int, codings: int, words: int, seed: int) -> tuple[Path, Path]:
    """The synthetic project and its ``.qdpx`` export (reused when already built)."""
    from workbench.project import Project
    source = work / f"source-{interviews}-{codings}-{words}-{seed}.wbproj"
    qdpx = source.with_suffix(".qdpx")
    if not source.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), str(source),
                        "--interviews", str(interviews), "--codings", str(codings),
                        "--participants", str(interviews), "--words", str(words),
                        "--seed", str(seed), "--quiet"], check=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
        qdpx.unlink(missing_ok=True)
    if not qdpx.exists():
        import warnings
        with warnings.catch_warnings(), Project.open(source, coder="synth") as p:
            warnings.simplefilter("ignore")        # (not pseudonymised: synthetic text)
            p.export_qdpx(qdpx)
    return source, qdpx


def changed_copy(source: Path, target: Path, seed: int, share: float = 0.05) -> dict:
    """A colleague's copy of ``source``: ``share`` of the codings moved (their end
    shifted), as many added (new GUIDs) and half as many deleted."""
    import uuid
    shutil.copyfile(source, target)
    rng = random.Random(seed)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    rows = conn.execute("SELECT id, document_id, code_id, start, end, coder_id FROM codings "
                        "ORDER BY id").fetchall()
    n = max(1, int(len(rows) * share))
    picked = rng.sample(rows, min(len(rows), 2 * n + n // 2))
    moved, deleted = picked[:n], picked[n:n + n // 2]
    added = picked[n + n // 2:]
    conn.execute("BEGIN")
    conn.executemany("UPDATE codings SET end = end + 7 WHERE id = ?", [(r[0],) for r in moved])
    conn.executemany("DELETE FROM codings WHERE id = ?", [(r[0],) for r in deleted])
    conn.executemany(
        "INSERT INTO codings(document_id, code_id, start, end, coder_id, origin, status, guid, "
        "created_at) VALUES (?, ?, ?, ?, ?, 'manual', 'accepted', ?, '2026-11-29T12:00:00Z')",
        [(r[1], r[2], r[3] + 3, r[4] + 3, r[5], str(uuid.UUID(int=rng.getrandbits(128))))
         for r in added])
    conn.execute("COMMIT")
    conn.close()
    return {"moved": len(moved), "deleted": len(deleted), "added": len(added)}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--probe"]:
        return probe(*argv[1:4])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--interviews", type=int, default=500)
    ap.add_argument("--codings", type=int, default=40_000)
    ap.add_argument("--words", type=int, default=10_000, help="words per interview (approx.)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="20 interviews, 2,000 codings")
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "data" / "lock")
    ap.add_argument("--only", help="comma-separated scenarios: fresh,reimport,merge")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.quick:
        args.interviews, args.codings, args.words = 20, 2000, 1000
    from workbench.project import Project
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    source, qdpx = build_case(work, args.interviews, args.codings, args.words, args.seed)
    print(f"case: {args.interviews} interviews × ~{args.words} words, {args.codings} codings; "
          f".qdpx {qdpx.stat().st_size / 1e6:.1f} MB (built/reused in "
          f"{time.perf_counter() - t:.1f} s)", flush=True)
    wanted = set(args.only.split(",")) if args.only else {"fresh", "reimport", "merge"}
    target = work / "target.wbproj"
    for f in work.glob("target.wbproj*"):
        f.unlink()
    rows = []
    Project.create(target, name="Banc verrou", coder="carol").close()
    with Project.open(target, coder="carol") as p:
        def imported() -> str:
            r = p.import_qdpx(qdpx)
            return (f"new {r['new'].get('documents', 0)} documents, "
                    f"{r['new'].get('codings', 0)} codings; matched "
                    f"{r['matched'].get('codings', 0)} codings")

        # the re-import and the merge need the fresh import done, measured or not
        if "fresh" in wanted:
            rows.append(measure("fresh", target, work, imported))
        elif wanted & {"reimport", "merge"}:
            imported()
        if "reimport" in wanted:
            rows.append(measure("reimport", target, work, imported))
        if "merge" in wanted:
            other = work / "colleague.wbproj"
            for f in work.glob("colleague.wbproj*"):
                f.unlink()
            changes = changed_copy(source, other, args.seed)
            print(f"colleague's copy: {changes}", flush=True)

            def merged() -> str:
                r = p.merge(other, prefer="theirs")
                return (f"new {r.new.get('codings', 0)} codings, changed "
                        f"{r.modified.get('codings', 0)}, removed {r.removed.get('codings', 0)}"
                        f", {len(r.conflicts)} conflicts")
            rows.append(measure("merge", target, work, merged))
    worst = max((r["longest_hold_s"] for r in rows), default=0.0)
    print(f"longest hold over all scenarios: {worst:.2f} s (target ≤ {TARGET_HOLD_S:.0f} s, "
          f"idle machine)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"interviews": args.interviews, "codings": args.codings,
                                         "words": args.words, "scenarios": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
