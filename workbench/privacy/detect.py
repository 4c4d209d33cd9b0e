"""Detection: finding what may identify someone, and grouping it into entities.

Sources, from the most to the least certain:

* the team's lists (:mod:`workbench.privacy.lists`): accepted as they are;
* identifiers with a fixed shape (:func:`workbench.privacy.patterns.identifiers`);
* what the project already knows: speaker labels that are names, the participant
  table's name-like columns (nom, prénom, e-mail, téléphone, adresse...), the
  interviewer and site of each document;
* the forms French transcripts give names (:func:`workbench.privacy.patterns.name_forms`);
* spaCy's French NER (persons, places, organisations), and first names of the lexicon
  written with a capital inside a sentence.

New written forms are grouped into entities ("Karima", "Karima B." and "Karima Benali"
are one person when they occur in the same interview), then every known form of every
entity is looked for in every document (:class:`workbench.privacy.matching.Matcher`), so
a decision taken once applies to every document, new ones included.
"""
from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from workbench.domain import WorkbenchError
from workbench.i18n import _
from workbench.privacy import lexicon, ner
from workbench.privacy.categories import BUILTIN, Category
from workbench.privacy.lists import TeamLists
from workbench.privacy.matching import Matcher, resolve_overlaps
from workbench.privacy.names import PersonName, gender_hint, parse_person
from workbench.privacy.patterns import Found, _is_sentence_start, identifiers, name_forms

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]

#: Participant-table columns whose values identify someone, by category.
NAME_LIKE_COLUMNS = {
    "person": re.compile(r"(^|_)(nom|noms|prenom|prenoms|name|names|firstname|lastname|"
                         r"first_name|last_name|surname|nom_usage|nom_naissance|fullname|"
                         r"full_name|identite|contact|referent|referente|conseiller|"
                         r"conseillere|tuteur|tutrice)(_|$)"),
    "email": re.compile(r"(^|_)(e_?mail|courriel|mail|adresse_mail)(_|$)"),
    "phone": re.compile(r"(^|_)(tel|telephone|phone|portable|mobile|numero_tel)(_|$)"),
    "address": re.compile(r"(^|_)(adresse|address|rue|domicile)(_|$)"),
}
#: Countries, regions and départements: named in interviews without identifying anyone,
#: not proposed (a team that wants them replaced lists them).
BROAD_PLACES = frozenset(lexicon.fold(p) for p in """
France|Europe|Normandie|Occitanie|Bretagne|Auvergne|Rhône-Alpes|Auvergne-Rhône-Alpes|
Île-de-France|Ile-de-France|Hauts-de-France|Grand Est|Nouvelle-Aquitaine|Provence|PACA|
Provence-Alpes-Côte d'Azur|Bourgogne|Franche-Comté|Bourgogne-Franche-Comté|Centre-Val de Loire|
Pays de la Loire|Corse|Afrique|Maghreb|Algérie|Maroc|Tunisie|Sénégal|Mali|Turquie|Espagne|
Portugal|Italie|Roumanie|Pologne|Allemagne|Belgique|Suisse|Angleterre|Royaume-Uni|États-Unis|
Syrie|Afghanistan|Ukraine|Russie|Chine|Comores|Cameroun|Congo|Guinée|Haïti|Martinique|
Guadeloupe|Réunion|La Réunion|Mayotte|Guyane|DOM-TOM|Ain|Aisne|Allier|Alpes-de-Haute-Provence|
Hautes-Alpes|Alpes-Maritimes|Ardèche|Ardennes|Ariège|Aube|Aude|Aveyron|Bouches-du-Rhône|
Calvados|Cantal|Charente|Charente-Maritime|Cher|Corrèze|Corse-du-Sud|Haute-Corse|Côte-d'Or|
Côtes-d'Armor|Creuse|Dordogne|Doubs|Drôme|Eure|Eure-et-Loir|Finistère|Gard|Haute-Garonne|
Gers|Gironde|Hérault|Ille-et-Vilaine|Indre|Indre-et-Loire|Isère|Jura|Landes|Loir-et-Cher|
Loire|Haute-Loire|Loire-Atlantique|Loiret|Lot|Lot-et-Garonne|Lozère|Maine-et-Loire|Manche|
Marne|Haute-Marne|Mayenne|Meurthe-et-Moselle|Meuse|Morbihan|Moselle|Nièvre|Nord|Oise|Orne|
Pas-de-Calais|Puy-de-Dôme|Pyrénées-Atlantiques|Hautes-Pyrénées|Pyrénées-Orientales|Bas-Rhin|
Haut-Rhin|Rhône|Haute-Saône|Saône-et-Loire|Sarthe|Savoie|Haute-Savoie|Seine-Maritime|
Seine-et-Marne|Yvelines|Deux-Sèvres|Somme|Tarn|Tarn-et-Garonne|Var|Vaucluse|Vendée|Vienne|
Haute-Vienne|Vosges|Yonne|Territoire de Belfort|Essonne|Hauts-de-Seine|Seine-Saint-Denis|
Val-de-Marne|Val-d'Oise|Pyrénées|Alpes|Massif central|Méditerranée|Atlantique
""".replace("\n", "").split("|") if p.strip())
_PARTICLES = {"de", "du", "des", "la", "le", "van", "von", "ben", "bin", "el", "al", "da",
              "di", "dos", "d'", "ibn", "ould", "ép.", "épouse"}
BUILTIN_PERSON = BUILTIN["person"]
_PRIORITY = {"list": 6, "pattern": 5, "institution": 5, "speaker": 4, "participant": 4,
             "metadata": 4, "manual": 4, "form": 3, "ner": 2, "lexicon": 1}
_DIGITS = re.compile(r"\d")
_PLACE_ARTICLE = re.compile(r"(?:\b[lLdD]['’]|\b(?:le|du|au|en|dans\s+le)\s+)$")
_IMPERATIVE = re.compile(r"^[\w]+-(?:y|moi|toi|le|la|les|lui|leur|nous|vous|en|là|ci)$", re.I)
_NER_CATEGORY = {"PER": "person", "LOC": "place", "ORG": "organisation"}


@dataclass
class Candidate:
    text: str
    category: str
    sources: Counter = field(default_factory=Counter)
    votes: dict = field(default_factory=dict)      # category -> (surest source, count)
    gender: str = ""
    fold: bool = False
    documents: set = field(default_factory=set)
    status: str = "pending"
    group: list[str] | None = None   # list terms written several ways: one entity


@dataclass
class DetectionReport:
    documents: int = 0
    new_entities: dict = field(default_factory=dict)      # category -> count
    new_variants: int = 0
    occurrences: int = 0
    seconds: float = 0.0
    ner_model: str = ""

    def as_dict(self) -> dict:
        return {"documents": self.documents, "new_entities": dict(self.new_entities),
                "new_variants": self.new_variants, "occurrences": self.occurrences,
                "seconds": round(self.seconds, 2), "ner_model": self.ner_model}


# -- cleaning what NER and the forms propose ----------------------------------------------
_CUT = re.compile(r"\s*[:;|()\[\]{}<>=/\\\n\t]\s*")


def _first_piece(surface: str) -> str:
    """What comes before a colon, a bracket...: "Rachid : Euh" is "Rachid"."""
    return _CUT.split(surface.strip(), maxsplit=1)[0]


def clean_person(surface: str) -> str | None:
    text = " ".join(_first_piece(surface).split()).strip(" ,!?»«\"'-–—")
    words = text.split()
    if not words:
        return None
    # "M. Martin" and "Mme D." keep their title: it says the name is a surname
    if len(words) > 2 and words[0] in lexicon.TITLES:
        words = words[1:]             # "M. Paul Martin": a full name
        text = " ".join(words)
    if text.endswith(".") and not re.search(r"(^|\s)[A-ZÀ-Ý]\.$", text):
        text = text.rstrip(".")
        words = text.split()
    if len(text) < 2 or len(text) > 60 or _DIGITS.search(text):
        return None
    for w in words:
        if w[0].islower() and w.lower() not in _PARTICLES:
            return None
    if len(words) == 1 and (words[0] in lexicon.NOT_NAMES or words[0] in lexicon.TITLES or
                            lexicon.is_role_label(words[0])):
        return None
    if lexicon.is_role_label(text):
        return None
    if all(w in lexicon.NOT_NAMES or w.lower() in _PARTICLES for w in words):
        return None
    if text.isupper() and len(text) <= 3:
        return None
    return text


def clean_name(surface: str, category: str) -> str | None:
    text = " ".join(_first_piece(surface).split()).strip(" ,!?»«\"'-–—.")
    for article in ("la ", "le ", "les ", "l'", "l’", "La ", "Le ", "Les ", "L'", "L’"):
        if text.startswith(article) and len(text) > len(article) + 1 and \
                text[len(article)].isupper():
            text = text[len(article):]
    if len(text) < 2 or len(text) > 80 or _DIGITS.search(text):
        return None
    if not text[0].isupper() and text[0] not in "#@":
        return None
    if lexicon.fold(text) in BROAD_PLACES or text in lexicon.NEVER or text in lexicon.TITLES:
        return None
    if lexicon.is_role_label(text) or _IMPERATIVE.match(text):
        return None
    return text


def normal_key(text: str, category_kind: str) -> str:
    """What two written forms of one thing share: digits for phone numbers and NIR,
    the folded text otherwise."""
    if category_kind in ("phone", "nir"):
        digits = re.sub(r"\D", "", text.upper().replace("2A", "19").replace("2B", "18"))
        if digits.startswith("33") and len(digits) == 11:
            digits = "0" + digits[2:]
        return digits
    return lexicon.fold(" ".join(text.split()))


# -- the detector -----------------------------------------------------------------------
class Detector:
    """Runs the sources over documents and returns candidates by written form."""

    def __init__(self, categories: dict[str, Category], *, use_ner: bool = True,
                 ner_model: str = ner.DEFAULT_MODEL, batch_size: int = 128):
        self.categories = categories
        self.use_ner = use_ner
        self.ner_model = ner_model
        self.batch_size = batch_size
        self.institutions = Matcher(folded=lexicon.INSTITUTIONS)
        self.candidates: dict[str, Candidate] = {}

    def add(self, text: str, category: str, source: str, doc: int | None = None,
            gender: str = "", fold: bool = False) -> None:
        cand = self.candidates.get(text)
        if cand is None:
            cand = self.candidates[text] = Candidate(text, category, fold=fold)
        cand.sources[source] += 1
        best, count = cand.votes.get(category, (0, 0))
        cand.votes[category] = (max(best, _PRIORITY.get(source, 1)), count + 1)
        if gender and not cand.gender:
            cand.gender = gender
        if doc is not None:
            cand.documents.add(doc)
        cand.fold = cand.fold or fold

    def _finds(self, doc_id: int, text: str, ner_spans: Iterable[tuple[int, int, str]]) -> None:
        found: list[Found] = []
        found.extend(identifiers(text))
        found.extend(Found(s, e, "institution", "institution", text[s:e])
                     for s, e, _v in self.institutions.find(text))
        found.extend(name_forms(text))
        for s, e, label in ner_spans:
            surface = text[s:e]
            category = _NER_CATEGORY.get(label)
            if category is None:
                words = surface.split()
                if len(words) == 1 and lexicon.is_first_name(surface):
                    category = "person"            # "la petite Lina" tagged MISC
                else:
                    continue
            found.append(Found(s, e, category, "ner", surface))
        # identifiers, list terms and public services claim their spans; the name sources
        # may overlap one another (each teaches a written form: "Karima", "Karima Benali")
        strong = resolve_overlaps(sorted(((f.start, f.end, f) for f in found
                                          if _PRIORITY.get(f.source, 1) >= 5),
                                         key=lambda x: (x[0], -(x[1] - x[0]))))
        claimed = [(s, e) for s, e, _f in strong]
        kept = [f for _s, _e, f in strong]
        kept.extend(f for f in found if _PRIORITY.get(f.source, 1) < 5 and
                    not any(f.start < e and s < f.end for s, e in claimed))
        for f in kept:
            if f.source == "ner" and " " not in f.text.strip() and \
                    _is_sentence_start(text, f.start) and lexicon.is_common_word(f.text) and \
                    not lexicon.is_first_name(f.text):
                continue            # "Félicitations", "Disons", "Moyen" opening a sentence
            if f.category in ("place", "organisation") and \
                    re.fullmatch(r"[A-ZÀ-Ý]\.\s?[A-ZÀ-Ý][\w'-]+", f.text.strip()):
                f = Found(f.start, f.end, "person", f.source, f.text)   # "N. Berrada"
            if f.category == "person" and lexicon.fold(f.text) in BROAD_PLACES and \
                    _PLACE_ARTICLE.search(text[max(0, f.start - 12):f.start]):
                continue            # "dans l'Aude", "le Lot"
            if f.category in ("institution",):
                self.add(f.text, "institution", "institution", doc_id)
            elif f.category == "person":
                name = clean_person(f.text)
                if name:
                    self.add(name, "person", f.source, doc_id, f.gender or gender_hint(f.text))
            elif f.category in ("email", "phone", "nir", "address", "birth_date"):
                self.add(f.text, f.category, "pattern", doc_id)
            else:
                name = clean_name(f.text, f.category)
                if name:
                    self.add(name, f.category, f.source, doc_id)

    def run(self, texts: dict[int, str], *, bodies: dict[int, list[tuple[int, int]]] | None = None,
            names: dict[int, str] | None = None,
            progress: ProgressFn | None = None, cancelled: CancelledFn | None = None) -> None:
        """``bodies``: for each document, the spans NER reads (each turn's words, from the
        turn model: a speaker label before "Sabrina elle..." hides Sabrina from the model);
        the whole text when not given.  ``names``: the documents' names, for the progress
        label (their ids otherwise)."""
        names = names or {}
        step = progress or (lambda *a: None)
        stop = cancelled or (lambda: False)
        total = len(texts)
        if not self.use_ner:
            for i, (doc_id, text) in enumerate(texts.items()):
                if stop():
                    raise WorkbenchError(_("detection cancelled: nothing was changed"))
                self._finds(doc_id, text, [])
                step(i + 1, total, names.get(doc_id, str(doc_id)))
            return
        # NER line by line (a turn, a paragraph), all documents through one nlp.pipe
        pending: dict[int, list[tuple[int, int, str]]] = {d: [] for d in texts}
        lines_left = {}

        def lines() -> Iterable[tuple[str, tuple[int, int]]]:
            for doc_id, text in texts.items():
                spans = []
                for start, end in (bodies or {}).get(doc_id) or [(0, len(text))]:
                    for m in re.finditer(r"[^\n]+", text[start:end]):
                        if m.group().strip():
                            spans.append((start + m.start(), m.group()))
                lines_left[doc_id] = len(spans)
                if not spans:
                    yield "", (doc_id, -1)
                for offset, line in spans:
                    yield line, (doc_id, offset)

        done = 0
        for (doc_id, offset), ents in ner.entities(lines(), model=self.ner_model,
                                                   batch_size=self.batch_size):
            if offset >= 0:
                pending[doc_id].extend((offset + s, offset + e, lab) for s, e, lab in ents)
                lines_left[doc_id] -= 1
            if lines_left.get(doc_id, 0) <= 0:
                if stop():
                    raise WorkbenchError(_("detection cancelled: nothing was changed"))
                self._finds(doc_id, texts[doc_id], pending.pop(doc_id))
                done += 1
                step(done, total, names.get(doc_id, str(doc_id)))


# -- grouping written forms into entities ---------------------------------------------------
class EntityIndex:
    """The project's entities as they are, and where new written forms join them."""

    def __init__(self, entities: Sequence[dict], categories: dict[str, Category]):
        self.categories = categories
        self.kind = {name: c.kind for name, c in categories.items()}
        self.by_variant_key: dict[tuple[str, str], int] = {}
        self.persons: dict[int, list[PersonName]] = defaultdict(list)
        # entities by first name and by surname (folded): where a new form may belong
        self.by_name_key: dict[str, set[int]] = defaultdict(set)
        self.category_of: dict[int, str] = {}
        self.documents: dict[int, set] = defaultdict(set)
        for e in entities:
            self.category_of[e["id"]] = e["category"]
            for v in e["variants"]:
                self._index(e["id"], e["category"], v)

    def _kind_key(self, category: str) -> str:
        kind = self.kind.get(category, "organisation")
        return category if kind == "identifier" else kind

    def _index(self, entity_id: int, category: str, variant: str) -> None:
        kk = self._kind_key(category)
        self.by_variant_key.setdefault((kk, normal_key(variant, category)), entity_id)
        if self.kind.get(category) == "person":
            name = parse_person(variant)
            self.persons[entity_id].append(name)
            for key in (name.first_key, name.last_key):
                if key:
                    self.by_name_key[key].add(entity_id)

    def add(self, entity_id: int, category: str, variant: str, documents: set) -> None:
        self.category_of[entity_id] = category
        self._index(entity_id, category, variant)
        self.documents[entity_id] |= documents

    def find(self, cand: Candidate) -> int | None:
        kk = self._kind_key(cand.category)
        hit = self.by_variant_key.get((kk, normal_key(cand.text, cand.category)))
        if hit is not None or self.kind.get(cand.category) != "person":
            return hit
        name = parse_person(cand.text)
        near = self.by_name_key.get(name.first_key, set()) | \
            self.by_name_key.get(name.last_key, set())
        matches = [eid for eid in sorted(near, key=abs)
                   if self.documents[eid] & cand.documents and
                   any(_compatible(name, other) for other in self.persons[eid])]
        return matches[0] if len(matches) == 1 else None


def _compatible(a: PersonName, b: PersonName) -> bool:
    """Can two written forms be the same person?"""
    if a.first and b.first and a.first_key != b.first_key:
        return False
    if a.last and b.last and a.last_key != b.last_key:
        return False
    for x, y in ((a, b), (b, a)):
        if x.initial and y.last and lexicon.fold(y.last)[:1] != lexicon.fold(x.initial):
            return False
        if x.initial and y.initial and x.initial != y.initial:
            return False
        if x.first_initial and y.first and \
                lexicon.fold(y.first)[:1] != lexicon.fold(x.first_initial):
            return False
    shared = (a.first and b.first) or (a.last and b.last)
    return bool(shared)


_SHAPE_ORDER = {"full": 0, "first_initial": 1, "initial_last": 2, "first": 3, "last": 4,
                "title_last": 5, "title_initial": 6}


def order_for_grouping(cands: Iterable[Candidate]) -> list[Candidate]:
    def key(c: Candidate):
        shape = parse_person(c.text).shape if c.category == "person" else "other"
        return (_SHAPE_ORDER.get(shape, 5), -len(c.text), c.text)
    return sorted(cands, key=key)


def candidates_from_project(store, detector: Detector) -> None:
    """Speaker labels that are names, participant columns that hold names or contact
    details, and each document's interviewer and site."""
    for d in store.list_documents():
        if d["interviewer"]:
            for name in re.split(r"\s*(?:[,;/&]|\bet\b)\s*", d["interviewer"]):
                cleaned = clean_person(name)
                if cleaned:
                    detector.add(cleaned, "person", "metadata", d["id"])
        if d["site"]:
            site = clean_name(d["site"], "place")
            if site:
                detector.add(site, "place", "metadata", d["id"])
        for s in store.speakers(d["id"]):
            label = (s["speaker"] or "").strip()
            if not label or lexicon.is_role_label(label):
                continue
            cleaned = clean_person(label)
            if cleaned:
                detector.add(cleaned, "person", "speaker", d["id"])
    attrs = {a.name: a for a in store.attributes()}
    wanted = {}
    for name in attrs:
        key = lexicon.fold(name).replace(" ", "_").replace("-", "_")
        for kind, pattern in NAME_LIKE_COLUMNS.items():
            if pattern.search(key):
                wanted[name] = kind
                break
    if not wanted:
        return
    links: dict[str, set] = defaultdict(set)
    for pid, doc_id, _doc, _speaker in store.participant_documents():
        links[pid].add(doc_id)
    for v in store.participant_values():
        category = wanted.get(v["attribute"])
        value = (v["value"] or "").strip()
        if not category or not value:
            continue
        docs = links.get(v["participant_id"], set())
        if category == "person":
            cleaned = clean_person(value)
            if cleaned:
                detector.add(cleaned, "person", "participant", None)
                detector.candidates[cleaned].documents |= docs
        else:
            detector.add(" ".join(value.split()), category, "participant", None)
            detector.candidates[" ".join(value.split())].documents |= docs


def scan_occurrences(texts: dict[int, str], matcher: Matcher) -> list[tuple[int, int, int, str]]:
    rows: list[tuple[int, int, int, str]] = []
    for doc_id, text in texts.items():
        rows.extend((doc_id, s, e, v) for s, e, v in matcher.find(text))
    return rows


def matcher_for(variants: Iterable[dict]) -> Matcher:
    exact: list[str] = []
    folded: list[str] = []
    for v in variants:
        (folded if v["fold"] else exact).append(v["text"])
    return Matcher(exact, folded)


def detect(project, *, lists: TeamLists | None = None, use_ner: bool = True,
           rescan: bool = False, documents: Sequence[int] | None = None,
           progress: ProgressFn | None = None, cancelled: CancelledFn | None = None,
           ner_model: str = ner.DEFAULT_MODEL) -> DetectionReport:
    """Detect candidates in the project's documents not yet scanned (all of them with
    ``rescan``), register new written forms, and refresh every occurrence."""
    t0 = time.perf_counter()
    store = project.store
    report = DetectionReport()
    categories = project.privacy_categories()
    if lists is not None:
        categories.update(lists.categories)
    states = store.privacy_document_states()
    names = {d["id"]: d["name"] for d in states}
    if documents is not None:
        doc_ids = list(documents)
    elif rescan:
        doc_ids = [d["id"] for d in states]
    else:
        doc_ids = store.privacy_undetected_documents()
    detector = Detector(categories, use_ner=use_ner, ner_model=ner_model)
    if use_ner and doc_ids:
        report.ner_model = ner.model_version(ner_model)
    texts = store.document_texts(doc_ids)
    bodies = {d: [s.words for s in store.segments(d)] for d in doc_ids} if use_ner else None
    detector.run(texts, bodies=bodies, names=names, progress=progress, cancelled=cancelled)
    candidates_from_project(store, detector)
    if lists is not None:
        for category, variants in lists.terms:
            for v in variants:
                detector.add(v, category, "list", None, fold=True)
                detector.candidates[v].status = "accepted"
                detector.candidates[v].category = category
                detector.candidates[v].group = variants
    # one category per written form: the one its surest sources gave
    # (a speaker label "Samia" over "à Samia" read as a place), then the most frequent
    for cand in detector.candidates.values():
        if cand.sources.get("list"):
            continue
        if cand.votes:
            cand.category = max(cand.votes, key=lambda c: cand.votes[c])
    existing = store.privacy_variants()
    # a lone surname NER took for a place ("Roques" of "Madame Roques") is a person
    surnames = {parse_person(v["text"]).last_key for v in existing
                if categories.get(v["category"], BUILTIN_PERSON).kind == "person"}
    surnames |= {parse_person(c.text).last_key for c in detector.candidates.values()
                 if c.category == "person"}
    surnames.discard("")
    for cand in detector.candidates.values():
        if cand.category in ("place", "organisation") and " " not in cand.text and \
                not ({"list", "metadata", "pattern"} & set(cand.sources)) and \
                lexicon.fold(cand.text) in surnames:
            cand.category = "person"
    known = {v["text"] for v in existing}
    new = [c for c in detector.candidates.values() if c.text not in known]
    # where do the new forms occur? (grouping needs the interviews they share)
    all_texts = store.document_texts([d["id"] for d in store.privacy_document_states()])
    if new:
        probe = Matcher([c.text for c in new if not c.fold], [c.text for c in new if c.fold])
        for doc_id, _s, _e, v in scan_occurrences(all_texts, probe):
            found = detector.candidates.get(v)
            if found is not None:
                found.documents.add(doc_id)
    index = EntityIndex(store.privacy_entities(), categories)
    occ_docs: dict[int, set] = defaultdict(set)
    for o in store.privacy_occurrences():
        occ_docs[o["entity_id"]].add(o["document_id"])
    for eid, docs in occ_docs.items():
        index.documents[eid] |= docs
    # everything below is written in one transaction: detection is all or nothing
    with store.transaction():
        _register(project, report, detector, new, known, index, lists, doc_ids, all_texts)
    report.documents = len(doc_ids)
    report.seconds = time.perf_counter() - t0
    if report.ner_model:
        store.set_meta("privacy.ner_model", report.ner_model)
    return report


def _register(project, report: DetectionReport, detector: Detector, new: list[Candidate],
              known: set[str], index: EntityIndex, lists: TeamLists | None,
              doc_ids: Sequence[int], all_texts: dict[int, str]) -> None:
    store = project.store
    if lists is not None:
        for cat in lists.categories.values():
            store.privacy_set_category_row(cat.name, cat.label, cat.kind, cat.action,
                                           coder=project.coder)
        # a list term already known: the list says its category, and that it is accepted
        for category, terms in lists.terms:
            for term in terms:
                eid = store.privacy_entity_of(term) if term in known else None
                if eid is not None:
                    store.privacy_set_category(eid, category, coder=project.coder)
                    store.privacy_set_status([eid], "accepted", coder=project.coder)
    entities: list[dict] = []
    variants: list[dict] = []
    provisional: dict[str, int] = {}      # list group's first term -> entity index
    for cand in order_for_grouping(new):
        target = None
        if cand.group and cand.group[0] in provisional:
            target = ("new", provisional[cand.group[0]])
        elif cand.group and cand.group[0] in known:
            target = ("old", store.privacy_entity_of(cand.group[0]))
        else:
            hit = index.find(cand)
            if hit is not None:
                target = ("old", hit) if hit > 0 else ("new", -hit - 1)
        source = max(cand.sources, key=lambda s: _PRIORITY.get(s, 0))
        if target is None:
            entities.append({"category": cand.category, "label": cand.text,
                             "status": cand.status, "gender": _gender(cand),
                             "sources": ",".join(sorted(cand.sources))})
            idx = len(entities) - 1
            index.add(-idx - 1, cand.category, cand.text, cand.documents)
            if cand.group:
                provisional[cand.group[0]] = idx
            variants.append({"text": cand.text, "entity": idx, "fold": cand.fold,
                             "source": source})
            report.new_entities[cand.category] = report.new_entities.get(cand.category, 0) + 1
        elif target[0] == "new":
            idx = target[1]
            index.add(-idx - 1, entities[idx]["category"], cand.text, cand.documents)
            merged = set(entities[idx]["sources"].split(",")) | set(cand.sources)
            entities[idx]["sources"] = ",".join(sorted(filter(None, merged)))
            entities[idx]["gender"] = entities[idx]["gender"] or _gender(cand)
            variants.append({"text": cand.text, "entity": idx, "fold": cand.fold,
                             "source": source})
        else:
            eid = target[1]
            index.add(eid, index.category_of.get(eid, cand.category), cand.text, cand.documents)
            variants.append({"text": cand.text, "entity_id": eid, "fold": cand.fold,
                             "source": source})
            store.privacy_add_sources(eid, cand.sources)
            g = _gender(cand)
            if g:
                store.privacy_set_gender(eid, g)
        report.new_variants += 1
    store.privacy_add(entities, variants, coder=project.coder)
    # every form of every entity, in every document
    matcher = matcher_for(store.privacy_variants())
    rows = scan_occurrences(all_texts, matcher)
    report.occurrences = store.privacy_set_occurrences(rows)
    store.privacy_mark_detected(doc_ids)
    if lists is not None:
        project.privacy_record_lists(lists)


def _gender(cand: Candidate) -> str:
    if cand.category != "person":
        return ""
    if cand.gender:
        return cand.gender
    name = parse_person(cand.text)
    return lexicon.gender_of(name.first.split()[0]) if name.first else ""
