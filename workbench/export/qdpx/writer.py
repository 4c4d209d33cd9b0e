"""Writing a project as a REFI-QDA ``.qdpx`` (one element module at a time)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from workbench.safety.files import atomic_output
from workbench.safety.text import XmlSafeReads, xml_safe
from workbench.domain import WorkbenchError

from . import cases, codes, extras, notes, sets, sources, users, variables
from .archive import qde_name, xml_parser
from .common import NS, ORIGIN, XSD_PATH, CancelledFn, ProgressFn, noop, now_iso, q, stamp
from .context import WriteCtx

#: the order of the Project element's children in Project.xsd
ORDER = ("Users", "CodeBook", "Variables", "Cases", "Sources", "Notes", "Links", "Sets",
         "Graphs", "Description", "NoteRef")


def _seed(project) -> str:
    """What derived GUIDs (coders, cases, variables, selections) are made from: fixed at
    the first export, so that renaming the project never changes them."""
    store = project.store
    seed = store.get_meta("exchange_seed")
    if not seed:
        seed = f"{store.get_meta('created_at') or ''}/{project.name}"
        store.set_meta("exchange_seed", seed)
    return seed


def build_qde(project, *, progress: ProgressFn | None = None,
              cancelled: CancelledFn | None = None) -> tuple[bytes, dict[str, bytes], dict]:
    """The ``project.qde`` XML, the other zip members (name -> bytes) and a summary.
    Everything read from the store goes through :class:`XmlSafeReads`, so text an older
    version stored (a NUL, an ESC) cannot break the XML."""
    store = XmlSafeReads(project.store)
    root = etree.Element(q("Project"), nsmap={None: NS,
                                              "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    root.set("name", xml_safe(project.name))
    root.set("origin", ORIGIN)
    root.set("creationDateTime", stamp(store.get_meta("created_at")) or stamp(now_iso()))
    root.set("modifiedDateTime", stamp(now_iso()))
    ctx = WriteCtx(project=project, root=root, step=progress or noop,
                   stop=cancelled or (lambda: False), seed=_seed(project))
    notes.prepare(ctx)
    ctx.documents = store.export_documents()
    ctx.doc_guid = {d["id"]: d["guid"] for d in ctx.documents}
    authors = {k["coder"] for k in store.export_codings()}
    authors |= {m["coder"] for m in ctx.memos if m["coder"]}
    authors |= {s["coder"] for s in store.export_selections() if s["coder"]}
    users.write(ctx, authors)
    codes.write(ctx)
    types = variables.write(ctx)
    cases.write(ctx, types)
    written = sources.write(ctx, types)
    cases.write_selection_refs(ctx, written)
    notes.write(ctx)
    sets.write(ctx)
    extras.write(ctx)
    extras.write_description(ctx)
    children = list(root)
    for child in children:
        root.remove(child)
    for child in sorted(children, key=lambda c: ORDER.index(etree.QName(c).localname)):
        root.append(child)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    summary = {"documents": len(ctx.documents), "codes": len(ctx.code_el),
               "codings": ctx.summary.get("codings", 0), "memos": len(ctx.memos),
               "participants": len(ctx.case_guid), "coders": len(ctx.user_guid),
               "groups": len(store.export_groups()),
               "excluded_private": store.private_counts(), "warnings": ctx.warnings}
    return xml, ctx.files, summary


def export_qdpx(project, path: str | Path, *, progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> dict:
    """Write the project as a REFI-QDA ``.qdpx`` (private items left out)."""
    path = Path(path)
    xml, files, summary = build_qde(project, progress=progress, cancelled=cancelled)
    # whole or absent, nothing left behind on any failure, a full disk said as such;
    # deflate level 1: ~3x faster to write than level 6, the archive ~25 % bigger
    with atomic_output(path) as fh, \
            zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("project.qde", xml)
        for name, data in files.items():
            zf.writestr(name, data)
    summary["path"] = str(path)
    return summary


def validate_qdpx(path: str | Path, xsd: str | Path | None = None) -> list[str]:
    """Schema errors of the ``project.qde`` inside ``path`` (empty list: valid)."""
    schema = etree.XMLSchema(etree.parse(str(xsd or XSD_PATH), xml_parser()))
    with zipfile.ZipFile(path) as zf:
        doc = etree.fromstring(zf.read(qde_name(zf)), xml_parser())
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


__all__ = ["build_qde", "export_qdpx", "validate_qdpx", "WorkbenchError"]
