"""OpenDocument text (.odt) transcripts: ``content.xml`` read with defusedxml.

``text:p`` and ``text:h`` give paragraphs (headings are never part of a turn);
``text:s`` (with its ``text:c`` count), ``text:tab`` and ``text:line-break`` give
spaces, tabs and line breaks; spans, links and lists are walked recursively;
tables are read row by row like .docx tables; notes, annotations and tracked
deletions are skipped.  A bold leading span ending with ``:`` names the speaker.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from ...safety.xml import XmlError, parse_stdlib
from workbench.i18n import N_, _

from ..model import ImportFileError, ParsedTranscript
from ..speakers import clean_label, looks_like_label
from ._base import check_zip, normalise_text, read_zip_member, register, table_row_line, transcript_from_lines

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"


def _t(name: str) -> str:
    return f"{{{TEXT}}}{name}"


_SKIP = {_t("note"), f"{{{OFFICE}}}annotation", f"{{{OFFICE}}}annotation-end", _t("tracked-changes"),
         _t("bookmark"), _t("bookmark-start"), _t("bookmark-end"), _t("soft-page-break"),
         _t("sequence-decls"), _t("table-of-content")}
_LEGACY = N_("password-protected or legacy file: save it as .odt without a password")


def _bold_styles(root: Element) -> set[str]:
    """Names of automatic text styles that set a bold font weight."""
    bold: set[str] = set()
    for style in root.iter(f"{{{STYLE}}}style"):
        props = style.find(f"{{{STYLE}}}text-properties")
        if props is not None and props.get(f"{{{FO}}}font-weight") in ("bold", "700", "800", "900"):
            bold.add(style.get(f"{{{STYLE}}}name", ""))
    return bold


def _inline(el: Element, out: list[str], bold: set[str], bold_prefix: list[str] | None) -> None:
    """Append the text of an inline container; collect its leading bold text."""
    def collapse(s: str | None) -> str:
        return re.sub(r"[ \t\r\n]+", " ", s or "")

    if el.text:
        out.append(collapse(el.text))
    for child in el:
        tag = child.tag
        if tag in _SKIP:
            pass
        elif tag == _t("s"):
            try:
                out.append(" " * max(1, int(child.get(_t("c"), "1"))))
            except ValueError:
                out.append(" ")
        elif tag == _t("tab"):
            out.append("\t")
        elif tag == _t("line-break"):
            out.append("\n")
        else:
            start = len(out)
            _inline(child, out, bold, None)
            if (bold_prefix is not None and child.tag == _t("span")
                    and child.get(_t("style-name")) in bold and not "".join(out[:start]).strip()):
                bold_prefix.append("".join(out[start:]))
        if child.tail:
            out.append(collapse(child.tail))


def _paragraphs(el: Element, bold: set[str]) -> Iterator[tuple[str, str | None, bool]]:
    """``(text, bold_label, is_heading)`` for each paragraph in document order."""
    for child in el:
        tag = child.tag
        if tag in (_t("p"), _t("h")):
            out: list[str] = []
            prefix: list[str] = []
            _inline(child, out, bold, prefix)
            text = "".join(out).strip(" ")
            label = None
            if prefix:
                cand = "".join(prefix).strip()
                stripped = text.strip()
                if stripped.startswith(cand) and cand.endswith(":") and stripped[len(cand):].strip():
                    cand = clean_label(cand[:-1])
                    label = cand if looks_like_label(cand) else None
            yield text, label, tag == _t("h")
        elif tag == f"{{{TABLE}}}table":
            for row in child.iter(f"{{{TABLE}}}table-row"):
                cells = row.findall(f"{{{TABLE}}}table-cell")
                cell_pars = [list(_paragraphs(c, bold)) for c in cells]
                joined = table_row_line(["\n".join(p[0] for p in pars) for pars in cell_pars])
                if joined is not None:
                    yield joined, None, False
                else:
                    for pars in cell_pars:
                        yield from pars
        elif tag in _SKIP:
            continue
        else:  # sections, lists, list items, frames...
            yield from _paragraphs(child, bold)


@register(".odt")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Parse an .odt (``encoding`` is ignored).

    :raises ImportFileError: legacy/encrypted file, broken zip, suspicious archive,
        DOCTYPE/ENTITY declarations, malformed content.xml (with its line).
    """
    check_zip(path, kind=".odt", legacy_hint=_(_LEGACY))
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        if "META-INF/manifest.xml" in names:
            manifest = read_zip_member(zf, "META-INF/manifest.xml", path=path, kind=".odt")
            if b"encryption-data" in manifest:
                raise ImportFileError(path, _("password-protected .odt file: save it without a "
                                              "password"))
        content = read_zip_member(zf, "content.xml", path=path, kind=".odt")
    try:
        root = parse_stdlib(content, part="content.xml")
    except XmlError as exc:   # the line is content.xml's, not the file's
        raise ImportFileError(path, str(exc)) from None
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise ImportFileError(path, _("not an OpenDocument text: content.xml has no office:text "
                                      "body"))
    lines: list[str] = []
    hints: dict[int, str] = {}
    headings: set[int] = set()
    for text, label, heading in _paragraphs(body, _bold_styles(root)):
        first = len(lines)
        lines.extend(normalise_text(text).split("\n"))
        if label:
            hints[first] = label
        if heading:
            headings.update(range(first, len(lines)))
    return transcript_from_lines(
        lines, path=path, source_format="odt", label_hints=hints, paragraph_lines=headings, paragraph_per_line=True
    )
