"""Every benchmark, one after the other, with the sizes whose figures docs/benchmarks.md
records: the single command that re-takes them all (on an idle machine).

    .venv/bin/python benchmarks/run_all.py                 # everything (~20 min)
    .venv/bin/python benchmarks/run_all.py --only peer,topics
    .venv/bin/python benchmarks/run_all.py --quick         # tiny sizes: checks each runs

Each benchmark runs as its own process; its output goes to
``benchmarks/data/results/<name>.log`` (and ``.json`` where the script writes one), and a
summary of what ran, how long and whether it succeeded is printed at the end and written
to ``benchmarks/data/results/summary.md``.  Exit status 1 if any benchmark failed.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = DATA / "results"
PY = sys.executable


def steps(quick: bool) -> list[tuple[str, list[list[str]]]]:
    """(name, commands run in order); paths under benchmarks/data/."""
    b = "benchmarks/"
    n500 = "40" if quick else "500"
    corpus = str(DATA / ("corpus-quick" if quick else "corpus500"))
    bench500 = str(DATA / ("bench-quick.wbproj" if quick else "bench500.wbproj"))
    synth = str(DATA / ("synthetic-quick.wbproj" if quick else "synthetic500.wbproj"))
    demo = str(DATA / "demo.wbproj")
    out = []
    # issue #17's table, beside qualitative-coding 1.7.8 (same files, same workload)
    out.append(("peer", [[PY, b + "bench_peer.py", "--json", str(RESULTS / "peer.json")]
                         + (["--quick"] if quick else [])]))
    # import of 500 interviews (250 .docx + 250 .txt, 5.3 M words) and search
    gen = [] if Path(corpus).exists() else [[PY, b + "corpus_files.py", corpus,
                                             "--interviews", n500, "--seed", "7"]
                                            + (["--words", "2000"] if quick else [])]
    out.append(("import", gen + [[PY, b + "bench_import.py", corpus, "--project", bench500,
                                  "--json", str(RESULTS / "import.json")]]))
    # coding engine (apply/remove/undo, autocoding) on that project
    out.append(("coding", [[PY, b + "bench_coding.py", bench500, "--json",
                            str(RESULTS / "coding.json")]
                           + (["--ops", "100", "--undo", "20", "--lemma-docs", "2"]
                              if quick else ["--lemma-docs", "50"])]))
    # topic models on the demo: first run and after, quality before/after outlier reduction
    out.append(("topics", ([] if Path(demo).exists() else
                           [[PY, "-c", "from workbench.cli import main; main()", "demo", demo]])
                + [[PY, b + "bench_topics.py", "--sizes", "" if quick else "2000",
                    "--demo", demo, "--folder", str(DATA / "topics")]]))
    # reports and exchange (Word excerpts, .qdpx)
    out.append(("export", [[PY, b + "bench_export.py"]
                           + (["--interviews", "20", "--excerpts", "40"] if quick else [])]))
    # queries and matrices on a synthetic project
    build = [] if Path(synth).exists() else [[PY, b + "synthetic.py", synth, "--quiet"]
                                             + (["--interviews", "20", "--participants", "100",
                                                 "--codings", "2000", "--words", "1000"]
                                                if quick else [])]
    out.append(("query", build + [[PY, b + "bench_query.py", synth, "--repeat",
                                   "2" if quick else "15"]]))
    # terminal interface latencies
    out.append(("tui", [[PY, b + "bench_tui.py", "--project", str(DATA / "tui.wbproj"),
                         "--docs", "20" if quick else "500", "--repeats",
                         "1" if quick else "5"]]))
    # privacy detection quality and speed
    out.append(("privacy", [[PY, b + "bench_privacy.py", "quality", "--interviews",
                             "6" if quick else "60", "--json", str(RESULTS / "privacy.json")]]))
    # the write lock while a big .qdpx is imported or a project merged (issue #16)
    out.append(("lock", [[PY, b + "bench_lock.py", "--json", str(RESULTS / "lock.json")]
                         + (["--quick"] if quick else [])]))
    # three coders on one file
    out.append(("lab", [[PY, b + "bench_lab.py", "--writers", "3", "--seconds",
                         "5" if quick else "120"]]))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated names (peer, import, coding, topics, "
                                   "export, query, tui, privacy, lock, lab)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes: checks that each runs")
    args = ap.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only.split(",")) if args.only else None
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    summary = ["| benchmark | status | minutes | log |", "|---|---|---:|---|"]
    failed = 0
    for name, commands in steps(args.quick):
        if wanted and name not in wanted:
            continue
        log = RESULTS / f"{name}{'-quick' if args.quick else ''}.log"
        t = time.perf_counter()
        status = "ok"
        with open(log, "w") as fh:
            for cmd in commands:
                fh.write("$ " + " ".join(cmd) + "\n")
                fh.flush()
                rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL).returncode
                if rc:
                    status = f"FAILED (exit {rc})"
                    failed += 1
                    break
        minutes = (time.perf_counter() - t) / 60
        line = f"| {name} | {status} | {minutes:.1f} | {log.relative_to(ROOT)} |"
        summary.append(line)
        print(line, flush=True)
    text = "\n".join(summary)
    (RESULTS / f"summary{'-quick' if args.quick else ''}.md").write_text(text + "\n")
    print("\n" + text)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
