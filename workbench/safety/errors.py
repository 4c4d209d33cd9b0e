"""Turning whatever a parser library raises into a sentence about the file.

Importers wrap every parser call (one wrapper each: transcripts, codebooks, REFI-QDA,
participant tables) and call :func:`describe` on anything that is not already one of
their own errors, so a malformed part, a truncated zip or a library bug on odd input
becomes that file's error instead of a traceback that stops a batch.
"""
from __future__ import annotations

import errno
import re
import zipfile
import zlib

from workbench.i18n import N_, _, language
from workbench.safety.xml import XmlError

__all__ = ["describe", "library_detail", "os_reason"]

#: What the libraries we read files with (libxml2, expat, zipfile, PyYAML, python-docx)
#: say most often, in the user's words: a pattern of their English text → a message
#: whose placeholders are the pattern's named groups.
_LIBRARY_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), message) for pattern, message in (
        # zipfile
        (r"^File is not a zip file$", N_("not a zip archive")),
        (r"^Truncated file header$", N_("truncated archive")),
        (r"^Bad magic number for (?:file header|central directory)$",
         N_("damaged archive (bad signature)")),
        (r"^Bad CRC-32 for file '?(?P<name>[^']*)'?$",
         N_("damaged archive (bad checksum for {name})")),
        (r"^Bad offset for central directory$|^Corrupt extra field", N_("damaged archive")),
        (r"compression method .*not supported|^That compression method is not supported$",
         N_("compression method not supported")),
        (r"^zipfiles that span multiple disks are not supported$",
         N_("archive split over several disks: not supported")),
        (r"^There is no item named '(?P<name>[^']*)' in the archive$",
         N_("the archive has no {name}")),
        # libxml2 (lxml) and expat (ElementTree)
        (r"^Document is empty$|^no element found$", N_("empty document")),
        (r"^Start tag expected, '<' not found$", N_("no XML element at the start")),
        (r"^Premature end of data in tag (?P<tag>\S+)(?: line \d+)?$|^unclosed token$",
         N_("the document ends before its elements are closed")),
        (r"^Opening and ending tag mismatch: (?P<open>\S+)(?: line \d+)? and (?P<close>\S+)$",
         N_("element <{open}> closed by </{close}>")),
        (r"^mismatched tag$", N_("an element is closed by another one's tag")),
        (r"^Extra content at the end of the document$|^junk after document element$",
         N_("content after the end of the document")),
        (r"^Entity '(?P<name>[^']*)' not defined$", N_("undefined entity {name}")),
        (r"^undefined entity$", N_("undefined entity")),
        (r"^Attribute (?P<name>\S+) redefined$", N_("attribute {name} given twice")),
        (r"^duplicate attribute$", N_("an attribute given twice")),
        (r"^Couldn't find end of Start Tag (?P<tag>\S+)(?: line \d+)?$",
         N_("unfinished tag <{tag}>")),
        (r"^AttValue: \" or ' expected$", N_("an attribute value without quotes")),
        (r"^Attribute references external entity '(?P<name>[^']*)'$",
         N_("an attribute refers to the external entity {name}")),
        (r"^not well-formed \(invalid token\)$", N_("invalid character or token")),
        (r"^(?:Char 0x[0-9A-F]+ out of allowed range|PCDATA invalid Char value \d+|"
         r"Input is not proper UTF-8.*|invalid character.*)$", N_("invalid character")),
        (r"^syntax error$", N_("syntax error")),
        # PyYAML
        (r"^mapping values are not allowed here$", N_("a colon where a value was expected")),
        (r"^found character '\\t' that cannot start any token$",
         N_("a tab character (indent with spaces)")),
        (r"^found character '(?P<char>.+)' that cannot start any token$",
         N_("the character {char} cannot start a value")),
        (r"^expected ',' or '(?P<close>[\]}])', but got .*$", N_("missing {close}")),
        (r"^found undefined alias '(?P<name>[^']*)'$", N_("undefined alias {name}")),
        (r"^expected <block end>, but found .*$", N_("bad indentation")),
        (r"^found unexpected end of stream$", N_("the file ends inside a value")),
        (r"^could not find expected ':'$", N_("a key without its colon")),
        (r"^found duplicate anchor .*$", N_("an anchor defined twice")),
    ))
_WHERE = re.compile(r"[:,]?\s*line (?P<line>\d+), column (?P<column>\d+)\s*$")


def library_detail(text: object, fallback: str | None = None) -> str:
    """A library's English error text (or exception) in the user's language: a phrase
    we know is translated, with its line and column; one we do not know is kept as is
    in English, and is ``fallback`` (already translated; "unexpected content" when not
    given) in French, so that no English sentence reaches a French user."""
    raw = str(text).strip() if not isinstance(text, BaseException) else \
        (str(getattr(text, "msg", None) or text).strip() or type(text).__name__)
    m = _WHERE.search(raw)
    reason = raw[:m.start()].strip() if m else raw
    message = None
    for pattern, msgid in _LIBRARY_PHRASES:
        found = pattern.search(reason)
        if found:
            message = _(msgid).format(**{k: v for k, v in found.groupdict().items()
                                         if v is not None})
            break
    if message is None:
        # a bare name (a zip member, an element) is no sentence: kept in every language
        message = reason if language() == "en" or not re.search(r"\s", reason) \
            else (fallback or _("unexpected content"))
    if m:
        return _("{detail} (line {line}, column {column})").format(
            detail=message, line=m.group("line"), column=m.group("column"))
    return message


#: errno → the reason in the user's words (the C library's strerror is English here:
#: Python does not set the messages locale).
_OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"), errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("operation not permitted"), errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.ENOSPC: N_("no space left on the disk"), errno.EROFS: N_("read-only disk"),
    errno.EMFILE: N_("too many open files"), errno.ENAMETOOLONG: N_("name too long"),
    errno.EIO: N_("input/output error"), errno.EEXIST: N_("the file already exists"),
    errno.EBUSY: N_("busy"), errno.ELOOP: N_("too many symbolic links"),
}


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in the user's language (never the C library's
    English ``strerror``)."""
    msgid = _OS_REASONS.get(exc.errno or 0)
    if msgid:
        return _(msgid)
    name = errno.errorcode.get(exc.errno or 0)
    if language() == "en" or not name:
        return exc.strerror or str(exc) or type(exc).__name__
    return _("system error {code}").format(code=name)


def describe(exc: BaseException) -> tuple[str, int | None]:
    """``(message, line)`` for an exception raised while reading a file (the message
    does not name the file: the caller's error does)."""
    if isinstance(exc, XmlError):
        return exc.message, exc.line
    try:
        from lxml import etree
        if isinstance(exc, etree.XMLSyntaxError):
            return _("malformed XML: {detail}").format(detail=library_detail(exc)), exc.lineno
    except ImportError:  # pragma: no cover - lxml is a dependency
        pass
    from xml.etree.ElementTree import ParseError
    if isinstance(exc, ParseError):
        line = exc.position[0] if getattr(exc, "position", None) else None
        return _("malformed XML: {detail}").format(detail=library_detail(exc)), line
    try:
        import yaml
        if isinstance(exc, yaml.YAMLError):
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            return _("malformed YAML: {detail}").format(detail=library_detail(problem)), \
                (mark.line + 1 if mark is not None else None)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError)):
        return _("damaged or truncated archive ({detail})").format(
            detail=library_detail(exc, _("damaged archive"))), None
    if isinstance(exc, UnicodeError):
        if isinstance(exc, UnicodeDecodeError):
            return _("the text cannot be decoded ({encoding}, byte {position})").format(
                encoding=exc.encoding, position=exc.start), None
        return _("the text cannot be decoded"), None
    if isinstance(exc, RecursionError):
        return _("the file is nested too deeply to be read"), None
    if isinstance(exc, MemoryError):
        return _("the file is too large to be read in memory"), None
    if isinstance(exc, KeyError):
        detail = exc.args[0] if exc.args else ""
        return _("damaged file: a required part is missing ({detail})").format(
            detail=library_detail(detail, _("a part of the file"))), None
    if isinstance(exc, OSError):
        return _("cannot read this file: {detail}").format(detail=os_reason(exc)), None
    detail = library_detail(exc, _("the reading library failed ({kind})").format(
        kind=type(exc).__name__))
    return _("cannot read this file: {detail}").format(detail=detail), None
