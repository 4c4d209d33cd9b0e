"""``<CodeBook>``: codes with hierarchy, colour, ``isCodable``, description (definition,
when to use, example... in the :mod:`workbench.codebook.qdc` layout) and notes."""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from lxml import etree

from workbench.safety.limits import MAX_CODE_DEPTH, code_depth_error
from workbench.safety.text import xml_safe_deep
from workbench.codebook.model import CodeDef, name_key
from workbench.codebook.qdc import code_guid, format_description, parse_description
from workbench.domain import ValidationError
from workbench.i18n import _, located, ngettext
from workbench.identity import guid_key, keep_guid, new_guid, valid_key

from .common import CODEBOOK_NS, NS, QdpxError, kid, kids, q, text_of
from .context import ImportCtx, ReadCtx, WriteCtx

FIELDS = ("short", "definition", "when_to_use", "when_not_to_use", "example")


def code_tree(rows: list[dict]) -> list[dict]:
    """Code rows in depth-first tree order (parents before children)."""
    children: dict = defaultdict(list)
    for r in rows:
        children[r["parent_id"]].append(r)
    out: list[dict] = []
    stack = list(reversed(sorted(children.get(None, []), key=lambda r: (r["position"], r["id"]))))
    while stack:
        r = stack.pop()
        out.append(r)
        stack.extend(reversed(sorted(children.get(r["id"], []),
                                     key=lambda r: (r["position"], r["id"]))))
    return out


def read(root, ctx: ReadCtx) -> list[dict]:
    """[{key, guid, parent_key, name, path, colour, codable, short, definition, ...,
    questions, notes}] parents before children."""
    from workbench.coding.engine import normalise_colour

    book = kid(root, "CodeBook")
    if book is None:
        return []
    ns = etree.QName(book).namespace or ""
    if ns not in (NS, etree.QName(root).namespace or ""):
        ctx.warn(_("the code book is in the namespace {ns!r}, read as {standard!r}").format(
            ns=ns, standard=NS if ns != CODEBOOK_NS else CODEBOOK_NS))
    codes: list[dict] = []
    keys: set[str] = set()
    # (element, parent key, sibling names taken, parent path), walked without recursion
    taken_top: set[str] = set()
    stack: list[tuple[Any, str | None, set[str], str]] = [
        (el, None, taken_top, "") for el in reversed(kids(kid(book, "Codes"), "Code"))]
    while stack:
        el, parent_key, taken, prefix = stack.pop()
        name = unicodedata.normalize("NFC", (el.get("name") or "").strip()) or "(sans nom)"
        if "/" in name:
            ctx.warn(_("code {name!r}: '/' replaced by '∕' (U+2215)").format(name=name))
            name = name.replace("/", "∕")
        base, n = name, 2
        while name_key(name) in taken:
            name = f"{base} ({n})"
            n += 1
        if name != base:
            ctx.warn(_("duplicate sibling code {name!r} renamed {new!r}").format(name=base,
                                                                               new=name))
        taken.add(name_key(name))
        path = f"{prefix}/{name}" if prefix else name
        if path.count("/") + 1 > MAX_CODE_DEPTH:
            raise QdpxError(located(ctx.path.name, code_depth_error(path.count("/") + 1)))
        g = keep_guid(el.get("guid"))
        if g is None or guid_key(g) in keys:
            ctx.warn(_("code {path!r}: missing or repeated guid, a new one is used").format(
                path=path))
            g = new_guid()
        key = valid_key(g)
        keys.add(key)
        colour = None
        if el.get("color"):
            try:
                colour = normalise_colour(el.get("color"))
            except ValidationError:
                ctx.warn(_("code {path!r}: colour {colour!r} ignored").format(
                    path=path, colour=el.get("color")))
        codable = (el.get("isCodable") or "true").strip().lower() not in ("false", "0")
        fields = parse_description(text_of(el, "Description"))
        code: dict[str, Any] = dict(key=key, guid=g, parent_key=parent_key, name=name, path=path,
                    colour=colour, codable=codable, questions=list(fields["questions"]),
                    notes=[guid_key(r.get("targetGUID")) for r in kids(el, "NoteRef")],
                    **{f: fields[f] or None for f in FIELDS})
        codes.append(code)
        for nk in code["notes"]:
            ctx.content.refer_note(nk, "code", key)
        sub: set[str] = set()
        for child in reversed(kids(el, "Code")):
            stack.append((child, key, sub, path))
    return codes


def write(ctx: WriteCtx) -> None:
    project, store = ctx.project, ctx.store
    rows = code_tree(store.codes())
    paths = xml_safe_deep(project.code_paths())
    if not rows:
        return
    codes_el = etree.SubElement(etree.SubElement(ctx.root, q("CodeBook")), q("Codes"))
    used: set[str] = set()
    for r in rows:
        guid = r["guid"] or code_guid("projet", paths[r["id"]])
        if guid.lower() in used:       # cannot happen with the store's unique index
            guid = ctx.derived("code", r["id"])
        used.add(guid.lower())
        ctx.code_guid[r["id"]] = guid
        holder = codes_el if r["parent_id"] is None else ctx.code_el[r["parent_id"]]
        el = etree.SubElement(holder, q("Code"), guid=guid, name=r["name"],
                              isCodable="true" if r.get("codable", 1) else "false")
        if r["colour"]:
            el.set("color", r["colour"])
        cd = CodeDef(name=r["name"], short=r["short"] or "", definition=r["definition"] or "",
                     when_to_use=r["when_to_use"] or "",
                     when_not_to_use=r["when_not_to_use"] or "", example=r["example"] or "",
                     questions=tuple(x for x in (r["questions"] or "").split(";") if x))
        description = format_description(cd)
        if description:
            etree.SubElement(el, q("Description")).text = description
        for ng in ctx.memo_on.get(("code", str(r["id"])), []):
            etree.SubElement(el, q("NoteRef"), targetGUID=ng)
        ctx.code_el[r["id"]] = el
        ctx.exported_guids.add(guid.lower())


def merge(ctx: ImportCtx) -> None:
    """Codes match by GUID, then by name under the (matched) parent — their path
    (:class:`workbench.exchange.matching.CodeIndex`).  A code matched by GUID whose path
    differs was renamed or moved on one side: a conflict (``theirs`` renames or moves
    ours).  Each field that differs is a conflict (``theirs`` takes the file's); a blank
    field of ours is filled without one.  A code the project deleted is a conflict
    (``theirs`` brings it back); one left out leaves out its sub-codes and codings.  New
    codes keep the file's GUID."""
    from workbench.exchange.conflicts import OURS, THEIRS
    from workbench.exchange.matching import CodeIndex
    store = ctx.store
    index = CodeIndex(store.code_rows())
    paths = ctx.project.code_paths()
    questions = store.question_ids() | {q_["id"] for q_ in ctx.content.questions}
    deleted = ctx.tombstones.get("code", set())
    for code in ctx.content.codes:
        label = code["path"]
        if code["parent_key"] and code["parent_key"] not in ctx.code_ids:
            ctx.skip("code", code["key"])            # its parent was left out
            continue
        parent = ctx.code_ids.get(code["parent_key"]) if code["parent_key"] else None
        row, by = index.match(code["key"], parent, code["name"])
        if row is None and code["key"] in deleted:
            choice = ctx.conflict(f"code:{code['key']}", "code", label, "deleted",
                                  _("deleted"), label, choices=(OURS, THEIRS),
                                  description=_("code deleted here, still in theirs"))
            if choice != THEIRS:
                ctx.skip("code", code["key"])
                continue
            ctx.report.restored["codes"] += 1
        if row is not None:
            ctx.report.matched["codes"] += 1
            ctx.code_ids[code["key"]] = row["id"]
            ctx.code_guid[code["key"]] = row["guid"]
            ours = paths.get(row["id"], row["name"])
            cid = f"code:{guid_key(row['guid']) or code['key']}"
            if by == "guid" and ((row["parent_id"] or None) != parent
                                 or row["name"] != code["name"]):
                choice = ctx.conflict(cid, "code", ours, "path", ours, label,
                                      choices=(OURS, THEIRS),
                                      description=_("code renamed or moved on one side"))
                if choice == THEIRS:
                    if index.taken(parent, code["name"], but=row["id"]):
                        ctx.report.warn(_("{path}: a code with that name already exists "
                                          "there; left as it is").format(path=label))
                    else:
                        store.exchange_update("codes", row["id"], {"name": code["name"],
                                                                   "parent_id": parent})
                        index.move(row, parent, code["name"])
                        ctx.report.modified["codes"] += 1
                        ctx.report.added.setdefault("codes_changed", []).append(
                            f"{ours} → {label}")
            changes = {}
            for f in FIELDS + ("colour",):
                mine, theirs = row[f] or None, code[f] or None
                if mine is None and theirs is not None:       # filling a blank: no conflict
                    changes[f] = theirs
                elif theirs is not None and mine != theirs:
                    if ctx.conflict(f"{cid}:{f}", "code", label, f, mine, theirs) == THEIRS:
                        changes[f] = theirs
            if bool(row["codable"]) != code["codable"]:
                if ctx.conflict(f"{cid}:isCodable", "code", label, "isCodable",
                                bool(row["codable"]), code["codable"]) == THEIRS:
                    changes["codable"] = int(code["codable"])
            if changes:
                store.exchange_update("codes", row["id"], changes)
                row.update(changes)
        else:
            pos = store.next_code_position(parent)
            cid = store.exchange_insert("codes", dict(
                parent_id=parent, name=code["name"], short=code["short"],
                definition=code["definition"], when_to_use=code["when_to_use"],
                when_not_to_use=code["when_not_to_use"], example=code["example"],
                colour=code["colour"], position=pos, codable=int(code["codable"]),
                guid=code["guid"], created_at=ctx.stamp))
            if code["key"] not in deleted:
                ctx.report.add("codes", label)
            ctx.code_ids[code["key"]] = cid
            ctx.code_guid[code["key"]] = code["guid"]
            index.add(dict(id=cid, parent_id=parent, name=code["name"], guid=code["guid"]))
        ctx.code_label[code["key"]] = label
        ctx.report.map("code", code["key"], ctx.code_ids[code["key"]])
        rows_q = [dict(code_id=ctx.code_ids[code["key"]], question_id=qid)
                  for qid in code["questions"] if qid in questions]
        unknown = [qid for qid in code["questions"] if qid not in questions]
        if unknown:
            ctx.report.warn(ngettext("code {path!r}: unknown evaluation question {ids} not linked",
                                     "code {path!r}: unknown evaluation questions {ids} not linked",
                                     len(unknown)).format(path=label, ids=", ".join(unknown)))
        ctx.code_questions.extend(rows_q)     # written once the questions are (sets)
