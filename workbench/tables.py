"""Typed tables: one reader for every table of typed values a project takes in.

The participants of the quantitative study use it today, the typed fields of documents
(extra manifest columns) use its typing rules, and cases (sites, organisations) will use
it the same way.  Three steps, each usable alone:

1. :func:`read_table` reads a CSV (any delimiter among ``,`` ``;`` tab; UTF-8, UTF-16 --
   Excel's "Unicode text" --, cp1252, through the transcripts' decoding ladder
   :func:`workbench.ingest.encoding.decode_bytes`) or an XLSX sheet into text cells
   with their line numbers.
2. :func:`infer_type` types a column on sight: yes/no, numeric, date (with or without a
   time), ordinal (known scales, French Likert scales, numbered answers), else nominal,
   with a note for the user when the guess deserves one.
3. :func:`type_columns` types a table **against the project's types**: a column the
   project already has keeps the project's type, and a value that does not fit is a
   problem naming its line; only an explicit override (``{"age": ("nominal", ())}``)
   changes a project's type, and then the values already in the project must fit the
   new type too.  Every problem is collected (not only the first) and nothing is written
   when there is one; a table with no rows changes nothing.

:func:`plan_keyed_import` does the three for a table of units keyed by an ID column
(participants; cases next), against the project's fields of one kind
(:mod:`workbench.store.fields`).  The yes/no words, dates and numbers are those of
:mod:`workbench.values`.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from workbench.domain import Attribute, ValidationError
from workbench.i18n import N_, _, ngettext, pgettext
from workbench.safety.errors import library_detail
from workbench.safety.text import clean_text
from workbench.values import is_boolean_column, parse_bool, parse_date, parse_number

__all__ = ["FIELD_TYPES", "Inferred", "KeyedImport", "RawTable", "TableError", "TableTypeError",
           "TypedTable", "ValueProblem", "cell_text", "infer_type", "key_column", "list_problems",
           "parse_type_override", "plan_keyed_import", "read_keyed_table", "read_table",
           "type_columns", "typed_value"]

FIELD_TYPES = ("nominal", "ordinal", "numeric", "date", "boolean")
#: How many problems an error lists before "... and N more".
MAX_LISTED = 50

# -- scales ----------------------------------------------------------------------------------
# Ordered scales recognised on sight.  Each level is a tuple of spellings, the first being
# the level's name; matching ignores case, accents, apostrophe style, "(e)" and punctuation.
KNOWN_SCALES: tuple[tuple[tuple[str, ...], ...], ...] = (
    # qualification levels and diplomas
    (("infra V",), ("V",), ("IV",), ("III et plus",)),
    (("infra V",), ("V",), ("IV",), ("III",), ("II",), ("I",)),
    (("aucun",), ("CAP/BEP",), ("bac",), ("bac+2",), ("bac+3 et plus",)),
    # agreement (Likert)
    (("Pas du tout d'accord",), ("Plutôt pas d'accord", "Plutôt en désaccord"),
     ("Ni d'accord ni pas d'accord", "Ni d'accord, ni pas d'accord", "Neutre", "Sans opinion"),
     ("Plutôt d'accord",), ("Tout à fait d'accord",)),
    (("Pas du tout d'accord", "Fortement en désaccord"), ("Pas d'accord", "En désaccord"),
     ("Ni d'accord ni pas d'accord", "Ni d'accord, ni pas d'accord", "Neutre", "Sans opinion"),
     ("D'accord",), ("Tout à fait d'accord", "Fortement d'accord")),
    (("Pas du tout d'accord", "Fortement en désaccord"), ("Pas d'accord", "En désaccord"),
     ("Plutôt pas d'accord", "Plutôt en désaccord"),
     ("Ni d'accord ni pas d'accord", "Ni d'accord, ni pas d'accord", "Neutre", "Sans opinion"),
     ("Plutôt d'accord",), ("D'accord",), ("Tout à fait d'accord", "Fortement d'accord")),
    (("Pas du tout",), ("Plutôt non", "Plutôt pas"), ("Plutôt oui",), ("Tout à fait",)),
    (("Strongly disagree",), ("Disagree",), ("Neither agree nor disagree", "Neutral"),
     ("Agree",), ("Strongly agree",)),
    # frequency
    (("Jamais",), ("Rarement",), ("Parfois", "De temps en temps", "Quelquefois"),
     ("Souvent",), ("Toujours", "Très souvent")),
    (("Never",), ("Rarely",), ("Sometimes",), ("Often",), ("Always",)),
    # satisfaction
    (("Très insatisfait", "Pas du tout satisfait"), ("Insatisfait", "Pas satisfait"),
     ("Ni satisfait ni insatisfait", "Ni satisfait, ni insatisfait", "Neutre"),
     ("Satisfait",), ("Très satisfait",)),
    (("Très insatisfait", "Pas du tout satisfait"), ("Plutôt insatisfait", "Plutôt pas satisfait"),
     ("Ni satisfait ni insatisfait", "Ni satisfait, ni insatisfait", "Neutre"),
     ("Plutôt satisfait",), ("Très satisfait",)),
    (("Pas du tout satisfait", "Très insatisfait"), ("Peu satisfait",), ("Assez satisfait",),
     ("Très satisfait",)),
    (("Very dissatisfied",), ("Dissatisfied",), ("Neither satisfied nor dissatisfied", "Neutral"),
     ("Satisfied",), ("Very satisfied",)),
    # intensity, quality
    (("très faible",), ("faible",), ("moyen",), ("élevé",), ("très élevé",)),
    (("Pas du tout",), ("Un peu",), ("Moyennement",), ("Beaucoup",), ("Énormément",)),
    (("Très mauvais",), ("Mauvais",), ("Moyen",), ("Bon",), ("Très bon",)),
)
_NUMBERED = re.compile(r"(?P<n>\d{1,2})\s*[-.):=–]\s*(?P<label>\S.*)")


def scale_key(text: str) -> str:
    """How scale levels are matched: case, accents, apostrophe style, inclusive "(e)",
    punctuation and spacing do not matter."""
    s = unicodedata.normalize("NFKD", str(text).casefold())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("’", "'").replace("`", "'")
    s = re.sub(r"\((?:e|es|s)\)|[·.]e\b", "", s)
    s = re.sub(r"\b(satisfait|insatisfait)es?\b", r"\1", s)
    s = re.sub(r"[\s,;.!]+", " ", s)
    return s.strip()


# -- errors ----------------------------------------------------------------------------------
class TableError(ValidationError):
    title = N_("Table error")
    #: the file error it comes from (bad bytes of a .csv), with its file and offset
    file_error: Exception | None = None


@dataclass(frozen=True)
class ValueProblem:
    """A value that does not fit its column's type."""

    where: str                 # "file.csv:12", or "P0007 (in the project)"
    column: str
    value: str
    reason: str                # "is not a number"

    def __str__(self) -> str:
        return _("{where}: {column} = {value!r} {reason}").format(
            where=self.where, column=self.column, value=self.value, reason=self.reason)


class TableTypeError(TableError):
    """Values that do not fit their types.  ``problems`` lists every one;
    ``conflicts`` maps each column whose project type the file disagrees with to the
    type that would fit (what an explicit override could say)."""

    title = N_("Values do not fit their types")

    def __init__(self, message: str, problems: Sequence[ValueProblem],
                 conflicts: Mapping[str, tuple[str, str]] | None = None):
        super().__init__(message)
        self.problems = tuple(problems)
        self.conflicts = dict(conflicts or {})     # column -> (project type, type that fits)


def list_problems(lines: Sequence[str], limit: int = MAX_LISTED) -> str:
    """``lines`` indented one per line, at most ``limit`` of them then "... and N more"."""
    shown = list(lines[:limit])
    rest = len(lines) - len(shown)
    if rest > 0:
        shown.append(ngettext("... and {n} more", "... and {n} more", rest).format(n=rest))
    return "\n  " + "\n  ".join(shown)


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RawTable:
    """A table as text cells: ``rows`` are ``(line, cells)`` with the line (or
    spreadsheet row) number where the row starts; cells are stripped strings, "" when
    empty, one per column."""

    path: Path
    columns: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]
    spreadsheet: bool = False            # cells from an .xlsx (Excel serial dates possible)
    encoding: str | None = None
    warnings: tuple[str, ...] = ()

    def index(self, column: str) -> int:
        return self.columns.index(column)

    def values(self, column: str) -> list[str]:
        i = self.columns.index(column)
        return [cells[i] for _line, cells in self.rows]

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"


def cell_text(value) -> str:
    """A spreadsheet or YAML value as text: dates in ISO form, whole numbers without
    ``.0``, yes/no cells as vrai/faux, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "vrai" if value else "faux"
    if isinstance(value, (_dt.datetime, _dt.date)):
        day = parse_date(value)
        assert day is not None                       # (a date object always parses)
        return day.iso()
    if isinstance(value, _dt.time):
        return value.isoformat("minutes" if value.second == 0 else "seconds")
    if isinstance(value, float):
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[list[tuple[int, list[str]]], list[str]]:
    import openpyxl

    from workbench.ingest.model import ImportFileError
    from workbench.ingest.parsers._base import check_zip
    try:    # the zip and XML guards of every Office file: bombs, entities, depth
        check_zip(path, kind=".xlsx", legacy_hint=_("password-protected or legacy Excel .xls "
                                                     "file: save it as .xlsx without a password"))
    except ImportFileError as exc:
        raise TableError(str(exc)) from None
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:   # openpyxl raises many kinds on damaged files
        raise TableError(_("{path}: not a valid .xlsx file ({error})")
                         .format(path=path, error=library_detail(
                             exc.args[0] if isinstance(exc, KeyError) and exc.args else exc,
                             exc.__class__.__name__))) from None
    try:
        if sheet is None or sheet == "":
            ws = wb.worksheets[0]
        elif isinstance(sheet, int):
            ws = wb.worksheets[sheet]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise TableError(_("{path}: no sheet named {sheet!r}; sheets: {names}").format(
                path=path, sheet=sheet, names=", ".join(wb.sheetnames)))
        rows = []
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            rows.append((number, [cell_text(v) for v in row]))
    finally:
        wb.close()
    if not rows:
        raise TableError(_("{path}: the sheet is empty").format(path=path))
    return rows[1:], rows[0][1]


def _delimiter(header_line: str) -> str:
    if "\t" in header_line:
        return "\t"
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _read_csv(path: Path, data: bytes, encoding: str | None) -> tuple[list, list[str], str, tuple]:
    from workbench.ingest.encoding import decode_bytes
    from workbench.ingest.model import ImportFileError
    try:
        decoded = decode_bytes(data, path, encoding, what=N_("table"))
    except ImportFileError as exc:
        error = TableError(str(exc))
        error.file_error = exc
        raise error from None
    text = decoded.text
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, [unicodedata.normalize("NFC", c).strip() for c in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise TableError(_("{path}:{line}: malformed CSV ({error})").format(
            path=path, line=start, error=exc)) from None
    if not rows:
        raise TableError(_("{path}: empty file").format(path=path))
    return rows[1:], rows[0][1], decoded.encoding, decoded.warnings


def read_table(path: str | Path, *, sheet: str | int | None = None,
               encoding: str | None = None) -> RawTable:
    """Read a CSV/TSV/TXT (tab-separated "Unicode text" included) or XLSX table.

    :raises TableError: missing, empty, binary or malformed file; a header with an
        unnamed column that holds values, or a name used twice; a row with more cells
        than the header (every such row is listed).
    """
    path = Path(path)
    if not path.is_file():
        raise TableError(_("{path}: no such file").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        body, header = _read_xlsx(path, sheet)
        used, warnings, spreadsheet = None, (), True
    elif suffix in (".csv", ".tsv", ".txt", ".tab"):
        data = path.read_bytes()
        if not data.strip():
            raise TableError(_("{path}: empty file").format(path=path))
        body, header, used, warnings = _read_csv(path, data, encoding)
        spreadsheet = False
    else:
        raise TableError(_("{path}: unsupported table format {suffix!r} (use .csv, .tsv, .txt "
                           "or .xlsx)").format(path=path, suffix=suffix))
    # the sanitising step of every importer: no control characters enter a project
    header = [unicodedata.normalize("NFC", clean_text(h)).strip() for h in header]
    body = [(line, [clean_text(c) for c in cells]) for line, cells in body]
    width = len(header)
    problems = []
    for line, cells in body:
        extra = [c for c in cells[width:] if c]
        if extra:
            problems.append(_("{where}: {n} cells, but the header has {width} columns").format(
                where=f"{path}:{line}", n=len(cells), width=width))
    if problems:
        raise TableError(_("{path}: rows longer than the header, nothing imported:").format(path=path)
                         + list_problems(problems))
    rows = [(line, [*cells[:width], *[""] * (width - len(cells))]) for line, cells in body]
    rows = [(line, cells) for line, cells in rows if any(cells)]
    keep = []
    for i, name in enumerate(header):
        if name:
            keep.append(i)
        elif any(cells[i] for _line, cells in rows):
            raise TableError(_("{where}: column {n} has values but no name").format(
                where=f"{path}:1", n=i + 1))
    seen: dict[str, int] = {}
    for i in keep:
        key = header[i].casefold()
        if key in seen:
            raise TableError(_("{path}:1: the column name {name!r} is used twice (columns {a} "
                               "and {b})").format(path=path, name=header[i], a=seen[key] + 1,
                                                   b=i + 1))
        seen[key] = i
    return RawTable(path=path, columns=tuple(header[i] for i in keep),
                    rows=tuple((line, tuple(cells[i] for i in keep)) for line, cells in rows),
                    spreadsheet=spreadsheet, encoding=used, warnings=tuple(warnings))


# -- typing one value ------------------------------------------------------------------------
def typed_value(raw: str, attr: Attribute, *,
                spreadsheet: bool = False) -> tuple[str | None, float | None]:
    """``(text, number)`` for a cell of type ``attr.type``; ``(None, None)`` when empty.

    :raises ValueError: with the reason (``"is not a number"``) when the value does not fit.
    """
    v = (raw or "").strip()
    if v == "":
        return None, None
    t = attr.type
    if t == "numeric":
        num = parse_number(v)
        if num is None:
            raise ValueError(_("is not a number"))
        return v, num
    if t == "boolean":
        flag = parse_bool(v)
        if flag is None:
            raise ValueError(_("is not a yes/no value (oui/non, vrai/faux, yes/no, 1/0)"))
        return v, float(flag)
    if t == "date":
        d = parse_date(v, excel_serial=spreadsheet)
        if d is None:
            raise ValueError(_("is not a date (DD/MM/YYYY or YYYY-MM-DD, with or without a time)"))
        return d.iso(), d.number()
    if t == "ordinal":
        keys = [scale_key(level) for level in attr.levels]
        k = scale_key(v)
        if k not in keys:
            raise ValueError(_("is not one of the levels {levels}").format(
                levels=", ".join(attr.levels)))
        i = keys.index(k)
        return attr.levels[i], float(i + 1)
    return v, None


# -- inferring a column's type ---------------------------------------------------------------
@dataclass(frozen=True)
class Inferred:
    type: str
    levels: tuple[str, ...] = ()
    note: str | None = None       # said in the import result (a scale recognised, ...)

    def __iter__(self):           # (type, levels) unpacking
        return iter((self.type, self.levels))

    def __getitem__(self, i):
        return (self.type, self.levels)[i]


def _match_scale(values: list[str]) -> tuple[str, ...] | None:
    keys = {scale_key(v) for v in values}
    spelled = {scale_key(v): v for v in values}
    for scale in KNOWN_SCALES:
        index = {scale_key(s): i for i, level in enumerate(scale) for s in level}
        if keys <= set(index):
            levels = []
            for i, level in enumerate(scale):
                used = [spelled[k] for k in keys if index[k] == i]
                levels.append(used[0] if len(used) == 1 else level[0])
            return tuple(levels)
    return None


def _numbered_levels(values: list[str]) -> tuple[str, ...] | None:
    """``1 - Pas du tout``, ``2 - Un peu``...: answers numbered in their order."""
    by_number: dict[int, str] = {}
    for v in values:
        m = _NUMBERED.fullmatch(v)
        if not m:
            return None
        n = int(m["n"])
        if by_number.get(n, v) != v:
            return None
        by_number[n] = v
    return tuple(by_number[n] for n in sorted(by_number)) if len(by_number) >= 2 else None


def infer_type(values: Iterable[str], *, spreadsheet: bool = False,
               name: str = "") -> Inferred:
    """The type a column's values suggest (and levels for an ordinal)."""
    vals = [str(v).strip() for v in values if v is not None and str(v).strip() != ""]
    if not vals:
        return Inferred("nominal")
    distinct = list(dict.fromkeys(vals))
    if is_boolean_column(distinct):
        return Inferred("boolean")
    nums = [n for n in (parse_number(v) for v in distinct) if n is not None]
    if len(nums) == len(distinct):
        whole = {int(n) for n in nums if float(n).is_integer()}
        note = None
        if len(whole) == len(nums) and len(whole) >= 3 and min(whole) >= 1 and max(whole) <= 5:
            scale = ",".join(str(i) for i in range(1, 6))
            note = _("{name}: only whole numbers from 1 to 5, typed numeric; if it is a rating "
                     "scale, type it ordinal ({name}=ordinal:{levels}) to see each level").format(
                name=name, levels=scale)
        return Inferred("numeric", (), note)
    dates = [d for d in (parse_date(v) for v in distinct) if d is not None]
    if len(dates) == len(distinct):
        note = None
        if any(d.time is not None for d in dates):
            note = _("{name}: dates with a time of day").format(name=name)
        return Inferred("date", (), note)
    levels = _match_scale(distinct)
    if levels:
        return Inferred("ordinal", levels, _("{name}: ordered scale recognised, typed ordinal: "
                                             "{levels}").format(name=name,
                                                                levels=" < ".join(levels)))
    levels = _numbered_levels(distinct)
    if levels:
        return Inferred("ordinal", levels, _("{name}: numbered answers, typed ordinal in the "
                                             "order of their numbers: {levels}").format(
            name=name, levels=" < ".join(levels)))
    if all(parse_date(v, day_first=False) is not None for v in distinct):
        return Inferred("nominal", (), _(
            "{name}: these look like month-first dates (12/31/2021); dates are read day "
            "first (31/12/2021), so the column is kept as text").format(name=name))
    return Inferred("nominal")


def parse_type_override(spec: str) -> tuple[str, str, tuple[str, ...]]:
    """``name=numeric`` or ``name=ordinal:low,mid,high``."""
    if "=" not in spec:
        raise TableError(_("bad type override {spec!r}: use NAME=TYPE[:LEVEL,LEVEL...]")
                         .format(spec=spec))
    name, rest = spec.split("=", 1)
    type_, _sep, levels = rest.partition(":")
    type_ = type_.strip()
    if type_ not in FIELD_TYPES:
        raise TableError(_("bad type {type!r} for {name}: use nominal, ordinal, numeric, date "
                           "or boolean").format(type=type_, name=name.strip()))
    return name.strip(), type_, tuple(lvl.strip() for lvl in levels.split(",") if lvl.strip())


# -- typing a table against the project ------------------------------------------------------
@dataclass
class TypedTable:
    """A table typed against the project: what to write, and what to tell the user."""

    fields: list[Attribute]                                  # definitions to write
    rows: list[tuple[int, dict[str, tuple[str | None, float | None]]]]   # (row index, values)
    new: list[str] = field(default_factory=list)             # fields the project did not have
    retyped: list[tuple[str, str, str]] = field(default_factory=list)   # (name, old, new)
    restored: list[tuple[str, str, str | None, float | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _type_label(attr_type: str) -> str:
    return {"nominal": pgettext("attribute type", "text (nominal)"),
            "ordinal": pgettext("attribute type", "ordinal"),
            "numeric": pgettext("attribute type", "numeric"),
            "date": pgettext("attribute type", "date"),
            "boolean": pgettext("attribute type", "yes/no")}.get(attr_type, attr_type)


def type_columns(table: RawTable, columns: Sequence[str], project: Mapping[str, Attribute],
                 overrides: Mapping[str, tuple[str, tuple[str, ...]]] | None = None, *,
                 stored: Callable[[str], list[tuple[str, str | None]]] = lambda name: [],
                 row_names: Sequence[str] | None = None,
                 owner_label: Callable[[str], str] = str) -> TypedTable:
    """Type ``columns`` of ``table`` against the project's field definitions.

    ``project``: the project's fields by name.  ``overrides``: explicit types
    ``{name: (type, levels)}`` that may change a project's type.  ``stored(name)``: the
    project's values of a field, ``(owner, text)``; ``row_names``: the owner of each row
    (a participant ID), whose stored values this table replaces.

    :raises TableTypeError: listing every value that does not fit (with its line), in
        the file or, under an override, in the project.
    """
    # a column names the project's field whatever its case ("Age" is the project's "age")
    folded = {name.casefold(): name for name in project}
    names = {col: folded.get(col.casefold(), col) for col in columns}
    by_fold = {col.casefold(): names[col] for col in columns}
    given = dict(overrides or {})
    unknown = sorted(k for k in given if k.casefold() not in by_fold)
    if unknown:
        raise TableError(ngettext("{path}: type given for a column the file does not have: {names}",
                                  "{path}: type given for columns the file does not have: {names}",
                                  len(unknown)).format(path=table.path, names=", ".join(unknown)))
    overrides = {by_fold[k.casefold()]: v for k, v in given.items()}
    if not table.rows:
        return TypedTable(fields=[], rows=[], notes=[
            _("{path}: no rows, nothing changed").format(path=table.path)])
    replaced = set(row_names or ())
    result = TypedTable(fields=[], rows=[])
    next_position = max((a.position for a in project.values()), default=-1) + 1
    problems: list[ValueProblem] = []
    conflicts: dict[str, tuple[str, str]] = {}
    attrs: dict[str, Attribute] = {}
    for col in columns:
        name = names[col]
        values = table.values(col)
        old = project.get(name)
        in_project = [(o, t) for o, t in stored(name) if t not in (None, "")] \
            if old is not None else []
        kept = [(o, t) for o, t in in_project if o not in replaced]
        if name in overrides:
            type_, levels = overrides[name]
            if type_ == "ordinal" and not levels:
                pool = values + [t for _o, t in kept]
                guess = infer_type(pool, spreadsheet=table.spreadsheet)
                levels = guess.levels if guess.type == "ordinal" else tuple(
                    sorted({v for v in pool if v}, key=scale_key))
                result.notes.append(_("{name}: ordinal levels in this order: {levels}").format(
                    name=name, levels=" < ".join(levels)))
            attr = Attribute(name, type_, tuple(levels),
                             old.position if old else next_position, old.private if old else False)
            if old is None:
                result.new.append(name)
            elif (old.type, tuple(old.levels)) != (attr.type, attr.levels):
                result.retyped.append((name, old.type, attr.type))
                for owner, text in kept:
                    try:
                        t, n = typed_value(text, attr)
                    except ValueError as exc:
                        problems.append(ValueProblem(
                            _("{owner} (in the project)").format(owner=owner_label(owner)),
                            name, text, str(exc)))
                    else:
                        result.restored.append((owner, name, t, n))
        elif old is not None and in_project:
            attr = old
        else:
            guess = infer_type(values, spreadsheet=table.spreadsheet, name=name)
            attr = Attribute(name, guess.type, guess.levels,
                             old.position if old else next_position, old.private if old else False)
            if guess.note:
                result.notes.append(guess.note)
            if old is None:
                result.new.append(name)
            elif (old.type, tuple(old.levels)) != (attr.type, attr.levels):
                result.retyped.append((name, old.type, attr.type))
        if old is None:
            next_position += 1
        attrs[name] = attr
        result.fields.append(attr)
    idx = [table.index(c) for c in columns]
    for r, (line, cells) in enumerate(table.rows):
        typed = {}
        for col, i in zip(columns, idx):
            name = names[col]
            attr = attrs[name]
            try:
                typed[name] = typed_value(cells[i], attr, spreadsheet=table.spreadsheet)
            except ValueError as exc:
                reason = str(exc)
                old = project.get(name)
                if old is not None and name not in overrides and attr is old:
                    reason = _("{reason} ({name} is {type} in the project)").format(
                        reason=reason, name=name, type=_type_label(old.type))
                    if name not in conflicts:
                        fits = infer_type(table.values(col) + [t for _o, t in stored(name) if t])
                        conflicts[name] = (old.type, fits.type)
                problems.append(ValueProblem(table.where(line), name, cells[i], reason))
        result.rows.append((r, typed))
    if problems:
        raise TableTypeError(_type_error_message(table, problems, conflicts), problems, conflicts)
    return result


def _type_error_message(table: RawTable, problems: Sequence[ValueProblem],
                        conflicts: Mapping[str, tuple[str, str]]) -> str:
    head = ngettext("{path}: {n} value does not fit its type, nothing imported:",
                    "{path}: {n} values do not fit their types, nothing imported:",
                    len(problems)).format(path=table.path, n=len(problems))
    msg = head + list_problems([str(p) for p in problems])
    if conflicts:
        hints = ", ".join(f"{name}={fits}" for name, (_old, fits) in sorted(conflicts.items()))
        msg += "\n" + _("The project's types stay as they are unless you override them "
                        "explicitly for the whole project ({hints}).").format(hints=hints)
    return msg


# -- tables keyed by an ID column (participants; cases later) --------------------------------
@dataclass
class KeyedImport:
    """A table of units keyed by an ID column, read and typed against the project,
    not yet written: ``rows()`` gives ``(id, {field: (text, number)})``."""

    table: RawTable
    key_column: str
    keys: list[str]
    typed: TypedTable

    @property
    def empty(self) -> bool:
        return not self.table.rows

    def rows(self) -> list[tuple[str, dict]]:
        return [(self.keys[r], values) for r, values in self.typed.rows]


def key_column(table: RawTable, given: str | None, candidates: Sequence[str], noun: str) -> str:
    """The ID column: ``given``, else the first column named like one of ``candidates``
    (case aside).  ``noun`` names the units in messages ("participant")."""
    if given is None:
        lowered = {c.casefold(): c for c in table.columns}
        found = next((lowered[c] for c in candidates if c in lowered), None)
        if found is None:
            raise TableError(_(
                "{path}:1: no {noun} ID column found (tried {tried}); columns are: "
                "{columns}; name it with --id-column").format(
                path=table.path, noun=noun, tried=", ".join(candidates),
                columns=", ".join(table.columns)))
        return found
    if given not in table.columns:
        raise TableError(_("{path}:1: no column {name!r}; columns are: {columns}").format(
            path=table.path, name=given, columns=", ".join(table.columns)))
    return given


def read_keyed_table(path: str | Path, *, candidates: Sequence[str], noun: str,
                     id_column: str | None = None,
                     sheet: str | None = None) -> tuple[RawTable, str, list[str]]:
    """The table, its ID column and the IDs, row by row.

    :raises TableError: unreadable table, no ID column, missing or duplicate IDs (every
        one listed with its line).
    """
    table = read_table(path, sheet=sheet)
    column = key_column(table, id_column, candidates, noun)
    keys = table.values(column)
    problems = []
    lines: dict[str, list[int]] = {}
    for (line, _cells), key in zip(table.rows, keys):
        if key == "":
            problems.append(_("{where}: missing {noun} ID").format(where=table.where(line),
                                                                  noun=noun))
        else:
            lines.setdefault(key, []).append(line)
    for key, at in lines.items():
        if len(at) > 1:
            problems.append(_("{path}: duplicate {noun} ID {key!r} on lines {lines}").format(
                path=table.path, noun=noun, key=key, lines=", ".join(map(str, at))))
    if problems:
        raise TableError(_("{noun} table rejected, nothing imported:").format(noun=noun)
                         + list_problems(problems))
    return table, column, keys


def plan_keyed_import(store, kind: str, path: str | Path, *, candidates: Sequence[str],
                      noun: str, id_column: str | None = None,
                      types: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                      sheet: str | None = None, untyped: Sequence[str] = ()) -> KeyedImport:
    """Read a table keyed by an ID column and type its other columns against the
    project's fields of ``kind`` (``store.field_defs(kind)``, ``store.field_values``);
    nothing is written.  The rows' units replace their own stored values; the other
    units' values must fit an overridden type.  ``untyped``: columns that are not fields
    (a case's name or parent, read as text by the caller; matched case aside)."""
    table, column, keys = read_keyed_table(path, candidates=candidates, noun=noun,
                                           id_column=id_column, sheet=sheet)
    overrides = dict(types or {})
    if column in overrides:
        raise TableError(_("{path}: {name} is the ID column; it has no type")
                         .format(path=table.path, name=column))
    skip = {u.casefold() for u in untyped}
    project = {a.name: a for a in store.field_defs(kind)}
    typed = type_columns(table, [c for c in table.columns
                                 if c != column and c.casefold() not in skip], project, overrides,
                         stored=lambda name: store.field_values(kind, name), row_names=keys,
                         owner_label=lambda key: f"{noun} {key}")
    return KeyedImport(table, column, keys, typed)
