"""Spreadsheet writers: .xlsx (one sheet per table, typed cells) and .csv.

Numbers stay numbers, dates stay dates, booleans stay booleans: the participant ×
code matrix opens in R (``readxl``/``read.csv``), Stata (``import excel``/
``import delimited``) or pandas ready to merge on ``participant_id``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.safety.files import atomic_output
from workbench.safety.text import xml_safe
from workbench.i18n import _

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET.sub("_", str(name)).strip("'")[:31] or "feuille"
    out, i = base, 2
    while out.lower() in taken:
        suffix = f" ({i})"
        out = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(out.lower())
    return out


# a text cell starting with one of these would be read as a formula by Excel,
# LibreOffice or Google Sheets (CSV/formula injection): such cells are written as text
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_value(v):
    """A Python value openpyxl writes as a typed cell: numbers stay numbers, dates
    dates, booleans booleans; missing values empty; text without XML-forbidden
    characters (replaced one for one by U+FFFD: :func:`xml_safe`); anything else as text."""
    import datetime as _dt

    import numpy as np
    if v is None:
        return None
    if isinstance(v, str):
        return xml_safe(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if v != v else float(v)
    if v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.tz_localize(None).to_pydatetime() if v.tzinfo else v.to_pydatetime()
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.replace(tzinfo=None) if isinstance(v, _dt.datetime) and v.tzinfo else v
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return xml_safe(str(v))


def set_cell(cell, value) -> None:
    """Give an openpyxl cell a value as Workbench writes it: typed (see
    :func:`cell_value`), and text that starts like a formula stored as text with Excel's
    quote prefix.  Anything that writes or edits an .xlsx sets its cells through here."""
    value = cell_value(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
               progress: Callable[[int, int, str], None] | None = None,
               notes: Mapping[str, str] | None = None) -> Path:
    """The one .xlsx writer: one sheet per table, header in bold, frozen first row,
    sensible widths, typed cells, and every text cell that starts like a formula
    (``= + - @``, tab, carriage return) stored as text -- never a formula.  ``notes``:
    a sentence per table (what it counts), written on a "notes" sheet.  Written through
    :func:`~workbench.safety.files.atomic_output` (whole or absent, nothing left behind,
    a full disk said as such)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    taken: set[str] = set()
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    items = list(tables.items())
    with atomic_output(path) as fh:     # whole or absent; no temporary file left anywhere
        if notes:
            items.append((_("notes"), pd.DataFrame({_("table"): list(notes),
                                                   _("note"): list(notes.values())})))
        for i, (name, df) in enumerate(items):
            ws = wb.create_sheet(sheet_name(name, taken))
            index = not isinstance(df.index, pd.RangeIndex)
            frame = df.reset_index() if index else df
            header = [str(c) for c in frame.columns]
            rows = frame.itertuples(index=False, name=None)
            for r, values in enumerate(_chain([header], rows), start=1):
                for c, v in enumerate(values, start=1):
                    cell = ws.cell(row=r, column=c)
                    set_cell(cell, v)
                    if r == 1:
                        cell.font = bold
            ws.freeze_panes = "B2" if index else "A2"
            for j, col in enumerate(header):
                sample = [col] + [str(v) for v in frame.iloc[:200, j]]
                width = min(60, max(8, max(len(x) for x in sample) + 2))
                ws.column_dimensions[ws.cell(row=1, column=j + 1).column_letter].width = width
            if progress and name in tables:
                progress(i + 1, len(tables), name)
        wb.save(fh)
    return path


def _chain(first, rest):
    yield from first
    for row in rest:
        yield row


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """UTF-8, comma, ISO dates, no index (what R, Stata and pandas read by default)."""
    path = Path(path)
    index = not isinstance(df.index, pd.RangeIndex)
    with atomic_output(path, "w", encoding="utf-8", newline="") as fh:
        df.to_csv(fh, index=index, lineterminator="\n", date_format="%Y-%m-%d")
    return path


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
                 progress: Callable[[int, int, str], None] | None = None,
                 notes: Mapping[str, str] | None = None) -> list[Path]:
    """By suffix: ``.xlsx`` -> one workbook; ``.csv`` -> one file (one table) or one
    file per table (``name-<table>.csv``) when there are several."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return [write_xlsx(tables, path, progress=progress, notes=notes)]
    if path.suffix.lower() != ".csv":
        raise ValueError(_("{name}: use .xlsx or .csv").format(name=path.name))
    if len(tables) == 1:
        return [write_csv(next(iter(tables.values())), path)]
    out: list[Path] = []
    try:
        for i, (name, df) in enumerate(tables.items()):
            slug = re.sub(r"[^\w\-]+", "_", name)
            out.append(write_csv(df, path.with_name(f"{path.stem}-{slug}.csv")))
            if progress:
                progress(i + 1, len(tables), name)
    except BaseException:          # all the files of one export, or none of them
        for written in out:
            written.unlink(missing_ok=True)
        raise
    return out
