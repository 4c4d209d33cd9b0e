"""Merging a colleague's work (another ``.wbproj``, or a ``.qdpx`` written by any tool)
is :func:`workbench.exchange.engine.bring_in` in ``merge`` mode: the same identity
matcher, conflict model and engine as ``workbench import X.qdpx``, but a conflict
without a given or remembered choice stops the merge before anything is written
(:class:`MergeConflicts`) instead of taking the default.  See :mod:`workbench.exchange`.
"""
from __future__ import annotations

from workbench.exchange.conflicts import Conflict, ConflictsNeedChoice as MergeConflicts
from workbench.exchange.report import ExchangeReport as MergeReport

__all__ = ["Conflict", "MergeConflicts", "MergeReport"]
