"""The evaluation-question dossier: everything the project holds on one question.

Linked codes (with their sub-codes) and their counts, every excerpt grouped by actor
type and programme, counts by actor type × programme, the participants whose words
are cited with their attributes, and the triangulation row.  The reports issue
exports it; the CLI prints it (``workbench eq``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass, field

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.domain import ACTOR_TYPES, NotFoundError
from workbench.i18n import _
from workbench.query._types import Coders
from workbench.query.engine import RETRIEVAL_COLUMNS, ProjectData, codings_in_scope, retrieve
from workbench.query.matrices import row_passages
from workbench.query.triangulation import question_rows, triangulate


@dataclass(frozen=True)
class QuestionDossier:
    question: dict
    codes: pd.DataFrame          # code, passages, codings, documents, participants
    excerpts: pd.DataFrame       # passages (retrieval columns), by actor type and programme
    counts: pd.DataFrame         # actor_type, programme, passages, codings, documents, participants
    participants: pd.DataFrame   # participant_id, excerpts, attributes...
    triangulation: pd.DataFrame  # one row (see workbench.query.triangulation)
    sections: tuple = field(default=("codes", "excerpts", "counts", "participants",
                                      "triangulation"))

    def to_dict(self) -> dict:
        import json
        out = {"question": self.question}
        for name in self.sections:
            df = getattr(self, name)
            out[name] = json.loads(df.to_json(orient="records", date_format="iso",
                                              force_ascii=False))
        return out


def question_dossier(data: ProjectData, question_id: str, *, where: str | None = None,
                     n_exemplars: int = 2, participants_table: pd.DataFrame | None = None,
                     status: str = "accepted", coders: Coders = None) -> QuestionDossier:
    """Linked codes (each with its sub-codes) and their counts, the question's passages
    (overlapping codings of its codes merged), counts by actor type × programme, the
    participants whose words are cited, and the triangulation row.  Interviewer speech
    is left out."""
    questions = {q["id"]: q for q in data.store.query_questions()}
    if question_id not in questions:
        close = ", ".join(sorted(questions)[:10]) or "—"
        raise NotFoundError(_("no evaluation question {id!r} (questions: {known})").format(
            id=question_id, known=close))
    question = dict(questions[question_id])
    linked = [cid for cid, qid in data.store.query_code_questions() if qid == question_id]
    question["codes"] = [data.code_path[c] for c in linked]
    (_label, ids), = question_rows(data, [question_id])
    scope = codings_in_scope(data, where, status, coders=coders)
    scope = scope[scope["code"].isin(ids)]
    # codes
    code_rows = [(data.code_path[c], data.descendants(c)) for c in linked]
    rp = row_passages(scope, code_rows)
    recs = []
    for i, cid in enumerate(linked):
        sub = scope[scope["code"].isin(code_rows[i][1])]
        recs.append({"code": data.code_path[cid],
                     "passages": int(rp.loc[rp["r"] == i, "passage"].nunique()),
                     "codings": int(sub["row"].nunique()),
                     "documents": int(sub["doc"].nunique()),
                     "participants": int(sub["participant_id"].dropna().nunique())})
    codes = pd.DataFrame(recs, columns=["code", "passages", "codings", "documents", "participants"])
    # excerpts: the question's passages
    if ids:
        expr = " OR ".join(str(c) for c in ids)
        excerpts = retrieve(data, expr, where=where, descendants=False, status=status,
                            coders=coders)
        rank = {a: i for i, a in enumerate(ACTOR_TYPES)}
        excerpts = excerpts.assign(_r=excerpts["actor_type"].map(rank).fillna(len(rank)))
        excerpts = excerpts.sort_values(["_r", "programme", "document", "start"],
                                        kind="stable", na_position="last")
        excerpts = excerpts.drop(columns="_r").reset_index(drop=True)
    else:
        excerpts = pd.DataFrame(columns=RETRIEVAL_COLUMNS + ["document_id", "coding_ids"])
    # counts by actor type × programme
    qp = row_passages(scope, [(question_id, ids)])
    s = scope.merge(qp[["row", "passage"]], on="row", how="left")
    s = s.assign(actor_type=s["doc"].map(data.docs["actor_type"]).fillna(""),
                 programme=s["doc"].map(data.docs["programme"]).fillna(""))
    counts = (s.groupby(["actor_type", "programme"])
              .agg(passages=("passage", "nunique"), codings=("row", "nunique"),
                   documents=("doc", "nunique"), participants=("participant_id", "nunique"))
              .reset_index())
    # participants
    sp = s.dropna(subset=["participant_id"]).groupby("participant_id")
    per = sp["passage"].nunique()
    parts = pd.DataFrame({"participant_id": per.index, "passages": per.to_numpy(),
                          "codings": sp["row"].nunique().reindex(per.index).to_numpy()})
    if participants_table is not None and len(parts):
        parts = parts.merge(participants_table, on="participant_id", how="left")
    tri = triangulate(data, [(question_id, ids)], n_exemplars=n_exemplars, where=where,
                      status=status, coders=coders)
    return QuestionDossier(question, codes, excerpts, counts, parts, tri)
