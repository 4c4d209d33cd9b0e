"""Case tables (sites, organisations) and case links, read like every typed table.

A case table has an ID column (``case_id``, ``id``, ``<kind>_id``...), optional
``name``, ``parent`` (the ID of the case it belongs to: a training body's site) and
``description`` columns, and typed attributes in every other column -- read, typed
against the project's case fields and refused row by row exactly as participant tables
are (:func:`workbench.tables.plan_keyed_import`, field set ``case``).

A links table has a ``case`` column and, on each row, a ``document`` (with an optional
``speaker``: the label as written in the transcript) or a ``participant``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from workbench.i18n import _, pgettext
from workbench.query.cases import CASE_COLUMNS, CASE_KEYS
from workbench.tables import (KeyedImport, TableError, cell_text, list_problems,
                              plan_keyed_import, read_table)


def id_candidates(kind: str) -> tuple[str, ...]:
    return ("case_id", f"{kind}_id", f"id_{kind}", "id", "identifiant", "code", kind)


@dataclass
class CasePlan:
    """A case table read and checked, nothing written: ``rows()`` gives (case id,
    {name, description, parent_id}, {field: (text, number)})."""

    kind: str
    keyed: KeyedImport
    special: dict[str, str]         # name | parent | description -> the file's column

    def rows(self) -> list[tuple[str, dict, dict]]:
        table = self.keyed.table
        out = []
        for (cid, values), (_line, cells) in zip(self.keyed.rows(), table.rows):
            meta = {}
            for key, column in self.special.items():
                text = cells[table.index(column)].strip()
                meta["parent_id" if key == "parent" else key] = text or \
                    ("" if key == "parent" else None)
            out.append((cid, meta, values))
        return out


def plan_case_import(store, path: str | Path, kind: str, *, id_column: str | None = None,
                     types: Mapping[str, tuple[str, tuple[str, ...]]] | None = None,
                     sheet: str | None = None) -> CasePlan:
    """Read a case table of ``kind`` and check it against the project: every problem
    (a field named like a case key, a case of another kind, an unknown parent, a cycle of
    parents) listed with its line; nothing is written."""
    noun = pgettext("table unit", "case")
    keyed = plan_keyed_import(store, "case", path, candidates=id_candidates(kind), noun=noun,
                              id_column=id_column, types=types, sheet=sheet,
                              untyped=CASE_COLUMNS)
    table = keyed.table
    special = {c.casefold(): c for c in table.columns
               if c.casefold() in CASE_COLUMNS and c != keyed.key_column}
    problems = []
    for c in table.columns:
        if c != keyed.key_column and c.casefold() in CASE_KEYS and c.casefold() not in special:
            problems.append(_("{path}:1: a case field cannot be called {name!r} (every case "
                              "has an id and a name)").format(path=table.path, name=c))
    kinds = store.case_kind_of()
    parents = store.case_parents()
    in_file = set(keyed.keys)
    for (line, cells), cid in zip(table.rows, keyed.keys):
        where = table.where(line)
        if cid in kinds and kinds[cid] != kind:
            problems.append(_("{where}: case {id!r} is already a {other} case, not a {kind} "
                              "case").format(where=where, id=cid, other=kinds[cid], kind=kind))
        if "parent" in special:
            parent = cells[table.index(special["parent"])].strip()
            if parent and parent not in kinds and parent not in in_file:
                problems.append(_("{where}: parent {parent!r} is no case of the project or "
                                  "of this file").format(where=where, parent=parent))
            elif parent == cid:
                problems.append(_("{where}: case {id!r} cannot be its own parent").format(
                    where=where, id=cid))
            elif parent:
                parents[cid] = parent
    for cid in keyed.keys:                       # cycles through the new parents
        seen, cur = set(), cid
        while cur in parents and cur not in seen:
            seen.add(cur)
            cur = parents[cur]
        if cur in seen and cur == cid:
            problems.append(_("{path}: the parents of case {id!r} lead back to it").format(
                path=table.path, id=cid))
    if problems:
        raise TableError(_("{path}: case table rejected, nothing imported:").format(
            path=table.path) + list_problems(problems))
    return CasePlan(kind, keyed, special)


@dataclass
class LinkPlan:
    documents: list[tuple[int, str, str]]
    participants: list[tuple[str, str]]


def plan_case_links(store, path: str | Path, *, sheet: str | None = None) -> LinkPlan:
    """Read a links table (columns ``case``, and ``document`` [+ ``speaker``] or
    ``participant`` on each row); every unknown case, document, participant or speaker
    label is listed with its line and nothing is written."""
    table = read_table(path, sheet=sheet)
    cols = {c.casefold(): c for c in table.columns}
    if "case" not in cols or not ({"document", "participant"} & set(cols)):
        raise TableError(_("{path}:1: a links table needs a 'case' column and a 'document' "
                           "or 'participant' column (found: {columns})").format(
            path=table.path, columns=", ".join(table.columns)))
    kinds = store.case_kind_of()
    names = {}
    for row in store.query_documents():
        names[row[1]] = row[0]
    people = store.participant_ids()
    labels: dict[int, set] = {}
    problems, docs, parts = [], [], []

    def cell(cells, key):
        return cell_text(cells[table.index(cols[key])]).strip() if key in cols else ""

    for line, cells in table.rows:
        where = table.where(line)
        cid, doc, speaker, pid = (cell(cells, k) for k in ("case", "document", "speaker",
                                                             "participant"))
        if not (cid or doc or pid):
            continue
        if cid not in kinds:
            problems.append(_("{where}: unknown case {id!r}").format(where=where, id=cid))
        if bool(doc) == bool(pid):
            problems.append(_("{where}: give a document or a participant (one of them)")
                            .format(where=where))
            continue
        if doc:
            if doc not in names:
                problems.append(_("{where}: unknown document {name!r}").format(where=where,
                                                                              name=doc))
                continue
            if speaker:
                doc_id = names[doc]
                if doc_id not in labels:
                    labels[doc_id] = {s["speaker"] for s in store.speakers(doc_id)}
                if speaker not in labels[doc_id]:
                    problems.append(_("{where}: no speaker {speaker!r} in {document}").format(
                        where=where, speaker=speaker, document=doc))
                    continue
            docs.append((names[doc], cid, speaker))
        else:
            if pid not in people:
                problems.append(_("{where}: unknown participant ID {id!r}").format(
                    where=where, id=pid))
                continue
            parts.append((pid, cid))
    if problems:
        raise TableError(_("{path}: links table rejected, nothing imported:").format(
            path=table.path) + list_problems(problems))
    return LinkPlan(docs, parts)
