"""The quantitative study's participant table: one row per participant, an ID column and
typed attributes.

Reading and typing are those of every typed table (:mod:`workbench.tables`): CSV in any
encoding the transcripts accept (UTF-16 "Unicode text" included) or XLSX; the
project's attribute types win over what one file suggests, and only an explicit
override changes them.  Problems (missing or duplicate IDs, values that do not fit)
are all listed with their line numbers, and nothing is written when there is any.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from workbench.i18n import pgettext
from workbench.tables import (KeyedImport, RawTable, TableError, infer_type,  # noqa: F401
                              parse_type_override, plan_keyed_import, read_keyed_table)

ID_CANDIDATES = ("participant_id", "id_participant", "participant", "id", "identifiant", "ident")

#: Every error reading a participant table (kept under this name for callers).
ParticipantTableError = TableError
#: A participant table read and typed against the project, not yet written.
ParticipantImport = KeyedImport

__all__ = ["ID_CANDIDATES", "ParticipantImport", "ParticipantTableError", "infer_type",
           "parse_type_override", "plan_participant_import", "read_participant_table"]


def read_participant_table(path: str | Path, id_column: str | None = None,
                           sheet: str | None = None) -> tuple[RawTable, str, list[str]]:
    """The table, its ID column and the IDs, row by row (see
    :func:`workbench.tables.read_keyed_table`)."""
    return read_keyed_table(path, candidates=ID_CANDIDATES, noun=pgettext("table unit", "participant"),
                            id_column=id_column, sheet=sheet)


def plan_participant_import(store, path: str | Path, *, id_column: str | None = None,
                            types: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                            sheet: str | None = None) -> KeyedImport:
    """Read ``path`` and type it against the project's attributes (see
    :func:`workbench.tables.plan_keyed_import`); nothing is written."""
    return plan_keyed_import(store, "participant", path, candidates=ID_CANDIDATES,
                             noun=pgettext("table unit", "participant"), id_column=id_column, types=types,
                             sheet=sheet)
