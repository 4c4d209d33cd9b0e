"""Word (.docx) transcripts, via python-docx after zip and XML safety checks.

Paragraphs are read in document order, tables row by row (a ``speaker | text``
or ``time | speaker | text`` row becomes one ``"Speaker : text"`` line).  A bold
leading run ending with ``:`` (or followed by one) names the speaker even when
the label occurs only once; other labels follow :mod:`workbench.ingest.speakers`.
Heading paragraphs are never part of a turn.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from workbench.i18n import _
from workbench.safety.errors import library_detail

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


@register(".docx")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Parse a .docx (``encoding`` is ignored).

    :raises ImportFileError: legacy/password-protected (OLE) file, broken zip,
        suspicious archive, DOCTYPE/ENTITY declarations in the XML.
    """
    check_zip(path, kind=".docx", legacy_hint=_LEGACY)
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
    lines: list[str] = []
    hints: dict[int, str] = {}
    headings: set[int] = set()
    for text, label, heading in _blocks(document, _heading_style_ids(document)):
        first = len(lines)
        lines.extend(normalise_text(text).split("\n"))
        if label and lines[first].strip():
            hints[first] = label
        if heading:
            headings.update(range(first, len(lines)))
    metadata: dict[str, object] = {}
    core = document.core_properties
    if core.title:
        metadata["document_title"] = core.title
    if core.author:
        metadata["author"] = core.author
    return transcript_from_lines(
        lines,
        path=path,
        source_format="docx",
        label_hints=hints,
        paragraph_lines=headings,
        paragraph_per_line=True,
        metadata=metadata,
    )
