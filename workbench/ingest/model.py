"""Typed results of parsing a transcript file, before anything touches the store.

A parser turns one file into a :class:`ParsedTranscript`: the normalised plain text
(NFC, ``\\n`` line ends) and its segments as ``[start, end)`` character offsets into
that text -- the offsets REFI-QDA uses.  Parsers never write to a project.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workbench.i18n import _


@dataclass(frozen=True)
class ParsedSegment:
    start: int                      # character offset in ParsedTranscript.text, inclusive
    end: int                        # exclusive
    speaker: str | None = None      # as written in the source ("ENQ", "Marie", "Formatrice")
    kind: str = "turn"              # "turn" (speaker turn) or "paragraph"
    timestamp: float | None = None  # seconds from the start of the recording
    end_time: float | None = None
    is_interviewer: bool = False    # speaker recognised as the interviewer (ENQ, Q, E, ...)
    #: where the turn's words begin: after the speaker label and any written timestamp
    #: (``[00:02:51] Karima :``); ``None`` means at ``start``.
    body_start: int | None = None
    section: str | None = None      # the part of the interview it falls in (.trs <Section topic>)

    @property
    def words_start(self) -> int:
        """``body_start``, or ``start`` when the segment opens with its words."""
        return self.start if self.body_start is None else self.body_start


@dataclass(frozen=True)
class ParsedTranscript:
    text: str
    segments: tuple[ParsedSegment, ...]
    source_format: str                              # "txt", "docx", "odt", "rtf", "vtt", ...
    encoding: str | None = None                     # for byte-level text formats
    metadata: dict = field(default_factory=dict)    # title, date, speakers found in headers...
    warnings: tuple[str, ...] = ()
    #: codes the source attaches to spans of the text, ``(start, end, code path)``: a
    #: table's ``tags`` column (imported as codings only when asked)
    tags: tuple[tuple[int, int, str], ...] = ()


class ImportFileError(Exception):
    """A file that cannot be imported.  The message names the file and, where it
    applies, the line (1-based) or byte offset."""

    def __init__(self, path, message: str, line: int | None = None, offset: int | None = None):
        self.path = str(path)
        self.line = line
        self.offset = offset
        where = self.path
        if line is not None:
            where += f":{line}"
        elif offset is not None:
            where = _("{file} (offset {offset})").format(file=where, offset=offset)
        super().__init__(_("{where}: {message}").format(where=where, message=message))
