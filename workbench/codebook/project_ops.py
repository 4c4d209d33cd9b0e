"""Codebooks on a project: import (merge without duplicating), export, history.

A mixin of the :class:`workbench.project.Project` facade.  Importing a codebook is one
undoable action: evaluation questions are upserted by id, codes are matched by path
(case-insensitive, NFC) and only missing codes are created; fields of existing codes are
filled or updated from the file, and question links are added.
"""
from __future__ import annotations

import dataclasses
import uuid
from typing import Any
from pathlib import Path

from workbench.facade import Capability
from workbench.codebook.model import Codebook, CodeDef, EvaluationQuestion
from workbench.i18n import _, located, ngettext, npgettext
from workbench.domain import ValidationError, WorkbenchError
from workbench.safety.errors import describe
from workbench.safety.text import clean_text
from workbench.store import now

_FIELDS = ("short", "definition", "when_to_use", "when_not_to_use", "example", "colour")


def _text(value) -> str:
    """A text cell of the codes table: None and NaN (pandas' missing value) become ""."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def read_codebook_file(path: str | Path) -> Codebook:
    """A codebook from YAML (.yaml/.yml) or REFI-QDA (.qdc); errors name file and line."""
    from workbench.codebook.qdc import import_qdc
    from workbench.codebook.yaml_format import CodebookError, load_codebook

    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(_("{path}: no such file").format(path=path))
    try:
        if path.suffix.lower() in (".qdc", ".qde", ".qdpx", ".xml"):
            return _cleaned(import_qdc(path))
        return _cleaned(load_codebook(path))
    except CodebookError as exc:
        raise ValidationError(_("codebook rejected, nothing imported:") + "\n  " +
                              "\n  ".join(str(p) for p in exc.problems if p.is_error)) from None
    except WorkbenchError:
        raise
    except Exception as exc:       # a reader library's error is this file's error
        message, line = describe(exc)
        raise ValidationError(located(f"{path}:{line}" if line else path, message)) from exc


def _cleaned(value):
    """The sanitising step of every importer, on every text of a codebook."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, tuple):
        return tuple(_cleaned(v) for v in value)
    if dataclasses.is_dataclass(value):
        return dataclasses.replace(value, **{f.name: _cleaned(getattr(value, f.name))
                                             for f in dataclasses.fields(value)})
    return value



def describe_import(stats: dict) -> str:
    """What a codebook import did, in words: "3 codes added, 1 updated; 2 evaluation
    questions added, 0 updated" (the TUI and the CLI say it the same way)."""
    added, updated = stats.get("codes_added", 0), stats.get("codes_updated", 0)
    qadded, qupdated = stats.get("questions_added", 0), stats.get("questions_updated", 0)
    codes = _("{added}, {updated}").format(
        added=ngettext("{n} code added", "{n} codes added", added).format(n=added),
        updated=npgettext("codes", "{n} updated", "{n} updated", updated).format(n=updated))
    questions = _("{added}, {updated}").format(
        added=ngettext("{n} question added", "{n} questions added", qadded).format(n=qadded),
        updated=npgettext("questions", "{n} updated", "{n} updated", qupdated).format(
            n=qupdated))
    return _("{codes}; {questions}").format(codes=codes, questions=questions)


class CodebookAPI(Capability):
    def import_codebook(self, source: str | Path | Codebook) -> dict:
        """Merge a codebook (file or :class:`Codebook`) into the project's code tree."""
        cb = source if isinstance(source, Codebook) else read_codebook_file(source)
        existing_q = {q["id"]: q for q in self.store.evaluation_questions()}
        stats: dict[str, Any] = {"codebook": cb.id, "questions_added": 0, "questions_updated": 0,
                 "codes_added": 0, "codes_updated": 0}

        def do(rec):
            for q in cb.questions:
                row = dict(programme=q.programme or cb.programme or None, side=q.side or None,
                           text=q.text, source=q.source or None, proposed=int(q.proposed),
                           codebook=cb.id)
                if q.id in existing_q:
                    old = existing_q[q.id]
                    changed = {k: v for k, v in row.items() if old.get(k) != v}
                    if changed:
                        rec.update("evaluation_questions", {"id": q.id}, changed)
                        stats["questions_updated"] += 1
                else:
                    rec.insert("evaluation_questions", {"id": q.id, **row})
                    stats["questions_added"] += 1
            known_questions = self.store.question_ids()

            def walk(code: CodeDef, parent_id: int | None):
                cid = self.store.child_code_id(parent_id, code.name)
                values = {f: getattr(code, f) or None for f in _FIELDS}
                if cid is None:
                    cid = rec.insert("codes", dict(
                        parent_id=parent_id, name=code.name, **values,
                        position=self.store.next_code_position(parent_id), codebook=cb.id,
                        guid=self._free_guid(code.guid), created_at=now()))
                    stats["codes_added"] += 1
                else:
                    old = self.store.get_code(cid)
                    changed = {k: v for k, v in values.items() if v and old.get(k) != v}
                    if changed:
                        rec.update("codes", {"id": cid}, changed)
                        stats["codes_updated"] += 1
                have = set(self.store.code_questions(cid))
                for qid in code.questions:
                    if qid not in have and qid in known_questions:
                        rec.insert("code_questions", {"code_id": cid, "question_id": qid})
                for child in code.children:
                    walk(child, cid)

            for code in cb.codes:
                walk(code, None)
            return stats

        return self.store.action("codebook.import", self.coder, do, details={"codebook": cb.id})

    def _free_guid(self, guid: str | None) -> str:
        if guid and not self.store.code_guid_taken(guid):
            return guid
        return str(uuid.uuid4())

    def project_codebook(self, codebook: str | None = None, *, title: str | None = None) -> Codebook:
        """The project's codes and questions as a :class:`Codebook` (optionally only the
        codes imported from one codebook id, with their ancestors)."""
        df = self.codes()
        rows = df.to_dict("records")
        by_parent: dict = {}
        for r in rows:
            by_parent.setdefault(None if r["parent_id"] is None or r["parent_id"] != r["parent_id"]
                                 else int(r["parent_id"]), []).append(r)
        keep = None
        if codebook:
            keep = set()
            ids = {r["id"]: r for r in rows}
            for r in rows:
                if r["codebook"] == codebook:
                    cur = r
                    while cur is not None:
                        keep.add(cur["id"])
                        pid = cur["parent_id"]
                        cur = ids.get(int(pid)) if pid is not None and pid == pid else None
            if not keep:
                raise ValidationError(_("no codes from codebook {name!r} in this project").format(
                    name=codebook))

        def build(r) -> CodeDef:
            kids = tuple(build(c) for c in by_parent.get(r["id"], []) if keep is None or c["id"] in keep)
            return CodeDef(name=r["name"], colour=_text(r["colour"]) or None,
                           short=_text(r["short"]), definition=_text(r["definition"]),
                           when_to_use=_text(r["when_to_use"]),
                           when_not_to_use=_text(r["when_not_to_use"]),
                           example=_text(r["example"]),
                           questions=tuple(q for q in _text(r["questions"]).split(";") if q),
                           children=kids, guid=_text(r["guid"]) or None)

        codes = tuple(build(r) for r in by_parent.get(None, []) if keep is None or r["id"] in keep)
        used = {q for _path, c in Codebook("x", "x", codes=codes).iter_codes() for q in c.questions}
        questions = tuple(
            EvaluationQuestion(id=q["id"], programme=q["programme"] or "", side=q["side"] or "",
                               text=q["text"], source=q["source"] or "", proposed=bool(q["proposed"]))
            for q in self.store.evaluation_questions()
            if codebook is None or q["codebook"] == codebook or q["id"] in used)
        cid = codebook or "projet"
        return Codebook(id=cid, title=title or (f"{self.name} — {codebook}" if codebook else self.name),
                        programme="", version=now()[:10], language="fr",
                        description=f"Exported from the Workbench project {self.name}.",
                        questions=questions, codes=codes)

    def export_codebook(self, path: str | Path, *, codebook: str | None = None) -> Path:
        """Write the codebook as YAML (.yaml/.yml) or REFI-QDA (.qdc)."""
        from workbench.codebook.qdc import export_qdc
        from workbench.codebook.yaml_format import save_codebook

        path = Path(path)
        cb = self.project_codebook(codebook)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".qdc":
            if not cb.codes:
                raise ValidationError(_("the project has no codes to export"))
            export_qdc(cb, path)
        elif path.suffix.lower() in (".yaml", ".yml"):
            save_codebook(cb, path)
        else:
            raise ValidationError(_("{path}: unknown codebook format (use .yaml or .qdc)").format(
                path=path))
        self.store.log_change(self.coder, "codebook.export", "project", None, {"path": str(path)})
        return path

    def codes_for_programme(self, programme: str | None) -> set[int]:
        """Codes that belong with a programme's documents: those of the codebooks whose
        evaluation questions are the programme's or cross-cutting ("transversal"), and
        codes created in the project (no codebook).  The code picker lists them first."""
        df = self.codes()
        if programme is None:
            return set(int(i) for i in df["id"])
        books: dict[str, set[str]] = {}
        for q in self.store.evaluation_questions():
            books.setdefault(q["codebook"], set()).add(q["programme"])
        wanted = {b for b, progs in books.items() if progs & {programme, "transversal"}}
        return {int(i) for i, book in zip(df["id"], df["codebook"])
                if book is None or book != book or book in wanted or book == programme}

    def evaluation_questions(self):
        import pandas as pd
        return pd.DataFrame(self.store.evaluation_questions(),
                            columns=["id", "programme", "side", "text", "source", "proposed",
                                     "codebook", "codes"])

    def codebook_history(self, limit: int = 100) -> list[dict]:
        return [h for h in self.store.change_log(limit * 3)
                if h["action"].startswith(("code.", "codebook.")) or
                (h["action"] in ("undo", "redo") and str(h["details"].get("label", "")).startswith("code"))][:limit]
