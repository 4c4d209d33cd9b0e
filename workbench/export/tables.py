"""Spreadsheet writers: .xlsx (one sheet per table, typed cells) and .csv.

Numbers stay numbers, dates stay dates, booleans stay booleans: the participant ×
code matrix opens in R (``readxl``/``read.csv``), Stata (``import excel``/
``import delimited``) or pandas ready to merge on ``participant_id``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET.sub("_", str(name)).strip("'")[:31] or "feuille"
    out, i = base, 2
    while out.lower() in taken:
        suffix = f" ({i})"
        out = base[: 31 - len(suffix)] + suffix
        i += 1
    taken.add(out.lower())
    return out


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """Strip characters that XML (hence .xlsx) forbids; keep dtypes."""
    df = df.copy()
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].map(lambda v: ILLEGAL.sub("", v) if isinstance(v, str) else v)
        if isinstance(df[col].dtype, pd.DatetimeTZDtype):
            df[col] = df[col].dt.tz_localize(None)
    return df


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
               progress: Callable[[int, int, str], None] | None = None) -> Path:
    """One sheet per table, header in bold, frozen first row, sensible widths."""
    from openpyxl.styles import Font

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    tmp = path.with_name(path.name + ".part.xlsx")
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for i, (name, df) in enumerate(tables.items()):
            sheet = sheet_name(name, taken)
            df = _clean(df)
            index = not isinstance(df.index, pd.RangeIndex)
            df.to_excel(writer, sheet_name=sheet, index=index)
            ws = writer.sheets[sheet]
            ws.freeze_panes = "B2" if index else "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for j, col in enumerate(([df.index.name or ""] if index else []) + list(df.columns)):
                sample = [str(col)] + [str(v) for v in (df.iloc[:200, j - int(index)]
                                                        if j >= int(index) else df.index[:200])]
                width = min(60, max(8, max(len(s) for s in sample) + 2))
                ws.column_dimensions[ws.cell(row=1, column=j + 1).column_letter].width = width
            if progress:
                progress(i + 1, len(tables), name)
    tmp.replace(path)
    return path


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """UTF-8, comma, ISO dates, no index (what R, Stata and pandas read by default)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    index = not isinstance(df.index, pd.RangeIndex)
    df.to_csv(path, index=index, lineterminator="\n", date_format="%Y-%m-%d")
    return path


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | Path, *,
                 progress: Callable[[int, int, str], None] | None = None) -> list[Path]:
    """By suffix: ``.xlsx`` -> one workbook; ``.csv`` -> one file (one table) or one
    file per table (``name-<table>.csv``) when there are several."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return [write_xlsx(tables, path, progress=progress)]
    if path.suffix.lower() != ".csv":
        raise ValueError(f"{path.name}: use .xlsx or .csv")
    if len(tables) == 1:
        return [write_csv(next(iter(tables.values())), path)]
    out = []
    for i, (name, df) in enumerate(tables.items()):
        slug = re.sub(r"[^\w\-]+", "_", name)
        out.append(write_csv(df, path.with_name(f"{path.stem}-{slug}.csv")))
        if progress:
            progress(i + 1, len(tables), name)
    return out
