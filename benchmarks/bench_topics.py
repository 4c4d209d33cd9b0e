"""Topic-model benchmark: fit time and peak memory for each backend on synthetic
projects of 2,000 / 10,000 / 50,000 respondent turns, plus coherence on the demo
corpus when it is available.

    .venv/bin/python benchmarks/bench_topics.py                     # all sizes
    .venv/bin/python benchmarks/bench_topics.py --sizes 2000 --demo /tmp/demo.wbproj
    .venv/bin/python benchmarks/bench_topics.py --sizes "" --demo /tmp/demo.wbproj   # demo only

Each measurement runs in a fresh Python process (peak RSS = ``ru_maxrss`` of that
process, so it includes the libraries' import).  Step 1 lemmatises (cold spaCy cache);
steps 2 and 3 fit LDA and BERTopic on the warm cache, so their times are fit +
metrics + storing, and the first-run numba compilation of UMAP for BERTopic.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
from workbench.project import Project
args = json.loads(sys.argv[1])
p = Project.open(args["path"], coder="bench")
t = time.perf_counter()
if args["step"] == "lemmas":
    from workbench.topics.preprocess import lemmatise
    from workbench.topics.units import build_units
    segs = p.store.topic_segments(list(p.documents()["id"]))
    units = build_units(segs)
    needed = list({{u.segment_id: None for u in units}})
    p.store.clear_lemma_cache()          # measure a cold cache
    t = time.perf_counter()
    by_id = {{s["segment_id"]: s for s in segs}}
    lemmatise(p.store, [by_id[i] for i in needed])
    out = {{"seconds": round(time.perf_counter() - t, 2), "segments": len(needed),
            "words": sum(len(by_id[i]["text"].split()) for i in needed)}}
else:
    if args.get("cold"):
        p.store.clear_lemma_cache()      # a first run: nothing lemmatised yet
    t = time.perf_counter()
    run = p.run_topics(args["step"], n_topics=args.get("n_topics"), seed=42,
                       options=args.get("options") or {{}}, name=args.get("name"))
    out = {{"seconds": round(time.perf_counter() - t, 2), "run": run.id, "units": run.n_units,
            "topics": run.n_topics, "outliers": run.n_outliers,
            "outliers_before_reduction": run.metrics.get("outliers_before_reduction"),
            "coherence_cv": run.coherence, "diversity": run.diversity, "timing": run.timing}}
out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print("RESULT " + json.dumps(out))
"""


def child(step: str, path: Path, **kw) -> dict:
    code = CHILD.format(root=str(ROOT))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, json.dumps({"step": step,
                           "path": str(path), **kw})], capture_output=True, text=True, env=env)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return {**json.loads(line[7:]), "process_s": round(time.perf_counter() - t, 2)}


def build(size: int, folder: Path) -> Path:
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from topics_corpus import write_corpus
    from workbench.project import Project
    path = folder / f"topics_{size}.wbproj"
    if path.exists():
        return path
    src = folder / f"corpus_{size}"
    files = write_corpus(src, turns=size, seed=size)
    t = time.perf_counter()
    with Project.create(path, coder="bench") as p:
        p.import_files(files, actor_type="beneficiary", programme="synthetique", new_programme=True)
    print(f"  built {size} turns in {len(files)} documents ({time.perf_counter() - t:.0f} s)",
          flush=True)
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="2000,10000,50000")
    ap.add_argument("--folder", default="/tmp/wb_bench_topics")
    ap.add_argument("--demo", help="a demo project (workbench demo PATH) for coherence")
    ap.add_argument("--lda-topics", type=int, default=8)
    args = ap.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        print(f"== {size} turns", flush=True)
        path = build(size, folder)
        lem = child("lemmas", path)
        print("  lemmas", lem, flush=True)
        lda = child("lda", path, n_topics=args.lda_topics)
        print("  lda", lda, flush=True)
        bt = child("bertopic", path)
        print("  bertopic", bt, flush=True)
        rows.append({"size": size, "lemmas": lem, "lda": lda, "bertopic": bt})
    if args.demo:
        demo = Path(args.demo)
        if not demo.exists():
            subprocess.run([sys.executable, "-c", "from workbench.cli import main; main()",
                            "demo", str(demo)], check=True, cwd=ROOT, capture_output=True)
        lda = {"n_topics": args.lda_topics}
        steps = [  # label, backend, child arguments
            ("LDA, first run (nothing lemmatised)", "lda", {**lda, "cold": True}),
            ("LDA, after", "lda", lda),
            ("BERTopic, first run (nothing lemmatised)", "bertopic", {"cold": True}),
            ("BERTopic, after", "bertopic", {}),
            ("BERTopic without outlier reduction", "bertopic",
             {"options": {"reduce_outliers": False}}),
        ]
        print("| run | process | run | topics | outliers (before reduction) | c_v | "
              "diversity |\n|---|---:|---:|---:|---:|---:|---:|")
        for label, backend, kw in steps:
            r = child(backend, demo, **kw)
            rows.append({"demo": str(demo), "label": label, "backend": backend, **r})
            before = r.get("outliers_before_reduction")
            share = f"{r['outliers'] / r['units']:.0%}"
            if before is not None and before != r["outliers"]:
                share += f" ({before / r['units']:.0%})"
            print(f"| {label} | {r['process_s']:.1f} s | {r['seconds']:.1f} s | {r['topics']} | "
                  f"{share} | {r['coherence_cv']} | {r['diversity']} |", flush=True)
    (folder / "results.json").write_text(json.dumps(rows, indent=2))
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
