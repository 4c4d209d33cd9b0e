"""The import pipeline: files -> parsed transcripts -> documents in the store.

All-or-nothing per file (one transaction each); a batch reports every failure and keeps
the good files: whatever goes wrong with one file (a parser library's exception
included) is that file's error and the batch goes on with the next, except a full disk
or a damaged project, which stop it (the summary says why).  Re-importing a file already in the project is detected by its hash.
"""
from __future__ import annotations

import glob
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from workbench.domain import ACTOR_TYPES, DocumentMetadata, WorkbenchError
from workbench.i18n import N_, _, ngettext
from workbench.ingest.model import ImportFileError, ParsedTranscript
from workbench.safety.errors import describe, os_reason
from workbench.words import count_words, turn_word_count  # noqa: F401 (count_words: for tests/segmentation_golden.py)
from workbench.store.errors import DiskFullError, StoreError, as_user_error

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]



@dataclass
class ImportResult:
    path: str
    status: str                      # imported | duplicate | failed | skipped
    document_id: int | None = None
    name: str | None = None
    message: str = ""
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()      # what the import made besides the document (codings)


@dataclass
class ImportReport:
    results: list[ImportResult] = field(default_factory=list)
    cancelled: bool = False
    notes: list[str] = field(default_factory=list)   # typed document fields: scales, types...
    aborted: str = ""          # why the batch stopped early (full disk, damaged project)

    def _with(self, status):
        return [r for r in self.results if r.status == status]

    @property
    def imported(self) -> list[ImportResult]:
        return self._with("imported")

    @property
    def failed(self) -> list[ImportResult]:
        return self._with("failed")

    @property
    def duplicates(self) -> list[ImportResult]:
        return self._with("duplicate")

    def summary(self) -> str:
        parts = [ngettext("{n} imported", "{n} imported", len(self.imported)).format(
            n=len(self.imported))]
        if self.duplicates:
            parts.append(ngettext("{n} already in the project", "{n} already in the project",
                                  len(self.duplicates)).format(n=len(self.duplicates)))
        if self.failed:
            parts.append(ngettext("{n} failed", "{n} failed", len(self.failed)).format(
                n=len(self.failed)))
        if self.cancelled:
            parts.append(_("cancelled"))
        if self.aborted:
            parts.append(_("stopped: {reason}").format(reason=self.aborted))
        return ", ".join(parts)


def supported_extensions() -> set[str]:
    from workbench.ingest.parsers import SUPPORTED_EXTENSIONS
    return set(SUPPORTED_EXTENSIONS)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[ImportResult]]:
    """Files, folders (recursively: supported extensions only) and glob patterns."""
    exts = supported_extensions()
    files: list[Path] = []
    problems: list[ImportResult] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file()
                                and f.suffix.lower() in exts and not f.name.startswith(".")))
        elif p.is_file():
            files.append(p)
        elif any(ch in str(raw) for ch in "*?["):
            matched = sorted(Path(m) for m in glob.glob(str(raw), recursive=True))
            matched = [m for m in matched if m.is_file()]
            if not matched:
                problems.append(ImportResult(str(raw), "failed", message=_("{path}: no file matches").format(path=raw)))
            files.extend(matched)
        else:
            problems.append(ImportResult(str(raw), "failed",
                                         message=_("{path}: no such file or folder").format(path=raw)))
    seen, unique = set(), []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems


_HEADING = re.compile(r"^\s*(#{1,6}\s+|(th[èe]me|partie|section|axe|bloc)\s*[\dIVX]*\s*[:.\-–—]\s*)",
                      re.IGNORECASE)


def segments_for_store(parsed: ParsedTranscript) -> list[dict]:
    """The turn model of a parsed transcript, as stored with each segment: where its
    words begin (``body_start``, after the speaker label and any written timestamp), its
    time, its section and whether it is front matter.

    The section is the parser's (a Transcriber ``<Section topic>``) or else the last
    heading above: a short paragraph without speaker that looks like one ("## Parcours",
    "Thème 2 : Immersion").  Front matter is what comes before the first speaker turn of
    a transcript that has turns (the interview header: title, place, date, duration)."""
    first_turn = next((i for i, s in enumerate(parsed.segments) if s.kind == "turn"), None)
    from_parser = any(s.section for s in parsed.segments)
    rows, section = [], None
    for i, s in enumerate(parsed.segments):
        body = parsed.text[s.start:s.end]
        if from_parser:
            section = s.section
        elif s.speaker is None and len(body) <= 100 and _HEADING.match(body):
            section = _HEADING.sub("", body).strip(" #*") or body.strip()
        rows.append(dict(position=i, kind=s.kind, speaker=s.speaker,
                         is_interviewer=s.is_interviewer, start=s.start, end=s.end,
                         body_start=s.words_start, timestamp=s.timestamp,
                         end_time=s.end_time, section=section,
                         front_matter=first_turn is not None and i < first_turn))
    return rows


def _check_segments(path: Path, parsed: ParsedTranscript) -> None:
    n = len(parsed.text)
    last = 0
    for i, s in enumerate(parsed.segments):
        if not (0 <= s.start <= s.end <= n) or s.start < last:
            raise ImportFileError(path, _("internal parser error: segment {i} [{start}, {end}) "
                                          "is outside the text or overlaps the previous one")
                                  .format(i=i, start=s.start, end=s.end))
        last = s.end


#: ``code_tags(document_id, [(start, end, code path)]) -> (codings, codes created)``:
#: makes a table's tags codings, inside the document's own transaction.
CodeTagsFn = Callable[[int, "list[tuple[int, int, str]]"], "tuple[int, list[str]]"]


@dataclass
class ParsedFile:
    """One file read and parsed, ready to be written: everything the store needs that
    does not depend on the project (so it can be made in a worker process)."""

    path: str
    text: str
    segments: list[tuple]            # the turn model as stored (store.documents.segment_row)
    labels: frozenset[str]           # speaker labels found
    source_format: str
    encoding: str | None
    extra: dict                      # the parser's metadata worth keeping
    warnings: tuple[str, ...]
    tags: tuple[tuple[int, int, str], ...]
    word_count: int
    text_hash: str                   # workbench.identity.text_hash of the text


@dataclass
class FileJob:
    """What parsing one file needs (picklable: sent to a worker process)."""

    path: str
    encoding: str | None = None
    speakers: tuple[str, ...] = ()
    columns: dict | None = None
    actor_type: str | None = None
    language: str | None = None      # the messages' language (a worker has its own)


def parse_job(job: FileJob) -> ParsedFile | ImportResult:
    """Parse one file: a :class:`ParsedFile`, or the failed result naming the file.
    Pure (never touches a project); the entry point of the import's worker processes."""
    from workbench.identity import text_hash
    from workbench.ingest.parsers import parse_file

    path = Path(job.path)
    try:
        if job.actor_type and job.actor_type not in ACTOR_TYPES:
            raise ImportFileError(path, _("unknown actor type {value!r} (expected one of "
                                          "{types})").format(value=job.actor_type,
                                                             types=", ".join(ACTOR_TYPES)))
        parsed = parse_file(path, encoding=job.encoding, speakers=job.speakers,
                            columns=job.columns or None)
        _check_segments(path, parsed)
    except ImportFileError as exc:
        return ImportResult(str(path), "failed", message=str(exc))
    from workbench.store.documents import segment_row

    rows = segments_for_store(parsed)
    return ParsedFile(
        path=str(path), text=parsed.text,
        segments=[segment_row(s) for s in rows],
        labels=frozenset(s.speaker for s in parsed.segments if s.speaker),
        source_format=parsed.source_format, encoding=parsed.encoding,
        extra={k: v for k, v in parsed.metadata.items() if v not in (None, "", [], {})},
        warnings=tuple(parsed.warnings), tags=tuple(parsed.tags),
        word_count=turn_word_count(parsed.text, rows), text_hash=text_hash(parsed.text))


def _job(path: Path, meta: DocumentMetadata, encoding: str | None) -> FileJob:
    from workbench.i18n import language
    return FileJob(str(path), encoding, tuple(meta.speakers), dict(meta.columns) or None,
                   meta.actor_type, language())


def _read_digest(path: Path) -> str | ImportResult:
    """The file's SHA-256 (how a file already imported is known), or its failed result."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ImportResult(str(path), "failed", message=_("{path}: cannot read ({reason})").format(
            path=path, reason=os_reason(exc)))
    return hashlib.sha256(data).hexdigest()


def _duplicate(store, path: Path, digest: str) -> ImportResult | None:
    existing = store.document_id_by_hash(digest)
    if existing is None:
        return None
    doc = store.get_document(existing)
    return ImportResult(str(path), "duplicate", existing, doc.name,
                        _("{path}: already imported as {name!r} (same content)").format(
                            path=path, name=doc.name))


def _checked(store, path: Path, meta: DocumentMetadata, parsed: ParsedFile) -> ImportResult | str:
    """The project's checks of a parsed file (participants, cases, speaker labels, its
    name): the failed result, or the document's name."""
    try:
        unknown = store.unknown_participants(list(meta.participants) + list(meta.speakers.values()))
        if unknown:
            raise ImportFileError(path, ngettext(
                "unknown participant ID: {ids} (import the participants table first)",
                "unknown participant IDs: {ids} (import the participants table first)",
                len(unknown)).format(ids=", ".join(unknown)))
        labels = parsed.labels
        if meta.cases:
            known_cases = store.case_kind_of()
            bad = sorted({c for c, _label in meta.cases if c not in known_cases})
            if bad:
                raise ImportFileError(path, ngettext(
                    "unknown case ID: {ids} (import the cases table first)",
                    "unknown case IDs: {ids} (import the cases table first)",
                    len(bad)).format(ids=", ".join(bad)))
            missing_labels = sorted({lbl for _c, lbl in meta.cases if lbl} - labels)
            if missing_labels:
                raise ImportFileError(path, ngettext(
                    "speaker label of a case not found in the transcript: {labels} (speakers "
                    "found: {found})",
                    "speaker labels of cases not found in the transcript: {labels} (speakers "
                    "found: {found})", len(missing_labels)).format(
                        labels=", ".join(missing_labels), found=", ".join(sorted(labels)) or "—"))
        missing_labels = sorted(set(meta.speakers) - labels)
        if missing_labels:
            raise ImportFileError(path, ngettext(
                "speaker label not found in the transcript: {labels} (speakers found: {found})",
                "speaker labels not found in the transcript: {labels} (speakers found: {found})",
                len(missing_labels)).format(labels=", ".join(missing_labels),
                                            found=", ".join(sorted(labels)) or "—"))
    except ImportFileError as exc:
        return ImportResult(str(path), "failed", message=str(exc))
    name = meta.name or path.stem
    if store.document_name_exists(name):
        if meta.name:
            return ImportResult(str(path), "failed",
                                message=_("{path}: a document named {name!r} already "
                                          "exists").format(path=path, name=name))
        i = 2
        while store.document_name_exists(f"{name} ({i})"):
            i += 1
        name = f"{name} ({i})"
    return name


def _write(store, path: Path, meta: DocumentMetadata, digest: str,
           parsed: ParsedFile | ImportResult, *, coder: str | None, field_defs=(),
           restored_fields=(), code_tags: CodeTagsFn | None = None,
           shared: bool = False) -> ImportResult:
    """Write one parsed file, all or nothing (the checks that need the project first).
    ``shared``: inside a transaction with other files, in a savepoint of the caller's,
    which indexes it for search with the others and undoes it when this raises (a
    refused file raises instead of returning its failed result)."""
    duplicate = _duplicate(store, path, digest)
    if duplicate is not None:
        return duplicate
    if isinstance(parsed, ImportResult):
        return parsed
    checked = _checked(store, path, meta, parsed)
    if isinstance(checked, ImportResult):
        return checked
    name = checked
    links = [(pid, "") for pid in meta.participants]
    links += [(pid, label) for label, pid in meta.speakers.items()]
    fields = dict(
        name=name, text=parsed.text, programme=meta.programme, actor_type=meta.actor_type,
        interview_date=meta.interview_date, interviewer=meta.interviewer, site=meta.site,
        wave=meta.wave,
        language=meta.language or "fr", source_file=path.name, source_format=parsed.source_format,
        source_hash=digest, encoding=parsed.encoding, word_count=parsed.word_count,
        extra=parsed.extra, text_hash=parsed.text_hash,
    )
    warnings, notes = list(parsed.warnings), []
    tags = list(parsed.tags) if meta.tags_as_codes and code_tags else []
    if parsed.tags and not tags:
        column = parsed.extra.get("columns", {}).get("tags", "tags")
        warnings.append(ngettext(
            "{path}: the column {column!r} holds {n} tag, not imported: import it as a "
            "coding with --tags-as-codes (manifest: tags_as_codes = oui)",
            "{path}: the column {column!r} holds {n} tags, not imported: import them as "
            "codings with --tags-as-codes (manifest: tags_as_codes = oui)",
            len(parsed.tags)).format(path=path, column=column, n=len(parsed.tags)))
    typed = (field_defs, meta.fields, restored_fields) if field_defs else None
    try:
        if tags:
            assert code_tags is not None
            with store.transaction():       # the document and its codings, all or nothing
                doc_id = store.insert_document(fields, parsed.segments, links,
                                               coder=coder, typed_fields=typed, importer=coder,
                                               cases=meta.cases)
                n, created = code_tags(doc_id, tags)
                notes.append(_tags_note(path, n, created))
        else:       # no outer transaction: a long text goes through an import batch
            doc_id = store.insert_document(fields, parsed.segments, links,
                                           coder=coder, typed_fields=typed, importer=coder,
                                           cases=meta.cases, index=not shared)
    except WorkbenchError as exc:
        if shared:              # the caller's savepoint undoes what was written
            raise
        return _refused(path, exc)
    return ImportResult(str(path), "imported", doc_id, name, warnings=tuple(warnings),
                        notes=tuple(notes))


def import_file(store, path: Path, meta: DocumentMetadata, *, encoding: str | None = None,
                coder: str | None = None, field_defs=(), restored_fields=(),
                code_tags: CodeTagsFn | None = None) -> ImportResult:
    """Import one file.  ``field_defs``: the typed document fields of the import (see
    :class:`workbench.ingest.manifest.Manifest`), written with the document together with
    its values (``meta.fields``) and ``restored_fields`` (values of other documents that
    an explicit type change rewrites).  A table's tags (``parsed.tags``) become codings
    through ``code_tags`` when ``meta.tags_as_codes``; otherwise a warning offers them."""
    digest = _read_digest(path)
    if isinstance(digest, ImportResult):
        return digest
    duplicate = _duplicate(store, path, digest)
    if duplicate is not None:
        return duplicate
    return _write(store, path, meta, digest, parse_job(_job(path, meta, encoding)), coder=coder,
                  field_defs=field_defs, restored_fields=restored_fields, code_tags=code_tags)


def _refused(path: Path, exc: WorkbenchError) -> ImportResult:
    """The result of a file the store refused."""
    return ImportResult(str(path), "failed", message=_("{path}: {problem}").format(
        path=path, problem=exc))


def _tags_note(path: Path, n: int, created: list[str]) -> str:
    note = ngettext("{path}: {n} coding from the tags column", "{path}: {n} codings from the "
                    "tags column", n).format(path=path, n=n)
    if created:
        note += ngettext("; code created: {codes}", "; codes created: {codes}",
                         len(created)).format(codes=", ".join(created))
    return note


def _file_error(store, path: Path, exc: BaseException) -> tuple[str, bool]:
    """The message of an unexpected error while importing ``path``, and whether it
    stops the batch (a full disk, a damaged or busy project)."""
    error = as_user_error(exc, store.path)
    if isinstance(error, StoreError):
        return str(error), True
    if isinstance(error, WorkbenchError):
        return str(ImportFileError(path, str(error))), False
    detail, line = describe(error)
    return str(ImportFileError(path, detail, line=line)), False


class _Writer:
    """Writes parsed files in order, several per transaction: each file in its own
    savepoint (all or nothing per file, as when each had its own transaction), a
    transaction closed once it holds :data:`~workbench.store.batch.FTS_CHUNK_CHARS`
    characters, so the write lock is never held long and the commits (a disk sync each)
    are few.  A file whose text is long enough for an import batch, or whose tags become
    codings, is written alone, as before.  Results are reported in the order of the
    files, each once its transaction has committed."""

    def __init__(self, store, report: ImportReport, **options):
        from workbench.store.batch import FTS_CHUNK_CHARS
        self.store, self.report, self.options = store, report, options
        self.limit = FTS_CHUNK_CHARS
        #: (file, metadata, digest, parsed) to write, or (file, None, None, result) known
        self.pending: list[tuple[Path, DocumentMetadata | None, str | None,
                                 ParsedFile | ImportResult]] = []
        self.chars = 0

    def done(self, path: Path, result: ImportResult) -> None:
        """A file's result known without writing (failed to read or parse, duplicate)."""
        if self.pending:
            self.pending.append((path, None, None, result))
        else:
            self._report([result])

    def add(self, path: Path, meta: DocumentMetadata, digest: str,
            parsed: ParsedFile | ImportResult) -> None:
        if isinstance(parsed, ParsedFile) and (
                (parsed.tags and meta.tags_as_codes and self.options.get("code_tags"))
                or self.store.batch_worthy(parsed.text)):
            self.flush()
            if self.report.aborted:
                return
            try:
                result = _write(self.store, path, meta, digest, parsed, **self.options)
            except Exception as exc:          # this file's error; the batch goes on
                message, stop = _file_error(self.store, path, exc)
                result = ImportResult(str(path), "failed", message=message)
                if stop:
                    self.report.aborted = message
            self._report([result])
            return
        self.pending.append((path, meta, digest, parsed))
        if isinstance(parsed, ParsedFile):
            self.chars += len(parsed.text)
        if self.chars >= self.limit:
            self.flush()

    def flush(self) -> None:
        """Write what is pending, in one transaction."""
        pending, self.pending, self.chars = self.pending, [], 0
        self._write_group(pending)

    def _write_group(self, pending: list) -> None:
        if not pending or self.report.aborted:
            return
        if all(meta is None for _path, meta, _digest, _parsed in pending):
            self._report([item[3] for item in pending])
            return
        store = self.store
        results: list[ImportResult] = []
        written: list[tuple[int, str]] = []
        try:
            with store.transaction():
                for path, meta, digest, parsed in pending:
                    if meta is None or digest is None:
                        assert isinstance(parsed, ImportResult)
                        results.append(parsed)
                        continue
                    try:
                        with store.savepoint():
                            result = _write(store, path, meta, digest, parsed, shared=True,
                                            **self.options)
                    except StoreError:         # a full disk, a busy project: stop
                        raise
                    except WorkbenchError as exc:    # refused: undone, the rest goes on
                        result = _refused(path, exc)
                    except Exception as exc:   # this file's error (undone); the rest goes on
                        message, stop = _file_error(store, path, exc)
                        if stop:
                            raise
                        result = ImportResult(str(path), "failed", message=message)
                    results.append(result)
                    if result.status == "imported":
                        assert isinstance(parsed, ParsedFile) and result.document_id is not None
                        written.append((result.document_id, parsed.text))
                # indexed together after the savepoints (FTS5 writes out what it holds
                # at each savepoint: one per file would make the index in small pieces)
                store.index_documents(written)
        except Exception as exc:    # a full disk, a damaged project: the transaction is undone
            if (isinstance(as_user_error(exc, store.path), DiskFullError)
                    and sum(meta is not None for _path, meta, _digest, _parsed in pending) > 1):
                for item in pending:        # one at a time: those that fit are imported
                    self._write_group([item])
                return
            # the files written so far fail with it, and the one being written; the batch
            # stops there (the next files would fail the same way: they are not reported)
            message, stop = _file_error(store, pending[min(len(results), len(pending) - 1)][0],
                                        exc)
            if stop:
                self.report.aborted = message
            failed = [r if r.status != "imported" else
                      ImportResult(r.path, "failed", message=message) for r in results]
            if len(results) < len(pending):
                failed.append(ImportResult(str(pending[len(results)][0]), "failed",
                                           message=message))
                if not stop:
                    failed += [ImportResult(str(path), "failed", message=message)
                               for path, *_rest in pending[len(failed):]]
            results = failed
        self._report(results)

    def _report(self, results: list[ImportResult]) -> None:
        for result in results:
            self.report.results.append(result)
            self.report.notes.extend(result.notes)


def import_paths(store, paths: Iterable[str | Path], defaults: DocumentMetadata | None = None,
                 manifest: dict[Path, DocumentMetadata] | None = None, *,
                 encoding: str | None = None, coder: str | None = None,
                 progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None, field_defs=(),
                 restored_fields=(), code_tags: CodeTagsFn | None = None) -> ImportReport:
    """Import files, folders and globs, in order: files are parsed in worker processes
    when there are enough of them to pay for starting those
    (:mod:`workbench.ingest.workers`), and written several per transaction, each all or
    nothing (see :class:`_Writer`).  Results come in the order of the files."""
    from workbench.ingest.workers import Parsers

    defaults = defaults or DocumentMetadata()
    paths = list(paths)
    if not paths and manifest:
        paths = list(manifest)
    files, problems = expand_paths(paths)
    report = ImportReport(results=list(problems))
    manifest = manifest or {}
    metas = [manifest.get(f.resolve(), DocumentMetadata()).merged_over(defaults) for f in files]
    writer = _Writer(store, report, coder=coder, field_defs=field_defs,
                     restored_fields=restored_fields, code_tags=code_tags)

    def prepared(i: int) -> tuple[str, FileJob] | ImportResult:
        """Read and hashed ahead (a file already in the project is not parsed)."""
        digest = _read_digest(files[i])
        if isinstance(digest, ImportResult):
            return digest
        duplicate = _duplicate(store, files[i], digest)
        if duplicate is not None:
            return duplicate
        return digest, _job(files[i], metas[i], encoding)

    with Parsers(files, prepared) as parsers:
        for i, f in enumerate(files):
            if cancelled and cancelled():
                report.cancelled = True
                parsers.cancel()
                break
            if progress:
                progress(i, len(files), f.name)
            try:
                digest, parsed = parsers.next()
            except Exception as exc:          # this file's error; the batch goes on
                message, stop = _file_error(store, f, exc)
                writer.done(f, ImportResult(str(f), "failed", message=message))
                if stop:
                    report.aborted = message
                    break
                continue
            if digest is None:                # known before parsing: unreadable, duplicate
                assert isinstance(parsed, ImportResult)
                writer.done(f, parsed)
            else:
                writer.add(f, metas[i], digest, parsed)
            if report.aborted:
                break
        writer.flush()
    if progress:
        progress(len(files), len(files), N_("done"))
    return report
