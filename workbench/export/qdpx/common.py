"""What every element reader and writer of the ``.qdpx`` exchange shares: the namespace,
XML helpers, the ``Workbench : {json}`` metadata line, time stamps, the import report
(new / matched / conflicts / warnings) and the list of what the reader keeps."""
from __future__ import annotations

import datetime as _dt
import functools
import json
from collections import Counter
from pathlib import Path
from typing import Callable

from lxml import etree

from workbench.domain import ValidationError
from workbench.i18n import N_, _

NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Workbench 0.1"
XSD_PATH = Path(__file__).resolve().parent.parent / "Project.xsd"
META_PREFIX = "Workbench : "
#: zip folder of what only Workbench reads back (turn boundaries, coding origins)
SIDECAR_DIR = "Workbench"
ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]


class QdpxError(ValidationError):
    """A .qdpx that cannot be imported; nothing was imported."""

    title = N_("REFI-QDA import failed")


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def kids(el, name: str) -> list:
    if el is None:
        return []
    return [c for c in el if isinstance(c.tag, str) and local(c) == name]


def kid(el, name: str):
    found = kids(el, name)
    return found[0] if found else None


def text_of(el, name: str) -> str:
    k = kid(el, name)
    return (k.text or "") if k is not None else ""


def noop(*_a) -> None:
    return None


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


@functools.lru_cache(maxsize=8192)      # an export writes thousands of the same few
def stamp(value: str | None) -> str | None:
    """An ``xsd:dateTime`` (UTC, no fraction) from an ISO time stamp, or None."""
    if not value:
        return None
    try:
        t = _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta_line(data: dict) -> str:
    return META_PREFIX + json.dumps({k: v for k, v in data.items() if v not in (None, "", [], {})},
                                    ensure_ascii=False, sort_keys=True)


def split_description(text: str | None) -> tuple[str, dict]:
    """A ``<Description>`` as (the free text a person wrote, our metadata line)."""
    free: list[str] = []
    meta: dict = {}
    for line in (text or "").split("\n"):
        if line.startswith(META_PREFIX) and not meta:
            try:
                value = json.loads(line[len(META_PREFIX):])
                meta = value if isinstance(value, dict) else {}
                continue
            except json.JSONDecodeError:
                pass
        free.append(line)
    return "\n".join(free).strip("\n"), meta


def join_description(free: str | None, meta: dict | None) -> str:
    parts = [p for p in ((free or "").strip("\n"), meta_line(meta) if meta else "") if p]
    return "\n".join(parts)


def set_dates(el, data: dict, names=("creatingUser", "creationDateTime", "modifyingUser",
                                     "modifiedDateTime"), users: set[str] | None = None) -> None:
    """Write kept REFI attributes back (user GUIDs only when that user is written)."""
    for name in names:
        value = data.get(name)
        if not value or el.get(name):
            continue
        if name.endswith("User") or name.endswith("UserGUID"):
            if users is not None and value.lower() not in users:
                continue
        elif name.endswith("DateTime"):
            value = stamp(value)
            if not value:
                continue
        el.set(name, value)


# --------------------------------------------------------------------------- report
# One report and one conflict model for every import and merge (workbench.exchange).
from workbench.exchange.conflicts import KINDS as ELEMENT_KINDS, Conflict  # noqa: E402,F401
from workbench.exchange.report import ExchangeReport as ImportReport  # noqa: E402,F401


# ----------------------------------------------------------------- what the reader keeps
_DATES = {"creatingUser", "creationDateTime", "modifyingUser", "modifiedDateTime"}
#: element -> the attributes and child elements the import keeps (anything else in a
#: file is named in a warning).  Links and Graphs are kept whole.
KEPT: dict[str, set[str]] = {
    "Project": {"name", "origin", "creatingUserGUID", "creationDateTime", "modifyingUserGUID",
                "modifiedDateTime", "basePath", "Users", "CodeBook", "Variables", "Cases",
                "Sources", "Notes", "Links", "Sets", "Graphs", "Description", "NoteRef",
                "schemaLocation"},
    "Users": {"User"},
    "User": {"guid", "name", "id"},
    "CodeBook": {"Codes"},
    "Codes": {"Code"},
    "Code": {"guid", "name", "isCodable", "color", "Description", "NoteRef", "Code"},
    "Variables": {"Variable"},
    "Variable": {"guid", "name", "typeOfVariable", "Description"},
    "Cases": {"Case"},
    "Case": {"guid", "name", "Description", "CodeRef", "VariableValue", "SourceRef",
             "SelectionRef"},
    "VariableValue": {"VariableRef", "TextValue", "BooleanValue", "IntegerValue", "FloatValue",
                      "DateValue", "DateTimeValue"},
    "Sources": {"TextSource", "PictureSource", "PDFSource", "AudioSource", "VideoSource"},
    "TextSource": {"guid", "name", "plainTextPath", "Description", "PlainTextContent",
                   "PlainTextSelection", "Coding", "NoteRef", "VariableValue"} | _DATES,
    "PlainTextSelection": {"guid", "name", "startPosition", "endPosition", "Description",
                           "Coding", "NoteRef"} | _DATES,
    "Coding": {"guid", "creatingUser", "creationDateTime", "CodeRef", "NoteRef"},
    "Notes": {"Note"},
    "Note": {"guid", "name", "plainTextPath", "Description", "PlainTextContent"} | _DATES,
    "Sets": {"Set"},
    "Set": {"guid", "name", "Description", "MemberCode", "MemberSource", "MemberNote"},
    "Links": set(), "Graphs": set(),     # kept whole
    "NoteRef": {"targetGUID"}, "CodeRef": {"targetGUID"}, "SourceRef": {"targetGUID"},
    "SelectionRef": {"targetGUID"}, "VariableRef": {"targetGUID"},
    "MemberCode": {"targetGUID", "guid"}, "MemberSource": {"targetGUID", "guid"},
    "MemberNote": {"targetGUID", "guid"},
    **{t: set() for t in ("Description", "PlainTextContent", "TextValue", "BooleanValue",
                          "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")},
}
#: non-text sources: skipped with their own warning (how many codings they held)
SKIPPED_SOURCES = {"PictureSource", "PDFSource", "AudioSource", "VideoSource"}


def unkept(root) -> list[str]:
    """Warnings naming what the file holds and the import does not keep (attributes and
    elements outside :data:`KEPT`), with counts."""
    counts: Counter = Counter()
    stack = [root]
    while stack:
        el = stack.pop()
        name = local(el)
        allowed = KEPT.get(name)
        if allowed is None or name in ("Links", "Graphs"):
            continue
        for attr in el.attrib:
            attr_name = etree.QName(attr).localname
            if attr_name not in allowed:
                counts[f"{name}@{attr_name}"] += 1
        for child in el:
            if not isinstance(child.tag, str):
                continue
            child_name = local(child)
            if child_name in SKIPPED_SOURCES:
                continue
            if child_name not in allowed or child_name not in KEPT:
                counts[f"{name}/{child_name}"] += 1
                continue
            stack.append(child)
    return [_("not kept from the file: {what} ({n}×)").format(what=what, n=n)
            for what, n in sorted(counts.items())]
