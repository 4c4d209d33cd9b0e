"""Writing the pseudonymised project: a new file, the original untouched.

1. the plan: which entities are replaced (not rejected, in a category whose action is
   ``replace``), their pseudonyms (assigned once and stored in the original), and one
   :class:`~workbench.privacy.matching.Matcher` over every known written form;
2. a copy of the project file (SQLite's online backup) next to the destination;
3. in the copy, one transaction (:meth:`workbench.store.Store.rewrite_pseudonymised`):
   each document's text rewritten and every offset column remapped
   (:class:`~workbench.privacy.remap.OffsetMap`), names in every free-text column replaced
   the same way (speaker labels, participant links, document names and metadata, memos,
   codebook examples, saved queries, topic words), logs and the privacy tables dropped,
   the search index rebuilt; then VACUUM, so that no page of the old text remains;
4. a check of the copy: no replaced written form is left in any text column;
5. the key file, then both files moved into place.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from workbench.domain import ValidationError, WorkbenchError
from workbench.i18n import _, ngettext
from workbench.privacy.categories import Category
from workbench.privacy.keyfile import write_key
from workbench.privacy.matching import Matcher
from workbench.privacy.pseudonyms import Pseudonyms
from workbench.privacy.remap import OffsetMap

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]


@dataclass
class Plan:
    pseudonyms: Pseudonyms
    replaced: dict[str, int]            # variant -> entity id (replaced ones)
    kept: set[str]                      # variants left as they are
    categories: dict[str, Category]
    matcher: Matcher
    folded: Matcher                     # every variant, ignoring case (topic words...)
    paths: Matcher                      # every variant, in file names
    counts: Counter = field(default_factory=Counter)     # category -> replacements in texts

    def render(self, variant: str, surface: str) -> str:
        return self.pseudonyms.render(self.replaced[variant], variant, surface)

    def spans(self, text: str, matcher: Matcher | None = None) -> list[tuple[int, int, str, str]]:
        """(start, end, pseudonym, variant) of each replaced form in ``text``."""
        out = []
        for s, e, v in (matcher or self.matcher).find(text):
            if v in self.replaced:
                out.append((s, e, self.render(v, text[s:e]), v))
        return out

    def _replace(self, value: str, matcher: Matcher) -> str:
        spans = self.spans(value, matcher)
        if not spans:
            return value
        return OffsetMap([(s, e, t) for s, e, t, _v in spans]).apply(value)

    def scan(self, value: str) -> str:
        return self._replace(value, self.matcher)

    def scan_fold(self, value: str) -> str:
        return self._replace(value, self.folded)

    def scan_path(self, value: str) -> str:
        return self._replace(re.split(r"[\\/]", value)[-1], self.paths)


def build_plan(project, *, style: str, require_review: bool = False) -> Plan:
    store = project.store
    categories = project.privacy_categories()
    entities = store.privacy_entities()
    if require_review:
        pending = [e for e in entities if e["status"] == "pending" and
                   categories[e["category"]].action == "replace"]
        if pending:
            raise ValidationError(ngettext(
                "{n} candidate not reviewed yet ({label!r}): accept or reject it first, or "
                "write the copy without --require-review",
                "{n} candidates not reviewed yet (for instance {label!r}): accept or reject "
                "them first, or write the copy without --require-review", len(pending)).format(
                    n=len(pending), label=pending[0]["label"]))
    replaced_ids = {e["id"] for e in entities if e["status"] != "rejected" and
                    e["category"] in categories and categories[e["category"]].action == "replace"}
    seed = project.privacy_seed()
    pseudonyms = Pseudonyms(entities, categories, style=style, seed=seed)
    pseudonyms.assign(replaced_ids)
    if pseudonyms.redrawn:
        store.privacy_redraw(pseudonyms.redrawn)
    if pseudonyms.changed:
        store.privacy_assign(pseudonyms.changed)
    variants = store.privacy_variants()
    replaced = {v["text"]: v["entity_id"] for v in variants if v["entity_id"] in replaced_ids}
    kept = {v["text"] for v in variants if v["entity_id"] not in replaced_ids}
    exact = [v["text"] for v in variants if not v["fold"]]
    folded = [v["text"] for v in variants if v["fold"]]
    everything = [v["text"] for v in variants]
    return Plan(pseudonyms, replaced, kept, categories, Matcher(exact, folded),
                Matcher(folded=everything), Matcher(folded=everything, paths=True))


def _check_destination(project, out: Path, key: Path, overwrite: bool) -> None:
    src = project.path.resolve()
    if out.resolve() == src:
        raise ValidationError(_("{out}: the pseudonymised project must be a new file, not the "
                                "original").format(out=out))
    if key.resolve() in (src, out.resolve()):
        raise ValidationError(_("{key}: the key must be a file of its own").format(key=key))
    if out.suffix.lower() != ".wbproj":
        raise ValidationError(_("{out}: a project file ends in .wbproj").format(out=out))
    for path in (out, key):
        if path.exists() and not overwrite:
            raise ValidationError(_("{path}: already exists (choose another name)").format(
                path=path))
        if not path.parent.is_dir():
            raise ValidationError(_("{path}: no such folder").format(path=path.parent))
    key_dir = key.resolve().parent
    for export_dir in (src.parent / "exports", out.resolve().parent / "exports"):
        if key_dir == export_dir or export_dir in key_dir.parents:
            raise ValidationError(_(
                "{key}: the key must not be written in an exports folder (it would travel "
                "with the exports)").format(key=key))


def _verify(path: Path, plan: Plan) -> list[str]:
    """Replaced written forms still present in the copy (table.column: form)."""
    from workbench.store.privacy import text_values
    leftovers = []
    for table, column, value in text_values(path):
        for _s, _e, _t, v in plan.spans(value):
            leftovers.append(f"{table}.{column}: {v}")
            break
        if len(leftovers) > 20:
            break
    return leftovers


def write_pseudonymised(project, out: str | Path, key: str | Path, *,
                        passphrase: str | None = None, style: str | None = None,
                        require_review: bool = False, overwrite: bool = False,
                        progress: ProgressFn | None = None,
                        cancelled: CancelledFn | None = None) -> dict:
    """Write the pseudonymised copy of ``project`` to ``out`` and the key to ``key``;
    returns a summary (what was replaced, by category)."""
    from workbench.identity import text_hash
    from workbench.store import Store, StoreError
    out, key = Path(out), Path(key)
    _check_destination(project, out, key, overwrite)
    step = progress or (lambda *a: None)
    stop = cancelled or (lambda: False)
    store = project.store
    if store.privacy_undetected_documents():
        project.detect_personal_data(progress=progress, cancelled=cancelled)
    style = style or project.privacy_settings()["style"]
    plan = build_plan(project, style=style, require_review=require_review)
    docs = store.privacy_document_states()
    texts = store.document_texts([d["id"] for d in docs])
    rewritten: dict[int, tuple[str, Callable, Callable]] = {}
    key_docs = []
    per_entity: Counter = Counter()
    for i, d in enumerate(docs):
        if stop():
            raise WorkbenchError(_("pseudonymisation cancelled: nothing was written"))
        text = texts[d["id"]]
        spans = plan.spans(text)
        omap = OffsetMap([(s, e, t) for s, e, t, _v in spans])
        new_text = omap.apply(text)
        rewritten[d["id"]] = (new_text, omap.start, omap.end)
        positions = []
        for s, e, t, v in spans:
            entity = plan.replaced[v]
            per_entity[entity] += 1
            plan.counts[plan.pseudonyms.entities[entity]["category"]] += 1
            ns = omap.start(s)
            positions.append([ns, ns + len(t), text[s:e]])
        key_docs.append({"id": d["id"], "original_name": d["name"],
                         "name": plan.scan_path(d["name"]),
                         "sha256": hashlib.sha256(new_text.encode("utf-8")).hexdigest(),
                         "replacements": positions})
        step(i + 1, len(docs) * 2, d["name"])
    key_id = str(uuid.uuid4())
    stamp = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    summary = project.privacy_rules_summary(plan, style=style)
    summary.update({"date": stamp, "key_id": key_id,
                    "replacements": dict(sorted(plan.counts.items())),
                    "documents": len(docs)})
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=".wbproj", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        store.backup_to(tmp)
        try:
            copy = Store(tmp)
        except StoreError as exc:
            raise WorkbenchError(str(exc)) from None
        try:
            copy.rewrite_pseudonymised(
                rewritten, scan=plan.scan, scan_fold=plan.scan_fold, scan_path=plan.scan_path,
                derived={"text_hash": text_hash},
                meta={"privacy.pseudonymised": json.dumps(summary, ensure_ascii=False)},
                progress=lambda d, t, label: step(len(docs) + d, len(docs) * 2, label))
        except StoreError as exc:
            raise WorkbenchError(str(exc)) from None
        finally:
            copy.close()
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        leftovers = _verify(tmp, plan)
        if leftovers:
            raise WorkbenchError(_("the pseudonymised copy still holds replaced names "
                                   "({where}): nothing was written").format(
                                       where="; ".join(leftovers[:5])))
        entities = []
        for eid, ent in sorted(plan.pseudonyms.entities.items()):
            forms = {v: plan.render(v, v) for v, owner in plan.replaced.items() if owner == eid}
            if forms:
                entities.append({"id": eid, "category": ent["category"],
                                 "label": ent["label"],
                                 "forms": forms, "occurrences": per_entity.get(eid, 0)})
        write_key(key, {"key_id": key_id, "created_at": stamp, "project": project.name,
                        "copy": out.name, "style": style, "entities": entities,
                        "documents": key_docs}, passphrase)
        os.replace(tmp, out)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
    project.store.log_change(project.coder, "privacy.pseudonymise", "project", None,
                             {"out": str(out), "key_id": key_id,
                              "replacements": sum(plan.counts.values())})
    summary.update({"out": str(out), "key": str(key), "encrypted": bool(passphrase)})
    return summary

