"""Patterns: identifiers with a fixed shape (e-mail addresses, French phone numbers,
social-security numbers with their key, postal addresses, dates of birth) and the forms
French transcripts give names ("M. Martin", "Mme D.", "la petite Lina", "chez Renault",
"à Vire").

Each recogniser yields :class:`Found` spans with a category and, for names, the span's
*shape* (see :mod:`workbench.privacy.names`).  They read plain text only.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from workbench.privacy.lexicon import (INSTITUTIONS, NEVER, NOT_NAMES, TITLES,
                                       french_first_names, is_common_word, is_first_name)


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    category: str
    source: str          # pattern | form | lexicon | ner | list | speaker | ...
    text: str
    gender: str = ""     # what a title told ("f" after Mme, "m" after M.)


_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_LOW = "a-zàâäçéèêëîïôöùûüÿæœ"
# a capitalised name, compound ones included: Saint-Lô, Condé-sur-Noireau, Pont-l'Évêque,
# Bagnoles-de-l'Orne, N'Diaye
_NAME = (rf"[{_UP}][{_LOW}{_UP}]+(?:(?:-(?:(?:de|du|des|la|le|les|sur|sous|en|lès|aux?|et)-)?"
         rf"(?:[ld][’'])?|['’])[{_UP}][{_LOW}{_UP}]+)*")

# -- identifiers ----------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_SPOKEN_EMAIL = re.compile(
    r"(?<![\w.])[\w.-]+(?:\s+(?:point|tiret)\s+[\w-]+)*\s+ar+obase\s+[\w-]+"
    r"(?:\s+point\s+[\w-]+)*\s+point\s+(?:com|fr|net|org|eu|info)\b", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)\s?33[\s.-]?(?:\(0\)[\s.-]?)?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\d)")
_NIR = re.compile(
    r"(?<![\dA-Za-z])([12378])[\s.]?(\d{2})[\s.]?(0[1-9]|1[0-2]|[2-9]\d)[\s.]?(\d{2}|2[AaBb])"
    r"[\s.]?(\d{3})[\s.]?(\d{3})[\s.]?(\d{2})(?![\dA-Za-z])")
_MONTHS = ("janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|"
           "octobre|novembre|décembre|decembre")
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})"
         rf"|(?:1er|\d{{1,2}})\s+(?:{_MONTHS})\s+\d{{4}})")
_BIRTH = re.compile(
    rf"(?:\bn[ée]e?s?\s*(?:\(e\)\s*)?le|\bdate\s+de\s+naissance\s*(?::\s*)?(?:le\s+)?|\bDDN\s*:?)"
    rf"\s*(?P<date>{_DATE})", re.IGNORECASE)
_STREET = ("rue|avenue|av\\.|boulevard|bd|place|chemin|impasse|allée|allee|route|quai|cours|"
           "square|résidence|residence|lotissement|lieu-dit|cité|cite|passage|rond-point|"
           "voie|hameau|sentier|esplanade|faubourg|villa|parvis|promenade|clos")
_ADDRESS = re.compile(
    rf"(?<!\w)(?P<num>\d{{1,4}}(?:\s?(?:bis|ter|b|a))?,?\s+)?(?P<type>(?i:{_STREET}))\s+"
    rf"(?P<name>(?:(?:de\s+la|de\s+l'|du|des|de|d'|la|le|les|l')\s*)?{_NAME}"
    rf"(?:[\s-]+(?:(?:de|du|des|la|le|les|et|sur|en)[\s-]+)?{_NAME}){{0,4}})"
    rf"(?P<town>,?\s+\d{{5}}\s+{_NAME}(?:[\s-]+(?:(?:sur|en|le|la|les|lès|de|du)[\s-]+)?{_NAME})*)?")
_POSTCODE_TOWN = re.compile(
    rf"(?<![\d\w])(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97)\d{{3}}\s+{_NAME}"
    rf"(?:[\s-]+(?:(?:sur|en|le|la|les|lès|de|du)[\s-]+)?{_NAME})*")


def nir_key_ok(m: re.Match) -> bool:
    """The NIR's key: 97 minus the 13-digit number modulo 97 (Corsica: 2A counts as 19,
    2B as 18)."""
    sex, yy, mm, dept, commune, order, key = m.groups()
    dept = dept.upper()
    dept = {"2A": "19", "2B": "18"}.get(dept, dept)
    number = int(sex + yy + mm + dept + commune + order)
    return 97 - number % 97 == int(key)


def identifiers(text: str) -> Iterator[Found]:
    for m in _EMAIL.finditer(text):
        yield Found(m.start(), m.end(), "email", "pattern", m.group())
    if "robase" in text or "ROBASE" in text:
        for m in _SPOKEN_EMAIL.finditer(text):
            yield Found(m.start(), m.end(), "email", "pattern", m.group())
    for m in _NIR.finditer(text):
        if nir_key_ok(m):
            yield Found(m.start(), m.end(), "nir", "pattern", m.group())
    for m in _PHONE.finditer(text):
        yield Found(m.start(), m.end(), "phone", "pattern", m.group())
    for m in _BIRTH.finditer(text):
        yield Found(m.start("date"), m.end("date"), "birth_date", "pattern", m.group("date"))
    for m in _ADDRESS.finditer(text):
        start = m.start("num") if m.group("num") else m.start("type")
        if not m.group("num") and not m.group("town"):
            continue           # "la rue Victor Hugo" names a street, not someone's address
        end = m.end("town") if m.group("town") else m.end("name")
        yield Found(start, end, "address", "pattern", text[start:end])
    for m in _POSTCODE_TOWN.finditer(text):
        yield Found(m.start(), m.end(), "address", "pattern", m.group())


# -- name forms -----------------------------------------------------------------------
_TITLE_RE = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
_TITLED = re.compile(
    rf"(?<![\w.])(?P<title>{_TITLE_RE})\s+(?P<name>[{_UP}]\.|{_NAME}(?:\s+(?:[{_UP}]\.|{_NAME}))?)"
    rf"(?![\w-])")
_FAMILIAR = re.compile(
    rf"\b(?:la|le|l'|ma|mon|sa|son|ta|ton|notre|votre|leur|cette|ce)\s+"
    rf"(?:petite?|grande?|vieille|vieux|jeune|p'tite?|chère|cher|pauvre|belle|beau|"
    rf"copine|copain|voisine?|cousine?|sœur|soeur|frère|frere|fille|fils|amie?|collègue|"
    rf"tante|oncle|nièce|neveu|mère|père|mari|femme|conseillère|conseiller|formatrice|"
    rf"formateur|référente?|patronne?|cheffe?|directrice|directeur|copine)\s+"
    rf"(?P<name>{_NAME})(?![\w-])")
_CHEZ = re.compile(
    rf"\bchez\s+(?P<name>{_NAME}(?:\s+(?:&\s+)?{_NAME}){{0,3}})(?![\w-])")
_PLACE = re.compile(
    rf"(?:\b(?:à|a|sur|vers|depuis|jusqu'à|jusqu’à|près\s+de|pres\s+de|à\s+côté\s+de|"
    rf"a\s+cote\s+de|habite|habitais|habitait|vis|vivais|vit|quartier|commune\s+de|ville\s+de|"
    rf"village\s+de|coin\s+de|région\s+de|secteur\s+de|originaire\s+de)\s+)"
    rf"(?P<name>{_NAME}(?:[\s-](?:sur|en|le|la|les|lès|de|du|des|sous|aux?)[\s-]{_NAME}|-{_NAME})*)"
    rf"(?![\w-])")
_INSTITUTION_WORDS = {w for i in INSTITUTIONS for w in i.split()}
# "parlé à X", "demandé à X": someone is spoken to, not somewhere
_SPOKEN_TO = re.compile(r"\b(?:dit|parlé|demandé|expliqué|répondu|téléphoné|écrit|envoyé|"
                        r"montré|présenté|donné|rendu|proposé|conseillé|confié|raconté|"
                        r"demande|dis|parle|explique|téléphone|écris|envoie|montre)\s+à\s+$")


def _is_sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i < 0 or text[i] in "\n.!?…:;«»\"“”([]-—–"


def name_forms(text: str) -> Iterator[Found]:
    """Titled names, familiar forms, "chez X", "à X", and first names of the lexicon
    (at the start of a sentence, only those that are not also French words)."""
    for m in _TITLED.finditer(text):
        name = m.group("name")
        if name.split()[0] in NOT_NAMES:
            continue
        # the title stays with the name: after it, a surname ("M. Martin") or an initial
        yield Found(m.start(), m.end(), "person", "form", m.group(), TITLES[m.group("title")])
    for m in _FAMILIAR.finditer(text):
        name = m.group("name")
        if name not in NOT_NAMES:
            yield Found(m.start("name"), m.end("name"), "person", "form", name)
    for m in _CHEZ.finditer(text):
        name = m.group("name")
        first = name.split()[0]
        if first in NOT_NAMES or first in TITLES:
            continue
        words = name.split()
        category = ("person" if first in french_first_names() or
                    (len(words) == 1 and is_first_name(first)) else "organisation")
        yield Found(m.start("name"), m.end("name"), category, "form", name)
    for m in _PLACE.finditer(text):
        name = m.group("name")
        if name in _INSTITUTION_WORDS or name in TITLES:
            continue
        if (is_first_name(name.split("-")[0]) and " " not in name) or \
                _SPOKEN_TO.search(text[max(0, m.start() - 30):m.start("name")]):
            category = "person"          # "j'ai dit à Karima", "j'en ai parlé à Ousmane"
        elif name in NEVER:
            continue
        else:
            category = "place"
        yield Found(m.start("name"), m.end("name"), category, "form", name)
    for m in re.finditer(rf"(?<![\w-]){_NAME}(?![\w-])", text):
        word = m.group()
        if not is_first_name(word):
            continue
        if _is_sentence_start(text, m.start()) and is_common_word(word):
            continue          # "Rose des vents", "Florence" opening a sentence: not sure
        end = m.end()
        # "Karima B." and "Karima Benali": take the initial or surname that follows
        tail = re.match(rf"\s+(?:[{_UP}]\.|{_NAME})(?![\w-])", text[end:end + 40])
        if tail and tail.group().strip() not in NOT_NAMES and \
                not is_first_name(tail.group().strip()):
            end += tail.end()
        yield Found(m.start(), end, "person", "lexicon", text[m.start():end])
