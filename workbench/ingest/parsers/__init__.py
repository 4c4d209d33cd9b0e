"""Transcript parsers: one file in, one :class:`~workbench.ingest.model.ParsedTranscript` out.

>>> from workbench.ingest.parsers import parse_file, SUPPORTED_EXTENSIONS
>>> transcript = parse_file("entretien.docx")            # doctest: +SKIP

Formats live in private modules that register themselves in
:data:`~workbench.ingest.parsers._base.REGISTRY` with ``@register(".ext")``;
adding a format is adding a module and importing it here.  Parsers never touch
the store.
"""
from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from os import PathLike
from pathlib import Path
from typing import Any

from ...i18n import ngettext
from ...safety.errors import describe
from ...safety.limits import MAX_SEGMENT_CHARS
from ...safety.text import clean_text, clean_text_map, has_unsafe
from ..model import ImportFileError, ParsedSegment, ParsedTranscript
from workbench.i18n import _
from ..speakers import known_speakers
from . import _docx, _json, _odt, _rtf, _subtitles, _table, _text, _trs  # noqa: F401  (registration)
from ._base import REGISTRY, ParserFunc, register
from ._table import COLUMN_ROLES, parse_column_mapping

__all__ = ["COLUMN_ROLES", "SUPPORTED_EXTENSIONS", "ImportFileError", "ParsedTranscript",
           "parse_column_mapping", "parse_file", "parser_for", "register"]

#: Lower-case extensions (with the dot) that :func:`parse_file` accepts.
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(REGISTRY)


def parser_for(path: str | PathLike[str]) -> ParserFunc | None:
    """The parser registered for the file's extension, or ``None``."""
    return REGISTRY.get(Path(path).suffix.lower())


def parse_file(path: str | PathLike[str], encoding: str | None = None, *,
               speakers: Iterable[str] = (),
               columns: Mapping[str, str] | None = None) -> ParsedTranscript:
    """Parse one transcript file.

    :param path: a file whose extension is in :data:`SUPPORTED_EXTENSIONS`.
    :param encoding: force the encoding of byte-level text formats (.txt, .md,
        .csv, .srt, .vtt) or the code page of an .rtf; ignored by the others.
    :param speakers: labels the user maps to participants: speakers wherever they open
        a line, even once (see :func:`workbench.ingest.speakers.known_speakers`).
    :param columns: for tables (.csv, .tsv, .xlsx), the role → column mapping
        (:func:`parse_column_mapping`); other formats have no columns and ignore it.
    :raises ImportFileError: unsupported extension, missing/unreadable file, or
        any content problem (the message names the file, and the line or byte
        offset where it applies); whatever a parser library raises on odd input
        becomes this error too.
    """
    p = Path(path)
    parser = parser_for(p)
    if parser is None:
        raise ImportFileError(
            p, _("unsupported file type {suffix!r} (supported: {known})").format(
                suffix=p.suffix or _("(none)"), known=", ".join(sorted(SUPPORTED_EXTENSIONS)))
        )
    if not p.exists():
        raise ImportFileError(p, _("file not found"))
    if not p.is_file():
        raise ImportFileError(p, _("not a regular file"))
    options = {"columns": dict(columns)} if columns and _takes(parser, "columns") else {}
    try:
        with known_speakers(speakers):
            parsed = parser(p, encoding, **options)
    except ImportFileError:
        raise
    except Exception as exc:   # any library error on odd input is this file's error
        message, line = describe(exc)
        raise ImportFileError(p, message, line=line) from exc
    return split_long_segments(sanitised(parsed))


def _takes(parser: ParserFunc, option: str) -> bool:
    """Whether a parser has the keyword ``option`` (tables take ``columns``)."""
    return option in inspect.signature(parser).parameters


#: Fields of a parsed segment that are offsets into the text.
OFFSET_FIELDS = ("start", "end", "body_start")


def _clean_value(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_clean_value(k): _clean_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_clean_value(v) for v in value)
    return value


def sanitised(parsed: ParsedTranscript) -> ParsedTranscript:
    """The transcript after the one sanitising step (:mod:`workbench.safety.text`):
    text cleaned with segment offsets remapped, speaker labels and metadata cleaned.
    Parsers already normalise their text; this pass makes sure no format, present or
    future, lets a control character into a project."""
    cleaned = clean_text_map(parsed.text)
    at = cleaned.offset
    segments = []
    for seg in parsed.segments:
        changes: dict[str, Any] = {}
        if cleaned.changed:
            changes = {f.name: at(getattr(seg, f.name)) for f in fields(seg)
                       if f.name in OFFSET_FIELDS and isinstance(getattr(seg, f.name), int)}
        if seg.speaker and has_unsafe(seg.speaker):
            changes["speaker"] = clean_text(seg.speaker)
        segments.append(replace(seg, **changes) if changes else seg)
    return replace(parsed, text=cleaned.text, segments=tuple(segments),
                   metadata=_clean_value(parsed.metadata),
                   warnings=tuple(clean_text(w) for w in parsed.warnings))


def split_long_segments(parsed: ParsedTranscript) -> ParsedTranscript:
    """Segments longer than :data:`~workbench.safety.limits.MAX_SEGMENT_CHARS` cut at
    spaces into several (a 45 MB file on one line is otherwise one search-index row that
    takes hundreds of MB to index, and one turn no screen can show).  The pieces keep
    the speaker; the first keeps where the words begin."""
    limit = MAX_SEGMENT_CHARS
    if not any(s.end - s.start > limit for s in parsed.segments):
        return parsed
    text = parsed.text
    out: list[ParsedSegment] = []
    split = 0
    for seg in parsed.segments:
        if seg.end - seg.start <= limit:
            out.append(seg)
            continue
        split += 1
        a, first = seg.start, True
        while a < seg.end:
            b = min(seg.end, a + limit)
            if b < seg.end:
                cut = max(text.rfind(" ", a + limit // 2, b), text.rfind("\n", a + limit // 2, b))
                b = cut if cut > a else b
            piece_end = b
            while piece_end > a and text[piece_end - 1].isspace():
                piece_end -= 1
            if piece_end > a:
                out.append(replace(seg, start=a, end=piece_end,
                                   body_start=seg.body_start if first else None))
                first = False
            a = b
            while a < seg.end and text[a].isspace():
                a += 1
    note = ngettext("{n} passage longer than {limit} characters was cut into segments",
                    "{n} passages longer than {limit} characters were cut into segments",
                    split).format(n=split, limit=limit)
    return replace(parsed, segments=tuple(out), warnings=parsed.warnings + (note,))
