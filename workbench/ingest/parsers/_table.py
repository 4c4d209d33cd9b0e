"""Tabular transcripts (.csv, .tsv, .xlsx): one row per turn, or per piece of a turn.

Columns have roles: ``text`` (required), ``speaker``, ``start`` and ``end`` times, and
``tags`` (code paths attached to the row).  They are found by their header, case- and
accent-insensitively, in English or French (``locuteur``, ``texte``, ``propos``,
``horodatage``, ``début``, ``fin``, ``étiquettes``...), or given explicitly by a column
mapping (:func:`parse_column_mapping`: ``speaker=Qui, text=Dit``; a column is named by
its header or its number from 1) -- the CLI's ``--columns``, a manifest's ``columns``
field, the import dialog's field.

Each row becomes a ``"Speaker : text"`` line.  A row with an empty speaker continues the
previous speaker's turn (transcription tools split long turns over rows); a speaker
written with a trailing colon (``DB:``) is the same speaker as ``DB``; HTML entities
(``&eacute;``, ``&#39;``, ``&amp;``) are decoded.  The rows' tags are recorded as spans
of the text (:attr:`ParsedTranscript.tags`); the import makes them codings only when
asked.  CSV files are read by the project's one table reader
(:func:`workbench.tables.read_table`); .xlsx cells are read with their types, because a
time cell is hours:minutes where a typed ``00:12`` in a transcript is minutes:seconds.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from workbench.i18n import _

from ..model import ImportFileError, ParsedTranscript
from ..speakers import clean_label, parse_timestamp
from ._base import TurnBuilder, check_zip, register

__all__ = ["COLUMN_ROLES", "parse_column_mapping"]

#: The roles a column can have, in the order messages list them.
COLUMN_ROLES = ("speaker", "text", "start", "end", "tags")
_ROLE_NAMES = {
    "speaker": "speaker", "locuteur": "speaker", "intervenant": "speaker",
    "text": "text", "texte": "text", "words": "text",
    "start": "start", "time": "start", "timestamp": "start", "debut": "start", "temps": "start",
    "end": "end", "fin": "end",
    "tags": "tags", "tag": "tags", "etiquettes": "tags", "codes": "tags",
}

_SPEAKER = ("speaker", "locuteur", "locutrice", "intervenant", "intervenante", "interlocuteur",
            "orateur", "oratrice", "personne", "participant", "role", "qui", "who", "nom", "name")
_TEXT = ("text", "texte", "propos", "verbatim", "transcription", "contenu", "content", "utterance",
         "discours", "parole", "paroles", "message", "replique", "enonce", "words")
_TIME = ("timestamp", "horodatage", "temps", "debut", "start", "start time", "heure", "time",
         "timecode", "tc", "begin", "heure de debut", "temps de debut")
_END = ("fin", "end", "end time", "stop", "heure de fin", "temps de fin")
_TAGS = ("tags", "tag", "etiquettes", "etiquette", "codes", "mots cles", "keywords", "labels")

_TAG_SEPARATORS = re.compile(r"[;|,\n]")


def _key(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("_", " ").split())


def parse_column_mapping(spec: str | Mapping[str, object] | None) -> dict[str, str]:
    """``"speaker=Qui, text=Dit"`` (pairs separated by ``,`` or ``;``; French role names
    ``locuteur``, ``texte``, ``début``, ``fin``, ``étiquettes`` too) or a mapping, to
    ``{role: column}``.

    :raises ValueError: a pair without ``=``, an unknown role, a role given twice (the
        message is the user's to read).
    """
    if not spec:
        return {}
    if isinstance(spec, Mapping):
        pairs = [(str(k), "" if v is None else str(v)) for k, v in spec.items()]
    else:
        pairs = []
        for piece in re.split(r"[,;]", str(spec)):
            if not piece.strip():
                continue
            role, sep, column = piece.partition("=")
            if not sep:
                raise ValueError(_("{piece!r}: write the column mapping as ROLE=COLUMN pairs "
                                   "(roles: {roles})").format(piece=piece.strip(),
                                                              roles=", ".join(COLUMN_ROLES)))
            pairs.append((role, column))
    out: dict[str, str] = {}
    for role, column in pairs:
        key = _ROLE_NAMES.get(_key(role))
        if key is None:
            raise ValueError(_("unknown role {role!r} in the column mapping (roles: {roles})")
                             .format(role=role.strip(), roles=", ".join(COLUMN_ROLES)))
        if not column.strip():
            raise ValueError(_("{role}= names no column: write the column mapping as "
                               "ROLE=COLUMN pairs").format(role=role.strip()))
        if key in out:
            raise ValueError(_("{role} is mapped twice in the column mapping").format(role=key))
        out[key] = column.strip()
    return out


def _find(headers: Sequence[str], names: Iterable[str], taken: set[int]) -> int | None:
    names = tuple(names)
    for exact in (True, False):
        for i, h in enumerate(headers):
            if i in taken or not h:
                continue
            if (h in names) if exact else any(h.startswith(n + " ") or h.endswith(" " + n) for n in names):
                return i
    return None


def _seconds(value: object) -> float | None:
    """A timestamp cell: ``"00:12:34"``, seconds, or an Excel time/duration."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    text = str(value).strip()
    try:
        return parse_timestamp(text)
    except ValueError:
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decoded(value: object) -> str:
    """A text cell with its HTML entities decoded (``&eacute;`` → é)."""
    text = _cell(value)
    return html.unescape(text) if "&" in text else text


def _speaker(value: object) -> str | None:
    """The speaker of a row: entities decoded, a trailing colon dropped (``DB:`` = ``DB``)."""
    label = clean_label(re.sub(r"[\s:：]+$", "", _decoded(value)))
    return label or None


def _tags(value: object, path: Path, line: int) -> list[str]:
    """Code paths in a tags cell, separated by ``;``, ``|``, ``,`` or new lines, each
    written ``Parent/Child`` with single spaces."""
    out = []
    for tag in _TAG_SEPARATORS.split(_decoded(value)):
        if not tag.strip():
            continue
        written = tag.strip()
        written = written[1:] if written.startswith("/") else written
        written = written[:-1] if written.endswith("/") else written
        parts = [" ".join(p.split()) for p in written.split("/")]
        if not all(parts):
            raise ImportFileError(path, _("tag {tag!r}: a code path cannot have an empty "
                                          "name").format(tag=tag.strip()), line=line)
        out.append("/".join(parts))
    return out


def _resolve(mapping: Mapping[str, str], header: Sequence[object], keys: Sequence[str],
             path: Path) -> dict[str, int]:
    """Column index of each mapped role; the column is named by its header or number."""
    found: dict[str, int] = {}
    for role, column in mapping.items():
        index = None
        if column.isdigit():
            number = int(column)
            if 1 <= number <= len(header):
                index = number - 1
            else:
                raise ImportFileError(path, _("no column {number} ({role}): the table has "
                                              "{n} columns").format(number=number, role=role,
                                                                   n=len(header)), line=1)
        else:
            matches = [i for i, k in enumerate(keys) if k == _key(column)]
            if not matches:
                raise ImportFileError(path, _("no column {column!r} ({role}); columns: {columns}")
                                      .format(column=column, role=role,
                                              columns=", ".join(repr(_cell(h)) for h in header)),
                                      line=1)
            index = matches[0]
        found[role] = index
    return found


def _rows_to_transcript(
    header: Sequence[object], rows: Sequence[tuple[int, Sequence[object]]], *, path: Path,
    source_format: str, encoding: str | None, warnings: list[str],
    columns: Mapping[str, str] | None,
) -> ParsedTranscript:
    rows = [(line, r) for line, r in rows if any(_cell(c).strip() for c in r)]
    if not any(_cell(c).strip() for c in header):
        raise ImportFileError(path, _("empty file"))
    keys = [_key(c) for c in header]
    cols = _resolve(columns or {}, header, keys, path)
    taken = set(cols.values())
    for role, names in (("text", _TEXT), ("speaker", _SPEAKER), ("start", _TIME),
                        ("end", _END), ("tags", _TAGS)):
        if role not in cols:
            found = _find(keys, names, taken)
            if found is not None:
                cols[role] = found
                taken.add(found)
    if "text" not in cols:
        found_names = ", ".join(repr(_cell(c)) for c in header if _cell(c).strip()) or "none"
        raise ImportFileError(
            path,
            _("no text column found (columns: {columns}); name one with a header such as "
              "'texte', 'propos', 'verbatim' or 'text', or map the columns: "
              "--columns \"speaker=COLUMN,text=COLUMN\"").format(columns=found_names),
            line=1,
        )
    if "speaker" not in cols:
        warnings.append(_("{path}: no speaker column (locuteur, intervenant, speaker...)")
                        .format(path=path))

    def get(row: Sequence[object], role: str) -> object:
        col = cols.get(role)
        return row[col] if col is not None and col < len(row) else None

    builder = TurnBuilder()
    tags: list[tuple[int, int, str]] = []
    current: str | None = None
    for line, row in rows:
        body = _decoded(get(row, "text")).strip()
        if not body:
            continue
        speaker = _speaker(get(row, "speaker"))
        start, end = _seconds(get(row, "start")), _seconds(get(row, "end"))
        if speaker is None and current is not None:
            span = builder.extend(body, end_time=end)
        else:
            span = builder.add(body, speaker, timestamp=start, end_time=end)
            current = speaker
        if span is not None:
            tags.extend((span[0], span[1], tag) for tag in _tags(get(row, "tags"), path, line))
    roles = {"text": "text", "speaker": "speaker", "start": "timestamp", "tags": "tags"}
    metadata = {"columns": {roles[role]: _cell(header[cols[role]]) for role in roles if role in cols}}
    return builder.build(path=path, source_format=source_format, encoding=encoding,
                         warnings=warnings, metadata=metadata, tags=tags)


@register(".csv", ".tsv")
def parse_csv(path: Path, encoding: str | None = None, *,
              columns: Mapping[str, str] | None = None) -> ParsedTranscript:
    """A delimited file with a header row (the delimiter the header uses: French Excel
    writes ``;``), read by :func:`workbench.tables.read_table`."""
    from workbench.tables import TableError, read_table

    try:
        table = read_table(path, encoding=encoding)
    except TableError as exc:             # the reader's message names the file (and line)
        if isinstance(exc.file_error, ImportFileError):
            raise exc.file_error from None
        m = re.match(rf"{re.escape(str(path))}(?::(\d+))?[ \u00a0]*:\s*(.*)\Z", str(exc), re.S)
        if not m:
            raise ImportFileError(path, str(exc)) from None
        raise ImportFileError(path, m.group(2), line=int(m.group(1)) if m.group(1) else None) from None
    return _rows_to_transcript(table.columns, table.rows, path=path, source_format="csv",
                               encoding=table.encoding, warnings=list(table.warnings),
                               columns=columns)


@register(".xlsx")
def parse_xlsx(path: Path, encoding: str | None = None, *,
               columns: Mapping[str, str] | None = None) -> ParsedTranscript:
    """The first worksheet holding data, header in its first non-empty row."""
    import openpyxl

    check_zip(path, kind=".xlsx",
              legacy_hint="password-protected or legacy Excel .xls file: save it as .xlsx without a password")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise ImportFileError(path, _("not a valid .xlsx file: {error}").format(error=exc)) from exc
    try:
        rows: list[tuple[int, list[object]]] = []
        for ws in wb.worksheets:
            rows = [(n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), start=1)
                    if any(_cell(c).strip() for c in r)]
            if rows:
                break
    finally:
        wb.close()
    if not rows:
        raise ImportFileError(path, _("empty file"))
    return _rows_to_transcript(rows[0][1], rows[1:], path=path, source_format="xlsx",
                               encoding=None, warnings=[], columns=columns)
