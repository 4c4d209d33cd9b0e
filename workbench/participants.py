"""The quantitative study's participant table: one row per participant, an ID column and
typed attributes.

Reading and typing are those of every typed table (:mod:`workbench.tables`): CSV in any
encoding the transcripts accept (UTF-16 "Unicode text" included) or XLSX; the
project's attribute types win over what one file suggests, and only an explicit
override changes them.  Problems (missing or duplicate IDs, values that do not fit)
are all listed with their line numbers, and nothing is written when there is any.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from workbench.domain import Attribute
from workbench.i18n import _
from workbench.tables import (RawTable, TableError, TypedTable, infer_type,  # noqa: F401
                              list_problems, parse_type_override, read_table, type_columns)

ID_CANDIDATES = ("participant_id", "id_participant", "participant", "id", "identifiant", "ident")

#: Every error reading a participant table (kept under this name for callers).
ParticipantTableError = TableError

__all__ = ["ID_CANDIDATES", "ParticipantImport", "ParticipantTableError", "infer_type",
           "parse_type_override", "plan_participant_import", "read_participant_table"]


@dataclass
class ParticipantImport:
    """A participant table read and typed against the project, not yet written."""

    table: RawTable
    id_column: str
    ids: list[str]
    typed: TypedTable

    @property
    def empty(self) -> bool:
        return not self.table.rows

    def rows(self) -> list[tuple[str, dict]]:
        return [(self.ids[r], values) for r, values in self.typed.rows]


def _id_column(table: RawTable, id_column: str | None) -> str:
    if id_column is None:
        lowered = {c.casefold(): c for c in table.columns}
        found = next((lowered[c] for c in ID_CANDIDATES if c in lowered), None)
        if found is None:
            raise TableError(_(
                "{path}:1: no participant ID column found (tried {tried}); columns are: "
                "{columns}; name it with --id-column").format(
                path=table.path, tried=", ".join(ID_CANDIDATES), columns=", ".join(table.columns)))
        return found
    if id_column not in table.columns:
        raise TableError(_("{path}:1: no column {name!r}; columns are: {columns}").format(
            path=table.path, name=id_column, columns=", ".join(table.columns)))
    return id_column


def read_participant_table(path: str | Path, id_column: str | None = None,
                           sheet: str | None = None) -> tuple[RawTable, str, list[str]]:
    """The table, its ID column and the IDs, row by row.

    :raises TableError: unreadable table, no ID column, missing or duplicate IDs (every
        one listed with its line).
    """
    table = read_table(path, sheet=sheet)
    column = _id_column(table, id_column)
    ids = table.values(column)
    problems = []
    lines: dict[str, list[int]] = {}
    for (line, _cells), pid in zip(table.rows, ids):
        if pid == "":
            problems.append(_("{where}: missing participant ID").format(where=table.where(line)))
        else:
            lines.setdefault(pid, []).append(line)
    for pid, at in lines.items():
        if len(at) > 1:
            problems.append(_("{path}: duplicate participant ID {pid!r} on lines {lines}").format(
                path=table.path, pid=pid, lines=", ".join(map(str, at))))
    if problems:
        raise TableError(_("participant table rejected, nothing imported:") + list_problems(problems))
    return table, column, ids


def plan_participant_import(store, path: str | Path, *, id_column: str | None = None,
                            types: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                            sheet: str | None = None) -> ParticipantImport:
    """Read ``path`` and type it against the project's attributes (see
    :func:`workbench.tables.type_columns`); nothing is written."""
    table, column, ids = read_participant_table(path, id_column, sheet)
    project: dict[str, Attribute] = {a.name: a for a in store.attributes()}
    overrides = dict(types or {})
    if column in overrides:
        raise TableError(_("{path}: {name} is the participant ID column; it has no type")
                         .format(path=table.path, name=column))
    columns = [c for c in table.columns if c != column]
    typed = type_columns(table, columns, project, overrides,
                         stored=store.attribute_values, row_names=ids,
                         owner_label=lambda pid: _("participant {pid}").format(pid=pid))
    return ParticipantImport(table, column, ids, typed)
