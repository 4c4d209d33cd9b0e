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
from typing import TYPE_CHECKING, Any, Callable, Sequence

from workbench.domain import ValidationError
from workbench.facade import Capability
from workbench.i18n import _, ngettext
from workbench.query._types import TRIANGULATED_ACTORS, CodeRefs, Coders

if TYPE_CHECKING:
    import pandas as pd

    from workbench.query import dossier as _dossier
    from workbench.query import engine as _engine
    from workbench.query import joint as _joint
    from workbench.query import language as _language
    from workbench.query import matrices as _matrices
    from workbench.query import triangulation as _tri
    from workbench.query.dossier import QuestionDossier
    from workbench.query.engine import ProjectData
    from workbench.query.language import Query
else:
    # the engine loads when a query runs, not when the facade is imported (a read
    # command such as `workbench info` never pays for it)
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")
    _dossier = lazy_module("workbench.query.dossier")
    _engine = lazy_module("workbench.query.engine")
    _joint = lazy_module("workbench.query.joint")
    _language = lazy_module("workbench.query.language")
    _matrices = lazy_module("workbench.query.matrices")
    _tri = lazy_module("workbench.query.triangulation")

SAVED_KINDS = ("query", "matrix", "cooccurrence", "participants", "triangulation", "joint",
               "outcome", "dossier")
STATUSES = ("accepted", "candidate", "all")


class QueryAPI(Capability):
    # -- the snapshot --------------------------------------------------------------------
    def query_data(self, include_private: bool = False) -> ProjectData:
        """The engine's snapshot of the project, reloaded when the project changed.
        Every query, table and report uses the snapshot without private documents and
        attributes; ``include_private=True`` is for the project's own screens."""
        lock = self.__dict__.setdefault("_query_lock", threading.Lock())
        with lock:
            version = self.store.query_version()
            key = "_query_cache_private" if include_private else "_query_cache"
            cached = self.__dict__.get(key)
            if cached is None or cached[0] != version:
                cached = (version, _engine.ProjectData(self.store, include_private=include_private))
                self.__dict__[key] = cached
            return cached[1]

    def counting(self, *, count: str = "passages", coders: Coders = None, interviewer: bool = False,
                 status: str = "accepted", descendants: bool = True) -> str:
        """One sentence saying what a table counts (shown with every table)."""
        from workbench.query.scope import describe
        data = self.query_data()
        data.coder_ids(coders)              # unknown coders are an error here too
        return describe(count=count, coders=coders, interviewer=interviewer, status=status,
                        descendants=descendants)

    @staticmethod
    def _status(status: str) -> str:
        if status not in STATUSES:
            raise ValidationError(_("status must be one of {values}").format(values=", ".join(STATUSES)))
        return status

    def _rows(self, data: ProjectData, codes: CodeRefs, questions: Sequence[str] | str | None,
              descendants: bool = True) -> list[tuple[str, list[int]]]:
        if codes is not None and questions is not None:
            raise ValidationError(_("give codes or evaluation questions, not both"))
        if questions is not None:
            return _tri.question_rows(data, None if questions == "all" else list(questions))
        return _matrices.row_codes(data, codes, descendants)

    # -- retrieval ---------------------------------------------------------------------
    def parse_query(self, expression: str) -> Query:
        """Parse and check a query against the project (codes, attributes, types);
        raises QueryError pointing at the problem."""
        from workbench.query.engine import Evaluator
        data = self.query_data()
        q = _language.parse(expression)
        Evaluator(data, q).check() if q.expr is not None else None
        _engine.Filter(data, q)
        return q

    def query(self, expression: str, *, where: str | None = None, attributes: Sequence[str] = (),
              descendants: bool = True, status: str = "accepted",
              limit: int | None = None, coders: Coders = None, interviewer: bool = False) -> pd.DataFrame:
        """Coded passages matching a query (see docs/query-language.md).

        Columns: document, programme, actor_type, speaker, participant_id, start, end,
        text, codes, coder, the requested participant ``attributes``, document_id,
        coding_ids.  ``where`` adds a filter to the expression's own WHERE.
        """
        return _engine.retrieve(self.query_data(), expression, where=where, attributes=attributes,
                        descendants=descendants, status=self._status(status), limit=limit,
                        coders=coders, interviewer=interviewer)

    # -- matrices ----------------------------------------------------------------------
    def matrix(self, by: str = "actor_type", *, codes: CodeRefs = None,
               count: str = "passages", percent: str | None = None, descendants: bool = True,
               where: str | None = None, bins: int = 4, status: str = "accepted",
               coders: Coders = None, interviewer: bool = False) -> pd.DataFrame:
        """Codes × ``by`` (actor_type, programme, a document field or a participant
        attribute; numbers and dates in ``bins`` quantiles).  Cells count distinct
        passages (default), codings, documents or participants; ``percent`` row or
        column.  Last row ``(total)`` = each column's base (for documents and
        participants: those in scope, coded or not), last column ``total``.  ``coders``:
        None (every coder, merged), a name, names, or CONSENSUS_CODER; ``interviewer``:
        count interviewer speech (its own column by actor type)."""
        return _matrices.code_matrix(self.query_data(), by, codes=codes, count=count,
                                     percent=percent, descendants=descendants, where=where,
                                     bins=bins, status=self._status(status), coders=coders,
                                     interviewer=interviewer)

    def cooccurrence(self, codes: CodeRefs = None, *, mode: str = "overlap",
                     distance: int | None = None, count: str = "passages",
                     where: str | None = None, status: str = "accepted", coders: Coders = None,
                     interviewer: bool = False) -> pd.DataFrame:
        """Code × code co-occurrence: overlap, turn, or proximity (``distance`` chars);
        each code alone (without its sub-codes)."""
        return _matrices.cooccurrence(self.query_data(), codes, mode=mode, distance=distance,
                                      count=count, where=where, status=self._status(status),
                                      coders=coders, interviewer=interviewer)

    def participant_code_matrix(self, codes: CodeRefs = None, *, binary: bool = True,
                                descendants: bool = True, where: str | None = None,
                                attributes: bool | Sequence[str] = False,
                                all_participants: bool = False, count: str = "passages",
                                status: str = "accepted", coders: Coders = None) -> pd.DataFrame:
        """Participant × code (1/0, or counts of passages or codings), first column
        participant_id, optionally joined with the participant table (``attributes=True``
        or a list of names; private attributes are never joined)."""
        data = self.query_data()
        table = _matrices.participant_code_matrix(data, codes, binary=binary,
                                                  descendants=descendants, where=where,
                                                  all_participants=all_participants,
                                                  count=count, status=self._status(status),
                                                  coders=coders)
        if attributes:
            wide = self._shareable_participants()
            if attributes is not True:
                names = list(attributes)
                unknown = [a for a in names if a not in wide.columns]
                if unknown:
                    raise ValidationError(data.unknown_attribute(unknown[0]))
                wide = wide[["participant_id", *names]]
            clash = [c for c in wide.columns if c in table.columns and c != "participant_id"]
            wide = wide.rename(columns={c: f"attr:{c}" for c in clash})
            table = table.merge(wide, on="participant_id", how="left")
        return table

    # -- triangulation and joint displays ----------------------------------------------
    def triangulate(self, codes: CodeRefs = None, *, questions: Sequence[str] | str | None = None,
                    actors: Sequence[str] = TRIANGULATED_ACTORS, exemplars: int = 2,
                    where: str | None = None, descendants: bool = True,
                    status: str = "accepted", coders: Coders = None) -> pd.DataFrame:
        """Per code (or evaluation question, ``questions="all"`` for every one) and actor
        type: passages, codings, documents, participants, share, status, exemplar
        excerpts, and a convergence / divergence / silence summary."""
        data = self.query_data()
        rows = self._rows(data, codes, questions, descendants)
        out = _tri.triangulate(data, rows, actors=tuple(actors), n_exemplars=exemplars,
                               where=where, status=self._status(status), coders=coders)
        return out.rename(columns={"row": "question" if questions is not None else "code"})

    def joint_display(self, group_by: str, *, codes: CodeRefs = None,
                      questions: Sequence[str] | str | None = None, bins: int = 4,
                      exemplars: int = 1, where: str | None = None, layout: str = "long",
                      descendants: bool = True, status: str = "accepted",
                      coders: Coders = None) -> pd.DataFrame:
        """Rows = groups of ``group_by`` (a participant attribute), columns = codes or
        questions; cells = the group's size (interviewed participants, coded or not),
        participants whose words carry the code, their share of the group, passages,
        codings, exemplar quotes."""
        data = self.query_data()
        rows = self._rows(data, codes, questions, descendants)
        return _joint.joint_display(data, group_by, rows, bins=bins, n_exemplars=exemplars,
                                    where=where, layout=layout, status=self._status(status),
                                    coders=coders)

    def outcome_by_code(self, outcome: str, *, codes: CodeRefs = None,
                        questions: Sequence[str] | str | None = None,
                        positive: str | None = None, where: str | None = None,
                        descendants: bool = True, status: str = "accepted",
                        coders: Coders = None) -> pd.DataFrame:
        """Binary outcome rate with vs without the code: Fisher's exact test, odds ratio
        with its 95 % confidence interval, Holm and Benjamini–Hochberg adjusted p-values,
        small-numbers warnings."""
        data = self.query_data()
        rows = self._rows(data, codes, questions, descendants)
        return _joint.outcome_by_code(data, outcome, rows, positive=positive, where=where,
                                      status=self._status(status), coders=coders)

    def question_dossier(self, question_id: str, *, where: str | None = None,
                         exemplars: int = 2, status: str = "accepted",
                         coders: Coders = None) -> QuestionDossier:
        """Everything on one evaluation question (see workbench.query.dossier)."""
        data = self.query_data()
        return _dossier.question_dossier(data, question_id, where=where, n_exemplars=exemplars,
                                participants_table=self._shareable_participants(),
                                status=self._status(status), coders=coders)

    def _shareable_participants(self) -> pd.DataFrame:
        """The participant table without private attributes (what outputs may show)."""
        wide = self.participants().drop(columns=["documents"], errors="ignore")
        private = [a.name for a in self.store.attributes() if a.private]
        return wide.drop(columns=[c for c in private if c in wide.columns])

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
            raise ValidationError(_("a saved query needs a name"))
        if kind not in SAVED_KINDS:
            raise ValidationError(_("unknown kind {kind!r}; expected one of {kinds}").format(
                kind=kind, kinds=", ".join(SAVED_KINDS)))
        params = dict(params or {})
        self._run(kind, expression, params)          # validates, raises on bad input
        self.store.save_query(name, kind, expression or "", params, replace=replace,
                              coder=self.coder)

    def run_saved_query(self, name: str) -> Any:
        q = self.store.get_saved_query(name)
        return self._run(q["kind"], q["expression"], q["params"])

    def delete_saved_query(self, name: str) -> None:
        self.store.delete_saved_query(name, coder=self.coder)

    def _run(self, kind: str, expression: str, params: dict) -> Any:
        import inspect
        methods: dict[str, Callable[..., Any]] = {
            "query": self.query, "matrix": self.matrix, "cooccurrence": self.cooccurrence,
            "participants": self.participant_code_matrix, "triangulation": self.triangulate,
            "joint": self.joint_display, "outcome": self.outcome_by_code,
            "dossier": self.question_dossier}
        method = methods.get(kind)
        if method is None:
            raise ValidationError(_("unknown kind {kind!r}").format(kind=kind))
        allowed = {n for n, p in inspect.signature(method).parameters.items()
                   if p.kind == p.KEYWORD_ONLY or (kind in ("cooccurrence", "participants",
                                                            "triangulation") and n == "codes")}
        bad = sorted(set(params) - allowed)
        if bad:
            raise ValidationError(ngettext(
                "unknown parameter for a {kind} query: {names} (allowed: {allowed})",
                "unknown parameters for a {kind} query: {names} (allowed: {allowed})",
                len(bad)).format(kind=kind, names=", ".join(bad), allowed=", ".join(sorted(allowed))))
        if kind in ("cooccurrence", "participants", "triangulation"):
            return method(**params)
        if kind == "matrix":
            return method(expression or "actor_type", **params)
        return method(expression, **params)

    def check_filter(self, where: str) -> None:
        """Raise QueryError if a WHERE filter is invalid for this project."""
        _engine.Filter(self.query_data(), _language.parse_condition(where))
