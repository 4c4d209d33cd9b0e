"""The architecture's promises, checked: the layering contracts of ``pyproject.toml``
(import-linter: the core never imports Textual, click, the CLI or the TUI; the CLI and the
TUI import only the facade, the public types, messages and labels; wildcards, so a new
module is covered the day it exists), no SQL outside workbench/store/, no network code."""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "workbench"
FACES = {"cli", "tui"}


def test_import_contracts_hold():
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, "
            "no_logo=True))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "2 kept, 0 broken" in out.stdout


def test_faces_never_reach_into_the_store():
    """The facade is the only way in: no face calls ``project.store`` (import-linter
    cannot see an attribute)."""
    pattern = re.compile(r"\.store\b(?!_)")
    offenders = [f"{p.relative_to(ROOT)}: {line.strip()}" for face in FACES
                 for p in (PKG / face).rglob("*.py")
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []


def test_no_sql_outside_store():
    pattern = re.compile(r"\.execute(many|script)?\(|\bSELECT\b.*\bFROM\b|\bINSERT INTO\b")
    offenders = [str(p.relative_to(PKG.parent)) for p in PKG.rglob("*.py")
                 if "store" not in p.relative_to(PKG).parts and pattern.search(p.read_text())]
    assert offenders == []


def test_no_network_code():
    pattern = re.compile(r"from_pretrained\(|huggingface|hf_hub|requests\.(get|post)|"
                         r"urllib\.request|snapshot_download")
    offenders = [str(p) for p in PKG.rglob("*.py") if pattern.search(p.read_text())]
    assert offenders == []
