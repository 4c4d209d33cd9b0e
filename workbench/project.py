"""The Project facade: the one API the CLI, the TUI and notebook users call.

    >>> from workbench import Project
    >>> with Project.create("evaluation.wbproj") as p:
    ...     p.import_participants("participants.csv")
    ...     report = p.import_files(["entretiens/"], programme="avenir", actor_type="beneficiary")
    ...     p.search("immersion")            # a pandas DataFrame

Methods return domain dataclasses or pandas DataFrames; errors are
:class:`workbench.domain.WorkbenchError` subclasses with a user-facing message.
"""
from __future__ import annotations

import functools
import getpass
import inspect
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Iterable, Sequence, cast

if TYPE_CHECKING:
    import pandas as pd

    from workbench.coding.engine import CodingAPI

    from workbench.ingest.service import CancelledFn, ImportReport, ProgressFn
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.agreement import AgreementAPI
from workbench.codebook.project_ops import CodebookAPI
from workbench.coding import AutocodeAPI, CodingAPI, SlotsAPI
from workbench.domain import (ACTOR_TYPES, Document, DocumentMetadata, NotFoundError, Segment,
                              ValidationError, WorkbenchError)
from workbench.export.api import ExportAPI
from workbench.groups import GroupsAPI
from workbench.i18n import _, located
from workbench.labels import actor_label, parse_actor
from workbench.identity import text_hash
from workbench.privacy import PrivacyAPI
from workbench.query import QueryAPI
from workbench.safety.errors import describe
from workbench.store import Store, now
from workbench.store.errors import translate, translate_os_error
from workbench.team import TeamAPI
from workbench.team.api import remembered_coder
from workbench.topics import TopicsAPI
from workbench.waves import WavesAPI

PROJECT_SUFFIX = ".wbproj"


def default_coder() -> str:
    name = os.environ.get("WORKBENCH_CODER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no user database
        return "coder"


def _initial_coder(store: Store, coder: str | None) -> tuple[str, str]:
    if coder:
        return coder, "given"
    name = os.environ.get("WORKBENCH_CODER")
    if name:
        return name, "environment"
    name = remembered_coder(store.get_meta("project_guid"))
    if name:
        return name, "remembered"
    name = store.get_meta("default_coder")     # the demo's own coder ("Démo")
    if name:
        return name, "project"
    return default_coder(), "login"


class ProjectCore:
    """Opening, closing and the basic reads every capability builds on."""

    def __init__(self, store: Store, coder: str | None = None):
        self.store = store
        #: who is coding: given by the caller, $WORKBENCH_CODER, the name this user gave
        #: for this project before (see :meth:`TeamAPI.set_coder`), or else the login
        #: name, which the terminal interface never uses silently (it asks).
        self.coder, self.coder_source = _initial_coder(store, coder)

    # -- lifecycle -----------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, name: str | None = None, coder: str | None = None):
        store = Store(path, create=True)
        project = cls(store, coder)
        store.set_meta("name", name or Path(path).stem)
        store.set_meta("created_at", now())
        store.log_change(project.coder, "project.create", "project", None, {"path": str(path)})
        return project

    @classmethod
    def open(cls, path: str | Path, *, coder: str | None = None, check: bool = True):
        """Open a project; refuses what is not one, and (``check``) a damaged file."""
        project = cls(Store(path, check=check), coder)
        from workbench.safety.files import sweep_leftovers
        for folder in (project.path.parent, project.path.parent / "exports"):
            sweep_leftovers(folder)          # what a killed export left (hidden .wbtmp)
        return project

    @classmethod
    def open_or_create(cls, path: str | Path, *, coder: str | None = None):
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            return cls.open(path, coder=coder)
        return cls.create(path, coder=coder)

    def close(self) -> None:
        self.store.close()

    def check(self) -> list[str]:
        """The whole integrity check of the project file (no time bound); an empty list
        means the file is sound."""
        return self.store.integrity_problems()

    @classmethod
    def repair(cls, path: str | Path) -> tuple[Path | None, list[str]]:
        """Rebuild a damaged project from its rows into a fresh file, which takes its
        place; the damaged file is kept beside it (``<name>.damaged-<time>.wbproj``).

        :returns: (where the damaged file was kept, problems left); nothing is moved
            when the rebuilt copy is not sound.
        """
        import datetime as _dt
        path = Path(path)
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        fresh = path.with_name(f".{path.name}.repair-{os.getpid()}.wbtmp")
        store = Store(path, check=False)
        try:
            problems = store.rebuild_copy(fresh)
        finally:
            store.close()
        if problems:
            fresh.unlink(missing_ok=True)
            return None, problems
        kept = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
        os.replace(path, kept)
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.replace(fresh, path)
        return kept, []

    # -- waiting for another program's write ------------------------------------------
    @property
    def on_wait(self) -> Callable[[str], None]:
        """Called with a message when a write must wait for another program (the CLI
        prints it on stderr, the terminal interface shows a notification)."""
        return self.store.on_wait

    @on_wait.setter
    def on_wait(self, callback: Callable[[str], None]) -> None:
        self.store.on_wait = callback

    def first_write(self, *, wait: bool = True,
                    cancelled: Callable[[], bool] | None = None) -> ContextManager[None]:
        """A block whose first write transaction does not wait for another program's
        write: ``wait=False`` raises :class:`workbench.store.errors.WouldWait` at once,
        ``cancelled`` stops the wait with ``WriteCancelled``; nothing is written then,
        so the block can run again later (see :meth:`workbench.store.Store.first_write`)."""
        return self.store.first_write(wait=wait, cancelled=cancelled)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def name(self) -> str:
        return self.store.get_meta("name") or self.path.stem

    def info(self) -> dict:
        counts = self.store.counts()
        counts["name"] = self.name
        counts["path"] = str(self.path)
        counts["schema"] = self.store.schema_version()
        return counts

    def data_version(self) -> tuple[int, int] | None:
        """Changes when any process commits; None while a worker thread writes."""
        return self.store.data_version()

    def history(self, limit: int = 50, action_prefix: str | None = None) -> list[dict]:
        return self.store.change_log(limit, action_prefix)

    def coders(self) -> pd.DataFrame:
        return pd.DataFrame(self.store.list_coders(), columns=["id", "name", "created_at", "codings"])

    # -- documents -----------------------------------------------------------------
    def import_files(self, paths: Iterable[str | Path] = (), *, programme: str | None = None,
                     actor_type: str | None = None, participants: Sequence[str] = (),
                     speakers: dict[str, str] | None = None, manifest: str | Path | None = None,
                     encoding: str | None = None, interview_date: str | None = None,
                     interviewer: str | None = None, site: str | None = None,
                     name: str | None = None, new_programme: bool = False,
                     field_types: dict[str, tuple[str, tuple[str, ...]]] | None = None,
                     columns: str | dict[str, str] | None = None,
                     tags_as_codes: bool = False, wave: str | None = None,
                     new_wave: bool = False, cases: Sequence[str] = (),
                     progress: ProgressFn | None = None,
                     cancelled: CancelledFn | None = None) -> ImportReport:
        """Import transcript files, folders or globs; manifest values win over options.

        ``columns``: for table transcripts (.csv, .xlsx), which column holds what
        (``{"speaker": "Qui", "text": "Dit"}`` or ``"speaker=Qui, text=Dit"``; roles
        speaker, text, start, end, tags; a column by header or number).
        ``tags_as_codes``: a table's tags column becomes codings (origin "imported") on
        its rows' words, codes matched by path or created; the report's notes say what
        was made.

        ``programme`` must be a programme the project knows (:meth:`known_programmes`,
        case aside) unless ``new_programme`` asks to create it; a manifest row may say
        ``new_programme`` too.  A manifest's extra columns are typed document fields:
        their types belong to the project like participant attributes' (a manifest
        whose values do not fit is refused with every row named), and ``field_types``
        (``{"vague": ("ordinal", ("1", "2", "3"))}``) overrides them explicitly.

        ``wave``: the interviews' wave, one of the project's (:meth:`waves`) unless
        ``new_wave`` adds it after them; ``cases``: IDs of cases (sites, organisations)
        the interviews belong to, ``"Label=ID"`` for one speaker of them.  A manifest
        row may say ``wave``, ``new_wave`` and ``cases`` too.
        """
        from dataclasses import replace

        from workbench.ingest.manifest import interview_date as _interview_date
        from workbench.ingest.manifest import load_manifest
        from workbench.ingest.parsers import parse_column_mapping
        from workbench.ingest.service import import_paths
        from workbench.programmes import known_programmes, resolve_programme
        from workbench.tables import type_columns
        if actor_type and actor_type not in ACTOR_TYPES:     # bénéficiaire, formatrice… too
            if parse_actor(actor_type) is None:
                raise ValidationError(_("unknown actor type {value!r}; expected one of "
                                        "{types}").format(value=actor_type, types=", ".join(
                                            actor_label(a) for a in ACTOR_TYPES)))
            actor_type = parse_actor(actor_type)
        known = known_programmes(self.store)
        programme = resolve_programme(programme, known, new=new_programme)
        try:
            mapped = parse_column_mapping(columns)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        interview_date = _interview_date(interview_date)
        from workbench.ingest.manifest import _split_cases
        from workbench.waves.naming import resolve_wave
        waves = self.store.wave_names()
        wave = resolve_wave(wave, waves, new=new_wave)
        defaults = DocumentMetadata(name=name, programme=programme, actor_type=actor_type,
                                    interview_date=interview_date, interviewer=interviewer,
                                    site=site, participants=tuple(participants),
                                    speakers=dict(speakers or {}), columns=mapped,
                                    tags_as_codes=bool(tags_as_codes), wave=wave,
                                    cases=_split_cases(list(cases), _("cases")))
        mapping = None
        field_defs, restored, notes = [], [], []
        if manifest:
            from workbench.ingest.manifest import ManifestError
            try:
                mapping = load_manifest(manifest,
                                        known_programmes=known + ([programme] if programme
                                                                  else []),
                                        new_programmes=new_programme,
                                        known_waves=waves + ([wave] if wave else []),
                                        new_waves=new_wave)
            except WorkbenchError:
                raise
            except Exception as exc:     # the manifest's error, never a traceback
                message, line = describe(exc)
                where = f"{manifest}:{line}" if line else str(manifest)
                raise ManifestError(located(where, message)) from exc
            table = mapping.fields
            if table is not None and table.columns:
                typed = type_columns(
                    table, list(table.columns), {a.name: a for a in self.store.field_defs("document")},
                    field_types, stored=lambda n: self.store.field_values("document", n),
                    owner_label=lambda doc_id: self.store.get_document(int(doc_id)).name)
                field_defs, restored, notes = typed.fields, typed.restored, typed.notes
                values = dict(typed.rows)
                mapping = type(mapping)(
                    ((f, replace(meta, fields=values.get(i, {})))
                     for i, (f, meta) in enumerate(mapping.items())), table)
            elif field_types:
                raise ValidationError(_("{path}: field types given, but the manifest has no "
                                        "extra column").format(path=manifest))
        elif field_types:
            raise ValidationError(_("field types are for the extra columns of a manifest"))
        paths = list(paths)
        if not paths and not mapping:
            raise ValidationError(_("nothing to import: give files, folders, globs or a manifest"))
        report = import_paths(self.store, paths, defaults, mapping, encoding=encoding,
                              coder=self.coder, progress=progress, cancelled=cancelled,
                              field_defs=field_defs, restored_fields=restored,
                              code_tags=self._code_tags)
        report.notes.extend(notes)
        return report

    def _code_tags(self, doc_id: int, tags: Sequence[tuple[int, int, str]]) -> tuple[int, list[str]]:
        """Codings from a table's tags: each ``(start, end, "Parent/Child")`` codes that
        span with the code at that path (names matched case aside, missing ones
        created), origin "imported".  Runs inside the import's transaction; returns the
        number of codings and the paths of the codes created."""
        coding = cast("CodingAPI", self)         # (the full facade's coding capability)
        created: list[str] = []
        by_code: dict[int, list[tuple[int, int]]] = {}
        with self.store.grouped("import.tags", self.coder, undoable=False,
                                details={"document": doc_id}):
            for start, end, path in tags:
                parent: int | None = None
                names: list[str] = []
                for part in path.split("/"):
                    found = self.store.child_code_id(parent, part)
                    if found is None:
                        found = coding.create_code(part, parent)
                        created.append("/".join([*names, part]))
                    names.append(self.store.get_code(found)["name"])
                    parent = found
                assert parent is not None                 # (a path has one part at least)
                by_code.setdefault(parent, []).append((start, end))
            n = sum(len(coding.apply_code_spans(doc_id, cid, spans, origin="imported",
                                                label="import.tags"))
                    for cid, spans in by_code.items())
        return n, created

    def known_programmes(self) -> list[str]:
        """The programmes an import may name without creating one: the PIC programmes,
        then those of the project's codebooks and documents."""
        from workbench.programmes import known_programmes
        return known_programmes(self.store)

    def document_fields(self) -> list:
        """The typed document fields (extra manifest columns), as
        :class:`~workbench.domain.Attribute` definitions."""
        return self.store.field_defs("document")

    def document_field_values(self, ref: int | str) -> dict[str, str | None]:
        """One document's fields: {name: value as text}."""
        return {name: text for name, (text, _num) in
                self.store.field_values_of("document", self.document_id(ref)).items()}

    def document_id(self, ref: int | str) -> int:
        return self.store.resolve_document(ref)

    def document(self, ref: int | str) -> Document:
        return self.store.get_document(self.document_id(ref))

    # -- identity (GUIDs and text hashes: workbench.identity) -----------------------
    def find_guid(self, kind: str, guid: str) -> int | None:
        """The id of the document, code, coding or memo (``kind``) with this GUID, in
        any letter case, with or without braces; None if the project has none."""
        return self.store.id_by_guid(kind, guid)

    def guid(self, kind: str, ref: int | str) -> str:
        """The GUID of a document (id or name), code (id or path), coding or memo (id)."""
        if kind == "document":
            row_id = self.document_id(ref)
        elif kind == "code":
            row_id = cast("CodingAPI", self).code_id(ref)
        else:
            row_id = int(ref)
        found = self.store.guid_of(kind, row_id)
        if found is None:
            raise NotFoundError(f"no {kind} {ref!r}")
        return found

    def documents_with_text(self, text_or_hash: str) -> list[int]:
        """Ids of the documents holding this transcript: give the text (compared after
        normalisation, see :func:`workbench.identity.text_hash`) or its hash."""
        digest = (text_or_hash if re.fullmatch(r"[0-9a-f]{64}", text_or_hash)
                  else text_hash(text_or_hash))
        return self.store.documents_by_text_hash(digest)

    def text(self, ref: int | str) -> str:
        return self.store.document_text(self.document_id(ref))

    def segments(self, ref: int | str) -> list[Segment]:
        """The document's segments with their turn model: ``body_start`` (where the words
        begin), ``timestamp``, ``section`` and ``front_matter``."""
        return self.store.segments(self.document_id(ref))

    def span_words(self, ref: int | str, start: int, end: int) -> str:
        """What a quote of ``[start, end)`` shows: the words, without the speaker labels
        and written timestamps of the turns it covers."""
        return self.store.span_words(self.document_id(ref), start, end)

    def spans_words(self, spans: Iterable[tuple[int | str, int, int]]) -> list[str]:
        """:meth:`span_words` of many ``(document, start, end)`` spans at once, in order."""
        return self.store.span_texts((self.document_id(d) if isinstance(d, str) else int(d), s, e)
                                     for d, s, e in spans)

    def speakers(self, ref: int | str) -> list[dict]:
        return self.store.speakers(self.document_id(ref))

    def documents(self, *, programme: str | None = None, actor_type: str | None = None,
                  attribute: tuple[str, str] | None = None,
                  coded: bool | None = None) -> pd.DataFrame:
        rows = self.store.list_documents(programme, actor_type, attribute, coded)
        cols = ["id", "name", "programme", "actor_type", "interview_date", "interviewer", "site",
                "language", "source_file", "source_format", "encoding", "word_count", "private",
                "segments", "codings", "participants", "wave"]
        return pd.DataFrame(rows, columns=cols)

    def update_document(self, ref: int | str, *, new_programme: bool = False,
                        new_wave: bool = False, **changes) -> None:
        """Change a document's metadata; a programme must be known unless
        ``new_programme``, a wave must be one of the project's unless ``new_wave`` (it is
        then added after the others; see :meth:`import_files`); ``wave=None`` takes the
        document out of any wave."""
        if "actor_type" in changes and changes["actor_type"] not in ACTOR_TYPES:
            if parse_actor(changes["actor_type"]) is None:
                raise ValidationError(_("unknown actor type {value!r}; expected one of "
                                        "{types}").format(value=changes["actor_type"], types=", ".join(
                                            actor_label(a) for a in ACTOR_TYPES)))
            changes["actor_type"] = parse_actor(changes["actor_type"])
        if "interview_date" in changes:
            from workbench.ingest.manifest import interview_date
            changes["interview_date"] = interview_date(changes["interview_date"])
        if changes.get("programme"):
            from workbench.programmes import resolve_programme
            changes["programme"] = resolve_programme(changes["programme"], self.known_programmes(),
                                                     new=new_programme)
        if changes.get("wave"):
            from workbench.waves.naming import resolve_wave
            changes["wave"] = resolve_wave(changes["wave"], self.store.wave_names(), new=new_wave)
        elif "wave" in changes:
            changes["wave"] = None
        self.store.update_document(self.document_id(ref), changes, coder=self.coder)

    def delete_document(self, ref: int | str) -> None:
        self.store.delete_document(self.document_id(ref), coder=self.coder)

    def search(self, text: str, *, programme: str | None = None, actor_type: str | None = None,
               attribute: tuple[str, str] | None = None, limit: int = 50,
               order: str = "document", include_private: bool = True) -> pd.DataFrame:
        """Full-text search over turns; ``order`` "document" (transcript order) or
        "relevance" (BM25); ``include_private=False`` (outputs) leaves private
        documents out."""
        if order not in ("document", "relevance"):
            raise ValidationError(_("order must be 'document' or 'relevance'"))
        hits = self.store.search(text, programme, actor_type, attribute, limit, order=order,
                                 include_private=include_private)
        return pd.DataFrame([h.__dict__ for h in hits],
                            columns=["segment_id", "document_id", "document", "programme",
                                     "actor_type", "speaker", "start", "end", "timestamp",
                                     "snippet", "context"])

    # -- participants --------------------------------------------------------------
    def import_participants(self, path: str | Path, *, id_column: str | None = None,
                            types: dict[str, tuple[str, tuple[str, ...]]] | None = None,
                            sheet: str | None = None) -> dict:
        """Import or update the participant table (CSV/TSV/TXT in UTF-8, UTF-16 or cp1252,
        or XLSX).

        Attribute types belong to the project: a column the project already has keeps
        its type, and a file whose values do not fit is refused with every such row
        named (:class:`workbench.tables.TableTypeError`, whose ``conflicts`` say which
        type would fit).  ``types={"age": ("nominal", ())}`` overrides a type explicitly,
        for the whole project (the values already there must fit it too); an ordinal
        takes its levels in order, ``("ordinal", ("faible", "moyen", "élevé"))``.  A file
        with no rows changes nothing.

        Returns ``inserted``, ``updated``, ``attributes`` [(name, type)], ``id_column``,
        ``new`` (attributes added), ``retyped`` [(name, old type, new type)], ``notes``
        (scales recognised, dates with times, suggestions) and ``warnings`` (encoding).
        """
        from workbench.participants import plan_participant_import
        try:
            plan = plan_participant_import(self.store, path, id_column=id_column, types=types,
                                           sheet=sheet)
        except WorkbenchError:
            raise
        except Exception as exc:     # a reader library's error is this file's error
            from workbench.participants import ParticipantTableError
            message, line = describe(exc)
            where = f"{path}:{line}" if line else str(path)
            raise ParticipantTableError(located(where, message)) from exc
        typed = plan.typed
        result: dict[str, Any] = {"inserted": 0, "updated": 0}
        if not plan.empty:
            result = self.store.upsert_participants(
                typed.fields, plan.rows(), coder=self.coder, retyped=typed.restored,
                details={"file": Path(path).name, "new": typed.new,
                         "retyped": [list(r) for r in typed.retyped]})
        result.update(attributes=[(a.name, a.type) for a in typed.fields],
                      id_column=plan.key_column, new=list(typed.new),
                      retyped=list(typed.retyped), notes=list(typed.notes),
                      warnings=list(plan.table.warnings))
        return result

    def set_private(self, kind: str, ref, private: bool = True) -> None:
        """Mark a document, a memo or a participant attribute private: it then never
        leaves the project (reports, spreadsheets, REFI-QDA exports leave it out)."""
        if kind == "document":
            self.store.update_document(self.document_id(ref), {"private": int(private)},
                                       coder=self.coder)
        elif kind == "memo":
            cast("CodingAPI", self).update_memo(int(ref), private=private)
        elif kind == "attribute":
            if not self.store.set_attribute_private(str(ref), private, coder=self.coder):
                raise NotFoundError(_("no participant attribute {name!r}").format(name=ref))
        elif kind == "case_field":
            if not self.store.set_field_private("case", str(ref), private, coder=self.coder):
                raise NotFoundError(_("no case field {name!r}").format(name=ref))
        else:
            raise ValidationError(_("kind must be document, memo, attribute or case_field"))

    def attributes(self) -> pd.DataFrame:
        return pd.DataFrame([a.__dict__ for a in self.store.attributes()],
                            columns=["name", "type", "levels", "position", "private"])

    def participants(self, ids: Sequence[str] | None = None, typed: bool = True) -> pd.DataFrame:
        """Wide table: one row per participant, one column per attribute (typed)."""
        attrs = self.store.attributes()
        long = pd.DataFrame(self.store.participant_values(ids),
                            columns=["participant_id", "attribute", "value", "num"])
        all_ids = sorted(self.store.participant_ids()) if ids is None else list(ids)
        wide = pd.DataFrame({"participant_id": all_ids})
        for a in attrs:
            sub = long[long.attribute == a.name].set_index("participant_id")
            if typed and a.type == "numeric":
                col = sub["num"]
            elif typed and a.type == "boolean":
                col = sub["num"].map({1.0: True, 0.0: False}).astype("boolean")
            elif typed and a.type == "date":
                if sub.empty:     # (mapping through an empty datetime column fails)
                    wide[a.name] = pd.Series(pd.NaT, index=wide.index, dtype="datetime64[ns]")
                    continue
                col = pd.to_datetime(sub["value"], errors="coerce", format="ISO8601")
            elif typed and a.type == "ordinal":
                col = pd.Categorical(sub["value"], categories=list(a.levels), ordered=True)
                col = pd.Series(col, index=sub.index)
            else:
                col = sub["value"]
            wide[a.name] = wide["participant_id"].map(col)
        links = pd.DataFrame(self.store.participant_documents(),
                             columns=["participant_id", "document_id", "document", "speaker"])
        docs = links.groupby("participant_id")["document"].apply(
            lambda s: ";".join(sorted(set(s)))) if len(links) else pd.Series(dtype=str)
        wide["documents"] = wide["participant_id"].map(docs).astype(object).fillna("")
        return wide

    def link_participant(self, doc: int | str, participant_id: str, speaker: str = "") -> bool:
        doc_id = self.document_id(doc)
        if self.store.unknown_participants([participant_id]):
            raise NotFoundError(_("unknown participant ID {id!r}").format(id=participant_id))
        if speaker:
            labels = {s["speaker"] for s in self.store.speakers(doc_id)}
            if speaker not in labels:
                raise ValidationError(_("no speaker {speaker!r} in {document} (speakers: "
                                        "{known})").format(speaker=speaker,
                                                           document=self.document(doc_id).name,
                                                           known=", ".join(sorted(labels))))
        return self.store.link_participant(doc_id, participant_id, speaker, coder=self.coder)

    def unlink_participant(self, doc: int | str, participant_id: str,
                           speaker: str | None = None) -> int:
        return self.store.unlink_participant(self.document_id(doc), participant_id, speaker,
                                             coder=self.coder)

    def document_participants(self, doc: int | str) -> list[dict]:
        return self.store.document_participants(self.document_id(doc))


def _guarded(fn):
    """``fn`` with SQLite and output-file errors about the file turned into
    :mod:`workbench.store.errors` classes (a full disk, a damaged or busy project)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except sqlite3.Error as exc:
            owner = args[0] if args else None
            error = translate(exc, getattr(getattr(owner, "store", None), "path", "project"))
            if error is exc:
                raise
            raise error from exc
        except OSError as exc:
            error = translate_os_error(exc)
            if error is exc:
                raise
            raise error from exc
    wrapper.__wrapped_by_guard__ = True
    return wrapper


def guard_facade(cls):
    """Wrap every public method of the facade class (mixins included) with
    :func:`_guarded`: the one place where no raw database error gets past the API."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        attr = inspect.getattr_static(cls, name)
        if isinstance(attr, classmethod):
            setattr(cls, name, classmethod(_guarded(attr.__func__)))
        elif isinstance(attr, staticmethod):
            setattr(cls, name, staticmethod(_guarded(attr.__func__)))
        elif isinstance(attr, property) and attr.fget is not None:
            setattr(cls, name, property(_guarded(attr.fget), attr.fset, attr.fdel, attr.__doc__))
        elif inspect.isfunction(attr) and not getattr(attr, "__wrapped_by_guard__", False):
            setattr(cls, name, _guarded(attr))
    return cls


@guard_facade
class Project(QueryAPI, CodebookAPI, AutocodeAPI, AgreementAPI, TeamAPI, TopicsAPI, CodingAPI,
              SlotsAPI, ExportAPI, PrivacyAPI, GroupsAPI, WavesAPI, ProjectCore):
    """The facade: :class:`ProjectCore` plus one mixin per capability (coding,
    codebooks, autocoding, agreement, team work, topic models, queries, exports,
    pseudonymisation)."""
