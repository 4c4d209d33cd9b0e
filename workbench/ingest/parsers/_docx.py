"""Word (.docx) transcripts, after zip and XML safety checks.

Paragraphs are read in document order, tables row by row (a ``speaker | text``
or ``time | speaker | text`` row becomes one ``"Speaker : text"`` line).  A bold
leading run ending with ``:`` (or followed by one) names the speaker even when
the label occurs only once; other labels follow :mod:`workbench.ingest.speakers`.
Heading paragraphs are never part of a turn.

The XML is read directly with lxml (:func:`_read_fast`: python-docx builds an object per
paragraph and run; reading directly takes less than half the CPU per file), reading
exactly what python-docx reads — a paragraph's direct runs and hyperlinks, a run's text, tabs and breaks, bold
set on the run, heading styles by id, the core properties — so both give the same
blocks.  A document with merged table cells (python-docx repeats their content) or
anything the direct reader does not expect (a part missing, an unknown value) is read
through python-docx as before.
"""
from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from pathlib import Path

from workbench.i18n import _
from workbench.safety.errors import library_detail

from ...safety.xml import lxml_parser
from ..model import ImportFileError, ParsedTranscript
from ..speakers import clean_label, looks_like_label
from ._base import check_zip, normalise_text, register, table_row_line, transcript_from_lines

_LEGACY = "password-protected or legacy Word .doc file: save it as .docx without a password"


def _bold_label(paragraph) -> str | None:  # noqa: ANN001 - python-docx Paragraph
    """The label written in bold at the start of the paragraph, if any."""
    bold_text = ""
    rest = ""
    runs = paragraph.runs
    for i, run in enumerate(runs):
        if not run.text:
            continue
        if run.bold:
            bold_text += run.text
            continue
        rest = "".join(r.text for r in runs[i:])
        break
    return _label_of(bold_text, rest)


def _label_of(bold_text: str, rest: str) -> str | None:
    """The label of a paragraph whose leading bold runs read ``bold_text`` followed by
    ``rest``: ``None`` unless it ends with a colon (or one follows) and looks like one."""
    if not bold_text.strip() or not rest.strip(" \u00a0\u202f:"):
        return None  # a wholly bold paragraph is a heading, not a labelled turn
    candidate = bold_text.strip()
    if candidate.endswith(":"):
        candidate = candidate[:-1]
    elif rest.lstrip(" \u00a0\u202f").startswith(":"):
        pass
    else:
        return None
    candidate = clean_label(candidate)
    if candidate.startswith("[") and candidate.endswith("]"):
        candidate = candidate[1:-1].strip()
    return candidate if looks_like_label(candidate) or looks_like_label(candidate.strip("[]"), bracketed=True) else None


_HEADING_PREFIXES = ("heading", "titre", "title")


def _heading_style_ids(document) -> set[str]:  # noqa: ANN001
    """Ids of the document's heading styles, read once per document: resolving
    ``paragraph.style`` scans every style for each paragraph (84 % of the import time
    of a large .docx before this)."""
    ids = set()
    try:
        for style in document.styles:
            name = (getattr(style, "name", "") or "").lower()
            if name.startswith(_HEADING_PREFIXES) and getattr(style, "style_id", None):
                ids.add(style.style_id)
    except (KeyError, AttributeError):
        pass
    return ids


def _is_heading(paragraph, heading_ids: set[str]) -> bool:  # noqa: ANN001
    style_id = paragraph._p.style        # the pStyle value, or None for the default style
    return style_id is not None and style_id in heading_ids


def _blocks(container, heading_ids: set[str]) -> Iterator[tuple[str, str | None, bool]]:  # noqa: ANN001
    """``(text, bold_label, is_heading)`` for each paragraph, tables row by row."""
    from docx.table import Table

    for item in container.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                seen: set[int] = set()
                cells = []
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell)
                joined = table_row_line([c.text for c in cells])
                if joined is not None:
                    yield joined, None, False
                else:
                    for cell in cells:
                        yield from _blocks(cell, heading_ids)
        else:
            yield item.text, _bold_label(item), _is_heading(item, heading_ids)


def _read_python_docx(path: Path) -> tuple[list[tuple[str, str | None, bool]], str, str]:
    """The blocks, title and author, read through python-docx."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except PackageNotFoundError as exc:
        raise ImportFileError(path, _("not a valid .docx (zip) file: {error}").format(
            error=library_detail(exc, _("damaged archive")))) from exc
    except (KeyError, ValueError) as exc:
        detail = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        raise ImportFileError(path, _("not a valid .docx file: {error}").format(
            error=library_detail(detail, _("a required part is missing or damaged")))) from exc
    blocks = list(_blocks(document, _heading_style_ids(document)))
    core = document.core_properties
    return blocks, core.title, core.author


# ------------------------------------------------------------------ direct XML reading
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CT_STYLES = "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"
_CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
_P, _TBL, _TR, _TC, _R, _HYPERLINK = (_W + t for t in ("p", "tbl", "tr", "tc", "r", "hyperlink"))
_T, _TAB, _BR, _CR, _PTAB, _NBH = (_W + t for t in ("t", "tab", "br", "cr", "ptab",
                                                    "noBreakHyphen"))
_RPR, _B, _PPR, _PSTYLE, _VAL, _TYPE = (_W + t for t in ("rPr", "b", "pPr", "pStyle", "val",
                                                         "type"))
_STYLE_TYPES = frozenset({"paragraph", "character", "table", "numbering"})
_ON = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}


class _Unexpected(Exception):
    """Something the direct reader does not read as python-docx would: use python-docx."""


def _run_text(r) -> str:  # noqa: ANN001 - lxml element
    out = []
    for e in r:
        tag = e.tag
        if tag == _T:
            out.append(e.text or "")
        elif tag == _TAB or tag == _PTAB:
            out.append("\t")
        elif tag == _BR:
            out.append("\n" if e.get(_TYPE, "textWrapping") == "textWrapping" else "")
        elif tag == _CR:
            out.append("\n")
        elif tag == _NBH:
            out.append("-")
    return "".join(out)


def _paragraph_text(p) -> str:  # noqa: ANN001
    out = []
    for e in p:
        if e.tag == _R:
            out.append(_run_text(e))
        elif e.tag == _HYPERLINK:
            out.extend(_run_text(r) for r in e if r.tag == _R)
    return "".join(out)


def _bold(r) -> bool | None:  # noqa: ANN001
    rpr = r.find(_RPR)
    b = rpr.find(_B) if rpr is not None else None
    if b is None:
        return None
    value = b.get(_VAL)
    if value is None:
        return True
    if value not in _ON:
        raise _Unexpected
    return _ON[value]


def _fast_bold_label(p) -> str | None:  # noqa: ANN001
    """:func:`_bold_label` on the XML (the paragraph's direct runs)."""
    runs = [r for r in p if r.tag == _R]
    bold_text = ""
    rest = ""
    for i, r in enumerate(runs):
        text = _run_text(r)
        if not text:
            continue
        if _bold(r):
            bold_text += text
            continue
        rest = "".join(_run_text(x) for x in runs[i:])
        break
    return _label_of(bold_text, rest)


def _fast_blocks(container, heading_ids: set[str]) -> Iterator[tuple[str, str | None, bool]]:  # noqa: ANN001
    """:func:`_blocks` on the XML."""
    for item in container:
        if item.tag == _P:
            ppr = item.find(_PPR)
            pstyle = ppr.find(_PSTYLE) if ppr is not None else None
            style = None
            if pstyle is not None:
                style = pstyle.get(_VAL)
                if style is None:
                    raise _Unexpected
            yield (_paragraph_text(item), _fast_bold_label(item),
                   style is not None and style in heading_ids)
        elif item.tag == _TBL:
            for row in item:
                if row.tag != _TR:
                    continue
                cells = [tc for tc in row if tc.tag == _TC]
                texts = ["\n".join(_paragraph_text(p) for p in tc if p.tag == _P) for tc in cells]
                joined = table_row_line(texts)
                if joined is not None:
                    yield joined, None, False
                else:
                    for tc in cells:
                        yield from _fast_blocks(tc, heading_ids)


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Internal relationships of ``part`` (``""``: the package) by type → part name;
    a type found twice is not read here."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels") if part else "_rels/.rels"
    try:
        root = _xml(zf.read(rels_name))
    except KeyError:
        return _Rels({}, set())
    out: dict[str, str] = {}
    twice: set[str] = set()
    for rel in root:
        if rel.tag != _REL_NS + "Relationship" or rel.get("TargetMode") == "External":
            continue
        kind, target = rel.get("Type"), rel.get("Target")
        if not kind or not target:
            raise _Unexpected
        if kind in out:
            twice.add(kind)
        out[kind] = posixpath.normpath(posixpath.join("/" + folder, target)).lstrip("/")
    return _Rels(out, twice)


class _Rels(dict):
    """Relationships by type; asking for a type found twice (or a part name with an
    escape) is not read here."""

    def __init__(self, found: dict[str, str], twice: set[str]):
        super().__init__(found)
        self.twice = twice

    def get(self, kind, default=None):  # noqa: ANN001, ANN201
        if kind in self.twice or "%" in super().get(kind, ""):
            raise _Unexpected
        return super().get(kind, default)


def _xml(data: bytes):  # noqa: ANN202
    from lxml import etree

    # the parser options of python-docx (the safety checks already ran on every part)
    return etree.fromstring(data, lxml_parser(remove_blank_text=True))


def _read_fast(path: Path) -> tuple[list[tuple[str, str | None, bool]], str, str]:
    """The blocks, title and author, read from the XML directly; :class:`_Unexpected`
    when python-docx must read this document."""
    with zipfile.ZipFile(path) as zf:
        types = _xml(zf.read("[Content_Types].xml"))
        overrides = {e.get("PartName", "").lower(): e.get("ContentType") for e in types
                     if e.tag == _CT_NS + "Override"}

        def part(name: str | None, content_type: str) -> bytes | None:
            if name is None:
                return None
            if overrides.get("/" + name.lower()) != content_type:
                raise _Unexpected
            return zf.read(name)

        package = _rels(zf, "")
        main_name = package.get(_RT + "officeDocument")
        main = part(main_name, _CT_MAIN)
        if main is None or main_name is None:
            raise _Unexpected
        styles = part(_rels(zf, main_name).get(_RT + "styles"), _CT_STYLES)
        core = part(package.get(_RT_CORE), _CT_CORE)
        if styles is None:               # python-docx would use its default styles
            raise _Unexpected
        document = _xml(main)
        if document.find(f".//{_W}vMerge") is not None or \
                document.find(f".//{_W}gridSpan") is not None:
            raise _Unexpected            # merged cells: python-docx repeats their content
        body = document.find(_W + "body")
        if body is None:
            raise _Unexpected
        heading_ids: set[str] = set()
        for style in _xml(styles):
            if style.tag != _W + "style":
                continue
            kind = style.get(_W + "type")
            if kind is None:             # python-docx stops there (see _heading_style_ids)
                break
            if kind not in _STYLE_TYPES:
                raise _Unexpected
            name_el = style.find(_W + "name")
            name = name_el.get(_VAL) if name_el is not None else None
            if name_el is not None and name is None:
                raise _Unexpected
            style_id = style.get(_W + "styleId")
            if (name or "").lower().startswith(_HEADING_PREFIXES) and style_id:
                heading_ids.add(style_id)
        blocks = list(_fast_blocks(body, heading_ids))
        if core is None:                 # python-docx's default core properties
            return blocks, "Word Document", ""
        props = _xml(core)
        title, author = props.find(_DC + "title"), props.find(_DC + "creator")
        return (blocks, "" if title is None else title.text or "",
                "" if author is None else author.text or "")


@register(".docx")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Parse a .docx (``encoding`` is ignored).

    :raises ImportFileError: legacy/password-protected (OLE) file, broken zip,
        suspicious archive, DOCTYPE/ENTITY declarations in the XML.
    """
    check_zip(path, kind=".docx", legacy_hint=_LEGACY)
    try:
        blocks, title, author = _read_fast(path)
    except Exception:     # noqa: BLE001 - whatever it is, python-docx reads it as before
        blocks, title, author = _read_python_docx(path)
    lines: list[str] = []
    hints: dict[int, str] = {}
    headings: set[int] = set()
    for text, label, heading in blocks:
        first = len(lines)
        lines.extend(normalise_text(text).split("\n"))
        if label and lines[first].strip():
            hints[first] = label
        if heading:
            headings.update(range(first, len(lines)))
    metadata: dict[str, object] = {}
    if title:
        metadata["document_title"] = title
    if author:
        metadata["author"] = author
    return transcript_from_lines(
        lines,
        path=path,
        source_format="docx",
        label_hints=hints,
        paragraph_lines=headings,
        paragraph_per_line=True,
        metadata=metadata,
    )
