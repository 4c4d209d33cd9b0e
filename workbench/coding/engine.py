"""The coding engine, as a mixin of the :class:`workbench.project.Project` facade.

Codes are addressed by id or by path (``Parent/Child``, case-insensitive).  A coding is a
``[start, end)`` character span of a document's text with a code, a coder, a time and an
origin (manual, rule, topic, imported).  Every change is one transaction, durable when the
call returns, logged with its coder, and undoable (undo/redo survive a restart).
"""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.domain import NotFoundError, ValidationError, WorkbenchError
from workbench.i18n import N_, _, ngettext
from workbench.identity import new_guid
from workbench import values
from workbench.store import now

ORIGINS = ("manual", "rule", "topic", "imported")
MEMO_TARGETS = ("project", "document", "code", "coding", "segment", "participant", "question")
CODE_FIELDS = ("short", "definition", "when_to_use", "when_not_to_use", "example", "colour",
               "codable")
DEFAULT_COLOURS = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B",
                   "#E377C2", "#7F7F7F", "#BCBD22", "#17BECF")


class ConfirmationRequired(WorkbenchError):
    """The action would destroy work; call again with ``force=True`` to confirm."""

    title = N_("Confirmation required")

    def __init__(self, message: str, count: int):
        super().__init__(message)
        self.count = count


def normalise_colour(colour: str | None) -> str | None:
    """A code's colour as stored (``#RRGGBB``; None for none), typed by hand: the ``#``
    may be left out (:func:`workbench.values.normalise_colour`, the one definition)."""
    if colour is None or colour == "":
        return None
    c = values.normalise_colour(colour, require_hash=False)
    if c is None:
        raise ValidationError(_("bad colour {colour!r}: use #RRGGBB").format(colour=colour))
    return c


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("a code name cannot be empty"))
    if "/" in name:
        raise ValidationError(_("a code name cannot contain '/': {name!r}").format(name=name))
    return name


class CodingAPI(Capability):
    # -- coders ------------------------------------------------------------------------
    def add_coder(self, name: str) -> int:
        name = name.strip()
        if not name:
            raise ValidationError(_("a coder name cannot be empty"))
        return self.store.ensure_coder(name)

    def _coder_id(self, coder: str | None) -> tuple[int, str]:
        """The session coder is registered on first use; a coder named explicitly must
        already be registered (a typo must not create a phantom coder)."""
        name = coder or self.coder
        cid = self.store.coder_id(name)
        if cid is None:
            if coder is None:
                cid = self.store.ensure_coder(name)
            else:
                known = ", ".join(c["name"] for c in self.store.list_coders()) or "none"
                raise NotFoundError(_("unknown coder {name!r} (known coders: {known}); add it "
                                      "first with add_coder / `workbench coders add`").format(
                                          name=name, known=known))
        return cid, name

    # -- codes -------------------------------------------------------------------------
    def code_paths(self) -> dict[int, str]:
        """Code id -> path ("Parent/Child"), from the code tree alone (no coding counts:
        this runs at every coding keystroke in the TUI)."""
        parents = {cid: (parent, name) for cid, parent, name in self.store.code_tree_rows()}
        paths: dict[int, str] = {}
        for cid in parents:
            chain: list[int] = []
            cur: int | None = cid
            while cur is not None and cur not in paths:     # iterative: no recursion limit
                chain.append(cur)
                cur = parents[cur][0]
            prefix = paths.get(cur, "") if cur is not None else ""
            for c in reversed(chain):
                name = parents[c][1]
                prefix = f"{prefix}/{name}" if prefix else name
                paths[c] = prefix
        return paths

    def code_id(self, ref: int | str) -> int:
        """A code id, a path ``Parent/Child`` (case-insensitive), or a unique name."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            try:
                return self.store.get_code(int(ref))["id"]
            except NotFoundError:
                if isinstance(ref, int):
                    raise
        parts = [p.strip() for p in str(ref).strip("/").split("/")]
        parent = None
        for part in parts:
            parent = self.store.child_code_id(parent, part)
            if parent is None:
                break
        if parent is not None:
            return parent
        if len(parts) == 1:
            matches = [cid for cid, p in self.code_paths().items()
                       if p.split("/")[-1].casefold() == parts[0].casefold()]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ValidationError(_("code name {name!r} is ambiguous: give its path "
                                        "({paths})").format(name=ref, paths=", ".join(
                                            sorted(self.code_paths()[m] for m in matches))))
        raise NotFoundError(_("no code {name!r}").format(name=ref))

    def codes(self, exact: bool = False) -> pd.DataFrame:
        """The code tree: one row per code with its path, fields and counts.  A code's
        ``codings``, ``candidates`` and ``documents`` include its sub-codes' unless
        ``exact`` (then the code's own only); ``own_codings`` is always its own."""
        rows = self.store.codes()
        own = {r["id"]: r["codings"] for r in rows}
        if not exact and rows:
            kids: dict = {}
            for r in rows:
                kids.setdefault(r["parent_id"], []).append(r["id"])
            pairs: dict[int, set] = {}
            for code_id, doc_id in self.store.code_document_pairs():
                pairs.setdefault(code_id, set()).add(doc_id)
            # children before parents (iterative: the tree may be deep)
            order, stack = [], list(kids.get(None, ()))
            while stack:
                cid = stack.pop()
                order.append(cid)
                stack.extend(kids.get(cid, ()))
            by_id = {r["id"]: r for r in rows}
            docs = {cid: set(pairs.get(cid, ())) for cid in by_id}
            for cid in reversed(order):
                parent = by_id[cid]["parent_id"]
                if parent in by_id:
                    by_id[parent]["codings"] += by_id[cid]["codings"]
                    by_id[parent]["candidates"] += by_id[cid]["candidates"]
                    docs[parent] |= docs[cid]
            for cid, r in by_id.items():
                r["documents"] = len(docs[cid])
        paths = self.code_paths()
        depth = {cid: p.count("/") for cid, p in paths.items()}
        children: dict = {}
        for r in rows:
            children.setdefault(r["parent_id"], []).append(r)
        ordered: list[dict] = []

        def walk(parent):
            for r in sorted(children.get(parent, []), key=lambda r: (r["position"], r["id"])):
                ordered.append(r)
                walk(r["id"])

        walk(None)
        df = pd.DataFrame(ordered, columns=["id", "parent_id", "name", "short", "definition",
                                            "when_to_use", "when_not_to_use", "example", "colour",
                                            "position", "codebook", "guid", "created_at", "codings",
                                            "candidates", "documents", "questions"])
        df.insert(1, "path", [paths[i] for i in df["id"]])
        df.insert(2, "depth", [depth[i] for i in df["id"]])
        df["own_codings"] = [own[i] for i in df["id"]]
        df["questions"] = df["questions"].fillna("")
        df["parent_id"] = df["parent_id"].astype("Int64")
        return df

    def code(self, ref: int | str) -> dict:
        cid = self.code_id(ref)
        row = self.store.get_code(cid)
        row["path"] = self.code_paths()[cid]
        row["questions"] = self.store.code_questions(cid)
        return row

    def create_code(self, name: str, parent: int | str | None = None, *, colour: str | None = None,
                    short: str | None = None, definition: str | None = None,
                    when_to_use: str | None = None, when_not_to_use: str | None = None,
                    example: str | None = None, questions: Sequence[str] = (),
                    codebook: str | None = None, guid: str | None = None,
                    codable: bool = True) -> int:
        """Create a code; ``name`` may be a path (``Parent/Child``) when ``parent`` is None.
        ``codable=False``: a category that groups codes and is never applied itself
        (REFI-QDA ``isCodable``)."""
        if parent is None and "/" in name.strip("/"):
            parent_path, _sep, name = name.strip("/").rpartition("/")
            parent = parent_path
        name = _check_name(name)
        parent_id = self._ensure_parent(parent, codebook) if parent not in (None, "") else None
        if self.store.child_code_id(parent_id, name) is not None:
            if parent_id:
                raise ValidationError(_("a code named {name!r} already exists under {parent!r}")
                                      .format(name=name, parent=self.code_paths()[parent_id]))
            raise ValidationError(_("a code named {name!r} already exists at the top level")
                                  .format(name=name))
        unknown = sorted(set(questions) - self.store.question_ids())
        if unknown:
            raise NotFoundError(ngettext("unknown evaluation question: {ids}",
                                         "unknown evaluation questions: {ids}",
                                         len(unknown)).format(ids=", ".join(unknown)))
        colour = normalise_colour(colour)
        if colour is None:
            colour = DEFAULT_COLOURS[len(self.store.codes()) % len(DEFAULT_COLOURS)]

        def do(rec):
            cid = rec.insert("codes", dict(
                parent_id=parent_id, name=name, short=short, definition=definition,
                when_to_use=when_to_use, when_not_to_use=when_not_to_use, example=example,
                colour=colour, position=self.store.next_code_position(parent_id),
                codebook=codebook, guid=guid or str(uuid.uuid4()), codable=int(codable),
                created_at=now()))
            for q in dict.fromkeys(questions):
                rec.insert("code_questions", {"code_id": cid, "question_id": q})
            return cid

        return self.store.action("code.create", self.coder, do, details={"name": name})

    def _ensure_parent(self, parent: int | str, codebook: str | None) -> int:
        """Resolve a parent; a missing parent *path* is created, ancestors first."""
        try:
            return self.code_id(parent)
        except NotFoundError:
            if isinstance(parent, int) or str(parent).isdigit():
                raise
        parent_id = None
        for part in str(parent).strip("/").split("/"):
            found = self.store.child_code_id(parent_id, part.strip())
            parent_id = found if found is not None else self.create_code(
                part.strip(), parent_id, codebook=codebook)
        assert parent_id is not None                 # (split gives one part at least)
        return parent_id

    def update_code(self, ref: int | str, *, questions: Sequence[str] | None = None,
                    **fields) -> None:
        """Change a code's definition fields, colour, or the questions it serves."""
        cid = self.code_id(ref)
        bad = set(fields) - set(CODE_FIELDS)
        if bad:
            raise ValidationError(ngettext("unknown code field: {fields}",
                                           "unknown code fields: {fields}", len(bad)).format(
                                               fields=", ".join(sorted(bad))))
        if "colour" in fields:
            fields["colour"] = normalise_colour(fields["colour"])
        if "codable" in fields:
            fields["codable"] = int(bool(fields["codable"]))
        if questions is not None:
            unknown = sorted(set(questions) - self.store.question_ids())
            if unknown:
                raise NotFoundError(ngettext("unknown evaluation question: {ids}",
                                         "unknown evaluation questions: {ids}",
                                         len(unknown)).format(ids=", ".join(unknown)))

        def do(rec):
            if fields:
                rec.update("codes", {"id": cid}, fields)
            if questions is not None:
                current = set(self.store.code_questions(cid))
                for q in current - set(questions):
                    rec.delete("code_questions", {"code_id": cid, "question_id": q})
                for q in dict.fromkeys(questions):
                    if q not in current:
                        rec.insert("code_questions", {"code_id": cid, "question_id": q})

        self.store.action("code.update", self.coder, do, details={"fields": sorted(fields)})

    def rename_code(self, ref: int | str, new_name: str) -> None:
        cid = self.code_id(ref)
        new_name = _check_name(new_name)
        row = self.store.get_code(cid)
        other = self.store.child_code_id(row["parent_id"], new_name)
        if other is not None and other != cid:
            raise ValidationError(_("a sibling code named {name!r} already exists").format(
                name=new_name))
        self.store.action("code.rename", self.coder,
                          lambda rec: rec.update("codes", {"id": cid}, {"name": new_name}),
                          details={"from": row["name"], "to": new_name})

    def move_code(self, ref: int | str, new_parent: int | str | None) -> None:
        """Move a code (with its children and codings) under another code, or to the top."""
        cid = self.code_id(ref)
        parent_id = self.code_id(new_parent) if new_parent not in (None, "", "/") else None
        if parent_id is not None and parent_id in self.store.code_descendants(cid):
            raise ValidationError(_("cannot move a code under itself or one of its descendants"))
        row = self.store.get_code(cid)
        if self.store.child_code_id(parent_id, row["name"]) not in (None, cid):
            raise ValidationError(_("the new parent already has a code named {name!r}").format(
                name=row["name"]))
        self.store.action(
            "code.move", self.coder,
            lambda rec: rec.update("codes", {"id": cid}, {
                "parent_id": parent_id, "position": self.store.next_code_position(parent_id)}),
            details={"to": parent_id})

    def merge_codes(self, source: int | str, target: int | str) -> int:
        """Merge ``source`` into ``target``: its codings (identical spans by the same coder
        are not duplicated), children, questions and memos move; ``source`` is deleted.
        Returns the number of codings moved."""
        sid, tid = self.code_id(source), self.code_id(target)
        if sid == tid:
            raise ValidationError(_("cannot merge a code into itself"))
        if tid in self.store.code_descendants(sid):
            raise ValidationError(_("cannot merge a code into one of its descendants"))
        target_children = {self.store.get_code(c)["name"].casefold(): c
                           for c in self.store.code_children(tid)}

        def do(rec):
            existing = {(k["document_id"], k["start"], k["end"], k["coder_id"], k["status"])
                        for k in self.store.find_codings(code_ids=[tid])}
            moved = 0
            for k in self.store.find_codings(code_ids=[sid]):
                key = (k["document_id"], k["start"], k["end"], k["coder_id"], k["status"])
                if key in existing:
                    for m in self.store.memos("coding", k["id"]):
                        rec.update("memos", {"id": m["id"]}, {"target_id": str(
                            next(x["id"] for x in self.store.find_codings(
                                code_ids=[tid], document_id=k["document_id"], start=k["start"],
                                end=k["end"], coder_id=k["coder_id"])))})
                    rec.delete("codings", {"id": k["id"]})
                else:
                    rec.update("codings", {"id": k["id"]}, {"code_id": tid})
                    existing.add(key)
                    moved += 1
            for child in self.store.code_children(sid):
                name = self.store.get_code(child)["name"]
                if name.casefold() in target_children:
                    raise ValidationError(_("both codes have a child named {name!r}: merge or "
                                            "rename those first").format(name=name))
                rec.update("codes", {"id": child}, {"parent_id": tid})
            have = set(self.store.code_questions(tid))
            for q in self.store.code_questions(sid):
                rec.delete("code_questions", {"code_id": sid, "question_id": q})
                if q not in have:
                    rec.insert("code_questions", {"code_id": tid, "question_id": q})
            for m in self.store.memos("code", sid):
                rec.update("memos", {"id": m["id"]}, {"target_id": str(tid)})
            rec.delete("codes", {"id": sid})
            return moved

        return self.store.action("code.merge", self.coder, do,
                                 details={"source": sid, "target": tid})

    def split_code(self, ref: int | str, parts: dict[str, Iterable[int]]) -> dict[str, int]:
        """Split a code: create a sub-code per name in ``parts`` and move the listed
        codings (ids) to it; codings not listed stay on the original code."""
        cid = self.code_id(ref)
        own = {k["id"] for k in self.store.find_codings(code_ids=[cid])}
        for name, ids in parts.items():
            _check_name(name)
            stray = set(ids) - own
            if stray:
                raise ValidationError(_("codings {ids} do not belong to this code").format(
                    ids=sorted(stray)))
            if self.store.child_code_id(cid, name) is not None:
                raise ValidationError(_("{name!r} already exists under this code").format(
                    name=name))
        code = self.store.get_code(cid)

        def do(rec):
            created = {}
            pos = self.store.next_code_position(cid)
            for i, (name, ids) in enumerate(parts.items()):
                new_id = rec.insert("codes", dict(
                    parent_id=cid, name=_check_name(name), colour=code["colour"],
                    position=pos + i, codebook=code["codebook"], guid=str(uuid.uuid4()),
                    created_at=now()))
                for q in self.store.code_questions(cid):
                    rec.insert("code_questions", {"code_id": new_id, "question_id": q})
                for kid in ids:
                    rec.update("codings", {"id": kid}, {"code_id": new_id})
                created[name] = new_id
            return created

        return self.store.action("code.split", self.coder, do, details={"code": cid})

    def delete_code(self, ref: int | str, *, force: bool = False) -> int:
        """Delete a code and its sub-codes.  With codings attached, raises
        :class:`ConfirmationRequired` unless ``force``.  Returns codings deleted."""
        cid = self.code_id(ref)
        ids = self.store.code_descendants(cid)
        codings = self.store.find_codings(code_ids=ids)
        if codings and not force:
            raise ConfirmationRequired(
                _("code {code!r} ({subcodes}) carries {codings}: confirm to delete them too")
                .format(code=self.code_paths()[cid],
                        subcodes=ngettext("with {n} sub-code", "with {n} sub-codes",
                                          len(ids) - 1).format(n=len(ids) - 1),
                        codings=ngettext("{n} coding", "{n} codings", len(codings)).format(
                            n=len(codings))), len(codings))

        def do(rec):
            for k in codings:
                for m in self.store.memos("coding", k["id"]):
                    rec.delete("memos", {"id": m["id"]})
                rec.delete("codings", {"id": k["id"]})
            for code_id in reversed(ids):
                for q in self.store.code_questions(code_id):
                    rec.delete("code_questions", {"code_id": code_id, "question_id": q})
                for m in self.store.memos("code", code_id):
                    rec.delete("memos", {"id": m["id"]})
                rec.delete("codes", {"id": code_id})
            return len(codings)

        return self.store.action("code.delete", self.coder, do, details={"code": cid})

    # -- codings -----------------------------------------------------------------------
    def _check_span(self, doc_id: int, start: int, end: int) -> None:
        if not (isinstance(start, int) and isinstance(end, int)):
            self.store.document_length(doc_id)          # (an unknown document first)
            raise ValidationError(_("span offsets must be integers"))
        if start < 0 or start >= end or not self.store.text_reaches(doc_id, end):
            n = self.store.document_length(doc_id)
            name = self.store.get_document(doc_id).name
            raise ValidationError(_("span [{start}, {end}) is outside the text of {name!r} "
                                    "(0..{n}) or empty").format(start=start, end=end, name=name,
                                                                n=n))

    def apply_code(self, doc: int | str, code: int | str, start: int, end: int, *,
                   coder: str | None = None, origin: str = "manual", status: str = "accepted",
                   rule: str | None = None) -> int:
        """Code ``[start, end)`` of a document.  Applying the same code to the same span
        by the same coder again returns the existing coding."""
        return self.apply_code_spans(doc, code, [(start, end)], coder=coder, origin=origin,
                                     status=status, rule=rule)[0]

    def apply_code_spans(self, doc: int | str, code: int | str, spans: Sequence[tuple[int, int]],
                         *, coder: str | None = None, origin: str = "manual",
                         status: str = "accepted", rule: str | None = None,
                         label: str = "coding.apply") -> list[int]:
        doc_id, code_id = self.document_id(doc), self.code_id(code)
        if origin not in ORIGINS:
            raise ValidationError(_("unknown origin {origin!r}").format(origin=origin))
        if not self.store.get_code(code_id).get("codable", 1):
            raise ValidationError(_("{code!r} is a category that groups codes: it cannot be "
                                    "applied itself").format(code=self.code_paths()[code_id]))
        for s, e in spans:
            self._check_span(doc_id, s, e)
        coder_id, coder_name = self._coder_id(coder)

        def do(rec):
            out = []
            for s, e in spans:
                existing = self.store.find_codings(document_id=doc_id, code_ids=[code_id],
                                                   coder_id=coder_id, start=s, end=e)
                if existing:
                    out.append(existing[0]["id"])
                    continue
                out.append(rec.insert("codings", dict(
                    document_id=doc_id, code_id=code_id, start=s, end=e, coder_id=coder_id,
                    origin=origin, status=status, rule=rule, guid=str(uuid.uuid4()),
                    created_at=now())))
            return out

        return self.store.action(label, coder_name, do,
                                 details={"document": doc_id, "code": code_id, "spans": len(spans)})

    def apply_code_to_segments(self, doc: int | str, code: int | str, segments: Iterable[int], *,
                               coder: str | None = None, by: str = "position") -> list[int]:
        """Code whole turns -- their words, from the stored ``body_start`` -- given by
        position in the document (or by id with by="id")."""
        doc_id = self.document_id(doc)
        segs = self.store.segments(doc_id)
        index = {(s.position if by == "position" else s.id): s for s in segs}
        wanted = list(segments)
        missing = [w for w in wanted if w not in index]
        if missing:
            raise NotFoundError(_("no turns {positions} in document {doc!r}").format(
                positions=missing, doc=doc))
        spans = [index[w].words for w in wanted if index[w].end > index[w].words[0]]
        return self.apply_code_spans(doc_id, code, spans, coder=coder, label="coding.apply_segments")

    def remove_coding(self, coding_id: int) -> None:
        """Remove one coding (and its memos)."""
        self.store.get_coding(coding_id)

        def do(rec):
            for m in self.store.memos("coding", coding_id):
                rec.delete("memos", {"id": m["id"]})
            rec.delete("codings", {"id": coding_id})

        self.store.action("coding.remove", self.coder, do, details={"coding": coding_id})

    def remove_code(self, doc: int | str, code: int | str, start: int, end: int, *,
                    coder: str | None = None, all_coders: bool = False) -> int:
        """Remove the codings of ``code`` that overlap ``[start, end)`` (the coder's own,
        unless ``all_coders``).  Returns how many were removed."""
        doc_id, code_id = self.document_id(doc), self.code_id(code)
        coder_id = None if all_coders else self._coder_id(coder)[0]
        hits = [k for k in self.store.find_codings(document_id=doc_id, code_ids=[code_id],
                                                  coder_id=coder_id)
                if k["start"] < end and k["end"] > start]

        def do(rec):
            for k in hits:
                for m in self.store.memos("coding", k["id"]):
                    rec.delete("memos", {"id": m["id"]})
                rec.delete("codings", {"id": k["id"]})
            return len(hits)

        return self.store.action("coding.remove", self.coder, do,
                                 details={"document": doc_id, "code": code_id})

    #: the columns of a document's codings (:meth:`codings`, :meth:`coding_rows`)
    DOCUMENT_CODING_COLUMNS = ("id", "document_id", "code_id", "start", "end", "origin",
                               "status", "rule", "created_at", "coder", "code", "colour",
                               "memos")
    #: the columns of a code's excerpts (:meth:`excerpts`, :meth:`excerpt_rows`)
    EXCERPT_COLUMNS = ("coding_id", "code_id", "code", "document_id", "document", "programme",
                       "actor_type", "speaker", "timestamp", "start", "end", "text", "coder",
                       "origin")

    def codings(self, doc: int | str | None = None, *, code: int | str | None = None,
                status: str | None = "accepted") -> pd.DataFrame:
        """Codings of a document (with code names, colours, coder) or of a code."""
        rows = self.coding_rows(doc, code=code, status=status)
        if doc is not None and not rows:
            return pd.DataFrame(rows, columns=list(self.DOCUMENT_CODING_COLUMNS))
        return pd.DataFrame(rows)

    def coding_rows(self, doc: int | str | None = None, *, code: int | str | None = None,
                    status: str | None = "accepted") -> list[dict]:
        """:meth:`codings` as plain rows (dicts), each with its code's ``path``: what a
        command prints without loading pandas."""
        if doc is not None:
            rows = [{c: r[c] for c in self.DOCUMENT_CODING_COLUMNS}
                    for r in self.store.document_codings(self.document_id(doc), status)]
        else:
            ids = None if code is None else [self.code_id(code)]
            rows = self.store.find_codings(code_ids=ids, status=status)
        if rows:
            paths = self.code_paths()
            for r in rows:
                r["path"] = paths.get(r["code_id"], "")
        return rows

    def excerpts(self, code: int | str, *, descendants: bool = True,
                 status: str = "accepted") -> pd.DataFrame:
        """Every coded excerpt of a code (and its sub-codes), with its source."""
        return pd.DataFrame(self.excerpt_rows(code, descendants=descendants, status=status),
                            columns=list(self.EXCERPT_COLUMNS))

    def excerpt_rows(self, code: int | str, *, descendants: bool = True,
                     status: str = "accepted") -> list[dict]:
        """:meth:`excerpts` as plain rows (dicts, in its columns' order)."""
        cid = self.code_id(code)
        ids = self.store.code_descendants(cid) if descendants else [cid]
        return [{c: r[c] for c in self.EXCERPT_COLUMNS}
                for r in self.store.coding_excerpts(ids, status)]

    def accept_codings(self, ids: Iterable[int]) -> int:
        ids = list(ids)

        def do(rec):
            n = 0
            for i in ids:
                k = self.store.get_coding(i)
                if k["status"] != "accepted":
                    rec.update("codings", {"id": i}, {"status": "accepted"})
                    n += 1
            return n

        return self.store.action("coding.accept", self.coder, do, details={"n": len(ids)})

    def reject_codings(self, ids: Iterable[int]) -> int:
        """Remove codings (typically candidates from rules or topics) in one undoable step."""
        ids = list(ids)

        def do(rec):
            n = 0
            for i in ids:
                for m in self.store.memos("coding", i):
                    rec.delete("memos", {"id": m["id"]})
                if rec.delete("codings", {"id": i}):
                    n += 1
            return n

        return self.store.action("coding.reject", self.coder, do, details={"n": len(ids)})

    # -- memos -------------------------------------------------------------------------
    def add_memo(self, target_type: str, target_id, text: str, *, title: str | None = None,
                 private: bool = False) -> int:
        if target_type not in MEMO_TARGETS:
            raise ValidationError(_("memo target must be one of {targets}").format(
                targets=", ".join(MEMO_TARGETS)))
        if target_type == "coding":
            self.store.get_coding(int(target_id))
        elif target_type == "code":
            target_id = self.code_id(target_id)
        elif target_type == "document":
            target_id = self.document_id(target_id)
        coder_id, coder_name = self._coder_id(None)
        stamp = now()
        return self.store.action("memo.add", coder_name, lambda rec: rec.insert("memos", dict(
            target_type=target_type, target_id=None if target_id is None else str(target_id),
            title=title, text=text, coder_id=coder_id, private=int(private),
            guid=new_guid(), created_at=stamp, updated_at=stamp)))

    def update_memo(self, memo_id: int, *, text: str | None = None, title: str | None = None,
                    private: bool | None = None) -> None:
        self.store.get_memo(memo_id)
        changes: dict[str, Any] = {k: v for k, v in (("text", text), ("title", title))
                                   if v is not None}
        if private is not None:
            changes["private"] = int(private)
        changes["updated_at"] = now()
        self.store.action("memo.update", self.coder,
                          lambda rec: rec.update("memos", {"id": memo_id}, changes))

    def delete_memo(self, memo_id: int) -> None:
        self.store.get_memo(memo_id)
        self.store.action("memo.delete", self.coder,
                          lambda rec: rec.delete("memos", {"id": memo_id}))

    def memos(self, target_type: str | None = None, target_id=None) -> pd.DataFrame:
        if target_type == "code" and target_id is not None:
            target_id = self.code_id(target_id)
        elif target_type == "document" and target_id is not None:
            target_id = self.document_id(target_id)
        cols = ["id", "target_type", "target_id", "title", "text", "coder_id", "private",
                "created_at", "updated_at", "coder"]
        return pd.DataFrame(self.store.memos(target_type, target_id), columns=cols)

    # -- undo / redo -------------------------------------------------------------------
    def undo(self) -> str | None:
        """Undo this coder's last change (survives restarts); returns what was undone."""
        return self.store.undo(self.coder)

    def redo(self) -> str | None:
        return self.store.redo(self.coder)

    def undo_history(self) -> dict[str, list[str]]:
        return self.store.undo_labels(self.coder)
