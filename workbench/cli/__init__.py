"""The ``workbench`` command line.  Each module registers its commands on ``main``; the
main group imports a module only when one of its commands runs
(:data:`workbench.cli._base.COMMAND_MODULES`)."""
from workbench.cli._base import load_all_commands, main

__all__ = ["main", "load_all_commands"]
