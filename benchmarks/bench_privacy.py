"""Pseudonymisation benchmark: detection recall and precision per category on seeded
French interviews with known persons, places and organisations, and the time to detect
on a large project.

    python benchmarks/bench_privacy.py quality --interviews 60 --seed 3 [--no-ner]
    python benchmarks/bench_privacy.py speed benchmarks/data/bench.wbproj [--no-ner]

``quality`` writes interviews whose turns mix sentences of the demo corpus (those that
name no one) with sentences carrying known entities in the forms French transcripts use
("Karima", "Karima B.", "Mme D.", "M. Martin", "la petite Lina", "chez Renault à Vire",
speaker labels, the interviewer in the header), plus e-mail addresses, phone numbers,
NIR, postal addresses and dates of birth.  Names come from lists typed here (not from
the lexicon detection uses).  The interviews are imported into a fresh project, detection
runs with no review, and each known mention is checked against the occurrences found:

* recall (category; ``person`` counts names in the speech, ``speaker`` the speaker labels,
  ``interviewer`` the header's name): the share of known mentions overlapped by an
  occurrence of the same family (person; place and small town; organisation, employer,
  training body, institution; each identifier), and "replaced": by any occurrence that
  the default actions would replace (what matters for privacy);
* precision (category): the share of occurrences of that family that overlap a known
  mention (the filler names no one, so any other occurrence is a false positive).

``speed`` times detection (new documents) on an existing project, e.g. the 500-interview
project ``bench_import.py`` builds from ``corpus_files.py``.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench.project import Project  # noqa: E402

FIRST_F = ("Karima", "Sylvie", "Nathalie", "Aurélie", "Fatoumata", "Céline", "Émilie",
           "Sandrine", "Yasmina", "Laëtitia", "Hélène", "Amandine", "Nadia", "Aïcha",
           "Stéphanie", "Océane", "Virginie", "Chloé", "Inès", "Josiane", "Myriam", "Zoé",
           "Maëlys", "Anissa", "Djamila", "Tiphaine", "Gwenaëlle", "Ludivine", "Soumaya",
           "Fatou", "Lina", "Jessica", "Samia", "Manon", "Léa", "Coralie", "Rokia",
           "Mélissa", "Sabrina", "Khadija")
FIRST_M = ("Mohamed", "Kevin", "Sébastien", "Jérôme", "Mamadou", "Rachid", "Thierry",
           "Cédric", "Grégory", "Frédéric", "Jean-Marc", "Samir", "Loïc", "Moussa",
           "Benoît", "François", "Dylan", "Nolan", "Kylian", "Ousmane", "Wassim", "Ilyes",
           "Jordan", "Yannick", "Steeve", "Mehdi", "Bilal", "Enzo", "Anthony", "Romain",
           "Kévin", "Youssouf", "Florian", "Dimitri", "Yanis", "Hakim")
LAST = ("Benali", "Lefebvre", "Nguyen", "Diallo", "Mercier", "Kowalski", "Da Silva",
        "Moreau", "Haddad", "Traoré", "Lemaire", "Bouchard", "Rousseau", "Marchand",
        "Ferreira", "Boucher", "Guérin", "Chevalier", "Lambert", "Fontaine", "Brahimi",
        "Mansouri", "Perrot", "Leclercq", "Caron", "Poulain", "Hamon", "Le Gall",
        "Lefèvre", "Dupuis", "Texier", "Meunier", "Benoit", "Carpentier", "Ouali",
        "Keita", "Collet", "Barbier", "Renaud", "Giraud")
TOWNS = ("Vire", "Condé-sur-Noireau", "Torigny-les-Villes", "Saint-Hilaire-du-Harcouët",
         "Bagnoles-de-l'Orne", "Lisieux", "Falaise", "Pont-l'Évêque", "Mazamet", "Lodève",
         "Saint-Affrique", "Villefranche-de-Rouergue", "Quillan", "Lézignan-Corbières",
         "Sète", "Annonay", "Tarare", "Oyonnax", "Ambert", "Thiers", "Riom", "Yssingeaux",
         "Saint-Flour", "Aurillac", "Mende", "Millau", "Gourdon", "Figeac", "Coutances",
         "Avranches", "Bayeux", "Flers", "Argentan", "L'Aigle", "Carentan", "Valognes",
         "Granville", "Honfleur", "Decazeville", "Castelnaudary")
ORGS = ("Renault", "Lactalis", "Leclerc", "Intermarché", "Leroy Merlin", "Décathlon",
        "Airbus", "Michelin", "Bonduelle", "Carrefour", "Auchan", "Lidl", "Manpower",
        "Adecco", "Randstad", "Sodexo", "Onet", "Korian", "Orpea", "Vinci", "Bouygues",
        "Veolia", "Schneider", "Valeo", "Safran", "Danone", "Nestlé", "Ikea", "Kiabi",
        "Norauto", "Speedy", "Picard", "Biocoop", "Système U", "Super U", "Transdev",
        "Keolis", "Elior", "Armor Lux", "Les Mousquetaires")
INTERVIEWERS = ("Claire Maréchal", "Julien Pasquier", "Nadia Berrada", "Hugo Perrin",
                "Sophie Garnier", "Thomas Bellet", "Léa Marty", "Antoine Roussel")

# sentence templates: {F} first name, {L} surname, {I} surname initial, {T} town, {O} org
TEMPLATES = [
    ("person", "J'en ai parlé à {F}, ma conseillère, et elle a dit oui."),
    ("person", "C'est {F} {L} qui m'a appelée pour me proposer la formation."),
    ("person", "Mme {I}. m'a dit de revenir la semaine d'après."),
    ("person", "M. {L}, le formateur, il expliquait vraiment bien."),
    ("person", "Avec la petite {F}, c'était compliqué pour la garde."),
    ("person", "Après j'ai revu {F} {I}. à la réunion de bilan."),
    ("person", "Madame {L} elle connaissait bien le secteur."),
    ("person", "{F}, elle m'a beaucoup aidée au début."),
    ("person", "Il y avait {F} aussi, on se motivait ensemble."),
    ("person", "Mon voisin {F} m'emmenait en voiture le matin."),
    ("person", "Et la référente, {F} je crois, elle m'a rappelée."),
    ("person", "Je suis allée voir {F} {L} au service insertion."),
    ("place", "J'habite à {T}, c'est loin de tout."),
    ("place", "Le centre est à {T}, à quarante minutes en car."),
    ("place", "Ils m'ont proposé un stage vers {T}."),
    ("place", "{T}, c'est vraiment petit, tout le monde se connaît."),
    ("place", "Je suis née à {T} et j'y suis restée."),
    ("place", "On a déménagé près de {T} l'an dernier."),
    ("organisation", "J'ai fait trois mois chez {O}."),
    ("organisation", "Ils recrutaient chez {O}, je crois."),
    ("organisation", "{O} m'a rappelée pour un entretien."),
    ("organisation", "Mon mari travaille chez {O} depuis dix ans."),
    ("both", "On a fait l'immersion chez {O} à {T}."),
]
ID_TEMPLATES = [
    ("email", "Vous pouvez m'écrire à {EMAIL}."),
    ("phone", "Mon numéro c'est le {PHONE}."),
    ("nir", "Mon numéro de sécu c'est le {NIR}, je l'ai là."),
    ("address", "J'habite au {ADDRESS}."),
    ("birth_date", "Je suis née le {DOB}."),
]
FAMILY = {"person": "person", "place": "place", "small_town": "place",
          "organisation": "organisation", "employer": "organisation",
          "training_body": "organisation", "institution": "institution",
          "email": "email", "phone": "phone", "nir": "nir", "address": "address",
          "birth_date": "birth_date"}
#: known mentions that are persons but not in the speech: speaker labels, the header
GOLD_FAMILY = {"speaker": "person", "interviewer": "person"}
_STREETS = ("rue des Lilas", "avenue de la République", "rue Victor Hugo", "chemin des Vignes",
            "impasse des Tilleuls", "boulevard Pasteur", "place de la Mairie")


def _nir(rng: random.Random) -> str:
    sex = rng.choice("12")
    yy, mm = f"{rng.randrange(60, 100):02d}", f"{rng.randrange(1, 13):02d}"
    dept, commune, order = f"{rng.randrange(1, 96):02d}", f"{rng.randrange(1, 990):03d}", \
        f"{rng.randrange(1, 999):03d}"
    number = int(sex + yy + mm + dept + commune + order)
    key = f"{97 - number % 97:02d}"
    return f"{sex} {yy} {mm} {dept} {commune} {order} {key}"


def _phone(rng: random.Random) -> str:
    d = [f"{rng.randrange(0, 100):02d}" for _ in range(4)]
    first = rng.choice("1234567")
    return rng.choice([f"0{first} {' '.join(d)}", f"0{first}.{'.'.join(d)}",
                       f"+33 {first} {' '.join(d)}", f"0{first}{''.join(d)}"])


def filler_sentences() -> list[str]:
    """Sentences of the demo corpus that name no one: only the first word capitalised
    (and public services), the first word a common French word."""
    from workbench.privacy.lexicon import INSTITUTIONS, is_common_word
    from workbench.demo import DEMO_CORPUS
    from workbench.ingest.parsers import parse_file
    safe = {w for i in INSTITUTIONS for w in i.split()}
    out = []
    for path in sorted((DEMO_CORPUS / "transcripts").iterdir()):
        try:
            parsed = parse_file(path)
        except Exception:
            continue
        for seg in parsed.segments:
            body = parsed.text[seg.start:seg.end].split(":", 1)[-1]
            for sent in re.split(r"(?<=[.!?…])\s+", body):
                sent = " ".join(sent.split())
                words = re.findall(r"[\w'’-]+", sent)
                if len(words) < 5 or not sent[0].isupper() or "[" in sent:
                    continue
                if not is_common_word(words[0].split("'")[0].split("’")[0]):
                    continue
                if any(w[0].isupper() and w not in safe for w in words[1:]):
                    continue
                out.append(sent)
    return sorted(set(out))


def generate(folder: Path, n: int, seed: int) -> dict:
    """Write n interviews; return the known mentions by file name."""
    rng = random.Random(seed)
    filler = filler_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    gold: dict[str, list[tuple[int, int, str]]] = {}
    manifest = ["file,name,interviewer,site"]
    for i in range(n):
        female = rng.random() < 0.6
        speaker = rng.choice(FIRST_F if female else FIRST_M)
        last = rng.choice(LAST)
        interviewer = rng.choice(INTERVIEWERS)
        town = rng.choice(TOWNS)
        parts: list[str] = []
        mentions: list[tuple[int, int, str]] = []
        pos = 0

        def add(text: str, spans=()):
            nonlocal pos
            for s, e, cat in spans:
                mentions.append((pos + s, pos + e, cat))
            parts.append(text)
            pos += len(text)

        header = f"Entretien {i + 1:03d} — {town}, printemps 2023 — enquêtrice : "
        add(header + interviewer + "\n", [(len(header), len(header) + len(interviewer),
                                           "interviewer"), (len("Entretien 000 — "),
                                                       len("Entretien 000 — ") + len(town),
                                                       "place")])
        for turn in range(24):
            if turn % 2 == 0:
                add("ENQ : " + rng.choice(filler) + "\n")
                continue
            label = f"{speaker} : "
            add(label, [(0, len(speaker), "speaker")])
            sentences = [rng.choice(filler) for _ in range(rng.randint(1, 3))]
            for _ in range(rng.randint(0, 2)):
                kind, tpl = rng.choice(TEMPLATES)
                values = {"F": rng.choice(FIRST_F + FIRST_M), "L": rng.choice(LAST),
                          "T": rng.choice(TOWNS), "O": rng.choice(ORGS)}
                values["I"] = values["L"][0]
                if "{F}" in tpl and rng.random() < 0.3:
                    values["F"] = speaker          # the interviewee talks about herself
                sentences.append((tpl, values))
            if rng.random() < 0.15:
                cat, tpl = rng.choice(ID_TEMPLATES)
                first = speaker.lower().replace("é", "e").replace("ï", "i").replace("ë", "e")
                values = {"EMAIL": f"{first}.{last.lower().replace(' ', '')}@gmail.com",
                          "PHONE": _phone(rng), "NIR": _nir(rng),
                          "ADDRESS": f"{rng.randrange(1, 80)} {rng.choice(_STREETS)}, "
                                     f"{rng.randrange(10, 95)}{rng.randrange(100, 999)} "
                                     f"{rng.choice(TOWNS)}",
                          "DOB": f"{rng.randrange(1, 29):02d}/{rng.randrange(1, 13):02d}/"
                                 f"{rng.randrange(1960, 2004)}"}
                sentences.append((tpl, values, cat))
            rng.shuffle(sentences)
            for k, sent in enumerate(sentences):
                sep = " " if k else ""
                if isinstance(sent, str):
                    add(sep + sent)
                    continue
                tpl, values = sent[0], sent[1]
                cat_override = sent[2] if len(sent) > 2 else None
                text, spans = "", []
                for piece in re.split(r"(\{[A-Z]+\})", tpl):
                    m = re.fullmatch(r"\{([A-Z]+)\}", piece)
                    if not m:
                        text += piece
                        continue
                    value = values[m.group(1)]
                    key = m.group(1)
                    cat = cat_override or {"F": "person", "L": "person", "I": "person",
                                           "T": "place", "O": "organisation"}[key]
                    if key == "I":
                        # "Mme D." / "Karima B.": the initial and its dot are the mention
                        spans.append((len(sep) + len(text), len(sep) + len(text) + 2, cat))
                        text += value
                        continue
                    spans.append((len(sep) + len(text), len(sep) + len(text) + len(value), cat))
                    text += value
                add(sep + text, spans)
            add("\n")
        name = f"entretien_{i + 1:03d}.txt"
        (folder / name).write_text("".join(parts), encoding="utf-8")
        gold[f"entretien_{i + 1:03d}"] = mentions
        manifest.append(f"{name},entretien_{i + 1:03d},{interviewer},{town}")
    (folder / "manifest.csv").write_text("\n".join(manifest) + "\n", encoding="utf-8")
    return gold


def evaluate(project: Project, gold: dict) -> dict:
    store = project.store
    cats = project.privacy_categories()
    ents = {e["id"]: e for e in store.privacy_entities()}
    occ = defaultdict(list)
    for o in store.privacy_occurrences():
        e = ents[o["entity_id"]]
        replaced = e["status"] != "rejected" and cats[e["category"]].action == "replace"
        occ[o["document"]].append((o["start"], o["end"], FAMILY.get(e["category"], "other"),
                                   replaced, o["variant"]))
    found, found_any, replaced_n, total = Counter(), Counter(), Counter(), Counter()
    tp, fp = Counter(), Counter()
    misses: dict[str, Counter] = defaultdict(Counter)
    false: dict[str, Counter] = defaultdict(Counter)
    for doc, mentions in gold.items():
        hits = occ.get(doc, [])
        texts = project.text(doc)
        for s, e, cat in mentions:
            total[cat] += 1
            family = GOLD_FAMILY.get(cat, cat)
            over = [h for h in hits if h[0] < e and s < h[1]]
            if any(h[2] == family for h in over):
                found[cat] += 1
            else:
                misses[cat][texts[s:e]] += 1
            if over:
                found_any[cat] += 1
            if any(h[3] for h in over):
                replaced_n[cat] += 1
        for h in hits:
            if any(s < h[1] and h[0] < e and h[2] == GOLD_FAMILY.get(cat, cat)
                   for s, e, cat in mentions):
                tp[h[2]] += 1
            else:
                fp[h[2]] += 1
                false[h[2]][h[4]] += 1
    out = {}
    for cat in sorted(set(total) | set(tp) | set(fp)):
        out[cat] = {
            "mentions": total[cat],
            "recall": round(found[cat] / total[cat], 4) if total[cat] else None,
            "recall_replaced": round(replaced_n[cat] / total[cat], 4) if total[cat] else None,
            "occurrences": tp[cat] + fp[cat],
            "precision": round(tp[cat] / (tp[cat] + fp[cat]), 4) if tp[cat] + fp[cat] else None,
            "missed": misses[cat].most_common(8),
            "false_positives": false[cat].most_common(8),
        }
    return out


def quality(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "entretiens"
        gold = generate(folder, args.interviews, args.seed)
        with Project.create(Path(tmp) / "q.wbproj", coder="bench") as p:
            report = p.import_files(manifest=folder / "manifest.csv")
            assert not report.failed, [r.message for r in report.failed]
            t0 = time.perf_counter()
            p.detect_personal_data(use_ner=not args.no_ner)
            seconds = time.perf_counter() - t0
            result = evaluate(p, gold)
            words = sum(p.documents()["word_count"])
    return {"interviews": args.interviews, "seed": args.seed, "ner": not args.no_ner,
            "words": int(words), "detect_seconds": round(seconds, 1), "categories": result}


def speed(args) -> dict:
    import shutil
    with tempfile.TemporaryDirectory(dir=args.project.parent) as tmp:
        copy = Path(tmp) / "speed.wbproj"
        shutil.copy(args.project, copy)
        with Project.open(copy, coder="bench") as p:
            docs = p.documents()
            t0 = time.perf_counter()
            done = [0]

            def progress(d, t, label):
                if d % 50 == 0 or d == t:
                    print(f"  {d}/{t} documents, {time.perf_counter() - t0:.0f} s",
                          file=sys.stderr)
                done[0] = d
            report = p.detect_personal_data(use_ner=not args.no_ner, rescan=True,
                                            progress=progress)
            seconds = time.perf_counter() - t0
            t1 = time.perf_counter()
            p.pseudonymise(Path(tmp) / "pseudo.wbproj", Path(tmp) / "k.json")
            apply_seconds = time.perf_counter() - t1
            counts = p.privacy_candidates().groupby("category").size().to_dict()
    return {"documents": len(docs), "words": int(docs["word_count"].sum()),
            "ner": not args.no_ner, "detect_seconds": round(seconds, 1),
            "words_per_second": round(docs["word_count"].sum() / seconds),
            "pseudonymise_seconds": round(apply_seconds, 1), "entities": counts,
            "occurrences": report["occurrences"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("quality", help="recall and precision on generated interviews")
    q.add_argument("--interviews", type=int, default=60)
    q.add_argument("--seed", type=int, default=3)
    q.add_argument("--no-ner", action="store_true")
    s = sub.add_parser("speed", help="time detection on an existing project")
    s.add_argument("project", type=Path)
    s.add_argument("--no-ner", action="store_true")
    for p in (q, s):
        p.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    result = quality(args) if args.cmd == "quality" else speed(args)
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
