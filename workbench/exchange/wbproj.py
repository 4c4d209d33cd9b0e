"""Reading another Workbench project file (a colleague's copy) as the same
:class:`~workbench.export.qdpx.context.Content` the REFI-QDA reader gives, so that one
engine brings either in: coders, codes, documents with their turns, codings (with their
origin and status), memos, and what only a Workbench file holds — private flags,
candidate codings and the GUIDs of what was deleted there (tombstones).

The colleague's file is only read: a private copy is opened (and migrated if it is
older), never the file itself.  Participants, attributes and groups stay with the
copy (a shared copy has the project's).
"""
from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from workbench.domain import ValidationError
from workbench.i18n import _
from workbench.identity import guid_key

from workbench.export.qdpx.context import Content

#: document columns that travel as a source's metadata
_META = ("programme", "actor_type", "interview_date", "interviewer", "site", "language",
         "source_file", "source_format", "wave")


def is_project_file(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(16) == b"SQLite format 3\x00"


def read_project(path: str | Path) -> Content:
    """The other project as :class:`Content` (nothing of it is written)."""
    from workbench.store import Store, StoreError
    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("{path}: no such file").format(path=path))
    if not is_project_file(path):
        raise ValidationError(_("{path}: not a Workbench project nor a .qdpx file")
                              .format(path=path))
    tmp = tempfile.mkdtemp(prefix="wb-merge-")
    try:
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
            payload["waves"] = other.wave_names()
        finally:
            other.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return content_of(payload)


def content_of(payload: dict) -> Content:
    """:meth:`TeamStore.merge_payload` of a project as :class:`Content`."""
    name = payload.get("name") or ""
    content = Content(origin=f"Workbench ({name})" if name else "Workbench")
    content.tombstones = {k: set(v) for k, v in payload.get("tombstones", {}).items()}
    content.waves = list(payload.get("waves") or [])
    guids = payload.get("coder_guids", {})
    content.users = [dict(guid=guids.get(n), key=_user(n), name=n, id=None)
                     for n in payload.get("coders", [])]
    code_key = {}
    for c in payload["codes"]:                        # parents first (merge_payload's order)
        key = guid_key(c["guid"])
        code_key[c["id"]] = key
        content.codes.append(dict(
            key=key, guid=c["guid"], parent_key=code_key.get(c["parent_id"]),
            name=c["name"], path=c["path"], colour=c.get("colour"),
            codable=bool(c.get("codable", 1)), questions=list(c.get("questions") or []),
            notes=[], **{f: c.get(f) or None for f in ("short", "definition", "when_to_use",
                                                       "when_not_to_use", "example")}))
    doc_key, coding_key = {}, {}
    sources = {}
    for d in payload["documents"]:
        key = guid_key(d["guid"])
        doc_key[d["id"]] = key
        meta = {f: d.get(f) for f in _META if d.get(f)}
        meta["extra"] = d.get("extra") or {}
        segments = [{k: v for k, v in s.items() if k not in ("id", "document_id")}
                    for s in d.get("segments", [])]
        sources[d["id"]] = dict(
            guid=d["guid"], key=key, name=d["name"], text=d["text"], meta=meta,
            description=None, fields={}, segments=segments, values=[], notes=[],
            selections=[], codings=[], links=list(d.get("links", [])),
            private=int(d.get("private") or 0))
    for k in payload["codings"]:
        key = guid_key(k["guid"])
        coding_key[k["id"]] = key
        sources[k["document_id"]]["codings"].append(dict(
            guid=k["guid"], key=key, code_key=code_key[k["code_id"]], user=_user(k["coder"]),
            created_at=k.get("created_at"), start=k["start"], end=k["end"],
            origin=k.get("origin") or "manual", rule=k.get("rule"),
            status=k.get("status") or "accepted", notes=[]))
    content.sources = list(sources.values())
    for m in payload["memos"]:
        key = guid_key(m["guid"])
        t, target = m["target_type"], m.get("target_id")
        meta = {}
        if t == "code" and target is not None and str(target).isdigit():
            content.refer_note(key, "code", code_key.get(int(target)))
        elif t == "document" and target is not None and str(target).isdigit():
            content.refer_note(key, "document", doc_key.get(int(target)))
        elif t == "coding" and target is not None and str(target).isdigit():
            content.refer_note(key, "coding", coding_key.get(int(target)))
        elif t in ("participant", "question"):
            meta = {"target": t, "id": target}
        elif t == "segment":
            doc, position = m.get("segment") or (None, None)
            if doc in doc_key:
                meta = {"target": "segment", "source": doc_key[doc], "position": position}
        content.notes.append(dict(
            guid=m["guid"], key=key, title=m.get("title"), text=m.get("text") or "",
            user=_user(m["coder"]) if m.get("coder") else None,
            created_at=m.get("created_at"), updated_at=m.get("updated_at"), fields={},
            description=None, meta=meta, private=int(m.get("private") or 0)))
    return content


def _user(name: str) -> str:
    """The key a coder of a Workbench project is known by in :class:`Content`."""
    return f"coder:{name}"
