"""Which programmes a project knows, and the rule that a new one is made only on request.

A document's programme ties it to a codebook and to the programme's evaluation
questions; a misspelt programme (``pct`` for ``pct_illettrisme``) silently splits the
corpus in two.  So an import names a **known** programme -- one of the PIC programmes
(:data:`workbench.domain.PROGRAMME_LABELS`), a programme of the project's codebooks
(their evaluation questions) or of its documents -- or says explicitly that it creates a
new one (``new_programme``).  Case does not matter: ``Avenir`` is ``avenir``.
"""
from __future__ import annotations

import difflib
import unicodedata
from typing import Iterable

from workbench.domain import PROGRAMME_LABELS, ValidationError
from workbench.i18n import N_, _, located

__all__ = ["UnknownProgrammeError", "known_programmes", "resolve_programme"]


class UnknownProgrammeError(ValidationError):
    title = N_("Unknown programme")


def known_programmes(store) -> list[str]:
    """The PIC programmes, then those of the project's codebooks and documents, sorted."""
    found = set(PROGRAMME_LABELS) | set(store.programme_names())
    return sorted(found, key=lambda p: (p not in PROGRAMME_LABELS, p.casefold()))


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", name).strip().casefold()


def suggestions(name: str, known: Iterable[str]) -> list[str]:
    """Known programmes a user may have meant: same start, contained, or close spelling."""
    key = _key(name)
    known = list(known)
    near = [k for k in known if key and (_key(k).startswith(key) or key in _key(k))]
    near += [k for k in difflib.get_close_matches(key, [_key(k) for k in known], n=3, cutoff=0.6)
             if k not in near]
    by_key = {_key(k): k for k in known}
    return [by_key.get(_key(k), k) for k in near][:3]


def resolve_programme(name: str | None, known: Iterable[str], *, new: bool = False,
                      where: str | None = None) -> str | None:
    """The programme ``name`` refers to: a known one (whatever the case), or ``name``
    itself when ``new`` asks to create it.

    :raises UnknownProgrammeError: an unknown programme and ``new`` not set; the message
        lists the known programmes and the closest ones.
    """
    if name is None or not str(name).strip():
        return None
    name = unicodedata.normalize("NFC", str(name)).strip()
    known = list(known)
    by_key = {_key(k): k for k in known}
    if _key(name) in by_key:
        return by_key[_key(name)]
    if new:
        return name
    close = suggestions(name, known)
    hint = _(" (did you mean {names}?)").format(names=", ".join(close)) if close else ""
    message = _("unknown programme {name!r}{hint}; known programmes: {known}. To create a new "
                "programme, ask for it explicitly (--new-programme, or new_programme = oui in "
                "a manifest)").format(name=name, hint=hint, known=", ".join(known))
    raise UnknownProgrammeError(located(where, message) if where else message)
