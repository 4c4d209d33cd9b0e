"""Importing a ``.qdpx`` into a project: :func:`workbench.exchange.engine.bring_in` with
the default choice for every conflict — the project's values are kept — stated in the
report (one implementation with ``workbench merge``, which asks instead).

Everything already in the project is matched rather than copied (users by GUID then
name, codes by GUID then path, sources by GUID then text hash, selections, codings and
memos by GUID then content, cases by GUID then name, groups by GUID then name; see
:mod:`workbench.exchange.matching`).  Each value the file has differently is a conflict
(:mod:`workbench.exchange.conflicts`): ``on_conflict="replace"`` takes the file's
instead wherever that is a choice (never a value that contradicts an attribute's type);
``choices`` decides single conflicts by id.  Importing the same file twice changes
nothing.  ``dry_run`` reports what an import would do and writes nothing.
"""
from __future__ import annotations

from pathlib import Path

from workbench.domain import ValidationError
from workbench.i18n import _

from .common import CancelledFn, ProgressFn

#: on_conflict -> the choice preferred for every conflict (None: the default, "ours")
POLICIES = {"keep": None, "replace": "theirs"}


def import_qdpx(project, path: str | Path, *, on_conflict: str = "keep", dry_run: bool = False,
                choices: dict[str, str] | None = None, progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> dict:
    """Import (or with ``dry_run``, preview) a REFI-QDA project; returns the report
    (:meth:`~workbench.exchange.report.ExchangeReport.as_dict`): new and matched counts,
    conflicts with their choices, warnings."""
    from workbench.exchange.engine import bring_in
    if on_conflict not in POLICIES:
        raise ValidationError(_("on_conflict must be one of: {choices}").format(
            choices=", ".join(POLICIES)))
    path = Path(path)
    report = bring_in(project, path, mode="import", choices=choices,
                      prefer=POLICIES[on_conflict], preview=dry_run, progress=progress,
                      cancelled=cancelled)
    return report.as_dict()
