"""Benchmark: Word report (2,000 excerpts + 10 tables), .qdpx export and import.

    .venv/bin/python benchmarks/bench_export.py [--interviews 500] [--excerpts 2000]

Uses ``benchmarks/synthetic.py`` when it exists, else builds a synthetic project
directly (seeded): N interviews of ~3,000 words with speaker turns, 300
participants, 60 codes, coded excerpts by two coders.  Figures go to
docs/benchmarks.md ("Reports and exchange").
"""
from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("formation immersion entreprise conseillère Pôle emploi crèche permis confiance "
         "parcours orientation accompagnement stage métier compétences savoirs numérique "
         "mobilité transport garde enfants financement dispositif référent atelier").split()


def build(path: Path, interviews: int, excerpts: int, seed: int) -> None:
    from workbench.domain import Attribute
    from workbench.project import Project
    rnd = random.Random(seed)
    with Project.create(path, coder="alice") as p:
        p.store.upsert_participants(
            [Attribute("age", "numeric"), Attribute("emploi_6m", "nominal")],
            [(f"P{i:04d}", {"age": (str(a := rnd.randint(18, 60)), float(a)),
                            "emploi_6m": (rnd.choice(["oui", "non"]), None)})
             for i in range(300)])
        for i in range(8):
            p.create_code(f"Thème {i}")
            for j in range(7):
                p.create_code(f"Thème {i}/Sous-code {j}")
        leaves = [cid for cid, path_ in p.code_paths().items() if "/" in path_]
        for name in ("alice", "bruno"):        # the coders of the codings below
            p.store.ensure_coder(name)
        per_doc = max(1, excerpts // interviews + 1)
        made = 0
        for d in range(interviews):
            lines, segs, pos = [], [], 0
            for t in range(120):
                who = "ENQ" if t % 2 == 0 else "Répondant"
                body = " ".join(rnd.choice(WORDS) for _ in range(8 if who == "ENQ" else 40))
                line = f"{who} : {body}."
                segs.append(dict(position=t, kind="turn", speaker=who, is_interviewer=who == "ENQ",
                                 start=pos, end=pos + len(line), timestamp=float(t * 30)))
                lines.append(line)
                pos += len(line) + 1
            text = "\n".join(lines)
            doc_id = p.store.insert_document(dict(
                name=f"entretien_{d:03d}", text=text, programme=rnd.choice(["avenir", "becomino"]),
                actor_type=rnd.choice(["beneficiary", "trainer", "operator"]),
                word_count=len(text.split()), source_hash=f"bench-{seed}-{d}"), segs,
                [(f"P{d % 300:04d}", "Répondant")])
            if made < excerpts:
                spans = [(s["start"], s["end"]) for s in rnd.sample(segs[1::2], per_doc)]
                for coder in ("alice", "bruno"):
                    for s, e in spans[: min(per_doc, excerpts - made)]:
                        p.apply_code(doc_id, rnd.choice(leaves), s, e, coder=coder)
                made += min(per_doc, excerpts - made)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--interviews", type=int, default=500)
    ap.add_argument("--excerpts", type=int, default=1000, help="coded spans (×2 coders)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from workbench.project import Project
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    proj = tmp / "bench.wbproj"
    t = time.perf_counter()
    synthetic = ROOT / "benchmarks" / "synthetic.py"
    if synthetic.is_file():
        subprocess.run([sys.executable, str(synthetic), str(proj), "--interviews",
                        str(args.interviews), "--codings", str(2 * args.excerpts),
                        "--participants", "300", "--words", "3000", "--seed", str(args.seed),
                        "--quiet"], check=True)
    else:
        build(proj, args.interviews, args.excerpts, args.seed)
    print(f"build: {time.perf_counter() - t:.1f} s -> {proj}")
    with Project.open(proj, coder="alice") as p:
        info = p.info()
        print(f"project: {info['documents']} documents, {info['codings']} codings, "
              f"{info['codes']} codes, {info['participants']} participants")
        data = p.report_data()
        from workbench.export.data import named_tables
        tables = {k: v.head(60) for k, v in list(named_tables(p, data).items())[:10]
                  if k not in ("extraits",)}
        t = time.perf_counter()
        out = p.export_report(tmp / "rapport.docx", sections=("excerpts", "matrices"),
                              tables=tables, attributes=["age", "emploi_6m"])
        t_report = time.perf_counter() - t
        print(f"report ({len(data.excerpts)} excerpts, {len(tables) + 2} tables): "
              f"{t_report:.2f} s, {out.stat().st_size / 1e6:.1f} MB")
        t = time.perf_counter()
        p.export_report(tmp / "complet.docx", excerpts_per_code=None)
        print(f"full report (all sections, charts): {time.perf_counter() - t:.2f} s")
        t = time.perf_counter()
        summary = p.export_qdpx(tmp / "bench.qdpx")
        print(f"qdpx export: {time.perf_counter() - t:.2f} s, "
              f"{Path(summary['path']).stat().st_size / 1e6:.1f} MB")
        t = time.perf_counter()
        p.export_tables(tmp / "tables.xlsx")
        print(f"xlsx (all tables): {time.perf_counter() - t:.2f} s")
    with Project.create(tmp / "import.wbproj", coder="carol") as q:
        t = time.perf_counter()
        r = q.import_qdpx(tmp / "bench.qdpx")
        new = r.get("new", r) if isinstance(r, dict) else {}
        print(f"qdpx import: {time.perf_counter() - t:.2f} s ({new.get('documents')} documents, "
              f"{new.get('codings')} codings)")


if __name__ == "__main__":
    main()
