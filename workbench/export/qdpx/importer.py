"""Importing a ``.qdpx`` into a project: read it whole, then merge it element by
element in one transaction (all or nothing).

Everything already in the project is matched rather than copied: users by GUID then
name, codes by GUID then path, sources by GUID then text hash, selections, codings and
memos by GUID (codings also by span, code and coder), cases by GUID then name, groups
by GUID then name.  A matched item keeps the project's values; each value the file
has differently is a conflict in the report (``on_conflict="replace"`` takes the
file's instead, except a value that contradicts an attribute's type, which is never
written).  Importing the same file twice changes nothing.  ``dry_run`` reports what
an import would do and writes nothing (``merge`` previews with it).
"""
from __future__ import annotations

from pathlib import Path

from workbench.domain import ValidationError, WorkbenchError
from workbench.i18n import _
from workbench.store import now

from . import cases, codes, extras, notes, sets, sources, users, variables
from .common import CancelledFn, ImportReport, ProgressFn, QdpxError
from .context import ImportCtx
from .reader import read_content

POLICIES = ("keep", "replace")


class _DryRun(Exception):
    pass


def import_qdpx(project, path: str | Path, *, on_conflict: str = "keep", dry_run: bool = False,
                progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> dict:
    """Import (or with ``dry_run``, preview) a REFI-QDA project; returns the report
    (:meth:`ImportReport.as_dict`): new and matched counts, conflicts, warnings."""
    if on_conflict not in POLICIES:
        raise ValidationError(_("on_conflict must be one of: {choices}").format(
            choices=", ".join(POLICIES)))
    path = Path(path)
    stop = cancelled or (lambda: False)
    content = read_content(path, progress=progress, cancelled=cancelled)
    report = ImportReport(file=str(path), origin=content.origin, dry_run=dry_run)
    report.warnings.extend(content.warnings)
    report.skipped_codings = content.skipped_codings
    ctx = ImportCtx(project=project, content=content, report=report, policy=on_conflict,
                    coder=project.coder, file_name=path.name, stamp=now(),
                    step=progress or (lambda *a: None),
                    seed=project.store.get_meta("exchange_seed"))
    steps = (users.merge, sets.merge_questions, codes.merge, variables.merge, sources.merge,
             cases.merge, notes.merge, sets.merge, extras.merge_project, extras.merge)
    store = project.store
    try:
        with store.transaction():
            for merge in steps:
                if stop():
                    raise WorkbenchError(_("import cancelled: nothing was imported"))
                merge(ctx)
            if dry_run:
                raise _DryRun
            if any(report.new.values()) or any(c.kept == "file" for c in report.conflicts):
                store.log_change(project.coder, "project.import_qdpx", "project", None,
                                 {"file": path.name, "origin": content.origin,
                                  "new": dict(report.new), "matched": dict(report.matched),
                                  "conflicts": len(report.conflicts)})
    except _DryRun:
        pass
    except WorkbenchError:
        raise
    except Exception as exc:   # the transaction rolled back
        raise QdpxError(_("{file}: import failed, nothing was imported ({error})").format(
            file=path.name, error=exc)) from exc
    return report.as_dict()
