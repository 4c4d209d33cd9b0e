"""The query capability of the :class:`workbench.project.Project` facade.

    >>> p.query('"Freins/Mobilité" AND Immersion WHERE actor = beneficiary AND emploi_6m = non')
    >>> p.matrix("emploi_6m", count="participants", percent="column")
    >>> p.cooccurrence(mode="turn")
    >>> p.participant_code_matrix(attributes=True)      # the "quantitised" table
    >>> p.triangulate(["Immersion"])                       # beneficiaries / trainers / operators
    >>> p.joint_display("emploi_6m", codes=["Freins"])
    >>> p.outcome_by_code("emploi_6m", codes=["Freins"])  # Fisher's exact test
    >>> p.question_dossier("AV-B1")
    >>> p.save_query("freins-sans-emploi", "query", 'Freins WHERE emploi_6m = non')

Everything returns pandas DataFrames (the dossier a :class:`QuestionDossier` of
DataFrames); bad input raises :class:`QueryError` / ``ValidationError`` with a
message pointing at the column of the expression.  Reads are served from a snapshot
of the project reloaded whenever the project changes.
"""
from __future__ import annotations

import threading
from typing import Sequence

import pandas as pd

from workbench.domain import ValidationError
from workbench.query import joint as _joint
from workbench.query import matrices as _matrices
from workbench.query import triangulation as _tri
from workbench.query.dossier import QuestionDossier, question_dossier
from workbench.query.engine import Filter, ProjectData, retrieve
from workbench.query.language import Query, parse, parse_condition

SAVED_KINDS = ("query", "matrix", "cooccurrence", "participants", "triangulation", "joint",
               "outcome", "dossier")
STATUSES = ("accepted", "candidate", "all")


class QueryAPI:
    # -- the snapshot --------------------------------------------------------------------
    def query_data(self) -> ProjectData:
        """The engine's snapshot of the project, reloaded when the project changed."""
        lock = self.__dict__.setdefault("_query_lock", threading.Lock())
        with lock:
            version = self.store.query_version()
            cached = self.__dict__.get("_query_cache")
            if cached is None or cached[0] != version:
                cached = (version, ProjectData(self.store))
                self.__dict__["_query_cache"] = cached
            return cached[1]

    @staticmethod
    def _status(status: str) -> str:
        if status not in STATUSES:
            raise ValidationError(f"status must be one of {', '.join(STATUSES)}")
        return status

    def _rows(self, data, codes, questions, descendants=True):
        if codes is not None and questions is not None:
            raise ValidationError("give codes or evaluation questions, not both")
        if questions is not None:
            return _tri.question_rows(data, None if questions == "all" else list(questions))
        return _matrices.row_codes(data, codes, descendants)

    # -- retrieval ---------------------------------------------------------------------
    def parse_query(self, expression: str) -> Query:
        """Parse and check a query against the project (codes, attributes, types);
        raises QueryError pointing at the problem."""
        from workbench.query.engine import Evaluator
        data = self.query_data()
        q = parse(expression)
        Evaluator(data, q).check() if q.expr is not None else None
        Filter(data, q)
        return q

    def query(self, expression: str, *, where: str | None = None, attributes: Sequence[str] = (),
              descendants: bool = True, status: str = "accepted",
              limit: int | None = None) -> pd.DataFrame:
        """Coded excerpts matching a query (see docs/query-language.md).

        Columns: document, programme, actor_type, speaker, participant_id, start, end,
        text, codes, coder, the requested participant ``attributes``, document_id,
        coding_ids.  ``where`` adds a filter to the expression's own WHERE.
        """
        return retrieve(self.query_data(), expression, where=where, attributes=attributes,
                        descendants=descendants, status=self._status(status), limit=limit)

    # -- matrices ----------------------------------------------------------------------
    def matrix(self, by: str = "actor_type", *, codes: Sequence | None = None,
               count: str = "codings", percent: str | None = None, descendants: bool = True,
               where: str | None = None, bins: int = 4, status: str = "accepted") -> pd.DataFrame:
        """Codes × ``by`` (actor_type, programme or a participant attribute; numbers and
        dates in ``bins`` quantiles).  Cells count codings, documents or participants;
        ``percent`` row or column.  Last row ``(total)``, last column ``total``."""
        return _matrices.code_matrix(self.query_data(), by, codes=codes, count=count,
                                     percent=percent, descendants=descendants, where=where,
                                     bins=bins, status=self._status(status))

    def cooccurrence(self, codes: Sequence | None = None, *, mode: str = "overlap",
                     distance: int | None = None, count: str = "codings",
                     where: str | None = None, status: str = "accepted") -> pd.DataFrame:
        """Code × code co-occurrence: overlap, turn, or proximity (``distance`` chars)."""
        return _matrices.cooccurrence(self.query_data(), codes, mode=mode, distance=distance,
                                      count=count, where=where, status=self._status(status))

    def participant_code_matrix(self, codes: Sequence | None = None, *, binary: bool = True,
                                descendants: bool = True, where: str | None = None,
                                attributes: bool | Sequence[str] = False,
                                all_participants: bool = False,
                                status: str = "accepted") -> pd.DataFrame:
        """Participant × code (1/0 or counts), first column participant_id, optionally
        joined with the participant table (``attributes=True`` or a list of names)."""
        data = self.query_data()
        table = _matrices.participant_code_matrix(data, codes, binary=binary,
                                                  descendants=descendants, where=where,
                                                  all_participants=all_participants,
                                                  status=self._status(status))
        if attributes:
            wide = self.participants().drop(columns=["documents"], errors="ignore")
            if attributes is not True:
                names = list(attributes)
                unknown = [a for a in names if a not in wide.columns]
                if unknown:
                    raise ValidationError(f"unknown participant attribute(s): {', '.join(unknown)}")
                wide = wide[["participant_id", *names]]
            clash = [c for c in wide.columns if c in table.columns and c != "participant_id"]
            wide = wide.rename(columns={c: f"attr:{c}" for c in clash})
            table = table.merge(wide, on="participant_id", how="left")
        return table

    # -- triangulation and joint displays ----------------------------------------------
    def triangulate(self, codes: Sequence | None = None, *, questions: Sequence[str] | str | None = None,
                    actors: Sequence[str] = _tri.ACTORS, exemplars: int = 2,
                    where: str | None = None, descendants: bool = True,
                    status: str = "accepted") -> pd.DataFrame:
        """Per code (or evaluation question, ``questions="all"`` for every one) and actor
        type: codings, documents, participants, share, status, exemplar excerpts, and a
        convergence / divergence / silence summary."""
        data = self.query_data()
        rows = self._rows(data, codes, questions, descendants)
        out = _tri.triangulate(data, rows, actors=tuple(actors), n_exemplars=exemplars,
                               where=where, status=self._status(status))
        return out.rename(columns={"row": "question" if questions is not None else "code"})

    def joint_display(self, group_by: str, *, codes: Sequence | None = None,
                      questions: Sequence[str] | str | None = None, bins: int = 4,
                      exemplars: int = 1, where: str | None = None, layout: str = "long",
                      descendants: bool = True, status: str = "accepted") -> pd.DataFrame:
        """Rows = groups of ``group_by`` (a participant attribute), columns = codes or
        questions; cells = participants, share of the group, codings, exemplar quotes."""
        data = self.query_data()
        rows = self._rows(data, codes, questions, descendants)
        return _joint.joint_display(data, group_by, rows, bins=bins, n_exemplars=exemplars,
                                    where=where, layout=layout, status=self._status(status))

    def outcome_by_code(self, outcome: str, *, codes: Sequence | None = None,
                        questions: Sequence[str] | str | None = None,
                        positive: str | None = None, where: str | None = None,
                        descendants: bool = True, status: str = "accepted") -> pd.DataFrame:
        """Binary outcome rate with vs without the code, Fisher's exact test, warnings."""
        data = self.query_data()
        rows = self._rows(data, codes, questions, descendants)
        return _joint.outcome_by_code(data, outcome, rows, positive=positive, where=where,
                                      status=self._status(status))

    def question_dossier(self, question_id: str, *, where: str | None = None,
                         exemplars: int = 2, status: str = "accepted") -> QuestionDossier:
        """Everything on one evaluation question (see workbench.query.dossier)."""
        data = self.query_data()
        wide = self.participants().drop(columns=["documents"], errors="ignore")
        return question_dossier(data, question_id, where=where, n_exemplars=exemplars,
                                participants_table=wide, status=self._status(status))

    # -- saved queries -------------------------------------------------------------------
    def saved_queries(self) -> pd.DataFrame:
        """Saved queries: name, kind, expression, params, created_at, updated_at."""
        return pd.DataFrame(self.store.saved_queries(),
                            columns=["name", "kind", "expression", "params", "created_at",
                                     "updated_at"])

    def save_query(self, name: str, kind: str, expression: str = "", params: dict | None = None,
                   *, replace: bool = False) -> None:
        """Save a query to re-run later.  ``kind``: query (expression = the query),
        matrix (expression = by), cooccurrence, participants, triangulation, joint
        (expression = group_by), outcome (expression = the outcome), dossier
        (expression = the question id); ``params`` = the method's keyword arguments.
        The query is checked by running it once."""
        name = (name or "").strip()
        if not name:
            raise ValidationError("a saved query needs a name")
        if kind not in SAVED_KINDS:
            raise ValidationError(f"unknown kind {kind!r}; expected one of {', '.join(SAVED_KINDS)}")
        params = dict(params or {})
        self._run(kind, expression, params)          # validates, raises on bad input
        self.store.save_query(name, kind, expression or "", params, replace=replace,
                              coder=self.coder)

    def run_saved_query(self, name: str):
        q = self.store.get_saved_query(name)
        return self._run(q["kind"], q["expression"], q["params"])

    def delete_saved_query(self, name: str) -> None:
        self.store.delete_saved_query(name, coder=self.coder)

    def _run(self, kind: str, expression: str, params: dict):
        import inspect
        method = {"query": self.query, "matrix": self.matrix, "cooccurrence": self.cooccurrence,
                  "participants": self.participant_code_matrix, "triangulation": self.triangulate,
                  "joint": self.joint_display, "outcome": self.outcome_by_code,
                  "dossier": self.question_dossier}.get(kind)
        if method is None:
            raise ValidationError(f"unknown kind {kind!r}")
        allowed = {n for n, p in inspect.signature(method).parameters.items()
                   if p.kind == p.KEYWORD_ONLY or (kind in ("cooccurrence", "participants",
                                                            "triangulation") and n == "codes")}
        bad = sorted(set(params) - allowed)
        if bad:
            raise ValidationError(f"unknown parameter(s) for a {kind} query: {', '.join(bad)} "
                                  f"(allowed: {', '.join(sorted(allowed))})")
        if kind in ("cooccurrence", "participants", "triangulation"):
            return method(**params)
        if kind == "matrix":
            return method(expression or "actor_type", **params)
        return method(expression, **params)

    def check_filter(self, where: str) -> None:
        """Raise QueryError if a WHERE filter is invalid for this project."""
        Filter(self.query_data(), parse_condition(where))
