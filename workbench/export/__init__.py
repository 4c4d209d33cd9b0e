"""Reports and exchange: Word reports, spreadsheets, REFI-QDA projects.

Pure core: no Textual, no click.  The :class:`workbench.export.api.ExportAPI` mixin
is the facade the CLI and the TUI call (see ``docs/reports-and-exchange.md``).
"""
from workbench.export.qdpx import QdpxError, export_qdpx, import_qdpx, validate_qdpx

__all__ = ["QdpxError", "export_qdpx", "import_qdpx", "validate_qdpx"]
