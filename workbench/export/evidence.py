"""The evidence a report quotes: every distinct passage in scope, once.

A report's unit of evidence is the **passage** of :mod:`workbench.query.engine`, taken
over all the codes in scope: within one document, the codings that share characters --
directly or through a chain of overlaps, whoever coded them and whatever the code --
form one passage, quoted once with the list of its codes.  A code's or a question's
count is the engine's (its own passages, see ``docs/query-language.md``); each of its
passages lies inside exactly one quoted passage.

Everything here comes from the query engine's snapshot without private documents and
attributes, with interviewer speech left out, for the chosen coders.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import re
from dataclasses import dataclass, field

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

from workbench.domain import CONSENSUS_CODER
from workbench.i18n import _
from workbench.query._types import Coders
from workbench.query.engine import codings_in_scope, passage_ids


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class ReportScope:
    """What a report covers: programmes, evaluation questions, coders (None: every
    coder, merged; a name, names, or CONSENSUS_CODER), interview date range (ISO dates,
    inclusive), codings status."""

    programmes: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    coders: Coders = None
    date_from: str | None = None
    date_to: str | None = None
    status: str = "accepted"
    codes: tuple[int, ...] = ()      # only passages carrying one of these codes
    waves: tuple[str, ...] = ()      # only interviews of these waves

    def where(self) -> str | None:
        """The scope as a query-language condition on documents."""
        parts = []
        if self.programmes:
            parts.append("programme IN (" + ", ".join(_quote(p) for p in self.programmes) + ")")
        if self.waves:
            parts.append("wave IN (" + ", ".join(_quote(w) for w in self.waves) + ")")
        if self.date_from:
            parts.append(f"date >= {_quote(self.date_from)}")
        if self.date_to:
            parts.append(f"date <= {_quote(self.date_to)}")
        return " AND ".join(parts) or None

    @property
    def consensus(self) -> bool:
        return isinstance(self.coders, str) and self.coders.casefold() == CONSENSUS_CODER


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check_date(value: str | None, name: str) -> str | None:
    from workbench.domain import ValidationError
    if value is None or value == "":
        return None
    if not _DATE.match(str(value)):
        raise ValidationError(_("{name}: {value!r} is not a date (YYYY-MM-DD)").format(
            name=name, value=value))
    return str(value)


@dataclass
class Evidence:
    """The passages in scope (one row each) and the codes' counts."""

    passages: pd.DataFrame
    codes: pd.DataFrame                       # id, path, depth, passages, documents, participants
    where: str | None = None
    chosen: object = None
    status: str = "accepted"
    documents: pd.DataFrame = field(default_factory=pd.DataFrame)   # documents in scope
    coders: pd.DataFrame = field(default_factory=pd.DataFrame)      # coder, codings in scope


PASSAGE_COLUMNS = ["passage", "document_id", "document", "programme", "actor_type",
                   "interview_date", "start", "end", "speaker", "participants", "timestamp",
                   "codes", "coding_ids", "text"]


def collect_evidence(project, scope: ReportScope) -> Evidence:
    """Passages (all codes merged) and per-code counts (each code with its sub-codes)."""
    from workbench.query.matrices import links_frame
    data = project.query_data()
    where = scope.where()
    coders = scope.coders
    scope_rows = codings_in_scope(data, where, scope.status, coders=coders)
    cod = scope_rows.drop_duplicates("row").sort_values(["doc", "start", "end", "row"])
    doc = cod["doc"].to_numpy(np.int64)
    start = cod["start"].to_numpy(np.int64)
    end = cod["end"].to_numpy(np.int64)
    pid = passage_ids(np.zeros(len(cod), dtype=np.int64), doc, start, end)
    cod = cod.assign(passage=pid)
    frame = data.codings_for(scope.status, coders, False)
    cod["coding_id"] = frame["id"].to_numpy(np.int64)[cod["row"].to_numpy(np.int64)]
    g = cod.groupby("passage", sort=True)
    p = pd.DataFrame({"document_id": g["doc"].first(), "start": g["start"].min(),
                      "end": g["end"].max()})
    p["codes"] = g["code"].agg(lambda s: sorted(set(int(x) for x in s)))
    p["coding_ids"] = g["coding_id"].agg(lambda s: sorted(set(int(x) for x in s)))
    who = scope_rows.merge(cod[["row", "passage"]], on="row")
    pids = who.dropna(subset=["participant_id"]).groupby("passage")["participant_id"] \
        .agg(lambda s: sorted(set(s)))
    p["participants"] = pids.reindex(p.index).map(lambda v: v if isinstance(v, list) else [])
    p = p.reset_index()
    owner, _segment = data.owner_segment(p["document_id"].to_numpy(np.int64),
                                  p["start"].to_numpy(np.int64), p["end"].to_numpy(np.int64))
    speakers = data.seg_speaker
    p["speaker"] = [speakers[o] if o >= 0 else None for o in owner]
    seg_ids = [int(data.seg_id[o]) if o >= 0 else None for o in owner]
    times = project.store.segment_times([s for s in seg_ids if s is not None])
    p["timestamp"] = [times.get(s) if s is not None else None for s in seg_ids]
    docs = data.docs
    p["document"] = docs["name"].reindex(p["document_id"]).to_numpy(object)
    p["programme"] = docs["programme"].reindex(p["document_id"]).to_numpy(object)
    p["actor_type"] = docs["actor_type"].reindex(p["document_id"]).to_numpy(object)
    p["interview_date"] = docs["interview_date"].reindex(p["document_id"]).to_numpy(object)
    p["text"] = project.store.span_texts(zip(p["document_id"], p["start"], p["end"]))
    p = p[PASSAGE_COLUMNS].sort_values(["document", "start", "end"], kind="stable") \
        .reset_index(drop=True)
    if scope.codes:
        wanted = set(scope.codes)
        p = p[p["codes"].map(lambda cs: bool(wanted & set(cs)))].reset_index(drop=True)
    # per code, with its sub-codes: passages, documents, participants (the engine's counts)
    counts = {}
    for unit in ("passages", "documents", "participants"):
        m = project.matrix("actor_type", count=unit, where=where, coders=coders,
                           status=scope.status)
        counts[unit] = m[m["code"] != "(total)"].set_index("code")["total"]
    from workbench.query.matrices import tree_order
    ids = tree_order(data)
    paths = [data.code_path[c] for c in ids]
    codes = pd.DataFrame({"id": ids, "path": paths,
                          "depth": [x.count("/") for x in paths]})
    for unit, series in counts.items():
        codes[unit] = series.reindex(paths).fillna(0).astype(int).to_numpy()
    in_scope = pd.unique(links_frame(data, where)["doc"])
    documents = docs.reindex(in_scope).reset_index().rename(columns={"index": "id"})
    per = cod.groupby("coder_id").size()
    by_coder = pd.DataFrame({"coder": [data.coders.get(int(i), "") for i in per.index],
                             "codings": per.to_numpy()}).sort_values("coder")
    return Evidence(p, codes, where, coders, scope.status, documents, by_coder)
