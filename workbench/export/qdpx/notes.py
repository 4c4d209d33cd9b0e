"""``<Notes>``: memos.  A memo is attached where the file's ``NoteRef`` puts it (the
project, a code, a source, a selection, a coding); memos on a participant, an
evaluation question or a turn carry their target in the metadata line of their
``<Description>``.  A note on a selection is attached to the selection's first coding
(or its document) and remembered on the selection, so that it goes back out there."""
from __future__ import annotations

import json
import unicodedata

from lxml import etree

from workbench.safety.text import clean_text
from workbench.i18n import _
from workbench.identity import guid_key, keep_guid

from .archive import decode
from .common import (QdpxError, join_description, kid, kids, q, set_dates, split_description,
                     stamp, text_of)
from .context import ImportCtx, ReadCtx, WriteCtx


def read(root, ctx: ReadCtx) -> list[dict]:
    """[{guid, key, title, text, user, created_at, fields, description, meta}]"""
    out, seen = [], set()
    for n_el in kids(kid(root, "Notes"), "Note"):
        g = keep_guid(n_el.get("guid"))
        if g is None or guid_key(g) in seen:
            ctx.warn(_("note {name!r} without a valid, unique guid skipped").format(
                name=n_el.get("name") or ""))
            continue
        seen.add(guid_key(g))
        text = text_of(n_el, "PlainTextContent")
        if not text and n_el.get("plainTextPath"):
            member = ctx.arch.find(n_el.get("plainTextPath"))
            if member is None:
                raise QdpxError(_("{file}: note {name}: its text {ref} is missing from the "
                                  "archive").format(file=ctx.path.name,
                                                    name=n_el.get("name") or g,
                                                    ref=n_el.get("plainTextPath")))
            text = decode(ctx.arch.read(member), member, ctx.warnings)
        free, meta = split_description(text_of(n_el, "Description"))
        out.append(dict(
            guid=g, key=guid_key(g), title=n_el.get("name") or None,
            text=clean_text(unicodedata.normalize("NFC", text.replace("\r\n", "\n"))),
            user=guid_key(n_el.get("creatingUser")), created_at=n_el.get("creationDateTime"),
            fields={a: n_el.get(a) for a in ("modifyingUser", "modifiedDateTime")
                    if n_el.get(a)},
            description=free or None, meta=meta))
    return out


def prepare(ctx: WriteCtx) -> None:
    """Before anything that points at memos is written: their GUIDs and targets."""
    ctx.memos = ctx.store.export_memos()
    for m in ctx.memos:
        ctx.memo_guid[m["id"]] = m["guid"]
        ctx.memo_on.setdefault((m["target_type"], m["target_id"] or ""), []).append(m["guid"])


def write(ctx: WriteCtx) -> None:
    if not ctx.memos:
        return
    store = ctx.store
    seg_pos = store.export_segment_positions()
    fields = store.exchange_fields("note")
    notes = etree.SubElement(ctx.root, q("Notes"))
    for m in ctx.memos:
        el = etree.SubElement(notes, q("Note"), guid=m["guid"], name=m["title"] or "")
        if m["coder"] in ctx.user_guid:
            el.set("creatingUser", ctx.user_guid[m["coder"]])
        if stamp(m["created_at"]):
            el.set("creationDateTime", stamp(m["created_at"]))
        kept = fields.get(m["guid"].lower(), {})
        set_dates(el, kept, users=ctx.users())
        target: dict = {}
        if m["target_type"] in ("participant", "question"):
            target = {"target": m["target_type"], "id": m["target_id"]}
        elif m["target_type"] == "segment" and m["target_id"]:
            doc_id, pos = seg_pos.get(int(m["target_id"]), (None, None))
            if doc_id in ctx.doc_guid:
                target = {"target": "segment", "source": ctx.doc_guid[doc_id], "position": pos}
        description = join_description(kept.get("Description"), target)
        if description:
            etree.SubElement(el, q("Description")).text = description
        etree.SubElement(el, q("PlainTextContent")).text = m["text"] or ""
        ctx.exported_guids.add(m["guid"].lower())
    for ng in ctx.memo_on.get(("project", ""), []):
        etree.SubElement(ctx.root, q("NoteRef"), targetGUID=ng)


def _selections(ctx: ImportCtx) -> dict[str, dict]:
    """Selection key -> selection, of the whole file (built once)."""
    found = ctx.content._selections
    if found is None:
        found = {sel["key"]: sel for s in ctx.content.sources for sel in s["selections"]}
        ctx.content._selections = found
    return found


def _target(ctx: ImportCtx, note: dict) -> tuple[str, str | None, str | None]:
    """(memo target type, target id, selection key the note belongs to)."""
    kind, key = ctx.content.note_targets.get(note["key"], ("project", None))
    meta = note["meta"]
    if kind in ("code", "document", "coding") and ctx.is_skipped(kind, key) or \
            kind == "selection" and ctx.is_skipped("document", key[0]) or \
            kind == "project" and meta.get("target") == "segment" and \
            ctx.is_skipped("document", guid_key(meta.get("source"))):
        return "", None, None            # what it is attached to was left out
    if kind == "code" and key in ctx.code_ids:
        return "code", str(ctx.code_ids[key]), None
    if kind == "document" and key in ctx.doc_ids:
        return "document", str(ctx.doc_ids[key]), None
    if kind == "coding" and key in ctx.coding_ids:
        return "coding", str(ctx.coding_ids[key]), None
    if kind == "selection":
        src_key, sel_key = key
        sel = _selections(ctx).get(sel_key)
        for k in (sel or {}).get("codings", []):
            if k["key"] in ctx.coding_ids:
                return "coding", str(ctx.coding_ids[k["key"]]), sel_key
        if src_key in ctx.doc_ids:
            return "document", str(ctx.doc_ids[src_key]), sel_key
    if kind == "project" and meta.get("target") == "participant":
        pid = meta.get("id")
        if pid in set(ctx.participants.values()) or not ctx.store.unknown_participants([pid]):
            return "participant", pid, None
    if kind == "project" and meta.get("target") == "question":
        if meta.get("id") in ctx.store.question_ids():
            return "question", meta["id"], None
    if kind == "project" and meta.get("target") == "segment":
        src_key = guid_key(meta.get("source"))
        if src_key in ctx.doc_ids:
            seg = ctx.store.segment_ids(ctx.doc_ids[src_key]).get(int(meta.get("position") or 0))
            if seg is not None:
                return "segment", str(seg), None
    return "project", None, None


def merge(ctx: ImportCtx) -> None:
    """Notes match memos by GUID, then by content (target and text).  A matched memo
    whose text or title differs is a conflict (``theirs`` replaces ours, ``both`` adds
    theirs beside it); a blank one of ours is filled.  A memo the project deleted is a
    conflict (``theirs`` brings it back); one attached to something left out is left
    out too."""
    from workbench.exchange.conflicts import BOTH, OURS, THEIRS
    from workbench.exchange.matching import memo_content
    from workbench.identity import new_guid
    store = ctx.store
    report = ctx.report
    notes = ctx.content.notes
    owners = store.ids_by_guid("memo", [n["guid"] for n in notes])
    by_content = store.memos_by_content()
    deleted = ctx.tombstones.get("memo", set())
    on_selection: dict[str, list[str]] = {}
    for note in notes:
        memo_id = owners.get(note["key"])
        target_type, target_id, sel_key = _target(ctx, note)
        label = note["title"] or _short(note["text"])
        if memo_id is not None:
            report.matched["memos"] += 1
            row = store.memo_row(memo_id)
            changes = {f: note[f] for f in ("text", "title") if not row[f] and note[f]}
            differs = [f for f in ("text", "title") if row[f] and note[f] and row[f] != note[f]]
            if differs:
                f = "text" if "text" in differs else "title"
                choice = ctx.conflict(f"memo:{note['key']}", "memo", row["title"] or label, f,
                                      row[f], note[f], choices=(OURS, THEIRS, BOTH),
                                      description=_("memo differs on the two sides"))
                if choice == THEIRS:
                    changes.update({f: note[f] for f in differs})
                elif choice == BOTH:
                    store.exchange_insert("memos", dict(
                        target_type=row["target_type"], target_id=row["target_id"],
                        title=note["title"], text=note["text"],
                        coder_id=ctx.coder_id(note["user"]) if note["user"] else None,
                        private=int(row["private"] or 0), guid=new_guid(),
                        created_at=ctx.stamp, updated_at=ctx.stamp))
                    report.modified["memos"] += 1
            if changes:
                store.exchange_update("memos", memo_id, dict(changes, updated_at=ctx.stamp))
                report.modified["memos"] += 1
        else:
            if not target_type:
                report.warn(_("memo {title!r}: what it is attached to was not merged; "
                              "left out").format(title=label))
                continue
            restoring = note["key"] in deleted
            if restoring and ctx.conflict(
                    f"memo:{note['key']}", "memo", label, "deleted", _("deleted"),
                    _short(note["text"]), choices=(OURS, THEIRS),
                    description=_("memo deleted here, still in theirs")) != THEIRS:
                continue
            same = by_content.get(memo_content(target_type, target_id, note["text"]))
            if same is not None:
                report.matched["memos"] += 1
                memo_id = same
            else:
                memo_id = store.exchange_insert("memos", dict(
                    target_type=target_type, target_id=target_id, title=note["title"],
                    text=note["text"],
                    coder_id=ctx.coder_id(note["user"]) if note["user"] else None,
                    private=int(note.get("private") or 0), guid=note["guid"],
                    created_at=note["created_at"] or ctx.stamp,
                    updated_at=note.get("updated_at") or note["created_at"] or ctx.stamp))
                by_content[memo_content(target_type, target_id, note["text"])] = memo_id
                if restoring:
                    report.restored["memos"] += 1
                else:
                    report.new["memos"] += 1
        ctx.memo_ids[note["key"]] = memo_id
        report.map("memo", note["key"], memo_id)
        if sel_key:
            on_selection.setdefault(sel_key, []).append(note["key"])
        data = dict(note["fields"])
        if note["description"]:
            data["Description"] = note["description"]
        store.set_exchange_fields("note", note["guid"], data)
    for sel_key, keys in on_selection.items():
        row = store.selection_row(sel_key)
        if row is None:
            continue
        merged = list(dict.fromkeys(json.loads(row["notes"] or "[]") + keys))
        store.exchange_update("selections", row["guid"], {"notes": json.dumps(merged)})


def _short(text: str | None, n: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n - 1] + "…"
