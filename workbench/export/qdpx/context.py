"""The state each element reader, writer and importer works on."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from workbench.identity import WORKBENCH_NS

from .common import ImportReport, noop


@dataclass
class Content:
    """A whole ``.qdpx`` read into plain dicts, nothing written yet (see each element
    module for its dicts).  ``key`` fields are GUID keys (lower case)."""

    origin: str = ""
    project: dict = field(default_factory=dict)
    users: list[dict] = field(default_factory=list)
    codes: list[dict] = field(default_factory=list)
    variables: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    sets: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    objects: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped_codings: int = 0
    #: note key -> (target kind, target key) from the first NoteRef that names it
    note_targets: dict[str, tuple[str, Any]] = field(default_factory=dict)
    #: GUID keys of what the other side deleted, by kind (code, coding, memo): only a
    #: Workbench project (or its ``.qdpx``) knows them
    tombstones: dict[str, set[str]] = field(default_factory=dict)
    #: the other side's waves in order (a Workbench project; a .qdpx says them in its
    #: project description)
    waves: list[str] = field(default_factory=list)
    #: selection key -> selection, of the whole file (built on first use by the notes)
    _selections: dict[str, dict] | None = field(default=None, repr=False, compare=False)

    def refer_note(self, note_key: str | None, kind: str, key) -> None:
        if note_key and note_key not in self.note_targets:
            self.note_targets[note_key] = (kind, key)


@dataclass
class ReadCtx:
    path: Path
    arch: Any
    content: Content
    step: Callable = noop
    stop: Callable[[], bool] = lambda: False

    @property
    def warnings(self) -> list[str]:
        return self.content.warnings

    def warn(self, message: str) -> None:
        self.content.warnings.append(message)


@dataclass
class WriteCtx:
    project: Any
    root: Any
    step: Callable = noop
    stop: Callable[[], bool] = lambda: False
    seed: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    user_guid: dict[str, str] = field(default_factory=dict)        # coder name -> GUID
    code_guid: dict[int, str] = field(default_factory=dict)        # code id -> GUID
    code_el: dict[int, Any] = field(default_factory=dict)
    doc_guid: dict[int, str] = field(default_factory=dict)
    documents: list[dict] = field(default_factory=list)
    memo_guid: dict[int, str] = field(default_factory=dict)
    memo_on: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    memos: list[dict] = field(default_factory=list)
    var_guid: dict[str, str] = field(default_factory=dict)
    case_guid: dict[str, str] = field(default_factory=dict)
    selections_written: set[str] = field(default_factory=set)      # GUID keys
    exported_guids: set[str] = field(default_factory=set)          # every GUID key written
    case_selection_refs: list = field(default_factory=list)        # (Case element, keys)

    @property
    def store(self):
        """The project's store, read XML-safe (:class:`~workbench.safety.text.XmlSafeReads`)."""
        from workbench.safety.text import XmlSafeReads
        return XmlSafeReads(self.project.store)

    def derived(self, kind: str, local) -> str:
        """A GUID derived from the project and a local id: the same at every export."""
        return str(uuid.uuid5(WORKBENCH_NS, f"{self.seed}/{kind}/{local}"))

    def users(self) -> set[str]:
        return {g.lower() for g in self.user_guid.values()}


@dataclass
class ImportCtx:
    """The state of one import or merge (:mod:`workbench.exchange.engine`): what the
    file holds, what it matched, the conflicts and who decides them."""

    project: Any
    content: Content
    report: ImportReport
    resolution: Any = None               # workbench.exchange.conflicts.Resolution
    coder: str | None = None
    file_name: str = ""
    step: Callable = noop
    stamp: str = ""
    coder_by_user: dict[str, str] = field(default_factory=dict)    # user key -> coder name
    coder_ids: dict[str, int] = field(default_factory=dict)        # coder name -> id
    code_ids: dict[str, int] = field(default_factory=dict)         # code key -> id
    code_label: dict[str, str] = field(default_factory=dict)       # code key -> path
    code_guid: dict[str, str] = field(default_factory=dict)        # code key -> project GUID
    attributes: dict[str, dict] = field(default_factory=dict)      # variable key -> attribute
    doc_ids: dict[str, int] = field(default_factory=dict)          # source key -> id
    doc_map: dict[str, Callable] = field(default_factory=dict)     # source key -> SpanMapper
    doc_name: dict[str, str] = field(default_factory=dict)
    doc_guid: dict[str, str] = field(default_factory=dict)         # source key -> project GUID
    selection_guid: dict[str, str] = field(default_factory=dict)   # file key -> project key
    coding_ids: dict[str, int] = field(default_factory=dict)       # coding key -> id
    memo_ids: dict[str, int] = field(default_factory=dict)
    participants: dict[str, str] = field(default_factory=dict)     # case key -> participant id
    fallback_coder: str = "import-refi"
    seed: str | None = None              # the project's exchange seed (writer._seed)
    code_questions: list[dict] = field(default_factory=list)
    #: GUID keys of what the project deleted, by kind (code, coding, memo)
    tombstones: dict[str, set[str]] = field(default_factory=dict)
    #: keys of the file's items left out by a choice, by kind (document, code, coding)
    skipped: dict[str, set[str]] = field(default_factory=dict)
    #: source key -> (segment field names, segment values, reserved ids): indexed for
    #: search before the lock
    preindexed: dict[str, tuple] = field(default_factory=dict)
    #: source key -> (document id, its text hash, SpanMapper): made before the lock
    mappers: dict[str, tuple] = field(default_factory=dict)
    #: what the sources step matches codings and selections against, read before the
    #: lock (workbench.export.qdpx.sources._Known), used if still true under it
    known: Any = None

    @property
    def store(self):
        return self.project.store

    def coder_id(self, user_key: str | None) -> int:
        """The coder of a file user (the fallback coder for an unknown or missing one)."""
        name = self.coder_by_user.get(user_key or "") or self.fallback_coder
        if name not in self.coder_ids:
            self.coder_ids[name] = self.store.ensure_coder(name)
            self.report.add("coders", name)
        return self.coder_ids[name]

    def derived_selection(self, doc_guid: str, start: int, end: int) -> str | None:
        """The GUID this project's exports give a coded span without a selection of its
        own (see :meth:`WriteCtx.derived`); None before its first export."""
        if not self.seed:
            return None
        return str(uuid.uuid5(WORKBENCH_NS, f"{self.seed}/selection/{doc_guid}/{start}/{end}"))

    def conflict(self, cid: str, kind: str, item, field_: str, ours, theirs, *,
                 choices: tuple[str, ...] = ("ours", "theirs"), default: str = "ours",
                 description: str = "", reason: str = "") -> str:
        """Record a conflict, decide it (:class:`~workbench.exchange.conflicts.Resolution`)
        and return the choice to act on (while a merge collects the conflicts still
        without a choice, it goes on as with the default, then writes nothing)."""
        from workbench.exchange.conflicts import Conflict
        c = Conflict(cid, kind, str(item), field_, ours, theirs, tuple(choices), default,
                     description, reason)
        self.resolution.decide(c)
        self.report.conflicts.append(c)
        return c.choice or c.default

    def skip(self, kind: str, key: str | None) -> None:
        if key:
            self.skipped.setdefault(kind, set()).add(key)

    def is_skipped(self, kind: str, key: str | None) -> bool:
        return bool(key) and key in self.skipped.get(kind, ())
