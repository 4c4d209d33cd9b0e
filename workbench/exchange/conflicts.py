"""The one conflict model of everything brought in from another project (a ``.qdpx``
import, a merge of a ``.wbproj`` or of a ``.qdpx``).

A **conflict** is something the other side has differently and that cannot be decided
without the user: a code renamed or moved, a value that differs (a code's definition, a
participant's age, a document's programme), a document whose text differs, a coding or
a memo deleted on one side, a memo edited on both sides, a new document whose name is
taken.  Each has a stable id (``code:<guid>``, ``participant:P0001:age``...), the two
values, and its choices: ``ours`` keeps the project's value, ``theirs`` takes the other
side's, ``both`` (memos) keeps ours and adds theirs beside it, ``skip`` leaves the other
side's item out, ``add`` adds it under another name.  A value the project cannot hold
(text in a numeric attribute, another attribute type) has the single choice ``ours``
and says why (``reason``).

Who decides, in order: the choice given for that id; the choice remembered from an
earlier merge of the same value (table ``merge_decisions``); ``prefer`` (one choice for
every conflict that offers it); the **default** — "keep the project's values", the
choice ``workbench import`` applies and states — when the entry point has one.  A merge
has no default: a conflict left without a choice stops it before anything is written
(:class:`ConflictsNeedChoice`).  Given and preferred choices are remembered once the
work is written, so bringing the same file in again asks nothing new.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from workbench.domain import ValidationError, WorkbenchError
from workbench.i18n import N_, _, located, ngettext, pgettext

#: kinds of element a conflict names (pgettext context "element")
KINDS = ("participant", "attribute", "code", "document", "memo", "coding", "user", "group",
         "selection", "document field", "case", "case field")

OURS, THEIRS, BOTH, SKIP, ADD = "ours", "theirs", "both", "skip", "add"
CHOICES = (OURS, THEIRS, BOTH, SKIP, ADD)
#: where a conflict's choice came from
HOW = ("given", "remembered", "preferred", "default", "only")


@dataclass
class Conflict:
    """One difference that needs a choice (see the module docstring)."""

    id: str                       # stable: "<kind>:<guid or id>[:<field>]"
    kind: str                     # an element kind of KINDS
    item: str                     # the item as the user knows it (code path, document name...)
    field: str                    # what differs: "path", "text", "deleted", "definition", "age"...
    ours: object                  # the project's value (None: it has none)
    theirs: object                # the other side's value
    choices: tuple[str, ...]
    default: str = OURS           # "keep the project's values" (import's default)
    description: str = ""         # one sentence saying what happened
    reason: str = ""              # why the other side's value cannot be taken
    choice: str | None = None
    how: str = ""                 # one of HOW once decided

    @property
    def remembered(self) -> bool:
        return self.how == "remembered"

    @property
    def kept(self) -> str:
        """Whose value the project holds after the choice: "project", "file" or "both"."""
        return {THEIRS: "file", ADD: "file", BOTH: "both"}.get(self.choice or "", "project")

    def key(self) -> tuple[str, str]:
        """What a remembered decision is keyed by: the conflict and the other side's
        value (a value that changes again asks again)."""
        return self.id, _text(self.theirs)

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "item": self.item, "field": self.field,
                "project": self.ours, "file": self.theirs, "choices": list(self.choices),
                "choice": self.choice or "", "how": self.how, "kept": self.kept,
                "reason": self.reason, "description": self.description}

    def title(self) -> str:
        """What differs, in a few words, before any choice (a dialog's title)."""
        what = self.description or _("{field} differs").format(field=self.field)
        return _("{kind} {item}: {what}").format(kind=pgettext("element", self.kind),
                                                 item=self.item, what=what)

    def message(self) -> str:
        """One sentence for a report: what differs and what the project holds now."""
        values = dict(kind=pgettext("element", self.kind), item=self.item, field=self.field,
                      file=_short(self.theirs), project=_short(self.ours), reason=self.reason,
                      description=self.description, choice=self.choice or "?")
        if self.reason:
            return _("{kind} {item}: {field} = {file!r} not written ({reason}); "
                     "the project keeps {project!r}").format(**values)
        if self.description:
            return _("{kind} {item}: {description} (ours: {project}; theirs: {file}) "
                     "→ {choice}").format(**values)
        if self.kept == "file":
            return _("{kind} {item}: {field} {project!r} replaced by {file!r}").format(**values)
        if self.kept == "both":
            return _("{kind} {item}: {field} {file!r} added beside {project!r}").format(**values)
        return _("{kind} {item}: {field} is {file!r} in the file, the project keeps "
                 "{project!r}").format(**values)


class Resolution:
    """Who decides each conflict: the given choices (by conflict id), the remembered
    decisions, ``prefer`` (for every conflict that offers it), then ``default`` (True:
    each conflict's default, "keep the project's values"; False: none, the conflict
    stays pending)."""

    def __init__(self, choices: dict[str, str] | None = None, *, prefer: str | None = None,
                 default: bool = False,
                 remembered: dict[tuple[str, str], str] | None = None) -> None:
        self.choices = dict(choices or {})
        self.prefer = prefer
        self.default = default
        self.remembered = dict(remembered or {})
        if prefer is not None and prefer not in CHOICES:
            raise ValidationError(_("prefer must be one of: {choices}").format(
                choices=", ".join(CHOICES)))

    def decide(self, c: Conflict) -> Conflict:
        picked, how = None, ""
        if len(c.choices) == 1:
            picked, how = c.choices[0], "only"
        elif c.id in self.choices:
            picked, how = self.choices[c.id], "given"
        elif c.key() in self.remembered:
            picked, how = self.remembered[c.key()], "remembered"
        elif self.prefer in c.choices:
            picked, how = self.prefer, "preferred"
        elif self.default:
            picked, how = c.default, "default"
        if picked is not None and picked not in c.choices:
            if how == "remembered":        # a decision about a conflict that has changed
                picked, how = (c.default, "default") if self.default else (None, "")
            else:
                raise ValidationError(_("conflict {id}: choice {choice!r} is not one of "
                                        "{choices}").format(id=c.id, choice=picked,
                                                            choices=", ".join(c.choices)))
        c.choice, c.how = picked, how
        return c


class ConflictsNeedChoice(WorkbenchError):
    """Conflicts need a choice before anything is written (a merge has no default)."""

    title = N_("Merge conflicts")

    def __init__(self, report) -> None:
        pending = [c for c in report.conflicts if c.choice is None]
        lines = [ngettext("{n} conflict needs a choice; nothing was merged:",
                          "{n} conflicts need a choice; nothing was merged:",
                          len(pending)).format(n=len(pending))]
        for c in pending:
            lines.append("  " + located(c.id, _(
                "{kind} {item}: {description} — ours: {ours}; theirs: {theirs}; choices: "
                "{choices}").format(kind=pgettext("element", c.kind), item=c.item,
                                    description=c.description or c.field, ours=_short(c.ours),
                                    theirs=_short(c.theirs), choices=", ".join(c.choices))))
        super().__init__("\n".join(lines))
        self.report = report


def decisions_to_remember(conflicts: Iterable[Conflict]) -> list[tuple[str, str, str]]:
    """(conflict id, their value, choice) of the choices made for these conflicts that
    were given or preferred (a default or a single choice is not a decision)."""
    return [(*c.key(), c.choice) for c in conflicts
            if c.how in ("given", "preferred") and c.choice is not None]


def _text(value) -> str:
    return "" if value is None else str(value)


def _short(value, n: int = 60) -> str:
    if value is None:
        return "—"
    text = " ".join(str(value).split())
    return text if len(text) <= n else text[:n - 1] + "…"
