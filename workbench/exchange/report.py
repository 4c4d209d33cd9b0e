"""What bringing another project's work in did (or, previewed, would do): one report for
``workbench import X.qdpx`` and ``workbench merge``, element by element."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from workbench.i18n import _, colon, ngettext, npgettext, pgettext

from .conflicts import Conflict

#: how the summary names the other kinds it counts
def _kind_label(kind: str) -> str:
    return {"documents": pgettext("brought in", "documents"),
            "codes": pgettext("brought in", "codes"),
            "codings": pgettext("brought in", "codings"),
            "memos": pgettext("brought in", "memos"),
            "participants": pgettext("brought in", "participants"),
            "attributes": pgettext("brought in", "attributes"),
            "groups": pgettext("brought in", "groups"),
            "questions": pgettext("brought in", "evaluation questions"),
            "selections": pgettext("brought in", "selections"),
            "links": pgettext("brought in", "links and graphs")}[kind]

#: the kinds counted in ``new`` / ``matched`` (the top-level counts of :meth:`as_dict`)
COUNTED = ("documents", "codes", "codings", "memos", "participants", "coders", "questions",
           "groups", "selections", "attributes", "links", "cases", "waves")


@dataclass
class ExchangeReport:
    """Counts of what is new (``new``) and what matched something the project holds
    (``matched``) by kind; ``added`` names the documents, codes and coders added;
    ``modified``, ``removed`` and ``restored`` count what a choice changed, deleted or
    brought back; the conflicts with their choices; warnings; ``ids`` (the other side's
    GUID key -> local id, by kind)."""

    file: str = ""
    origin: str = ""
    mode: str = "import"           # "import" (default choices) or "merge" (choices needed)
    new: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)
    added: dict[str, list[str]] = field(default_factory=dict)
    modified: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    restored: Counter = field(default_factory=Counter)
    remapped: int = 0              # codings placed on our (edited) text at another offset
    not_placed: int = 0            # codings whose text is not in ours
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ids: dict[str, dict[str, object]] = field(default_factory=dict)
    skipped_codings: int = 0       # codings of the file not brought in (non-text sources, skips)
    dry_run: bool = False          # a preview: nothing written
    applied: bool = False

    # -- building ------------------------------------------------------------------------
    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def map(self, kind: str, key: str | None, local_id) -> None:
        if key:
            self.ids.setdefault(kind, {})[key] = local_id

    def add(self, kind: str, name: str) -> None:
        self.new[kind] += 1
        self.added.setdefault(kind, []).append(name)

    # -- reading -------------------------------------------------------------------------
    @property
    def pending(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.choice is None]

    @property
    def changed(self) -> bool:
        """True when the project changed (or, previewed, would change)."""
        return bool(sum(self.new.values()) or sum(self.modified.values())
                    or sum(self.removed.values()) or sum(self.restored.values()))

    # the names the merge report has always had
    documents_matched = property(lambda self: self.matched["documents"])
    documents_added = property(lambda self: list(self.added.get("documents", [])))
    codes_added = property(lambda self: list(self.added.get("codes", [])))
    codes_changed = property(lambda self: list(self.added.get("codes_changed", [])))
    coders_added = property(lambda self: list(self.added.get("coders", [])))
    codings_added = property(lambda self: self.new["codings"])
    codings_already_here = property(lambda self: self.matched["codings"])
    codings_removed = property(lambda self: self.removed["codings"])
    codings_restored = property(lambda self: self.restored["codings"])
    codings_remapped = property(lambda self: self.remapped)
    codings_not_placed = property(lambda self: self.not_placed)
    memos_added = property(lambda self: self.new["memos"])
    memos_changed = property(lambda self: self.modified["memos"])
    memos_already_here = property(lambda self: self.matched["memos"])
    source = property(lambda self: self.file)

    def as_dict(self) -> dict:
        """The whole report as plain data (the CLI's ``--format json``, the TUI): the
        counts of what is new at the top level, then by kind."""
        out: dict = {"file": self.file, "origin": self.origin, "mode": self.mode,
                     "dry_run": self.dry_run, "applied": self.applied}
        for kind in COUNTED:
            out[kind] = self.new.get(kind, 0)
        out["matched"] = dict(self.matched)
        out["new"] = dict(self.new)
        out["added"] = {k: list(v) for k, v in self.added.items()}
        out["modified"] = dict(self.modified)
        out["removed"] = dict(self.removed)
        out["restored"] = dict(self.restored)
        out["remapped"] = self.remapped
        out["not_placed"] = self.not_placed
        out["conflicts"] = [c.as_dict() for c in self.conflicts]
        out["pending"] = [c.id for c in self.pending]
        out["skipped_codings"] = self.skipped_codings
        out["warnings"] = list(self.warnings) + [c.message() for c in self.conflicts]
        out["ids"] = {k: dict(v) for k, v in self.ids.items()}
        return out

    def summary(self) -> list[str]:
        """What was done, in a few lines, then each conflict and its choice."""
        def line(kind: str, *counts: str) -> str:
            return colon(_kind_label(kind)) + " " + ", ".join(counts)

        lines = [
            line("documents", _matched(self.matched["documents"]),
                 _added(self.new["documents"])),
            line("codes", _added(self.new["codes"]), _renamed(self.modified["codes"])),
            line("codings", _added(self.new["codings"]), _here(self.matched["codings"]),
                 _removed(self.removed["codings"]), _restored(self.restored["codings"])),
            line("memos", _added(self.new["memos"] + self.restored["memos"]),
                 _changed(self.modified["memos"]), _here(self.matched["memos"])),
        ]
        for kind in ("participants", "attributes", "groups", "questions", "selections", "links"):
            if self.new[kind] or self.matched[kind]:
                feminine = kind in ("questions", "selections")
                lines.append(line(kind, _new(self.new[kind], feminine),
                                  _matched(self.matched[kind], feminine)))
        if self.remapped or self.not_placed:
            lines.append(_("codings on edited documents: {moved} placed on our text, "
                           "{lost} not placed (their text is not in ours)").format(
                moved=self.remapped, lost=self.not_placed))
        if self.added.get("coders"):
            lines.append(_("new coders: {names}").format(names=", ".join(self.added["coders"])))
        if self.skipped_codings:
            lines.append(ngettext("{n} coding of the file not brought in",
                                  "{n} codings of the file not brought in",
                                  self.skipped_codings).format(n=self.skipped_codings))
        for c in self.conflicts:
            lines.append(_("conflict {id}: {description} — ours: {ours}; theirs: {theirs} "
                           "→ {choice}").format(id=c.id, description=c.description or c.field,
                                                ours=_shown(c.ours), theirs=_shown(c.theirs),
                                                choice=_choice_label(c)))
        return lines


def _shown(value) -> str:
    from .conflicts import _short
    return _short(value)


def _choice_label(c: Conflict) -> str:
    if c.choice is None:
        return "?"
    label = choice_label(c.choice)
    if c.how == "default":
        return _("{choice} (default: the project's values are kept)").format(choice=label)
    if c.how == "remembered":
        return _("{choice} (remembered)").format(choice=label)
    return label


def choice_label(choice: str) -> str:
    """A conflict's choice as the user reads it."""
    return {"ours": pgettext("conflict choice", "ours"),
            "theirs": pgettext("conflict choice", "theirs"),
            "both": pgettext("conflict choice", "both"),
            "skip": pgettext("conflict choice", "leave theirs out"),
            "add": pgettext("conflict choice", "add theirs")}.get(choice, choice)


# counts agreeing with the noun they count (French: "1 ajouté", "3 sélections nouvelles")
def _matched(n: int, feminine: bool = False) -> str:
    if feminine:
        return npgettext("feminine", "{n} matched", "{n} matched", n).format(n=n)
    return npgettext("masculine", "{n} matched", "{n} matched", n).format(n=n)


def _new(n: int, feminine: bool = False) -> str:
    if feminine:
        return npgettext("feminine", "{n} new", "{n} new", n).format(n=n)
    return npgettext("masculine", "{n} new", "{n} new", n).format(n=n)


def _added(n: int) -> str:
    return ngettext("{n} added", "{n} added", n).format(n=n)


def _renamed(n: int) -> str:
    return ngettext("{n} renamed or moved", "{n} renamed or moved", n).format(n=n)


def _here(n: int) -> str:
    return ngettext("{n} already here", "{n} already here", n).format(n=n)


def _removed(n: int) -> str:
    return ngettext("{n} removed", "{n} removed", n).format(n=n)


def _restored(n: int) -> str:
    return ngettext("{n} restored", "{n} restored", n).format(n=n)


def _changed(n: int) -> str:
    return ngettext("{n} changed", "{n} changed", n).format(n=n)
