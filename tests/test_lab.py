"""Lab server: three coders writing to one project file at the same time (the
benchmark script run briefly): no lost write, no "database is locked" reaching anyone,
and an open terminal interface notices the others' changes."""
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench_lab.py"


def test_three_concurrent_writers_lose_nothing(tmp_path):
    out = subprocess.run([sys.executable, str(BENCH), "--writers", "3", "--seconds", "5",
                          "--project", str(tmp_path / "lab.wbproj")],
                         capture_output=True, text=True, timeout=600)
    result = json.loads(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    assert result["errors"] == []
    assert result["lost_writes"] == 0 and result["removals_undone"] == 0
    assert result["integrity"] == "ok"
    assert all(ops["code"] > 0 for ops in result["operations"].values())
    assert len(result["operations"]) == 3
    assert result["reader_changes_seen"] > 0


@pytest.mark.anyio
async def test_open_interface_refreshes_while_others_write(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_lab
    finally:
        sys.path.pop(0)
    from workbench.tui.app import WorkbenchApp
    path = tmp_path / "lab.wbproj"
    bench_lab.make_project(path, 2)
    app = WorkbenchApp(path, coder="observatrice", poll=False)
    procs = [subprocess.Popen([sys.executable, str(BENCH), "--role", "writer", "--project",
                               str(path), "--coder", f"codeur{i + 1}", "--seconds", "3",
                               "--seed", str(i)], stdout=subprocess.PIPE, text=True)
             for i in range(2)]
    seen = 0
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 120
        while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
            seen += bool(app.check_for_changes())
            await pilot.pause(0.2)
        for p in procs:
            result = json.loads(p.communicate(timeout=60)[0].strip().splitlines()[-1])
            assert result["errors"] == []
        seen += bool(app.check_for_changes())
        await pilot.pause()
        assert seen > 0
        assert app.project.data_version() == app._data_version
