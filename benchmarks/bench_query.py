"""Benchmark: queries and matrices on the synthetic project.

    python benchmarks/synthetic.py /tmp/syn.wbproj --interviews 500 --seed 1
    python benchmarks/bench_query.py /tmp/syn.wbproj [--repeat 20]

For each operation: the median of ``--repeat`` warm runs (the project snapshot --
codes, documents, segments, links, codings -- is loaded once per project version and
reused, as in the TUI and notebooks), and the cold first run in a freshly opened
project (snapshot load included).  Results are printed as a Markdown table.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.project import Project  # noqa: E402

OPERATIONS = [
    ("retrieval: two-code AND + attribute filter",
     lambda p: p.query('Freins AND "Immersion en entreprise" WHERE emploi_6m = non')),
    ("retrieval: sub-code AND + numeric filter + actor",
     lambda p: p.query('"Freins/Mobilité" AND "Immersion en entreprise/Tuteur" '
                       'WHERE heures_formation >= 300 AND actor = beneficiary')),
    ("retrieval: FOLLOWED BY within 2 turns",
     lambda p: p.query('Freins FOLLOWED BY Accompagnement WITHIN 2 TURNS')),
    ("matrix: 100 codes × niveau_qualification (codings)",
     lambda p: p.matrix("niveau_qualification")),
    ("matrix: 100 codes × emploi_6m (participants, column %)",
     lambda p: p.matrix("emploi_6m", count="participants", percent="column")),
    ("matrix: 100 codes × actor type (documents)",
     lambda p: p.matrix("actor_type", count="documents")),
    ("co-occurrence: 100 codes, overlap", lambda p: p.cooccurrence()),
    ("co-occurrence: 100 codes, same turn", lambda p: p.cooccurrence(mode="turn")),
    ("participant × code (0/1)", lambda p: p.participant_code_matrix()),
    ("triangulation: 10 themes", lambda p: p.triangulate(
        [c for c in p.code_paths().values() if "/" not in c])),
    ("joint display: emploi_6m × 10 themes", lambda p: p.joint_display(
        "emploi_6m", codes=[c for c in p.code_paths().values() if "/" not in c])),
    ("outcome by code (Fisher): 100 codes", lambda p: p.outcome_by_code("emploi_6m")),
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("project", type=Path)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args(argv)
    with Project.open(a.project, coder="bench") as p:
        info = p.info()
        t = time.perf_counter()
        p.query_data()
        load = (time.perf_counter() - t) * 1000
    print(f"project: {info['documents']} documents, {info['segments']} segments, "
          f"{info['words']} words, {info['participants']} participants, {info['codes']} codes, "
          f"{info['codings']} codings")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"snapshot load (cold open): {load:.0f} ms\n")
    print("| operation | rows | median warm (ms) | cold first run (ms) |")
    print("|---|---:|---:|---:|")
    for label, fn in OPERATIONS:
        with Project.open(a.project, coder="bench") as p:
            t = time.perf_counter()
            fn(p)
            cold = (time.perf_counter() - t) * 1000
            times = []
            for _ in range(a.repeat):
                t = time.perf_counter()
                out = fn(p)
                times.append((time.perf_counter() - t) * 1000)
        print(f"| {label} | {len(out)} | {statistics.median(times):.0f} | {cold:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
