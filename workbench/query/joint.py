"""Joint displays: groups of the quantitative study × codes (or evaluation questions).

Rows are the groups of an attribute of the participant table (an outcome, a
treatment arm, quantiles of a number or a date); the population is the participants
linked to an interview (and passing the filter).  Cells: participants of the group
whose words carry the code, their share of the group, codings, and exemplar quotes.

:func:`outcome_by_code` compares a binary outcome between participants whose
interviews carry the code and those whose do not, with Fisher's exact test and a
small-numbers warning.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.domain import ValidationError
from workbench.query.engine import ProjectData, codings_in_scope
from workbench.query.matrices import attribute_groups, participants_in_scope
from workbench.query.triangulation import exemplars
from workbench.values import FALSE_WORDS, TRUE_WORDS

SMALL_CELL = 5
SMALL_GROUP = 10


def joint_display(data: ProjectData, group_by: str, rows: list[tuple[str, list[int]]], *,
                  bins: int = 4, n_exemplars: int = 1, where: str | None = None,
                  layout: str = "long", status: str = "accepted") -> pd.DataFrame:
    """``rows``: (column label, code ids) -- codes or evaluation questions."""
    pids = participants_in_scope(data, where)
    groups, order = attribute_groups(data, group_by, pids, bins)
    sizes = groups.value_counts()
    scope = codings_in_scope(data, where, status)
    scope = scope[scope["participant_id"].isin(pids)]
    scope = scope.assign(group=scope["participant_id"].map(groups).to_numpy(object))
    recs = []
    for g in order:
        n = int(sizes.get(g, 0))
        in_group = scope[scope["group"] == g]
        gcodes = in_group["code"].to_numpy(np.int64)
        for label, ids in rows:
            sub = in_group[np.isin(gcodes, ids)]
            k = int(sub["participant_id"].nunique())
            recs.append({"group": g, "n_participants": n, "column": label, "participants": k,
                         "share": round(100 * k / n, 1) if n else None,
                         "codings": int(sub["row"].nunique()),
                         "exemplars": "\n".join(exemplars(data, sub, n_exemplars))})
    long = pd.DataFrame(recs, columns=["group", "n_participants", "column", "participants",
                                       "share", "codings", "exemplars"])
    if layout == "long":
        return long
    if layout != "wide":
        raise ValidationError("layout must be long or wide")
    wide = long[["group", "n_participants"]].drop_duplicates("group").set_index("group")
    columns = {}
    for label, _ in rows:
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
        raise ValidationError(f"unknown participant attribute {outcome!r}; known: "
                              f"{', '.join(data.attributes) or 'none'}")
    vals = data.values(outcome)
    if attr.type == "boolean" and positive is None:
        return vals["num"].dropna().map({1.0: True, 0.0: False}).astype(bool)
    text = vals["value"].dropna().astype(str)
    if positive is None:
        levels = sorted(text.unique())
        low = {v.casefold() for v in levels}
        if len(levels) == 2 and low & TRUE_WORDS and low & FALSE_WORDS:
            return text.str.casefold().isin(TRUE_WORDS)
        raise ValidationError(f"{outcome} is {attr.type} with values {', '.join(levels[:6])}: "
                              "say which value is the positive outcome (positive=...)")
    known = {v.casefold() for v in text.unique()}
    if positive.casefold() not in known:
        raise ValidationError(f"{outcome} never takes the value {positive!r} "
                              f"(values: {', '.join(sorted(text.unique())[:8])})")
    return text.str.casefold() == positive.casefold()


def outcome_by_code(data: ProjectData, outcome: str, rows: list[tuple[str, list[int]]], *,
                    positive: str | None = None, where: str | None = None,
                    status: str = "accepted") -> pd.DataFrame:
    """Outcome rate among interviewed participants whose words carry the code vs the
    others, with Fisher's exact test (two-sided) and a small-numbers warning."""
    from scipy.stats import fisher_exact
    y = binary_outcome(data, outcome, positive)
    pids = [p for p in participants_in_scope(data, where) if p in y.index]
    y = y.reindex(pids)
    scope = codings_in_scope(data, where, status)
    scope = scope[scope["participant_id"].isin(pids)]
    code_col = scope["code"].to_numpy(np.int64)
    recs = []
    for label, ids in rows:
        carriers = set(scope.loc[np.isin(code_col, ids), "participant_id"])
        has = y.index.isin(list(carriers))
        a = int((y[has]).sum()); b = int(has.sum()) - a
        c = int((y[~has]).sum()); d = int((~has).sum()) - c
        if (a + b) and (c + d):
            odds, p = fisher_exact([[a, b], [c, d]])
        else:
            odds, p = float("nan"), float("nan")
        warn = []
        if min(a, b, c, d) < SMALL_CELL:
            warn.append(f"a cell below {SMALL_CELL}")
        if (a + b) < SMALL_GROUP or (c + d) < SMALL_GROUP:
            warn.append(f"a group below {SMALL_GROUP} participants")
        recs.append({
            "column": label, "n_with": a + b, "positive_with": a,
            "rate_with": round(100 * a / (a + b), 1) if a + b else None,
            "n_without": c + d, "positive_without": c,
            "rate_without": round(100 * c / (c + d), 1) if c + d else None,
            "difference": round(100 * (a / (a + b) - c / (c + d)), 1) if (a + b) and (c + d) else None,
            "odds_ratio": None if np.isnan(odds) else round(float(odds), 3),
            "p_value": None if np.isnan(p) else round(float(p), 4),
            "warning": ("small numbers: " + ", ".join(warn) + "; read as descriptive") if warn else "",
        })
    return pd.DataFrame(recs, columns=["column", "n_with", "positive_with", "rate_with",
                                       "n_without", "positive_without", "rate_without",
                                       "difference", "odds_ratio", "p_value", "warning"])
