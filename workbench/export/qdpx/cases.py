"""``<Cases>``: a case has a type, a description, attribute values and links (to
sources, with the speaker label; to codes; to selections).  Today every case is a
participant; the reader and writer carry the type so other kinds of case can travel.

On import, a participant's existing values are kept: a file value that differs is a
conflict (kept unless ``policy="replace"``), and a value that contradicts the
attribute's type is never written.
"""
from __future__ import annotations

import unicodedata

from lxml import etree

from workbench.i18n import _
from workbench.identity import guid_key, keep_guid

from . import variables
from .common import join_description, kid, kids, q, split_description, text_of
from .context import ImportCtx, ReadCtx, WriteCtx

DEFAULT_TYPE = "participant"


def read(root, ctx: ReadCtx) -> list[dict]:
    """[{guid, key, name, type, description, values: [(var key, tag, text)],
    sources: [(source key, speaker)], codes: [code keys], selections: [keys]}]"""
    out, names = [], set()
    for c in kids(kid(root, "Cases"), "Case"):
        g = keep_guid(c.get("guid"))
        name = unicodedata.normalize("NFC", (c.get("name") or "").strip()) or (
            guid_key(g)[:8] if g else "")
        if g is None or not name or name in names:
            ctx.warn(_("case {name!r} without a valid guid or a unique name skipped").format(
                name=name))
            continue
        names.add(name)
        free, meta = split_description(text_of(c, "Description"))
        speakers = {guid_key(k): v for k, v in (meta.get("speakers") or {}).items()
                    if guid_key(k)}
        vals = [v for v in (variables.read_value(vv) for vv in kids(c, "VariableValue")) if v]
        out.append(dict(
            guid=g, key=guid_key(g), name=name, type=meta.get("type") or DEFAULT_TYPE,
            description=free or None, values=vals,
            sources=[(k, speakers.get(k, "")) for k in
                     (guid_key(r.get("targetGUID")) for r in kids(c, "SourceRef")) if k],
            codes=[k for k in (guid_key(r.get("targetGUID")) for r in kids(c, "CodeRef")) if k],
            selections=[k for k in (guid_key(r.get("targetGUID"))
                                    for r in kids(c, "SelectionRef")) if k]))
    return out


def write(ctx: WriteCtx, types: dict[str, str]) -> None:
    store = ctx.store
    people = store.export_participants()
    if not people:
        return
    values: dict[str, list[dict]] = {}
    for v in store.export_participant_values():
        values.setdefault(v["participant_id"], []).append(v)
    links: dict[str, list[dict]] = {}
    for lk in store.export_participant_links():
        links.setdefault(lk["participant_id"], []).append(lk)
    case_links = store.export_case_links()
    known = store.exchange_guids("participant")
    kinds = store.exchange_fields("case")
    cases = etree.SubElement(ctx.root, q("Cases"))
    for p in people:
        pid = p["id"]
        guid = known.get(pid) or ctx.derived("participant", pid)
        ctx.case_guid[pid] = guid
        el = etree.SubElement(cases, q("Case"), guid=guid, name=pid)
        doc_links = [lk for lk in links.get(pid, []) if lk["document_id"] in ctx.doc_guid]
        speakers = {ctx.doc_guid[lk["document_id"]]: lk["speaker"] for lk in doc_links
                    if lk["speaker"]}
        case_type = kinds.get(guid.lower(), {}).get("type") or DEFAULT_TYPE
        meta = {"speakers": speakers}
        if case_type != DEFAULT_TYPE:
            meta["type"] = case_type
        description = join_description(p["description"], meta if any(meta.values()) else None)
        if description:
            etree.SubElement(el, q("Description")).text = description
        by_key = {g.lower(): g for g in ctx.code_guid.values()}
        for ck in case_links.get(pid, {}).get("codes", []):
            if ck in by_key:
                etree.SubElement(el, q("CodeRef"), targetGUID=by_key[ck])
        for v in values.get(pid, []):
            if v["attribute"] not in ctx.var_guid:
                continue
            vv = etree.SubElement(el, q("VariableValue"))
            etree.SubElement(vv, q("VariableRef"), targetGUID=ctx.var_guid[v["attribute"]])
            variables.value_element(vv, types[v["attribute"]], v["value"], v["num"])
        for d_id in dict.fromkeys(lk["document_id"] for lk in doc_links):
            etree.SubElement(el, q("SourceRef"), targetGUID=ctx.doc_guid[d_id])
        ctx.case_selection_refs.append((el, case_links.get(pid, {}).get("selections", [])))
        ctx.exported_guids.add(guid.lower())


def write_selection_refs(ctx: WriteCtx, selection_guids: dict[str, str]) -> None:
    """After the sources: each case's ``SelectionRef``s to selections that were written."""
    for el, keys in ctx.case_selection_refs:
        for k in keys:
            if k in selection_guids:
                etree.SubElement(el, q("SelectionRef"), targetGUID=selection_guids[k])


def merge(ctx: ImportCtx) -> None:
    store = ctx.store
    cases = ctx.content.cases
    if not cases:
        return
    known_guids = store.exchange_guids("participant")
    owners = {g.lower(): pid for pid, g in known_guids.items()}
    pids = {c["key"]: owners.get(c["key"]) or c["name"] for c in cases}
    rows = store.participant_rows(pids.values())
    current: dict[tuple[str, str], tuple] = {
        (v["participant_id"], v["attribute"]): (v["value"], v["num"])
        for v in store.participant_values(sorted(set(pids.values()) & set(rows)))}
    to_write: list[tuple] = []
    doc_links, code_links, sel_links = [], [], []
    for case in cases:
        pid = pids[case["key"]]
        if pid in rows:
            ctx.report.matched["participants"] += 1
            mine = rows[pid]["description"]
            if case["description"] and not mine:
                store.exchange_update("participants", pid, {"description": case["description"]})
            elif case["description"] and mine != case["description"]:
                if ctx.conflict(f"participant:{pid}:description", "participant", pid,
                                "description", mine, case["description"]) == "theirs":
                    store.exchange_update("participants", pid,
                                          {"description": case["description"]})
        else:
            store.exchange_insert("participants", dict(
                id=pid, created_at=ctx.stamp, updated_at=ctx.stamp,
                description=case["description"]))
            rows[pid] = {"id": pid, "description": case["description"]}
            ctx.report.add("participants", pid)
        if pid not in known_guids:
            store.set_exchange_guid("participant", pid, case["guid"])
            known_guids[pid] = case["guid"]
        if case["type"] != DEFAULT_TYPE:
            store.set_exchange_fields("case", case["guid"], {"type": case["type"]})
        ctx.participants[case["key"]] = pid
        ctx.report.map("participant", case["key"], pid)
        for var_key, tag, text in case["values"]:
            attr = ctx.attributes.get(var_key)
            if attr is None or attr.get("document"):
                ctx.report.warn(_("case {case!r}: a value of an unknown variable is not "
                                  "imported").format(case=pid))
                continue
            try:
                new = variables.coerce(attr, tag, text)
            except ValueError as exc:
                old = current.get((pid, attr["name"]), (None, None))
                ctx.conflict(f"participant:{pid}:{attr['name']}", "participant", pid,
                             attr["name"], old[0], text, choices=("ours",), reason=str(exc))
                continue
            if new == (None, None):
                continue
            old = current.get((pid, attr["name"]))
            if old is None or old == (None, None):
                to_write.append((pid, attr["name"], *new))
            elif not variables.same_value(old, new):
                if ctx.conflict(f"participant:{pid}:{attr['name']}", "participant", pid,
                                attr["name"], old[0], new[0]) == "theirs":
                    to_write.append((pid, attr["name"], *new))
                    old = None
            current[(pid, attr["name"])] = new if old is None else old
        for src_key, speaker in case["sources"]:
            if src_key in ctx.doc_ids:
                doc_links.append(dict(document_id=ctx.doc_ids[src_key], participant_id=pid,
                                      speaker=speaker or ""))
        for ck in case["codes"]:
            if ck in ctx.code_guid:
                code_links.append(dict(participant_id=pid, code_guid=ctx.code_guid[ck].lower()))
        for sk in case["selections"]:
            if sk in ctx.selection_guid:
                sel_links.append(dict(participant_id=pid, selection_guid=ctx.selection_guid[sk]))
    store.write_participant_values(to_write)
    for table, rows_ in (("document_participants", doc_links), ("case_codes", code_links),
                         ("case_selections", sel_links)):
        store.exchange_insert_many(table, rows_, ignore=True)
