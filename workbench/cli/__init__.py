"""The ``workbench`` command line.  Each module registers its commands on ``main``."""
from workbench.cli._base import main
from workbench.cli import app as _app  # noqa: F401  (registers commands)
from workbench.cli import ingest as _ingest  # noqa: F401
from workbench.cli import coding as _coding  # noqa: F401
from workbench.cli import query as _query  # noqa: F401
from workbench.cli import topics as _topics  # noqa: F401
from workbench.cli import export as _export  # noqa: F401
from workbench.cli import privacy as _privacy  # noqa: F401
from workbench.cli import team as _team  # noqa: F401
from workbench.cli import waves as _waves  # noqa: F401

__all__ = ["main"]
