"""``<Cases>``: a case has a type, a description, attribute values and links (to
sources, with the speaker label; to codes; to selections).  A participant is a case of
type ``participant`` (the default: another tool's cases are participants); Workbench's
cases of other kinds (sites, organisations: :mod:`workbench.waves`) carry their kind in
the description's metadata line (``type``), with their display name (``label``), parent
case, the speakers they are linked to (``speakers``: {source GUID: [labels]}), the
sources they are linked to as a whole (``documents``) and their participants
(``participants``); their values are those of the case-field variables.

On import, a participant's existing values are kept: a file value that differs is a
conflict (decided like every conflict of an import or a merge), and a value that contradicts the
attribute's type is never written.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from lxml import etree

from workbench.i18n import _
from workbench.identity import guid_key, keep_guid, valid_key

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
            valid_key(g)[:8] if g else "")
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
            guid=g, key=guid_key(g), name=name, type=meta.get("type") or DEFAULT_TYPE, meta=meta,
            description=free or None, values=vals,
            sources=[(k, speakers.get(k, "") if isinstance(speakers.get(k, ""), str) else "")
                     for k in
                     (guid_key(r.get("targetGUID")) for r in kids(c, "SourceRef")) if k],
            codes=[k for k in (guid_key(r.get("targetGUID")) for r in kids(c, "CodeRef")) if k],
            selections=[k for k in (guid_key(r.get("targetGUID"))
                                    for r in kids(c, "SelectionRef")) if k]))
    return out


def write(ctx: WriteCtx, types: dict[str, str]) -> None:
    store = ctx.store
    people = store.export_participants()
    others = store.export_cases()
    if not people and not others:
        return
    cases = etree.SubElement(ctx.root, q("Cases"))
    _write_participants(ctx, types, people, cases)
    _write_cases(ctx, types, others, cases)


def _write_cases(ctx: WriteCtx, types: dict[str, str], rows: list[dict], parent_el) -> None:
    """Workbench's sites and organisations (every kind but participant)."""
    store = ctx.store
    values: dict[str, list[dict]] = {}
    for v in store.export_case_values():
        values.setdefault(v["case_id"], []).append(v)
    links: dict[str, list[dict]] = {}
    for lk in store.export_case_document_links():
        if lk["document_id"] in ctx.doc_guid:
            links.setdefault(lk["case_id"], []).append(lk)
    people: dict[str, list[str]] = {}
    for pid, cid in store.participant_case_links():
        people.setdefault(cid, []).append(pid)
    names = set(ctx.case_guid)                  # participant cases already written
    for c in rows:
        if c["id"] in names:
            ctx.warnings.append(_("case {id!r} has the ID of a participant: not exported")
                                .format(id=c["id"]))
            continue
        el = etree.SubElement(parent_el, q("Case"), guid=c["guid"], name=c["id"])
        speakers: dict[str, list[str]] = {}
        whole = []
        for lk in links.get(c["id"], []):
            g = ctx.doc_guid[lk["document_id"]]
            if lk["speaker"]:
                speakers.setdefault(g, []).append(lk["speaker"])
            elif g not in whole:
                whole.append(g)
        meta = {"type": c["kind"]}
        if c["name"] and c["name"] != c["id"]:
            meta["label"] = c["name"]
        if c["parent_id"]:
            meta["parent"] = c["parent_id"]
        if speakers:
            meta["speakers"] = speakers
            meta["documents"] = whole
        if people.get(c["id"]):
            meta["participants"] = people[c["id"]]
        etree.SubElement(el, q("Description")).text = join_description(c["description"], meta)
        for v in values.get(c["id"], []):
            key = "case:" + v["field"]
            if key not in ctx.var_guid:
                continue
            vv = etree.SubElement(el, q("VariableValue"))
            etree.SubElement(vv, q("VariableRef"), targetGUID=ctx.var_guid[key])
            variables.value_element(vv, types[key], v["value"], v["num"])
        for g in dict.fromkeys(whole + list(speakers)):
            etree.SubElement(el, q("SourceRef"), targetGUID=g)
        ctx.exported_guids.add(c["guid"].lower())


def _write_participants(ctx: WriteCtx, types: dict[str, str], people: list[dict],
                        cases) -> None:
    store = ctx.store
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
    for p in people:
        pid = p["id"]
        guid = known.get(pid) or ctx.derived("participant", pid)
        ctx.case_guid[pid] = guid
        el = etree.SubElement(cases, q("Case"), guid=guid, name=pid)
        doc_links = [lk for lk in links.get(pid, []) if lk["document_id"] in ctx.doc_guid]
        speakers = {ctx.doc_guid[lk["document_id"]]: lk["speaker"] for lk in doc_links
                    if lk["speaker"]}
        case_type = kinds.get(guid.lower(), {}).get("type") or DEFAULT_TYPE
        meta: dict[str, Any] = {"speakers": speakers}
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


def _kind_of(case: dict, ctx: ImportCtx) -> str | None:
    """The Workbench kind of a case read (None: a participant)."""
    from workbench.domain import ValidationError
    from workbench.waves.naming import check_kind
    if case["type"] == DEFAULT_TYPE or "type" not in case.get("meta", {}):
        return None
    try:
        return check_kind(case["type"])
    except ValidationError as exc:
        ctx.report.warn(_("case {name!r}: {error}; imported as a participant").format(
            name=case["name"], error=exc))
        return None


def merge(ctx: ImportCtx) -> None:
    everything = ctx.content.cases
    people = [c for c in everything if _kind_of(c, ctx) is None]
    _merge_participants(ctx, people)
    _merge_cases(ctx, [c for c in everything if c not in people])


def _merge_participants(ctx: ImportCtx, cases: list[dict]) -> None:
    store = ctx.store
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
            if attr is None or attr.get("document") or attr.get("case"):
                ctx.report.warn(_("case {case!r}: a value of an unknown variable is not "
                                  "imported").format(case=pid))
                continue
            try:
                new = variables.coerce(attr, tag, text)
            except ValueError as exc:
                was = current.get((pid, attr["name"]), (None, None))
                ctx.conflict(f"participant:{pid}:{attr['name']}", "participant", pid,
                             attr["name"], was[0], text, choices=("ours",), reason=str(exc))
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


def _merge_cases(ctx: ImportCtx, cases: list[dict]) -> None:
    """Workbench's sites and organisations: matched by GUID then ID; a matched case keeps
    the project's name, description, parent and values unless ``replace`` (each
    difference is a conflict); links are added."""
    if not cases:
        return
    store = ctx.store
    by_guid = store.case_by_guid()
    kinds = store.case_kind_of()
    rows = {r["id"]: r for r in store.export_cases()}
    current = {(v["owner"], v["field"]): (v["value"], v["num"])
               for v in store.field_value_rows("case")}
    to_write, doc_links, part_links, parents = [], [], [], []
    people = store.participant_ids()
    for case in cases:
        kind = check_kind_quiet(case["type"])
        meta = case["meta"]
        cid = by_guid.get(case["key"]) or case["name"]
        label = meta.get("label") or None
        if cid in rows:
            ctx.report.matched["cases"] += 1
            mine = rows[cid]
            if kinds.get(cid) != kind:
                ctx.conflict(f"case:{cid}:kind", "case", cid, "kind", kinds.get(cid), kind,
                             choices=("ours",), reason=_("a case keeps its kind"))
            for column, theirs in (("name", label), ("description", case["description"])):
                if theirs and not mine[column]:
                    store.exchange_update("cases", cid, {column: theirs})
                elif theirs and mine[column] != theirs:
                    if ctx.conflict(f"case:{cid}:{column}", "case", cid, column, mine[column],
                                    theirs) == "theirs":
                        store.exchange_update("cases", cid, {column: theirs})
        else:
            store.exchange_insert("cases", dict(
                id=cid, kind=kind, name=label, description=case["description"],
                guid=case["guid"], created_at=ctx.stamp, updated_at=ctx.stamp))
            rows[cid] = dict(id=cid, kind=kind, name=label, description=case["description"],
                             parent_id=None, guid=case["guid"])
            kinds[cid] = kind
            ctx.report.new["cases"] += 1
        ctx.report.map("case", case["key"], cid)
        if meta.get("parent"):
            parents.append((cid, str(meta["parent"])))
        for var_key, tag, text in case["values"]:
            attr = ctx.attributes.get(var_key)
            if attr is None or not attr.get("case"):
                ctx.report.warn(_("case {case!r}: a value of an unknown variable is not "
                                  "imported").format(case=cid))
                continue
            try:
                new = variables.coerce(attr, tag, text)
            except ValueError as exc:
                was = current.get((cid, attr["name"]), (None, None))
                ctx.conflict(f"case:{cid}:{attr['name']}", "case", cid, attr["name"], was[0],
                             text, choices=("ours",), reason=str(exc))
                continue
            if new == (None, None):
                continue
            old = current.get((cid, attr["name"]))
            if old is None or old == (None, None):
                to_write.append((cid, attr["name"], *new))
            elif not variables.same_value(old, new):
                if ctx.conflict(f"case:{cid}:{attr['name']}", "case", cid, attr["name"],
                                old[0], new[0]) == "theirs":
                    to_write.append((cid, attr["name"], *new))
        speakers = {guid_key(k): v for k, v in (meta.get("speakers") or {}).items()
                    if guid_key(k)}
        whole = {guid_key(k) for k in (meta.get("documents") or []) if guid_key(k)}
        for src_key, _label in case["sources"]:
            if src_key not in ctx.doc_ids:
                continue
            doc_id = ctx.doc_ids[src_key]
            labels = speakers.get(src_key) or []
            if isinstance(labels, str):
                labels = [labels]
            if src_key in whole or not labels:
                doc_links.append(dict(document_id=doc_id, case_id=cid, speaker=""))
            for lbl in labels:
                doc_links.append(dict(document_id=doc_id, case_id=cid, speaker=str(lbl)))
        for pid in meta.get("participants") or []:
            pid = str(pid)
            if pid in people:
                part_links.append(dict(participant_id=pid, case_id=cid))
            else:
                ctx.report.warn(_("case {case!r}: participant {id!r} is not in the project, "
                                  "link not imported").format(case=cid, id=pid))
    for cid, parent in parents:
        if parent not in rows:
            ctx.report.warn(_("case {case!r}: parent {parent!r} is not in the project").format(
                case=cid, parent=parent))
            continue
        mine = rows[cid]["parent_id"]
        if not mine:
            store.exchange_update("cases", cid, {"parent_id": parent})
        elif mine != parent:
            if ctx.conflict(f"case:{cid}:parent", "case", cid, "parent", mine,
                            parent) == "theirs":
                store.exchange_update("cases", cid, {"parent_id": parent})
    if to_write:
        with store.transaction() as c:
            store.write_field_values(c, "case", to_write)
    store.exchange_insert_many("document_cases", doc_links, ignore=True)
    store.exchange_insert_many("participant_cases", part_links, ignore=True)


def check_kind_quiet(kind: str) -> str:
    from workbench.waves.naming import check_kind
    return check_kind(kind)
