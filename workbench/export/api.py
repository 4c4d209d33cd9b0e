"""The export facade: a mixin of :class:`workbench.project.Project`.

Every method writes under the project's sibling ``exports/`` folder unless given a
path, never includes anything marked private, passes the pseudonymisation guard
(:meth:`workbench.privacy.api.PrivacyAPI.privacy_check_export`: a warning, or an error
when the project's settings say so, for documents not pseudonymised), takes ``progress(done, total,
label)`` and ``cancelled()`` callables, and returns the paths written (or, for
REFI-QDA, a summary dict).  The TUI export dialog calls these in a worker thread.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.domain import ValidationError
from workbench.i18n import _, ngettext

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]
REPORT_SECTIONS = ("summary", "codebook", "questions", "excerpts", "matrices", "trajectories",
                   "charts", "methods")
TABLE_NAMES = ("codes", "extraits", "codages", "documents", "participants", "participants_x_codes",
               "variables_codes", "codes_x_acteurs", "codes_x_programmes", "questions",
               "cooccurrences", "memos", "codeurs")


class ExportAPI(Capability):
    # -- where ----------------------------------------------------------------------
    def export_dir(self) -> Path:
        """``exports/`` next to the project file (created on demand)."""
        return self.path.resolve().parent / "exports"

    def export_path(self, kind: str, suffix: str) -> Path:
        """A fresh default file name: ``exports/<project>-<kind>-<date-time><suffix>``."""
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.export_dir() / f"{self.path.stem}-{kind}-{stamp}{suffix}"

    # -- data -----------------------------------------------------------------------
    def report_data(self):
        """The privacy-filtered :class:`workbench.export.data.ReportData`."""
        from workbench.export.data import collect
        return collect(self)

    def export_table_frames(self, names: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:
        """The named tables (see :data:`TABLE_NAMES`) as DataFrames."""
        from workbench.export.data import named_tables
        tables = named_tables(self, self.report_data())
        if names:
            unknown = [n for n in names if n not in tables]
            if unknown:
                raise ValidationError(ngettext("unknown table: {names} (known: {known})",
                                               "unknown tables: {names} (known: {known})",
                                               len(unknown)).format(
                    names=", ".join(unknown), known=", ".join(tables)))
            tables = {n: tables[n] for n in names}
        return tables

    # -- Word -----------------------------------------------------------------------
    def report_scope(self, *, programmes: Sequence[str] = (), questions: Sequence[str] = (),
                     coders=None, date_from: str | None = None, date_to: str | None = None,
                     codes: Sequence[int | str] = (), waves: Sequence[str] = ()):
        """A checked :class:`workbench.export.evidence.ReportScope`."""
        from workbench.export.evidence import ReportScope, check_date
        known = set(self.documents()["programme"].dropna())
        bad = [x for x in programmes if x not in known]
        if bad:
            raise ValidationError(ngettext("unknown programme: {names} (programmes: {known})",
                                           "unknown programmes: {names} (programmes: {known})",
                                           len(bad)).format(
                names=", ".join(bad), known=", ".join(sorted(known)) or "—"))
        qids = {q["id"] for q in self.store.query_questions()}
        bad = [x for x in questions if x not in qids]
        if bad:
            raise ValidationError(ngettext("unknown evaluation question: {ids}",
                                           "unknown evaluation questions: {ids}",
                                           len(bad)).format(ids=", ".join(bad)))
        self.query_data().coder_ids(coders)          # unknown coders: an error here
        start, end = check_date(date_from, "date_from"), check_date(date_to, "date_to")
        if start and end and start > end:
            raise ValidationError(_("the date range is empty ({start} > {end})").format(
                start=start, end=end))
        code_ids = tuple(sorted({d for c in codes for d in self.store.code_descendants(self.code_id(c))}))
        wave_names = tuple(self.resolve_wave(w) for w in waves)
        return ReportScope(tuple(programmes), tuple(questions), coders, start, end,
                           codes=code_ids, waves=wave_names)

    def team_name(self) -> str:
        """Who signs the reports (their document properties' author): the project's
        ``team`` setting, else "Evaluation team — <project>"."""
        return self.store.get_meta("team") or _("Evaluation team — {project}").format(
            project=self.name)

    def set_team_name(self, name: str) -> None:
        self.store.set_meta("team", name.strip())

    def export_report(self, path: str | Path | None = None, *,
                      sections: Sequence[str] = REPORT_SECTIONS, by: str = "code",
                      attributes: Sequence[str] = (), joint_attributes: Sequence[str] = (),
                      title: str | None = None, template: str | Path | None = None,
                      excerpts_per_code: int | None = None, dossier_quotes: int | None = 5,
                      programmes: Sequence[str] = (), questions: Sequence[str] = (),
                      coders=None, date_from: str | None = None, date_to: str | None = None,
                      author: str | None = None, language: str | None = None,
                      paper: str | None = None,
                      tables: dict[str, pd.DataFrame] | None = None,
                      waves: Sequence[str] = (), dossiers_by: str | None = None,
                      trajectories: Sequence[str] = (),
                      trajectory_participants: Sequence[str] | None = None,
                      sampling: Sequence[str] = (),
                      saturation: Sequence[str] | None = None,
                      progress: ProgressFn | None = None,
                      cancelled: CancelledFn | None = None) -> Path:
        """A Word report (see :mod:`workbench.export.report`): scope, codebook, one
        dossier per evaluation question, the excerpts annex, matrices and joint displays
        (``joint_attributes``), charts and a methods annex.  Filters: ``programmes``,
        ``questions``, ``coders`` (None: every coder, merged; a name, names or
        CONSENSUS_CODER), ``date_from``/``date_to`` (interview dates, ISO).
        ``attributes``: participant attributes shown with each quote;
        ``dossier_quotes``: at most this many quotes per question dossier (None: all; the
        rest go to the excerpts annex; ``by="question"``: all); ``language`` fr|en (default: the interface's);
        ``paper`` a4|letter (default: from the locale); ``author``: default the team.
        Waves and cases: ``waves`` keeps the interviews of those waves; ``dossiers_by`` a
        case kind (``"site"``) groups each dossier's quotes by case; ``trajectories``
        (codes or evaluation question ids) adds a section of trajectories across waves
        (``trajectory_participants``, default the participants interviewed at two waves
        or more) with the change table between successive waves; ``sampling``
        (participant attributes) adds the sampling frame to the methods annex;
        ``saturation`` (document fields grouping the interviews, e.g. ``("programme",
        "actor_type")``; ``()`` one group) adds the saturation curve and table to it."""
        from workbench.export.report import build_report
        self.privacy_check_export()
        if by not in ("code", "question"):
            raise ValidationError(_("by must be 'code' or 'question'"))
        if template and not Path(template).is_file():
            raise ValidationError(_("{path}: no such template").format(path=template))
        if paper not in (None, "a4", "letter"):
            raise ValidationError(_("paper must be a4 or letter"))
        scope = self.report_scope(programmes=programmes, questions=questions, coders=coders,
                                  date_from=date_from, date_to=date_to, waves=waves)
        self._check_attributes(list(attributes) + list(joint_attributes) + [
            n.strip() for spec in sampling for n in spec.split("*")])
        waves_part: dict[str, Any] = dict(
            dossiers_by=self._check_case_kind(dossiers_by),
            trajectories=self._check_themes(trajectories),
            trajectory_participants=trajectory_participants, sampling=tuple(sampling),
            saturation=None if saturation is None else tuple(saturation))
        path = Path(path) if path else self.export_path("rapport", ".docx")
        if excerpts_per_code is not None and dossier_quotes == 5:
            dossier_quotes = excerpts_per_code
        if by == "question":                    # every passage under its first question
            dossier_quotes = None
        return build_report(self, path, scope=scope, sections=sections, by=by,
                            attributes=attributes, joint_attributes=joint_attributes,
                            title=title, author=author, template=template,
                            dossier_quotes=dossier_quotes, tables=tables, language=language,
                            paper=paper, progress=progress, cancelled=cancelled, **waves_part)

    def export_excerpts(self, path: str | Path | None = None, *, by: str = "code",
                        codes: Sequence[int | str] | None = None,
                        attributes: Sequence[str] = (), template: str | Path | None = None,
                        programmes: Sequence[str] = (), coders=None,
                        language: str | None = None,
                        progress: ProgressFn | None = None,
                        cancelled: CancelledFn | None = None) -> Path:
        """Coded passages with their sources, each once: .docx (``by`` "code": under
        their first code; "question": under their first evaluation question, then the
        others under their first code), .xlsx or .csv (one row per passage, its codes
        listed)."""
        from workbench.export.report import build_report
        from workbench.export.tables import write_tables
        self.privacy_check_export()
        self._check_attributes(attributes)
        scope = self.report_scope(programmes=programmes, coders=coders, codes=codes or ())
        path = Path(path) if path else self.export_path("extraits", ".docx")
        if path.suffix.lower() in (".xlsx", ".csv"):
            from workbench.export.data import passages_table
            return write_tables({"extraits": passages_table(self, scope, attributes)}, path,
                                progress=progress)[0]
        sections = ("questions", "excerpts") if by == "question" else ("excerpts",)
        return build_report(self, path, scope=scope, sections=sections, by=by,
                            attributes=attributes, template=template, dossier_quotes=None,
                            title=None, language=language, progress=progress,
                            cancelled=cancelled)

    def export_codebook_report(self, path: str | Path | None = None, *,
                               template: str | Path | None = None,
                               language: str | None = None) -> Path:
        """The codebook with evaluation questions, definitions and counts:
        .docx, or .xlsx/.csv (one row per code)."""
        from workbench.export.report import build_report
        from workbench.export.tables import write_tables
        data = self.report_data()
        path = Path(path) if path else self.export_path("grille", ".docx")
        if path.suffix.lower() in (".xlsx", ".csv"):
            q = data.questions.assign(codes=[";".join(str(c) for c in cs)
                                             for cs in data.questions["codes"]])
            tables = {"codes": data.codes.drop(columns=["parent_id"])}
            if path.suffix.lower() == ".xlsx":
                tables["questions"] = q
            return write_tables(tables, path)[0]
        return build_report(self, path, sections=("codebook",), template=template,
                            language=language)

    # -- spreadsheets ---------------------------------------------------------------
    def export_tables(self, path: str | Path | None = None, *,
                      names: Sequence[str] | None = None,
                      frames: dict[str, pd.DataFrame] | None = None,
                      notes: dict[str, str] | None = None,
                      progress: ProgressFn | None = None) -> list[Path]:
        """Tables to .xlsx (one sheet each) or .csv (one file each).  ``names`` picks
        among :data:`TABLE_NAMES`; ``frames`` exports any DataFrames (query results), with
        ``notes`` saying what each counts (the .xlsx "notes" sheet)."""
        self.privacy_check_export()
        tables = dict(frames or {})
        if names or not frames:
            tables = {**self.export_table_frames(names), **tables}
        from workbench.export.tables import write_tables
        path = Path(path) if path else self.export_path("tableaux", ".xlsx")
        return write_tables(tables, path, progress=progress,
                            notes={**self._table_notes(tables), **(notes or {})})

    def _table_notes(self, tables) -> dict[str, str]:
        """What each named table counts (the .xlsx "notes" sheet)."""
        from workbench.query.scope import describe
        counts = {"codes": describe(count="passages"), "extraits": describe(count="passages"),
                  "codes_x_acteurs": describe(count="passages"),
                  "codes_x_programmes": describe(count="passages"),
                  "participants_x_codes": describe(count="passages"),
                  "cooccurrences": describe(count="documents", descendants=False),
                  "codages": _("One row per coding: each coder's coding of a span.")}
        return {n: counts[n] for n in tables if n in counts}

    def export_participant_matrix(self, path: str | Path | None = None, *,
                                  binary: bool = False, with_attributes: bool = False) -> Path:
        """The participant × code matrix (counts or 0/1), one row per participant ID,
        column names valid in R and Stata; .xlsx adds a sheet naming each column's code."""
        self.privacy_check_export()
        from workbench.export.data import participant_code_matrix
        from workbench.export.tables import write_csv, write_xlsx
        from workbench.export.data import shareable_where
        matrix, dictionary = participant_code_matrix(self, self.report_data(), binary=binary,
                                                     with_attributes=with_attributes,
                                                     where=shareable_where(self))
        path = Path(path) if path else self.export_path("participants_x_codes", ".csv")
        if path.suffix.lower() == ".xlsx":
            return write_xlsx({"participants_x_codes": matrix, "variables": dictionary}, path)
        write_csv(dictionary, path.with_name(path.stem + "-variables.csv"))
        return write_csv(matrix, path)

    # -- REFI-QDA -------------------------------------------------------------------
    def export_qdpx(self, path: str | Path | None = None, *, progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> dict:
        """The whole project as REFI-QDA .qdpx (for NVivo, ATLAS.ti, MAXQDA, QualCoder)."""
        from workbench.export.qdpx import export_qdpx
        self.privacy_check_export()
        path = Path(path) if path else self.export_path("projet", ".qdpx")
        return export_qdpx(self, path, progress=progress, cancelled=cancelled)

    def import_qdpx(self, path: str | Path, *, on_conflict: str = "keep", dry_run: bool = False,
                    choices: dict[str, str] | None = None,
                    progress: ProgressFn | None = None,
                    cancelled: CancelledFn | None = None) -> dict:
        """Import a REFI-QDA .qdpx (all or nothing): a merge (:meth:`merge`, one
        implementation: :mod:`workbench.exchange`) in which every conflict takes its
        default, the project's values kept, unless ``on_conflict="replace"`` (the file's
        wherever that is a choice) or ``choices`` (by conflict id) say otherwise.  What
        the project already holds (same GUID, or the same transcript text) is matched,
        not copied; a value contradicting an attribute's type is never written.  One
        undoable step for codes, codings and memos.  ``dry_run``: report, write
        nothing.  Returns the counts of what is new (``documents``, ``codes``,
        ``codings``...), ``matched``, ``conflicts`` (each with its id, choices and
        choice) and ``warnings`` (see :class:`workbench.exchange.ExchangeReport`)."""
        from workbench.export.qdpx import import_qdpx
        return import_qdpx(self, path, on_conflict=on_conflict, dry_run=dry_run,
                           choices=choices, progress=progress, cancelled=cancelled)

    # -- what may leave the project ---------------------------------------------------
    def private_document_ids(self) -> set[int]:
        """Ids of the documents marked private."""
        return self.store.private_document_ids()

    def shareable(self, df: pd.DataFrame, *, documents: str | None = None,
                  memos: bool = False, attributes: bool = False) -> pd.DataFrame:
        """``df`` without what is private, for any output: rows whose ``documents``
        column names a private document, memos that are private or attached to a private
        document (or to a coding or turn of one) when ``memos``, private attribute
        columns when ``attributes``."""
        out = df
        if documents is not None and documents in out.columns:
            hidden = self.private_document_ids()
            if hidden:
                out = out[~out[documents].isin(hidden)]
        if memos and "id" in out.columns:
            allowed = {m["id"] for m in self.store.export_memos()}
            out = out[out["id"].isin(allowed)]
        if attributes:
            private = [a.name for a in self.store.attributes() if a.private]
            out = out.drop(columns=[c for c in private if c in out.columns])
        return out.reset_index(drop=True) if out is not df else out

    def shareable_rows(self, rows: list[dict], *, documents: str) -> list[dict]:
        """:meth:`shareable` for plain rows (dicts): those whose ``documents`` key names a
        private document left out."""
        hidden = self.private_document_ids()
        return [r for r in rows if r.get(documents) not in hidden] if hidden else rows

    def check_shareable_document(self, ref) -> None:
        """Raise if the document is private (it is never printed or exported)."""
        doc = self.document(ref)
        if doc.private:
            raise ValidationError(
                _("{name} is private: it is never printed or exported (make it shareable "
                  "with: workbench private PROJECT document {name} --off)").format(name=doc.name))

    # -- helpers --------------------------------------------------------------------
    def _check_case_kind(self, kind: str | None) -> str | None:
        if not kind:
            return None
        kinds = {k.casefold(): k for k in self.store.case_kinds()}
        if kind.casefold() not in kinds:
            from workbench.i18n import _
            raise ValidationError(_("no case of kind {kind!r} (kinds: {known})").format(
                kind=kind, known=", ".join(kinds.values()) or _("none")))
        return kinds[kind.casefold()]

    def _check_themes(self, themes) -> tuple[tuple[str, str], ...]:
        """("question", id) or ("code", path) of each theme named for a trajectory."""
        qids = {q["id"] for q in self.store.query_questions()}
        data = self.query_data()
        out = []
        for t in themes:
            if t in qids:
                out.append(("question", t))
            else:
                out.append(("code", data.code_path[data.resolve_code(t)]))
        return tuple(out)

    def _check_attributes(self, names) -> None:
        columns = list(self._shareable_participants().columns)
        unknown = [a for a in names if a not in columns]
        if unknown:
            known = ", ".join(c for c in columns if c != "participant_id")
            raise ValidationError(ngettext("unknown or private attribute: {names} (available: {known})",
                                           "unknown or private attributes: {names} (available: {known})",
                                           len(unknown)).format(
                names=", ".join(unknown), known=known or "—"))

    def shareable_saved_queries(self) -> list[dict | None]:
        """The saved queries, each None when its expression or parameters name a private
        document or a private participant attribute (it is then never printed)."""
        import json
        import re
        docs = self.documents()
        names = list(docs.loc[docs["private"].astype(bool), "name"]) + \
            [a.name for a in self.store.attributes() if a.private]
        patterns = [re.compile(r"(?<![\w.-])" + re.escape(n) + r"(?![\w-])", re.IGNORECASE)
                    for n in names]
        out: list[dict | None] = []
        for q in self.store.saved_queries():
            blob = (q["expression"] or "") + " " + json.dumps(q["params"], ensure_ascii=False)
            out.append(None if any(p.search(blob) for p in patterns) else q)
        return out
