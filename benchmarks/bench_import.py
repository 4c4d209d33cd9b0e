"""Benchmark: import a generated corpus into a fresh project, then search it.

    python benchmarks/corpus_files.py benchmarks/data/corpus500 --interviews 500 --seed 7
    python benchmarks/bench_import.py benchmarks/data/corpus500 \
        --project benchmarks/data/bench500.wbproj --json benchmarks/data/import500.json

Import goes through the facade, exactly as the CLI/TUI do:
``Project.import_participants(participants.csv)`` then
``Project.import_files(manifest=manifest.csv, progress=...)``.  Measured: total time,
files/s, words/s, time per file by format (from the progress callback), peak memory
(``ru_maxrss`` of the process; ``--tracemalloc`` adds the Python-level peak, slower),
project file size.  Then ~200 searches (``Project.search``) of common and rare words,
accent-folded words, phrases, AND-queries and prefixes, with and without filters
(programme, actor type, participant attribute): median, p95, max per category.

``--search-only`` reuses an existing project; ``--profile FILE`` writes a cProfile of the
import (open with ``python -m pstats FILE`` or snakeviz).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workbench.project import Project  # noqa: E402

TARGET_IMPORT_S = 10.0      # issue #17: 500 interviews (250 docx + 250 txt) in < 10 s
TARGET_SEARCH_MEDIAN_MS = 20.0


# ------------------------------------------------------------------------------ helpers
def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values, p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def summary_ms(seconds: list[float]) -> dict:
    ms = [x * 1000 for x in seconds]
    return {"n": len(ms), "median_ms": round(statistics.median(ms), 3),
            "p95_ms": round(pct(ms, 95), 3), "p99_ms": round(pct(ms, 99), 3),
            "max_ms": round(max(ms), 3), "mean_ms": round(statistics.fmean(ms), 3)}


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = float("nan")
    return {"date": _dt.datetime.now().isoformat(timespec="seconds"), "cpu": cpu,
            "cores": os.cpu_count(), "memory_gb": round(mem_gb, 1),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform()}


def file_size_mb(path: Path) -> float:
    total = 0
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            total += p.stat().st_size
    return total / 1e6


# ------------------------------------------------------------------------------- import
def run_import(corpus: Path, project_path: Path, use_tracemalloc: bool = False,
               profile: Path | None = None) -> dict:
    manifest = corpus / "manifest.csv"
    participants = corpus / "participants.csv"
    for f in (manifest, participants):
        if not f.exists():
            raise SystemExit(f"{f} missing: generate the corpus with benchmarks/corpus_files.py")
    for suffix in ("", "-wal", "-shm"):
        Path(str(project_path) + suffix).unlink(missing_ok=True)
    project_path.parent.mkdir(parents=True, exist_ok=True)
    # warm the lazy imports (python-docx, lxml, parsers) so they are not charged to file 1
    import docx  # noqa: F401
    import workbench.ingest.parsers  # noqa: F401

    rss_before = rss_mb()
    if use_tracemalloc:
        import tracemalloc
        tracemalloc.start()
    prof = None
    if profile:
        import cProfile
        prof = cProfile.Profile()

    per_file: list[tuple[str, float]] = []
    state = {"t": None, "name": None}

    def progress(done, total, name):
        t = time.perf_counter()
        if state["t"] is not None:
            per_file.append((state["name"], t - state["t"]))
        state["t"], state["name"] = t, name
        if done and done % 100 == 0:
            print(f"  {done}/{total} files, {t - t0:.1f} s, peak RSS {rss_mb():.0f} MB",
                  file=sys.stderr)

    t0 = time.perf_counter()
    project = Project.create(project_path, coder="bench")
    p_info = project.import_participants(participants)
    t_participants = time.perf_counter() - t0
    t1 = time.perf_counter()
    if prof:
        prof.enable()
    report = project.import_files(manifest=manifest, progress=progress)
    if prof:
        prof.disable()
        prof.dump_stats(str(profile))
    t_files = time.perf_counter() - t1
    t_total = time.perf_counter() - t0
    py_peak = None
    if use_tracemalloc:
        import tracemalloc
        py_peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    counts = project.info()
    project.close()
    by_format: dict[str, list[float]] = {}
    for name, dt in per_file:
        if name != "done":
            by_format.setdefault(Path(name).suffix.lower(), []).append(dt)
    result = {
        "files": len(report.results), "imported": len(report.imported),
        "failed": [r.message for r in report.failed][:10],
        "documents": counts["documents"], "segments": counts["segments"],
        "words": counts["words"], "participants": p_info.get("inserted"),
        "participants_s": round(t_participants, 3),
        "import_files_s": round(t_files, 2), "total_s": round(t_total, 2),
        "files_per_s": round(len(report.imported) / t_files, 2),
        "words_per_s": round(counts["words"] / t_files),
        "per_file_ms": {ext: summary_ms(v) for ext, v in sorted(by_format.items())},
        "rss_before_mb": round(rss_before, 1), "peak_rss_mb": round(rss_mb(), 1),
        "python_peak_mb": None if py_peak is None else round(py_peak, 1),
        "project_mb": round(file_size_mb(project_path), 1),
        "target_import_s": TARGET_IMPORT_S,
        "tracemalloc": use_tracemalloc,
    }
    result["corpus_mb"] = round(sum(f.stat().st_size for f in (corpus / "entretiens").iterdir()) / 1e6, 1)
    return result


# ------------------------------------------------------------------------------- search
COMMON = ("formation", "entreprise", "confiance", "conseillère", "immersion", "permis",
          "crèche", "emploi", "stage", "enfants", "contrat", "accompagnement", "parcours",
          "logement", "salaire", "diplôme", "transport", "mobilité", "association", "groupe",
          "formatrice", "référent", "embauchée", "supermarché", "entrepôt", "logistique",
          "reconversion", "handicap", "santé", "certificat", "attestation", "apprentissage",
          "intérim", "CDI", "RSA", "allocations", "informatique", "français", "voilà", "euh")
FOLDED = ("conseillere", "creche", "remuneration", "interim", "diplome", "referent",
          "demarches", "sante", "mobilite", "embauchee", "competences", "entrepot",
          "systeme", "rsa", "cdi")
PHRASES = ('"Pôle emploi"', '"mission locale"', '"remise à niveau"', '"permis de conduire"',
           '"garde des enfants"', '"place en crèche"', '"confiance en moi"',
           '"immersion en entreprise"', '"bilan de compétences"', '"lettre de motivation"',
           '"entretiens d’embauche"', '"période d’essai"', '"titre professionnel"',
           '"aide au transport"', '"carte de bus"', '"démarches administratives"',
           '"service à la personne"', '"petite enfance"', '"maison de retraite"',
           '"centre de formation"', '"crèche municipale"', '"projet professionnel"',
           '"validation des acquis"', '"contrat d’apprentissage"', '"pendant le confinement"',
           '"pole emploi"', '"remise a niveau"', '"conseillère pôle emploi"',
           '"reprendre confiance"', '"retrouver un emploi"')
AND_QUERIES = ("formation permis", "crèche enfants", "immersion confiance", "conseillère CV",
               "entreprise stage", "transport permis", "formation rémunération",
               "mission locale logement", "formatrice informatique", "contrat embauchée",
               "supermarché immersion", "crèche formation confiance", "RSA allocations",
               "handicap reconversion", "groupe écoutés", "certificat diplôme",
               "permis région", "association CV", "bus horaires", "santé logement")
PREFIXES = ("form*", "embauch*", "accompagn*", "conseill*", "immers*", "entrepr*", "confi*",
            "rémun*", "crèch*", "apprent*", "reconver*", "mobil*", "démarch*", "logist*",
            "diplôm*")
RARE = ("ébénisterie", "permaculture", "Qualiopi", "tiers-lieu", "apiculture", "cordonnerie",
        "horlogerie", "maraîchage", "soudure", "sérigraphie", "pâtisserie", "tapisserie",
        "fromagerie", "boulangerie", "menuiserie", "taxidermie", "luthier", "vannerie",
        "zeppelin", "kangourou", "ornithologie", "saxophone")
FILTERS = (
    ("programme", {"programme": "avenir"}),
    ("actor", {"actor_type": "beneficiary"}),
    ("actor_rare", {"actor_type": "operator"}),
    ("attribute", {"attribute": ("sexe", "F")}),
    ("attribute", {"attribute": ("canal_entree", "Pôle emploi")}),
    ("programme+actor", {"programme": "pct_illettrisme", "actor_type": "beneficiary"}),
)


def search_queries() -> list[tuple[str, str, dict]]:
    """(category, query, filters): 142 unfiltered + 60 filtered = 202 queries."""
    qs = [("common", q, {}) for q in COMMON]
    qs += [("folded", q, {}) for q in FOLDED]
    qs += [("phrase", q, {}) for q in PHRASES]
    qs += [("and", q, {}) for q in AND_QUERIES]
    qs += [("prefix", q, {}) for q in PREFIXES]
    qs += [("rare", q, {}) for q in RARE]
    pool = [q for _, q, _ in qs]
    for i in range(60):
        label, f = FILTERS[i % len(FILTERS)]
        qs.append(("filter:" + label, pool[(i * 7) % len(pool)], f))
    return qs


def run_search(project_path: Path, repeat: int = 1) -> dict:
    project = Project.open(project_path, coder="bench")
    queries = search_queries()
    # the first query pays for opening caches: reported apart, not in the figures
    t = time.perf_counter()
    project.search("formation")
    first_ms = (time.perf_counter() - t) * 1000
    times: list[float] = []
    by_cat: dict[str, list[float]] = {}
    hits: dict[str, list[int]] = {}
    slowest: list[tuple[float, str, dict, int]] = []
    for _ in range(repeat):
        for cat, q, f in queries:
            t = time.perf_counter()
            df = project.search(q, **f)
            dt = time.perf_counter() - t
            times.append(dt)
            key = cat.split(":")[0] if cat.startswith("filter") else cat
            by_cat.setdefault(key if key != "filter" else cat, []).append(dt)
            hits.setdefault(cat, []).append(len(df))
            slowest.append((dt, q, f, len(df)))
    # the store alone (no DataFrame): how much the facade adds
    store_times = []
    for cat, q, f in queries:
        t = time.perf_counter()
        project.store.search(q, f.get("programme"), f.get("actor_type"), f.get("attribute"), 50)
        store_times.append(time.perf_counter() - t)
    project.close()
    slowest.sort(key=lambda x: -x[0])
    return {
        "queries": len(queries), "repeat": repeat, "first_query_ms": round(first_ms, 1),
        "all": summary_ms(times), "store_only": summary_ms(store_times),
        "by_category": {c: summary_ms(v) for c, v in by_cat.items()},
        "mean_hits": {c: round(statistics.fmean(v), 1) for c, v in hits.items()},
        "slowest": [{"ms": round(d * 1000, 1), "query": q, "filters": {k: list(v) if isinstance(v, tuple) else v for k, v in f.items()}, "hits": n}
                    for d, q, f, n in slowest[:8]],
        "target_median_ms": TARGET_SEARCH_MEDIAN_MS,
    }


def print_import(r: dict) -> None:
    ok = "MET" if r["import_files_s"] <= TARGET_IMPORT_S else "MISSED"
    print(f"\nIMPORT  {r['imported']}/{r['files']} files, {r['words']:,} words, "
          f"{r['segments']:,} segments ({r['corpus_mb']} MB of files)")
    print(f"  participants table: {r['participants']} rows in {r['participants_s']} s")
    print(f"  import_files: {r['import_files_s']} s  (target {TARGET_IMPORT_S:.0f} s: {ok})  "
          f"-> {r['files_per_s']} files/s, {r['words_per_s']:,} words/s")
    for ext, s in r["per_file_ms"].items():
        print(f"  per {ext} file: median {s['median_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms, "
              f"max {s['max_ms']:.0f} ms (n={s['n']})")
    print(f"  peak RSS {r['peak_rss_mb']} MB (before import {r['rss_before_mb']} MB)"
          + (f", Python-level peak {r['python_peak_mb']} MB" if r["python_peak_mb"] else ""))
    print(f"  project file {r['project_mb']} MB")
    if r["failed"]:
        print("  FAILED:", *r["failed"], sep="\n    ")


def print_search(s: dict) -> None:
    a = s["all"]
    ok = "MET" if a["median_ms"] <= TARGET_SEARCH_MEDIAN_MS else "MISSED"
    print(f"\nSEARCH  {a['n']} queries: median {a['median_ms']:.1f} ms "
          f"(target {TARGET_SEARCH_MEDIAN_MS:.0f} ms: {ok}), p95 {a['p95_ms']:.1f} ms, "
          f"max {a['max_ms']:.1f} ms; first query {s['first_query_ms']} ms; "
          f"store only: median {s['store_only']['median_ms']:.1f} ms, "
          f"p95 {s['store_only']['p95_ms']:.1f} ms")
    for c, v in s["by_category"].items():
        print(f"  {c:<24} n={v['n']:<4} median {v['median_ms']:7.1f} ms  p95 {v['p95_ms']:7.1f} ms"
              f"  max {v['max_ms']:7.1f} ms")
    print("  slowest:")
    for x in s["slowest"]:
        print(f"    {x['ms']:8.1f} ms  {x['query']!r} {x['filters'] or ''} ({x['hits']} hits)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", type=Path, help="folder written by corpus_files.py")
    ap.add_argument("--project", type=Path, default=ROOT / "benchmarks/data/bench.wbproj")
    ap.add_argument("--search-only", action="store_true", help="reuse --project, only search")
    ap.add_argument("--no-search", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="passes over the query list")
    ap.add_argument("--tracemalloc", action="store_true", help="Python-level peak (slower)")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the import here")
    ap.add_argument("--json", type=Path, help="write all figures here")
    args = ap.parse_args(argv)
    out = {"machine": machine(), "corpus": str(args.corpus), "project": str(args.project),
           "command": " ".join([Path(sys.executable).name, *sys.argv])}
    if not args.search_only:
        out["import"] = run_import(args.corpus, args.project, args.tracemalloc, args.profile)
        print_import(out["import"])
    if not args.no_search:
        out["search"] = run_search(args.project, args.repeat)
        print_search(out["search"])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
