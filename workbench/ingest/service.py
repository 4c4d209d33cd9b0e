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
from workbench.i18n import _, ngettext
from workbench.ingest.model import ImportFileError, ParsedTranscript
from workbench.safety.errors import describe, os_reason
from workbench.store.errors import StoreError, as_user_error

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]

_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def count_words(text: str) -> int:
    # counted one match at a time: a list of every word of a 45 MB transcript is 300 MB
    return sum(1 for _match in _WORD.finditer(text))


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


def import_file(store, path: Path, meta: DocumentMetadata, *, encoding: str | None = None,
                coder: str | None = None, field_defs=(), restored_fields=(),
                code_tags: CodeTagsFn | None = None) -> ImportResult:
    """Import one file.  ``field_defs``: the typed document fields of the import (see
    :class:`workbench.ingest.manifest.Manifest`), written with the document together with
    its values (``meta.fields``) and ``restored_fields`` (values of other documents that
    an explicit type change rewrites).  A table's tags (``parsed.tags``) become codings
    through ``code_tags`` when ``meta.tags_as_codes``; otherwise a warning offers them."""
    from workbench.ingest.parsers import parse_file

    try:
        data = path.read_bytes()
    except OSError as exc:
        return ImportResult(str(path), "failed", message=_("{path}: cannot read ({reason})").format(
            path=path, reason=os_reason(exc)))
    digest = hashlib.sha256(data).hexdigest()
    existing = store.document_id_by_hash(digest)
    if existing is not None:
        doc = store.get_document(existing)
        return ImportResult(str(path), "duplicate", existing, doc.name,
                            _("{path}: already imported as {name!r} (same content)").format(
                                path=path, name=doc.name))
    try:
        if meta.actor_type and meta.actor_type not in ACTOR_TYPES:
            raise ImportFileError(path, _("unknown actor type {value!r} (expected one of "
                                          "{types})").format(value=meta.actor_type,
                                                             types=", ".join(ACTOR_TYPES)))
        parsed = parse_file(path, encoding=encoding, speakers=meta.speakers,
                            columns=meta.columns or None)
        _check_segments(path, parsed)
        unknown = store.unknown_participants(list(meta.participants) + list(meta.speakers.values()))
        if unknown:
            raise ImportFileError(path, ngettext(
                "unknown participant ID: {ids} (import the participants table first)",
                "unknown participant IDs: {ids} (import the participants table first)",
                len(unknown)).format(ids=", ".join(unknown)))
        labels = {s.speaker for s in parsed.segments if s.speaker}
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
    links = [(pid, "") for pid in meta.participants]
    links += [(pid, label) for label, pid in meta.speakers.items()]
    fields = dict(
        name=name, text=parsed.text, programme=meta.programme, actor_type=meta.actor_type,
        interview_date=meta.interview_date, interviewer=meta.interviewer, site=meta.site,
        wave=meta.wave,
        language=meta.language or "fr", source_file=path.name, source_format=parsed.source_format,
        source_hash=digest, encoding=parsed.encoding, word_count=count_words(parsed.text),
        extra={k: v for k, v in parsed.metadata.items() if v not in (None, "", [], {})},
    )
    warnings, notes = list(parsed.warnings), []
    tags = list(parsed.tags) if meta.tags_as_codes and code_tags else []
    if parsed.tags and not tags:
        column = parsed.metadata.get("columns", {}).get("tags", "tags")
        warnings.append(ngettext(
            "{path}: the column {column!r} holds {n} tag, not imported: import it as a "
            "coding with --tags-as-codes (manifest: tags_as_codes = oui)",
            "{path}: the column {column!r} holds {n} tags, not imported: import them as "
            "codings with --tags-as-codes (manifest: tags_as_codes = oui)",
            len(parsed.tags)).format(path=path, column=column, n=len(parsed.tags)))
    typed = (field_defs, meta.fields, restored_fields) if field_defs else None
    try:
        if tags:
            with store.transaction():       # the document and its codings, all or nothing
                doc_id = store.insert_document(fields, segments_for_store(parsed), links,
                                               coder=coder, typed_fields=typed, importer=coder,
                                               cases=meta.cases)
                n, created = code_tags(doc_id, tags)
                notes.append(_tags_note(path, n, created))
        else:       # no outer transaction: a long text goes through an import batch
            doc_id = store.insert_document(fields, segments_for_store(parsed), links,
                                           coder=coder, typed_fields=typed, importer=coder,
                                           cases=meta.cases)
    except WorkbenchError as exc:
        return ImportResult(str(path), "failed", message=_("{path}: {problem}").format(
            path=path, problem=exc))
    return ImportResult(str(path), "imported", doc_id, name, warnings=tuple(warnings),
                        notes=tuple(notes))


def _tags_note(path: Path, n: int, created: list[str]) -> str:
    note = ngettext("{path}: {n} coding from the tags column", "{path}: {n} codings from the "
                    "tags column", n).format(path=path, n=n)
    if created:
        note += ngettext("; code created: {codes}", "; codes created: {codes}",
                         len(created)).format(codes=", ".join(created))
    return note


def import_paths(store, paths: Iterable[str | Path], defaults: DocumentMetadata | None = None,
                 manifest: dict[Path, DocumentMetadata] | None = None, *,
                 encoding: str | None = None, coder: str | None = None,
                 progress: ProgressFn | None = None,
                 cancelled: CancelledFn | None = None, field_defs=(),
                 restored_fields=(), code_tags: CodeTagsFn | None = None) -> ImportReport:
    defaults = defaults or DocumentMetadata()
    paths = list(paths)
    if not paths and manifest:
        paths = list(manifest)
    files, problems = expand_paths(paths)
    report = ImportReport(results=list(problems))
    manifest = manifest or {}
    for i, f in enumerate(files):
        if cancelled and cancelled():
            report.cancelled = True
            break
        if progress:
            progress(i, len(files), f.name)
        meta = manifest.get(f.resolve(), DocumentMetadata()).merged_over(defaults)
        try:
            report.results.append(import_file(store, f, meta, encoding=encoding, coder=coder,
                                              field_defs=field_defs,
                                              restored_fields=restored_fields,
                                              code_tags=code_tags))
            report.notes.extend(report.results[-1].notes)
        except Exception as exc:          # this file's error; the batch goes on
            error = as_user_error(exc, store.path)
            if isinstance(error, StoreError):   # disk full, damaged or busy project: stop
                report.results.append(ImportResult(str(f), "failed", message=str(error)))
                report.aborted = str(error)
                break
            if isinstance(error, WorkbenchError):
                message = str(ImportFileError(f, str(error)))
            else:
                detail, line = describe(error)
                message = str(ImportFileError(f, detail, line=line))
            report.results.append(ImportResult(str(f), "failed", message=message))
    if progress:
        progress(len(files), len(files), "done")
    return report
