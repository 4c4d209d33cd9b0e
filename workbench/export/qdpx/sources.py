"""``<Sources>``: text sources with their selections and codings.

Export writes each non-private document as a ``TextSource`` (UTF-8 plain text in
``Sources/<guid>.txt``), its selections (another tool's own, with their GUID, creator
and dates; else one per coded span, with a GUID derived from the document's and the
span) and codings.  What REFI-QDA has no place for travels in a sidecar only Workbench
reads, ``Workbench/<guid>.json``: the turns (every segment field of the turn model) and
the origin of each coding (manual, rule, topic).

Import converts positions (NVivo counts UTF-16 code units; ``\\r\\n`` line ends become
``\\n``), matches each source to a project document by GUID, then by text hash (a
transcript already in the project is linked to, never copied as "name (2)"), and
matches selections and codings by GUID, then codings by span, code and coder.
"""
from __future__ import annotations

import bisect
import json
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from workbench.domain import ACTOR_TYPES, WorkbenchError
from workbench.i18n import _, ngettext
from workbench.exchange.matching import map_span
from workbench.identity import guid_key, keep_guid, new_guid, offset_mapper, text_hash
from workbench.safety.text import clean_text_map
from workbench.words import turn_word_count

from . import variables
from .archive import decode, docx_text
from .common import (SIDECAR_DIR, QdpxError, join_description, kid, kids, local, q,
                     set_dates, split_description, stamp)
from .context import ImportCtx, ReadCtx, WriteCtx

META_FIELDS = ("programme", "actor_type", "interview_date", "interviewer", "site", "language",
               "wave")
_DATES = ("creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime")


# --------------------------------------------------------------------------- positions
def utf16_map(text: str) -> list[int] | None:
    """UTF-16 code-unit index -> character index, or None if they coincide."""
    if all(ord(ch) <= 0xFFFF for ch in text):
        return None
    out: list[int] = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(i)
    out.append(len(text))
    return out


def boundary_score(text: str, spans: list[tuple[int, int]], mapping: list[int] | None) -> int:
    """How many span ends fall on word boundaries (to tell UTF-16 from characters)."""
    n = len(text)
    score = 0
    for s, e in spans:
        if mapping is not None:
            if e >= len(mapping) or s >= len(mapping):
                continue
            s, e = mapping[s], mapping[e]
        if not (0 <= s < e <= n):
            continue
        score += (s == 0 or not text[s - 1].isalnum()) + (e == n or not text[e].isalnum())
    return score


def detect_segments(text: str, name: str = "source") -> list[dict]:
    """Turns (or paragraphs) of a text from another tool, detected as for a ``.txt``
    transcript, in offsets of ``text`` itself."""
    from workbench.ingest.parsers._base import normalise_text, transcript_from_lines
    from workbench.ingest.service import segments_for_store

    try:
        parsed = transcript_from_lines(normalise_text(text).split("\n"),
                                       path=Path(name + ".txt"), source_format="qdpx")
        rows = segments_for_store(parsed)
    except Exception:      # an empty text, or a detector problem: paragraphs below
        rows, parsed = [], None
    if parsed is not None and parsed.text != text:
        k = text.find(parsed.text)
        if k >= 0 and not text[:k].strip():      # only edge blank lines differ: a shift
            def mapped(p: int, k=k) -> int:       # (offset_mapper keeps two integers per
                return p + k                      # character: 150 MB for a 2 MB text)
        else:
            mapped = offset_mapper(parsed.text, text)
        for r in rows:
            r["start"], r["end"] = map_span(mapped, r["start"], r["end"])
            if isinstance(r.get("body_start"), int):
                r["body_start"] = min(mapped(r["body_start"]), r["end"])
    out, last = [], 0
    for r in rows:
        if r["start"] < last or r["end"] < r["start"] or r["end"] > len(text):
            continue
        r["position"] = len(out)
        out.append(r)
        last = r["end"]
    if not out:
        pos = 0
        for line in text.split("\n"):
            if line.strip():
                out.append(dict(position=len(out), kind="paragraph", speaker=None,
                                is_interviewer=False, start=pos, end=pos + len(line.rstrip()),
                                body_start=pos, front_matter=False))
            pos += len(line) + 1
    return out


def _valid_segments(segs, n: int) -> bool:
    last = 0
    for s in segs:
        if not isinstance(s, dict) or not isinstance(s.get("start"), int) or \
                not isinstance(s.get("end"), int) or not (last <= s["start"] <= s["end"] <= n):
            return False
        last = s["end"]
    return True


# --------------------------------------------------------------------------- reading
def _text(src, ctx: ReadCtx, sname: str) -> str:
    arch, path = ctx.arch, ctx.path
    content = kid(src, "PlainTextContent")
    if content is not None and content.text:
        return content.text
    if src.get("plainTextPath"):
        member = arch.find(src.get("plainTextPath"))
        if member is None:
            raise QdpxError(_("{file}: source {name!r}: its text {ref} is missing from the "
                              "archive").format(file=path.name, name=sname,
                                                ref=src.get("plainTextPath")))
        return decode(arch.read(member), member, ctx.warnings)
    if src.get("richTextPath"):
        member = arch.find(src.get("richTextPath"))
        if member is None or not member.lower().endswith(".docx"):
            raise QdpxError(_("{file}: source {name!r}: no plain text and its rich text {ref} "
                              "is missing or not a .docx").format(
                file=path.name, name=sname, ref=src.get("richTextPath")))
        ctx.warn(_("source {name!r}: no plain text in the archive, text taken from its .docx "
                   "(positions may differ from the other tool)").format(name=sname))
        return docx_text(arch.read(member), arch, member)
    if content is not None:
        return ""
    raise QdpxError(_("{file}: source {name!r} has no text (no PlainTextContent, plainTextPath "
                      "or richTextPath)").format(file=path.name, name=sname))


def _sidecar(ctx: ReadCtx, key: str) -> dict:
    member = f"{SIDECAR_DIR}/{key}.json"
    if member not in ctx.arch.names:
        return {}
    try:
        data = json.loads(ctx.arch.read(member).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        ctx.warn(_("{member}: unreadable, ignored").format(member=member))
        return {}
    return data if isinstance(data, dict) else {}


def read(root, ctx: ReadCtx, code_keys: set[str]) -> list[dict]:
    """[{guid, key, name, text, meta, description, fields, segments, values, notes,
    selections: [{guid, key, start, end, name, description, user, created_at, fields,
    notes, codings: [{guid, key, code_key, user, created_at, origin, rule}]}],
    codings (whole source)}]"""
    content = ctx.content
    path = ctx.path
    all_sources = [s for s in kid(root, "Sources") if isinstance(s.tag, str)] \
        if kid(root, "Sources") is not None else []
    out: list[dict] = []
    seen: set[str] = set()
    coding_keys: set[str] = set()
    for si, src in enumerate(all_sources):
        if ctx.stop():
            raise WorkbenchError(_("import cancelled: nothing was imported"))
        kind = local(src)
        sname = src.get("name") or src.get("guid") or f"source {si + 1}"
        if kind != "TextSource":
            n = len(src.findall(".//{*}Coding"))
            content.skipped_codings += n
            if n:
                ctx.warn(ngettext("{kind} {name!r} skipped (only text sources are imported): "
                                  "its {n} coding is not imported",
                                  "{kind} {name!r} skipped (only text sources are imported): "
                                  "its {n} codings are not imported", n).format(
                                      kind=kind, name=sname, n=n))
            else:
                ctx.warn(_("{kind} {name!r} skipped (only text sources are imported)").format(
                    kind=kind, name=sname))
            continue
        g = keep_guid(src.get("guid"))
        if g is None or guid_key(g) in seen:
            raise QdpxError(_("{file}: source {name!r} has a missing or repeated guid").format(
                file=path.name, name=sname))
        key = guid_key(g)
        seen.add(key)
        text = _text(src, ctx, sname)
        if text.startswith("\ufeff"):
            text = text[1:]
        sels = kids(src, "PlainTextSelection")
        spans = []
        for sel in sels:
            try:
                spans.append((int(sel.get("startPosition")), int(sel.get("endPosition"))))
            except (TypeError, ValueError):
                raise QdpxError(_("{file}: source {name!r}: a selection has no valid "
                                  "startPosition/endPosition").format(file=path.name,
                                                                      name=sname)) from None
        mapping = utf16_map(text)
        if mapping is not None and spans:
            if boundary_score(text, spans, mapping) > boundary_score(text, spans, None):
                ctx.warn(_("source {name!r}: positions counted in UTF-16 code units ({tool}), "
                           "converted to characters").format(
                    name=sname, tool=content.origin or _("other tool")))
            else:
                mapping = None
        n_units = len(mapping) - 1 if mapping is not None else len(text)
        removed = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]
        new_text = text.replace("\r\n", "\n").replace("\r", "\n")

        def convert(p: int, mapping=mapping, removed=removed) -> int:
            c = mapping[p] if mapping is not None else p
            return c - bisect.bisect_left(removed, c)

        nfc = unicodedata.normalize("NFC", new_text)
        if nfc != new_text:
            if len(nfc) == len(new_text):
                new_text = nfc
            else:
                ctx.warn(_("source {name!r}: kept as is (Unicode NFC normalisation would shift "
                           "positions)").format(name=sname))
        cleaned = clean_text_map(new_text)     # the sanitising step of every importer
        if cleaned.changed:
            new_text = cleaned.text
            n = cleaned.dropped + cleaned.replaced
            ctx.warn(ngettext("source {name!r}: {n} control character removed (positions "
                              "adjusted)",
                              "source {name!r}: {n} control characters removed (positions "
                              "adjusted)", n).format(name=sname, n=n))

            def convert(p: int, inner=convert, at=cleaned.offset) -> int:   # noqa: F811
                return at(inner(p))
        free, meta = split_description(kid(src, "Description").text
                                       if kid(src, "Description") is not None else "")
        side = _sidecar(ctx, key)
        segments = None
        if side.get("segments") is not None:
            if side.get("text_hash") == text_hash(new_text) and \
                    _valid_segments(side["segments"], len(new_text)):
                segments = side["segments"]
            else:
                ctx.warn(_("source {name!r}: the turns kept by Workbench do not fit this text; "
                           "turns are detected again").format(name=sname))
        origins = side.get("codings") if isinstance(side.get("codings"), dict) else {}
        source = dict(
            guid=g, key=key, name=unicodedata.normalize("NFC", sname).strip()
            or f"source {si + 1}", text=new_text, meta=meta, description=free or None,
            fields={a: src.get(a) for a in _DATES if src.get(a)}, segments=segments,
            values=[v for v in (variables.read_value(vv) for vv in kids(src, "VariableValue"))
                    if v],
            notes=[guid_key(r.get("targetGUID")) for r in kids(src, "NoteRef")],
            selections=[], codings=[])
        for nk in source["notes"]:
            content.refer_note(nk, "document", key)
        dup: set[tuple] = set()
        duplicates: list[tuple[int, int]] = []

        def coding(el, s: int, e: int, default_user: str | None) -> dict | None:
            ref = kid(el, "CodeRef")
            ck = guid_key(ref.get("targetGUID")) if ref is not None else None
            if ck not in code_keys:
                raise QdpxError(_("{file}: source {name!r}: a coding refers to an unknown code "
                                  "({ref})").format(file=path.name, name=sname,
                                                    ref=ref.get("targetGUID") if ref is not None
                                                    else "no CodeRef"))
            user = guid_key(el.get("creatingUser")) or default_user
            if (ck, s, e, user) in dup:
                duplicates.append((s, e))
                return None
            dup.add((ck, s, e, user))
            cg = keep_guid(el.get("guid"))
            if cg is None or guid_key(cg) in coding_keys:
                if cg is not None:
                    ctx.warn(_("source {name!r}: repeated coding guid {guid}, a new one is "
                               "used").format(name=sname, guid=cg))
                cg = new_guid()
            coding_keys.add(guid_key(cg))
            origin = origins.get(guid_key(cg)) or {}
            out_ = dict(guid=cg, key=guid_key(cg), code_key=ck, user=user,
                        created_at=el.get("creationDateTime"), start=s, end=e,
                        origin=origin.get("origin") if origin.get("origin") in
                        ("manual", "rule", "topic", "imported") else "imported",
                        rule=origin.get("rule"),
                        notes=[guid_key(r.get("targetGUID")) for r in kids(el, "NoteRef")])
            for nk in out_["notes"]:
                content.refer_note(nk, "coding", out_["key"])
            return out_

        sel_keys: set[str] = set()
        for sel, (s, e) in zip(sels, spans):
            if not (0 <= s <= e <= n_units):
                raise QdpxError(_("{file}: source {name!r}: selection [{start}, {end}) is outside "
                                  "the text (0..{n})").format(file=path.name, name=sname, start=s,
                                                             end=e, n=n_units))
            cs, ce = convert(s), convert(e)
            coding_els = kids(sel, "Coding")
            if ce <= cs:
                if coding_els:
                    ctx.warn(_("source {name!r}: empty selection at {start} skipped").format(
                        name=sname, start=s))
                continue
            sg = keep_guid(sel.get("guid"))
            if sg is None or guid_key(sg) in sel_keys:
                sg = new_guid()
            sel_keys.add(guid_key(sg))
            sfree, _meta = split_description(kid(sel, "Description").text
                                             if kid(sel, "Description") is not None else "")
            user = guid_key(sel.get("creatingUser"))
            entry = dict(guid=sg, key=guid_key(sg), start=cs, end=ce, name=sel.get("name"),
                         description=sfree or None, user=user,
                         created_at=sel.get("creationDateTime"),
                         fields={a: sel.get(a) for a in ("modifyingUser", "modifiedDateTime")
                                 if sel.get(a)},
                         notes=[guid_key(r.get("targetGUID")) for r in kids(sel, "NoteRef")],
                         codings=[])
            for c_el in coding_els:
                k = coding(c_el, cs, ce, user)
                if k:
                    entry["codings"].append(k)
            for nk in entry["notes"]:
                content.refer_note(nk, "selection", (key, entry["key"]))
            source["selections"].append(entry)
        for c_el in kids(src, "Coding"):      # codings of the whole source
            if new_text:
                k = coding(c_el, 0, len(new_text), guid_key(src.get("creatingUser")))
                if k:
                    source["codings"].append(k)
        if duplicates:
            ctx.warn(ngettext(
                "source {name!r}: {n} coding repeats another (same code, coder and span) and "
                "is skipped, at [{start}, {end})",
                "source {name!r}: {n} codings repeat others (same code, coder and span) and "
                "are skipped, the first at [{start}, {end})", len(duplicates)).format(
                name=sname, n=len(duplicates), start=duplicates[0][0], end=duplicates[0][1]))
        out.append(source)
        ctx.step(si + 1, len(all_sources), source["name"])
    return out


# --------------------------------------------------------------------------- writing
def write(ctx: WriteCtx, types: dict[str, str]) -> dict[str, str]:
    """Write the sources; returns selection GUID key -> GUID of the selections written."""
    store = ctx.store
    docs = ctx.documents
    if not docs:
        return {}
    fields = store.exchange_fields("source")
    sel_fields = store.exchange_fields("selection")
    field_values: dict[int, list[dict]] = defaultdict(list)
    for r in store.field_value_rows("document"):
        field_values[r["owner"]].append(r)
    codings_by_doc: dict[int, list[dict]] = defaultdict(list)
    for k in store.export_codings():
        codings_by_doc[k["document_id"]].append(k)
    candidates = len(store.export_codings("candidate"))
    if candidates:
        ctx.warnings.append(ngettext(
            "{n} candidate coding (a suggestion not yet accepted) is not exported",
            "{n} candidate codings (suggestions not yet accepted) are not exported",
            candidates).format(n=candidates))
    sels_by_doc: dict[int, list[dict]] = defaultdict(list)
    for s in store.export_selections():
        sels_by_doc[s["document_id"]].append(s)
    memo_by_key = {g.lower(): g for g in ctx.memo_guid.values()}
    placed = {g.lower() for s in store.export_selections() for g in s["notes"]}
    written: dict[str, str] = {}
    sources = etree.SubElement(ctx.root, q("Sources"))
    n_codings = 0
    for i, d in enumerate(docs):
        if ctx.stop():
            raise WorkbenchError(_("export cancelled"))
        guid = ctx.doc_guid[d["id"]]
        kept = fields.get(guid.lower(), {})
        el = etree.SubElement(sources, q("TextSource"), guid=guid, name=d["name"],
                              plainTextPath=f"internal://{guid}.txt")
        if not kept.get("creationDateTime") and stamp(d["imported_at"]):
            el.set("creationDateTime", stamp(d["imported_at"]))
        set_dates(el, kept, users=ctx.users())
        meta = {k: d[k] for k in META_FIELDS + ("source_file", "source_format")}
        extra = d.get("extra")
        extra = json.loads(extra) if isinstance(extra, str) else (extra or {})
        if extra:
            meta["extra"] = extra
        etree.SubElement(el, q("Description")).text = join_description(
            kept.get("Description"), meta)
        ctx.files[f"Sources/{guid}.txt"] = d["text"].encode("utf-8")
        side_codings: dict[str, dict] = {}
        # selections: another tool's own, then one per remaining coded span
        stored = {s["guid"].lower(): s for s in sels_by_doc.get(d["id"], [])}
        groups: dict[str, dict] = {}
        for s in sels_by_doc.get(d["id"], []):
            groups[s["guid"].lower()] = dict(sel=s, codings=[])
        for k in codings_by_doc.get(d["id"], []):
            sk = (k["selection_guid"] or "").lower()
            if sk in stored and (stored[sk]["start"], stored[sk]["end"]) == (k["start"], k["end"]):
                groups[sk]["codings"].append(k)
                continue
            g = ctx.derived("selection", f"{guid}/{k['start']}/{k['end']}")
            groups.setdefault(g, dict(sel=dict(guid=g, start=k["start"], end=k["end"],
                                               name=None, description=None, coder=k["coder"],
                                               created_at=k["created_at"], notes=[]),
                                      codings=[]))["codings"].append(k)
        for gk, grp in sorted(groups.items(), key=lambda kv: (kv[1]["sel"]["start"],
                                                            kv[1]["sel"]["end"], kv[0])):
            s = grp["sel"]
            sel = etree.SubElement(el, q("PlainTextSelection"), guid=s["guid"],
                                   name=s["name"] or d["text"][s["start"]:min(s["end"], s["start"]
                                                                              + 60)].replace("\n", " "),
                                   startPosition=str(s["start"]), endPosition=str(s["end"]))
            if s["coder"] in ctx.user_guid:
                sel.set("creatingUser", ctx.user_guid[s["coder"]])
            if stamp(s["created_at"]):
                sel.set("creationDateTime", stamp(s["created_at"]))
            set_dates(sel, sel_fields.get(gk, {}), users=ctx.users())
            if s["description"]:
                etree.SubElement(sel, q("Description")).text = s["description"]
            for k in grp["codings"]:
                ce = etree.SubElement(sel, q("Coding"), guid=k["guid"])
                if k["coder"] in ctx.user_guid:
                    ce.set("creatingUser", ctx.user_guid[k["coder"]])
                if stamp(k["created_at"]):
                    ce.set("creationDateTime", stamp(k["created_at"]))
                etree.SubElement(ce, q("CodeRef"), targetGUID=ctx.code_guid[k["code_id"]])
                for ng in ctx.memo_on.get(("coding", str(k["id"])), []):
                    if ng.lower() not in placed:
                        etree.SubElement(ce, q("NoteRef"), targetGUID=ng)
                if k["origin"] != "imported" or k["rule"]:
                    side_codings[k["guid"].lower()] = {"origin": k["origin"], "rule": k["rule"]}
                ctx.exported_guids.add(k["guid"].lower())
                n_codings += 1
            for nk in s["notes"]:
                if nk.lower() in memo_by_key:
                    etree.SubElement(sel, q("NoteRef"), targetGUID=memo_by_key[nk.lower()])
            written[s["guid"].lower()] = s["guid"]
            ctx.exported_guids.add(s["guid"].lower())
        for ng in ctx.memo_on.get(("document", str(d["id"])), []):
            if ng.lower() not in placed:
                etree.SubElement(el, q("NoteRef"), targetGUID=ng)
        for r in field_values.get(d["id"], []):
            key = "doc:" + r["field"]
            if key in ctx.var_guid:
                vv = etree.SubElement(el, q("VariableValue"))
                etree.SubElement(vv, q("VariableRef"), targetGUID=ctx.var_guid[key])
                variables.value_element(vv, types[key], r["value"], r["num"])
        segments = store.export_segments(d["id"])
        for s in segments:
            s.pop("document_id", None)
        ctx.files[f"{SIDECAR_DIR}/{guid.lower()}.json"] = json.dumps(
            {"text_hash": text_hash(d["text"]), "segments": segments, "codings": side_codings},
            ensure_ascii=False).encode("utf-8")
        ctx.exported_guids.add(guid.lower())
        ctx.step(i + 1, len(docs), d["name"])
    ctx.summary["codings"] = n_codings
    return written


# --------------------------------------------------------------------------- import
def source_hash(src: dict) -> str:
    """A source's :func:`~workbench.identity.text_hash`, computed once per import
    (before the lock, by :func:`preindex`)."""
    digest = src.get("text_hash")
    if digest is None:
        digest = src["text_hash"] = text_hash(src["text"])
    return digest


def _word_count(src: dict, segments: list | None = None) -> int:
    """A source's word count (the words of its turns: :mod:`workbench.words`), computed
    once (before the lock for a new source)."""
    n = src.get("word_count")
    if n is None:
        if segments is None:
            segments = src["segments"] if src["segments"] is not None else \
                detect_segments(src["text"], src["name"])
        n = src["word_count"] = turn_word_count(src["text"], segments)
    return n


def _document_fields(ctx: ImportCtx, src: dict, name: str, *, counted: bool = True) -> dict:
    """A new document's row from a source (``counted=False``: without its word count,
    for comparing a matched document's metadata)."""
    meta = src["meta"]
    actor = meta.get("actor_type")
    if actor and actor not in ACTOR_TYPES:
        ctx.report.warn(_("source {name!r}: unknown actor type {actor!r} ignored").format(
            name=name, actor=actor))
        actor = None
    extra = dict(meta.get("extra") or {}) if isinstance(meta.get("extra"), dict) else {}
    if ctx.content.origin and not meta:
        extra.setdefault("refi_origin", ctx.content.origin)
    return dict(
        guid=src["guid"], name=name, text=src["text"], programme=meta.get("programme"),
        actor_type=actor, interview_date=meta.get("interview_date"),
        interviewer=meta.get("interviewer"), site=meta.get("site"),
        wave=_wave(ctx, meta.get("wave")),
        language=meta.get("language") or "fr",
        source_file=meta.get("source_file") or ctx.file_name,
        source_format=meta.get("source_format") or "qdpx", source_hash=None,
        encoding="utf-8", word_count=_word_count(src) if counted else None,
        text_hash=source_hash(src),
        extra=extra)


def _wave(ctx: ImportCtx, name) -> str | None:
    """A source's wave as the project spells it (a new one is added after the others)."""
    if not name or not str(name).strip():
        return None
    known = {w.casefold(): w for w in ctx.store.wave_names()}
    return known.get(str(name).strip().casefold(), str(name).strip())


def _doc_values(ctx: ImportCtx, src: dict, item: str) -> dict[str, tuple]:
    """Typed document-field values of a source ({field: (text, number)})."""
    out = {}
    for var_key, tag, text in src["values"]:
        attr = ctx.attributes.get(var_key)
        if attr is None or not attr.get("document"):
            ctx.report.warn(_("source {name!r}: a value of an unknown variable is not "
                              "imported").format(name=src["name"]))
            continue
        try:
            typed = variables.coerce(attr, tag, text)
        except ValueError as exc:
            ctx.conflict(f"document:{src['key']}:{attr['name']}", "document", item,
                         attr["name"], None, text, choices=("ours",), reason=str(exc))
            continue
        if typed[0] is not None:
            out[attr["name"]] = typed
    return out


def _match_metadata(ctx: ImportCtx, src: dict, did: int, row: dict,
                    known: "_Known | None" = None) -> None:
    """A matched document keeps its metadata; each value the file has differently is a
    conflict (``theirs`` takes the file's), a blank one is filled."""
    fields = _document_fields(ctx, src, row["name"], counted=False)
    changes, extra_changed = {}, False
    extra = dict(row["extra"])
    cid = f"document:{guid_key(row['guid']) or src['key']}"
    for f in META_FIELDS:
        mine, theirs = row[f] or None, fields[f] or None
        if f == "language" and not src["meta"]:
            continue                     # another tool's source says nothing about it
        if theirs is None or mine == theirs:
            continue
        if mine is None:
            changes[f] = theirs
            continue
        if ctx.conflict(f"{cid}:{f}", "document", row["name"], f, mine, theirs) == "theirs":
            changes[f] = theirs
    for k, theirs in fields["extra"].items():
        if k == "refi_origin":
            continue
        mine = extra.get(k)
        if mine in (None, "") and theirs not in (None, ""):
            extra[k], extra_changed = theirs, True
        elif theirs not in (None, "") and str(mine) != str(theirs):
            if ctx.conflict(f"{cid}:{k}", "document", row["name"], k, mine, theirs) == "theirs":
                extra[k], extra_changed = theirs, True
    if changes:
        ctx.store.update_document(did, changes, coder=ctx.coder)
    if extra_changed:
        ctx.store.set_document_extra(did, extra)
    mine_fields = known.values[did] if known is not None and did in known.values else \
        ctx.store.field_values_of("document", did)
    write = []
    for name, theirs in _doc_values(ctx, src, row["name"]).items():
        mine = mine_fields.get(name)
        if mine is None or mine[0] is None:
            write.append((did, name, *theirs))
        elif not variables.same_value(mine, theirs):
            if ctx.conflict(f"{cid}:{name}", "document", row["name"], name, mine[0],
                            theirs[0]) == "theirs":
                write.append((did, name, *theirs))
    if write:
        with ctx.store.transaction() as c:
            ctx.store.write_field_values(c, "document", write)


def _codings_of(src: dict) -> list[dict]:
    return [k for sel in src["selections"] for k in sel["codings"]] + src["codings"]


_NONE_INT = -(1 << 62)


def _pack(segments: list[dict]) -> tuple:
    """Segments as columns (integers and floats in arrays, repeated strings shared): a
    few dozen bytes a segment instead of a dict's several hundred, for every new source
    of an import held until its turn to be written."""
    from array import array
    import sys as _sys
    keys = list(dict.fromkeys(k for seg in segments[:1] for k in seg))
    columns = []
    for k in keys:
        values = [seg.get(k) for seg in segments]
        if all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
            columns.append(("i", array("q", (_NONE_INT if v is None else v for v in values))))
        elif all(v is None or isinstance(v, (int, float)) and not isinstance(v, bool)
                 for v in values):
            columns.append(("f", array("d", (float("nan") if v is None else v for v in values))))
        else:
            columns.append(("o", [_sys.intern(v) if isinstance(v, str) else v for v in values]))
    return keys, columns, len(segments)


def _unpack(packed: tuple) -> list[dict]:
    keys, columns, n = packed
    cols = []
    for kind, col in columns:
        if kind == "i":
            cols.append([None if v == _NONE_INT else v for v in col])
        elif kind == "f":
            cols.append([None if v != v else v for v in col])
        else:
            cols.append(col)
    return [dict(zip(keys, row)) for row in zip(*cols)] if keys else [{} for _row in range(n)]


def preindex(ctx: ImportCtx, batch=None) -> None:
    """Before the import's transaction, what needs no lock: the segments of every source
    that will be new (no document with its GUID or its text), indexed for search by
    ``batch`` in short transactions (no batch: a preview, nothing written), so that the
    transaction itself writes rows, not the index; each source's text hash and a new
    one's word count; and for a source that
    matches a project document, the position map between the two texts
    (:class:`SpanMapper`: for an edited text, the comparison of the two), which
    :func:`merge` takes if that document still has the same text when the lock is
    held.  Which sources are new is decided by the one matcher
    (:class:`DocumentIndex`), as in :func:`merge`; one a choice leaves out leaves its
    rows unused (the batch removes them)."""
    from workbench.exchange.matching import DocumentIndex, SpanMapper
    from workbench.store.documents import index_text
    sources = ctx.content.sources
    index = DocumentIndex(ctx.store, [s["guid"] for s in sources])
    ctx.known = _read_known(ctx.store, sources, index, check=True)
    for src in sources:
        did = index.match(src["key"], src["text"], src["name"], source_hash(src)).id
        if did is not None:
            target_hash = index.rows[did]["text_hash"]
            mapper = SpanMapper(src["text"], ctx.store.document_text(did),
                                source_hash=source_hash(src), target_hash=target_hash)
            mapper.prepare()
            ctx.mappers[src["key"]] = (did, target_hash, mapper)
            continue
        segments = src["segments"] if src["segments"] is not None else \
            detect_segments(src["text"], src["name"])
        _word_count(src, segments)
        if batch is None:
            ctx.preindexed[src["key"]] = (_pack(segments), None)
            continue
        # each turn's words, as the index holds them (from body_start: no label, no time)
        ids = batch.preindex([index_text(src["text"], s["start"] if s.get("body_start") is None
                                         else s["body_start"], s["end"]) for s in segments])
        ctx.preindexed[src["key"]] = (_pack(segments), ids)
    if batch is not None:
        batch.flush()


def merge(ctx: ImportCtx) -> None:
    """Each source is matched to a project document by GUID, then by text hash
    (:class:`workbench.exchange.matching.DocumentIndex`); positions are mapped between
    the two copies (:class:`~workbench.exchange.matching.SpanMapper`).  A source with a
    document's GUID and another text is a conflict: ``ours`` keeps our text and places
    its codings where their text is unchanged, ``skip`` leaves them out.  A new source
    whose name another text holds is a conflict: ``add`` (as "name (2)") or ``skip``."""
    from workbench.exchange.conflicts import ADD, OURS, SKIP
    from workbench.exchange.matching import DocumentIndex, SpanMapper
    store = ctx.store
    sources = ctx.content.sources
    index = DocumentIndex(store, [s["guid"] for s in sources])
    # what the matching reads about codings and selections: read before the lock
    # (preindex) if nothing of them changed since, else now
    known = ctx.known
    if known is None or known.matched != _matched(sources, index) or \
            known.version != store.codings_version():
        known = _read_known(store, sources, index)
    ctx.known = None
    coding_owner = known.coding_owner
    known.values = store.field_values_of_many("document", known.matched)
    known.kept = store.exchange_fields_of(
        "source", [index.rows[d]["guid"] for d in known.matched] + [s["guid"] for s in sources])
    for si, src in enumerate(sources):
        found = index.match(src["key"], src["text"], src["name"], source_hash(src))
        did = found.id
        if found.text_differs:
            row = index.rows[did]
            choice = ctx.conflict(
                f"document:{guid_key(row['guid'])}", "document", row["name"], "text",
                _("(project text)"), _("(another text: {hash}…)").format(
                    hash=source_hash(src)[:8]), choices=(OURS, SKIP),
                description=_("document text differs on the two sides"))
            if choice == SKIP:
                _skip_source(ctx, src)
                continue
        if found.by == "text":
            holders = index.holders(src["text"], source_hash(src))
            if index.rows[did]["name"] != src["name"]:
                ctx.report.warn(_("source {name!r} is the transcript of document {doc!r} "
                                  "(same text): linked to it").format(
                    name=src["name"], doc=index.rows[did]["name"]))
            if len(holders) > 1:
                ctx.report.warn(_("source {name!r}: {n} project documents hold this text; "
                                  "linked to {doc!r}").format(name=src["name"], n=len(holders),
                                                             doc=index.rows[did]["name"]))
        if did is not None:
            ctx.report.matched["documents"] += 1
            row = index.rows[did]
            ready = ctx.mappers.pop(src["key"], None)    # made before the lock
            if ready is not None and ready[:2] == (did, row["text_hash"]):
                ctx.doc_map[src["key"]] = ready[2]
            else:                    # (another document, or its text changed meanwhile)
                ctx.doc_map[src["key"]] = SpanMapper(src["text"], store.document_text(did),
                                                     source_hash=source_hash(src),
                                                     target_hash=row["text_hash"])
            _match_metadata(ctx, src, did, row, known)
            ctx.doc_name[src["key"]] = row["name"]
            ctx.doc_guid[src["key"]] = row["guid"]
        else:
            name = src["name"]
            if name in index.names:
                choice = ctx.conflict(f"name:{src['key']}", "document", name, "name", name,
                                      name, choices=(ADD, SKIP), default=ADD,
                                      description=_("another document already has this name"))
                if choice == SKIP:
                    _skip_source(ctx, src)
                    continue
                name = index.free_name(name)
                ctx.report.warn(_("source {name!r} imported as {new!r} (name taken by another "
                                  "text)").format(name=src["name"], new=name))
            did, fields = _insert_source(ctx, src, name)
            known.codings[did], known.selections[did] = [], {}     # (nothing on it yet)
            index.add(did, src["key"], dict(id=did, name=name, guid=src["guid"],
                                            text_hash=source_hash(src),
                                            extra=fields["extra"],
                                            **{f: fields[f] for f in META_FIELDS}))
            ctx.report.add("documents", name)
            ctx.doc_map[src["key"]] = SpanMapper(src["text"], src["text"])
            ctx.doc_name[src["key"]] = name
            ctx.doc_guid[src["key"]] = src["guid"]
        ctx.doc_ids[src["key"]] = did
        ctx.report.map("document", src["key"], did)
        data = dict(src["fields"])
        if src["description"]:
            data["Description"] = src["description"]
        gkey = guid_key(ctx.doc_guid[src["key"]]) or ctx.doc_guid[src["key"]]
        kept = known.kept.get(gkey, {})
        store.set_exchange_fields("source", gkey, data, kept=kept)
        known.kept[gkey] = {**kept, **{k: v for k, v in data.items() if v not in (None, "")}}
        _merge_codings(ctx, src, did, coding_owner, known)
        ctx.step(si + 1, len(sources), ctx.doc_name[src["key"]])
    _write_codings(ctx, known, coding_owner)


def _write_codings(ctx: ImportCtx, known: "_Known", coding_owner: dict) -> None:
    """Every source's new codings in one statement (their ids given: no read back), and
    the ids of those a file coding matched before they were written."""
    rows = known.pending
    if not rows:
        return
    ids = ctx.store.exchange_insert_many("codings", rows)
    for row, i in zip(rows, ids or ()):
        row["id"] = i
        key = row["guid"].lower()
        ctx.coding_ids[key] = i
        coding_owner[key]["id"] = i
    for key, value in ctx.coding_ids.items():
        if isinstance(value, dict):                    # matched a coding of this import
            ctx.coding_ids[key] = value.get("id")
    known.pending = []


def _skip_source(ctx: ImportCtx, src: dict) -> None:
    """A source left out by a choice, with its codings (and what is attached to them)."""
    ctx.skip("document", src["key"])
    for k in _codings_of(src):
        ctx.skip("coding", k["key"])
    ctx.report.skipped_codings += len(_codings_of(src))


def _insert_source(ctx: ImportCtx, src: dict, name: str) -> tuple[int, dict]:
    """A new document: the file's GUID and text, its turns (a Workbench sidecar's or
    detected), typed fields, and links to participants the project knows."""
    store = ctx.store
    fields = _document_fields(ctx, src, name)
    if src.get("private"):
        fields["private"] = 1
    typed = _doc_values(ctx, src, name)
    if ctx.coder and ctx.coder in ctx.coder_ids:
        fields["imported_by"] = ctx.coder_ids[ctx.coder]
    ready = ctx.preindexed.pop(src["key"], None)      # indexed for search before the lock
    if ready:
        segments = _unpack(ready[0])
    else:
        segments = src["segments"] if src["segments"] is not None else \
            detect_segments(src["text"], name)
    links = [(pid, speaker) for pid, speaker in src.get("links", ())
             if not store.unknown_participants([pid])]
    ids = ready[1] if ready else None
    if ids is None and ctx.report.dry_run:
        # a preview, rolled back: its turns need no search index (tokenising 500
        # interviews would hold the lock for seconds)
        ids = store.free_segment_ids(len(segments))
    did = store.insert_document(fields, segments, links, coder=ctx.coder,
                                typed_fields=([], typed, []) if typed else None,
                                segment_ids=ids)
    return did, fields


def _describe(ctx: ImportCtx, code_id: int, coder_id: int, start: int, end: int) -> str:
    paths = getattr(ctx, "_paths", None)
    if paths is None:
        paths = ctx._paths = ctx.project.code_paths()
    coders = {i: n for n, i in ctx.coder_ids.items()}
    return f"{paths.get(code_id, code_id)} · {coders.get(coder_id, coder_id)} [{start}–{end}]"


@dataclass
class _Known:
    """What the project holds that :func:`_merge_codings` matches against, read for all
    sources at once: codings and selections of the documents matched when the step
    began (by document id), and the documents holding each selection GUID of the file
    (kept current as selections are added)."""

    codings: dict[int, list[tuple]]
    selections: dict[int, dict[str, dict]]
    owners: dict[str, int]
    #: the file's coding GUID keys the project holds -> that coding (codings_by_guid)
    coding_owner: dict[str, dict] = field(default_factory=dict)
    #: the new codings of every source, written in one statement after the last one
    pending: list[dict] = field(default_factory=list)
    #: the documents matched when it was read, and the fingerprint of the codings and
    #: selections then (:meth:`~workbench.store.exchange_import.ExchangeImportStore.codings_version`)
    matched: set = field(default_factory=set)
    version: tuple | None = None
    #: typed field values of the matched documents, by document id
    values: dict = field(default_factory=dict)
    #: another tool's attributes kept for sources, by GUID key (current as written)
    kept: dict[str, dict] = field(default_factory=dict)

    def codings_of(self, store, did: int) -> list[tuple]:
        if did not in self.codings:     # a document this import added (or matched since)
            self.codings.update(store.codings_for_match([did]))
        return self.codings[did]

    def selections_of(self, store, did: int) -> dict[str, dict]:
        if did not in self.selections:
            self.selections.update(store.selection_keys([did]))
        return self.selections[did]


def _matched(sources: list[dict], index) -> set[int]:
    """The project documents that the file's sources match."""
    return {index.match(src["key"], src["text"], src["name"], source_hash(src)).id
            for src in sources} - {None}


def _read_known(store, sources: list[dict], index, *, check: bool = False) -> _Known | None:
    """What :func:`merge` matches the file's codings and selections against, read in a
    few queries for all sources.  ``check`` (before the lock): with the fingerprint of
    codings and selections taken before and after, None if they changed meanwhile."""
    version = store.codings_version() if check else None
    matched = _matched(sources, index)
    held = store.selection_keys(matched)
    stored = {k for sels in held.values() for k in sels}
    known = _Known(store.codings_for_match(matched), held,
                   store.selection_owners(sel["key"] for src in sources
                                          for sel in src["selections"]
                                          if sel["key"] not in stored),
                   coding_owner=store.codings_by_guid(
                       k["key"] for s in sources for k in _codings_of(s)),
                   matched=matched, version=version)
    if check and store.codings_version() != version:
        return None
    return known


def _merge_codings(ctx: ImportCtx, src: dict, did: int, coding_owner: dict,
                   known: _Known) -> None:
    """Codings match by GUID, then by content (code, coder, span) in their document
    (:func:`workbench.exchange.matching.coding_content`).  A coding matched by GUID with
    another span, code or coder was changed on one side; one the project deleted is a
    conflict (``theirs`` brings it back)."""
    from workbench.exchange.conflicts import OURS, THEIRS
    from workbench.exchange.matching import coding_content
    store = ctx.store
    report = ctx.report
    mapper = ctx.doc_map[src["key"]]
    edited = not mapper.same_text
    existing = {coding_content(code_id, coder_id, start, end): kid_
                for kid_, code_id, coder_id, start, end in known.codings_of(store, did)}
    known_sels = known.selections_of(store, did)
    deleted = ctx.tombstones.get("coding", set())
    held = known.codings_of(store, did)
    doc_name = ctx.doc_name[src["key"]]

    def one(k: dict, span, sel_key: str | None) -> None:
        if k["code_key"] not in ctx.code_ids:           # its code was left out
            report.skipped_codings += 1
            ctx.skip("coding", k["key"])
            return
        if span is None:                                 # its text is not in ours
            report.not_placed += 1
            ctx.skip("coding", k["key"])
            return
        s, e = span
        if edited and (s, e) != (k["start"], k["end"]):
            report.remapped += 1
        code_id = ctx.code_ids[k["code_key"]]
        coder_id = ctx.coder_id(k["user"])
        owner = coding_owner.get(k["key"])
        if owner is not None:
            report.matched["codings"] += 1
            ctx.coding_ids[k["key"]] = owner["id"]
            mine = (owner["document_id"], owner["code_id"], owner["coder_id"], owner["start"],
                    owner["end"])
            if owner["id"] is not None and mine != (did, code_id, coder_id, s, e):
                ours = _describe(ctx, *mine[1:])
                theirs = _describe(ctx, code_id, coder_id, s, e)
                if owner["document_id"] != did:
                    ctx.conflict(f"coding:{k['key']}", "coding", doc_name, "document", ours,
                                 theirs, choices=(OURS,),
                                 reason=_("this coding GUID belongs to another document"))
                elif ctx.conflict(f"coding:{k['key']}", "coding", doc_name,
                                  _("span, code or coder"), ours, theirs,
                                  choices=(OURS, THEIRS),
                                  description=_("coding changed on one side")) == THEIRS:
                    store.exchange_update("codings", owner["id"], dict(
                        code_id=code_id, coder_id=coder_id, start=s, end=e))
                    report.modified["codings"] += 1
            return
        restoring = k["key"] in deleted
        if restoring:
            if ctx.conflict(f"coding:{k['key']}", "coding", doc_name, "deleted", _("deleted"),
                            _describe(ctx, code_id, coder_id, s, e), choices=(OURS, THEIRS),
                            description=_("coding deleted here, still in theirs")) != THEIRS:
                ctx.skip("coding", k["key"])
                return
        same = existing.get(coding_content(code_id, coder_id, s, e))
        if same is not None:          # (an id, or a row of this import not written yet)
            report.matched["codings"] += 1
            ctx.coding_ids[k["key"]] = same
            return
        row = dict(document_id=did, code_id=code_id, start=s, end=e, coder_id=coder_id,
                   origin=k["origin"], status=k.get("status") or "accepted",
                   rule=k["rule"], guid=k["guid"], selection_guid=sel_key,
                   created_at=k["created_at"] or ctx.stamp)
        known.pending.append(row)         # written with every source's, after the last
        held.append((row, code_id, coder_id, s, e))
        if restoring:
            report.restored["codings"] += 1
        else:
            report.new["codings"] += 1
        existing[coding_content(code_id, coder_id, s, e)] = row
        coding_owner[k["key"]] = dict(id=None, document_id=did, code_id=code_id,
                                      coder_id=coder_id, start=s, end=e)

    owners = known.owners
    new_sels: list[dict] = []
    for sel in src["selections"]:
        span = mapper(sel["start"], sel["end"])
        if span is None:
            for k in sel["codings"]:
                one(k, None, None)
            continue
        s, e = span
        own = ctx.derived_selection(ctx.doc_guid[src["key"]], s, e)
        if sel["key"] in known_sels or sel["key"] == own:
            # stored, or the GUID this project's exports derive for the span: nothing to keep
            report.matched["selections"] += 1
        elif sel["key"] in owners:
            ctx.conflict(f"selection:{sel['key']}", "selection", sel["guid"], "document", None,
                         src["name"], choices=(OURS,),
                         reason=_("this selection GUID belongs to another document"))
            continue
        else:
            new_sels.append(dict(
                guid=sel["guid"], document_id=did, start=s, end=e, name=sel["name"],
                description=sel["description"],
                coder_id=ctx.coder_id(sel["user"]) if sel["user"] else None,
                created_at=sel["created_at"], notes="[]"))
            known_sels[sel["key"]] = dict(guid=sel["guid"], document_id=did, start=s, end=e,
                                          notes="[]")
            owners[sel["key"]] = did
            report.new["selections"] += 1
            if sel["fields"]:
                store.set_exchange_fields("selection", sel["guid"], sel["fields"])
        ctx.selection_guid[sel["key"]] = sel["key"]
        for k in sel["codings"]:
            one(k, span, sel["key"])
    for k in src["codings"]:
        one(k, mapper(k["start"], k["end"]), None)
    if new_sels:                                   # one statement for the document's new spans
        store.exchange_insert_many("selections", new_sels)
