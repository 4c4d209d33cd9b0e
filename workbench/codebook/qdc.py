"""REFI-QDA codebook exchange (``.qdc``, namespace ``urn:QDA-XML:codebook:1.0``).

A REFI-QDA code has a name, a colour, a GUID and one free-text ``<Description>``;
it has no slot for *when to use*, *example* or evaluation questions.  We carry them
inside the description, in a layout that other tools show as plain text and that
:func:`import_qdc` parses back (see ``docs/codebook-format.md``)::

    <definition, any number of lines>

    Résumé : <short>
    Quand l'utiliser : <when_to_use>
    Quand ne pas l'utiliser : <when_not_to_use>
    Exemple : <example>
    Questions évaluatives : AV-B1, AV-B2

(only the non-empty lines are written; a value running over several lines has its
continuation lines indented by two spaces).  Each evaluation question is also
written as a ``<Set>`` named ``"AV-B1 — <question text>"`` whose ``<MemberCode>``s
are the codes serving it, so another tool keeps the links; the codebook's own
metadata (id, title, programme...) travels in a ``<?workbench-codebook {json}?>``
processing instruction, which schema validation ignores.

GUIDs are stable: ``uuid5(WORKBENCH_NS, "<codebook id>/<code path>")`` unless the
code carries its own; on import a GUID equal to the derived one is dropped again
(``guid=None``) so that an export/import round trip gives an equal codebook.
"""
from __future__ import annotations

import io
import json
import re
import unicodedata
import uuid
import zipfile
from dataclasses import replace
from os import PathLike
from pathlib import Path

from lxml import etree

from workbench.i18n import _
from workbench.identity import WORKBENCH_NS
from workbench.values import parse_bool
from workbench.safety.limits import MAX_CODE_DEPTH, code_depth_error
from workbench.safety.files import atomic_output
from workbench.safety.errors import library_detail, os_reason
from workbench.safety.xml import XmlError, lxml_parser, parse_lxml

from workbench.identity import normalise_guid
from workbench.values import normalise_colour

from .model import (SIDES, Codebook, CodebookError, CodebookProblem, CodeDef, EvaluationQuestion,
                    join_path, name_key)

__all__ = [
    "QDC_NAMESPACE",
    "WORKBENCH_NS",
    "code_guid",
    "question_guid",
    "export_qdc",
    "dumps_qdc",
    "import_qdc",
    "read_qdc",
    "loads_qdc",
    "format_description",
    "parse_description",
]

QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Workbench 0.1"
_PI_TARGET = "workbench-codebook"
_MAX_QDE_BYTES = 200 * 1024 * 1024

# label, field -- in the order they are written
_LABELS = (
    ("Résumé", "short"),
    ("Quand l'utiliser", "when_to_use"),
    ("Quand ne pas l'utiliser", "when_not_to_use"),
    ("Exemple", "example"),
    ("Questions évaluatives", "questions"),
)
_LABEL_RE = re.compile(
    r"^(Résumé|Quand l['’]utiliser|Quand ne pas l['’]utiliser|Exemple|Questions évaluatives)"
    r"\s*:\s?(.*)$")
_SET_NAME_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9_.\-]*) — (.+)$", re.S)
_SET_MARK = "Question évaluative (Workbench)"
_SET_FIELDS = (("Programme", "programme"), ("Volet", "side"), ("Source", "source"),
               ("Proposée", "proposed"))


def code_guid(codebook_id: str, path: str) -> str:
    """The derived, stable GUID of the code at ``path`` in codebook ``codebook_id``."""
    key = unicodedata.normalize("NFC", f"{codebook_id}/{path}")
    return str(uuid.uuid5(WORKBENCH_NS, key))


def question_guid(codebook_id: str, question_id: str) -> str:
    return str(uuid.uuid5(WORKBENCH_NS, f"{codebook_id}\x00question\x00{question_id}"))


# ---------------------------------------------------------------------------
# description <-> fields
# ---------------------------------------------------------------------------
def _field_lines(label: str, value: str) -> list[str]:
    first, *rest = value.split("\n")
    return [f"{label} : {first}".rstrip(" ") if first else f"{label} :"] + ["  " + r for r in rest]


def format_description(code: CodeDef) -> str:
    """The ``<Description>`` text of a code (definition, then labelled lines)."""
    trailer: list[str] = []
    for label, attr in _LABELS:
        value = getattr(code, attr)
        if attr == "questions":
            value = ", ".join(value)
        if value:
            trailer.extend(_field_lines(label, value))
    if not trailer:
        return code.definition
    if not code.definition:
        return "\n".join(trailer)
    return code.definition + "\n\n" + "\n".join(trailer)


def _parse_trailer(lines: list[str]) -> dict | None:
    fields: dict[str, list[str]] = {}
    order = [f for _label, f in _LABELS]
    last = -1
    current: str | None = None
    for line in lines:
        m = _LABEL_RE.match(line)
        if m:
            label = m.group(1).replace("’", "'")
            attr = dict(_LABELS)[label]
            idx = order.index(attr)
            if idx <= last:
                return None
            last, current = idx, attr
            fields[attr] = [m.group(2).rstrip()]
        elif current is not None and line.startswith("  "):
            fields[current].append(line[2:])
        else:
            return None
    return {k: "\n".join(v).strip() for k, v in fields.items()} if fields else None


def parse_description(text: str) -> dict:
    """Split a description written by :func:`format_description` back into fields:
    ``definition``, ``short``, ``when_to_use``, ``when_not_to_use``, ``example`` (str)
    and ``questions`` (tuple).  Text from other tools is all definition."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = text.split("\n")
    result = {"definition": text.strip(), "short": "", "when_to_use": "", "when_not_to_use": "",
              "example": "", "questions": ()}
    for i, line in enumerate(lines):
        if (i == 0 or lines[i - 1].strip() == "") and _LABEL_RE.match(line):
            fields = _parse_trailer(lines[i:])
            if fields is None:
                continue
            result.update(fields)
            result["definition"] = "\n".join(lines[:i]).strip()
            if "questions" in fields:
                result["questions"] = tuple(q.strip() for q in fields["questions"].split(",")
                                            if q.strip())
            break
    return result


# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------
def _q(tag: str) -> str:
    return f"{{{QDC_NAMESPACE}}}{tag}"


def _set_description(q: EvaluationQuestion) -> str:
    values = {"programme": q.programme, "side": q.side, "source": q.source,
              "proposed": "oui" if q.proposed else "non"}
    lines = [_SET_MARK] + [f"{label} : {values[attr]}" for label, attr in _SET_FIELDS]
    return "\n".join(lines)


def dumps_qdc(cb: Codebook, *, origin: str = ORIGIN) -> bytes:
    """The codebook as REFI-QDA ``.qdc`` XML (UTF-8 bytes).  Raises ValueError for a
    codebook without codes: the standard requires at least one ``<Code>``."""
    if not cb.codes:
        raise ValueError(_("codebook '{id}' has no codes; a REFI-QDA codebook needs at least "
                           "one").format(id=cb.id))
    root = etree.Element(_q("CodeBook"), nsmap={None: QDC_NAMESPACE})
    root.set("origin", origin)
    meta = {"id": cb.id, "title": cb.title, "programme": cb.programme, "version": cb.version,
            "language": cb.language, "description": cb.description}
    pi_text = json.dumps(meta, ensure_ascii=False).replace(">", "\\u003e")
    codes_el = etree.SubElement(root, _q("Codes"))
    guids: dict[str, str] = {}

    def add(parent_el, code: CodeDef, prefix: str) -> None:
        path = join_path(prefix, code.name)
        guid = code.guid or code_guid(cb.id, path)
        guids[path] = guid
        el = etree.SubElement(parent_el, _q("Code"))
        el.set("guid", guid)
        el.set("name", code.name)
        el.set("isCodable", "true")
        if code.colour:
            colour = normalise_colour(code.colour, require_hash=False)
            if colour:
                el.set("color", colour)
        description = format_description(code)
        if description:
            etree.SubElement(el, _q("Description")).text = description
        for child in code.children:
            add(el, child, path)

    for code in cb.codes:
        add(codes_el, code, "")
    if cb.questions:
        sets_el = etree.SubElement(root, _q("Sets"))
        for q in cb.questions:
            set_el = etree.SubElement(sets_el, _q("Set"))
            set_el.set("guid", question_guid(cb.id, q.id))
            set_el.set("name", f"{q.id} — {q.text}")
            etree.SubElement(set_el, _q("Description")).text = _set_description(q)
            for path, code in cb.iter_codes():
                if q.id in code.questions:
                    etree.SubElement(set_el, _q("MemberCode")).set("guid", guids[path])
    doc = etree.ElementTree(root)
    root.addprevious(etree.ProcessingInstruction(_PI_TARGET, pi_text))
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_qdc(cb: Codebook, path: str | PathLike, *, origin: str = ORIGIN) -> None:
    """Write ``cb`` as a REFI-QDA ``.qdc`` file (valid against Codebook.xsd)."""
    data = dumps_qdc(cb, origin=origin)
    with atomic_output(path) as fh:
        fh.write(data)


# ---------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------
def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if isinstance(c.tag, str) and _local(c) == name]


def _read_bytes(path: Path) -> bytes:
    """The XML of a .qdc, or of the ``.qde`` inside a ``.qdpx`` zip (any name:
    ATLAS.ti writes ``Trial.qde``)."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(".qde") and "/" not in n]
                if not names:
                    raise CodebookError(CodebookProblem(str(path), 1, _(
                        "zip archive without a .qde project file")))
                info = zf.getinfo("project.qde" if "project.qde" in names else names[0])
                if info.file_size > _MAX_QDE_BYTES:
                    raise CodebookError(CodebookProblem(str(path), 1, _("project file too large")))
                return zf.read(info)
        except zipfile.BadZipFile as exc:
            raise CodebookError(CodebookProblem(str(path), 1, _("damaged zip archive: {detail}")
                                                .format(detail=library_detail(exc, _("damaged archive")))))
    return data


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "codebook"


def loads_qdc(data: bytes, filename: str = "<qdc>", *, codebook_id: str | None = None,
              title: str | None = None) -> tuple[Codebook, list[CodebookProblem]]:
    """Parse ``.qdc`` XML (or a ``.qde`` project: its ``<CodeBook>`` is used).
    Returns the codebook and warnings about what had to be repaired."""
    warnings: list[CodebookProblem] = []

    def warn(el, message: str) -> None:
        warnings.append(CodebookProblem(filename, el.sourceline or 1, message, "warning"))

    try:     # the hardened parser: no DTD, no entities, depth and size limits
        root = parse_lxml(data, part=Path(filename).name, remove_blank_text=False)
    except XmlError as exc:
        message = exc.message       # the hardened parser's own words (entities, depth, syntax)
        if exc.kind == "entities":
            message = _("DOCTYPE/entity declarations are not allowed in a REFI-QDA file "
                        "({detail})").format(detail=message)
        raise CodebookError(CodebookProblem(filename, exc.line or 1, message)) from None
    if _local(root) == "Project":
        books = _children(root, "CodeBook")
        if not books:
            raise CodebookError(CodebookProblem(filename, root.sourceline or 1,
                                                _("this project has no <CodeBook>")))
        book = books[0]
    elif _local(root) == "CodeBook":
        book = root
    else:
        raise CodebookError(CodebookProblem(filename, root.sourceline or 1,
                                            _("not a REFI-QDA codebook: root element is "
                                              "<{tag}>").format(tag=_local(root))))
    ns = etree.QName(book).namespace or ""
    if ns != QDC_NAMESPACE:        # NVivo for Mac writes urn:QDA-XML:codebook:1:0
        warn(book, _("non-standard namespace '{ns}', read as '{standard}'").format(
            ns=ns or _("(none)"), standard=QDC_NAMESPACE))

    # metadata from our processing instruction, if any
    meta: dict = {}
    node = root.getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == _PI_TARGET:
            try:
                loaded = json.loads(node.text or "{}")
                meta = loaded if isinstance(loaded, dict) else {}
            except json.JSONDecodeError:
                warn(root, _("unreadable workbench-codebook processing instruction ignored"))
            break
        node = node.getprevious()
    stem = Path(filename).stem
    cb_id = codebook_id or str(meta.get("id") or _slug(stem))

    # codes
    by_guid: dict[str, str] = {}         # guid -> path
    raw: dict[str, dict] = {}            # path -> fields (questions from the description)

    def read_code(el, prefix: str, taken: set[str], depth: int = 1) -> CodeDef:
        if depth > MAX_CODE_DEPTH:      # before the recursion runs away
            raise CodebookError(CodebookProblem(filename, el.sourceline or 1,
                                                code_depth_error(depth)))
        name = unicodedata.normalize("NFC", (el.get("name") or "").strip())
        if not name:
            name = "(sans nom)"
            warn(el, _("code without a name: called '(sans nom)'"))
        if "/" in name:
            fixed = name.replace("/", "∕")
            warn(el, _("'/' in code name '{name}' replaced by '∕' (U+2215): '/' separates path "
                       "names").format(name=name))
            name = fixed
        base, n = name, 2
        while name_key(name) in taken:
            name = f"{base} ({n})"
            n += 1
        if name != base:
            warn(el, _("duplicate sibling code name '{base}' renamed '{name}'").format(
                base=base, name=name))
        taken.add(name_key(name))
        path = join_path(prefix, name)
        guid = normalise_guid(el.get("guid") or "")
        if guid is None:
            warn(el, _("code '{path}' has no valid guid; a derived one is used").format(path=path))
        elif guid in by_guid:
            warn(el, _("code '{path}' repeats the guid of '{other}'; a derived one is used")
                 .format(path=path, other=by_guid[guid]))
            guid = None
        if guid is not None:
            by_guid[guid] = path
            if guid == code_guid(cb_id, path):
                guid_kept = None
            else:
                guid_kept = guid
        else:
            guid_kept = None
        colour = None
        if el.get("color"):
            colour = normalise_colour(el.get("color"), require_hash=False)
            if colour is None:
                warn(el, _("colour '{colour}' of code '{path}' is not #RRGGBB: ignored").format(
                    colour=el.get("color"), path=path))
        descs = _children(el, "Description")
        fields = parse_description(descs[0].text or "") if descs else parse_description("")
        raw[path] = fields
        sub_taken: set[str] = set()
        children = tuple(read_code(c, path, sub_taken, depth + 1) for c in _children(el, "Code"))
        return CodeDef(name=name, colour=colour, short=fields["short"],
                       definition=fields["definition"], when_to_use=fields["when_to_use"],
                       when_not_to_use=fields["when_not_to_use"], example=fields["example"],
                       questions=fields["questions"], children=children, guid=guid_kept)

    codes_els = _children(book, "Codes")
    top_taken: set[str] = set()
    codes = tuple(read_code(c, "", top_taken) for c in _children(codes_els[0], "Code")) \
        if codes_els else ()

    # evaluation questions from the sets that look like ours
    questions: list[EvaluationQuestion] = []
    members: dict[str, list[str]] = {}     # qid -> paths of member codes
    for sets_el in _children(book, "Sets"):
        for set_el in _children(sets_el, "Set"):
            m = _SET_NAME_RE.match(unicodedata.normalize("NFC", set_el.get("name") or "").strip())
            descs = _children(set_el, "Description")
            desc = unicodedata.normalize("NFC", (descs[0].text or "") if descs else "")
            if not m or (not desc.startswith(_SET_MARK) and not _codes_in_set(set_el)):
                continue
            qid, text = m.group(1), m.group(2).strip()
            if any(q.id == qid for q in questions):
                warn(set_el, _("second set for question '{id}' ignored").format(id=qid))
                continue
            values = {"programme": str(meta.get("programme") or ""), "side": "", "source": "",
                      "proposed": "non"}
            for line in desc.split("\n")[1:] if desc.startswith(_SET_MARK) else []:
                label, _sep, value = line.partition(" : ")
                attr = dict(_SET_FIELDS).get(label.strip())
                if attr:
                    values[attr] = value.strip()
            if values["side"] not in SIDES:
                warn(set_el, _("question '{id}': side '{side}' unknown; set it before saving "
                               "the codebook as YAML").format(id=qid, side=values["side"]))
            questions.append(EvaluationQuestion(
                id=qid, programme=values["programme"], side=values["side"], text=text,
                source=values["source"], proposed=parse_bool(values["proposed"]) is True))
            members[qid] = [by_guid[g] for g in
                            (normalise_guid(mc.get("guid") or "") for mc in _children(set_el, "MemberCode"))
                            if g in by_guid]

    if members:
        codes = tuple(_apply_members(c, "", members) for c in codes)

    cb = Codebook(
        id=cb_id,
        title=title or str(meta.get("title") or stem),
        programme=str(meta.get("programme") or ""),
        version=str(meta.get("version") or ""),
        language=str(meta.get("language") or "fr"),
        description=str(meta.get("description") or ""),
        questions=tuple(questions),
        codes=codes,
    )
    return cb, warnings


def _codes_in_set(set_el) -> bool:
    return bool(_children(set_el, "MemberCode"))


def _apply_members(code: CodeDef, prefix: str, members: dict[str, list[str]]) -> CodeDef:
    """Question links: the sets are authoritative for the questions they describe
    (another tool may have edited them); the description line keeps the order and
    any question without a set."""
    path = join_path(prefix, code.name)
    qs = [q for q in code.questions if q not in members or path in members[q]]
    qs += [q for q, paths in members.items() if path in paths and q not in qs]
    children = tuple(_apply_members(c, path, members) for c in code.children)
    return replace(code, questions=tuple(qs), children=children)


def read_qdc(path: str | PathLike, *, codebook_id: str | None = None,
             title: str | None = None) -> tuple[Codebook, list[CodebookProblem]]:
    """Import a ``.qdc`` (or the codebook of a ``.qde``/``.qdpx``) with the warnings
    about what had to be repaired (bad colours, '/' in names, duplicate names...)."""
    p = Path(path)
    try:
        data = _read_bytes(p)
    except OSError as exc:
        raise CodebookError(CodebookProblem(str(path), 1, _("cannot read the file: {reason}")
                                            .format(reason=os_reason(exc))))
    return loads_qdc(data, str(path), codebook_id=codebook_id, title=title)


def import_qdc(path: str | PathLike, *, codebook_id: str | None = None,
               title: str | None = None) -> Codebook:
    """Import a REFI-QDA codebook.  Tolerates NVivo/ATLAS.ti/MAXQDA quirks (namespace
    ``urn:QDA-XML:codebook:1:0`` or other versions, colours without ``#``, no colours,
    ``isCodable="false"`` parents).  Raises :class:`CodebookError` (with the line) on
    malformed XML.  Without our metadata the id comes from the file name."""
    return read_qdc(path, codebook_id=codebook_id, title=title)[0]
