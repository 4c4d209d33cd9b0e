"""The architecture's promises, checked: the core imports neither Textual nor click,
and no SQL is written outside workbench/store/."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "workbench"
CORE_MODULES = sorted(
    ".".join(p.relative_to(PKG.parent).with_suffix("").parts)
    for p in PKG.rglob("*.py")
    if not {"tui", "cli"} & set(p.relative_to(PKG).parts) and p.name != "__main__.py")


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_load_textual(module):
    code = (f"import sys, importlib; importlib.import_module({module!r}); "
            "print('textual' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", f"{module} loads textual"


def test_core_source_never_imports_click_or_textual():
    # (sqlite-utils itself imports click; what matters is that our core does not use it)
    pattern = re.compile(r"^\s*(from|import)\s+(click|textual)\b", re.M)
    offenders = [m for m in CORE_MODULES
                 if pattern.search((PKG.parent / (m.replace(".", "/") + ".py")).read_text())]
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
