"""Matrices: code × attribute / actor type, code co-occurrence, participant × code.

Counting units: ``codings`` (distinct codings), ``documents`` (distinct documents),
``participants`` (distinct participants, through the linking levels of
:mod:`workbench.query.engine`).  With ``descendants=True`` a code's row counts the
codings of its whole subtree.  Percentages:

* ``percent="row"``: cell / the row's ``total`` (distinct units of that code, any column);
* ``percent="column"``: cell / the column's total (distinct units of that column among
  all codings in scope -- e.g. the share of that group's interviewed participants whose
  words carry the code).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.domain import ACTOR_TYPES, ValidationError
from workbench.query.engine import (DOC_FIELDS, Filter, ProjectData, _key, codings_in_scope,
                                    ranges_to_pairs, unique_ints)
from workbench.query.language import parse_condition

COUNTS = ("codings", "documents", "participants")
MISSING = "(missing)"
TOTAL = "(total)"
UNIT_COL = {"codings": "row", "documents": "doc", "participants": "participant_id"}


def tree_order(data: ProjectData) -> list[int]:
    out: list[int] = []

    def walk(parent):
        for c in data.children.get(parent, []):
            out.append(c)
            walk(c)

    walk(None)
    return out


def row_codes(data: ProjectData, codes, descendants: bool) -> list[tuple[str, list[int]]]:
    """(row label, code ids counted in that row)."""
    ids = tree_order(data) if codes is None else data.code_ids(codes)
    return [(data.code_path[c], data.descendants(c) if descendants else [c]) for c in ids]


def expand_rows(scope: pd.DataFrame, rows: list[tuple[str, list[int]]]) -> pd.DataFrame:
    """Scope rows repeated for every matrix row their code counts in; adds 'label'."""
    mapping = pd.DataFrame([(label, c) for label, ids in rows for c in ids],
                           columns=["label", "code"])
    return scope.merge(mapping, on="code", how="inner")


# -- grouping variables -----------------------------------------------------------------------
def attribute_groups(data: ProjectData, name: str, pids, bins: int = 4) -> tuple[pd.Series, list[str]]:
    """Group label of each participant for an attribute (quantile bins for numbers and
    dates), and the labels in display order."""
    attr = data.attributes.get(name)
    if attr is None:
        raise ValidationError(f"unknown participant attribute {name!r}; known: "
                              f"{', '.join(data.attributes) or 'none'}")
    vals = data.values(name)
    pids = pd.Index(pd.Series(np.asarray(pids, dtype=object)).dropna().unique())
    if attr.type in ("numeric", "date"):
        num = vals["num"].reindex(pids).astype(float)
        present = num.dropna()
        if present.empty:
            return pd.Series(MISSING, index=pids), [MISSING]
        q = min(bins, present.nunique())
        cats, edges = pd.qcut(present, q, retbins=True, duplicates="drop")
        fmt = (lambda x: f"{x:g}") if attr.type == "numeric" else \
            (lambda x: __import__("datetime").date.fromordinal(int(round(x))).isoformat())
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


def column_values(data: ProjectData, scope: pd.DataFrame, by: str, bins: int):
    """Column label per scope row, and the column order."""
    low = by.casefold()
    if low in DOC_FIELDS and DOC_FIELDS[low] in ("actor_type", "programme", "name", "site",
                                                 "interviewer", "interview_date"):
        col = DOC_FIELDS[low]
        labels = scope["doc"].map(data.docs[col]).astype(object).fillna(MISSING)
        if col == "actor_type":
            order = [a for a in ACTOR_TYPES if (labels == a).any()]
        else:
            order = sorted(v for v in labels.unique() if v != MISSING)
        if (labels == MISSING).any():
            order.append(MISSING)
        return labels, order
    if low == "speaker":
        labels = scope["speaker"].astype(object).fillna(MISSING)
        return labels, sorted(labels.unique())
    name = by.split(".", 1)[1] if low.startswith(("p.", "participant.")) else by
    with_pid = scope[scope["participant_id"].notna()]
    groups, order = attribute_groups(data, name, with_pid["participant_id"], bins)
    labels = scope["participant_id"].map(groups)
    return labels, order


def code_matrix(data: ProjectData, by: str = "actor_type", *, codes=None,
                count: str = "codings", percent: str | None = None, descendants: bool = True,
                where: str | None = None, bins: int = 4, status: str = "accepted") -> pd.DataFrame:
    """Codes (rows) × the values of ``by`` (actor_type, programme, or a participant
    attribute), cells = distinct codings, documents or participants."""
    if count not in COUNTS:
        raise ValidationError(f"count must be one of {', '.join(COUNTS)}")
    if percent not in (None, "row", "column"):
        raise ValidationError("percent must be 'row' or 'column'")
    rows = row_codes(data, codes, descendants)
    scope = codings_in_scope(data, where, status)
    labels, order = column_values(data, scope, by, bins)
    scope = scope.assign(col=labels.to_numpy(object))
    scope = scope[scope["col"].notna()]
    if count == "participants":
        scope = scope[scope["participant_id"].notna()]
    unit = UNIT_COL[count]
    # integer space: row label index, column index, unit index -> unique triples, bincount
    col_idx = pd.Categorical(scope["col"].to_numpy(object), categories=order).codes.astype(np.int64)
    unit_idx = pd.factorize(scope[unit].to_numpy(object) if unit == "participant_id"
                            else scope[unit].to_numpy(np.int64))[0].astype(np.int64)
    nrows, ncols = len(rows), len(order)
    row_of_code: dict[int, list[int]] = {}
    for i, (_, ids) in enumerate(rows):
        for c in ids:
            row_of_code.setdefault(c, []).append(i)
    pairs = [(c, i) for c, rs in row_of_code.items() for i in rs]
    pc = np.array([p[0] for p in pairs], dtype=np.int64)
    pr = np.array([p[1] for p in pairs], dtype=np.int64)
    order_c = np.argsort(pc, kind="stable")
    pc, pr = pc[order_c], pr[order_c]
    code = scope["code"].to_numpy(np.int64)
    lo = np.searchsorted(pc, code, "left")
    hi = np.searchsorted(pc, code, "right")
    k, j = ranges_to_pairs(lo, hi)
    r, cc, uu = pr[j], col_idx[k], unit_idx[k]
    ok = cc >= 0
    r, cc, uu = r[ok], cc[ok], uu[ok]
    nunits = int(unit_idx.max()) + 1 if len(unit_idx) else 1
    cell_key = unique_ints((r * ncols + cc) * nunits + uu)
    counts = np.bincount(cell_key // nunits, minlength=nrows * ncols).reshape(nrows, ncols)
    row_key = unique_ints(r * nunits + uu)
    row_total = pd.Series(np.bincount(row_key // nunits, minlength=nrows),
                          index=[x[0] for x in rows], dtype=np.int64)
    ok_all = col_idx >= 0
    col_key = unique_ints(col_idx[ok_all] * nunits + unit_idx[ok_all])
    col_total = pd.Series(np.bincount(col_key // nunits, minlength=ncols), index=order,
                          dtype=np.int64)
    table = pd.DataFrame(counts, index=[x[0] for x in rows], columns=order)
    if percent == "row":
        table = (table.div(row_total.replace(0, np.nan), axis=0) * 100).round(1).fillna(0.0)
    elif percent == "column":
        table = (table.div(col_total.replace(0, np.nan), axis=1) * 100).round(1).fillna(0.0)
    table["total"] = row_total
    table.loc[TOTAL] = list(col_total) + [int(len(unique_ints(unit_idx[ok_all])))]
    table.index.name = "code"
    table.columns.name = None
    return table.reset_index()


# -- co-occurrence ----------------------------------------------------------------------------
def cooccurrence(data: ProjectData, codes=None, *, mode: str = "overlap",
                 distance: int | None = None, count: str = "codings",
                 where: str | None = None, status: str = "accepted") -> pd.DataFrame:
    """Code × code co-occurrence (symmetric).  ``mode``: overlap (codings sharing
    characters), turn (in the same speaker turn), proximity (within ``distance``
    characters, default 500).  ``count``: codings (number of co-occurring coding pairs;
    turns in turn mode) or documents.  The diagonal holds each code's own codings
    (turns / documents)."""
    if mode not in ("overlap", "turn", "proximity"):
        raise ValidationError("mode must be overlap, turn or proximity")
    if count not in ("codings", "documents"):
        raise ValidationError("count must be codings or documents")
    ids = [c for c in tree_order(data)] if codes is None else data.code_ids(codes)
    n = len(ids)
    index = np.full(max(data.code_name, default=0) + 1, -1, dtype=np.int64)
    index[ids] = np.arange(n)
    cod = data.codings_for(status)
    code_col = cod["code"].to_numpy(np.int64)
    rows = np.nonzero(index[code_col] >= 0)[0] if n else np.zeros(0, np.int64)
    if where:
        scope = codings_in_scope(data, where, status, rows)
        rows = unique_ints(scope["row"].to_numpy(np.int64))
    doc = cod["doc"].to_numpy(np.int64)[rows]
    start = cod["start"].to_numpy(np.int64)[rows]
    end = cod["end"].to_numpy(np.int64)[rows]
    ci = index[code_col[rows]]
    if mode == "turn":
        seg = cod["seg"].to_numpy(np.int64)[rows]
        last = np.maximum(cod["seg_last"].to_numpy(np.int64)[rows], seg)
        ok = seg >= 0
        k, s = ranges_to_pairs(np.where(ok, seg, 0), np.where(ok, last + 1, 0))
        tc = pd.DataFrame({"unit": s, "doc": doc[k], "c": ci[k]}).drop_duplicates()
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
def participants_in_scope(data: ProjectData, where: str | None) -> list[str]:
    """Participants linked to an interview (document or speaker), kept when one of their
    links passes the filter's document and participant conditions."""
    links = [(d, p, "") for d, ps in data.doc_pids.items() for p in ps] + \
        [(d, p, s) for (d, s), ps in data.speaker_pids.items() for p in ps]
    if not links:
        return []
    frame = pd.DataFrame(links, columns=["doc", "participant_id", "speaker"])
    if where:
        frame["seg"] = -1
        frame["coders"] = [frozenset()] * len(frame)
        frame = frame[Filter(data, parse_condition(where)).mask(frame)]
    return sorted(frame["participant_id"].unique())


def participant_code_matrix(data: ProjectData, codes=None, *, binary: bool = True,
                            descendants: bool = True, where: str | None = None,
                            all_participants: bool = False,
                            status: str = "accepted") -> pd.DataFrame:
    """One row per participant (ID first, joinable to the quantitative table), one
    column per code: 1/0 (the participant's words carry the code) or coding counts."""
    rows = row_codes(data, codes, descendants)
    scope = codings_in_scope(data, where, status)
    scope = scope[scope["participant_id"].notna()]
    exp = expand_rows(scope, rows)
    cells = exp.groupby(["participant_id", "label"])["row"].nunique().unstack("label")
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
