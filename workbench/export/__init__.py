"""Reports and exchange: Word reports, spreadsheets, REFI-QDA projects.

Pure core: no Textual, no click.  The :class:`workbench.export.api.ExportAPI` mixin
is the facade the CLI and the TUI call (see ``docs/reports-and-exchange.md``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.export.qdpx import QdpxError, export_qdpx, import_qdpx, validate_qdpx


def __getattr__(name: str) -> Any:
    """The REFI-QDA functions, loaded on first use (lxml is not needed to open a project)."""
    if name in __all__:
        from workbench.export import qdpx
        value = getattr(qdpx, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["QdpxError", "export_qdpx", "import_qdpx", "validate_qdpx"]
