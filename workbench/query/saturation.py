"""Saturation: new codes per successive interview.

Interviews are taken in **interview-date order** within each group (by default programme
× actor type; any document dimension: wave, site, ``doc.KEY``...), interviews without a
date after the dated ones, ties by name.  An interview *carries* a code when one of the
codings that count (the engine's: chosen coders, status, interviewer speech left out,
private documents out) is of that code or of one of its sub-codes -- so a sub-code that
appears makes its parent appear too.  A code is **new** in the first interview of the
group that carries it.

Per interview: ``new_codes`` (top-level codes, the themes, new here), ``new_subcodes``
(codes under them new here), ``new`` (both), ``cumulative`` (distinct codes met so far),
``cumulative_pct`` (that, over the codes the whole group carries), and ``new_paths`` (the
new codes' paths).  Uncoded interviews are rows with no new code: they are interviews
too.  ``codes`` restricts the count to those codes and their subtrees.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from workbench.domain import ValidationError
from workbench.i18n import _
from workbench.query._types import CodeRefs, Coders
from workbench.query.engine import ProjectData, codings_in_scope
from workbench.query.matrices import dimension, links_frame

COLUMNS = ["group", "rank", "document", "interview_date", "new_codes", "new_subcodes", "new",
           "cumulative", "cumulative_pct", "new_paths"]


def saturation(data: ProjectData, by: str | Sequence[str] | None = ("programme", "actor_type"),
               *, codes: CodeRefs = None, where: str | None = None, status: str = "accepted",
               coders: Coders = None) -> pd.DataFrame:
    """One row per interview in scope, by group (see the module docstring)."""
    by = [b for b in ([by] if isinstance(by, str) else list(by or ())) if b]
    dims = []
    for b in by:
        dim = dimension(data, b)
        if dim.kind != "document":
            raise ValidationError(_("saturation groups interviews: {by!r} is not a document "
                                    "field (programme, actor_type, wave, site, doc.KEY...)")
                                  .format(by=b))
        dims.append(dim)
    docs = pd.unique(links_frame(data, where)["doc"]).astype(np.int64)
    frame = pd.DataFrame({"doc": docs})
    frame["document"] = frame["doc"].map(data.docs["name"])
    frame["interview_date"] = frame["doc"].map(data.docs["interview_date"])
    sort_keys = []
    if dims:
        labels = [d._doc_labels(data, frame["doc"]).astype(str) for d in dims]
        group = labels[0]
        for i, (d, lab) in enumerate(zip(dims, labels)):
            ranks = {v: k for k, v in enumerate(d.order(list(lab)))}
            frame[f"_g{i}"] = lab.map(ranks).to_numpy()
            sort_keys.append(f"_g{i}")
            if i:
                group = group + " × " + lab
        frame["group"] = group.to_numpy(object)
    else:
        frame["group"] = _("all interviews")
    frame["_undated"] = frame["interview_date"].isna() | (frame["interview_date"] == "")
    frame = frame.sort_values(sort_keys + ["_undated", "interview_date", "document"],
                              kind="stable", na_position="last").reset_index(drop=True)
    # which codes each interview carries (a code, or any of its ancestors through it)
    scope = codings_in_scope(data, where, status, coders=coders)
    allowed = None
    if codes is not None:
        allowed = set(data.code_ids(codes, descendants=True))
    carried: dict[int, set[int]] = {}
    for doc, code in scope[["doc", "code"]].drop_duplicates().itertuples(index=False):
        c: int | None = int(code)
        got = carried.setdefault(int(doc), set())
        while c is not None:
            if allowed is None or c in allowed:
                got.add(c)
            c = data.code_parent.get(c)
    roots = set(data.children.get(None, []))
    if allowed is not None:          # the tops of the chosen subtrees count as themes
        roots = {c for c in allowed if data.code_parent.get(c) not in allowed}
    recs = []
    for group, sub in frame.groupby("group", sort=False):
        total = set().union(*(carried.get(int(d), set()) for d in sub["doc"]))
        seen: set[int] = set()
        for rank, row in enumerate(sub.itertuples(), start=1):
            new = carried.get(int(row.doc), set()) - seen
            seen |= new
            recs.append({"group": group, "rank": rank, "document": row.document,
                         "interview_date": row.interview_date or "",
                         "new_codes": len(new & roots), "new_subcodes": len(new - roots),
                         "new": len(new), "cumulative": len(seen),
                         "cumulative_pct": round(100 * len(seen) / len(total), 1) if total else None,
                         "new_paths": ";".join(sorted(data.code_path[c] for c in new))})
    return pd.DataFrame(recs, columns=COLUMNS)
