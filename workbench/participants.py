"""The quantitative study's participant table: reading, typing, validating.

A table (CSV or XLSX) has one row per participant: an ID column and attributes.
Types are inferred -- boolean, numeric, date, ordinal (known scales), else nominal --
and can be overridden.  Problems (missing or duplicate IDs) are listed with their
line numbers, and nothing is written when there is any.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from workbench.domain import Attribute, ValidationError

TRUE_WORDS = {"oui", "yes", "true", "vrai", "1", "o", "y"}
FALSE_WORDS = {"non", "no", "false", "faux", "0", "n"}
# Ordered scales recognised on sight (lower-cased values); anything else is nominal
KNOWN_SCALES: list[tuple[str, ...]] = [
    ("infra V", "V", "IV", "III et plus"),
    ("infra V", "V", "IV", "III", "II", "I"),
    ("aucun", "CAP/BEP", "bac", "bac+2", "bac+3 et plus"),
    ("très faible", "faible", "moyen", "élevé", "très élevé"),
    ("jamais", "rarement", "parfois", "souvent", "toujours"),
]
BOOLEAN_PAIRS = ({"oui", "non"}, {"yes", "no"}, {"true", "false"}, {"vrai", "faux"}, {"o", "n"})
ID_CANDIDATES = ("participant_id", "id_participant", "participant", "id", "identifiant", "ident")


class ParticipantTableError(ValidationError):
    title = "Participant table error"


@dataclass(frozen=True)
class ParticipantTable:
    id_column: str
    attributes: tuple[Attribute, ...]
    rows: tuple[tuple[str, dict], ...]     # (id, {attr: (text, num)})


def _read_frame(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ParticipantTableError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ParticipantTableError(f"{path}: empty file")
    if suffix in (".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(path) as zf:
                total = sum(i.file_size for i in zf.infolist())
            if total > 500 * 1024 * 1024:
                raise ParticipantTableError(f"{path}: refusing a suspicious archive (zip bomb?)")
            return pd.read_excel(path, sheet_name=sheet or 0, dtype=str, engine="openpyxl",
                                 keep_default_na=False)
        except zipfile.BadZipFile:
            raise ParticipantTableError(f"{path}: not a valid .xlsx file") from None
    if suffix not in (".csv", ".tsv", ".txt"):
        raise ParticipantTableError(f"{path}: unsupported table format {suffix!r} (use .csv or .xlsx)")
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        offset = data.index(b"\x00")
        raise ParticipantTableError(f"{path} (offset {offset}): binary file, not CSV")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError as exc:
            err = exc
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise ParticipantTableError(f"{path} (offset {err.start}): unknown encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{m.group(1)}" if m else str(path)
        raise ParticipantTableError(f"{where}: malformed CSV ({exc})") from None


def _parse_number(v: str) -> float | None:
    s = v.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if re.fullmatch(r"[-+]?\d+(,\d+)?", s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        return None


def _parse_date(v: str) -> _dt.date | None:
    s = v.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return _dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def infer_type(values: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """Infer an attribute type (and levels for ordinals) from its text values."""
    vals = [v.strip() for v in values if v is not None and v.strip() != ""]
    if not vals:
        return "nominal", ()
    lower = {v.lower() for v in vals}
    if any(lower <= pair for pair in BOOLEAN_PAIRS):
        return "boolean", ()
    if all(_parse_number(v) is not None for v in vals):
        return "numeric", ()
    if all(_parse_date(v) is not None for v in vals):
        return "date", ()
    for scale in KNOWN_SCALES:
        if lower <= {level.lower() for level in scale}:
            spelled = {v.lower(): v for v in vals}
            return "ordinal", tuple(spelled.get(level.lower(), level) for level in scale)
    return "nominal", ()


def parse_type_override(spec: str) -> tuple[str, str, tuple[str, ...]]:
    """``name=numeric`` or ``name=ordinal:low,mid,high``."""
    if "=" not in spec:
        raise ParticipantTableError(f"bad type override {spec!r}: use NAME=TYPE[:LEVEL,LEVEL...]")
    name, rest = spec.split("=", 1)
    type_, _, levels = rest.partition(":")
    type_ = type_.strip()
    if type_ not in ("nominal", "ordinal", "numeric", "date", "boolean"):
        raise ParticipantTableError(f"bad type {type_!r} for {name}: use nominal, ordinal, numeric, date or boolean")
    return name.strip(), type_, tuple(l.strip() for l in levels.split(",") if l.strip())


def _typed(path: Path, line: int, attr: Attribute, raw: str) -> tuple[str | None, float | None]:
    v = raw.strip()
    if v == "":
        return None, None
    if attr.type == "numeric":
        num = _parse_number(v)
        if num is None:
            raise ParticipantTableError(f"{path}:{line}: {attr.name} = {v!r} is not a number")
        return v, num
    if attr.type == "boolean":
        low = v.lower()
        if low in TRUE_WORDS:
            return v, 1.0
        if low in FALSE_WORDS:
            return v, 0.0
        raise ParticipantTableError(f"{path}:{line}: {attr.name} = {v!r} is not a yes/no value")
    if attr.type == "date":
        d = _parse_date(v)
        if d is None:
            raise ParticipantTableError(f"{path}:{line}: {attr.name} = {v!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")
        return d.isoformat(), float(d.toordinal())
    if attr.type == "ordinal":
        levels = [l.lower() for l in attr.levels]
        if v.lower() not in levels:
            raise ParticipantTableError(f"{path}:{line}: {attr.name} = {v!r} is not one of the levels "
                                        f"{', '.join(attr.levels)}")
        return attr.levels[levels.index(v.lower())], float(levels.index(v.lower()) + 1)
    return v, None


def read_participant_table(path: str | Path, id_column: str | None = None,
                           types: dict[str, tuple[str, tuple[str, ...]]] | None = None,
                           sheet: str | None = None) -> ParticipantTable:
    path = Path(path)
    df = _read_frame(path, sheet)
    df.columns = [str(c).strip() for c in df.columns]
    if id_column is None:
        lowered = {c.lower(): c for c in df.columns}
        id_column = next((lowered[c] for c in ID_CANDIDATES if c in lowered), None)
        if id_column is None:
            raise ParticipantTableError(
                f"{path}:1: no participant ID column found (tried {', '.join(ID_CANDIDATES)}); "
                f"columns are: {', '.join(df.columns)}; name it with --id-column")
    elif id_column not in df.columns:
        raise ParticipantTableError(f"{path}:1: no column {id_column!r}; columns are: "
                                    f"{', '.join(df.columns)}")
    header_lines = 1
    ids = df[id_column].astype(str).str.strip()
    problems = []
    for idx in ids[ids == ""].index:
        problems.append(f"{path}:{idx + 1 + header_lines}: missing participant ID")
    dup = ids[(ids != "") & ids.duplicated(keep=False)]
    for pid, group in dup.groupby(dup):
        lines = ", ".join(str(i + 1 + header_lines) for i in group.index)
        problems.append(f"{path}: duplicate participant ID {pid!r} on lines {lines}")
    if problems:
        raise ParticipantTableError("participant table rejected, nothing imported:\n  "
                                    + "\n  ".join(problems))
    types = dict(types or {})
    unknown = set(types) - set(df.columns)
    if unknown:
        raise ParticipantTableError(f"{path}: type given for unknown column(s) {', '.join(sorted(unknown))}")
    attrs = []
    for pos, col in enumerate(c for c in df.columns if c != id_column):
        if col in types:
            type_, levels = types[col]
            if type_ == "ordinal" and not levels:
                seen = list(dict.fromkeys(v.strip() for v in df[col] if v.strip()))
                levels = tuple(sorted(seen))
        else:
            type_, levels = infer_type(list(df[col]))
        attrs.append(Attribute(col, type_, tuple(levels), pos))
    rows = []
    for idx, record in enumerate(df.to_dict("records")):
        line = idx + 1 + header_lines
        pid = str(record[id_column]).strip()
        rows.append((pid, {a.name: _typed(path, line, a, str(record[a.name])) for a in attrs}))
    return ParticipantTable(id_column, tuple(attrs), tuple(rows))
