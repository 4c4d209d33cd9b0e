"""What kinds of personal data Workbench detects, and what happens to each by default.

A *category* has a tag label (the word in ``[Prénom 12]``, ``[Ville 3]``: French, since
it is written into French transcripts whatever the interface language), a *kind* that
says how a realistic substitute is made (a person, a place, an organisation, or an
identifier that always gets a tag), and a default action (``replace`` or ``keep``).
Teams add their own categories in their lists file (see :mod:`workbench.privacy.lists`)
and change any category's action in the project (``workbench privacy policy``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from workbench.i18n import N_

ACTIONS = ("replace", "keep")
KINDS = ("person", "place", "organisation", "identifier")
#: how replaced spans are written: [Tag] or realistic substitutes
STYLES = ("tags", "realistic")


@dataclass(frozen=True)
class Category:
    name: str          # identifier used in the project, the CLI and the lists file
    label: str         # the tag word written into pseudonymised texts (French)
    kind: str          # person | place | organisation | identifier
    action: str        # replace | keep (default; the project may override)
    title: str = ""    # what the category is, for listings (an English msgid)

    def with_action(self, action: str) -> "Category":
        return replace(self, action=action)

    @property
    def example_tag(self) -> str:
        """The first tag this category writes (a person's first name: ``[Prénom 1]``)."""
        return f"[{FIRST_NAME_TAG if self.kind == 'person' else self.label} 1]"


#: The built-in categories (identifier -> definition), in the order listings show them.
BUILTIN: dict[str, Category] = {c.name: c for c in (
    Category("person", "Personne", "person", "replace", N_("people's names (first names, surnames)")),
    Category("place", "Lieu", "place", "replace", N_("places (towns, villages, districts)")),
    Category("small_town", "Ville", "place", "replace", N_("small towns (the team's list)")),
    Category("organisation", "Organisation", "organisation", "replace", N_("organisations (firms, associations)")),
    Category("employer", "Employeur", "organisation", "replace", N_("employers (the team's list)")),
    Category("training_body", "Organisme", "organisation", "keep", N_("training bodies (the team's list)")),
    Category("institution", "Institution", "organisation", "keep",
             N_("public services (Pôle emploi, mission locale...)")),
    Category("email", "Courriel", "identifier", "replace", N_("e-mail addresses (written or spoken)")),
    Category("phone", "Téléphone", "identifier", "replace", N_("French phone numbers")),
    Category("address", "Adresse", "identifier", "replace", N_("postal addresses and postcodes with their town")),
    Category("nir", "NIR", "identifier", "replace", N_("social-security numbers (NIR, with a valid key)")),
    Category("birth_date", "Date de naissance", "identifier", "replace", N_("dates of birth (after né le, née le, date de naissance)")),
)}

#: Tag words for the parts of a person's name: ``[Prénom 12]``, ``[Nom 12]``.
FIRST_NAME_TAG = "Prénom"
LAST_NAME_TAG = "Nom"


def valid_name(name: str) -> bool:
    return bool(name) and name.replace("_", "").isalnum() and name.isascii() and \
        name[0].isalpha() and name == name.lower()
