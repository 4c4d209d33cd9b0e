"""Turning whatever a parser library raises into a sentence about the file.

Importers wrap every parser call (one wrapper each: transcripts, codebooks, REFI-QDA,
participant tables) and call :func:`describe` on anything that is not already one of
their own errors, so a malformed part, a truncated zip or a library bug on odd input
becomes that file's error instead of a traceback that stops a batch.
"""
from __future__ import annotations

import zipfile
import zlib

from workbench.i18n import _
from workbench.safety.xml import XmlError

__all__ = ["describe"]


def describe(exc: BaseException) -> tuple[str, int | None]:
    """``(message, line)`` for an exception raised while reading a file (the message
    does not name the file: the caller's error does)."""
    if isinstance(exc, XmlError):
        return exc.message, exc.line
    try:
        from lxml import etree
        if isinstance(exc, etree.XMLSyntaxError):
            return _("malformed XML: {detail}").format(detail=(exc.msg or str(exc)).strip()), \
                exc.lineno
    except ImportError:  # pragma: no cover - lxml is a dependency
        pass
    from xml.etree.ElementTree import ParseError
    if isinstance(exc, ParseError):
        line = exc.position[0] if getattr(exc, "position", None) else None
        return _("malformed XML: {detail}").format(detail=exc), line
    try:
        import yaml
        if isinstance(exc, yaml.YAMLError):
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            return _("malformed YAML: {detail}").format(detail=problem), \
                (mark.line + 1 if mark is not None else None)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError)):
        return _("damaged or truncated archive ({detail})").format(detail=str(exc) or type(exc).__name__), None
    if isinstance(exc, UnicodeError):
        return _("the text cannot be decoded ({detail})").format(detail=exc), None
    if isinstance(exc, RecursionError):
        return _("the file is nested too deeply to be read"), None
    if isinstance(exc, MemoryError):
        return _("the file is too large to be read in memory"), None
    if isinstance(exc, KeyError):
        detail = exc.args[0] if exc.args else ""
        return _("damaged file: a required part is missing ({detail})").format(detail=detail), None
    detail = str(exc).strip() or type(exc).__name__
    return _("cannot read this file: {detail}").format(detail=detail), None
