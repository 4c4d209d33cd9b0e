"""Bringing another project's work in: the one engine behind ``workbench import X.qdpx``
and ``workbench merge`` (a ``.wbproj`` or a ``.qdpx``).

1. **Read** the other side completely, nothing written: a ``.qdpx`` through the
   REFI-QDA reader (:func:`workbench.export.qdpx.read_content`), a ``.wbproj`` through
   :func:`workbench.exchange.wbproj.read_project`; both give one
   :class:`~workbench.export.qdpx.context.Content`.
2. **Match and write**, element by element (users, questions, codes, variables,
   sources with their codings, cases, notes, sets, links, then what the other side
   deleted), each element module of :mod:`workbench.export.qdpx` matching through
   :mod:`workbench.exchange.matching` and raising every difference as a conflict of
   :mod:`workbench.exchange.conflicts`, decided by the choices given, the remembered
   decisions, ``prefer``, then (``import``) the default "keep the project's values".
3. **All or nothing, with a short lock**: what needs no lock is done first — texts
   hashed and counted, matched texts compared, new sources' turns found and indexed
   for search in short transactions (the store's import batch,
   :func:`~workbench.export.qdpx.sources.preindex`); then one transaction matches
   against what the project holds at that moment and writes the rest, in bulk (one
   statement per table and document, undo recorded as id runs), so that another
   program's write waits for that transaction only (``benchmarks/bench_lock.py``).
   Codes, codings and memos it adds, changes or removes are **one undoable step**
   (``merge`` or ``import``); documents it adds stay, like any import.  A preview
   (``dry_run``) runs the same steps and rolls them back; a merge with a conflict left
   without a choice rolls back too and raises :class:`ConflictsNeedChoice`.

Bringing the same file in twice changes nothing: everything matches the second time.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from workbench.domain import ValidationError, WorkbenchError
from workbench.i18n import _, located
from workbench.store import now

from .conflicts import ConflictsNeedChoice, Resolution, decisions_to_remember
from .report import ExchangeReport

MODES = ("import", "merge")


class _Preview(Exception):
    pass


def read_other(path: str | Path, *, progress=None, cancelled=None):
    """The other side as :class:`~workbench.export.qdpx.context.Content`: a ``.qdpx``
    (REFI-QDA, any tool) or a Workbench project file."""
    from workbench.export.qdpx.reader import read_content

    from .wbproj import read_project
    path = Path(path)
    if path.suffix.lower() == ".qdpx":
        if not path.is_file():
            raise ValidationError(_("{path}: no such file").format(path=path))
        try:
            return read_content(path, progress=progress, cancelled=cancelled)
        except WorkbenchError:
            raise
        except Exception as exc:   # a reader library's error on odd input: this file's error
            from workbench.export.qdpx.common import QdpxError
            from workbench.safety.errors import describe
            message, line = describe(exc)
            where = f"{path.name}:{line}" if line else path.name
            raise QdpxError(located(where, message)) from exc
    return read_project(path)


def bring_in(project, path: str | Path, *, mode: str = "merge",
             choices: dict[str, str] | None = None, prefer: str | None = None,
             preview: bool = False, progress=None, cancelled=None,
             content=None) -> ExchangeReport:
    """Bring the work in ``path`` into ``project`` (see the module docstring).

    ``mode="import"``: every conflict without a given, remembered or preferred choice
    takes its default (the project's values are kept), stated in the report.
    ``mode="merge"``: such a conflict stops the merge (:class:`ConflictsNeedChoice`,
    nothing written) unless ``preview``."""
    from workbench.export.qdpx import (cases, codes, extras, notes, sets, sources, users,
                                       variables)
    from workbench.export.qdpx.common import QdpxError
    from workbench.export.qdpx.context import ImportCtx

    if mode not in MODES:
        raise ValidationError(f"mode must be one of {MODES}")
    path = Path(path)
    stop = cancelled or (lambda: False)
    if content is None:
        content = read_other(path, progress=progress, cancelled=cancelled)
    store = project.store
    report = ExchangeReport(file=str(path), origin=content.origin, mode=mode, dry_run=preview)
    report.warnings.extend(content.warnings)
    report.skipped_codings = content.skipped_codings
    resolution = Resolution(choices, prefer=prefer, default=(mode == "import"),
                            remembered=store.merge_decisions())
    ctx = ImportCtx(project=project, content=content, report=report, resolution=resolution,
                    coder=project.coder, file_name=path.name, stamp=now(),
                    step=progress or (lambda *a: None),
                    seed=store.get_meta("exchange_seed"),
                    tombstones={k: store.tombstones(k) for k in ("code", "coding", "memo")})
    steps = (users.merge, sets.merge_questions, codes.merge, variables.merge,
             extras.merge_waves, sources.merge, cases.merge, notes.merge, sets.merge, extras.merge_project, extras.merge,
             deleted_there)
    label = "merge" if mode == "merge" else "import"
    details = {"file": path.name, "origin": content.origin}
    batching = not preview
    try:
        with (store.import_batch(f"project.{label}", project.coder) if batching
              else contextlib.nullcontext()) as batch, store.bulk_writes():
            # before the lock: texts hashed and compared, new sources' turns found and
            # (outside a preview) indexed for search
            sources.preindex(ctx, batch)
            with (store.transaction() if preview else
                  store.grouped(label, project.coder, details=details)) as rec:
                for step in steps:
                    if stop():
                        raise WorkbenchError(_("import cancelled: nothing was imported"))
                    step(ctx)
                if report.pending and not preview:
                    raise ConflictsNeedChoice(report)
                if preview:
                    raise _Preview
                remember = decisions_to_remember(report.conflicts)
                if remember:
                    store.record_merge_decisions(remember, project.coder)
                if report.changed and not getattr(rec, "changes", None):
                    # nothing undoable was written (documents, participants...): the
                    # change log still says what came in
                    store.log_change(project.coder, f"project.{label}", "project", None,
                                     {**details, "new": dict(report.new)})
    except _Preview:
        return report
    except WorkbenchError:
        raise
    except Exception as exc:   # the transaction rolled back
        error = QdpxError if path.suffix.lower() == ".qdpx" else WorkbenchError
        raise error(_("{file}: import failed, nothing was imported ({error})").format(
            file=path.name, error=exc)) from exc
    report.applied = True
    return report


def deleted_there(ctx) -> None:
    """What the other side deleted and the project still holds (only a Workbench
    project knows it): a conflict each, ``ours`` keeps it, ``theirs`` deletes it here
    too (a coding with the memos on it)."""
    from workbench.exchange.conflicts import OURS, THEIRS
    store, report = ctx.store, ctx.report
    gone = ctx.content.tombstones
    if not gone:
        return
    in_file = {k["key"] for s in ctx.content.sources
               for k in [c for sel in s["selections"] for c in sel["codings"]] + s["codings"]}
    paths = ctx.project.code_paths()
    here = {key: row for key, row in store.codings_by_guid(gone.get("coding", ())).items()
            if key not in in_file}
    docs = store.document_rows({row["document_id"] for row in here.values()})
    memos = store.memo_ids_on_many("coding", [row["id"] for row in here.values()])
    for key, row in sorted(here.items()):
        doc = docs.get(row["document_id"], {})
        choice = ctx.conflict(
            f"coding:{key}", "coding", doc.get("name", ""), "deleted", _describe_coding(
                paths, row), _("deleted"), choices=(OURS, THEIRS),
            description=_("coding deleted in theirs, still here"))
        if choice == THEIRS:
            for memo_id in memos.get(str(row["id"]), ()):
                store.exchange_delete("memos", memo_id)
            store.exchange_delete("codings", row["id"])
            report.removed["codings"] += 1
    in_notes = {n["key"] for n in ctx.content.notes}
    for key, memo_id in sorted(store.ids_by_guid("memo", gone.get("memo", ())).items()):
        if key in in_notes:
            continue
        row = store.memo_row(memo_id)
        choice = ctx.conflict(f"memo:{key}", "memo", row["title"] or _short(row["text"]),
                              "deleted", _short(row["text"]), _("deleted"),
                              choices=(OURS, THEIRS),
                              description=_("memo deleted in theirs, still here"))
        if choice == THEIRS:
            store.exchange_delete("memos", memo_id)
            report.removed["memos"] += 1


def _describe_coding(paths: dict, row: dict) -> str:
    return f"{paths.get(row['code_id'], '?')} [{row['start']}–{row['end']}]"


def _short(text: str | None, n: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n - 1] + "…"
