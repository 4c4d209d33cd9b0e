"""Every XML read goes through a parser configured against hostile input.

* lxml (Office parts, REFI-QDA ``.qde``/``.qdc``): :func:`lxml_parser` never resolves
  entities, never loads a DTD, never touches the network, and keeps libxml2's limits
  on depth (256) and on the size of one text node (``huge_tree=False``).
* the standard library (``ElementTree`` readers: ``.odt``, ``.trs``): through
  defusedxml, with DTDs forbidden unless the format needs its usual external
  ``<!DOCTYPE ... SYSTEM "x.dtd">`` line (Transcriber), entities always forbidden.

The refusal of DOCTYPE and ENTITY declarations is the parser's own verdict (it reads
UTF-16, BOMs and long comments as XML, not as bytes), never a look at the first
kilobytes.  Errors are :class:`XmlError` with the part and line: callers turn them into
their own file errors.
"""
from __future__ import annotations

import re
from typing import Any

from workbench.i18n import _

__all__ = ["XmlError", "check_xml", "lxml_parser", "parse_lxml", "parse_stdlib"]


class XmlError(ValueError):
    """Malformed or refused XML: ``message`` names the part, ``line`` where known;
    ``kind`` says which (``syntax``, ``entities``, ``depth``, ``size``) in every
    language."""

    def __init__(self, message: str, line: int | None = None, kind: str = "syntax"):
        self.message = message
        self.line = line
        self.kind = kind
        shown = message if line is None or _("line {line}").format(line=line) in message else \
            _("{message} (line {line})").format(message=message, line=line)
        super().__init__(shown)


def lxml_parser(**options: Any):
    """A new lxml parser with the safe options (extra keyword options are added,
    the safety ones cannot be overridden)."""
    from lxml import etree

    safe = dict(resolve_entities=False, no_network=True, load_dtd=False,
                dtd_validation=False, huge_tree=False)
    clash = {k for k in options if k in safe and options[k] != safe[k]}
    if clash:
        raise ValueError(f"unsafe XML parser options: {', '.join(sorted(clash))}")  # a programming error
    return etree.XMLParser(**{**options, **safe})


def _describe_syntax_error(exc, part: str) -> XmlError:
    msg = (getattr(exc, "msg", None) or str(exc)).strip()
    if "Excessive depth" in msg or "depth" in msg.lower() and "huge" in msg.lower():
        return XmlError(_("the XML of {part} is nested too deeply (more than 256 levels)")
                        .format(part=part), getattr(exc, "lineno", None), "depth")
    if "huge" in msg.lower():
        return XmlError(_("an XML text node of {part} is too large (more than 10 MB)")
                        .format(part=part), getattr(exc, "lineno", None), "size")
    from workbench.safety.errors import library_detail
    return XmlError(_("malformed XML in {part}: {detail}").format(
        part=part, detail=library_detail(msg)), getattr(exc, "lineno", None))


def _refuse_dtd(tree, part: str, allow_external_doctype: bool, data: bytes) -> None:
    info = tree.docinfo
    dtd = info.internalDTD
    if not info.doctype and dtd is None:
        return
    entities = dtd is not None and any(True for _entity in dtd.iterentities())
    if allow_external_doctype and not entities and not (
            dtd is not None and any(True for _element in dtd.elements())):
        return
    what = "ENTITY" if entities else "DOCTYPE"
    line = _entity_line(data)
    if line is None:
        raise XmlError(_("XML entities are not allowed ({what} declaration in {part})")
                       .format(what=what, part=part), kind="entities")
    raise XmlError(_("XML entities are not allowed ({what} declaration in {part}, line {line})")
                   .format(what=what, part=part, line=line), line, "entities")


def _entity_line(data: bytes) -> int | None:
    """The line of the first declaration, for the message (the verdict is the parser's)."""
    try:
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else \
            data.decode("utf-8", errors="replace")
    except UnicodeDecodeError:
        return None
    m = re.search(r"<!\s*ENTITY", text) or re.search(r"<!\s*DOCTYPE", text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def parse_lxml(data: bytes, *, part: str, allow_external_doctype: bool = False, **options: Any):
    """Parse ``data`` with :func:`lxml_parser`; refuse DOCTYPE/ENTITY declarations
    (only a bare external DOCTYPE when ``allow_external_doctype``).

    :returns: the root element.
    :raises XmlError: malformed, too deep, too large, or declarations.
    """
    from lxml import etree

    try:
        root = etree.fromstring(data, lxml_parser(**options))
    except etree.XMLSyntaxError as exc:
        raise _describe_syntax_error(exc, part) from None
    _refuse_dtd(root.getroottree(), part, allow_external_doctype, data)
    return root


def check_xml(data: bytes, *, part: str, allow_external_doctype: bool = False) -> None:
    """Validate ``data`` as safe, well-formed XML without keeping the tree."""
    parse_lxml(data, part=part, allow_external_doctype=allow_external_doctype)


def parse_stdlib(data: bytes, *, part: str, allow_external_doctype: bool = False):
    """Parse ``data`` to an :mod:`xml.etree.ElementTree` element through defusedxml.

    :raises XmlError: malformed, or refused declarations.
    """
    from xml.etree.ElementTree import ParseError

    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        return DET.fromstring(data, forbid_dtd=not allow_external_doctype,
                              forbid_entities=True, forbid_external=True)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        from workbench.safety.errors import library_detail
        raise XmlError(_("malformed XML in {part}: {detail}").format(
            part=part, detail=library_detail(exc)), line) from None
    except DefusedXmlException as exc:
        what = "ENTITY" if "Entit" in type(exc).__name__ else "DOCTYPE"
        raise XmlError(_("XML entities are not allowed ({what} declaration in {part})")
                       .format(what=what, part=part), _entity_line(data), "entities") from None
