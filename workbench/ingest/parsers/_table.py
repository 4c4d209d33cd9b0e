"""Tabular transcripts (.csv, .xlsx): one row per turn.

Columns are found by their header, case- and accent-insensitively, in English or
French: speaker (``locuteur``, ``intervenant``...), text (``texte``, ``propos``,
``verbatim``...), optional start time (``temps``, ``horodatage``, ``début``...) and
end time (``fin``).  Each row becomes a ``"Speaker : text"`` line.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..encoding import decode_bytes
from ..model import ImportFileError, ParsedTranscript
from ..speakers import parse_timestamp
from ._base import TurnBuilder, check_zip, read_bytes, register

_SPEAKER = ("speaker", "locuteur", "locutrice", "intervenant", "intervenante", "interlocuteur",
            "orateur", "oratrice", "personne", "participant", "role", "qui", "who", "nom", "name")
_TEXT = ("text", "texte", "propos", "verbatim", "transcription", "contenu", "content", "utterance",
         "discours", "parole", "paroles", "message", "replique", "enonce")
_TIME = ("timestamp", "horodatage", "temps", "debut", "start", "start time", "heure", "time",
         "timecode", "tc", "begin", "heure de debut", "temps de debut")
_END = ("fin", "end", "end time", "stop", "heure de fin", "temps de fin")


def _key(value: object) -> str:
    text = unicodedata.normalize("NFKD", str(value or "")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("_", " ").split())


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


def _rows_to_transcript(
    rows: list[list[object]], *, path: Path, source_format: str, encoding: str | None, warnings: list[str]
) -> ParsedTranscript:
    rows = [r for r in rows if any(_cell(c).strip() for c in r)]
    if not rows:
        raise ImportFileError(path, "empty file")
    headers = [_key(c) for c in rows[0]]
    taken: set[int] = set()
    text_col = _find(headers, _TEXT, taken)
    if text_col is None:
        found = ", ".join(repr(_cell(c)) for c in rows[0] if _cell(c).strip()) or "none"
        raise ImportFileError(
            path,
            f"no text column found (columns: {found}); expected a header such as "
            "'texte', 'propos', 'verbatim' or 'text'",
            line=1,
        )
    taken.add(text_col)
    speaker_col = _find(headers, _SPEAKER, taken)
    if speaker_col is not None:
        taken.add(speaker_col)
    time_col = _find(headers, _TIME, taken)
    if time_col is not None:
        taken.add(time_col)
    end_col = _find(headers, _END, taken)
    if speaker_col is None:
        warnings.append(f"{path}: no speaker column (locuteur, intervenant, speaker...)")

    def get(row: list[object], col: int | None) -> object:
        return row[col] if col is not None and col < len(row) else None

    builder = TurnBuilder()
    for row in rows[1:]:
        body = _cell(get(row, text_col)).strip()
        if not body:
            continue
        speaker = _cell(get(row, speaker_col)).strip() or None
        builder.add(body, speaker, timestamp=_seconds(get(row, time_col)), end_time=_seconds(get(row, end_col)))
    columns = {"text": _cell(rows[0][text_col])}
    if speaker_col is not None:
        columns["speaker"] = _cell(rows[0][speaker_col])
    if time_col is not None:
        columns["timestamp"] = _cell(rows[0][time_col])
    return builder.build(path=path, source_format=source_format, encoding=encoding, warnings=warnings,
                         metadata={"columns": columns})


@register(".csv", ".tsv")
def parse_csv(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """A delimited file with a header row; the delimiter (``;`` ``,`` tab ``|``) is
    the one the header uses most (French Excel writes ``;``)."""
    decoded = decode_bytes(read_bytes(path), path, encoding)
    text = decoded.text
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in ";,\t|"}
    delimiter = max(counts, key=lambda d: counts[d])
    if not counts[delimiter]:  # a one-column header: let the sniffer look at the rows
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    try:
        rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(path, f"malformed CSV: {exc}") from exc
    return _rows_to_transcript(rows, path=path, source_format="csv", encoding=decoded.encoding,
                               warnings=list(decoded.warnings))


@register(".xlsx")
def parse_xlsx(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """The first worksheet holding data, header in its first non-empty row."""
    import openpyxl

    check_zip(path, kind=".xlsx",
              legacy_hint="password-protected or legacy Excel .xls file: save it as .xlsx without a password")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise ImportFileError(path, f"not a valid .xlsx file: {exc}") from exc
    try:
        rows: list[list[object]] = []
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            if any(any(_cell(c).strip() for c in r) for r in rows):
                break
    finally:
        wb.close()
    return _rows_to_transcript(rows, path=path, source_format="xlsx", encoding=None, warnings=[])
