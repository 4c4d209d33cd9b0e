"""Transcriber (.trs) XML transcripts.

``<Trans>`` holds ``<Speakers>`` (id → name) and ``<Episode>/<Section>/<Turn>``
elements.  A turn's text is the text around its ``<Sync/>`` markers; ``<Event
desc="rires"/>`` is rendered ``[rires]`` (``[desc]`` ... ``[/desc]`` for events
with ``extent="begin"``/``"end"``), ``<Comment desc=".."/>`` is rendered
``{..}``.  Overlapping speech (``<Turn speaker="spk1 spk2">`` with ``<Who nb="1"/>``
markers) gives one segment per ``Who``.  A turn's section is its ``<Section
topic="...">``'s topic, by the description ``<Topics>`` gives it (its id when the
description is empty); a section without topic gives none.  Files are often ISO-8859-1: the bytes go
to the XML parser, which honours the XML declaration.  Entity declarations are
refused; the usual ``<!DOCTYPE Trans SYSTEM "trans-14.dtd">`` is accepted (and
never fetched).
"""
from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

from workbench.i18n import _

from ...safety.xml import XmlError, parse_stdlib
from ..model import ImportFileError, ParsedTranscript
from ._base import TurnBuilder, read_bytes, register


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _event(el: Element) -> str:
    desc = (el.get("desc") or el.get("type") or "").strip()
    if not desc:
        return ""
    extent = el.get("extent", "instantaneous")
    if el.tag == "Comment":
        return f" {{{desc}}} "
    if extent == "end":
        return f" [/{desc}] "
    return f" [{desc}] "


def _turn_pieces(turn: Element) -> list[tuple[int | None, str, float | None]]:
    """Split a turn at its ``Who`` markers: ``(who_nb, text, sync_time)`` pieces."""
    pieces: list[tuple[int | None, str, float | None]] = []
    who: int | None = None
    sync: float | None = None
    buf: list[str] = [turn.text or ""]

    def flush() -> None:
        text = re.sub(r"\s+", " ", "".join(buf)).strip()
        if text:
            pieces.append((who, text, sync))

    last_sync: float | None = None
    for child in turn:
        if child.tag == "Who":
            flush()
            buf = []
            sync = last_sync                 # this speaker's words start after the last <Sync>
            try:
                who = int(child.get("nb", ""))
            except ValueError:
                who = None
        elif child.tag == "Sync":
            time = _float(child.get("time"))
            last_sync = time if time is not None else last_sync
            if not "".join(buf).strip():
                sync = last_sync
            buf.append(" ")
        elif child.tag in ("Event", "Comment"):
            buf.append(_event(child))
        else:  # unknown element: keep its text
            buf.append(" " + "".join(child.itertext()) + " ")
        buf.append(child.tail or "")
    flush()
    return pieces


@register(".trs")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Parse a Transcriber file (``encoding`` is ignored: the XML declares its own).

    :raises ImportFileError: not well-formed XML (with the parser's line number),
        an entity declaration, or no ``<Trans>`` root.
    """
    data = read_bytes(path)
    if not data.strip():
        raise ImportFileError(path, _("empty file"))
    try:
        root = parse_stdlib(data, part=path.name, allow_external_doctype=True)
    except XmlError as exc:
        raise ImportFileError(path, exc.message, line=exc.line) from None
    if root.tag != "Trans":
        raise ImportFileError(path, _("not a Transcriber file: root element is <{tag}>, not "
                                      "<Trans>").format(tag=root.tag))

    names: dict[str, str] = {}
    speaker_info: dict[str, dict[str, str]] = {}
    warnings: list[str] = []
    first_with: dict[str, str] = {}          # a name -> the first speaker id declared with it
    for spk in root.iter("Speaker"):
        sid = spk.get("id", "")
        if sid in names:
            continue
        name = (spk.get("name") or sid).strip() or sid
        if name in first_with:
            # two speakers declared under one name (``SD`` named like ``L1``): the later
            # one is labelled with its id too, so neither inherits the other's words
            qualified = f"{name} ({sid})"
            message = _(
                "{file}: speakers {first} and {other} are both named {name!r}: the turns of {other} "
                "are labelled {label!r} (give both labels to --speaker if they are one person)")
            warnings.append(message.format(file=path, first=first_with[name], other=sid,
                                           name=name, label=qualified))
            name = qualified
        first_with.setdefault(name, sid)
        names[sid] = name
        speaker_info[sid] = dict(spk.attrib)

    # a turn's section: its <Section topic="id">'s description (the id when it has none)
    topics = {t.get("id", ""): (t.get("desc") or "").strip() for t in root.iter("Topic")}
    section_of: dict[int, str | None] = {}
    for sec in root.iter("Section"):
        topic = (sec.get("topic") or "").strip()
        name = (topics.get(topic) or topic) if topic else None
        for turn in sec.iter("Turn"):
            section_of[id(turn)] = name

    builder = TurnBuilder()
    for turn in root.iter("Turn"):
        ids = (turn.get("speaker") or "").split()
        start, end = _float(turn.get("startTime")), _float(turn.get("endTime"))
        for who, text, sync in _turn_pieces(turn):
            who_id: str | None = None
            if who is not None and 1 <= who <= len(ids):
                who_id = ids[who - 1]
            elif len(ids) == 1 or (ids and who is None):
                who_id = ids[0]
            name = names.get(who_id, who_id) if who_id else None
            if who_id and who_id not in names:
                warnings.append(_("{file}: turn speaker {id!r} is not declared in <Speakers>")
                                .format(file=path, id=who_id))
            # the time of the piece's first words: the <Sync> before them, else the turn's
            ts = sync if sync is not None else start
            builder.add(text, name, timestamp=ts, end_time=end, section=section_of.get(id(turn)))
    metadata: dict[str, object] = {
        key: root.get(attr)
        for key, attr in (
            ("scribe", "scribe"),
            ("audio_filename", "audio_filename"),
            ("version", "version"),
            ("version_date", "version_date"),
            ("language", "xml:lang"),
        )
        if root.get(attr)
    }
    metadata["trs_speakers"] = speaker_info
    decl = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([\w.:-]+)", data)
    xml_encoding = decl.group(1).decode("ascii").lower() if decl else "utf-8"
    return builder.build(path=path, source_format="trs", encoding=xml_encoding, warnings=warnings, metadata=metadata)
