"""The pseudonymisation facade: a mixin of :class:`workbench.project.Project`.

    >>> with Project.open("evaluation.wbproj") as p:
    ...     p.detect_personal_data(lists="listes.yaml")
    ...     p.privacy_candidates(status="pending")        # a DataFrame to review
    ...     p.privacy_decide(["Karima", "Vire"], "accepted")
    ...     p.privacy_decide(["Pôle"], "rejected")
    ...     p.set_privacy_policy("training_body", "keep")
    ...     p.pseudonymise("evaluation-pseudo.wbproj", "cle.json", passphrase="...")

See docs/privacy.md for the workflow and what remains the team's responsibility.
"""
from __future__ import annotations

import json
import random
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.domain import NotFoundError, ValidationError, WorkbenchError
from workbench.i18n import N_, _, decimal, ngettext, npgettext, pgettext
from workbench.labels import privacy_category_label
from workbench.privacy.categories import ACTIONS, BUILTIN, KINDS, STYLES, Category, valid_name

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]
STATUSES = ("pending", "accepted", "rejected")
EXPORT_GUARDS = ("warn", "error", "off")


class PrivacyError(WorkbenchError):
    title = N_("Privacy")


class PrivacyWarning(UserWarning):
    """Raised (as a warning) when a project that is not pseudonymised is exported."""


def detection_report(report: dict, *, seconds: bool = False) -> str:
    """What a detection did, in one line (the CLI and the TUI say it alike)."""
    docs, new, occ = report["documents"], report["new_variants"], report["occurrences"]
    if seconds:
        read = ngettext("{n} document read in {s} s", "{n} documents read in {s} s",
                        docs).format(n=docs, s=decimal(report["seconds"]))
    else:
        read = ngettext("{n} document read", "{n} documents read", docs).format(n=docs)
    return _("Detection: {read}; {new}, {occ}.").format(
        read=read,
        new=ngettext("{n} new written form", "{n} new written forms", new).format(n=new),
        occ=ngettext("{n} occurrence in the project", "{n} occurrences in the project",
                     occ).format(n=occ))


class PrivacyAPI(Capability):
    #: called with the message when an export warns (the CLI prints it on stderr, the
    #: TUI shows a notification); None: Python's ``warnings``
    on_warning: Callable[[str], None] | None = None

    # -- categories and settings ------------------------------------------------------
    def privacy_categories(self) -> dict[str, Category]:
        """Built-in categories and the project's own, with the project's actions."""
        cats = dict(BUILTIN)
        for r in self.store.privacy_category_rows():
            base = cats.get(r["name"])
            cats[r["name"]] = Category(r["name"], r["label"], r["kind"], r["action"],
                                       base.title if base else "")
        return cats

    def set_privacy_policy(self, category: str, action: str, *, label: str | None = None,
                           kind: str | None = None) -> Category:
        """What happens to a category: ``replace`` or ``keep`` (a new category needs its
        ``kind``: person, place, organisation or identifier)."""
        if action not in ACTIONS:
            raise ValidationError(_("action must be replace or keep"))
        cats = self.privacy_categories()
        base = cats.get(category)
        if base is None:
            if not valid_name(category):
                raise ValidationError(_(
                    "category names are lower-case letters, digits and _ (not {name!r})").format(
                        name=category))
            if kind not in KINDS:
                raise ValidationError(_("a new category needs its kind: {kinds}").format(
                    kinds=", ".join(KINDS)))
            base = Category(category, label or category.capitalize(), kind, action)
        if kind and kind not in KINDS:
            raise ValidationError(_("kind must be one of {kinds}").format(kinds=", ".join(KINDS)))
        cat = Category(category, label or base.label, kind or base.kind, action, base.title)
        self.store.privacy_set_category_row(cat.name, cat.label, cat.kind, cat.action,
                                            coder=self.coder)
        return cat

    def privacy_settings(self) -> dict:
        """``style``, ``seed`` (None until detection or a copy needs one) and
        ``export_guard``; reading them writes nothing."""
        get = self.store.get_meta
        seed = get("privacy.seed")
        return {"style": get("privacy.style") or "tags",
                "seed": None if seed is None else int(seed),
                "export_guard": get("privacy.export_guard") or "warn"}

    def privacy_seed(self) -> int:
        """The realistic substitutes' seed, drawn at random the first time it is needed
        and stored in the project (so the same project always gives the same ones)."""
        seed = self.store.get_meta("privacy.seed")
        if seed is None:
            seed = str(random.SystemRandom().randrange(1, 2 ** 31))
            self.store.set_meta("privacy.seed", seed)
        return int(seed)

    def set_privacy_settings(self, *, style: str | None = None, seed: int | None = None,
                             export_guard: str | None = None) -> dict:
        """``style``: tags or realistic; ``seed``: the realistic substitutes' seed
        (changing it forgets the substitutes already chosen); ``export_guard``: warn,
        error or off, for exports of documents that are not pseudonymised."""
        if style is not None:
            if style not in STYLES:
                raise ValidationError(_("style must be tags or realistic"))
            self.store.set_meta("privacy.style", style)
        if export_guard is not None:
            if export_guard not in EXPORT_GUARDS:
                raise ValidationError(_("the export guard must be warn, error or off"))
            self.store.set_meta("privacy.export_guard", export_guard)
        if seed is not None:
            if str(seed) != self.store.get_meta("privacy.seed"):
                self.store.privacy_reset_pseudonyms()
            self.store.set_meta("privacy.seed", str(int(seed)))
        return self.privacy_settings()

    # -- detection ------------------------------------------------------------------------
    @staticmethod
    def privacy_detection_line(report: dict, *, seconds: bool = False) -> str:
        """What :meth:`detect_personal_data` did (its report), in one line of the current
        language: documents read (and how long), new written forms, occurrences."""
        return detection_report(report, seconds=seconds)

    def detect_personal_data(self, *, lists: str | Path | None = None, use_ner: bool = True,
                             rescan: bool = False, progress: ProgressFn | None = None,
                             cancelled: CancelledFn | None = None) -> dict:
        """Detect candidates in the documents not scanned yet (all with ``rescan``);
        ``lists``: the team's lists file (YAML, see :mod:`workbench.privacy.lists`)."""
        from workbench.privacy.detect import detect
        from workbench.privacy.lists import load_lists
        team = load_lists(lists, self.privacy_categories()) if lists else None
        self.privacy_seed()                           # the seed exists from the start
        report = detect(self, lists=team, use_ner=use_ner, rescan=rescan, progress=progress,
                        cancelled=cancelled)
        return report.as_dict()

    def privacy_record_lists(self, lists) -> None:
        recorded = json.loads(self.store.get_meta("privacy.lists") or "[]")
        entry = {"file": Path(lists.path).name, "sha256": lists.sha256,
                 "terms": lists.counts()}
        recorded = [r for r in recorded if r.get("file") != entry["file"]] + [entry]
        self.store.set_meta("privacy.lists", json.dumps(recorded, ensure_ascii=False))

    def refresh_privacy_occurrences(self) -> int:
        """Look for every known written form in every document again."""
        from workbench.privacy.detect import matcher_for, scan_occurrences
        store = self.store
        texts = store.document_texts([d["id"] for d in store.privacy_document_states()])
        rows = scan_occurrences(texts, matcher_for(store.privacy_variants()))
        return store.privacy_set_occurrences(rows)

    # -- review ---------------------------------------------------------------------------
    def privacy_entity(self, ref: int | str) -> int:
        """An entity's id, from its id or one of its written forms."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
            if self.store.privacy_entities(ids=[int(ref)]):
                return int(ref)
        found = self.store.privacy_entity_of(str(ref))
        if found is None:
            matches = [e["id"] for e in self.store.privacy_entities()
                       if str(ref).casefold() in (v.casefold() for v in e["variants"])]
            if len(matches) == 1:
                return matches[0]
            raise NotFoundError(_("no candidate {ref!r} (give its number or one of its "
                                  "written forms)").format(ref=ref))
        return found

    def privacy_candidates(self, *, category: str | None = None,
                           status: str | None = None) -> pd.DataFrame:
        """One row per entity: its written forms, where it was found, the decision and
        what will happen to it (replace / keep)."""
        if status and status not in STATUSES:
            raise ValidationError(_("status must be pending, accepted or rejected"))
        cats = self.privacy_categories()
        rows = []
        for e in self.store.privacy_entities(category=category, status=status):
            cat = cats.get(e["category"])
            replaced = e["status"] != "rejected" and cat is not None and cat.action == "replace"
            rows.append({"id": e["id"], "category": e["category"], "label": e["label"],
                         "variants": " | ".join(e["variants"]), "status": e["status"],
                         "action": "replace" if replaced else "keep",
                         "occurrences": e["occurrences"], "documents": e["documents"],
                         "sources": e["sources"]})
        return pd.DataFrame(rows, columns=["id", "category", "label", "variants", "status",
                                           "action", "occurrences", "documents", "sources"])

    def privacy_occurrences(self, ref: int | str | None = None, *, context: int = 40,
                            limit: int | None = None) -> pd.DataFrame:
        """Occurrences (of one entity, or all) with the words around them."""
        entity = self.privacy_entity(ref) if ref is not None else None
        occ = self.store.privacy_occurrences(entity_id=entity, limit=limit)
        texts = self.store.document_texts({o["document_id"] for o in occ})
        rows = []
        for o in occ:
            text = texts[o["document_id"]]
            s, e = o["start"], o["end"]
            rows.append({"entity": o["entity_id"], "document": o["document"], "start": s,
                         "end": e, "before": " ".join(text[max(0, s - context):s].split()),
                         "text": text[s:e], "after": " ".join(text[e:e + context].split())})
        return pd.DataFrame(rows, columns=["entity", "document", "start", "end", "before",
                                           "text", "after"])

    def privacy_decide(self, refs: Sequence[int | str], status: str) -> int:
        """Accept, reject (or put back to pending) candidates."""
        if status not in STATUSES:
            raise ValidationError(_("status must be pending, accepted or rejected"))
        ids = list(dict.fromkeys(self.privacy_entity(r) for r in refs))
        return self.store.privacy_set_status(ids, status, coder=self.coder)

    def privacy_decide_category(self, category: str, status: str,
                                only_pending: bool = True) -> int:
        ids = [e["id"] for e in self.store.privacy_entities(
            category=category, status="pending" if only_pending else None)]
        return self.store.privacy_set_status(ids, status, coder=self.coder) if ids else 0

    def privacy_merge(self, target: int | str, others: Sequence[int | str]) -> int:
        """One entity from several (variants of one person: "Karima" / "Karima B.")."""
        tid = self.privacy_entity(target)
        oids = [i for i in dict.fromkeys(self.privacy_entity(o) for o in others) if i != tid]
        if not oids:
            raise ValidationError(_("nothing to merge: give at least two different candidates"))
        self.store.privacy_merge(tid, oids, coder=self.coder)
        return tid

    def privacy_split(self, variant: str) -> int:
        """Give one written form an entity of its own (grouped with the wrong one)."""
        if self.store.privacy_entity_of(variant) is None:
            raise NotFoundError(_("no written form {v!r}").format(v=variant))
        return self.store.privacy_split(variant, coder=self.coder)

    def privacy_set_category(self, ref: int | str, category: str) -> None:
        if category not in self.privacy_categories():
            raise ValidationError(_("unknown category {name!r}").format(name=category))
        self.store.privacy_set_category(self.privacy_entity(ref), category, coder=self.coder)

    def privacy_add_term(self, text: str, category: str, *, to: int | str | None = None,
                         ignore_case: bool = False) -> int:
        """Add what detection missed: ``text`` as a new accepted entity of ``category``,
        or as another written form of the entity ``to``; every document is searched."""
        text = " ".join(text.split())
        if len(text) < 2:
            raise ValidationError(_("a term needs at least two characters"))
        if category not in self.privacy_categories():
            raise ValidationError(_("unknown category {name!r}").format(name=category))
        existing = self.store.privacy_entity_of(text)
        if existing is not None:
            raise ValidationError(_("{text!r} is already a written form of candidate "
                                    "{id}").format(text=text, id=existing))
        if to is not None:
            eid = self.privacy_entity(to)
            self.store.privacy_add([], [{"text": text, "entity_id": eid, "fold": ignore_case,
                                         "source": "manual"}], coder=self.coder)
            self.store.privacy_add_sources(eid, ["manual"])
        else:
            from workbench.privacy.detect import Candidate, _gender
            gender = _gender(Candidate(text, category))
            eid = self.store.privacy_add([{"category": category, "label": text,
                                           "status": "accepted", "gender": gender,
                                           "sources": "manual"}],
                                         [{"text": text, "entity": 0, "fold": ignore_case,
                                           "source": "manual"}], coder=self.coder)[0]
        self.refresh_privacy_occurrences()
        return eid

    def privacy_remove_term(self, variant: str) -> None:
        if self.store.privacy_entity_of(variant) is None:
            raise NotFoundError(_("no written form {v!r}").format(v=variant))
        self.store.privacy_delete_variant(variant, coder=self.coder)
        self.refresh_privacy_occurrences()

    def privacy_preview(self, ref: int | str, *, style: str | None = None) -> dict[str, str]:
        """Each written form of an entity and the pseudonym it would get (assigning it)."""
        from workbench.privacy.apply import build_plan
        eid = self.privacy_entity(ref)
        plan = build_plan(self, style=style or self.privacy_settings()["style"])
        return {v: plan.render(v, v) for v, owner in plan.replaced.items() if owner == eid}

    # -- the pseudonymised copy -----------------------------------------------------------
    def pseudonymise(self, out: str | Path, key: str | Path, *, passphrase: str | None = None,
                     style: str | None = None, require_review: bool = False,
                     overwrite: bool = False, progress: ProgressFn | None = None,
                     cancelled: CancelledFn | None = None) -> dict:
        """Write a pseudonymised copy of this project to ``out`` (a new .wbproj; this
        project is left as it is) and the key to ``key`` (encrypted with ``passphrase``
        when given).  Candidates not reviewed are replaced unless ``require_review``
        makes them an error.  Returns a summary (replacements by category...)."""
        from workbench.privacy.apply import write_pseudonymised
        if style is not None and style not in STYLES:
            raise ValidationError(_("style must be tags or realistic"))
        return write_pseudonymised(self, out, key, passphrase=passphrase, style=style,
                                   require_review=require_review, overwrite=overwrite,
                                   progress=progress, cancelled=cancelled)

    def privacy_rules_summary(self, plan=None, *, style: str | None = None) -> dict:
        cats = self.privacy_categories()
        counts = self.store.privacy_category_counts()
        decided: dict[str, dict[str, int]] = {}
        for r in counts:
            decided.setdefault(r["category"], {})[r["status"]] = r["entities"]
        return {
            "style": style or self.privacy_settings()["style"],
            "sources": ["lists", "patterns", "project", "forms", "ner", "lexicon"],
            "ner_model": self.store.get_meta("privacy.ner_model") or "",
            "lists": json.loads(self.store.get_meta("privacy.lists") or "[]"),
            "policies": {name: c.action for name, c in cats.items()},
            "labels": {name: c.label for name, c in cats.items()},
            "entities": decided,
        }

    def privacy_summary(self) -> dict:
        """What was pseudonymised and how (for the report's methods annex): on a
        pseudonymised copy, the summary written with it; otherwise the state of the
        review and how many documents are not pseudonymised."""
        stored = self.store.get_meta("privacy.pseudonymised")
        states = self.store.privacy_document_states()
        pending = [d for d in states if not d["pseudonymised_at"] and not d["private"]]
        if stored:
            out = json.loads(stored)
            out["pseudonymised"] = True
        else:
            out = self.privacy_rules_summary()
            out["pseudonymised"] = False
        out["documents_not_pseudonymised"] = len(pending)
        return out

    def privacy_summary_lines(self) -> list[str]:
        """The methods annex's paragraph on pseudonymisation, sentence by sentence, in the
        interface language."""
        s = self.privacy_summary()
        lines = []
        if not s["pseudonymised"]:
            lines.append(_("This project is not pseudonymised: the excerpts quote the "
                           "transcripts as they were imported."))
            return lines
        cats = self.privacy_categories()
        labels = s.get("labels", {})
        sep = pgettext("privacy", "; ")
        style = _("tags such as [Prénom 12]") if s.get("style") == "tags" else \
            _("realistic French substitutes of the same gender")
        date = s.get("date", "")[:10]
        if len(date) == 10:
            date = f"{date[8:10]}/{date[5:7]}/{date[0:4]}"
        lines.append(_("The transcripts were pseudonymised on {date}: names and other "
                       "identifying details were replaced by {style}, the same pseudonym for "
                       "the same person or place throughout the project.").format(
                           date=date, style=style))
        rules = []
        if s.get("lists"):
            rules.append(_("the team's lists"))
        rules += [_("patterns (e-mail addresses, phone numbers, postal addresses, "
                    "social-security numbers with their key, dates of birth)"),
                  _("the speakers' and participants' names known to the project"),
                  _("French name forms (titles, « chez », « à »)")]
        if s.get("ner_model"):
            rules.append(_("the named-entity recogniser {model}").format(model=s["ner_model"]))
        lines.append(_("Detection: {rules}.").format(rules=sep.join(rules)))
        statuses: dict[str, int] = {}
        for per_status in s.get("entities", {}).values():
            for status, n in per_status.items():
                statuses[status] = statuses.get(status, 0) + n
        total = sum(statuses.values())
        if total:
            accepted, rejected = statuses.get("accepted", 0), statuses.get("rejected", 0)
            decided = {"a": npgettext("privacy", "{n} accepted", "{n} accepted",
                                      accepted).format(n=accepted),
                       "k": npgettext("privacy", "{n} rejected", "{n} rejected",
                                      rejected).format(n=rejected)}
            if statuses.get("pending"):
                lines.append(ngettext(
                    "The team reviewed {r} of {n} candidate ({a}, {k}); "
                    "those not reviewed were replaced, as their category says.",
                    "The team reviewed {r} of {n} candidates ({a}, {k}); "
                    "those not reviewed were replaced, as their category says.", total).format(
                        r=accepted + rejected, n=total, **decided))
            else:
                lines.append(ngettext(
                    "The team reviewed the {n} candidate ({a}, {k}).",
                    "The team reviewed all {n} candidates ({a}, {k}).",
                    total).format(n=total, **decided))
        kept = sorted(_(cats[c].title) if cats[c].title else labels.get(c, c)
                      for c, a in s.get("policies", {}).items() if a == "keep" and c in cats)
        if kept:
            lines.append(_("Kept as they are, by the team's choice: {cats}.").format(
                cats=sep.join(kept)))
        reps = s.get("replacements", {})
        if reps:
            def name(c: str) -> str:     # built-in categories translated, the team's own
                return privacy_category_label(c) if c in BUILTIN else labels.get(c, c)

            parts = [pgettext("privacy", "{label}: {n}").format(label=name(c), n=n)
                     for c, n in sorted(reps.items())]
            total = sum(reps.values())
            lines.append(ngettext("{n} replacement in the transcripts ({detail}).",
                                  "{n} replacements in the transcripts ({detail}).",
                                  total).format(n=total, detail=sep.join(parts)))
        if s.get("documents_not_pseudonymised"):
            lines.append(ngettext(
                "{n} document was added after the pseudonymisation and is not pseudonymised.",
                "{n} documents were added after the pseudonymisation and are not "
                "pseudonymised.", s["documents_not_pseudonymised"]).format(
                    n=s["documents_not_pseudonymised"]))
        return lines

    # -- the export guard -----------------------------------------------------------------
    def privacy_check_export(self) -> str | None:
        """Called by every export of transcript content.  When documents that are not
        private are not pseudonymised: an error if the project's export guard says so,
        otherwise a warning, once per open project.  Returns the warning, if any."""
        guard = self.store.get_meta("privacy.export_guard") or "warn"
        if guard == "off":
            return None
        states = self.store.privacy_document_states()
        pending = [d for d in states if not d["pseudonymised_at"] and not d["private"]]
        if not pending:
            return None
        message = ngettext(
            "{n} document of {project} is not pseudonymised: this export quotes names as "
            "they were spoken (workbench privacy, see docs/privacy.md).",
            "{n} documents of {project} are not pseudonymised: this export quotes names as "
            "they were spoken (workbench privacy, see docs/privacy.md).",
            len(pending)).format(n=len(pending), project=self.path.name)
        if guard == "error":
            raise PrivacyError(message + " " + _("(The project's export guard is set to "
                                                 "error: pseudonymise it first.)"))
        if getattr(self, "_privacy_warned", False):
            return None
        self._privacy_warned = True
        if self.on_warning is not None:
            self.on_warning(message)
        else:
            warnings.warn(message, PrivacyWarning, stacklevel=3)
        return message
