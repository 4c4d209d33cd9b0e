"""What changed between two codebooks (``workbench codebook diff``).

Codes are matched, in this order:

1. by explicit GUID (``CodeDef.guid`` set on both sides): a different name under
   the same parent is a *renamed* code, a different parent a *moved* one;
2. by path, after applying the renames/moves of their ancestors (so the children
   of a renamed code are not reported as removed + added);
3. a code that vanished from one place and appears, with the same name, at
   exactly one other place is *moved*.

What is left is *added* or *removed*.  For matched codes every field that differs
is one *changed* entry.  Questions are matched by id.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import Codebook, CodeDef, join_path, name_key

__all__ = ["CodebookChange", "diff_codebooks", "format_changes", "CODE_FIELDS",
           "QUESTION_FIELDS", "META_FIELDS"]

CODE_FIELDS = ("colour", "short", "definition", "when_to_use", "when_not_to_use", "example",
               "questions", "guid")
QUESTION_FIELDS = ("programme", "side", "text", "source", "proposed")
META_FIELDS = ("id", "title", "programme", "version", "language", "description")


@dataclass(frozen=True)
class CodebookChange:
    """One difference.  ``kind`` is one of: ``code_added``, ``code_removed``,
    ``code_renamed``, ``code_moved``, ``code_changed``, ``question_added``,
    ``question_removed``, ``question_changed``, ``metadata_changed``.

    ``path`` is the code path in the *new* codebook (the old one for removals),
    the question id, or ``""`` for metadata; ``old_path`` is set for renames and
    moves (and for changes of a code whose path changed); ``field``/``old``/``new``
    for the ``*_changed`` kinds."""

    kind: str
    path: str
    field: str | None = None
    old: Any = None
    new: Any = None
    old_path: str | None = None

    def __str__(self) -> str:
        k = self.kind
        if k == "code_added":
            return f"+ code {self.path}"
        if k == "code_removed":
            return f"- code {self.path}"
        if k == "code_renamed":
            return f"~ code renamed: {self.old_path} → {self.path}"
        if k == "code_moved":
            return f"~ code moved: {self.old_path} → {self.path}"
        if k == "code_changed":
            return f"~ code {self.path}: {self.field}: {_show(self.old)} → {_show(self.new)}"
        if k == "question_added":
            return f"+ question {self.path}"
        if k == "question_removed":
            return f"- question {self.path}"
        if k == "question_changed":
            return f"~ question {self.path}: {self.field}: {_show(self.old)} → {_show(self.new)}"
        return f"~ codebook {self.field}: {_show(self.old)} → {_show(self.new)}"


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _flatten(cb: Codebook) -> list[tuple[str, CodeDef, str | None]]:
    return list(cb.iter_codes_with_parent())


def diff_codebooks(a: Codebook, b: Codebook) -> list[CodebookChange]:
    """Changes that turn ``a`` into ``b``: metadata, then questions, then codes
    (in the order of ``b``, removals last)."""
    changes: list[CodebookChange] = []
    for f in META_FIELDS:
        if getattr(a, f) != getattr(b, f):
            changes.append(CodebookChange("metadata_changed", "", f, getattr(a, f), getattr(b, f)))

    qa = {q.id: q for q in a.questions}
    qb = {q.id: q for q in b.questions}
    for qid, q in qb.items():
        if qid not in qa:
            changes.append(CodebookChange("question_added", qid))
            continue
        for f in QUESTION_FIELDS:
            if getattr(qa[qid], f) != getattr(q, f):
                changes.append(CodebookChange("question_changed", qid, f, getattr(qa[qid], f),
                                              getattr(q, f)))
    changes.extend(CodebookChange("question_removed", qid) for qid in qa if qid not in qb)
    changes.extend(_diff_codes(a, b))
    return changes


def _key(path: str) -> tuple[str, ...]:
    return tuple(name_key(p) for p in path.split("/"))


def _diff_codes(a: Codebook, b: Codebook) -> list[CodebookChange]:
    fa = _flatten(a)
    fb = _flatten(b)
    b_by_key = {_key(p): (p, c, par) for p, c, par in fb}
    b_by_guid = {c.guid: (p, c, par) for p, c, par in fb if c.guid}
    match: dict[str, str] = {}          # old path -> new path
    matched_b: set[str] = set()

    # 1. explicit guids
    for p, c, _ in fa:
        if c.guid and c.guid in b_by_guid:
            pb = b_by_guid[c.guid][0]
            match[p] = pb
            matched_b.add(pb)
    # 2. path, translated through the matches of the ancestors (a is in pre-order)
    for p, c, par in fa:
        if p in match:
            continue
        parent_new = match.get(par, par) if par is not None else None
        candidate = join_path(parent_new or "", c.name)
        hit = b_by_key.get(_key(candidate))
        if hit and hit[0] not in matched_b:
            match[p] = hit[0]
            matched_b.add(hit[0])
    # 3. same name, unique on both sides
    left_a = [(p, c) for p, c, _ in fa if p not in match]
    left_b = [(p, c) for p, c, _ in fb if p not in matched_b]
    for p, c in left_a:
        same_a = [x for x, y in left_a if name_key(y.name) == name_key(c.name)]
        same_b = [x for x, y in left_b if name_key(y.name) == name_key(c.name) and x not in matched_b]
        if len(same_a) == 1 and len(same_b) == 1:
            match[p] = same_b[0]
            matched_b.add(same_b[0])

    a_by_path = {p: (c, par) for p, c, par in fa}
    new_to_old = {v: k for k, v in match.items()}
    out: list[CodebookChange] = []
    for pb, cb_code, par_b in fb:
        if pb not in new_to_old:
            out.append(CodebookChange("code_added", pb))
            continue
        pa = new_to_old[pb]
        ca, par_a = a_by_path[pa]
        expected_parent = match.get(par_a, par_a) if par_a is not None else None
        moved = _key(expected_parent or "") != _key(par_b or "")
        renamed = ca.name != cb_code.name
        if moved:
            out.append(CodebookChange("code_moved", pb, old_path=pa))
        elif renamed:
            out.append(CodebookChange("code_renamed", pb, "name", ca.name, cb_code.name, old_path=pa))
        for f in CODE_FIELDS:
            if getattr(ca, f) != getattr(cb_code, f):
                out.append(CodebookChange("code_changed", pb, f, getattr(ca, f), getattr(cb_code, f),
                                          old_path=pa if pa != pb else None))
    out.extend(CodebookChange("code_removed", p) for p, _, _ in fa if p not in match)
    return out


def format_changes(changes: list[CodebookChange]) -> str:
    """One line per change; ``"no changes"`` when there is none."""
    return "\n".join(str(c) for c in changes) if changes else "no changes"
