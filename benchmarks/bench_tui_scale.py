"""Coding keystroke latency in the terminal interface on a big project.

    python benchmarks/synthetic.py /tmp/wb400k.wbproj --codings 400000
    python benchmarks/bench_tui_scale.py /tmp/wb400k.wbproj [--keystrokes 30]

Headless (App.run_test, 160x50), on a copy of the project: opens an interview, then
``--keystrokes`` times moves to the next turn (``j``) and applies the code of slot 1
(``1``), measuring from the key press to the first frame drawn after it (the same spy
as bench_tui.py), and the facade's ``apply_code`` alone for comparison.  Target (issue
#16): under 100 ms per coding keystroke at 400,000 codings.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


async def measure(path: Path, keystrokes: int) -> dict[str, list[float]]:
    from workbench.tui.app import WorkbenchApp
    app = WorkbenchApp(path, coder="bench", poll=False)
    frames: list[float] = []
    display = app._display

    def spy(screen, renderable):
        frames.append(time.perf_counter())
        return display(screen, renderable)

    app._display = spy
    out: dict[str, list[float]] = {"coding keystroke (1)": [], "turn move (j)": [],
                                   "apply_code (API)": []}
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        project = app.project
        doc = int(project.documents().iloc[0]["id"])
        codes = project.codes()
        app.open_document(doc)
        await pilot.pause()
        await pilot.pause()
        project.put_code_in_slot(1, int(codes.iloc[3]["id"]))    # key 1
        app.screen.refresh_data()
        coded_before = len(project.codings(doc))
        for _ in range(keystrokes):
            for key, name in (("j", "turn move (j)"), ("1", "coding keystroke (1)")):
                frames.clear()
                t0 = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                after = [t for t in frames if t >= t0]
                if after:
                    out[name].append(after[0] - t0)
        applied = len(project.codings(doc)) - coded_before
        assert applied >= keystrokes * 0.9, f"only {applied} of {keystrokes} keystrokes coded"
        text_len = len(project.text(doc))
        for i in range(keystrokes):
            t0 = time.perf_counter()
            project.apply_code(doc, int(codes.iloc[4]["id"]), i * 7 % (text_len - 20),
                               i * 7 % (text_len - 20) + 10)
            out["apply_code (API)"].append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("--keystrokes", type=int, default=30)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / args.project.name
        shutil.copy(args.project, copy)
        from workbench.project import Project
        with Project.open(copy) as p:
            print(f"project: {p.info()['codings']} codings, {p.info()['documents']} documents")
        res = asyncio.run(measure(copy, args.keystrokes))
    print("| measure | median ms | p95 ms | max ms | n |")
    print("|---|---|---|---|---|")
    for k, v in res.items():
        v = sorted(v)
        p95 = v[min(len(v) - 1, int(0.95 * len(v)))]
        print(f"| {k} | {statistics.median(v) * 1000:.1f} | {p95 * 1000:.1f} | "
              f"{max(v) * 1000:.1f} | {len(v)} |")


if __name__ == "__main__":
    main()
