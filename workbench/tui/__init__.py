"""The terminal interface (Textual).  Only this package imports ``textual``.

    >>> from workbench.tui import run_tui
    >>> run_tui("evaluation.wbproj")          # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path


def run_tui(path: str | Path, *, coder: str | None = None) -> None:
    """Open ``path`` in the terminal interface and return when the user quits."""
    from workbench.tui.app import WorkbenchApp

    app = WorkbenchApp(path, coder=coder)
    app.catch_errors = True
    app.run()


__all__ = ["run_tui"]
