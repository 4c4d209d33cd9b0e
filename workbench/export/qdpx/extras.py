"""The project element itself (its description and notes) and what Workbench does not
model but keeps for the next export: REFI ``<Links>`` and ``<Graphs>``, stored as read
(in the standard namespace) and written back when everything they point at is
exported too (else named in a warning)."""
from __future__ import annotations

import copy
import json

from lxml import etree

from workbench.i18n import _, ngettext
from workbench.identity import guid_key, keep_guid

from .archive import xml_parser
from .common import join_description, kid, kids, local, q, split_description, text_of
from .context import ImportCtx, ReadCtx, WriteCtx

_REF_ATTRS = ("originGUID", "targetGUID", "representedGUID")


def read_project(root, ctx: ReadCtx) -> dict:
    for nr in kids(root, "NoteRef"):
        ctx.content.refer_note(guid_key(nr.get("targetGUID")), "project", None)
    project = {a: root.get(a) for a in ("name", "creatingUserGUID", "creationDateTime",
                                        "modifyingUserGUID", "modifiedDateTime", "basePath")
               if root.get(a)}
    if kid(root, "Description") is not None:
        project["Description"] = text_of(root, "Description")
    return project


def _standard(el):
    """A copy of ``el`` with every element in the REFI project namespace."""
    el = copy.deepcopy(el)
    for node in el.iter():
        if isinstance(node.tag, str):
            node.tag = q(local(node))
    etree.cleanup_namespaces(el)
    return el


def read(root, ctx: ReadCtx) -> list[dict]:
    """[{guid, key, kind, name, xml, refs}] for Links and Graphs."""
    out = []
    for holder, tag, kind in (("Links", "Link", "link"), ("Graphs", "Graph", "graph")):
        for el in kids(kid(root, holder), tag):
            g = keep_guid(el.get("guid"))
            if g is None:
                ctx.warn(_("{kind} {name!r} without a valid guid not kept").format(
                    kind=tag, name=el.get("name") or ""))
                continue
            refs: set[str] = set()
            for node in el.iter():
                if not isinstance(node.tag, str):
                    continue
                for a in _REF_ATTRS:
                    key = guid_key(node.get(a))
                    if node.get(a) and key:
                        refs.add(key)
            xml = etree.tostring(_standard(el), encoding="unicode")
            out.append(dict(guid=g, key=guid_key(g), kind=kind, name=el.get("name"), xml=xml,
                            refs=sorted(refs)))
    if out:
        ctx.warn(ngettext("{n} link or graph kept as read: Workbench does not show it, and "
                          "writes it back in its REFI-QDA exports",
                          "{n} links and graphs kept as read: Workbench does not show them, "
                          "and writes them back in its REFI-QDA exports", len(out)).format(
            n=len(out)))
    return out


def merge_project(ctx: ImportCtx) -> None:
    data = {k: v for k, v in ctx.content.project.items() if k == "Description"}
    if data:
        ctx.store.set_exchange_fields("project", "project", data)


def merge(ctx: ImportCtx) -> None:
    store = ctx.store
    have = store.exchange_object_keys()
    for obj in ctx.content.objects:
        if obj["key"] in have:
            ctx.report.matched["links"] += 1
            continue
        store.exchange_insert("exchange_objects", dict(
            guid=obj["guid"], kind=obj["kind"], name=obj["name"], xml=obj["xml"],
            refs=json.dumps(obj["refs"]), created_at=ctx.stamp))
        have.add(obj["key"])
        ctx.report.new["links"] += 1


def write_description(ctx: WriteCtx) -> None:
    """The project's description: the one another tool gave, with the project's waves in
    order in the metadata line (``waves``)."""
    kept = ctx.store.exchange_fields("project").get("project", {})
    free, meta = split_description(kept.get("Description"))
    waves = ctx.store.wave_names()
    meta.pop("waves", None)
    if waves:
        meta["waves"] = waves
    text = join_description(free, meta or None)
    if text:
        etree.SubElement(ctx.root, q("Description")).text = text


def merge_waves(ctx: ImportCtx) -> None:
    """The file's waves (project metadata) join the project's, in the file's order: a new
    wave goes just after the wave that precedes it in the file (first when none does).
    Runs before the sources, whose wave they name."""
    _free, meta = split_description(ctx.content.project.get("Description"))
    theirs = [str(w).strip() for w in (ctx.content.waves or meta.get("waves") or [])
              if str(w).strip()]
    if not theirs:
        return
    order = ctx.store.wave_names()
    known = {w.casefold() for w in order}
    added = False
    for i, w in enumerate(theirs):
        if w.casefold() in known:
            ctx.report.matched["waves"] += 1
            continue
        before = [t.casefold() for t in theirs[:i]]
        at = 0
        for j, mine in enumerate(order):
            if mine.casefold() in before:
                at = j + 1
        order.insert(at, w)
        known.add(w.casefold())
        ctx.report.new["waves"] += 1
        added = True
    if added:
        ctx.store.write_waves(order, coder=ctx.coder, action="waves.import")


def write(ctx: WriteCtx) -> None:
    objects = ctx.store.exchange_objects()
    holders: dict[str, etree._Element] = {}
    dropped = 0
    for obj in objects:
        # links and graphs that point at an element left out (private, deleted) stay out
        if any(r.lower() not in ctx.exported_guids for r in obj["refs"]):
            dropped += 1
            continue
        name = "Links" if obj["kind"] == "link" else "Graphs"
        if name not in holders:
            holders[name] = etree.SubElement(ctx.root, q(name))
        holders[name].append(etree.fromstring(obj["xml"], xml_parser()))
    if dropped:
        ctx.warnings.append(ngettext(
            "{n} link or graph not exported: it points at something not exported",
            "{n} links and graphs not exported: they point at something not exported",
            dropped).format(n=dropped))
