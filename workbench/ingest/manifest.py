"""Import manifests: a CSV, XLSX or YAML file mapping transcript files to their metadata.

CSV/XLSX columns (header row, any order; only ``file`` is required)::

    file,name,programme,new_programme,actor_type,interview_date,interviewer,site,language,
    participants,speakers,<any other column>

``participants``: participant IDs separated by ``;``.  ``speakers``: ``Label=ID`` pairs
separated by ``;`` (the speaker label as written in the transcript).  ``new_programme``:
``oui`` to create a programme the project does not know yet (else an unknown programme is
an error).  ``interview_date``: a date, day first (19/01/2023) or ISO, with or without a
time, stored in ISO form.  ``columns``: for a table transcript (.csv, .xlsx), which column
holds what (``speaker=Qui, text=Dit``; YAML: a mapping).  ``tags_as_codes``: ``oui`` to
import a table's tags column as codings.  ``wave``: the interview's wave (``sortie``), one
of the project's waves unless ``new_wave`` says ``oui``.  ``cases``: the cases (sites,
organisations) the interview belongs to, IDs separated by ``;``, ``Label=ID`` for one
speaker (``S-EVR;Julien=OF-ALPHA``).  Any other column (``vague``, ``structure``,
``territoire``...) is a
**document field**, typed like a participant attribute and reachable in queries as
``doc.NAME``.  CSV manifests are read like every table (any delimiter, UTF-8, UTF-16 or
cp1252).  YAML: a list of mappings with the same keys (``participants`` a list,
``speakers`` a mapping), or a mapping with a ``documents:`` list.  Paths are relative to
the manifest's folder.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Iterable

import yaml

from workbench.domain import DocumentMetadata, ValidationError
from workbench.i18n import N_, _, located
from workbench.safety.limits import LimitError, check_yaml_nesting
from workbench.safety.text import clean_text
from workbench.tables import RawTable, TableError, cell_text, list_problems, read_table
from workbench.values import iso_date, parse_bool

FIELDS = ("file", "name", "programme", "new_programme", "actor_type", "interview_date",
          "interviewer", "site", "language", "participants", "speakers", "columns",
          "tags_as_codes", "wave", "new_wave", "cases")
#: Names a document field cannot take: the query language reads them as document
#: metadata (``date`` is the interview date...); the column meant is suggested.
RESERVED = {"date": "interview_date", "actor": "actor_type", "program": "programme",
            "doc": "name", "document": "name", "participant": "participants",
            "participant_id": "participants", "speaker": "speakers", "coder": None,
            "id": None}
_FIELD_NAME = re.compile(r"[^\W\d][\w.\-]*")


class ManifestError(ValidationError):
    title = N_("Manifest error")


class Manifest(dict):
    """``{file path: DocumentMetadata}`` in the manifest's order, with the document
    fields (the extra columns) as a :class:`~workbench.tables.RawTable` whose rows
    follow the same order (``files``)."""

    def __init__(self, entries: Iterable[tuple[Path, DocumentMetadata]] = (),
                 fields: RawTable | None = None):
        super().__init__(entries)
        self.files = list(self)
        self.fields = fields


def _split_ids(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in str(value).split(";") if p.strip())


def _split_speakers(value, where: str) -> dict[str, str]:
    if not value:
        return {}
    if isinstance(value, dict):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    out = {}
    for pair in str(value).split(";"):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise ManifestError(_("{where}: speakers must be Label=ID pairs separated by ';', "
                                  "got {pair!r}").format(where=where, pair=pair))
        label, pid = pair.rsplit("=", 1)
        out[label.strip()] = pid.strip()
    return out


def _split_cases(value, where: str) -> tuple[tuple[str, str], ...]:
    """``S-EVR;Julien=OF-ALPHA`` -> ((S-EVR, ''), (OF-ALPHA, Julien))."""
    if value is None or value == "":
        return ()
    parts = value if isinstance(value, (list, tuple)) else str(value).split(";")
    out = []
    for part in parts:
        part = str(part).strip()
        if not part:
            continue
        label, _sep, cid = part.rpartition("=")
        if not cid.strip():
            raise ManifestError(_("{where}: cases must be case IDs (or Label=ID) separated by "
                                  "';', got {part!r}").format(where=where, part=part))
        out.append((cid.strip(), label.strip()))
    return tuple(dict.fromkeys(out))


def _text(raw: dict, key: str) -> str | None:
    value = raw.get(key)
    return (cell_text(value) or None) if value is not None else None


def field_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a document field, or ``None``."""
    low = name.casefold()
    if low in RESERVED:
        meant = RESERVED[low]
        return (_("{name!r} is a name queries give to document metadata; did you mean the "
                  "column {meant}?").format(name=name, meant=meant) if meant else
                _("{name!r} is a name queries give to document metadata; rename the column")
                .format(name=name))
    close = difflib.get_close_matches(low, FIELDS, n=1, cutoff=0.8)
    if close:
        return _("unknown column {name!r} (did you mean {meant}?)").format(name=name,
                                                                          meant=close[0])
    if not _FIELD_NAME.fullmatch(name):
        return _("{name!r} cannot be written in a query: use letters, digits and _ "
                 "(e.g. {fixed})").format(name=name,
                                          fixed=re.sub(r"\W+", "_", name).strip("_") or "champ")
    return None


def interview_date(value, where: str | None = None, *, spreadsheet: bool = False) -> str | None:
    """An interview date as ISO text (day first: 19/01/2023 is 19 January; a time is
    kept); ``None`` when empty.

    :raises ValidationError: naming ``where`` when the value is not a date.
    """
    try:
        return iso_date(value, excel_serial=spreadsheet)
    except ValueError:
        message = _("interview date {value!r} is not a date (DD/MM/YYYY or YYYY-MM-DD, with "
                    "or without a time)").format(value=cell_text(value))
        raise ValidationError(located(where, message) if where else message) from None


def _entry(raw: dict, base: Path, where: str, known_programmes: list[str] | None,
           new_programmes: bool, spreadsheet: bool = False, known_waves: list[str] | None = None,
           new_waves: bool = False) -> tuple[Path, DocumentMetadata]:
    from workbench.programmes import resolve_programme
    file = _text(raw, "file")
    if not file:
        raise ManifestError(_("{where}: the 'file' value is empty").format(where=where))
    path = (base / file).resolve()
    programme = _text(raw, "programme")
    if known_programmes is not None and programme:
        flag = raw.get("new_programme")
        new = parse_bool(flag) if flag not in (None, "") else False
        if new is None:
            raise ManifestError(_("{where}: new_programme = {value!r} is not a yes/no value")
                                .format(where=where, value=flag))
        programme = resolve_programme(programme, known_programmes,
                                      new=new_programmes or new, where=where)
    wave = _text(raw, "wave")
    if wave:
        from workbench.waves.naming import resolve_wave
        new = _yes_no(raw, "new_wave", where)
        wave = resolve_wave(wave, known_waves or [], new=new_waves or bool(new), where=where)
    meta = DocumentMetadata(
        name=_text(raw, "name"),
        wave=wave,
        cases=_split_cases(raw.get("cases"), where),
        programme=programme,
        actor_type=_text(raw, "actor_type"),
        interview_date=interview_date(raw.get("interview_date"), where,
                                      spreadsheet=spreadsheet),
        interviewer=_text(raw, "interviewer"),
        site=_text(raw, "site"),
        language=_text(raw, "language"),
        participants=_split_ids(raw.get("participants")),
        speakers=_split_speakers(raw.get("speakers"), where),
        columns=_columns(raw.get("columns"), where),
        tags_as_codes=_yes_no(raw, "tags_as_codes", where),
    )
    return path, meta


def _columns(value, where: str) -> dict[str, str]:
    from workbench.ingest.parsers import parse_column_mapping
    try:
        return parse_column_mapping(value if isinstance(value, dict) else cell_text(value))
    except ValueError as exc:
        raise ManifestError(located(where, exc)) from None


def _yes_no(raw: dict, key: str, where: str) -> bool | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    flag = parse_bool(value)
    if flag is None:
        raise ManifestError(_("{where}: {key} = {value!r} is not a yes/no value")
                            .format(where=where, key=key, value=value))
    return flag


def _yaml_entries(path: Path) -> list[tuple[int, dict]]:
    try:
        raw_text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(_("{path} (offset {offset}): manifest is not UTF-8").format(
            path=path, offset=exc.start)) from None
    try:
        check_yaml_nesting(raw_text, allow_aliases=False)   # before PyYAML recurses or expands
        data = yaml.safe_load(raw_text)
        node = yaml.compose(raw_text)
    except LimitError as exc:
        raise ManifestError(located(f"{path}:{exc.line or 1}", exc.message)) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ManifestError(_("{path}:{line}: invalid YAML ({error})").format(
            path=path, line=(line or 0) + 1, error=exc.__class__.__name__)) from None
    if isinstance(data, dict):
        data = data.get("documents")
    if not isinstance(data, list):
        raise ManifestError(_("{path}: expected a list of documents").format(path=path))
    # line numbers from the composed node tree
    if node is not None and hasattr(node, "value") and isinstance(node.value, list) \
            and node.value and isinstance(node.value[0], tuple):
        node = dict((k.value, v) for k, v in node.value).get("documents")
    lines = [item.start_mark.line + 1 for item in node.value] if node is not None else []
    entries = []
    for i, item in enumerate(data):
        line = lines[i] if i < len(lines) else 0
        if not isinstance(item, dict):
            raise ManifestError(_("{where}: each document must be a mapping").format(
                where=f"{path}:{line}"))
        entries.append((line, _cleaned({str(k).strip(): v for k, v in item.items()})))
    return entries


def _table_entries(path: Path) -> list[tuple[int, dict]]:
    try:
        table = read_table(path)
    except TableError as exc:
        raise ManifestError(str(exc)) from None
    if "file" not in table.columns:
        raise ManifestError(_("{path}:1: the manifest needs a 'file' column (found: {columns})")
                            .format(path=path, columns=", ".join(table.columns)))
    return [(line, _cleaned(dict(zip(table.columns, cells)))) for line, cells in table.rows]


def _cleaned(value):
    """The sanitising step of every importer, on a manifest entry's strings."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def load_manifest(path: str | Path, check_files: bool = True, *,
                  known_programmes: Iterable[str] | None = None,
                  new_programmes: bool = False, known_waves: Iterable[str] | None = None,
                  new_waves: bool = False) -> Manifest:
    """Read a manifest; every problem is reported with the manifest's file and line.

    ``known_programmes``: when given, each row's programme must be one of them (case
    aside) unless the row says ``new_programme`` (or ``new_programmes`` is set).
    """
    path = Path(path)
    if not path.is_file():
        raise ManifestError(_("{path}: manifest not found").format(path=path))
    yaml_file = path.suffix.lower() in (".yaml", ".yml")
    entries = _yaml_entries(path) if yaml_file else _table_entries(path)
    known = list(known_programmes) if known_programmes is not None else None
    base = path.parent
    problems: list[str] = []
    extra_columns: list[str] = []
    bad_names: set[str] = set()
    for line, raw in entries:
        for key in raw:
            if key in FIELDS or key in extra_columns or key in bad_names:
                continue
            why = field_name_problem(key)
            if why:
                bad_names.add(key)
                problems.append(located(f"{path}:{line if yaml_file else 1}", why))
            else:
                extra_columns.append(key)
    result: list[tuple[Path, DocumentMetadata]] = []
    waves_known = list(known_waves or ())
    seen: set[Path] = set()
    rows: list[tuple[int, tuple[str, ...]]] = []
    for line, raw in entries:
        where = f"{path}:{line}"
        try:
            file_path, meta = _entry(raw, base, where, known, new_programmes,
                                     spreadsheet=path.suffix.lower() in (".xlsx", ".xlsm"),
                                     known_waves=waves_known, new_waves=new_waves)
            if meta.wave and meta.wave not in waves_known:    # new: known to later rows
                waves_known.append(meta.wave)
        except ValidationError as exc:
            problems.append(str(exc))
            continue
        if file_path in seen:
            problems.append(_("{where}: {name} is listed twice").format(where=where,
                                                                       name=file_path.name))
            continue
        if check_files and not file_path.is_file():
            problems.append(_("{where}: no such file {file}").format(where=where,
                                                                    file=raw.get("file")))
        cells = []
        for key in extra_columns:
            value = raw.get(key)
            if isinstance(value, (list, dict)):
                problems.append(_("{where}: {name} must be a single value").format(
                    where=where, name=key))
                value = None
            cells.append(cell_text(value))
        seen.add(file_path)
        result.append((file_path, meta))
        rows.append((line, tuple(cells)))
    if problems:
        raise ManifestError(_("{path}: manifest rejected, nothing imported:").format(path=path)
                            + list_problems(problems))
    fields = RawTable(path, tuple(extra_columns), tuple(rows),
                      spreadsheet=path.suffix.lower() in (".xlsx", ".xlsm"))
    return Manifest(result, fields)
