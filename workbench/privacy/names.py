"""The parts of a person's name as a transcript writes it, and the rendering of a
pseudonym in the same shape.

A *shape* says which parts a written form holds: ``first`` ("Karima"), ``last``
("Benali", "LEFRANC"), ``full`` ("Karima Benali"), ``first_initial`` ("Karima B."),
``title_initial`` ("Mme D.").  The same person's pseudonym is then written in the shape
of each form: "Nadia", "Lemoine", "Nadia Lemoine", "Nadia L.", "Mme L.", or with tags
"[Prénom 12]", "[Nom 12]", "[Prénom 12] [Nom 12]", "Mme [Nom 12]", "M. [Nom 12]".
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.privacy.lexicon import TITLES, fold, is_first_name

SHAPES = ("first", "last", "full", "first_initial", "initial_last", "title_last",
          "title_initial")
_INITIAL = re.compile(r"^[A-ZÀ-Ý]\.$")


@dataclass(frozen=True)
class PersonName:
    shape: str
    first: str = ""
    last: str = ""
    initial: str = ""     # a surname's initial ("B" of "Karima B.")
    first_initial: str = ""   # a first name's initial ("C" of "C. Maréchal")
    title: str = ""       # kept as written in title_last and title_initial forms

    @property
    def first_key(self) -> str:
        return fold(self.first)

    @property
    def last_key(self) -> str:
        return fold(self.last)


def parse_person(surface: str) -> PersonName:
    words = surface.split()
    title = ""
    if len(words) > 1 and words[0] in TITLES:
        title, words = words[0], words[1:]
    if len(words) == 1:
        w = words[0]
        if _INITIAL.match(w):
            return PersonName("title_initial", initial=w[0], title=title)
        if title:
            return PersonName("title_last", last=w, title=title)
        if not title and is_first_name(w) and not (w.isupper() and len(w) > 3):
            return PersonName("first", first=w)
        return PersonName("last", last=w)
    if _INITIAL.match(words[-1]):
        return PersonName("first_initial", first=" ".join(words[:-1]), initial=words[-1][0])
    if _INITIAL.match(words[0]):
        return PersonName("initial_last", last=" ".join(words[1:]), first_initial=words[0][0])
    # first names first ("Jean Pierre Martin"), the rest is the surname ("de La Tour")
    i = 1
    while i < len(words) - 1 and is_first_name(words[i]):
        i += 1
    return PersonName("full", first=" ".join(words[:i]), last=" ".join(words[i:]))


def render(shape: PersonName, first: str, last: str, surface: str) -> str:
    """A realistic pseudonym (``first``, ``last``) written in the shape of ``surface``."""
    if shape.shape == "first":
        out = first
    elif shape.shape == "last":
        out = last
    elif shape.shape == "full":
        out = f"{first} {last}"
    elif shape.shape == "first_initial":
        out = f"{first} {last[:1]}."
    elif shape.shape == "initial_last":
        out = f"{first[:1]}. {last}"
    elif shape.shape == "title_last":
        out = f"{shape.title} {last.upper() if surface.split()[-1].isupper() else last}"
        return out
    else:
        out = f"{shape.title} {last[:1]}."
    return out.upper() if surface.isupper() and len(surface) > 2 else out


def render_tag(shape: PersonName, number: int, first_tag: str, last_tag: str) -> str:
    if shape.shape == "first":
        return f"[{first_tag} {number}]"
    if shape.shape == "last":
        return f"[{last_tag} {number}]"
    if shape.shape in ("title_initial", "title_last"):
        return f"{shape.title} [{last_tag} {number}]"
    return f"[{first_tag} {number}] [{last_tag} {number}]"


def gender_hint(surface: str) -> str:
    words = surface.split()
    return TITLES.get(words[0], "") if len(words) > 1 else ""
