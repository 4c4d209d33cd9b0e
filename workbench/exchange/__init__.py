"""Bringing another project's work in: one implementation for ``workbench import
X.qdpx`` and ``workbench merge`` (and the terminal interface's REFI-QDA import and team
merge).

* :mod:`.matching` — the one identity matcher (GUID, then text hash, then path or
  content) with the position mapping between two copies of a transcript;
* :mod:`.conflicts` — the one conflict model (kinds, choices, remembered decisions,
  the default "keep the project's values");
* :mod:`.wbproj` — another Workbench project read as the content a ``.qdpx`` gives;
* :mod:`.engine` — :func:`~.engine.bring_in`: read, match, decide, write (one undoable
  step, bounded transactions for new sources), report (:mod:`.report`).

See ``docs/reports-and-exchange.md`` ("Bringing work in") and ``docs/user-guide.md``.
"""
from .conflicts import Conflict, ConflictsNeedChoice, Resolution
from .report import ExchangeReport

__all__ = ["Conflict", "ConflictsNeedChoice", "ExchangeReport", "Resolution", "bring_in"]


def bring_in(*args, **kwargs):
    """See :func:`workbench.exchange.engine.bring_in`."""
    from .engine import bring_in as run
    return run(*args, **kwargs)
