"""mypy on the core, as configured in pyproject.toml ([tool.mypy]: the whole core, strict
on workbench/store/ and workbench/query/, a listed debt that only shrinks), so that
`./run test` and CI check the types."""
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_passes_on_the_core(tmp_path_factory):
    cache = Path(os.environ.get("WORKBENCH_MYPY_CACHE")
                 or tmp_path_factory.getbasetemp().parent / "workbench-mypy-cache")
    out = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(cache),
                          "--no-error-summary", "--hide-error-context"],
                         cwd=ROOT, capture_output=True, text=True)
    errors = [line for line in out.stdout.splitlines() if ": error:" in line]
    assert out.returncode == 0 and not errors, "\n".join(errors[:60]) or out.stderr[-3000:]


def test_strict_on_store_and_query():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    strict = [o for o in config["overrides"] if o.get("disallow_untyped_defs")]
    assert strict and {"workbench.store.*", "workbench.query.*"} <= set(strict[0]["module"])
    debt = {m for o in config["overrides"] if o.get("ignore_errors") for m in o["module"]}
    assert not {m for m in debt if m.startswith(("workbench.store", "workbench.query"))}
    # every store/query module is fully annotated (only the migrations, never edited once
    # on main, keep their signatures as written)
    loose = [o["module"] for o in config["overrides"] if o.get("disallow_untyped_defs") is False]
    assert loose == [["workbench.store.migrations.*"]]
