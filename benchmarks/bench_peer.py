"""Workbench beside its peer qualitative-coding (qc) 1.7.8, same files, same workload,
same machine, same run: every figure of issue #17's table that has a peer.

    .venv/bin/python benchmarks/bench_peer.py                  # both tools, 3 runs each
    .venv/bin/python benchmarks/bench_peer.py --no-qc          # Workbench alone
    .venv/bin/python benchmarks/bench_peer.py --repeat 5 --json benchmarks/data/peer.json

What it does (data under ``benchmarks/data/peer/``, made once and reused):

* installs qc 1.7.8 in a scratch virtualenv (``benchmarks/data/qc-venv``) from the
  package index pip is configured with (nothing is installed in Workbench's own venv);
* writes two seeded corpora of UTF-8 ``.txt`` interviews with ``corpus_files.py``
  (``--txt-only``: qc reads plain text only): 36 interviews of ~6,600 words (~237k words,
  the issue's 36 transcripts) and 250 of ~11,160 words (~2.8 M words);
* **import** (whole processes, fresh project each run): ``workbench import P DIR`` (turns,
  speakers, timestamps, full-text index) against ``qc corpus import -r -i verbatim DIR``
  (qc copies the text and numbers its lines);
* the **workload** on the 36 interviews (not timed): 20 codes, 2,000 coded lines
  (speaker turns), 30 % of them with a second code: ~2,600 applications, the same
  lines in both tools (Workbench: the line's characters; qc: the line number);
* **read commands** (whole processes): ``workbench info`` / ``codings --code`` /
  ``matrix`` against ``qc codes list`` / ``qc codes find`` / ``qc codes stats``;
* **apply one coding by code name** (API, median of 200 in one process, each a durable
  transaction) against a bare SQLite WAL commit (``synchronous=FULL``, one INSERT) on
  the same disk, and qc's ``update_coded_lines`` (what its editor does on save);
* **.qdpx export** (whole processes): ``workbench export qdpx`` against ``qc export``;
* **Word file of all excerpts** (whole process): ``workbench export excerpts P X.docx``
  (the issue's peer figure is Taguette's, which is not installable offline: none here).

Prints a Markdown table (median of ``--repeat`` runs; qc / Workbench ratio; the issue's
target and whether it is met) and writes everything to ``--json``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

QC_VERSION = "1.7.8"
WB = [sys.executable, "-c", "from workbench.cli import main; main()"]
N_CODES, N_UNITS, SECOND_SHARE = 20, 2000, 0.30

#: operation -> (issue's qc figure, issue's Workbench figure before, target seconds, label)
TARGETS = {
    "import_36": ("2.10 s", "1.40 s", 0.6, "import 36 transcripts (process)"),
    "import_250": ("2.5–2.9 s", "8.2–8.6 s", 1.5, "import 250 .txt interviews (process)"),
    "info": ("1.2–1.9 s", "0.5–0.8 s", 0.3, "read command: info (process)"),
    "codings": ("1.2–1.9 s", "0.5–0.8 s", 0.3, "read command: codings --code (process)"),
    "matrix": ("1.2–1.9 s", "0.5–0.8 s", 0.3, "read command: matrix (process)"),
    "apply_code": ("23 ms (editor)", "1.4 ms", None, "apply one coding by code name (API)"),
    "qdpx": ("1.24 s", "0.65 s", 0.3, ".qdpx export (process)"),
    "excerpts_docx": ("Taguette 3.4 s", "1.5 s", 1.0, "Word file of all excerpts (process)"),
}


# ----------------------------------------------------------------------------- helpers
def installed_bytecode() -> None:
    """Compile Workbench's modules to bytecode first, as installing it does (pip
    compiles a package when it installs it; qc's venv has its bytecode too).  Without
    this, a shell with ``PYTHONDONTWRITEBYTECODE=1`` makes every Workbench process
    compile the whole package from source (~0.15 s), which no installed copy does."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "workbench")],
                   check=True, capture_output=True)


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n"
                           f"{proc.stdout[-1500:]}\n{proc.stderr[-3000:]}")
    return elapsed


def median_of(runs: list[float]) -> float:
    return round(statistics.median(runs), 4)


def corpus(folder: Path, interviews: int, words: int, seed: int) -> Path:
    if not (folder / "entretiens").exists():
        from corpus_files import generate
        print(f"writing {interviews} interviews of ~{words} words to {folder}", flush=True)
        generate(folder, interviews, seed, words, verbose=False, txt_only=True)
    return folder / "entretiens"


def qc_venv(folder: Path) -> Path | None:
    """qc's virtualenv (made once); None, with the reason printed, when it cannot be."""
    qc = folder / "bin" / "qc"
    if qc.exists():
        return qc
    print(f"installing qualitative-coding=={QC_VERSION} in {folder} (once)", flush=True)
    try:
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(folder)], check=True, capture_output=True)
        subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", f"qualitative-coding=={QC_VERSION}"],
                       check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        print(f"qc could not be installed: {(exc.stderr or '')[-800:]}", file=sys.stderr)
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return qc


def workload(texts: dict[str, str], seed: int = 17) -> list[tuple[str, int, str]]:
    """(document stem, line number from 1, code): 2,000 speaker-turn lines over the
    documents, each with one of 20 codes, 30 % with a second one."""
    rng = random.Random(seed)
    lines = [(stem, i + 1) for stem, text in sorted(texts.items())
             for i, line in enumerate(text.split("\n")) if " : " in line[:60]]
    chosen = sorted(rng.sample(lines, min(N_UNITS, len(lines))))
    codes = [f"Code{k:02d}" for k in range(1, N_CODES + 1)]
    out = []
    for stem, line in chosen:
        first = rng.choice(codes)
        out.append((stem, line, first))
        if rng.random() < SECOND_SHARE:
            out.append((stem, line, rng.choice([c for c in codes if c != first])))
    return out


# --------------------------------------------------------------------------- Workbench
def wb_init(work: Path) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    project = work / "peer.wbproj"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{project}{suffix}").unlink(missing_ok=True)
    subprocess.run(WB + ["init", str(project)], check=True, capture_output=True)
    return project


def wb_import_time(files: Path, work: Path) -> tuple[float, Path]:
    project = wb_init(work)
    t = timed(WB + ["import", str(project), str(files), "--programme", "avenir",
                    "--actor", "beneficiary"])
    return t, project


def wb_apply_workload(project: Path, apply: list[tuple[str, int, str]]) -> dict:
    from workbench.project import Project
    with Project.open(project, coder="bench") as p:
        docs = {d["name"]: int(d["id"]) for d in p.documents().to_dict("records")}
        for k in range(1, N_CODES + 1):
            p.create_code(f"Code{k:02d}")
        spans: dict[tuple[int, str], list[tuple[int, int]]] = {}
        starts: dict[int, list[int]] = {}
        for stem, line, code in apply:
            doc = docs[stem]
            if doc not in starts:
                text = p.text(doc)
                offsets, pos = [], 0
                for part in text.split("\n"):
                    offsets.append((pos, pos + len(part)))
                    pos += len(part) + 1
                starts[doc] = offsets
            s, e = starts[doc][line - 1]
            spans.setdefault((doc, code), []).append((s, e))
        for (doc, code), ss in spans.items():
            p.apply_code_spans(doc, code, ss)
        return {"codings": int(p.info()["codings"]), "codes": N_CODES}


def wb_apply_one(project: Path, calls: int = 200) -> dict:
    """apply_code by code name, each call its own durable transaction; and a bare
    SQLite WAL commit (synchronous=FULL, one INSERT) on the same disk."""
    from workbench.project import Project
    work = Path(tempfile.mkdtemp(dir=project.parent))
    copy = work / "apply.wbproj"
    shutil.copy(project, copy)
    times = []
    with Project.open(copy, coder="bench") as p:
        doc = int(p.documents()["id"].iloc[0])
        for i in range(calls):
            t = time.perf_counter()
            p.apply_code(doc, f"Code{i % N_CODES + 1:02d}", 10 * i, 10 * i + 7)
            times.append(time.perf_counter() - t)
    bare = []
    conn = sqlite3.connect(work / "bare.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, doc INT, code INT, s INT, e INT)")
    for i in range(calls):
        t = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t(doc, code, s, e) VALUES (?, ?, ?, ?)", [1, i % 20, i, i + 7])
        conn.execute("COMMIT")
        bare.append(time.perf_counter() - t)
    conn.close()
    shutil.rmtree(work, ignore_errors=True)
    return {"median_ms": round(statistics.median(times) * 1000, 3),
            "p95_ms": round(sorted(times)[int(0.95 * len(times))] * 1000, 3),
            "bare_commit_median_ms": round(statistics.median(bare) * 1000, 3)}


# ---------------------------------------------------------------------------------- qc
QC_WORKLOAD = r"""
import json, sys, time, statistics
from qualitative_coding.corpus import QCCorpus
plan = json.load(open(sys.argv[1]))
corpus = QCCorpus("settings.yaml")
with corpus.session():
    by_doc = {}
    for stem, line, code in plan["apply"]:
        by_doc.setdefault(f"{stem}.txt", []).append({"line": line - 1, "code_id": code})  # from 0
    for doc, data in by_doc.items():
        corpus.update_coded_lines(doc, "bench", data)
    # one more coded line at a time, as the editor saves it
    doc, data = sorted(by_doc.items())[0]
    times = []
    for i in range(plan["calls"]):
        data = data + [{"line": 1 + i % 5, "code_id": f"Extra{i:03d}"}]
        t = time.perf_counter()
        corpus.update_coded_lines(doc, "bench", data)
        times.append(time.perf_counter() - t)
print("RESULT " + json.dumps({"apply_one_median_ms": round(statistics.median(times) * 1000, 3)}))
"""


def qc_project(qc: Path, files: Path, work: Path) -> tuple[float, Path]:
    folder = work / "qc"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run([str(qc), "init"], cwd=folder, check=True, capture_output=True)
    t = timed([str(qc), "corpus", "import", "-r", "-i", "verbatim", str(files)], cwd=folder)
    return t, folder


def qc_apply_workload(qc: Path, folder: Path, apply: list, calls: int = 20) -> dict:
    plan = folder / "plan.json"
    plan.write_text(json.dumps({"apply": apply, "calls": calls}))
    script = folder / "workload.py"
    script.write_text(QC_WORKLOAD)
    proc = subprocess.run([str(qc.parent / "python"), str(script), str(plan)], cwd=folder,
                          capture_output=True, text=True, check=True)
    line = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[7:])


# ---------------------------------------------------------------------------------- run
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "peer")
    ap.add_argument("--qc-venv", type=Path, default=ROOT / "benchmarks" / "data" / "qc-venv")
    ap.add_argument("--no-qc", action="store_true", help="Workbench alone")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each process (median)")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--quick", action="store_true",
                    help="tiny corpora, one run: checks that the benchmark works (no figures)")
    args = ap.parse_args(argv)
    data = args.data.with_name(args.data.name + "-quick") if args.quick else args.data
    sizes = ((6, 1_500), (10, 1_500)) if args.quick else ((36, 6_600), (250, 11_160))
    if args.quick:
        args.repeat = 1
    data.mkdir(parents=True, exist_ok=True)
    installed_bytecode()
    qc = None if args.no_qc else qc_venv(args.qc_venv)
    small = corpus(data / f"corpus{sizes[0][0]}", *sizes[0], 11)
    big = corpus(data / f"corpus{sizes[1][0]}", *sizes[1], 12)
    work = data / "work"
    work.mkdir(exist_ok=True)
    res: dict = {"machine": os.uname().nodename, "cpus": os.cpu_count(),
                 "load_before": os.getloadavg(), "repeat": args.repeat,
                 "qc": QC_VERSION if qc else None, "wb": {}, "peer": {}}
    wb, peer = res["wb"], res["peer"]

    # imports (fresh project each run)
    for key, files in (("import_36", small), ("import_250", big)):
        runs = []
        for _ in range(args.repeat):
            t, project = wb_import_time(files, work / key)
            runs.append(t)
        wb[key] = median_of(runs)
        if qc:
            peer[key] = median_of([qc_project(qc, files, work / key)[0]
                                   for _ in range(args.repeat)])
        print(f"{key}: Workbench {wb[key]:.2f} s" + (f", qc {peer[key]:.2f} s" if qc else ""),
              flush=True)

    # the workload on the 36 interviews
    _, project = wb_import_time(small, work / "w36")
    texts = {f.stem: f.read_text(encoding="utf-8") for f in sorted(small.glob("*.txt"))}
    apply = workload(texts)
    res["workload"] = {"units": len({(s, n) for s, n, _ in apply}), "applications": len(apply),
                       **wb_apply_workload(project, apply)}
    qc_folder = None
    if qc:
        _, qc_folder = qc_project(qc, small, work / "w36")
        peer["apply_code_ms"] = qc_apply_workload(qc, qc_folder, apply)["apply_one_median_ms"]

    # read commands
    first_code = "Code01"
    reads = {"info": ["info", str(project)],
             "codings": ["codings", str(project), "--code", first_code],
             "matrix": ["matrix", str(project)]}
    qc_reads = {"info": ["codes", "list"], "codings": ["codes", "find", first_code],
                "matrix": ["codes", "stats"]}
    for key, cmd in reads.items():
        timed(WB + cmd)                                        # warm the disk cache
        wb[key] = median_of([timed(WB + cmd) for _ in range(args.repeat)])
        if qc:
            timed([str(qc)] + qc_reads[key], cwd=qc_folder)
            peer[key] = median_of([timed([str(qc)] + qc_reads[key], cwd=qc_folder)
                                   for _ in range(args.repeat)])
        print(f"{key}: Workbench {wb[key]:.3f} s" + (f", qc {peer[key]:.3f} s" if qc else ""),
              flush=True)

    # apply one coding by name
    wb["apply_code"] = wb_apply_one(project)
    print(f"apply_code: {wb['apply_code']}", flush=True)

    # exports
    out = work / "out"
    out.mkdir(exist_ok=True)
    wb["qdpx"] = median_of([timed(WB + ["export", "qdpx", str(project), str(out / "wb.qdpx")])
                            for _ in range(args.repeat)])
    if qc:
        peer["qdpx"] = median_of([timed([str(qc), "export", str(out / "qc.qdpx")], cwd=qc_folder)
                                  for _ in range(args.repeat)])
    wb["excerpts_docx"] = median_of([timed(WB + ["export", "excerpts", str(project),
                                                 str(out / "excerpts.docx")])
                                     for _ in range(args.repeat)])
    res["load_after"] = os.getloadavg()

    # the table
    rows = ["| operation | qc 1.7.8 | Workbench | qc / Workbench | target | met |",
            "|---|---:|---:|---:|---|---|"]
    for key, (_qc_then, _wb_then, target, label) in TARGETS.items():
        if key == "apply_code":
            a = wb["apply_code"]
            mine = f"{a['median_ms']:.2f} ms (bare WAL commit {a['bare_commit_median_ms']:.2f} ms)"
            ratio_target = a["median_ms"] <= 2 * a["bare_commit_median_ms"]
            theirs = f"{peer['apply_code_ms']:.1f} ms" if "apply_code_ms" in peer else "–"
            ratio = (f"{peer['apply_code_ms'] / a['median_ms']:.1f}×"
                     if "apply_code_ms" in peer else "–")
            rows.append(f"| {label} | {theirs} | {mine} | {ratio} | ≤ 2× the bare commit | "
                        f"{'yes' if ratio_target else 'no'} |")
            continue
        mine = wb[key]
        theirs = f"{peer[key]:.2f} s" if key in peer else "–"
        ratio = f"{peer[key] / mine:.1f}×" if key in peer else "–"
        rows.append(f"| {label} | {theirs} | {mine:.2f} s | {ratio} | < {target} s | "
                    f"{'yes' if mine < target else 'no'} |")
    table = "\n".join(rows)
    res["table"] = table
    print()
    print(f"workload: {res['workload']}; load average before {res['load_before']}, "
          f"after {res['load_after']}")
    print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
