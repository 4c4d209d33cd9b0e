"""``<Sets>``: groups of documents, codes and memos, and the evaluation questions.

An evaluation question travels as a Set named ``"<id> — <text>"`` whose description
starts with the Workbench mark (the :mod:`workbench.codebook.qdc` convention) and whose
members are the codes serving it; every other Set is a group (``groups`` table) whose
members (codes, sources, notes) are kept by GUID.
"""
from __future__ import annotations

import unicodedata

from lxml import etree

from workbench.codebook.model import SIDES
from workbench.codebook.qdc import _SET_FIELDS, _SET_MARK, _SET_NAME_RE  # noqa: PLC2701
from workbench.i18n import _
from workbench.identity import guid_key, keep_guid

from .common import kid, kids, q, text_of
from .context import ImportCtx, ReadCtx, WriteCtx


def _members(set_el, tag: str) -> list[str]:
    return [k for k in (guid_key(m.get("targetGUID") or m.get("guid")) for m in kids(set_el, tag))
            if k]


def read(root, ctx: ReadCtx) -> tuple[list[dict], list[dict]]:
    """(questions [{id, text, programme, side, source, proposed, guid, codes}],
    groups [{guid, key, name, description, codes, sources, notes}])"""
    questions, groups, seen = [], [], set()
    for set_el in kids(kid(root, "Sets"), "Set"):
        name = unicodedata.normalize("NFC", set_el.get("name") or "").strip()
        desc = unicodedata.normalize("NFC", text_of(set_el, "Description"))
        m = _SET_NAME_RE.match(name)
        if m and desc.startswith(_SET_MARK):
            vals = {"programme": "", "side": "", "source": "", "proposed": "non"}
            for line in desc.split("\n")[1:]:
                label, _sep, value = line.partition(" : ")
                attr = dict(_SET_FIELDS).get(label.strip())
                if attr:
                    vals[attr] = value.strip()
            questions.append(dict(
                id=m.group(1), text=m.group(2).strip(), programme=vals["programme"] or None,
                side=vals["side"] if vals["side"] in SIDES else None,
                source=vals["source"] or None,
                proposed=vals["proposed"].lower() in ("oui", "true", "yes"),
                guid=keep_guid(set_el.get("guid")), codes=_members(set_el, "MemberCode")))
            continue
        g = keep_guid(set_el.get("guid"))
        if g is None or guid_key(g) in seen:
            ctx.warn(_("set {name!r} without a valid, unique guid skipped").format(name=name))
            continue
        seen.add(guid_key(g))
        groups.append(dict(guid=g, key=guid_key(g), name=name or _("(unnamed group)"),
                           description=desc or None, codes=_members(set_el, "MemberCode"),
                           sources=_members(set_el, "MemberSource"),
                           notes=_members(set_el, "MemberNote")))
    return questions, groups


def write(ctx: WriteCtx) -> None:
    store = ctx.store
    questions = store.evaluation_questions()
    groups = store.export_groups()
    if not questions and not groups:
        return
    sets = etree.SubElement(ctx.root, q("Sets"))
    known = store.exchange_guids("question")
    members: dict[str, list[str]] = {}
    for cq in store.export_code_questions():
        if cq["code_id"] in ctx.code_guid:
            members.setdefault(cq["question_id"], []).append(ctx.code_guid[cq["code_id"]])
    for qu in questions:
        guid = known.get(qu["id"]) or ctx.derived("question", qu["id"])
        el = etree.SubElement(sets, q("Set"), guid=guid, name=f"{qu['id']} — {qu['text']}")
        vals = {"programme": qu["programme"] or "", "side": qu["side"] or "",
                "source": qu["source"] or "", "proposed": "oui" if qu["proposed"] else "non"}
        desc = [_SET_MARK] + [f"{label} : {vals[attr]}" for label, attr in _SET_FIELDS]
        etree.SubElement(el, q("Description")).text = "\n".join(desc)
        for g in members.get(qu["id"], []):
            etree.SubElement(el, q("MemberCode"), targetGUID=g)
        ctx.exported_guids.add(guid.lower())
    by_key = {g.lower(): g for g in ctx.code_guid.values()}
    docs = {g.lower(): g for g in ctx.doc_guid.values()}
    memos = {g.lower(): g for g in ctx.memo_guid.values()}
    for grp in groups:
        el = etree.SubElement(sets, q("Set"), guid=grp["guid"], name=grp["name"])
        if grp["description"]:
            etree.SubElement(el, q("Description")).text = grp["description"]
        for tag, kind, written in (("MemberCode", "code", by_key), ("MemberSource", "document", docs),
                                   ("MemberNote", "memo", memos)):
            for k in grp["members"].get(kind, []):
                if k in written:
                    etree.SubElement(el, q(tag), targetGUID=written[k])
        ctx.exported_guids.add(grp["guid"].lower())


def merge_questions(ctx: ImportCtx) -> None:
    """Evaluation questions (before codes link to them)."""
    store = ctx.store
    known = store.question_ids()
    for qu in ctx.content.questions:
        if qu["id"] in known:
            ctx.report.matched["questions"] += 1
        else:
            store.exchange_insert("evaluation_questions", dict(
                id=qu["id"], programme=qu["programme"], side=qu["side"], text=qu["text"],
                source=qu["source"], proposed=int(qu["proposed"]), codebook=None))
            ctx.report.new["questions"] += 1
            known.add(qu["id"])
        if qu["guid"] and qu["id"] not in store.exchange_guids("question"):
            store.set_exchange_guid("question", qu["id"], qu["guid"])


def merge(ctx: ImportCtx) -> None:
    """Groups by GUID then name; members added (a group never loses one).  Then the
    code ↔ question links."""
    store = ctx.store
    rows = store.group_rows()
    by_key = {r["guid"].lower(): r for r in rows if r["guid"]}
    by_name = {r["name"]: r for r in rows}
    for grp in ctx.content.sets:
        row = by_key.get(grp["key"]) or by_name.get(grp["name"])
        if row is not None:
            ctx.report.matched["groups"] += 1
            gid = row["id"]
            if grp["description"] and not row["description"]:
                store.exchange_update("groups", gid, {"description": grp["description"]})
            elif grp["description"] and row["description"] != grp["description"]:
                if ctx.conflict(f"group:{row['guid'].lower() if row['guid'] else gid}"
                                ":description", "group", row["name"], "description",
                                row["description"], grp["description"]) == "theirs":
                    store.exchange_update("groups", gid, {"description": grp["description"]})
        else:
            gid = store.exchange_insert("groups", dict(guid=grp["guid"], name=grp["name"],
                                                       description=grp["description"],
                                                       created_at=ctx.stamp))
            ctx.report.new["groups"] += 1
        ctx.report.map("group", grp["key"], gid)
        have = store.group_member_keys(gid)
        rows_: list[dict] = []
        for kind, keys, resolve in (("code", grp["codes"], ctx.code_guid),
                                    ("document", grp["sources"], ctx.doc_guid),
                                    ("memo", grp["notes"], None)):
            for k in keys:
                g = (resolve.get(k) if resolve is not None else
                     (k if k in ctx.memo_ids else None))
                if g is None:
                    ctx.report.warn(_("group {name!r}: a member that is not in the file is "
                                      "left out").format(name=grp["name"]))
                    continue
                if (kind, g.lower()) not in have:
                    rows_.append(dict(group_id=gid, kind=kind, member_guid=g.lower()))
                    have.add((kind, g.lower()))
        store.exchange_insert_many("group_members", rows_, ignore=True)
    questions = store.question_ids()
    links = list(ctx.code_questions)
    for qu in ctx.content.questions:
        links.extend(dict(code_id=ctx.code_ids[k], question_id=qu["id"])
                     for k in qu["codes"] if k in ctx.code_ids)
    store.exchange_insert_many("code_questions", [r for r in links if r["question_id"] in questions],
                               ignore=True)
