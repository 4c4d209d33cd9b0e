"""Display labels of the project's fixed vocabularies, in the current language, and the
words a user may type for them (one definition for the TUI, the CLI and the reports).

The stored values stay the English ids (``beneficiary``, ``coding.apply``,
``ecosystem``…); each has an English label marked ``N_`` here and translated where it
is shown, so French users see *bénéficiaire*, *codage*, *écosystème*.  What a user types is read back with
:func:`parse_actor` (``bénéficiaire``, ``beneficiaire``, ``stagiaire``,
``beneficiary`` → ``beneficiary``), and values that are not one of the vocabulary are
shown as they are.

    >>> from workbench.i18n import set_language
    >>> set_language("fr"); actor_label("trainer"), parse_actor("Formatrice")
    ('formateur', 'trainer')
"""
from __future__ import annotations

import unicodedata

from workbench.domain import ACTOR_TYPES
from workbench.i18n import N_, _, number, pgettext

__all__ = ["ACTIVITIES", "ACTOR_ALIASES", "ACTOR_LABELS", "ATTRIBUTE_TYPES", "MEMO_TARGETS",
           "ORIGINS", "QUERY_KINDS", "SIDES", "STATUSES", "TRIANGULATION_STATUSES",
           "activity_label", "actor_label", "attribute_type_label", "memo_target_label",
           "origin_label", "parse_actor", "privacy_category_label", "query_kind_label",
           "side_label", "status_label", "triangulation_status_label"]

# -- actor types --------------------------------------------------------------------
#: The type of actor a document or participant speaks for.
ACTOR_LABELS = {
    "beneficiary": N_("beneficiary"),
    "trainer": N_("trainer"),
    "operator": N_("operator"),
    "other": N_("other"),
}
assert tuple(ACTOR_LABELS) == ACTOR_TYPES


def _fold(text: str) -> str:
    """Lower case, no accents, no surrounding blanks: the key of a typed word."""
    decomposed = unicodedata.normalize("NFD", text.strip().casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: Every word accepted for an actor type (folded: no accents, lower case), English and
#: French, singular and plural, masculine and feminine.
ACTOR_ALIASES = {
    **{a: a for a in ACTOR_TYPES},
    "beneficiaries": "beneficiary", "beneficiaire": "beneficiary",
    "beneficiaires": "beneficiary", "stagiaire": "beneficiary", "stagiaires": "beneficiary",
    "trainers": "trainer", "formateur": "trainer", "formateurs": "trainer",
    "formatrice": "trainer", "formatrices": "trainer", "formateur·rice": "trainer",
    "operators": "operator", "operateur": "operator", "operateurs": "operator",
    "operatrice": "operator", "operatrices": "operator", "others": "other", "autre": "other",
    "autres": "other",
}


def actor_label(value: str | None) -> str:
    """The actor type ``value`` in the current language ('' for none; an unknown value as
    it is)."""
    if not value:
        return ""
    msgid = ACTOR_LABELS.get(value)
    return _(msgid) if msgid else str(value)


def parse_actor(text: str | None) -> str | None:
    """The actor type id a user typed, in English or French (``bénéficiaire``,
    ``formatrice``, ``trainer``…); None when it is not an actor type."""
    if text is None:
        return None
    return ACTOR_ALIASES.get(_fold(str(text)))


# -- evaluation question sides ("volets") ----------------------------------------------
SIDES = {
    "beneficiaries": N_("beneficiaries"),
    "ecosystem": N_("ecosystem"),
    "training_bodies": N_("training bodies"),
    "trainers": N_("trainers"),
}


def side_label(value: str | None) -> str:
    if not value:
        return ""
    msgid = SIDES.get(value)
    return _(msgid) if msgid else str(value)


# -- where a coding comes from, and its status --------------------------------------------
ORIGINS = {"manual": N_("manual"), "rule": N_("rule"), "topic": N_("topic"),
           "imported": N_("imported")}
STATUSES = {"accepted": N_("accepted"), "candidate": N_("candidate")}


def origin_label(value: str | None) -> str:
    if not value:
        return ""
    msgid = ORIGINS.get(value)
    return _(msgid) if msgid else str(value)


def status_label(value: str | None) -> str:
    if not value:
        return ""
    msgid = STATUSES.get(value)
    return _(msgid) if msgid else str(value)


# -- what became of one file of an import ---------------------------------------------------


def import_status_label(value: str | None) -> str:
    """``imported``/``failed``/``duplicate`` in the user's words."""
    if value == "imported":
        return pgettext("import status", "imported")
    if value == "failed":
        return pgettext("import status", "failed")
    if value == "duplicate":
        return pgettext("import status", "already in the project")
    return str(value or "")


# -- what a memo is written on ------------------------------------------------------------
MEMO_TARGETS = {"project": N_("project"), "document": N_("document"), "code": N_("code"),
                "coding": N_("coding"), "segment": N_("turn"), "participant": N_("participant"),
                "question": N_("evaluation question")}


def memo_target_label(kind: str | None) -> str:
    if not kind:
        return ""
    msgid = MEMO_TARGETS.get(kind)
    return _(msgid) if msgid else str(kind)


# -- participant attribute types ----------------------------------------------------------
ATTRIBUTE_TYPES = {"nominal": N_("nominal"), "ordinal": N_("ordinal"), "numeric": N_("numeric"),
                   "date": N_("date"), "boolean": N_("yes/no")}


def attribute_type_label(kind: str | None) -> str:
    if not kind:
        return ""
    msgid = ATTRIBUTE_TYPES.get(kind)
    return _(msgid) if msgid else str(kind)


# -- triangulation: what each actor type says of a theme ----------------------------------
TRIANGULATION_STATUSES = {"convergent": N_("convergent"), "more": N_("more"),
                          "less": N_("less"), "silence": N_("silence"),
                          "no data": N_("no data")}


def triangulation_status_label(value: str | None) -> str:
    if not value or value != value:      # None, '' or NaN
        return ""
    msgid = TRIANGULATION_STATUSES.get(value)
    return _(msgid) if msgid else str(value)


# -- kinds of saved queries --------------------------------------------------------------
QUERY_KINDS = {"query": N_("excerpts"), "matrix": N_("matrix"),
               "cooccurrence": N_("co-occurrence"), "participants": N_("participants × codes"),
               "triangulation": N_("triangulation"), "joint": N_("joint display"),
               "outcome": N_("outcome × code"), "dossier": N_("question dossier")}


def query_kind_label(kind: str | None) -> str:
    if not kind:
        return ""
    msgid = QUERY_KINDS.get(kind)
    return _(msgid) if msgid else str(kind)


# -- the change log's actions ----------------------------------------------------------
#: what each action name of the change log (and of undo) means.
ACTIVITIES = {
    "project.create": N_("project created"),
    "project.import_qdpx": N_("REFI-QDA project imported"),
    "document.import": N_("document imported"),
    "document.update": N_("document updated"),
    "document.delete": N_("document deleted"),
    "participants.import": N_("participants imported"),
    "participant.link": N_("participant linked"),
    "participant.unlink": N_("participant unlinked"),
    "participants.bulk_link": N_("participants linked"),
    "attribute.private": N_("attribute privacy changed"),
    "code.create": N_("code created"),
    "code.update": N_("code updated"),
    "code.rename": N_("code renamed"),
    "code.move": N_("code moved"),
    "code.merge": N_("codes merged"),
    "code.split": N_("code split"),
    "code.delete": N_("code deleted"),
    "coding.apply": N_("coding"),
    "coding.apply_segments": N_("coding"),
    "coding.remove": N_("coding removed"),
    "coding.accept": N_("candidate codings accepted"),
    "coding.reject": N_("candidate codings rejected"),
    "codings.bulk_insert": N_("codings imported"),
    "questions.bulk_insert": N_("evaluation questions imported"),
    "memo.add": N_("memo"),
    "memo.update": N_("memo edited"),
    "memo.delete": N_("memo deleted"),
    "autocode": N_("autocoding"),
    "codebook.import": N_("codebook imported"),
    "codebook.export": N_("codebook exported"),
    "query.save": N_("query saved"),
    "query.delete": N_("query deleted"),
    "topics.run": N_("topic model run"),
    "topics.delete": N_("topic model run deleted"),
    "topics.label": N_("topic labelled"),
    "topics.promote": N_("topic promoted to a code"),
    "undo": N_("undone"),
    "redo": N_("redone"),
}


def activity_label(action: str | None) -> str:
    """What the change-log action ``action`` (``coding.apply``…) means, in the current
    language (an action without a label is shown as it is)."""
    if not action:
        return ""
    msgid = ACTIVITIES.get(action)
    return _(msgid) if msgid else str(action)


# -- pseudonymisation categories ------------------------------------------------------
def privacy_category_label(category: str | None) -> str:
    """A pseudonymisation category's short name (the built-in ones translated, a team's
    own category as it is named)."""
    names = {
        "person": pgettext("privacy category", "person"),
        "place": pgettext("privacy category", "place"),
        "small_town": pgettext("privacy category", "small town"),
        "organisation": pgettext("privacy category", "organisation"),
        "employer": pgettext("privacy category", "employer"),
        "training_body": pgettext("privacy category", "training body"),
        "institution": pgettext("privacy category", "public service"),
        "email": pgettext("privacy category", "e-mail"),
        "phone": pgettext("privacy category", "phone"),
        "address": pgettext("privacy category", "address"),
        "nir": pgettext("privacy category", "NIR"),
        "birth_date": pgettext("privacy category", "date of birth"),
    }
    return names.get(category or "", category or "")


# -- a value in a table a person reads ------------------------------------------------------
def value_text(value) -> str:
    """A value as a reader sees it in a table or a report, typed as imported: ``oui`` /
    ``non`` (``yes``/``no``) for a yes/no, ``2021-10-04`` for a date without its time,
    decimals in the reader's language (``16,7``), blank for a missing value.  Machine
    outputs (csv, json, spreadsheet cells) keep the value itself."""
    if value is None:
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return _("yes") if value else _("no")
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        return number(value)
    if hasattr(value, "hour") and hasattr(value, "date") and callable(value.date):
        if value != value:              # NaT
            return ""
        if (value.hour, value.minute, value.second, getattr(value, "microsecond", 0)) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value)
