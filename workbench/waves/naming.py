"""Names of waves and case kinds: which a project knows, and the rule that a new one is
made only on request (as for programmes, :mod:`workbench.programmes`): a misspelt wave
(``sortei`` for ``sortie``) would silently split a panel in two.  Case does not matter:
``Sortie`` is ``sortie``."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from workbench.domain import ValidationError
from workbench.i18n import N_, _, located
from workbench.programmes import suggestions

__all__ = ["UnknownWaveError", "check_kind", "clean_name", "existing_wave", "resolve_wave"]

_KIND = re.compile(r"[^\W\d]\w*")


class UnknownWaveError(ValidationError):
    title = N_("Unknown wave")


def clean_name(name) -> str:
    return unicodedata.normalize("NFC", str(name)).strip()


def resolve_wave(name: str | None, known: Iterable[str], *, new: bool = False,
                 where: str | None = None) -> str | None:
    """The wave ``name`` refers to: a wave of the project (whatever the case), or ``name``
    itself when ``new`` asks to create it (it then comes after the project's waves).

    :raises UnknownWaveError: an unknown wave and ``new`` not set; the message lists the
        project's waves and the closest ones.
    """
    if name is None or not clean_name(name):
        return None
    name = clean_name(name)
    known = list(known)
    by_key = {k.casefold(): k for k in known}
    if name.casefold() in by_key:
        return by_key[name.casefold()]
    if new:
        return name
    close = suggestions(name, known)
    hint = _(" (did you mean {names}?)").format(names=", ".join(close)) if close else ""
    message = _("unknown wave {name!r}{hint}; the project's waves: {known}. Define the waves "
                "in order first (workbench waves set PROJECT entrée sortie \"6 mois\"), or "
                "create this one explicitly (--new-wave, or new_wave = oui in a manifest)"
                ).format(name=name, hint=hint, known=", ".join(known) or _("none"))
    raise UnknownWaveError(located(where, message) if where else message)


def existing_wave(name: str | None, known: Iterable[str]) -> str:
    """The project's wave ``name`` refers to (whatever the case); a blank name or an
    unknown wave is an error (:func:`resolve_wave`'s message)."""
    wave = resolve_wave(name, known)
    if wave is None:
        raise UnknownWaveError(_("a wave needs a name"))
    return wave


def check_kind(kind: str | None) -> str:
    """A case kind: one word (``site``, ``organisation``, ``employeur``...), kept in lower
    case; the query language's own prefixes are refused."""
    from workbench.query.cases import RESERVED_KINDS
    text = clean_name(kind or "")
    if not text or not _KIND.fullmatch(text):
        raise ValidationError(_("a case kind is one word of letters, digits and _ (e.g. "
                                "site, organisation), got {kind!r}").format(kind=text))
    text = text.casefold()
    if text in RESERVED_KINDS:
        raise ValidationError(_("{kind!r} cannot be a case kind: the query language gives "
                                "that name to something else").format(kind=text))
    return text
