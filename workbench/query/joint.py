"""Joint displays: groups of the quantitative study × codes (or evaluation questions).

Rows are the groups of an attribute of the participant table (an outcome, a
treatment arm, quantiles of a number or a date); the population is the participants
linked to an interview in scope (and passing the filter), **with or without codings**
-- the same base as the participant column % of :func:`workbench.query.matrices.code_matrix`.
Cells: the group's size, participants of the group whose words carry the code, their
share of the group, passages, codings, and exemplar quotes.

:func:`outcome_by_code` compares a binary outcome between participants whose words
carry the code and those whose do not: Fisher's exact test (two-sided), the
conditional maximum-likelihood odds ratio with its exact 95 % confidence interval (as
R's ``fisher.test``; ``scipy.stats.contingency.odds_ratio``), and -- since several codes
are tested at once -- p-values adjusted by Holm (family-wise error) and by
Benjamini–Hochberg (false discovery rate), with a small-numbers warning.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numpy.typing import ArrayLike
    import numpy as np
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

from workbench.domain import ValidationError
from workbench.i18n import _
from workbench.labels import attribute_type_label
from workbench.query._types import Coders
from workbench.query.engine import ProjectData, codings_in_scope
from workbench.query.matrices import dimension, participants_in_scope, row_passages
from workbench.query.triangulation import exemplars
from workbench.values import FALSE_WORDS, TRUE_WORDS

SMALL_CELL = 5
SMALL_GROUP = 10


def joint_display(data: ProjectData, group_by: str, rows: list[tuple[str, list[int]]], *,
                  bins: int = 4, n_exemplars: int = 1, where: str | None = None,
                  layout: str = "long", status: str = "accepted", coders: Coders = None) -> pd.DataFrame:
    """``rows``: (column label, code ids) -- codes or evaluation questions."""
    pids = participants_in_scope(data, where)
    dim = dimension(data, group_by, bins)
    if dim.kind != "participant":
        raise ValidationError(_("{name} is not a participant attribute: a joint display "
                                "groups the participants of the quantitative study").format(
                                    name=group_by))
    dim.fix_groups(data, pids)
    assert dim.groups is not None and dim.group_order is not None   # a participant attribute
    groups, order = dim.groups, [g for g in dim.group_order if g in set(dim.groups)]
    sizes = groups.value_counts()
    scope = codings_in_scope(data, where, status, coders=coders)
    scope = scope[scope["participant_id"].isin(pids)]
    scope = scope.assign(group=scope["participant_id"].map(groups).to_numpy(object))
    passages = row_passages(scope, rows)
    recs = []
    for g in order:
        n = int(sizes.get(g, 0))
        in_group = scope[scope["group"] == g]
        gcodes = in_group["code"].to_numpy(np.int64)
        for i, (label, ids) in enumerate(rows):
            sub = in_group[np.isin(gcodes, ids)]
            k = int(sub["participant_id"].nunique())
            rp = passages[(passages["r"] == i) & passages["row"].isin(sub["row"])]
            recs.append({"group": g, "n_participants": n, "column": label, "participants": k,
                         "share": round(100 * k / n, 1) if n else None,
                         "passages": int(rp["passage"].nunique()),
                         "codings": int(sub["row"].nunique()),
                         "exemplars": "\n".join(exemplars(data, sub, n_exemplars))})
    long = pd.DataFrame(recs, columns=["group", "n_participants", "column", "participants",
                                       "share", "passages", "codings", "exemplars"])
    if layout == "long":
        return long
    if layout != "wide":
        raise ValidationError(_("layout must be long or wide"))
    wide = long[["group", "n_participants"]].drop_duplicates("group").set_index("group")
    columns = {}
    for label, _codes in rows:
        part = long[long["column"] == label].set_index("group")
        columns[f"{label} · n"] = part["participants"]
        columns[f"{label} · %"] = part["share"]
        if n_exemplars:
            columns[f"{label} · quote"] = part["exemplars"]
    if columns:
        wide = pd.concat([wide, pd.DataFrame(columns, index=wide.index)], axis=1)
    return wide.reset_index()


def binary_outcome(data: ProjectData, outcome: str, positive: str | None = None) -> pd.Series:
    """participant_id -> True/False (missing values dropped)."""
    attr = data.attributes.get(outcome)
    if attr is None:
        raise ValidationError(data.unknown_attribute(outcome))
    vals = data.values(outcome)
    if attr.type == "boolean" and positive is None:
        return vals["num"].dropna().map({1.0: True, 0.0: False}).astype(bool)
    text = vals["value"].dropna().astype(str)
    if positive is None:
        levels = sorted(text.unique())
        low = {v.casefold() for v in levels}
        if len(levels) == 2 and low & TRUE_WORDS and low & FALSE_WORDS:
            return text.str.casefold().isin(TRUE_WORDS)
        raise ValidationError(_("{name} is {type} with values {values}: say which value is "
                                "the positive outcome (positive=...)").format(
                                    name=outcome, type=attribute_type_label(attr.type),
                                    values=", ".join(levels[:6])))
    known = {v.casefold() for v in text.unique()}
    if positive.casefold() not in known:
        raise ValidationError(_("{name} never takes the value {value!r} (values: {values})").format(
            name=outcome, value=positive, values=", ".join(sorted(text.unique())[:8])))
    return text.str.casefold() == positive.casefold()


def holm(pvalues: ArrayLike) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error rate): the i-th smallest of
    m p-values times (m - i + 1), made non-decreasing, capped at 1.  NaN stays NaN."""
    p = np.asarray(pvalues, dtype=float)
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = len(q)
    if m:
        order = np.argsort(q, kind="stable")
        adj = np.minimum(1.0, np.maximum.accumulate(q[order] * (m - np.arange(m))))
        res = np.empty(m)
        res[order] = adj
        out[ok] = res
    return out


def benjamini_hochberg(pvalues: ArrayLike) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (false discovery rate), by
    ``scipy.stats.false_discovery_control``.  NaN stays NaN."""
    from scipy.stats import false_discovery_control
    p = np.asarray(pvalues, dtype=float)
    out = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = false_discovery_control(p[ok], method="bh")
    return out


def fisher_2x2(a: int, b: int, c: int, d: int) -> tuple[float, float, float, float]:
    """(p, odds ratio, CI low, CI high) for [[a, b], [c, d]]: Fisher's exact test
    (two-sided) and the conditional maximum-likelihood odds ratio with its exact 95 %
    confidence interval (what R's fisher.test reports)."""
    from scipy.stats import fisher_exact
    from scipy.stats.contingency import odds_ratio
    table = [[a, b], [c, d]]
    _odds, p = fisher_exact(table)
    res = odds_ratio(table, kind="conditional")
    ci = res.confidence_interval(confidence_level=0.95)
    return float(p), float(res.statistic), float(ci.low), float(ci.high)


def _num(x: float | None, digits: int) -> float | None:
    return None if x is None or np.isnan(x) else (float("inf") if np.isinf(x) else round(float(x), digits))


def outcome_by_code(data: ProjectData, outcome: str, rows: list[tuple[str, list[int]]], *,
                    positive: str | None = None, where: str | None = None,
                    status: str = "accepted", coders: Coders = None) -> pd.DataFrame:
    """Outcome rate among interviewed participants whose words carry the code vs the
    others, with Fisher's exact test, the odds ratio's confidence interval, Holm and
    Benjamini–Hochberg adjusted p-values across the rows, and a small-numbers warning."""
    y = binary_outcome(data, outcome, positive)
    pids = [p for p in participants_in_scope(data, where) if p in y.index]
    y = y.reindex(pids)
    scope = codings_in_scope(data, where, status, coders=coders)
    scope = scope[scope["participant_id"].isin(pids)]
    code_col = scope["code"].to_numpy(np.int64)
    recs = []
    for label, ids in rows:
        carriers = set(scope.loc[np.isin(code_col, ids), "participant_id"])
        has = y.index.isin(list(carriers))
        a = int((y[has]).sum()); b = int(has.sum()) - a
        c = int((y[~has]).sum()); d = int((~has).sum()) - c
        if (a + b) and (c + d):
            p, odds, low, high = fisher_2x2(a, b, c, d)
        else:
            p = odds = low = high = float("nan")
        warn = []
        if min(a, b, c, d) < SMALL_CELL:
            warn.append(_("a cell below {n}").format(n=SMALL_CELL))
        if (a + b) < SMALL_GROUP or (c + d) < SMALL_GROUP:
            warn.append(_("a group below {n} participants").format(n=SMALL_GROUP))
        recs.append({
            "column": label, "n_with": a + b, "positive_with": a,
            "rate_with": round(100 * a / (a + b), 1) if a + b else None,
            "n_without": c + d, "positive_without": c,
            "rate_without": round(100 * c / (c + d), 1) if c + d else None,
            "difference": round(100 * (a / (a + b) - c / (c + d)), 1) if (a + b) and (c + d) else None,
            "odds_ratio": _num(odds, 3), "ci_low": _num(low, 3), "ci_high": _num(high, 3),
            "p_value": _num(p, 4), "_p": p,
            "warning": _("small numbers: {why}; read as descriptive").format(
                why=", ".join(warn)) if warn else "",
        })
    out = pd.DataFrame(recs, columns=["column", "n_with", "positive_with", "rate_with",
                                      "n_without", "positive_without", "rate_without",
                                      "difference", "odds_ratio", "ci_low", "ci_high",
                                      "p_value", "_p", "warning"])
    raw = out["_p"].to_numpy(float)
    out.insert(12, "p_holm", [_num(x, 4) for x in holm(raw)])
    out.insert(13, "p_bh", [_num(x, 4) for x in benjamini_hochberg(raw)])
    out = out.drop(columns="_p")
    out.attrs["tests"] = int((~np.isnan(raw)).sum())
    return out
