"""REFI-QDA project exchange (``.qdpx``: a zip with ``project.qde`` and ``Sources/``).

Export writes every non-private document as a ``TextSource`` (UTF-8 plain text in
``Sources/<guid>.txt``), codes with hierarchy, colours and descriptions (the
:mod:`workbench.codebook.qdc` conventions), codings as ``PlainTextSelection`` /
``Coding`` / ``CodeRef``, coders as ``User``s, memos as ``Note``s, participants as
``Case``s with ``Variable`` values, and evaluation questions as ``Set``s of codes.
The result validates against ``Project.xsd`` (QDA-XML 1.0).

Import is all or nothing: the archive is checked (zip bomb, entities, missing
sources, selections outside the text) and parsed completely before one store
transaction writes it.  Vendor quirks tolerated: any ``*.qde`` name (ATLAS.ti
``Trial.qde``), other ``urn:QDA-XML`` namespace spellings, BOM and CRLF in source
texts, NVivo positions counted in UTF-16 code units, colours without ``#``,
``/`` in code names, duplicate sibling names, GUIDs in braces or upper case.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import io
import json
import re
import unicodedata
import uuid
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Callable

from lxml import etree

from workbench.codebook.model import CodeDef, SIDES, name_key
from workbench.codebook.qdc import (WORKBENCH_NS, code_guid, format_description,
                                    parse_description)
# the evaluation-question Set conventions of the .qdc exchange (same module family)
from workbench.codebook.qdc import _SET_FIELDS, _SET_MARK, _SET_NAME_RE  # noqa: PLC2701
from workbench.codebook.yaml_format import normalise_guid
from workbench.domain import ACTOR_TYPES, ValidationError, WorkbenchError
from workbench.values import parse_bool, parse_date, parse_number

NS = "urn:QDA-XML:project:1.0"
ORIGIN = "Workbench 0.1"
XSD_PATH = Path(__file__).with_name("Project.xsd")
_META_PREFIX = "Workbench : "
MAX_ENTRIES = 100_000
MAX_TOTAL_BYTES = 2 * 1024 ** 3          # uncompressed
MAX_RATIO = 200                          # uncompressed / compressed, for members > 1 MB
ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]


class QdpxError(ValidationError):
    """A .qdpx that cannot be imported; nothing was imported."""

    title = "REFI-QDA import failed"


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _stamp(value: str | None) -> str | None:
    """An xsd:dateTime from our ISO timestamps (UTC, no fraction)."""
    if not value:
        return None
    try:
        t = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _meta_line(data: dict) -> str:
    return _META_PREFIX + json.dumps({k: v for k, v in data.items() if v not in (None, "", [], {})},
                                     ensure_ascii=False, sort_keys=True)


def _read_meta(text: str | None) -> dict:
    for line in (text or "").splitlines():
        if line.startswith(_META_PREFIX):
            try:
                value = json.loads(line[len(_META_PREFIX):])
                return value if isinstance(value, dict) else {}
            except json.JSONDecodeError:
                return {}
    return {}


# =============================================================================
# export
# =============================================================================
def _noop(*_a) -> None:
    return None


def build_qde(project, *, progress: ProgressFn | None = None,
              cancelled: CancelledFn | None = None) -> tuple[bytes, dict[str, str], dict]:
    """The ``project.qde`` XML and the source files (zip name -> text)."""
    store = project.store
    step = progress or _noop
    stop = cancelled or (lambda: False)
    seed = f"{store.get_meta('created_at') or ''}/{project.name}"

    def derived(kind: str, local) -> str:
        return str(uuid.uuid5(WORKBENCH_NS, f"{seed}/{kind}/{local}"))

    def stored(kind: str) -> dict[str, str]:
        return store.exchange_guids(kind)

    root = etree.Element(_q("Project"), nsmap={None: NS, "xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    root.set("name", project.name)
    root.set("origin", ORIGIN)
    root.set("creationDateTime", _stamp(store.get_meta("created_at")) or _stamp(_now()))
    root.set("modifiedDateTime", _stamp(_now()))

    # users ---------------------------------------------------------------------
    coder_guid: dict[str, str] = {}
    known = stored("coder")
    coders = store.list_coders()
    for c in coders:
        coder_guid[c["name"]] = known.get(str(c["id"])) or derived("coder", c["name"])
    if coder_guid:
        users = etree.SubElement(root, _q("Users"))
        for name, guid in coder_guid.items():
            etree.SubElement(users, _q("User"), guid=guid, name=name)
    if project.coder in coder_guid:
        root.set("creatingUserGUID", coder_guid[project.coder])

    # codes -----------------------------------------------------------------------
    codes = code_tree(store.codes())
    paths = project.code_paths()
    code_el: dict[int, etree._Element] = {}
    code_guid_by_id: dict[int, str] = {}
    used: set[str] = set()
    if codes:
        book = etree.SubElement(root, _q("CodeBook"))
        codes_el = etree.SubElement(book, _q("Codes"))
        for r in codes:
            r["path"] = paths[r["id"]]
            guid = r["guid"] or code_guid("projet", r["path"])
            if guid in used:
                guid = code_guid("projet", r["path"])
            used.add(guid)
            code_guid_by_id[r["id"]] = guid
            parent = r["parent_id"]
            holder = codes_el if parent is None else code_el[parent]
            el = etree.SubElement(holder, _q("Code"), guid=guid, name=r["name"], isCodable="true")
            if r["colour"]:
                el.set("color", r["colour"])
            cd = CodeDef(name=r["name"], short=r["short"] or "", definition=r["definition"] or "",
                         when_to_use=r["when_to_use"] or "",
                         when_not_to_use=r["when_not_to_use"] or "", example=r["example"] or "",
                         questions=tuple(q for q in (r["questions"] or "").split(";") if q))
            description = format_description(cd)
            if description:
                etree.SubElement(el, _q("Description")).text = description
            code_el[r["id"]] = el

    # variables and cases ---------------------------------------------------------
    attrs = store.export_attributes()
    var_guid: dict[str, str] = {}
    known = stored("attribute")
    types = {"nominal": "Text", "ordinal": "Text", "numeric": "Float", "date": "Date",
             "boolean": "Boolean"}
    if attrs:
        variables = etree.SubElement(root, _q("Variables"))
        for a in attrs:
            var_guid[a["name"]] = known.get(a["name"]) or derived("attribute", a["name"])
            el = etree.SubElement(variables, _q("Variable"), guid=var_guid[a["name"]],
                                  name=a["name"], typeOfVariable=types[a["type"]])
            etree.SubElement(el, _q("Description")).text = _meta_line(
                {"type": a["type"], "levels": json.loads(a["levels"] or "[]")})
    attr_type = {a["name"]: a["type"] for a in attrs}
    documents = store.export_documents()
    doc_guid: dict[int, str] = {}
    for d in documents:
        doc_guid[d["id"]] = d["guid"]
    values = defaultdict(list)
    for v in store.export_participant_values():
        values[v["participant_id"]].append(v)
    links = defaultdict(list)
    for link in store.export_participant_links():
        links[link["participant_id"]].append(link)
    pids = sorted(store.participant_ids())
    case_guid: dict[str, str] = {}
    known = stored("participant")
    if pids:
        cases = etree.SubElement(root, _q("Cases"))
        for pid in pids:
            case_guid[pid] = known.get(pid) or derived("participant", pid)
            el = etree.SubElement(cases, _q("Case"), guid=case_guid[pid], name=pid)
            speakers = {doc_guid[lk["document_id"]]: lk["speaker"] for lk in links[pid]
                        if lk["speaker"]}
            if speakers:
                etree.SubElement(el, _q("Description")).text = _meta_line({"speakers": speakers})
            for v in values[pid]:
                vv = etree.SubElement(el, _q("VariableValue"))
                etree.SubElement(vv, _q("VariableRef"), targetGUID=var_guid[v["attribute"]])
                _value_element(vv, attr_type[v["attribute"]], v["value"], v["num"])
            for d_id in dict.fromkeys(lk["document_id"] for lk in links[pid]):
                etree.SubElement(el, _q("SourceRef"), targetGUID=doc_guid[d_id])

    # memos (built first: sources, codes and codings point at them) ----------------
    memos = store.export_memos()
    memo_guid: dict[int, str] = {}
    for m in memos:
        memo_guid[m["id"]] = m["guid"]
    memo_on: dict[tuple[str, str], list[str]] = defaultdict(list)
    for m in memos:
        memo_on[(m["target_type"], m["target_id"] or "")].append(memo_guid[m["id"]])

    for cid, el in code_el.items():
        _note_refs(el, memo_on.get(("code", str(cid)), []), before_tag="Code")

    # sources -----------------------------------------------------------------------
    files: dict[str, str] = {}
    codings_by_doc = defaultdict(list)
    for k in store.export_codings():
        codings_by_doc[k["document_id"]].append(k)
    if documents:
        sources = etree.SubElement(root, _q("Sources"))
        for i, d in enumerate(documents):
            if stop():
                raise WorkbenchError("export cancelled")
            guid = doc_guid[d["id"]]
            el = etree.SubElement(sources, _q("TextSource"), guid=guid, name=d["name"],
                                  plainTextPath=f"internal://{guid}.txt")
            created = _stamp(d["imported_at"])
            if created:
                el.set("creationDateTime", created)
            meta = {k: d[k] for k in ("programme", "actor_type", "interview_date", "interviewer",
                                      "site", "language", "source_file", "source_format")}
            etree.SubElement(el, _q("Description")).text = _meta_line(meta)
            files[f"Sources/{guid}.txt"] = d["text"]
            spans: dict[tuple[int, int], list[dict]] = defaultdict(list)
            for k in codings_by_doc.get(d["id"], []):
                spans[(k["start"], k["end"])].append(k)
            for (s, e), ks in sorted(spans.items()):
                sel = etree.SubElement(el, _q("PlainTextSelection"),
                                       guid=derived("selection", f"{guid}/{s}/{e}"),
                                       name=d["text"][s:min(e, s + 60)].replace("\n", " "),
                                       startPosition=str(s), endPosition=str(e),
                                       creatingUser=coder_guid[ks[0]["coder"]])
                stamp = _stamp(ks[0]["created_at"])
                if stamp:
                    sel.set("creationDateTime", stamp)
                for k in ks:
                    kg = k["guid"]
                    ce = etree.SubElement(sel, _q("Coding"), guid=kg,
                                          creatingUser=coder_guid[k["coder"]])
                    stamp = _stamp(k["created_at"])
                    if stamp:
                        ce.set("creationDateTime", stamp)
                    etree.SubElement(ce, _q("CodeRef"), targetGUID=code_guid_by_id[k["code_id"]])
                    for ng in memo_on.get(("coding", str(k["id"])), []):
                        etree.SubElement(ce, _q("NoteRef"), targetGUID=ng)
            for ng in memo_on.get(("document", str(d["id"])), []):
                etree.SubElement(el, _q("NoteRef"), targetGUID=ng)
            step(i + 1, len(documents), d["name"])

    # notes -----------------------------------------------------------------------
    seg_pos = store.export_segment_positions()
    if memos:
        notes = etree.SubElement(root, _q("Notes"))
        for m in memos:
            el = etree.SubElement(notes, _q("Note"), guid=memo_guid[m["id"]],
                                  name=m["title"] or "")
            if m["coder"] in coder_guid:
                el.set("creatingUser", coder_guid[m["coder"]])
            stamp = _stamp(m["created_at"])
            if stamp:
                el.set("creationDateTime", stamp)
            target: dict = {"target": m["target_type"]}
            if m["target_type"] in ("participant", "question"):
                target["id"] = m["target_id"]
            elif m["target_type"] == "segment" and m["target_id"]:
                doc_id, pos = seg_pos.get(int(m["target_id"]), (None, None))
                if doc_id in doc_guid:
                    target.update(source=doc_guid[doc_id], position=pos)
            etree.SubElement(el, _q("Description")).text = _meta_line(target)
            etree.SubElement(el, _q("PlainTextContent")).text = m["text"] or ""

    # sets: evaluation questions ---------------------------------------------------
    questions = store.evaluation_questions()
    members = defaultdict(list)
    for cq in store.export_code_questions():
        if cq["code_id"] in code_guid_by_id:
            members[cq["question_id"]].append(code_guid_by_id[cq["code_id"]])
    if questions:
        sets = etree.SubElement(root, _q("Sets"))
        for q in questions:
            el = etree.SubElement(sets, _q("Set"), guid=derived("question", q["id"]),
                                  name=f"{q['id']} — {q['text']}")
            vals = {"programme": q["programme"] or "", "side": q["side"] or "",
                    "source": q["source"] or "", "proposed": "oui" if q["proposed"] else "non"}
            desc = [_SET_MARK] + [f"{label} : {vals[attr]}" for label, attr in _SET_FIELDS]
            etree.SubElement(el, _q("Description")).text = "\n".join(desc)
            for g in members.get(q["id"], []):
                etree.SubElement(el, _q("MemberCode"), targetGUID=g)
    for ng in memo_on.get(("project", ""), []):
        etree.SubElement(root, _q("NoteRef"), targetGUID=ng)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    summary = {"documents": len(documents), "codes": len(code_el),
               "codings": sum(len(v) for v in codings_by_doc.values()), "memos": len(memos),
               "participants": len(pids), "coders": len(coder_guid),
               "excluded_private": store.private_counts()}
    return xml, files, summary


def code_tree(rows: list[dict]) -> list[dict]:
    """Code rows in depth-first tree order (parents before children)."""
    children: dict = defaultdict(list)
    for r in rows:
        children[r["parent_id"]].append(r)
    out: list[dict] = []

    def walk(parent) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r["position"], r["id"])):
            out.append(r)
            walk(r["id"])

    walk(None)
    return out


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


def _note_refs(el, guids: list[str], before_tag: str) -> None:
    """Insert NoteRefs after Description and before the first ``before_tag`` child."""
    if not guids:
        return
    first = next((c for c in el if etree.QName(c).localname == before_tag), None)
    for g in guids:
        ref = etree.Element(_q("NoteRef"), targetGUID=g)
        if first is None:
            el.append(ref)
        else:
            first.addprevious(ref)


def _value_element(parent, type_: str, value: str | None, num: float | None) -> None:
    if type_ == "numeric" and num is not None:
        text = repr(float(num))
        if "e" in text or "inf" in text or "nan" in text:
            etree.SubElement(parent, _q("TextValue")).text = value or ""
            return
        etree.SubElement(parent, _q("FloatValue")).text = text
    elif type_ == "boolean" and num is not None:
        etree.SubElement(parent, _q("BooleanValue")).text = "true" if num else "false"
    elif type_ == "date" and value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        etree.SubElement(parent, _q("DateValue")).text = value
    else:
        etree.SubElement(parent, _q("TextValue")).text = value or ""


def export_qdpx(project, path: str | Path, *, progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> dict:
    """Write the project as a REFI-QDA ``.qdpx`` (private items left out)."""
    path = Path(path)
    xml, files, summary = build_qde(project, progress=progress, cancelled=cancelled)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("project.qde", xml)
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    tmp.replace(path)
    summary["path"] = str(path)
    return summary


def validate_qdpx(path: str | Path, xsd: str | Path | None = None) -> list[str]:
    """Schema errors of the ``project.qde`` inside ``path`` (empty list: valid)."""
    schema = etree.XMLSchema(etree.parse(str(xsd or XSD_PATH)))
    with zipfile.ZipFile(path) as zf:
        doc = etree.fromstring(zf.read(_qde_name(zf)), _parser())
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


# =============================================================================
# import
# =============================================================================
def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=True)


def _qde_name(zf: zipfile.ZipFile) -> str:
    names = [n for n in zf.namelist() if n.lower().endswith(".qde") and "/" not in n.strip("/")]
    if not names:
        raise QdpxError("not a REFI-QDA project: the archive holds no .qde project file")
    return "project.qde" if "project.qde" in names else names[0]


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _kids(el, name: str) -> list:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _kid(el, name: str):
    found = _kids(el, name)
    return found[0] if found else None


def _text_of(el, name: str) -> str:
    k = _kid(el, name)
    return (k.text or "") if k is not None else ""


class _Archive:
    """Guarded reading of the zip: sizes checked before anything is inflated."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise QdpxError(f"{path}: no such file")
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, OSError) as exc:
            raise QdpxError(f"{path.name}: not a valid .qdpx (damaged or not a zip archive: "
                            f"{exc})") from None
        if len(infos) > MAX_ENTRIES:
            raise QdpxError(f"{path.name}: too many files in the archive ({len(infos)})")
        total = sum(i.file_size for i in infos)
        if total > MAX_TOTAL_BYTES:
            raise QdpxError(f"{path.name}: refused, it would inflate to {total / 1e9:.1f} GB "
                            "(possible zip bomb)")
        for i in infos:
            if i.file_size > 1_000_000 and i.file_size > MAX_RATIO * max(i.compress_size, 1):
                raise QdpxError(f"{path.name}: refused, {i.filename} is compressed "
                                f"{i.file_size // max(i.compress_size, 1)}:1 (possible zip bomb)")
        self.names = {i.filename: i for i in infos}
        self.lower = {n.lower(): n for n in self.names}
        self.path = path

    def read(self, name: str) -> bytes:
        info = self.names[name]
        try:
            with self.zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
            raise QdpxError(f"{self.path.name}: damaged archive member {name}: {exc}") from None
        except RuntimeError as exc:   # encrypted
            raise QdpxError(f"{self.path.name}: cannot read {name}: {exc}") from None
        if len(data) > info.file_size:
            raise QdpxError(f"{self.path.name}: {name} is larger than declared (possible zip bomb)")
        return data

    def find_source(self, ref: str) -> str | None:
        """The archive member of an ``internal://x.txt`` (or bare/relative) path."""
        name = re.sub(r"^(internal|relative|file)://", "", ref).lstrip("/\\").replace("\\", "/")
        for cand in (f"Sources/{name}", name, f"sources/{name}"):
            if cand in self.names:
                return cand
            if cand.lower() in self.lower:
                return self.lower[cand.lower()]
        base = name.rsplit("/", 1)[-1].lower()
        hits = [n for n in self.names if n.lower().endswith("/" + base)]
        return hits[0] if len(hits) == 1 else None


def _decode(data: bytes, what: str, warnings: list[str]) -> str:
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        warnings.append(f"{what}: not UTF-8, read as Windows-1252")
        return data.decode("cp1252", errors="replace")


def _docx_text(data: bytes) -> str:
    import docx
    document = docx.Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def _utf16_map(text: str) -> list[int] | None:
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


def _boundary_score(text: str, spans: list[tuple[int, int]], mapping: list[int] | None) -> int:
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


def _segments(text: str) -> list[dict]:
    """Paragraphs (one per non-empty line) or speaker turns, in offsets of ``text``."""
    from workbench.ingest.speakers import segment_lines

    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    try:
        _, segs = segment_lines([line.rstrip() for line in lines], paragraph_per_line=True)
    except Exception:   # a detector problem must not block an import
        segs = []
    sstarts, pos = [], 0
    for line in lines:
        sstarts.append(pos)
        pos += len(line.rstrip()) + 1

    def back(offset: int) -> int:
        i = bisect.bisect_right(sstarts, offset) - 1
        return starts[i] + (offset - sstarts[i])

    out = []
    first_turn = next((i for i, s in enumerate(segs) if s.kind == "turn"), None)
    for i, s in enumerate(segs):
        a, b = back(s.start), back(s.end)
        if out and a < out[-1]["end"]:
            continue
        out.append(dict(position=len(out), kind=s.kind, speaker=s.speaker,
                        is_interviewer=s.is_interviewer, start=a, end=max(a, b),
                        body_start=min(max(a, back(s.words_start)), max(a, b)),
                        front_matter=first_turn is not None and i < first_turn,
                        timestamp=s.timestamp, end_time=s.end_time, section=None))
    if not out:
        for i, line in enumerate(lines):
            if line.strip():
                out.append(dict(position=len(out), kind="paragraph", speaker=None,
                                is_interviewer=False, start=starts[i],
                                end=starts[i] + len(line.rstrip()), timestamp=None,
                                end_time=None, section=None))
    return out


def read_qdpx(path: str | Path, *, existing_documents: set[str] = frozenset(),
              progress: ProgressFn | None = None,
              cancelled: CancelledFn | None = None) -> dict:
    """Parse and check a ``.qdpx`` completely; returns the store payload (nothing written).
    Raises :class:`QdpxError` with a clear message on anything that would lose data."""
    path = Path(path)
    step = progress or _noop
    stop = cancelled or (lambda: False)
    arch = _Archive(path)
    qde = _qde_name(arch.zf)
    raw = arch.read(qde)
    head = raw[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in raw.upper():
        raise QdpxError(f"{path.name}: {qde} declares a DOCTYPE or entities, which REFI-QDA "
                        "files never need: refused (external entity risk)")
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise QdpxError(f"{path.name}: {qde} is not well-formed XML (line {exc.lineno}: "
                        f"{exc.msg})") from None
    if _local(root) != "Project":
        raise QdpxError(f"{path.name}: not a REFI-QDA project (root element <{_local(root)}>)")
    warnings: list[str] = []
    ns = etree.QName(root).namespace or ""
    if ns != NS:
        warnings.append(f"namespace {ns or '(none)'!r} read as {NS!r}")
    origin = root.get("origin") or ""
    guids: list[tuple[str, str, str]] = []

    # users -> coders
    users: dict[str, str] = {}
    for u in (_kids(_kid(root, "Users"), "User") if _kid(root, "Users") is not None else []):
        g = normalise_guid(u.get("guid") or "")
        name = unicodedata.normalize("NFC", (u.get("name") or u.get("id") or "").strip())
        if not name:
            name = f"utilisateur-{(g or 'inconnu')[:8]}"
        if g:
            users[g] = name
            guids.append(("coder", name, g))
    fallback_coder = "import-refi"

    def user(guid: str | None) -> str:
        g = normalise_guid(guid or "")
        return users.get(g, fallback_coder) if g else fallback_coder

    # codes
    from workbench.coding.engine import normalise_colour
    codes: list[dict] = []
    code_keys: dict[str, str] = {}
    code_questions: list[tuple[str, str]] = []

    def read_code(el, parent_key: str | None, taken: set[str], prefix: str) -> None:
        name = unicodedata.normalize("NFC", (el.get("name") or "").strip()) or "(sans nom)"
        if "/" in name:
            warnings.append(f"code {name!r}: '/' replaced by '∕' (U+2215)")
            name = name.replace("/", "∕")
        base, n = name, 2
        while name_key(name) in taken:
            name = f"{base} ({n})"
            n += 1
        if name != base:
            warnings.append(f"duplicate sibling code {base!r} renamed {name!r}")
        taken.add(name_key(name))
        cpath = f"{prefix}/{name}" if prefix else name
        g = normalise_guid(el.get("guid") or "")
        if g is None or g in code_keys:
            warnings.append(f"code {cpath!r}: missing or repeated guid, a new one is used")
            g = None
        key = g or f"code:{len(codes)}"
        if g:
            code_keys[g] = key
        colour = None
        if el.get("color"):
            try:
                colour = normalise_colour(el.get("color"))
            except ValidationError:
                warnings.append(f"code {cpath!r}: colour {el.get('color')!r} ignored")
        fields = parse_description(_text_of(el, "Description"))
        codes.append(dict(key=key, parent_key=parent_key, name=name, guid=g, colour=colour,
                          short=fields["short"] or None, definition=fields["definition"] or None,
                          when_to_use=fields["when_to_use"] or None,
                          when_not_to_use=fields["when_not_to_use"] or None,
                          example=fields["example"] or None, codebook=None))
        for q in fields["questions"]:
            code_questions.append((key, q))
        sub: set[str] = set()
        for child in _kids(el, "Code"):
            read_code(child, key, sub, cpath)

    book = _kid(root, "CodeBook")
    if book is not None and _kid(book, "Codes") is not None:
        top: set[str] = set()
        for el in _kids(_kid(book, "Codes"), "Code"):
            read_code(el, None, top, "")

    # sets -> evaluation questions
    questions: list[dict] = []
    sets = _kid(root, "Sets")
    for set_el in (_kids(sets, "Set") if sets is not None else []):
        m = _SET_NAME_RE.match(unicodedata.normalize("NFC", set_el.get("name") or "").strip())
        desc = unicodedata.normalize("NFC", _text_of(set_el, "Description"))
        if not m or not desc.startswith(_SET_MARK):
            continue
        vals = {"programme": "", "side": "", "source": "", "proposed": "non"}
        for line in desc.split("\n")[1:]:
            label, _, value = line.partition(" : ")
            attr = dict(_SET_FIELDS).get(label.strip())
            if attr:
                vals[attr] = value.strip()
        side = vals["side"] if vals["side"] in SIDES else None
        questions.append(dict(id=m.group(1), text=m.group(2).strip(),
                              programme=vals["programme"] or None, side=side,
                              source=vals["source"] or None,
                              proposed=parse_bool(vals["proposed"]) is True))
        for mc in _kids(set_el, "MemberCode"):
            g = normalise_guid(mc.get("targetGUID") or mc.get("guid") or "")
            if g in code_keys:
                code_questions.append((code_keys[g], m.group(1)))

    # variables and cases
    variables: dict[str, dict] = {}
    vtypes = {"text": "nominal", "boolean": "boolean", "integer": "numeric", "float": "numeric",
              "date": "date", "datetime": "date"}
    vars_el = _kid(root, "Variables")
    for i, v in enumerate(_kids(vars_el, "Variable") if vars_el is not None else []):
        g = normalise_guid(v.get("guid") or "")
        meta = _read_meta(_text_of(v, "Description"))
        type_ = meta.get("type") or vtypes.get((v.get("typeOfVariable") or "Text").lower(),
                                                 "nominal")
        name = unicodedata.normalize("NFC", (v.get("name") or "").strip()) or f"variable {i + 1}"
        if g:
            variables[g] = dict(name=name, type=type_, levels=meta.get("levels") or [], position=i)
            guids.append(("attribute", name, g))
    participants: list[dict] = []
    case_links: list[tuple[str, str, str]] = []      # participant, source guid, speaker
    cases_el = _kid(root, "Cases")
    seen_pids: set[str] = set()
    for c in (_kids(cases_el, "Case") if cases_el is not None else []):
        g = normalise_guid(c.get("guid") or "")
        pid = unicodedata.normalize("NFC", (c.get("name") or "").strip()) or (g or "")[:8]
        if not pid or pid in seen_pids:
            warnings.append(f"case {pid!r} without a unique name skipped")
            continue
        seen_pids.add(pid)
        vals: dict[str, tuple[str | None, float | None]] = {}
        for vv in _kids(c, "VariableValue"):
            ref = _kid(vv, "VariableRef")
            var = variables.get(normalise_guid(ref.get("targetGUID") or "") if ref is not None
                                else "")
            if var is None:
                warnings.append(f"case {pid!r}: value of an unknown variable ignored")
                continue
            vals[var["name"]] = _read_value(vv, var["type"])
        participants.append(dict(id=pid, values=vals))
        if g:
            guids.append(("participant", pid, g))
        speakers = _read_meta(_text_of(c, "Description")).get("speakers") or {}
        for sr in _kids(c, "SourceRef"):
            sg = normalise_guid(sr.get("targetGUID") or "")
            if sg:
                case_links.append((pid, sg, speakers.get(sg, "")))

    # notes (read before sources to resolve their references)
    notes: dict[str, dict] = {}
    notes_el = _kid(root, "Notes")
    for n_el in (_kids(notes_el, "Note") if notes_el is not None else []):
        g = normalise_guid(n_el.get("guid") or "")
        if not g:
            warnings.append("note without guid skipped")
            continue
        text = _text_of(n_el, "PlainTextContent")
        if not text and n_el.get("plainTextPath"):
            member = arch.find_source(n_el.get("plainTextPath"))
            if member is None:
                raise QdpxError(f"{path.name}: note {n_el.get('name') or g}: its text "
                                f"{n_el.get('plainTextPath')} is missing from the archive")
            text = _decode(arch.read(member), member, warnings)
        meta = _read_meta(_text_of(n_el, "Description"))
        notes[g] = dict(key=g, guid=g, title=n_el.get("name") or None,
                        text=unicodedata.normalize("NFC", text.replace("\r\n", "\n")),
                        coder=user(n_el.get("creatingUser")) if n_el.get("creatingUser") else None,
                        created_at=n_el.get("creationDateTime"), meta=meta,
                        target_kind="project", target_key=None)
        guids.append(("memo", g, g))

    def attach(note_refs, kind: str, key) -> None:
        for nr in note_refs:
            g = normalise_guid(nr.get("targetGUID") or "")
            if g in notes and notes[g]["target_kind"] == "project":
                notes[g]["target_kind"], notes[g]["target_key"] = kind, key

    # sources
    documents: list[dict] = []
    codings: list[dict] = []
    sources_el = _kid(root, "Sources")
    all_sources = list(sources_el) if sources_el is not None else []
    taken_names = set(existing_documents)
    doc_key_by_guid: dict[str, str] = {}
    skipped_codings = 0
    n_sources = len(all_sources)
    for si, src in enumerate(all_sources):
        if stop():
            raise WorkbenchError("import cancelled: nothing was imported")
        kind = _local(src)
        sname = src.get("name") or src.get("guid") or f"source {si + 1}"
        if kind != "TextSource":
            n = len(src.findall(".//{*}Coding"))
            skipped_codings += n
            warnings.append(f"{kind} {sname!r} skipped (only text sources are imported)"
                            + (f": its {n} coding(s) are not imported" if n else ""))
            continue
        g = normalise_guid(src.get("guid") or "")
        if not g or g in doc_key_by_guid:
            raise QdpxError(f"{path.name}: source {sname!r} has a missing or repeated guid")
        content = _kid(src, "PlainTextContent")
        if content is not None and content.text:
            text = content.text
        elif src.get("plainTextPath"):
            member = arch.find_source(src.get("plainTextPath"))
            if member is None:
                raise QdpxError(f"{path.name}: source {sname!r}: its text "
                                f"{src.get('plainTextPath')} is missing from the archive")
            text = _decode(arch.read(member), member, warnings)
        elif src.get("richTextPath"):
            member = arch.find_source(src.get("richTextPath"))
            if member is None or not member.lower().endswith(".docx"):
                raise QdpxError(f"{path.name}: source {sname!r}: no plain text and its rich "
                                f"text {src.get('richTextPath')} is missing or not a .docx")
            text = _docx_text(arch.read(member))
            warnings.append(f"source {sname!r}: no plain text in the archive, text taken from "
                            "its .docx (positions may differ from the other tool)")
        elif content is not None:
            text = ""
        else:
            raise QdpxError(f"{path.name}: source {sname!r} has no text (no PlainTextContent, "
                            "plainTextPath or richTextPath)")
        if text.startswith("\ufeff"):
            text = text[1:]
        # selections, in the source's own positions
        sels = _kids(src, "PlainTextSelection")
        spans = []
        for sel in sels:
            try:
                spans.append((int(sel.get("startPosition")), int(sel.get("endPosition"))))
            except (TypeError, ValueError):
                raise QdpxError(f"{path.name}: source {sname!r}: a selection has no valid "
                                "startPosition/endPosition") from None
        mapping = _utf16_map(text)
        if mapping is not None and spans:
            if _boundary_score(text, spans, mapping) > _boundary_score(text, spans, None):
                warnings.append(f"source {sname!r}: positions counted in UTF-16 code units "
                                f"({origin or 'other tool'}), converted to characters")
            else:
                mapping = None
        n_units = len(mapping) - 1 if mapping is not None else len(text)
        # normalise line ends (\r\n -> \n) with an offset map
        removed = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]
        new_text = text.replace("\r\n", "\n").replace("\r", "\n")

        def convert(p: int) -> int:
            c = mapping[p] if mapping is not None else p
            return c - bisect.bisect_left(removed, c)

        nfc = unicodedata.normalize("NFC", new_text)
        if len(nfc) == len(new_text):
            new_text = nfc
        else:
            warnings.append(f"source {sname!r}: kept as is (Unicode NFC normalisation would "
                            "shift positions)")
        name = unicodedata.normalize("NFC", sname).strip() or f"source {si + 1}"
        base, n = name, 2
        while name in taken_names:
            name = f"{base} ({n})"
            n += 1
        if name != base:
            warnings.append(f"source {base!r} imported as {name!r} (name taken)")
        taken_names.add(name)
        doc_key_by_guid[g] = g
        guids.append(("document", g, g))
        meta = _read_meta(_text_of(src, "Description"))
        actor = meta.get("actor_type")
        if actor and actor not in ACTOR_TYPES:
            warnings.append(f"source {name!r}: unknown actor type {actor!r} ignored")
            actor = None
        documents.append(dict(
            key=g, guid=g, name=name, text=new_text, programme=meta.get("programme"),
            actor_type=actor,
            interview_date=meta.get("interview_date"), interviewer=meta.get("interviewer"),
            site=meta.get("site"), language=meta.get("language") or "fr",
            source_file=meta.get("source_file") or path.name, source_format="qdpx",
            source_hash=None, encoding="utf-8", word_count=len(re.findall(r"\w+", new_text)),
            extra={"refi_origin": origin} if origin else {},
            segments=_segments(new_text), links=[]))
        attach(_kids(src, "NoteRef"), "document", g)
        seen: set[tuple] = set()

        def add_coding(coding_el, s: int, e: int, default_user: str | None) -> None:
            ref = _kid(coding_el, "CodeRef")
            cg = normalise_guid(ref.get("targetGUID") or "") if ref is not None else None
            if cg not in code_keys:
                raise QdpxError(f"{path.name}: source {sname!r}: a coding refers to an unknown "
                                f"code ({ref.get('targetGUID') if ref is not None else 'no CodeRef'})")
            coder = user(coding_el.get("creatingUser") or default_user)
            key = (code_keys[cg], s, e, coder)
            if key in seen:
                warnings.append(f"source {name!r}: duplicate coding [{s}, {e}) skipped")
                return
            seen.add(key)
            kg = normalise_guid(coding_el.get("guid") or "")
            codings.append(dict(document_key=g, code_key=code_keys[cg], start=s, end=e,
                                coder=coder, guid=kg, origin="imported",
                                created_at=coding_el.get("creationDateTime")))
            if kg:
                attach(_kids(coding_el, "NoteRef"), "coding", kg)

        for sel, (s, e) in zip(sels, spans):
            if not (0 <= s <= e <= n_units):
                raise QdpxError(f"{path.name}: source {sname!r}: selection [{s}, {e}) is outside "
                                f"the text (0..{n_units})")
            cs, ce = convert(s), convert(e)
            if ce <= cs:
                if _kids(sel, "Coding"):
                    warnings.append(f"source {name!r}: empty selection at {s} skipped")
                continue
            kids = _kids(sel, "Coding")
            for coding_el in kids:
                add_coding(coding_el, cs, ce, sel.get("creatingUser"))
            if kids:
                first = normalise_guid(kids[0].get("guid") or "")
                if first:
                    attach(_kids(sel, "NoteRef"), "coding", first)
        for coding_el in _kids(src, "Coding"):      # whole-source codings
            if new_text:
                add_coding(coding_el, 0, len(new_text), src.get("creatingUser"))
        step(si + 1, n_sources, name)

    for pid, sg, speaker in case_links:
        if sg in doc_key_by_guid:
            doc = next(d for d in documents if d["key"] == sg)
            doc["links"].append((pid, speaker))
    for c in (book.iter("{*}Code") if book is not None else []):
        g = normalise_guid(c.get("guid") or "")
        if g in code_keys:
            attach(_kids(c, "NoteRef"), "code", code_keys[g])
    attach(_kids(root, "NoteRef"), "project", None)
    memos = []
    for n in notes.values():
        kind, key = n["target_kind"], n["target_key"]
        m = n["meta"]
        if kind == "project" and m.get("target") in ("participant", "question") and m.get("id"):
            kind, key = m["target"], m["id"]
            if kind == "participant" and key not in seen_pids:
                kind, key = "project", None
            if kind == "question" and key not in {q["id"] for q in questions}:
                kind, key = "project", None
        elif kind == "project" and m.get("target") == "segment" and m.get("source") in doc_key_by_guid:
            kind, key = "segment", (m["source"], int(m.get("position") or 0))
        memos.append(dict(key=n["key"], guid=n["guid"], title=n["title"], text=n["text"],
                          coder=n["coder"],
                          created_at=n["created_at"], target_kind=kind, target_key=key))
    coders = sorted({k["coder"] for k in codings} | {m["coder"] for m in memos if m["coder"]}
                    | set(users.values()))
    attrs = sorted(({"name": v["name"], "type": v["type"], "levels": v["levels"],
                     "position": v["position"]} for v in variables.values()),
                   key=lambda a: a["position"])
    return dict(origin=origin, coders=coders, questions=questions, codes=codes,
                code_questions=code_questions, attributes=attrs, participants=participants,
                documents=documents, codings=codings, memos=memos, guids=guids,
                warnings=warnings, skipped_codings=skipped_codings)


def _read_value(vv, type_: str) -> tuple[str | None, float | None]:
    for tag in ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
                "DateTimeValue"):
        el = _kid(vv, tag)
        if el is None:
            continue
        text = (el.text or "").strip()
        if tag == "BooleanValue":
            flag = text.lower() in ("true", "1")
            return ("oui" if flag else "non"), float(flag)
        if tag in ("IntegerValue", "FloatValue"):
            try:
                num = float(text)
            except ValueError:
                return text, None
            return (str(int(num)) if num.is_integer() else str(num)), num
        if tag in ("DateValue", "DateTimeValue") or type_ == "date":
            d = parse_date(text)
            return (d.iso(), d.number()) if d is not None else (text, None)
        if type_ == "numeric":
            return text, parse_number(text)
        if type_ == "boolean" and parse_bool(text) is not None:
            return text, float(parse_bool(text))
        return unicodedata.normalize("NFC", text), None
    return None, None


def import_qdpx(project, path: str | Path, *, progress: ProgressFn | None = None,
                cancelled: CancelledFn | None = None) -> dict:
    """Import a whole REFI-QDA project into ``project`` in one transaction."""
    path = Path(path)
    payload = read_qdpx(path, existing_documents=project.store.document_names(),
                        progress=progress, cancelled=cancelled)
    if cancelled and cancelled():
        raise WorkbenchError("import cancelled: nothing was imported")
    try:
        result = project.store.import_exchange(payload, coder=project.coder)
    except Exception as exc:   # the transaction rolled back
        if isinstance(exc, WorkbenchError):
            raise
        raise QdpxError(f"{path.name}: import failed, nothing was imported ({exc})") from exc
    return {"file": str(path), "origin": payload["origin"], "documents": len(payload["documents"]),
            "codes": len(payload["codes"]), "codings": result["codings"],
            "memos": result["memos"], "participants": len(payload["participants"]),
            "coders": len(payload["coders"]), "questions": len(payload["questions"]),
            "skipped_codings": payload["skipped_codings"], "warnings": payload["warnings"]}
