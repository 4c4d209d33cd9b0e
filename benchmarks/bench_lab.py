"""Lab server: several coders writing to one project file at the same time.

Each writer is a separate process (as separate SSH sessions on a shared server would
be) coding, writing memos, removing and undoing its own work for a fixed time; a
reader polls the project like the terminal interface does.  At the end every write a
writer saw acknowledged must be in the file, every removal must have stuck, and no
"database is locked" (or any other error) may have reached a writer.

    python benchmarks/bench_lab.py --writers 3 --seconds 120 [--project lab.wbproj]

Prints one JSON object: operations per writer, the slowest acknowledged operation,
errors, lost writes, and how many changes the reader noticed.  The test suite runs it
for a few seconds (tests/test_lab.py); the two-minute figure is in benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = "Entretien fictif pour le banc d'essai du serveur de laboratoire.\n" + "".join(
    f"ENQ : Question {i} ?\nRépondant : Réponse numéro {i}, avec assez de mots pour coder "
    f"un passage qui compte.\n" for i in range(60))


def writer(path: str, coder: str, seconds: float, seed: int) -> dict:
    from workbench.project import Project
    rng = random.Random(seed)
    p = Project.open(path, coder=coder)
    n = len(p.text("lab"))
    codes = list(p.code_paths().values())
    live: dict[int, str] = {}          # coding id -> guid, as this writer believes
    removed: set[str] = set()
    ops = {"code": 0, "memo": 0, "remove": 0, "undo": 0, "read": 0}
    errors: list[str] = []
    slowest = 0.0
    history: list[tuple[str, object]] = []    # this writer's own undoable actions
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r = rng.random()
        t0 = time.monotonic()
        try:
            if r < 0.6 or not live:
                s = rng.randrange(0, n - 40)
                cid = p.apply_code("lab", rng.choice(codes), s, s + rng.randrange(5, 40))
                live[cid] = p.store.get_coding(cid)["guid"]
                history.append(("code", cid))
                ops["code"] += 1
            elif r < 0.75:
                cid = rng.choice(list(live))
                text = f"{coder} memo {ops['memo']}"
                p.add_memo("coding", cid, text)
                history.append(("memo", text))
                ops["memo"] += 1
            elif r < 0.85:
                cid = rng.choice(list(live))
                p.remove_coding(cid)
                removed.add(live.pop(cid))
                history.append(("remove", None))
                ops["remove"] += 1
            elif r < 0.9 and history and history[-1][0] == "code":
                label = p.undo()
                assert label == "coding.apply", label
                _kind, cid = history.pop()
                removed.add(live.pop(cid))
                ops["undo"] += 1
            else:
                p.codings("lab")
                p.data_version()
                ops["read"] += 1
        except Exception as exc:       # anything reaching the user is a failure
            errors.append(f"{type(exc).__name__}: {exc}")
        slowest = max(slowest, time.monotonic() - t0)
    p.close()
    return {"coder": coder, "ops": ops, "errors": errors, "slowest_s": round(slowest, 3),
            "live": sorted(live.values()), "removed": sorted(removed)}


def reader(path: str, seconds: float) -> dict:
    from workbench.project import Project
    p = Project.open(path, coder="lecteur")
    seen = 0
    last = p.data_version()
    deadline = time.monotonic() + seconds
    errors = []
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            v = p.data_version()
            if v != last:
                seen += 1
                last = v
                p.codings("lab")
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    p.close()
    return {"changes_seen": seen, "errors": errors}


def make_project(path: Path, writers: int) -> None:
    from workbench.project import Project
    src = path.parent / "lab.txt"
    src.write_text(TEXT, encoding="utf-8")
    with Project.create(path, coder="admin") as p:
        p.import_files([src])
        for c in ("Freins/Mobilité", "Freins/Garde d'enfants", "Immersion", "Confiance"):
            p.create_code(c)
        for i in range(writers):
            p.add_coder(f"codeur{i + 1}")


def run(writers: int, seconds: float, project: Path | None = None) -> dict:
    from workbench.project import Project
    tmp = None
    if project is None:
        tmp = tempfile.TemporaryDirectory(prefix="wb-lab-")
        project = Path(tmp.name) / "lab.wbproj"
    if not project.exists():
        make_project(project, writers)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    procs = [subprocess.Popen([sys.executable, __file__, "--role", "writer", "--project",
                               str(project), "--coder", f"codeur{i + 1}", "--seconds",
                               str(seconds), "--seed", str(i)], stdout=subprocess.PIPE, text=True,
                              env=env) for i in range(writers)]
    procs.append(subprocess.Popen([sys.executable, __file__, "--role", "reader", "--project",
                                   str(project), "--seconds", str(seconds)],
                                  stdout=subprocess.PIPE, text=True, env=env))
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 600)
        if proc.returncode != 0:
            results.append({"errors": [f"process exited with {proc.returncode}"]})
        else:
            results.append(json.loads(out.strip().splitlines()[-1]))
    with Project.open(project, coder="admin") as p:
        stored = {k["guid"] for k in p.store.find_codings()}
        integrity = p.store.scalar("PRAGMA integrity_check")
    lost = sorted(g for r in results[:-1] for g in r.get("live", []) if g not in stored)
    revived = sorted(g for r in results[:-1] for g in r.get("removed", []) if g in stored)
    summary = {
        "writers": writers, "seconds": seconds,
        "operations": {r.get("coder", "?"): r.get("ops") for r in results[:-1]},
        "total_operations": sum(sum(r.get("ops", {}).values()) for r in results[:-1]),
        "slowest_acknowledged_s": max((r.get("slowest_s", 0) for r in results[:-1]), default=0),
        "errors": [e for r in results for e in r.get("errors", [])],
        "lost_writes": len(lost), "removals_undone": len(revived),
        "reader_changes_seen": results[-1].get("changes_seen", 0),
        "codings_stored": len(stored), "integrity": integrity,
    }
    if tmp is not None:
        tmp.cleanup()
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--project", type=Path)
    ap.add_argument("--role", choices=("main", "writer", "reader"), default="main")
    ap.add_argument("--coder")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.role == "writer":
        print(json.dumps(writer(str(args.project), args.coder, args.seconds, args.seed)))
    elif args.role == "reader":
        print(json.dumps(reader(str(args.project), args.seconds)))
    else:
        result = run(args.writers, args.seconds, args.project)
        print(json.dumps(result, ensure_ascii=False, indent=1))
        ok = not result["errors"] and not result["lost_writes"] and not result["removals_undone"]
        sys.exit(0 if ok and result["integrity"] == "ok" else 1)


if __name__ == "__main__":
    main()
