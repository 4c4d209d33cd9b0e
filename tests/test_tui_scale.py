"""A coding keystroke in the terminal interface costs the same in a small project and
in a big one (issue #16: 2.6-3.6 s per keystroke at 400,000 codings, because every
keystroke recounted every coding).  Measured without a clock: the SQLite work done
during the keystroke (virtual-machine steps, counted by a progress handler) must not
grow with the number of codings elsewhere in the project.  The time itself is a
benchmark (benchmarks/bench_tui_scale.py, figures in docs/benchmarks.md).
"""
from __future__ import annotations

import random

import pytest

from workbench.project import Project

pytestmark = pytest.mark.anyio

TURNS = "".join(f"{'ENQ' if i % 2 == 0 else 'Karima'} : tour numéro {i}, la formation et "
                f"l'immersion en entreprise, vraiment.\n" for i in range(200))


def _project(tmp_path, other_codings: int):
    """One document to code in, and ``other_codings`` codings on other documents."""
    path = tmp_path / f"p{other_codings}.wbproj"
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    for i in range(5):
        (src / f"entretien_{i}.txt").write_text(TURNS.replace("tour", f"tour{i}"), encoding="utf-8")
    with Project.create(path, coder="testeur") as p:
        p.import_files([src])
        codes = [p.create_code(f"Thème {i}") for i in range(10)]
        rng = random.Random(7)
        per_doc = other_codings // 4
        for d in range(1, 5):
            n = len(p.text(f"entretien_{d}")) - 30
            spans = sorted({(a, a + rng.randint(5, 25)) for a in
                            (rng.randrange(n) for _ in range(per_doc * 2))})[:per_doc]
            for k, code in enumerate(codes):
                p.apply_code_spans(f"entretien_{d}", code, spans[k::len(codes)])
        total = p.info()["codings"]
    return path, codes, total


async def _keystroke_steps(path, code_id) -> int:
    from workbench.tui.app import WorkbenchApp
    with Project.open(path, coder="testeur") as p:     # the code in slot 1 (key 1)
        p.put_code_in_slot(1, code_id)
    app = WorkbenchApp(path, coder="testeur", poll=False)
    steps = [0]

    def count():
        steps[0] += 1
        return 0
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.open_document(app.project.document_id("entretien_0"))
        await pilot.pause()
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        conn = app.project.store.conn
        conn.set_progress_handler(count, 100)
        await pilot.press("1")                       # apply the code of slot 1
        await pilot.pause()
        await pilot.pause()
        conn.set_progress_handler(None, 0)
        assert len(app.project.codings("entretien_0")) == 1
    return steps[0]


async def test_a_coding_keystroke_does_not_grow_with_the_project(tmp_path):
    small, codes_small, n_small = _project(tmp_path, 400)
    big, codes_big, n_big = _project(tmp_path, 20_000)
    assert n_big >= 40 * n_small > 0
    work_small = await _keystroke_steps(small, codes_small[0])
    work_big = await _keystroke_steps(big, codes_big[0])
    # 50 times the codings: the keystroke's database work stays about the same (it was
    # proportional to every coding of the project before)
    assert work_big <= 2 * work_small + 50, (work_small, work_big)
