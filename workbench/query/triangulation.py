"""Source triangulation: what beneficiaries, trainers and operators say, side by side.

For each code (or evaluation question) and actor type: passages, codings, documents,
participants, the share of that actor type's interviews in scope (coded or not) that
carry the code --
counted within the programmes where the theme was coded at all, so that a programme's
own codebook is not diluted by the other programmes' interviews --, exemplar excerpts,
and a status:

* ``no data``   -- no interview of this actor type in scope;
* ``silence``   -- interviews of this actor type exist, none carries the code;
* ``convergent`` -- the share is within a factor 2 of the median share of the actor
  types that speak of it;
* ``more`` / ``less`` -- over / under that factor (divergence).

The ``summary`` column condenses the row: ``convergence``, ``divergence (trainer
more; operator less)``, ``single voice (beneficiary)``, with ``silence: …`` appended.
This is a frequency signal that points at where to read; the excerpts carry the
content.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

from workbench.i18n import _, ngettext, pgettext
from workbench.labels import actor_label, triangulation_status_label
from workbench.query._types import TRIANGULATED_ACTORS, CodeRefs, Coders
from workbench.query.engine import ProjectData, codings_in_scope, passage_ids
from workbench.query.matrices import links_frame, row_codes, row_passages

ACTORS = TRIANGULATED_ACTORS
FACTOR = 2.0


def exemplars(data: ProjectData, sub: pd.DataFrame, k: int, *, max_chars: int = 300) -> list[str]:
    """Up to ``k`` excerpts from distinct documents, favouring medium-length passages
    (overlapping codings are merged first, so a passage is never quoted twice)."""
    if k <= 0 or sub.empty:
        return []
    u = sub.drop_duplicates("row")
    pid = passage_ids(np.zeros(len(u), dtype=np.int64), u["doc"].to_numpy(np.int64),
                      u["start"].to_numpy(np.int64), u["end"].to_numpy(np.int64))
    u = u.assign(_p=pid, start=u.groupby(pid)["start"].transform("min").to_numpy(),
                 end=u.groupby(pid)["end"].transform("max").to_numpy())
    u = u.sort_values(["doc", "start"], kind="stable").drop_duplicates("_p")
    length = (u["end"] - u["start"]).to_numpy()
    names = u["doc"].map(data.docs["name"]).to_numpy(object)
    order = pd.DataFrame({"bad": ~((length >= 40) & (length <= 400)), "name": names,
                          "start": u["start"].to_numpy(), "i": np.arange(len(u))})
    order = order.sort_values(["bad", "name", "start"], kind="stable")
    chosen = order.drop_duplicates("name").head(k)["i"].to_numpy()
    pick = u.iloc[chosen]
    texts = data.store.span_texts(zip(pick["doc"], pick["start"], pick["end"]))
    out = []
    for t, (_index, r) in zip(texts, pick.iterrows()):
        t = " ".join(t.split())
        if len(t) > max_chars:
            t = t[:max_chars - 1].rstrip() + "…"
        who = data.docs["name"].get(r["doc"], "?")
        if isinstance(r["speaker"], str) and r["speaker"]:
            who += f", {r['speaker']}"
        out.append(f"« {t} » ({who})")
    return out


def statuses(shares: dict[str, float | None]) -> tuple[dict[str, str], str]:
    """Per-actor status and the row summary (see the module docstring)."""
    speaking = {a: s for a, s in shares.items() if s}
    status: dict[str, str] = {}
    med = float(np.median(list(speaking.values()))) if speaking else 0.0
    for a, s in shares.items():
        if s is None:
            status[a] = "no data"
        elif s == 0:
            status[a] = "silence"
        elif s > FACTOR * med:
            status[a] = "more"
        elif s * FACTOR < med:
            status[a] = "less"
        else:
            status[a] = "convergent"
    silent = [a for a, st in status.items() if st == "silence"]
    # the summary is a sentence for the reader, in the interface's language
    if not speaking:
        summary = triangulation_status_label("silence" if silent else "no data")
        return status, summary
    if len(speaking) == 1:
        summary = _("single voice ({actor})").format(actor=actor_label(next(iter(speaking))))
    else:
        div = [_("{actor} {status}").format(actor=actor_label(a),
                                            status=triangulation_status_label(st))
               for a, st in status.items() if st in ("more", "less")]
        summary = (_("divergence ({details})").format(details=_sep().join(div)) if div
                   else _("convergence"))
    if silent:
        summary = _("{summary}; silence: {actors}").format(
            summary=summary, actors=", ".join(actor_label(a) for a in silent))
    return status, summary


def _sep() -> str:
    return pgettext("list", "; ")


def triangulate(data: ProjectData, rows: list[tuple[str, list[int]]], *,
                actors: Sequence[str] = ACTORS, n_exemplars: int = 2, where: str | None = None,
                status: str = "accepted", coders: Coders = None) -> pd.DataFrame:
    """``rows``: (label, code ids) -- codes with their subtree, or an evaluation
    question with its linked codes.  Interviewer speech is never an actor's."""
    scope = codings_in_scope(data, where, status, coders=coders)
    passages = row_passages(scope, rows)
    scope = scope.assign(actor=scope["doc"].map(data.docs["actor_type"]).to_numpy(object),
                         programme=scope["doc"].map(data.docs["programme"]).to_numpy(object))
    docs = pd.unique(links_frame(data, where)["doc"])
    docs_in_scope = pd.DataFrame({"doc": docs,
                                  "actor": data.docs["actor_type"].reindex(docs).to_numpy(object),
                                  "programme": data.docs["programme"].reindex(docs).to_numpy(object)})
    out = []
    code_col = scope["code"].to_numpy(np.int64)
    for i, (label, ids) in enumerate(rows):
        sub_all = scope[np.isin(code_col, ids)]
        row_p = passages[passages["r"] == i]
        # shares are taken among the interviews in scope (coded or not) of the
        # programmes where this theme was coded at all: a programme's own codebook does
        # not count the other programmes' silence
        programmes = set(sub_all["programme"].dropna())
        in_programmes = docs_in_scope[docs_in_scope["programme"].isin(programmes)] \
            if programmes else docs_in_scope
        denominators = in_programmes.groupby("actor")["doc"].nunique()
        rec: dict = {"row": label}
        shares: dict[str, float | None] = {}
        for a in actors:
            sub = sub_all[sub_all["actor"] == a]
            den = int(denominators.get(a, 0))
            docs = sub["doc"].nunique()
            rec[f"{a}_passages"] = int(row_p.loc[row_p["row"].isin(sub["row"]), "passage"].nunique())
            rec[f"{a}_codings"] = int(sub["row"].nunique())
            rec[f"{a}_documents"] = int(docs)
            rec[f"{a}_participants"] = int(sub["participant_id"].dropna().nunique())
            share = None if den == 0 else docs / den
            rec[f"{a}_share"] = None if share is None else round(100 * share, 1)
            shares[a] = share
            rec[f"{a}_exemplars"] = "\n".join(exemplars(data, sub, n_exemplars))
        st, summary = statuses(shares)
        for a in actors:
            rec[f"{a}_status"] = st[a]
        rec["summary"] = summary
        out.append(rec)
    cols = ["row"] + [f"{a}_{k}" for a in actors for k in
                      ("passages", "codings", "documents", "participants", "share", "status",
                       "exemplars")] \
        + ["summary"]
    return pd.DataFrame(out, columns=cols)


def code_rows(data: ProjectData, codes: CodeRefs,
              descendants: bool = True) -> list[tuple[str, list[int]]]:
    return row_codes(data, codes, descendants)


def question_rows(data: ProjectData, questions: Sequence[str] | None = None) -> list[tuple[str, list[int]]]:
    """(question id, codes linked to it with their subtrees)."""
    links = data.store.query_code_questions()
    known = [q["id"] for q in data.store.query_questions()]
    wanted = known if questions is None else list(questions)
    from workbench.domain import NotFoundError
    missing = [q for q in wanted if q not in known]
    if missing:
        raise NotFoundError(ngettext("unknown evaluation question: {ids}",
                                     "unknown evaluation questions: {ids}",
                                     len(missing)).format(ids=", ".join(missing)))
    out = []
    for q in wanted:
        ids: list[int] = []
        for cid, qid in links:
            if qid == q:
                ids.extend(data.descendants(cid))
        out.append((q, list(dict.fromkeys(ids))))
    return out
