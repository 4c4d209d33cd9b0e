"""Shared machinery of the transcript parsers: the format registry, text
normalisation, building transcripts from lines or from known turns, and the
safety checks on zip-based formats (.docx, .odt, .xlsx).

A new format is one new private module that defines a function
``parse(path, encoding) -> ParsedTranscript`` decorated with
``@register(".ext", ...)``, imported from ``parsers/__init__.py``.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...safety.errors import library_detail
from ...safety.limits import ArchiveBudget, LimitError
from ...safety.text import clean_text
from ...safety.xml import XmlError, check_xml
from workbench.i18n import _, integer

from ..model import ImportFileError, ParsedSegment, ParsedTranscript
from ..speakers import clean_label, is_interviewer_label, segment_lines

__all__ = [
    "MAX_FILE_BYTES",
    "ParserFunc",
    "REGISTRY",
    "TurnBuilder",
    "check_zip",
    "check_zip_bytes",
    "normalise_lines",
    "normalise_text",
    "read_bytes",
    "read_zip_member",
    "register",
    "table_row_line",
    "transcript_from_lines",
]

#: A parser: the file and an optional explicit encoding (ignored by formats that
#: carry their own) to a :class:`ParsedTranscript`.
ParserFunc = Callable[[Path, "str | None"], ParsedTranscript]

#: Lower-case extension (with the dot) → parser.
REGISTRY: dict[str, ParserFunc] = {}

#: Largest file accepted, and largest total uncompressed size of an archive.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: A member larger than this with a compression ratio above MAX_RATIO is suspicious.
LARGE_MEMBER_BYTES = 1 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def register(*extensions: str) -> Callable[[ParserFunc], ParserFunc]:
    """Class-free registry decorator: ``@register(".txt", ".md")``."""

    def deco(func: ParserFunc) -> ParserFunc:
        for ext in extensions:
            ext = ext.lower()
            if not ext.startswith("."):
                raise ValueError(f"extension must start with a dot: {ext!r}")
            REGISTRY[ext] = func
        return func

    return deco


# --------------------------------------------------------------------------- text

_INVISIBLE = re.compile(r"[\ufeff\u200b\u200c\u200d\u2060\u00ad]")


def normalise_text(text: str) -> str:
    """The sanitising step (:func:`workbench.safety.text.clean_text`: ``\\n`` line
    ends, no control characters), then NFC, no invisible characters (BOM, zero-width
    spaces, soft hyphens), no trailing whitespace on any line."""
    text = clean_text(text)
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    return "\n".join(line.rstrip() for line in text.split("\n"))


def normalise_lines(pieces: Iterable[str]) -> list[str]:
    """Normalise pieces of text (paragraphs) and split them into lines."""
    lines: list[str] = []
    for piece in pieces:
        lines.extend(normalise_text(piece).split("\n"))
    return lines


def _trim_blank_lines(
    lines: list[str], hints: Mapping[int, str], paragraph_lines: Iterable[int]
) -> tuple[list[str], dict[int, str], set[int]]:
    """Drop blank lines at both ends, shifting the line indices of hints."""
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    last = len(lines)
    while last > first and not lines[last - 1].strip():
        last -= 1
    kept = lines[first:last]
    return (
        kept,
        {i - first: h for i, h in hints.items() if first <= i < last},
        {i - first for i in paragraph_lines if first <= i < last},
    )


_TITLE_MAX = 200


def _title(text: str, segments: Sequence[ParsedSegment]) -> str | None:
    """The first line of the paragraphs before the first turn that reads like a
    title: short, not ending like a sentence, not a "Key : value" line or a list item."""
    from ..speakers import parse_line

    for seg in segments:
        if seg.kind != "paragraph":
            break
        for line in text[seg.start : seg.end].split("\n"):
            stripped = line.strip()
            if not stripped or stripped.startswith(("- ", "* ", "+ ", "> ")):
                continue
            candidate = stripped.lstrip("#").strip().strip("*_").strip()
            if (
                candidate
                and len(candidate) <= _TITLE_MAX
                and not candidate.endswith((".", ",", ";", ":", "…", "!"))
                and parse_line(candidate).label is None
            ):
                return candidate
    return None


def _metadata(text: str, segments: Sequence[ParsedSegment], extra: Mapping[str, object] | None) -> dict:
    speakers: list[str] = []
    for seg in segments:
        if seg.speaker and seg.speaker not in speakers:
            speakers.append(seg.speaker)
    meta: dict = {"speakers": speakers}
    title = _title(text, segments)
    if title:
        meta["title"] = title
    if extra:
        meta.update(extra)
    return meta


def transcript_from_lines(
    lines: Sequence[str],
    *,
    path: Path,
    source_format: str,
    encoding: str | None = None,
    warnings: Sequence[str] = (),
    label_hints: Mapping[int, str] | None = None,
    paragraph_lines: Iterable[int] = (),
    paragraph_per_line: bool = False,
    markdown: bool = False,
    metadata: Mapping[str, object] | None = None,
) -> ParsedTranscript:
    """Build a transcript from normalised lines by detecting speaker turns.

    :raises ImportFileError: the document holds no text.
    """
    kept, hints, forced = _trim_blank_lines(list(lines), label_hints or {}, paragraph_lines)
    if not kept:
        raise ImportFileError(path, _("empty file"))
    text, segments = segment_lines(
        kept,
        label_hints=hints,
        paragraph_lines=forced,
        paragraph_per_line=paragraph_per_line,
        markdown=markdown,
    )
    all_warnings = list(warnings)
    if not any(seg.speaker for seg in segments):
        all_warnings.append(_("{path}: no speaker turns detected; the text is imported as "
                            "paragraphs").format(path=path))
    return ParsedTranscript(
        text=text,
        segments=tuple(segments),
        source_format=source_format,
        encoding=encoding,
        metadata=_metadata(text, segments, metadata),
        warnings=tuple(all_warnings),
    )


def _clean_body(body: str) -> str:
    body = normalise_text(body).strip("\n")
    return "\n".join(line for line in body.split("\n") if line.strip()).strip()


@dataclass
class TurnBuilder:
    """Write already-known turns (subtitles, Transcriber, tables) as
    ``"Speaker : text"`` lines and record their segments."""

    parts: list[str] = field(default_factory=list)
    segments: list[ParsedSegment] = field(default_factory=list)
    _length: int = 0

    def add(
        self,
        body: str,
        speaker: str | None = None,
        *,
        timestamp: float | None = None,
        end_time: float | None = None,
        is_interviewer: bool | None = None,
        section: str | None = None,
    ) -> tuple[int, int] | None:
        """Append one turn (or a speaker-less paragraph); empty bodies are skipped.
        The segment's words begin after the ``"Speaker : "`` written before them.
        Returns the span of the words added (``None`` when nothing was)."""
        body = _clean_body(body)
        if not body:
            return None
        label = clean_label(speaker) if speaker else None
        head = f"{label} : " if label else ""
        line = head + body
        if self.parts:
            self.parts.append("\n")
            self._length += 1
        start = self._length
        self.parts.append(line)
        self._length += len(line)
        self.segments.append(
            ParsedSegment(
                start=start,
                end=self._length,
                speaker=label,
                kind="turn" if label else "paragraph",
                timestamp=timestamp,
                end_time=end_time,
                is_interviewer=(is_interviewer_label(label) if is_interviewer is None else is_interviewer)
                if label
                else False,
                body_start=start + len(head),
                section=section,
            )
        )
        return start + len(head), self._length

    def extend(self, body: str, *, end_time: float | None = None) -> tuple[int, int] | None:
        """Continue the last turn with more words on a new line (a table's row without
        a speaker); returns the span of the words added."""
        body = _clean_body(body)
        if not body:
            return None
        if not self.segments:
            return self.add(body, end_time=end_time)
        self.parts.append("\n" + body)
        start = self._length + 1
        self._length += 1 + len(body)
        last = self.segments[-1]
        self.segments[-1] = replace(last, end=self._length,
                                    end_time=end_time if end_time is not None else last.end_time)
        return start, self._length

    def build(
        self,
        *,
        path: Path,
        source_format: str,
        encoding: str | None = None,
        warnings: Sequence[str] = (),
        metadata: Mapping[str, object] | None = None,
        tags: Sequence[tuple[int, int, str]] = (),
    ) -> ParsedTranscript:
        """The finished transcript; raises ``ImportFileError("empty file")`` without turns."""
        if not self.segments:
            raise ImportFileError(path, _("empty file"))
        text = "".join(self.parts)
        meta = _metadata(text, self.segments, None)
        meta.pop("title", None)
        if metadata:
            meta.update(metadata)
        return ParsedTranscript(
            text=text,
            segments=tuple(self.segments),
            source_format=source_format,
            encoding=encoding,
            metadata=meta,
            warnings=tuple(warnings),
            tags=tuple(tags),
        )


def table_row_line(cells: Sequence[str]) -> str | None:
    """Join the cells of a word-processor table row that looks like a turn
    (``[time] | speaker | text`` or ``speaker | text``) into one
    ``"[time] Speaker : text"`` line, or like a field of the interview header
    (``Date | 12/03/2023``) into ``"Date : 12/03/2023"``; ``None`` when the row is
    something else."""
    from ..speakers import TIMESTAMP_PATTERN, is_header_key, looks_like_label

    values = [c.strip() for c in cells if c.strip()]
    # merged cells repeat their content in python-docx: drop consecutive duplicates
    dedup = [v for i, v in enumerate(values) if i == 0 or v != values[i - 1]]
    ts = ""
    if len(dedup) == 3 and re.fullmatch(rf"[\[(]?{TIMESTAMP_PATTERN}[\])]?", dedup[0]):
        ts, dedup = dedup[0].strip("[]()"), dedup[1:]
    if len(dedup) != 2:
        return None
    label, body = dedup
    if "\n" in label or ":" in label:
        return None
    if not looks_like_label(label):
        header_field = not ts and "\n" not in body and is_header_key(label)
        return f"{label} : {body}" if header_field else None
    return f"{'[' + ts + '] ' if ts else ''}{label} : {body}"


# --------------------------------------------------------------------------- files


def read_bytes(path: Path) -> bytes:
    """Read a file, refusing directories, missing files and huge files."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise ImportFileError(path, _("not a regular file"))
        if size > MAX_FILE_BYTES:
            raise ImportFileError(path, _("file too large ({size} bytes; limit {limit})").format(
                size=size, limit=MAX_FILE_BYTES))
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportFileError(path, _("file not found")) from exc
    except OSError as exc:
        raise ImportFileError(path, _("cannot read file: {error}").format(
            error=exc.strerror or exc)) from exc


def check_zip(path: Path, *, kind: str, legacy_hint: str, xml_suffixes: tuple[str, ...] = (".xml", ".rels")) -> None:
    """Safety checks on an Office/OpenDocument zip *before* any XML library reads it.

    Refuses: OLE compound files (legacy or password-protected Office documents),
    files that are not a readable zip, archives whose uncompressed size or
    compression ratio suggests a zip bomb, and XML members that the hardened parser
    (:mod:`workbench.safety.xml`) refuses: malformed, too deep, DOCTYPE or ENTITY
    declarations, whatever their encoding.

    :param kind: the extension named in messages (".docx").
    :param legacy_hint: the message for an OLE compound file.
    """
    head = _head(path)
    if not head.strip(b"\x00 \t\r\n"):
        raise ImportFileError(path, _("empty file"))
    if head.startswith(OLE_MAGIC[:4]):
        raise ImportFileError(path, legacy_hint)
    bad_zip = _("not a valid {kind} (zip) file").format(kind=kind)
    if not head.startswith(ZIP_MAGIC):
        raise ImportFileError(path, bad_zip)
    try:
        with zipfile.ZipFile(path) as zf:
            _check_archive(zf, where=path, kind=kind, xml_suffixes=xml_suffixes,
                           budget=ArchiveBudget())
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ImportFileError(path, _("{problem}: {detail}").format(
            problem=bad_zip, detail=library_detail(exc, _("damaged archive")))) from exc


def check_zip_bytes(data: bytes, *, where: str, kind: str, budget: ArchiveBudget | None = None,
                    xml_suffixes: tuple[str, ...] = (".xml", ".rels")) -> None:
    """:func:`check_zip` for an archive held in memory (a ``.docx`` inside a ``.qdpx``),
    its sizes counted against ``budget`` (the outer archive's, so nesting never
    multiplies the limits)."""
    import io

    bad_zip = _("not a valid {kind} (zip) file").format(kind=kind)
    if not data.startswith(ZIP_MAGIC):
        raise ImportFileError(where, bad_zip)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _check_archive(zf, where=where, kind=kind, xml_suffixes=xml_suffixes,
                           budget=budget or ArchiveBudget())
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ImportFileError(where, _("{problem}: {detail}").format(
            problem=bad_zip, detail=library_detail(exc, _("damaged archive")))) from exc


def _check_archive(zf: zipfile.ZipFile, *, where, kind: str, xml_suffixes: tuple[str, ...],
                   budget: ArchiveBudget) -> None:
    """Member count, compression ratios, total size against the budget, then every XML
    member through the hardened parser."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ImportFileError(where, _("refusing a suspicious archive (zip bomb?): {n} "
                                       "members").format(n=len(infos)))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > LARGE_MEMBER_BYTES and ratio > MAX_RATIO:
            raise ImportFileError(
                where,
                _("refusing a suspicious archive (zip bomb?): {member} expands {ratio}-fold "
                  "to {size} bytes").format(member=info.filename, ratio=integer(ratio),
                                            size=integer(info.file_size)),
            )
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(
            where, _("refusing a suspicious archive (zip bomb?): {size} bytes "
                     "uncompressed").format(size=integer(total))
        )
    try:
        budget.spend(total, str(where))
    except LimitError as exc:
        raise ImportFileError(where, exc.message) from None
    for info in infos:
        if info.filename.lower().endswith(xml_suffixes):
            data = read_zip_member(zf, info.filename, path=where, kind=kind)
            try:
                check_xml(data, part=info.filename)
            except XmlError as exc:   # the line is the member's, not the file's
                raise ImportFileError(where, str(exc)) from None


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(8)
    except OSError as exc:
        raise ImportFileError(path, _("cannot read file: {error}").format(
            error=exc.strerror or exc)) from exc


def read_zip_member(zf: zipfile.ZipFile, name: str, *, path: Path, kind: str) -> bytes:
    """Read one member, never more than its declared size (a lying header cannot
    inflate it past the limits checked by :func:`check_zip`)."""
    import zlib

    try:
        info = zf.getinfo(name)
    except KeyError as exc:
        raise ImportFileError(path, _("not a valid {kind} file: {name} is missing").format(
            kind=kind, name=name)) from exc
    limit = min(info.file_size, MAX_UNCOMPRESSED_BYTES)
    try:
        with zf.open(info) as fh:
            data = fh.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise ImportFileError(path, _("not a valid {kind} (zip) file: {name}: {error}").format(
            kind=kind, name=name, error=exc)) from exc
    if len(data) > limit:
        raise ImportFileError(path, _("refusing a suspicious archive (zip bomb?): {name} is larger "
                                      "than declared").format(name=name))
    return data
