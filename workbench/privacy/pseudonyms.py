"""Pseudonyms: one per entity, the same in every document, chosen once and kept.

Two styles, chosen by the user:

* ``tags``: ``[Prénom 12]``, ``[Nom 12]``, ``[Ville 3]``, ``[Employeur 2]``: the word is
  the category's tag label (people: Prénom and Nom with one number per person), the
  number counts entities of that label in the order they were found;
* ``realistic``: French substitutes from Faker's ``fr_FR`` provider and the French first
  and last names of :func:`workbench.privacy.lexicon.substitute_names`, seeded by the
  project's seed and the entity (reproducible), keeping the gender the original first
  name (or a title) tells; identifiers (e-mail, phone, address, NIR, date of birth)
  always get tags, so that no invented number can belong to someone.

A substitute is never one of the project's detected written forms (any status), so a
kept name and a pseudonym can never be confused, and re-identification is unambiguous.
Numbers and substitutes are stored with the entity (in the original project only): a
new document, or a new pseudonymised copy, gives the same person the same pseudonym.
"""
from __future__ import annotations

import json
import random
import re
from typing import Iterable, Sequence

from workbench.domain import ValidationError
from workbench.i18n import _
from workbench.privacy import lexicon
from workbench.privacy.categories import FIRST_NAME_TAG, LAST_NAME_TAG, STYLES, Category
from workbench.privacy.names import parse_person, render, render_tag



def _faker(seed: int):
    from faker import Faker
    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    return fake


def no_free_pseudonym() -> str:
    return _("no free pseudonym left: every substitute of the lists is taken or would "
             "write a detected name; use the tags style")


class Pseudonyms:
    """Assigns numbers and substitutes to entities and writes them for each variant."""

    def __init__(self, entities: Sequence[dict], categories: dict[str, Category], *,
                 style: str, seed: int, taken: Iterable[str] = ()):
        if style not in STYLES:
            raise ValidationError(_("unknown pseudonym style {style!r} (use {styles})").format(
                style=style, styles=", ".join(STYLES)))
        self.entities = {e["id"]: dict(e) for e in entities}
        self.categories = categories
        self.style = style
        self.seed = seed
        self.taken = {lexicon.fold(t) for t in taken}
        for e in entities:
            for v in e.get("variants", ()):
                self.taken.add(lexicon.fold(v))
        # every detected written form: no substitute may be written like one of them
        # (a last name drawn with the same initial writes "Mme D." as "Mme D.")
        self.originals = {lexicon.fold(v) for e in entities for v in e.get("variants", ())}
        self._clash: re.Pattern[str] | None = None
        self.changed: list[tuple[int, int | None, str | None]] = []
        self.redrawn: list[tuple[int, str | None]] = []    # stale substitutes replaced

    def clashes(self, value: str) -> bool:
        """Whether a substitute writes a detected form as a word of its own (Faker's
        "Sainte Thierry" when Thierry is someone in the transcripts; "Dupont SARL" for a
        Mr Dupont): the copy's final check would find that form and refuse the copy."""
        if not self.originals:
            return False
        if self._clash is None:
            forms = sorted(self.originals, key=len, reverse=True)
            self._clash = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, forms)) +
                                     r")(?![^\W_])")
        return self._clash.search(lexicon.fold(value)) is not None

    # -- assignment -----------------------------------------------------------------
    def series(self, entity: dict) -> str:
        cat = self.categories[entity["category"]]
        return "person" if cat.kind == "person" else cat.label

    def assign(self, entity_ids: Iterable[int]) -> None:
        """Give each entity (in id order) a number and, in the realistic style, a
        substitute, keeping those already assigned (unless one now writes a detected
        form: :meth:`_stale`)."""
        entity_ids = sorted(set(entity_ids))
        wanted = set(entity_ids)
        used: dict[str, set[int]] = {}
        for e in self.entities.values():
            if e.get("number") is not None:
                used.setdefault(self.series(e), set()).add(e["number"])
            if self.style == "realistic" and e.get("pseudonym") and e["id"] in wanted and \
                    self._stale(e):
                e["stale"] = e["pseudonym"]
                e["pseudonym"] = None          # drawn again below
            if e.get("pseudonym"):
                for part in json.loads(e["pseudonym"]).values():
                    self.taken.add(lexicon.fold(part))
        for eid in entity_ids:
            e = self.entities[eid]
            number, pseudonym = e.get("number"), e.get("pseudonym")
            stale = e.pop("stale", None)
            before = (number, stale or pseudonym)
            if number is None:
                taken = used.setdefault(self.series(e), set())
                number = max(taken, default=0) + 1
                taken.add(number)
                e["number"] = number
            if pseudonym is None and self.style == "realistic" and \
                    self.categories[e["category"]].kind != "identifier":
                pseudonym = json.dumps(self._substitute(e), ensure_ascii=False)
                e["pseudonym"] = pseudonym
            if stale is not None:
                self.redrawn.append((eid, pseudonym))
            if (number, pseudonym) != before:
                self.changed.append((eid, number, pseudonym))

    def _fresh(self, draw) -> str:
        for _attempt in range(200):
            value = draw()
            if lexicon.fold(value) not in self.taken and not self.clashes(value):
                self.taken.add(lexicon.fold(value))
                return value
        raise ValidationError(no_free_pseudonym())   # pragma: no cover - 1,000+ names

    def _stale(self, e: dict) -> bool:
        """Whether a substitute kept from an earlier copy now writes a detected form
        (a document added since brought a Thierry while a place was "Sainte Thierry"):
        it is drawn again, or the copy would refuse itself at every attempt."""
        try:
            parts = json.loads(e["pseudonym"])
        except (TypeError, ValueError):
            return True
        if not isinstance(parts, dict):
            return True
        if "first" in parts or "last" in parts:
            return any(self.clashes(render(parse_person(v), parts.get("first") or "",
                                           parts.get("last") or "", v))
                       for v in e.get("variants", ()))
        return self.clashes(str(parts.get("text", "")))

    def _substitute(self, e: dict) -> dict:
        rng = random.Random(f"{self.seed}/{e['category']}/{e['id']}")
        kind = self.categories[e["category"]].kind
        if kind == "person":
            female, male, last = lexicon.substitute_names()
            gender = e.get("gender") or self._gender(e)
            pool = female if gender == "f" else male if gender == "m" else female + male
            for _attempt in range(200):
                first, surname = rng.choice(pool), rng.choice(last)
                if lexicon.fold(first) in self.taken or lexicon.fold(surname) in self.taken:
                    continue
                if any(self.clashes(render(parse_person(v), first, surname, v))
                       for v in e.get("variants", ())):
                    continue
                self.taken.update((lexicon.fold(first), lexicon.fold(surname)))
                return {"first": first, "last": surname}
            raise ValidationError(no_free_pseudonym())   # pragma: no cover
        fake = _faker(rng.randrange(2 ** 31))
        if kind == "place":
            return {"text": self._fresh(fake.city)}
        return {"text": self._fresh(lambda: fake.company().replace(",", ""))}

    def _gender(self, e: dict) -> str:
        for v in e.get("variants", ()):
            name = parse_person(v)
            if name.first:
                g = lexicon.gender_of(name.first.split()[0])
                if g:
                    return g
        return ""

    # -- writing ----------------------------------------------------------------------
    def render(self, entity_id: int, variant: str, surface: str | None = None) -> str:
        """The pseudonym of ``entity_id`` in the shape of ``variant`` (as written in
        ``surface``, for capitals)."""
        e = self.entities[entity_id]
        cat = self.categories[e["category"]]
        surface = surface or variant
        number = e["number"]
        if cat.kind == "person":
            shape = parse_person(variant)
            if self.style == "realistic" and e.get("pseudonym"):
                p = json.loads(e["pseudonym"])
                return render(shape, p["first"], p["last"], surface)
            return render_tag(shape, number, FIRST_NAME_TAG, LAST_NAME_TAG)
        if self.style == "realistic" and e.get("pseudonym"):
            text = json.loads(e["pseudonym"])["text"]
            return text.upper() if surface.isupper() and len(surface) > 2 else text
        return f"[{cat.label} {number}]"
