"""Merging a colleague's work: another ``.wbproj`` or a ``.qdpx`` written by any tool.

Everything is matched by identity, never by position or by name alone:

* documents by GUID, then by the hash of their normalised text (the same transcript
  imported separately); a document found nowhere is added with its GUID;
* codes by GUID, then by path (``Parent/Child``, case-insensitive); new codes are
  added under their (matched or new) parent, with their GUID;
* codings by GUID, then by content (document, code, span, coder, status): a coding
  already here is never added twice, so merging the same file again changes nothing;
* memos by GUID, then by (target, text).

What cannot be decided without the user is a **conflict**, listed with its choices
and never resolved silently: a code renamed or moved on one side; a document whose
text differs on the two sides; a coding or memo deleted on one side and still
present on the other; a memo edited on both sides; a new document whose name is
taken by another text.  Choices given once are remembered, so merging the same file
again asks nothing new.  A merge is one undoable step (codes, codings, memos; the
documents it added stay, like any import) and reports what it did.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.domain import WorkbenchError
from workbench.i18n import _
from workbench.identity import new_guid, text_hash


@dataclass
class Conflict:
    id: str                       # stable: kind:guid
    kind: str                     # code, document, coding, memo, name
    description: str
    ours: str
    theirs: str
    choices: tuple[str, ...]
    choice: str | None = None
    remembered: bool = False

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "description": self.description,
                "ours": self.ours, "theirs": self.theirs, "choices": "/".join(self.choices),
                "choice": self.choice or ""}


@dataclass
class MergeReport:
    source: str
    origin: str
    documents_matched: int = 0
    documents_added: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    codes_changed: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_already_here: int = 0
    codings_removed: int = 0
    codings_restored: int = 0
    codings_remapped: int = 0
    codings_not_placed: int = 0
    memos_added: int = 0
    memos_changed: int = 0
    memos_already_here: int = 0
    coders_added: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.documents_added or self.codes_added or self.codes_changed
                    or self.codings_added or self.codings_removed or self.codings_restored
                    or self.memos_added or self.memos_changed)

    def summary(self) -> list[str]:
        lines = [
            _("documents: {matched} matched, {added} added").format(
                matched=self.documents_matched, added=len(self.documents_added)),
            _("codes: {added} added, {changed} renamed or moved").format(
                added=len(self.codes_added), changed=len(self.codes_changed)),
            _("codings: {added} added, {here} already here, {removed} removed, "
              "{restored} restored").format(added=self.codings_added,
                                            here=self.codings_already_here,
                                            removed=self.codings_removed,
                                            restored=self.codings_restored),
            _("memos: {added} added, {changed} changed, {here} already here").format(
                added=self.memos_added, changed=self.memos_changed, here=self.memos_already_here),
        ]
        if self.codings_remapped or self.codings_not_placed:
            lines.append(_("codings on edited documents: {moved} placed on our text, "
                           "{lost} not placed (their text is not in ours)").format(
                moved=self.codings_remapped, lost=self.codings_not_placed))
        if self.coders_added:
            lines.append(_("new coders: {names}").format(names=", ".join(self.coders_added)))
        for c in self.conflicts:
            lines.append(_("conflict {id}: {description} — ours: {ours}; theirs: {theirs} "
                           "→ {choice}").format(id=c.id, description=c.description, ours=c.ours,
                                                theirs=c.theirs, choice=c.choice or "?"))
        return lines


class MergeConflicts(WorkbenchError):
    """Conflicts need a choice before anything is written."""

    title = "Merge conflicts"

    def __init__(self, report: MergeReport):
        pending = [c for c in report.conflicts if c.choice is None]
        lines = [_("{n} conflict(s) need a choice; nothing was merged:").format(n=len(pending))]
        for c in pending:
            lines.append(f"  {c.id}: {c.description} — "
                         + _("ours: {ours}; theirs: {theirs}; choices: {choices}").format(
                             ours=c.ours, theirs=c.theirs, choices=", ".join(c.choices)))
        super().__init__("\n".join(lines))
        self.report = report


# ------------------------------------------------------------------------ reading

def read_source(path: str | Path, progress=None, cancelled=None) -> dict[str, Any]:
    """The other side as a payload keyed by GUID: a ``.wbproj`` (read from a private
    copy, so the colleague's file is never migrated or touched) or a ``.qdpx``."""
    import shutil
    import tempfile

    from workbench.domain import ValidationError
    from workbench.store import Store, StoreError
    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("{path}: no such file").format(path=path))
    if path.suffix.lower() == ".qdpx":
        return _qdpx_payload(path, progress, cancelled)
    import sqlite3
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise ValidationError(_("{path}: not a Workbench project nor a .qdpx file")
                                  .format(path=path))
    with tempfile.TemporaryDirectory(prefix="wb-merge-") as tmp:
        copy = Path(tmp) / "other.wbproj"
        try:
            con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                target = sqlite3.connect(str(copy))
                con.backup(target)
                target.close()
            finally:
                con.close()
            other = Store(copy)
        except (StoreError, sqlite3.DatabaseError) as exc:
            raise ValidationError(_("{path}: cannot be read as a Workbench project ({error})")
                                  .format(path=path, error=exc)) from None
        try:
            payload = other.merge_payload()
        finally:
            other.close()
        shutil.rmtree(tmp, ignore_errors=True)
    payload["source"] = str(path)
    return payload


def _qdpx_payload(path: Path, progress, cancelled) -> dict[str, Any]:
    """A ``.qdpx`` through the REFI-QDA reader (one reader: :func:`read_qdpx`)."""
    from workbench.export.qdpx import read_qdpx
    raw = read_qdpx(path, progress=progress, cancelled=cancelled)
    keys = {c["key"]: c for c in raw["codes"]}

    def code_path(c):
        parts = []
        while c is not None:
            parts.append(c["name"])
            c = keys.get(c["parent_key"]) if c.get("parent_key") is not None else None
        return "/".join(reversed(parts))

    codes = []
    for c in raw["codes"]:
        guid = (c.get("guid") or c["key"] or "").lower()
        parent = keys.get(c.get("parent_key"))
        codes.append(dict(c, guid=guid, path=code_path(c),
                          parent_guid=((parent.get("guid") or parent["key"]).lower()
                                       if parent else None),
                          questions=[q for k, q in raw.get("code_questions", []) if k == c["key"]],
                          position=len(codes)))
    code_guid = {c["key"]: (c.get("guid") or c["key"] or "").lower() for c in raw["codes"]}
    docs = []
    for d in raw["documents"]:
        d = dict(d)
        d["guid"] = (d["key"] or "").lower()
        d["text_hash"] = text_hash(d["text"])
        docs.append(d)
    codings = []
    for k in raw["codings"]:
        codings.append(dict(guid=(k.get("guid") or "").lower(), document_guid=k["document_key"].lower(),
                            code_guid=code_guid[k["code_key"]], start=k["start"], end=k["end"],
                            coder=k["coder"], origin=k.get("origin") or "imported",
                            status="accepted", rule=None, created_at=k.get("created_at")))
    memos = []
    for m in raw["memos"]:
        kind, key = m["target_kind"], m["target_key"]
        if kind == "code":
            key = code_guid.get(key, key)
        elif kind in ("document", "coding") and isinstance(key, str):
            key = key.lower()
        elif kind == "segment":
            key = (key[0].lower(), key[1])
        memos.append(dict(guid=(m["key"] or "").lower(), target_type=kind, target_guid=key,
                          title=m.get("title"), text=m.get("text") or "", coder=m.get("coder"),
                          private=0, created_at=m.get("created_at"),
                          updated_at=m.get("created_at")))
    return {"origin": raw.get("origin") or "REFI-QDA", "documents": docs, "codes": codes,
            "codings": codings, "memos": memos, "coders": raw.get("coders", []),
            "tombstones": {}, "warnings": list(raw.get("warnings", [])), "source": str(path)}


# ----------------------------------------------------------------------- planning

def offset_map(old: str, new: str):
    """Map character offsets of ``old`` onto ``new`` where the text is unchanged."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]

    def to_new(start: int, end: int) -> tuple[int, int] | None:
        for b in blocks:
            if b.a <= start and end <= b.a + b.size:
                return start - b.a + b.b, end - b.a + b.b
        # a span across several unchanged blocks: map both ends, keep if the text agrees
        s = next((start - b.a + b.b for b in blocks if b.a <= start < b.a + b.size), None)
        e = next((end - b.a + b.b for b in blocks if b.a < end <= b.a + b.size), None)
        if s is None or e is None or e <= s or new[s:e] != old[start:end]:
            return None
        return s, e

    return to_new


def plan_and_apply(project, payload: dict[str, Any], *, choices: dict[str, str] | None = None,
                   prefer: str | None = None, preview: bool = False) -> MergeReport:
    """Match the other side against this project, list conflicts, and (unless
    ``preview``) write the merge as one undoable action."""
    store = project.store
    choices = dict(choices or {})
    remembered = store.merge_decisions()
    report = MergeReport(source=payload.get("source", ""), origin=payload.get("origin", ""))
    report.warnings.extend(payload.get("warnings", []))
    ours = store.merge_index()
    conflicts: list[Conflict] = []

    def conflict(cid, kind, description, our_value, their_value, options) -> Conflict:
        c = Conflict(cid, kind, description, str(our_value), str(their_value), tuple(options))
        picked = choices.get(cid)
        if picked is None and (cid, c.theirs) in remembered:
            picked, c.remembered = remembered[(cid, c.theirs)], True
        if picked is None and prefer in options:
            picked = prefer
        if picked is not None and picked not in options:
            from workbench.domain import ValidationError
            raise ValidationError(_("conflict {id}: choice {choice!r} is not one of {choices}")
                                  .format(id=cid, choice=picked, choices=", ".join(options)))
        c.choice = picked
        conflicts.append(c)
        return c

    # -- codes
    code_rows = {r["id"]: r for r in store.codes()}
    our_paths = project.code_paths()
    by_guid = {(r["guid"] or "").lower(): r["id"] for r in code_rows.values() if r["guid"]}
    by_path = {p.casefold(): cid for cid, p in our_paths.items()}
    code_map: dict[str, int | str] = {}      # their guid -> our id, or "new:<guid>"
    new_codes: list[dict] = []
    code_changes: list[tuple[int, dict, str]] = []
    their_codes = {c["guid"]: c for c in payload["codes"]}
    for c in payload["codes"]:
        g = c["guid"]
        if g and g in by_guid:
            cid = by_guid[g]
            code_map[g] = cid
            if our_paths[cid].casefold() != c["path"].casefold():
                k = conflict(f"code:{g}", "code", _("code renamed or moved on one side"),
                             our_paths[cid], c["path"], ("ours", "theirs"))
                code_changes.append((cid, c, k.id))
        elif c["path"].casefold() in by_path:
            code_map[g] = by_path[c["path"].casefold()]
        elif g and g in ours["tombstones"]["code"]:
            k = conflict(f"code:{g}", "code", _("code deleted here, still in theirs"),
                         _("deleted"), c["path"], ("ours", "theirs"))
            new_codes.append(dict(c, conflict=k.id))
            code_map[g] = f"new:{g}"
        else:
            new_codes.append(dict(c, conflict=None))
            code_map[g] = f"new:{g}"

    # -- documents
    doc_map: dict[str, int | str | None] = {}   # their guid -> our id, "new:...", None=skip
    remaps: dict[str, Any] = {}
    new_docs: list[dict] = []
    for d in payload["documents"]:
        g, h = d["guid"], d.get("text_hash") or text_hash(d["text"])
        if g and g in ours["documents"]:
            did = ours["documents"][g]
            ours_text = store.document_text(did)
            if text_hash(ours_text) != h:
                k = conflict(f"document:{g}", "document", _("document text differs on the two sides"),
                             store.get_document(did).name, d["name"], ("ours", "skip"))
                doc_map[g] = did
                remaps[g] = (k.id, offset_map(d["text"], ours_text))
            else:
                doc_map[g] = did
                report.documents_matched += 1
        elif h in ours["hashes"]:
            doc_map[g] = ours["hashes"][h]
            report.documents_matched += 1
        else:
            name = d["name"]
            taken = name in ours["document_names"]
            k = None
            if taken:
                k = conflict(f"name:{g}", "name", _("another document already has this name"),
                             name, name, ("add", "skip"))
            new_docs.append(dict(d, conflict=k.id if k else None))
            doc_map[g] = f"new:{g}"

    # -- codings
    their_coding_guids = {k["guid"] for k in payload["codings"] if k["guid"]}
    add_codings, restore, remove = [], [], []
    for k in payload["codings"]:
        g = k["guid"]
        if g and g in ours["codings"]:
            report.codings_already_here += 1
            continue
        if g and g in ours["tombstones"]["coding"]:
            c = conflict(f"coding:{g}", "coding", _("coding deleted here, still in theirs"),
                         _("deleted"), f"{k['coder']} {k['start']}–{k['end']}", ("ours", "theirs"))
            restore.append((k, c.id))
            continue
        add_codings.append(k)
    their_tomb = payload.get("tombstones", {}).get("coding", set())
    for g, k in ours["codings"].items():
        if g in their_tomb and g not in their_coding_guids:
            c = conflict(f"coding:{g}", "coding", _("coding deleted in theirs, still here"),
                         f"{k['coder']} {k['start']}–{k['end']}", _("deleted"), ("ours", "theirs"))
            remove.append((k, c.id))

    # -- memos
    add_memos, memo_updates = [], []
    their_memo_guids = {m["guid"] for m in payload["memos"] if m["guid"]}
    for m in payload["memos"]:
        g = m["guid"]
        if g and g in ours["memos"]:
            mine = ours["memos"][g]
            if (mine["text"] or "") != (m["text"] or "") or (mine["title"] or "") != (m.get("title") or ""):
                c = conflict(f"memo:{g}", "memo", _("memo differs on the two sides"),
                             _short(mine["text"]), _short(m["text"]), ("ours", "theirs", "both"))
                memo_updates.append((mine, m, c.id))
            else:
                report.memos_already_here += 1
            continue
        if g and g in ours["tombstones"]["memo"]:
            c = conflict(f"memo:{g}", "memo", _("memo deleted here, still in theirs"),
                         _("deleted"), _short(m["text"]), ("ours", "theirs"))
            add_memos.append(dict(m, conflict=c.id))
            continue
        add_memos.append(dict(m, conflict=None))
    del their_memo_guids

    report.conflicts = conflicts
    pending = [c for c in conflicts if c.choice is None]
    if pending and not preview:
        raise MergeConflicts(report)

    def chosen(cid: str | None, value: str) -> bool:
        if cid is None:
            return False
        c = next(x for x in conflicts if x.id == cid)
        return c.choice == value

    # -- counts of what would happen (preview) and the writes
    def run(rec):
        coder_ids = {}

        def coder_id(name):
            if name not in coder_ids:
                cid = store.coder_id(name)
                if cid is None:
                    if not preview:
                        cid = store.ensure_coder(name)
                    report.coders_added.append(name)
                coder_ids[name] = cid
            return coder_ids[name]

        # new documents (not part of undo: like any import)
        for d in new_docs:
            if d["conflict"] and not chosen(d["conflict"], "add"):
                doc_map[d["guid"]] = None
                continue
            name = d["name"]
            if d["conflict"]:
                name = _unique_name(name, ours["document_names"])
            report.documents_added.append(name)
            if preview:
                continue
            fields = {k: d.get(k) for k in ("programme", "actor_type", "interview_date",
                                            "interviewer", "site", "language", "source_file",
                                            "source_format", "encoding", "word_count", "extra")}
            fields.update(name=name, text=d["text"], guid=d["guid"] or new_guid(),
                          text_hash=d.get("text_hash") or text_hash(d["text"]),
                          language=d.get("language") or "fr",
                          word_count=d.get("word_count") or len(d["text"].split()))
            links = [(p, s) for p, s in d.get("links", [])
                     if not store.unknown_participants([p])]
            doc_map[d["guid"]] = store.insert_document(fields, d["segments"], links,
                                                       coder=project.coder)
            ours["document_names"][name] = doc_map[d["guid"]]
        for g, (cid, _mapper) in remaps.items():
            if chosen(cid, "skip"):
                doc_map[g] = None

        # codes
        for c in new_codes:
            if c["conflict"] and chosen(c["conflict"], "ours"):
                code_map[c["guid"]] = None
                continue
            report.codes_added.append(c["path"])
            if preview:
                continue
            parent = code_map.get(c["parent_guid"]) if c["parent_guid"] else None
            if isinstance(parent, str) or (c["parent_guid"] and parent is None):
                parent = _resolve_parent(project, c, their_codes, code_map)
            existing = store.child_code_id(parent, c["name"])
            if existing is not None:
                code_map[c["guid"]] = existing
                continue
            code_map[c["guid"]] = rec.insert("codes", {
                "parent_id": parent, "name": c["name"],
                **{f: c.get(f) for f in ("short", "definition", "when_to_use", "when_not_to_use",
                                         "example", "colour", "codebook")},
                "position": store.next_code_position(parent), "guid": c["guid"] or new_guid(),
                "created_at": c.get("created_at") or _now()})
            known_q = store.question_ids()
            for q in c.get("questions") or []:
                if q in known_q:
                    rec.insert("code_questions", {"code_id": code_map[c["guid"]], "question_id": q})
        for cid, c, kid in code_changes:
            if not chosen(kid, "theirs"):
                continue
            report.codes_changed.append(f"{our_paths[cid]} → {c['path']}")
            if preview:
                continue
            parent = code_map.get(c["parent_guid"]) if c["parent_guid"] else None
            if isinstance(parent, str):
                parent = _resolve_parent(project, c, their_codes, code_map)
            if store.child_code_id(parent, c["name"]) not in (None, cid):
                report.warnings.append(_("{path}: a code with that name already exists there; "
                                         "left as it is").format(path=c["path"]))
                report.codes_changed.pop()
                continue
            rec.update("codes", {"id": cid}, {"name": c["name"], "parent_id": parent})

        # codings
        stamp = _now()

        def place(k):
            did = doc_map.get(k["document_guid"])
            code = code_map.get(k["code_guid"])
            if did is None or code is None:
                return None
            s, e = k["start"], k["end"]
            if k["document_guid"] in remaps:
                span = remaps[k["document_guid"]][1](s, e)
                if span is None:
                    report.codings_not_placed += 1
                    return None
                if span != (s, e):
                    report.codings_remapped += 1
                s, e = span
            return did, code, s, e

        for k in add_codings:
            placed = place(k)
            if placed is None:
                continue
            did, code, s, e = placed
            status = k.get("status") or "accepted"
            if isinstance(did, int) and isinstance(code, int) and \
                    (did, code, s, e, k["coder"], status) in ours["content"]:
                report.codings_already_here += 1
                continue
            report.codings_added += 1
            if preview:
                continue
            new_id = rec.insert("codings", {
                "document_id": did, "code_id": code, "start": s, "end": e,
                "coder_id": coder_id(k["coder"]), "origin": k.get("origin") or "manual",
                "status": status, "rule": k.get("rule"), "guid": k["guid"] or new_guid(),
                "created_at": k.get("created_at") or stamp})
            ours["content"][(did, code, s, e, k["coder"], status)] = new_id
            if k["guid"]:
                ours["codings"][k["guid"]] = {"id": new_id}
        for k, cid in restore:
            if not chosen(cid, "theirs"):
                continue
            placed = place(k)
            if placed is None:
                continue
            did, code, s, e = placed
            report.codings_restored += 1
            if preview:
                continue
            new_id = rec.insert("codings", {
                "document_id": did, "code_id": code, "start": s, "end": e,
                "coder_id": coder_id(k["coder"]), "origin": k.get("origin") or "manual",
                "status": k.get("status") or "accepted", "rule": k.get("rule"),
                "guid": k["guid"], "created_at": k.get("created_at") or stamp})
            ours["codings"][k["guid"]] = {"id": new_id}
        for k, cid in remove:
            if not chosen(cid, "theirs"):
                continue
            report.codings_removed += 1
            if preview:
                continue
            for m in store.memos("coding", k["id"]):
                rec.delete("memos", {"id": m["id"]})
            rec.delete("codings", {"id": k["id"]})

        # memos
        for m in add_memos:
            if m["conflict"] and not chosen(m["conflict"], "theirs"):
                continue
            target = _memo_target(store, m, doc_map, code_map, ours)
            if target is False:
                report.warnings.append(_("memo {title!r}: what it is attached to was not merged; "
                                         "left out").format(title=m.get("title") or _short(m["text"])))
                continue
            if (m["target_type"], target, m["text"]) in ours["memo_content"]:
                report.memos_already_here += 1
                continue
            report.memos_added += 1
            if preview:
                continue
            rec.insert("memos", {
                "target_type": m["target_type"], "target_id": target, "title": m.get("title"),
                "text": m["text"] or "", "coder_id": coder_id(m["coder"]) if m.get("coder") else None,
                "private": int(m.get("private") or 0), "created_at": m.get("created_at") or stamp,
                "updated_at": m.get("updated_at") or m.get("created_at") or stamp,
                "guid": m["guid"] or new_guid()})
            ours["memo_content"].add((m["target_type"], target, m["text"]))
        for mine, m, cid in memo_updates:
            c = next(x for x in conflicts if x.id == cid)
            if c.choice == "ours":
                continue
            report.memos_changed += 1
            if preview:
                continue
            if c.choice == "theirs":
                rec.update("memos", {"id": mine["id"]}, {"text": m["text"] or "",
                                                         "title": m.get("title"),
                                                         "updated_at": stamp})
            else:   # both: theirs becomes a new memo beside ours
                rec.insert("memos", {
                    "target_type": mine["target_type"], "target_id": mine["target_id"],
                    "title": m.get("title"), "text": m["text"] or "",
                    "coder_id": coder_id(m["coder"]) if m.get("coder") else None,
                    "private": int(mine.get("private") or 0), "created_at": stamp,
                    "updated_at": stamp, "guid": new_guid()})

    if preview:
        run(None)
        return report
    with store.grouped("merge", project.coder, details={"source": report.source}) as rec:
        run(rec)
        decisions = [(c.id, c.theirs, c.choice) for c in conflicts if not c.remembered]
        if decisions:
            store.record_merge_decisions(decisions, project.coder)
    report.applied = True
    return report


def _memo_target(store, m, doc_map, code_map, ours):
    t, g = m["target_type"], m.get("target_guid")
    if t == "document":
        did = doc_map.get(g)
        return str(did) if isinstance(did, int) else False
    if t == "code":
        cid = code_map.get(g)
        return str(cid) if isinstance(cid, int) else False
    if t == "coding":
        k = ours["codings"].get(g)
        return str(k["id"]) if k else False
    if t == "segment":
        did = doc_map.get(g[0]) if isinstance(g, (tuple, list)) else None
        if not isinstance(did, int):
            return False
        sid = store.segment_id_at(did, int(g[1]))
        return str(sid) if sid is not None else False
    return g


def _resolve_parent(project, c, their_codes, code_map):
    """Our id of a code's parent, creating nothing: parents come first in tree order."""
    parent = code_map.get(c["parent_guid"])
    if isinstance(parent, int):
        return parent
    p = their_codes.get(c["parent_guid"])
    if p is None:
        return None
    return project.store.child_code_id(_resolve_parent(project, p, their_codes, code_map)
                                       if p.get("parent_guid") else None, p["name"])


def _unique_name(name: str, taken) -> str:
    i = 2
    candidate = _("{name} (merged)").format(name=name)
    while candidate in taken:
        candidate = _("{name} (merged {i})").format(name=name, i=i)
        i += 1
    return candidate


def _short(text: str | None, n: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n - 1] + "…"


def _now() -> str:
    from workbench.store import now
    return now()
