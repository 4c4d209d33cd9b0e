"""Reading a ``.qdpx`` completely, one element module at a time, before anything is
written: a file that cannot be imported is refused whole, with the file named."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from workbench.i18n import _

from . import cases, codes, extras, notes, sets, sources, users, variables
from .archive import Archive
from .common import NS, CancelledFn, ProgressFn, noop, unkept
from .context import Content, ReadCtx


def read_content(path: str | Path, *, progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None) -> Content:
    """Parse and check a ``.qdpx``; raises :class:`~.common.QdpxError` naming the file
    on anything that would lose data.  Nothing is written."""
    path = Path(path)
    arch = Archive(path)
    root = arch.root()
    content = Content(origin=root.get("origin") or "")
    ctx = ReadCtx(path=path, arch=arch, content=content, step=progress or noop,
                  stop=cancelled or (lambda: False))
    ns = etree.QName(root).namespace or ""
    if ns != NS:
        ctx.warn(_("non-standard namespace {ns!r} read as {standard!r}").format(
            ns=ns or _("(none)"), standard=NS))
    content.project = extras.read_project(root, ctx)
    content.users = users.read(root, ctx)
    content.codes = codes.read(root, ctx)
    content.questions, content.sets = sets.read(root, ctx)
    content.variables = variables.read(root, ctx)
    content.cases = cases.read(root, ctx)
    content.sources = sources.read(root, ctx, {c["key"] for c in content.codes})
    content.notes = notes.read(root, ctx)
    content.objects = extras.read(root, ctx)
    content.warnings.extend(unkept(root))
    return content


def read_qdpx(path: str | Path, *, existing_documents=frozenset(),
              progress: ProgressFn | None = None,
              cancelled: CancelledFn | None = None) -> dict:
    """The whole file as plain lists, nothing written: ``documents`` (key = source GUID
    key, guid, name, text, metadata, segments, links), ``codes`` (key, parent_key, name,
    guid, fields, codable), ``code_questions``, ``codings`` (document_key, code_key,
    start, end, coder, guid, origin, created_at, selection), ``memos`` (key, guid,
    target_kind, target_key, title, text, coder, created_at), ``coders``, ``questions``,
    ``attributes``, ``participants``, ``groups``, ``origin``, ``warnings``,
    ``skipped_codings``, and ``content`` (every element, :class:`Content`).  A name in
    ``existing_documents`` gets a " (2)" suffix.  To bring a file into a project, use
    :func:`~.importer.import_qdpx` (``dry_run=True`` to preview): it matches what the
    project already holds and reports conflicts."""
    from workbench.identity import guid_key

    from .cases import DEFAULT_TYPE
    from .sources import detect_segments

    c = read_content(path, progress=progress, cancelled=cancelled)
    names = {u["key"]: u["name"] for u in c.users}
    fallback = names.get(guid_key(c.project.get("creatingUserGUID")), "import-refi")

    def coder(key):
        return names.get(key or "", fallback)

    links: dict[str, list] = {}
    for case in c.cases:
        for src_key, speaker in case["sources"]:
            links.setdefault(src_key, []).append((case["name"], speaker))
    taken = set(existing_documents)
    documents: list[dict] = []
    codings: list[dict] = []
    first_coding: dict[str, str] = {}
    for s in c.sources:
        name, n = s["name"], 2
        while name in taken:
            name = f"{s['name']} ({n})"
            n += 1
        taken.add(name)
        meta = s["meta"]
        documents.append(dict(
            key=s["key"], guid=s["guid"], name=name, text=s["text"],
            **{f: meta.get(f) for f in ("programme", "actor_type", "interview_date",
                                        "interviewer", "site")},
            language=meta.get("language") or "fr", source_format="qdpx",
            extra=meta.get("extra") or {},
            segments=s["segments"] if s["segments"] is not None else detect_segments(s["text"],
                                                                                   name),
            links=links.get(s["key"], [])))
        for sel in s["selections"]:
            for k in sel["codings"]:
                first_coding.setdefault(sel["key"], k["key"])
                codings.append(dict(document_key=s["key"], code_key=k["code_key"],
                                    start=k["start"], end=k["end"],
                                    coder=coder(k["user"] or sel["user"]), guid=k["guid"],
                                    origin=k["origin"], created_at=k["created_at"],
                                    selection=sel["guid"]))
        for k in s["codings"]:
            codings.append(dict(document_key=s["key"], code_key=k["code_key"], start=k["start"],
                                end=k["end"], coder=coder(k["user"]), guid=k["guid"],
                                origin=k["origin"], created_at=k["created_at"], selection=None))
    codes = [dict(key=k["key"], parent_key=k["parent_key"], name=k["name"], guid=k["guid"],
                  colour=k["colour"], codable=k["codable"], codebook=None,
                  **{f: k[f] for f in ("short", "definition", "when_to_use", "when_not_to_use",
                                       "example")}) for k in c.codes]
    code_questions = [(k["key"], q) for k in c.codes for q in k["questions"]]
    code_questions += [(ck, q["id"]) for q in c.questions for ck in q["codes"]]
    source_keys = {s["key"] for s in c.sources}
    memos = []
    for note in c.notes:
        kind, key = c.note_targets.get(note["key"], ("project", None))
        if kind == "selection":
            src_key, sel_key = key
            kind, key = (("coding", first_coding[sel_key]) if sel_key in first_coding
                         else ("document", src_key))
        meta = note["meta"]
        if kind == "project" and meta.get("target") in ("participant", "question"):
            kind, key = meta["target"], meta.get("id")
        elif kind == "project" and meta.get("target") == "segment" and \
                guid_key(meta.get("source")) in source_keys:
            kind, key = "segment", (guid_key(meta["source"]), int(meta.get("position") or 0))
        memos.append(dict(key=note["key"], guid=note["guid"], target_kind=kind, target_key=key,
                          title=note["title"], text=note["text"],
                          coder=coder(note["user"]) if note["user"] else None,
                          created_at=note["created_at"]))
    participants = []
    by_var = {v["key"]: v for v in c.variables}
    from .variables import coerce
    for case in c.cases:
        values = {}
        for var_key, tag, text in case["values"]:
            var = by_var.get(var_key)
            if var is None:
                continue
            try:
                values[var["name"]] = coerce(var, tag, text)
            except ValueError:
                values[var["name"]] = (text, None)
        participants.append(dict(id=case["name"], guid=case["guid"], values=values,
                                 description=case["description"],
                                 type=case.get("type", DEFAULT_TYPE)))
    coders = sorted(set(names.values()) | {k["coder"] for k in codings}
                    | {m["coder"] for m in memos if m["coder"]})
    return dict(origin=c.origin, coders=coders, questions=c.questions, codes=codes,
                code_questions=code_questions,
                attributes=[dict(name=v["name"], type=v["type"], levels=v["levels"],
                                 position=v["position"]) for v in c.variables],
                participants=participants, documents=documents, codings=codings,
                memos=memos, groups=c.sets, warnings=list(c.warnings),
                skipped_codings=c.skipped_codings, content=c)
