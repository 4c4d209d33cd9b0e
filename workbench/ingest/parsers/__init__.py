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
from os import PathLike
from pathlib import Path

from ..model import ImportFileError, ParsedTranscript
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
        offset where it applies).
    """
    p = Path(path)
    parser = parser_for(p)
    if parser is None:
        raise ImportFileError(
            p, f"unsupported file type {p.suffix or '(none)'!r} (supported: {', '.join(sorted(SUPPORTED_EXTENSIONS))})"
        )
    if not p.exists():
        raise ImportFileError(p, "file not found")
    if not p.is_file():
        raise ImportFileError(p, "not a regular file")
    options = {"columns": dict(columns)} if columns and _takes(parser, "columns") else {}
    with known_speakers(speakers):
        return parser(p, encoding, **options)


def _takes(parser: ParserFunc, option: str) -> bool:
    """Whether a parser has the keyword ``option`` (tables take ``columns``)."""
    return option in inspect.signature(parser).parameters
