"""REFI-QDA project exchange (``.qdpx``: a zip with ``project.qde`` and ``Sources/``).

One module per element, each with its reader, its writer and its import into a
project: :mod:`.users`, :mod:`.codes`, :mod:`.variables`, :mod:`.cases`,
:mod:`.sources` (selections, codings, turns), :mod:`.notes`, :mod:`.sets` (groups and
evaluation questions), :mod:`.extras` (links, graphs, the project element);
:mod:`.reader`, :mod:`.writer` and :mod:`.importer` run them in order.  Exports
validate against ``Project.xsd`` (QDA-XML 1.0); see ``docs/reports-and-exchange.md``
for what travels, field by field, and what is named in a warning.
"""
from .codes import code_tree
from .common import NS, ORIGIN, XSD_PATH, ImportReport, QdpxError
from .importer import import_qdpx
from .reader import read_content, read_qdpx
from .writer import build_qde, export_qdpx, validate_qdpx

__all__ = ["NS", "ORIGIN", "XSD_PATH", "ImportReport", "QdpxError", "build_qde", "code_tree",
           "export_qdpx", "import_qdpx", "read_content", "read_qdpx", "validate_qdpx"]
