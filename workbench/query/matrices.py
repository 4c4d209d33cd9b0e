"""Matrices: code × a grouping dimension, code co-occurrence, participant × code.

What counts (the same everywhere: matrices, joint displays, triangulation, dossiers,
reports):

* ``passages`` (the default) -- distinct passages: within one document, the codings of
  a row's codes (a code with its sub-codes, unless ``descendants=False``) that share
  characters -- directly or through a chain of overlaps -- form one passage, whoever
  coded them; two coders on one span, or a code and its sub-code on overlapping spans,
  are one passage (:func:`workbench.query.engine.passage_ids`);
* ``codings`` -- codings (each coder's act of coding a span counts);
* ``documents`` -- distinct documents; ``participants`` -- distinct participants, through
  the linking levels of :mod:`workbench.query.engine`.

Which codings count: ``coders`` (None: every coder's, merged as above; a name, a list
of names, or :data:`workbench.domain.CONSENSUS_CODER`), ``status`` and ``interviewer``
(False: codings on interviewer turns only are left out; True: they are their own
``interviewer`` column when grouping by actor type, never the document's actor type).

Denominators.  The last row, ``(total)``, is each column's base: for documents and
participants, the **population** of the column -- documents in scope, and interviewed
participants (linked to a document in scope), **with or without codings**; for
passages and codings, the distinct passages (of any code) and codings of the column.
Column % = cell / that base; row % = cell / the row's ``total`` (distinct units of the
row, any column).  The joint display's share uses the same base.

Grouping dimensions are generic (:func:`dimension`): a document field (actor type,
programme, site, interviewer, date, name, ``doc.KEY``), a participant attribute (numbers
and dates in quantile bins), or the turn's speaker.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

from workbench.query._types import CodeRefs, Coders
from workbench.domain import ACTOR_TYPES, Attribute, ValidationError
from workbench.i18n import _
from workbench.query.engine import (DOC_FIELDS, Filter, ProjectData, _key, codings_in_scope,
                                    passage_ids, ranges_to_pairs, unique_ints)
from workbench.query.language import parse_condition

COUNTS = ("passages", "codings", "documents", "participants")
MISSING = "(missing)"
TOTAL = "(total)"
INTERVIEWER = "interviewer"
DOC_DIMENSIONS = ("actor_type", "programme", "name", "site", "interviewer", "interview_date",
                  "wave")


def tree_order(data: ProjectData) -> list[int]:
    out: list[int] = []

    def walk(parent: int | None) -> None:
        for c in data.children.get(parent, []):
            out.append(c)
            walk(c)

    walk(None)
    return out


def row_codes(data: ProjectData, codes: CodeRefs, descendants: bool) -> list[tuple[str, list[int]]]:
    """(row label, code ids counted in that row)."""
    ids = tree_order(data) if codes is None else data.code_ids(codes)
    return [(data.code_path[c], data.descendants(c) if descendants else [c]) for c in ids]


def expand_rows(scope: pd.DataFrame, rows: list[tuple[str, list[int]]]) -> pd.DataFrame:
    """Scope rows repeated for every matrix row their code counts in; adds 'label'."""
    mapping = pd.DataFrame([(label, c) for label, ids in rows for c in ids],
                           columns=["label", "code"])
    return scope.merge(mapping, on="code", how="inner")


def row_passages(scope: pd.DataFrame, rows: list[tuple[str, list[int]]]) -> pd.DataFrame:
    """Each (matrix row, coding) pair of ``scope`` with its passage: columns r (row
    index), row (coding), doc, start, end, passage (unique across rows)."""
    pairs = [(i, c) for i, (_label, ids) in enumerate(rows) for c in ids]
    if not pairs or scope.empty:
        return pd.DataFrame({k: np.zeros(0, dtype=np.int64)
                             for k in ("r", "row", "doc", "start", "end", "passage")})
    mapping = pd.DataFrame(pairs, columns=["r", "code"])
    cod = scope.drop_duplicates("row")[["row", "code", "doc", "start", "end"]]
    m = cod.merge(mapping, on="code", how="inner")
    m["passage"] = passage_ids(m["r"].to_numpy(np.int64), m["doc"].to_numpy(np.int64),
                               m["start"].to_numpy(np.int64), m["end"].to_numpy(np.int64))
    return m[["r", "row", "doc", "start", "end", "passage"]]


# -- grouping variables -----------------------------------------------------------------------
def attribute_groups(data: ProjectData, name: str, pids: Sequence[str], bins: int = 4) -> tuple[pd.Series, list[str]]:
    """Group label of each participant for an attribute (quantile bins for numbers and
    dates), and the labels in display order."""
    attr = data.attributes.get(name)
    if attr is None:
        raise ValidationError(data.unknown_attribute(name))
    return typed_groups(attr, data.values(name), pids, bins)


def typed_groups(attr: Attribute, vals: pd.DataFrame, owners: Iterable[object],
                 bins: int = 4) -> tuple[pd.Series, list[str]]:
    """Group label of each owner (participant, case) for a typed field whose values are
    ``vals`` (owner-indexed 'value' and 'num'): quantile bins for numbers and dates, yes/no,
    ordinal levels in order, text sorted; ``(missing)`` last.  Returns the labels and
    their display order."""
    pids = pd.Index(pd.Series(np.asarray(owners, dtype=object)).dropna().unique())
    if attr.type in ("numeric", "date"):
        num = vals["num"].reindex(pids).astype(float)
        present = num.dropna()
        if present.empty:
            return pd.Series(MISSING, index=pids), [MISSING]
        q = min(bins, present.nunique())
        cats, edges = pd.qcut(present, q, retbins=True, duplicates="drop")
        fmt = (lambda x: f"{x:g}") if attr.type == "numeric" else \
            (lambda x: _dt.date.fromordinal(int(round(x))).isoformat())
        labels = [f"Q{i + 1} [{fmt(edges[i])}–{fmt(edges[i + 1])}]" for i in range(len(edges) - 1)]
        codes = cats.cat.codes
        lab = pd.Series([labels[c] for c in codes], index=present.index, dtype=object)
        out = lab.reindex(pids).fillna(MISSING)
        order = labels
    elif attr.type == "boolean":
        num = vals["num"].reindex(pids)
        out = num.map({1.0: "oui", 0.0: "non"}).astype(object).fillna(MISSING)
        order = ["oui", "non"]
    elif attr.type == "ordinal":
        out = vals["value"].reindex(pids).astype(object).fillna(MISSING)
        order = list(attr.levels)
    else:
        out = vals["value"].reindex(pids).astype(object).fillna(MISSING)
        order = sorted(v for v in out.unique() if v != MISSING)
    if (out == MISSING).any():
        order = order + [MISSING]
    return out, order


def links_frame(data: ProjectData, where: str | None) -> pd.DataFrame:
    """Every (document, participant, speaker) link of the documents in scope -- plus one
    row with participant None for each document in scope, and one (document, None,
    speaker) for each speaker linked to a case (a trainer to a training body: the
    document passes ``organisation.type = OF`` through that speaker) -- that passes the
    WHERE filter's document, participant and case conditions.  Columns: doc,
    participant_id, speaker."""
    links = [(d, p, "") for d, ps in data.doc_pids.items() for p in ps] + \
        [(d, p, s) for (d, s), ps in data.speaker_pids.items() for p in ps] + \
        [(int(d), None, "") for d in data.docs.index]
    if data.has_cases:
        dl = data.cases.doc_links
        dl = dl[dl["speaker"] != ""]
        links += [(int(d), None, s) for d, s in zip(dl["doc"], dl["speaker"])]
    frame = pd.DataFrame(links, columns=["doc", "participant_id", "speaker"]).drop_duplicates()
    frame["doc"] = frame["doc"].astype(np.int64)
    if where and len(frame):
        frame["seg"] = -1
        frame["speaker"] = frame["speaker"].replace("", None)
        frame["coders"] = [frozenset(data.coders.values())] * len(frame)
        frame = frame[Filter(data, parse_condition(where)).mask(frame)]
    return frame[["doc", "participant_id", "speaker"]].reset_index(drop=True)


def participants_in_scope(data: ProjectData, where: str | None) -> list[str]:
    """Participants linked to an interview in scope (document or speaker), kept when one
    of their links passes the filter's document and participant conditions."""
    frame = links_frame(data, where)
    return sorted(frame["participant_id"].dropna().unique())


@dataclass
class Dimension:
    """A grouping variable: ``kind`` document (a document field), participant (an
    attribute of the participant table) or turn (the speaker).  For a participant
    attribute, :meth:`fix_groups` sets the groups (and the quantile bins) once, over the
    population, so that every table built on the dimension uses the same groups."""

    name: str
    kind: str
    column: str
    bins: int = 4
    groups: pd.Series | None = None
    group_order: list | None = None
    case_kind: str | None = None        # kind "case": the kind of case, column its field
    wave_order: tuple = ()              # column "wave": the project's order of waves

    def fix_groups(self, data: ProjectData, pids: Iterable[str]) -> None:
        if self.kind == "participant":
            self.groups, self.group_order = attribute_groups(data, self.column, sorted(set(pids)),
                                                             self.bins)
        elif self.kind == "case" and self.groups is None:
            assert self.case_kind is not None           # (a case dimension names its kind)
            cases = data.cases
            ids = [c for c, k in cases.kind.items() if k == self.case_kind]
            if self.column in ("id", "name"):
                labels = cases.labels(self.case_kind, self.column)
                self.groups = labels
                self.group_order = sorted(set(labels), key=str)
            else:
                self.groups, self.group_order = typed_groups(
                    cases.fields[self.column], cases.values(self.column), ids, self.bins)

    def label_scope(self, data: ProjectData, scope: pd.DataFrame) -> pd.DataFrame:
        """``scope`` with its column label ``col``; a row in no column is dropped, a row
        in several (a unit of two sites) is repeated, once per column."""
        if self.kind != "case":
            out = scope.assign(col=self.scope_labels(data, scope).to_numpy(object))
            return out[out["col"].notna()]
        self.fix_groups(data, ())
        assert self.case_kind is not None
        long = data.cases.resolve(self.case_kind, scope)
        labels = long["target"].map(self.groups).fillna(MISSING).to_numpy(object)
        i = long["i"].to_numpy(np.int64)
        rest = np.setdiff1d(np.arange(len(scope), dtype=np.int64), i)
        rows = np.concatenate([i, rest])
        col = np.concatenate([labels, np.full(len(rest), MISSING, dtype=object)])
        order = np.argsort(rows, kind="stable")
        return scope.iloc[rows[order]].assign(col=col[order]).reset_index(drop=True)

    def _doc_labels(self, data: ProjectData, doc: pd.Series) -> pd.Series:
        if self.column.startswith("field:"):
            values = data.document_values(self.column[6:])["value"]
            return doc.map(values).astype(object).fillna(MISSING)
        if self.column.startswith("extra:"):
            import json
            key = self.column[6:]
            values = data.docs["extra"].map(lambda e: json.loads(e or "{}").get(key))
            values = values.map(lambda v: MISSING if v is None or v == "" else str(v))
            return doc.map(values).astype(object).fillna(MISSING)
        return doc.map(data.docs[self.column]).astype(object).fillna(MISSING)

    def scope_labels(self, data: ProjectData, scope: pd.DataFrame) -> pd.Series:
        """The column label of each scope row (NaN: in no column)."""
        if self.kind == "document":
            labels = self._doc_labels(data, scope["doc"])
            if self.column == "actor_type" and "interviewer" in scope:
                labels = labels.where(~scope["interviewer"].to_numpy(bool), INTERVIEWER)
            return labels
        if self.kind == "turn":
            return scope["speaker"].astype(object).fillna(MISSING)
        if self.groups is None:
            self.fix_groups(data, scope["participant_id"].dropna())
        return scope["participant_id"].map(self.groups)

    def population(self, data: ProjectData, count: str, where: str | None,
                   interviewer: bool) -> pd.DataFrame | None:
        """(unit, label) of the documents or participants in scope, coded or not (None
        when the dimension has no population for that count: speakers)."""
        if count not in ("documents", "participants") or self.kind == "turn":
            return None
        links = links_frame(data, where)
        if count == "participants":
            links = links[links["participant_id"].notna()]
            unit = links["participant_id"]
        else:
            unit = links["doc"]
        if self.kind == "case":
            links = links.assign(unit=unit.to_numpy(object))
            labelled = self.label_scope(data, links.reset_index(drop=True))
            out = pd.DataFrame({"unit": labelled["unit"].to_numpy(object),
                                "label": labelled["col"].to_numpy(object)})
            # a unit is "(missing)" only when none of its links reaches a case
            placed = set(out.loc[out["label"] != MISSING, "unit"])
            out = out[(out["label"] != MISSING) | ~out["unit"].isin(placed)]
        elif self.kind == "document":
            labels = self._doc_labels(data, links["doc"])
            out = pd.DataFrame({"unit": unit.to_numpy(object), "label": labels.to_numpy(object)})
            if interviewer and self.column == "actor_type" and count == "documents":
                with_int = np.intersect1d(pd.unique(links["doc"]).astype(np.int64),
                                          data.seg_doc[data.seg_interviewer])
                out = pd.concat([out, pd.DataFrame({"unit": with_int.astype(object),
                                                    "label": INTERVIEWER})])
        else:
            if self.groups is None:
                self.fix_groups(data, links["participant_id"].dropna())
            labels = links["participant_id"].map(self.groups)
            out = pd.DataFrame({"unit": unit.to_numpy(object), "label": labels.to_numpy(object)})
        return out.dropna().drop_duplicates().reset_index(drop=True)

    def order(self, labels: Iterable[object]) -> list[str]:
        present = {v for v in labels if isinstance(v, str)}
        if self.kind in ("participant", "case") and self.group_order is not None:
            return [g for g in self.group_order if g in present] + \
                ([MISSING] if MISSING in present and MISSING not in self.group_order else [])
        rest = sorted((v for v in present if v != MISSING), key=str)
        if self.column == "wave":
            rank = {w: i for i, w in enumerate(self.wave_order)}
            rest = sorted(rest, key=lambda w: (rank.get(w, len(rank)), w))
        if self.column == "actor_type":
            rest = [a for a in ACTOR_TYPES if a in present] + \
                [v for v in rest if v not in ACTOR_TYPES and v != INTERVIEWER] + \
                ([INTERVIEWER] if INTERVIEWER in present else [])
        return rest + ([MISSING] if MISSING in present else [])


def dimension(data: ProjectData, by: str, bins: int = 4) -> Dimension:
    """Resolve a grouping variable: document field, ``doc.KEY``, speaker, or a participant
    attribute (``p.NAME`` when a document field has the same name)."""
    low = by.casefold()
    if low in DOC_FIELDS and DOC_FIELDS[low] in DOC_DIMENSIONS:
        return Dimension(by, "document", DOC_FIELDS[low], bins,
                         wave_order=tuple(data.wave_order))
    if low.startswith(("doc.", "document.")):
        key = by.split(".", 1)[1]
        if key.casefold() in DOC_FIELDS and DOC_FIELDS[key.casefold()] in DOC_DIMENSIONS:
            return Dimension(by, "document", DOC_FIELDS[key.casefold()], bins,
                             wave_order=tuple(data.wave_order))
        data.check_document_key(key)
        typed = {f.casefold(): f for f in data.document_fields}
        if key.casefold() in typed:
            return Dimension(by, "document", "field:" + typed[key.casefold()], bins)
        return Dimension(by, "document", "extra:" + key, bins)
    if low == "speaker":
        return Dimension(by, "turn", "speaker", bins)
    if "." in by and not low.startswith(("p.", "participant.")):
        prefix, key = by.split(".", 1)
        cases = data.cases
        kind = cases.kind_named(prefix)
        if kind is not None:
            from workbench.query.cases import CASE_KEYS
            if key.casefold() in CASE_KEYS:
                field = key.casefold()
            else:
                found = cases.field_named(key)
                if found is None:
                    if key.casefold() in cases.private_fields:
                        raise ValidationError(_("case field {name!r} is private: it is never "
                                                "used in outputs").format(name=key))
                    raise ValidationError(_("unknown field {name!r} of {kind} cases; case "
                                            "fields: {known}").format(
                        name=key, kind=kind, known=", ".join(["id", "name", *cases.fields])))
                field = found
            return Dimension(by, "case", field, bins, case_kind=kind)
    name = by.split(".", 1)[1] if low.startswith(("p.", "participant.")) else by
    if name not in data.attributes:
        folded = {a.casefold(): a for a in data.attributes}
        if name.casefold() not in folded:
            raise ValidationError(data.unknown_attribute(name))
        name = folded[name.casefold()]
    return Dimension(by, "participant", name, bins)


def code_matrix(data: ProjectData, by: str = "actor_type", *, codes: CodeRefs = None,
                count: str = "passages", percent: str | None = None, descendants: bool = True,
                where: str | None = None, bins: int = 4, status: str = "accepted",
                coders: Coders = None, interviewer: bool = False) -> pd.DataFrame:
    """Codes (rows) × the values of ``by`` (see :func:`dimension`); cells = distinct
    passages, codings, documents or participants (see the module docstring)."""
    if count not in COUNTS:
        raise ValidationError(_("count must be one of {values}").format(values=", ".join(COUNTS)))
    if percent not in (None, "row", "column"):
        raise ValidationError(_("percent must be 'row' or 'column'"))
    rows = row_codes(data, codes, descendants)
    dim = dimension(data, by, bins)
    scope = codings_in_scope(data, where, status, coders=coders, interviewer=interviewer)
    dim.fix_groups(data, set(participants_in_scope(data, where))
                   | set(scope["participant_id"].dropna()))
    scope = dim.label_scope(data, scope)
    if count == "participants":
        scope = scope[scope["participant_id"].notna()]
    population = dim.population(data, count, where, interviewer)
    order = dim.order(list(scope["col"]) + ([] if population is None
                                            else list(population["label"])))
    ncols, nrows = len(order), len(rows)
    col_of = {c: i for i, c in enumerate(order)}
    # (matrix row, scope row) pairs, each with its unit
    rp = row_passages(scope, rows)                  # one row per (r, coding)
    link = scope[["row", "col", "doc", "participant_id"]]
    e = rp.merge(link, on=["row", "doc"], how="inner")
    if count == "passages":
        unit = e["passage"].to_numpy(np.int64)
    elif count == "codings":
        unit = e["row"].to_numpy(np.int64)
    elif count == "documents":
        unit = e["doc"].to_numpy(np.int64)
    else:
        unit = pd.factorize(e["participant_id"].to_numpy(object))[0].astype(np.int64)
    r = e["r"].to_numpy(np.int64)
    cc = e["col"].map(col_of).to_numpy(np.int64)
    nunits = int(unit.max()) + 1 if len(unit) else 1
    counts = np.bincount(unique_ints((r * ncols + cc) * nunits + unit) // nunits,
                         minlength=nrows * ncols).reshape(nrows, ncols)
    row_total = np.bincount(unique_ints(r * nunits + unit) // nunits, minlength=nrows)
    # the base of each column
    if population is not None:
        pop = population.assign(c=population["label"].map(col_of)).dropna()
        col_total = pop.groupby("c")["unit"].nunique().reindex(range(ncols), fill_value=0)
        col_total = col_total.to_numpy(np.int64)
        grand = int(pop["unit"].nunique())
    else:
        if count == "passages":      # passages of any code, per column
            anyrow = row_passages(scope, [("*", sorted(set(scope["code"])))])
            ea = anyrow.merge(link, on=["row", "doc"], how="inner")
            u, c = ea["passage"].to_numpy(np.int64), ea["col"].map(col_of).to_numpy(np.int64)
        elif count == "codings":
            u, c = scope["row"].to_numpy(np.int64), scope["col"].map(col_of).to_numpy(np.int64)
        else:
            u = pd.factorize(scope["participant_id"].to_numpy(object))[0].astype(np.int64) \
                if count == "participants" else scope["doc"].to_numpy(np.int64)
            c = scope["col"].map(col_of).to_numpy(np.int64)
        m = int(u.max()) + 1 if len(u) else 1
        col_total = np.bincount(unique_ints(c * m + u) // m, minlength=ncols)
        grand = int(len(unique_ints(u)))
    table = pd.DataFrame(counts, index=[x[0] for x in rows], columns=order)
    if percent == "row":
        den = pd.Series(row_total, index=table.index).replace(0, np.nan)
        table = (table.div(den, axis=0) * 100).round(1).fillna(0.0)
    elif percent == "column":
        den = pd.Series(col_total, index=order).replace(0, np.nan)
        table = (table.div(den, axis=1) * 100).round(1).fillna(0.0)
    table["total"] = row_total
    table.loc[TOTAL] = list(col_total) + [grand]
    table.index.name = "code"
    table.columns.name = None
    out = table.reset_index()
    out.attrs["counts"] = count
    return out


# -- co-occurrence ----------------------------------------------------------------------------
def cooccurrence(data: ProjectData, codes: CodeRefs = None, *, mode: str = "overlap",
                 distance: int | None = None, count: str = "passages",
                 where: str | None = None, status: str = "accepted", coders: Coders = None,
                 interviewer: bool = False) -> pd.DataFrame:
    """Code × code co-occurrence (symmetric), each code alone (without its sub-codes).
    ``mode``: overlap (sharing characters), turn (in the same speaker turn), proximity
    (within ``distance`` characters, default 500).  ``count``: passages (pairs of a
    passage of one code and a passage of the other -- each code's codings merged into
    passages, so double coding does not double a pair; turns in turn mode), codings
    (pairs of codings), or documents.  The diagonal holds each code's own passages
    (codings, turns, documents)."""
    if mode not in ("overlap", "turn", "proximity"):
        raise ValidationError(_("mode must be overlap, turn or proximity"))
    if count not in ("passages", "codings", "documents"):
        raise ValidationError(_("count must be passages, codings or documents"))
    ids = [c for c in tree_order(data)] if codes is None else data.code_ids(codes)
    n = len(ids)
    index = np.full(max(data.code_name, default=0) + 1, -1, dtype=np.int64)
    index[ids] = np.arange(n)
    cod = data.codings_for(status, coders, interviewer)
    code_col = cod["code"].to_numpy(np.int64)
    rows = np.nonzero(index[code_col] >= 0)[0] if n else np.zeros(0, np.int64)
    if where:
        scope = codings_in_scope(data, where, status, rows, coders=coders,
                                 interviewer=interviewer)
        rows = unique_ints(scope["row"].to_numpy(np.int64))
    doc = cod["doc"].to_numpy(np.int64)[rows]
    start = cod["start"].to_numpy(np.int64)[rows]
    end = cod["end"].to_numpy(np.int64)[rows]
    ci = index[code_col[rows]]
    if count == "passages" and mode != "turn":
        # each code's codings merged into passages: (doc, start, end, code) per passage
        pid = passage_ids(ci, doc, start, end)
        k = int(pid.max()) + 1 if len(pid) else 0
        pdoc = np.zeros(k, dtype=np.int64)
        pdoc[pid] = doc
        pci = np.zeros(k, dtype=np.int64)
        pci[pid] = ci
        pstart = np.full(k, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(pstart, pid, start)
        pend = np.zeros(k, dtype=np.int64)
        np.maximum.at(pend, pid, end)
        o = np.lexsort((pend, pstart, pdoc))
        doc, start, end, ci = pdoc[o], pstart[o], pend[o], pci[o]
        rows = np.arange(k, dtype=np.int64)
    if mode == "turn":
        seg = data.segment_of(doc, start)
        last = np.maximum(data.segment_of(doc, np.maximum(end - 1, start)), seg)
        ok = seg >= 0
        pairs, s = ranges_to_pairs(np.where(ok, seg, 0), np.where(ok, last + 1, 0))
        tc = pd.DataFrame({"unit": s, "doc": doc[pairs], "c": ci[pairs]}).drop_duplicates()
        diag_units = tc
        m = tc.merge(tc, on=["unit", "doc"])
        m = m[m["c_x"] < m["c_y"]]
        pairs = pd.DataFrame({"unit": m["unit"].to_numpy(), "doc": m["doc"].to_numpy(),
                              "a": m["c_x"].to_numpy(), "b": m["c_y"].to_numpy()})
    else:
        gap = 0 if mode == "overlap" else (500 if distance is None else int(distance))
        key = _key(doc, start)            # rows are sorted by (doc, start)
        hi = np.searchsorted(key, _key(doc, end + gap + (0 if mode == "overlap" else 1)), "left")
        lo = np.arange(len(rows), dtype=np.int64) + 1
        i, j = ranges_to_pairs(lo, hi)
        a, b = ci[i], ci[j]
        ok = a != b
        i, a, b = i[ok], a[ok], b[ok]
        pairs = pd.DataFrame({"unit": np.arange(len(i)), "doc": doc[i],
                              "a": np.minimum(a, b), "b": np.maximum(a, b)})
        diag_units = pd.DataFrame({"unit": np.arange(len(rows)), "doc": doc, "c": ci})
    mat = np.zeros((n, n), dtype=np.int64)
    if count == "documents":
        p = pairs.drop_duplicates(["doc", "a", "b"])
        d = diag_units.drop_duplicates(["doc", "c"])
    else:
        p = pairs.drop_duplicates(["unit", "a", "b"])
        d = diag_units.drop_duplicates(["unit", "c"])
    if n:
        flat = np.bincount(p["a"].to_numpy(np.int64) * n + p["b"].to_numpy(np.int64),
                           minlength=n * n).reshape(n, n)
        mat = flat + flat.T
        mat[np.arange(n), np.arange(n)] = np.bincount(d["c"].to_numpy(np.int64), minlength=n)
    labels = [data.code_path[c] for c in ids]
    out = pd.DataFrame(mat, columns=labels)
    out.insert(0, "code", labels)
    return out


# -- participants × codes ---------------------------------------------------------------------
def participant_code_matrix(data: ProjectData, codes: CodeRefs = None, *, binary: bool = True,
                            descendants: bool = True, where: str | None = None,
                            all_participants: bool = False, count: str = "passages",
                            status: str = "accepted", coders: Coders = None) -> pd.DataFrame:
    """One row per participant (ID first, joinable to the quantitative table), one
    column per code (with its sub-codes unless ``descendants=False``): 1/0 (the
    participant's words carry the code) or counts of passages (default) or codings.
    Interviewer speech never belongs to a participant."""
    if count not in ("passages", "codings"):
        raise ValidationError(_("count must be passages or codings"))
    rows = row_codes(data, codes, descendants)
    scope = codings_in_scope(data, where, status, coders=coders)
    scope = scope[scope["participant_id"].notna()]
    rp = row_passages(scope, rows)
    e = rp.merge(scope[["row", "doc", "participant_id"]], on=["row", "doc"], how="inner")
    e["label"] = [rows[i][0] for i in e["r"]]
    unit = "passage" if count == "passages" else "row"
    cells = e.groupby(["participant_id", "label"])[unit].nunique().unstack("label")
    if all_participants:
        pids = sorted(data.store.participant_ids())
    else:
        pids = participants_in_scope(data, where)
    table = cells.reindex(index=pids, columns=[r[0] for r in rows]).fillna(0).astype(np.int64)
    if binary:
        table = (table > 0).astype(np.int64)
    table.index.name = "participant_id"
    table.columns.name = None
    return table.reset_index()
