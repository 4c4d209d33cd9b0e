"""Terminal-interface benchmark on a synthetic 500-interview project.

    .venv/bin/python benchmarks/bench_tui.py                 # builds the project once
    .venv/bin/python benchmarks/bench_tui.py --rebuild --docs 500

Measures, headless (App.run_test, 160x50):
  * open: a 20,000-word transcript carrying 1,000 codings, until the screen is drawn;
  * keystrokes: word / turn moves, select + apply a recent code, undo (press to idle);
  * retrieval: a code with 5,000 excerpts, until the table is filled.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

VOCAB = ("alors ben euh formation conseillère emploi mobilité permis bus crèche enfants horaires "
         "stage entreprise immersion confiance projet orientation accompagnement formateur "
         "difficile vraiment travail métier compétences certificat parcours quartier mission "
         "locale pôle rendez-vous dossier financement région transport voiture distance "
         "semaine mois heures atelier groupe numérique ordinateur téléphone lire écrire").split()


def sentence(rng: random.Random) -> str:
    n = rng.randint(6, 18)
    words = [rng.choice(VOCAB) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + rng.choice([".", ".", " ?", " !"])


def transcript(rng: random.Random, words: int) -> str:
    lines, count, turn = [], 0, 0
    while count < words:
        speaker = "ENQ" if turn % 2 == 0 else "Participant"
        body = " ".join(sentence(rng) for _ in range(rng.randint(1, 3) if turn % 2 == 0
                                                     else rng.randint(3, 9)))
        count += len(body.split())
        s = turn * 17
        lines.append(f"[{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}] {speaker} : {body}")
        turn += 1
    return "\n".join(lines) + "\n"


def build(path: Path, docs: int) -> None:
    from workbench.project import Project
    rng = random.Random(42)
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "big_interview.txt").write_text(transcript(rng, 20_000), encoding="utf-8")
        for i in range(docs - 1):
            (folder / f"interview_{i:03d}.txt").write_text(transcript(rng, 1_500), encoding="utf-8")
        p = Project.create(path, coder="bench")
        t0 = time.perf_counter()
        p.import_files([folder], programme="synthetic", actor_type="beneficiary", new_programme=True,
                       progress=lambda d, n, *a: print(f"\rimport {d}/{n}", end="", flush=True))
        print(f"\nimported {docs} documents in {time.perf_counter() - t0:.1f}s")
    codes = [p.create_code(f"Thème {i:02d}") for i in range(20)]
    target = p.create_code("Cible")
    big = p.document_id("big_interview")
    for doc in p.documents().itertuples(index=False):
        segs = [s for s in p.segments(doc.id) if not s.is_interviewer]
        picks = rng.sample(segs, min(10, len(segs)))
        p.apply_code_spans(doc.id, target, [(s.start, s.end) for s in picks])
    segs = [s for s in p.segments(big) if s.end - s.start > 40]
    spans_by_code: dict[int, list] = {c: [] for c in codes}
    n = 0
    while n < 990:                              # + 10 on "Cible" = 1,000 codings
        s = rng.choice(segs)
        a = rng.randint(s.start, s.end - 20)
        b = min(s.end, a + rng.randint(10, 300))
        c = rng.choice(codes)
        if (a, b) not in spans_by_code[c]:
            spans_by_code[c].append((a, b))
            n += 1
    for c, spans in spans_by_code.items():
        p.apply_code_spans(big, c, spans)
    print(f"codings on the big interview: {len(p.codings(big))}; "
          f"excerpts of 'Cible': {len(p.excerpts('Cible'))}")
    p.close()


async def measure(path: Path, repeats: int) -> dict:
    """Keystroke-to-screen: from posting the key (or calling the action) to the first
    frame the app hands to its (headless) driver showing the screen concerned."""
    from workbench import i18n
    from workbench.tui.app import WorkbenchApp
    i18n.set_language("en")
    app = WorkbenchApp(path, coder="bench", poll=False)
    frames: list[tuple[float, str]] = []
    display = app._display

    def spy(screen, renderable):
        frames.append((time.perf_counter(), type(screen).__name__))
        return display(screen, renderable)

    app._display = spy
    out: dict[str, list[float]] = {"open 20k-word transcript": [], "word move (w)": [],
                                   "turn move (j)": [], "select+code+undo keys": [],
                                   "retrieval 5,000 excerpts": []}

    def first_frame(t0: float, screen: str) -> float:
        return min((t for t, name in frames if t >= t0 and name == screen), default=float("nan")) - t0

    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        excerpts = len(app.project.excerpts("Cible"))  # 10 per document (5,000 at --docs 500)
        big = app.project.document_id("big_interview")
        target = app.project.code_id("Cible")
        for _ in range(repeats):
            frames.clear()
            t0 = time.perf_counter()
            app.open_document(big)
            await pilot.pause()
            await pilot.pause()
            out["open 20k-word transcript"].append(first_frame(t0, "CoderScreen"))
            await pilot.press("q")
            await pilot.pause()
        app.open_document(big)
        await pilot.pause()
        assert len(app.screen.view.codings) == 1000, len(app.screen.view.codings)
        app.project.put_code_in_slot(1, "Thème 00")     # key 1 applies it
        for keys, name, n in ((("w",), "word move (w)", 150), (("j",), "turn move (j)", 100),
                              (("v", "w", "w", "1", "u"), "select+code+undo keys", 10)):
            for _ in range(n):
                for key in keys:
                    frames.clear()
                    t0 = time.perf_counter()
                    await pilot.press(key)
                    out[name].append(first_frame(t0, "CoderScreen"))
        await pilot.press("q")
        await pilot.pause()
        for _ in range(repeats):
            frames.clear()
            t0 = time.perf_counter()
            app.action_goto("retrieval", code=target)
            await pilot.pause()
            await pilot.pause()
            out["retrieval 5,000 excerpts"].append(first_frame(t0, "RetrievalScreen"))
            assert len(app.screen.rows) == excerpts, (len(app.screen.rows), excerpts)
            await pilot.press("q")
            await pilot.pause()
    return {k: [x for x in v if x == x] for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--project", default=os.path.join(tempfile.gettempdir(),
                                                      "workbench-bench-tui.wbproj"))
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    path = Path(args.project)
    if args.rebuild or not path.exists():
        build(path, args.docs)
    res = asyncio.run(measure(path, args.repeats))
    print(f"| {'measure':<26} | median ms | p95 ms | max ms | n |")
    print("|---|---|---|---|---|")
    for k, v in res.items():
        v = sorted(v)
        p95 = v[min(len(v) - 1, int(0.95 * len(v)))]
        print(f"| {k:<26} | {statistics.median(v) * 1000:.1f} | {p95 * 1000:.1f} | "
              f"{max(v) * 1000:.1f} | {len(v)} |")


if __name__ == "__main__":
    main()
