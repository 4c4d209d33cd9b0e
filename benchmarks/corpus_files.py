"""Seeded generator of a synthetic corpus of French evaluation interviews, as real files.

    python benchmarks/corpus_files.py OUTDIR --interviews 500 --seed 7 [--words 10000]

Writes into OUTDIR:

* ``entretiens/E0001_karima.docx`` ... half Word files (python-docx, the speaker label
  ``ENQ :`` / ``Karima :`` in a bold run), half plain text (UTF-8, a third of them cp1252
  with CRLF line ends, as Windows Notepad saves them);
* ``participants.csv``: one row per interviewee (P0001...), typed attributes
  (programme, age, heures de formation, emploi à 6 mois, niveau, date d'entrée, canal);
* ``manifest.csv``: file, name, programme, actor_type, interview_date, interviewer, site,
  participants, speakers (``Karima=P0001``), ready for ``Project.import_files(manifest=...)``.

The speech is built from real French words and phrases typical of these interviews
(formation, immersion, entreprise, conseillère, Pôle emploi, crèche, permis, confiance...)
with accents, hesitations, interviewer questions, ``[00:12:34]`` timestamps on some
turns and a few rare words (so that search has common *and* rare terms).  The same
``--seed`` always gives the same texts (every file has its own seeded generator).
"""
from __future__ import annotations

import argparse
import csv
import datetime as _dt
import random
import re
import sys
import time
from pathlib import Path

# ---------------------------------------------------------------------------- vocabulary
FIRST_NAMES = (
    "Karima", "Sylvie", "Mohamed", "Nathalie", "Kevin", "Aurélie", "Sébastien", "Fatoumata",
    "Jérôme", "Céline", "Mamadou", "Émilie", "Rachid", "Sandrine", "Thierry", "Yasmina",
    "Cédric", "Laëtitia", "Hélène", "Grégory", "Amandine", "Nadia", "Frédéric", "Aïcha",
    "Stéphanie", "Jean-Marc", "Océane", "Samir", "Virginie", "Loïc", "Chloé", "Moussa",
    "Inès", "Benoît", "Josiane", "François", "Myriam", "Dylan", "Zoé", "Adèle",
)
INTERVIEWER_LABELS = ("ENQ", "ENQ", "ENQ", "Enquêtrice", "Enquêteur")
PROGRAMMES = ("avenir", "pct_illettrisme", "reprise_confiance")
ACTORS = ("beneficiary",) * 8 + ("trainer", "operator")
SITES = ("Lille", "Roubaix", "Amiens", "Saint-Quentin", "Lens", "Valenciennes", "Beauvais")
INTERVIEWERS = ("Claire Martin", "Julien Roux", "Anne Lefèvre", "Paul Girard")
CANAUX = ("Pôle emploi", "mission locale", "CEP", "bouche à oreille", "Cap emploi", "CCAS")
NIVEAUX = ("infra V", "V", "IV", "III et plus")

OPENERS = (
    "Ben euh,", "Alors,", "En fait,", "Bon,", "Oui,", "Voilà,", "Euh…", "Bah", "Franchement,",
    "Disons que", "Au début,", "Honnêtement,", "Ah oui,", "Non mais", "C’est vrai que", "Après,",
    "Moi,", "Ouais,", "Pfff…", "Ça,", "Du coup,", "Je dirais que",
)
SUBJECTS = (
    "ma conseillère", "la conseillère Pôle emploi", "la formatrice", "le formateur",
    "mon référent", "l’entreprise", "le tuteur", "ma mère", "mon mari", "tout le monde",
    "la mission locale", "l’assistante sociale", "le patron", "la responsable du centre",
    "une amie",
    "ma fille", "le groupe", "la directrice de la crèche", "mon ancien employeur", "on",
    "elle", "il", "la coordinatrice", "le chargé d’insertion", "ma sœur",
)
VERBS = (
    "m’a parlé de", "m’a proposé", "m’a orienté vers", "m’a aidée pour", "m’a beaucoup aidé avec",
    "a trouvé", "m’a expliqué", "m’a redonné", "m’a poussée vers", "n’a pas compris",
    "a accepté", "m’a inscrite à", "a organisé", "m’a conseillé", "m’a appris", "a financé",
    "m’a rassurée sur", "m’a accompagnée pendant", "voulait absolument", "a refusé",
    "m’a fait découvrir", "parlait souvent de", "a mis en place", "a validé",
)
OBJECTS = (
    "la formation", "l’immersion en entreprise", "le stage", "la remise à niveau",
    "le permis de conduire", "le permis B", "la garde des enfants", "une place en crèche",
    "le CV", "la lettre de motivation", "les entretiens d’embauche", "la confiance en moi",
    "le projet professionnel", "le contrat d’apprentissage", "la période d’essai", "le CDD",
    "un CDI", "l’intérim", "les cours de français", "les mathématiques", "l’informatique",
    "le bilan de compétences", "la validation des acquis", "le titre professionnel",
    "l’aide au transport", "la carte de bus", "les horaires", "le salaire", "la rémunération",
    "le RSA", "les allocations", "le logement", "la santé", "le handicap", "la reconversion",
    "le métier d’aide-soignante", "le secteur de la petite enfance", "la logistique",
    "le bâtiment", "la restauration", "le nettoyage", "le service à la personne",
    "l’accompagnement", "le suivi", "le parcours", "les démarches administratives",
    "la plateforme en ligne", "l’attestation", "le diplôme", "le certificat", "la mobilité",
)
COMPLEMENTS = (
    "et ça m’a vraiment aidée", "mais c’était compliqué au début", "pendant trois semaines",
    "tous les mardis et jeudis", "avec les autres du groupe", "à cause des enfants",
    "parce que je n’avais pas le permis", "sans trop savoir où j’allais", "et j’ai pris confiance",
    "alors que je n’y croyais plus", "juste à côté de chez moi", "à l’autre bout de la ville",
    "et franchement c’était dur", "et là ça a débloqué quelque chose", "c’était pas évident",
    "pour reprendre confiance", "pour retrouver un emploi", "avant de signer le contrat",
    "et après je me suis sentie utile", "et j’ai enfin été embauchée", "sans rien payer",
    "avec une aide de la région", "grâce à l’association", "au centre de formation",
    "dans une petite entreprise", "dans un supermarché", "à la crèche municipale",
    "en maison de retraite", "dans un entrepôt", "en plein hiver", "pendant le confinement",
    "et on se sentait écoutés", "mais personne ne m’avait prévenue", "c’est ça qui m’a plu",
    "et ça, je ne l’oublierai pas", "même si c’était loin", "et je me suis découragée",
    "et au final ça s’est bien passé", "et ça m’a ouvert des portes", "je ne regrette pas",
)
FILLERS = (
    "tu vois", "vous voyez", "en fait", "quoi", "enfin", "voilà", "euh", "bon", "hein",
    "je sais pas", "c’est-à-dire", "bref", "genre", "on va dire", "comment dire",
)
SHORT_REPLIES = (
    "Oui.", "Non, pas vraiment.", "Voilà.", "Exactement.", "C’est ça.", "Oui, tout à fait.",
    "Ah non, jamais.", "Je sais pas trop.", "Un peu, oui.", "[rires] Oui.", "Hum hum.",
    "Ben oui, forcément.", "Pas du tout.", "Au début, non.",
)
# rare words: each appears in only a handful of turns of the whole corpus
RARE = (
    "ébénisterie", "permaculture", "Qualiopi", "tiers-lieu", "apiculture", "cordonnerie",
    "horlogerie", "maraîchage", "soudure", "sérigraphie", "pâtisserie", "tapisserie",
    "fromagerie", "boulangerie", "menuiserie", "taxidermie", "luthier", "vannerie",
)
QUESTIONS = (
    "Pouvez-vous me raconter comment vous êtes {e} dans le programme ?",
    "Et l’immersion en entreprise, comment ça s’est passé ?",
    "Qu’est-ce qui vous a le plus aidé{e2} pendant la formation ?",
    "Comment avez-vous connu le dispositif ?",
    "Et votre conseillère, elle vous a accompagné{e2} comment ?",
    "Est-ce que la question de la garde des enfants s’est posée ?",
    "Vous aviez le permis à ce moment-là ?",
    "Qu’est-ce que ça a changé pour vous, concrètement ?",
    "Et aujourd’hui, vous en êtes où ?",
    "Si vous deviez conseiller quelqu’un qui entre dans le programme, vous lui diriez quoi ?",
    "Est-ce que vous vous êtes senti{e2} en confiance avec le groupe ?",
    "Comment ça se passait avec l’entreprise d’accueil ?",
    "Vous pouvez préciser ?",
    "D’accord. Et ensuite ?",
    "Et les transports, c’était comment ?",
    "Qu’est-ce qui a été le plus difficile ?",
    "Vous avez eu des difficultés avec les démarches en ligne ?",
    "Et la rémunération pendant la formation, ça suffisait ?",
    "Vous avez pensé à arrêter, à un moment ?",
    "Qu’est-ce que vous retenez de tout ça ?",
)


_CONTRACTIONS = ((" de le ", " du "), (" de les ", " des "), (" à le ", " au "),
                 (" à les ", " aux "))
_WORD = re.compile(r"\w+(?:['’-]\w+)*")  # as workbench.ingest.service.count_words


def _sentence(rng: random.Random) -> str:
    parts = []
    if rng.random() < 0.55:
        parts.append(rng.choice(OPENERS))
    parts.append(rng.choice(SUBJECTS))
    parts.append(rng.choice(VERBS))
    parts.append(rng.choice(OBJECTS))
    if rng.random() < 0.35:
        parts.append(rng.choice(FILLERS) + ",")
    if rng.random() < 0.7:
        parts.append(rng.choice(COMPLEMENTS))
    if rng.random() < 0.004:
        parts.append("comme dans la " + rng.choice(RARE))
    s = " ".join(parts).rstrip(",")
    for a, b in _CONTRACTIONS:
        s = s.replace(a, b)
    s = s[0].upper() + s[1:]
    return s + rng.choice((".", ".", ".", ".", " !", "…", ", voilà."))


def _answer(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(SHORT_REPLIES)
    n = rng.choice((1, 2, 2, 3, 3, 4, 5, 6, 8, 10))
    return " ".join(_sentence(rng) for _ in range(n))


def _question(rng: random.Random, feminine: bool) -> str:
    q = rng.choice(QUESTIONS).format(e="entrée" if feminine else "entré",
                                     e2="e" if feminine else "")
    if rng.random() < 0.3:
        q = rng.choice(("D’accord.", "Hum hum.", "Je vois.", "Très bien.", "Ah oui ?")) + " " + q
    return q


def _ts(seconds: int) -> str:
    return f"[{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}]"


def interview_turns(rng: random.Random, name: str, words: int) -> list[tuple[str | None, str, str | None]]:
    """(speaker label, text, timestamp or None); speaker None = free paragraph."""
    feminine = name in _FEMININE
    enq = rng.choice(INTERVIEWER_LABELS)
    turns: list[tuple[str | None, str, str | None]] = [
        (None, f"Entretien n° {rng.randint(1, 999)} — transcription intégrale.", None)]
    count, clock = 0, rng.randint(0, 40)
    while count < words:
        for speaker, text in ((enq, _question(rng, feminine)), (name, _answer(rng))):
            ts = _ts(clock) if rng.random() < 0.2 else None
            clock += max(3, len(text) // 14) + rng.randint(0, 6)
            turns.append((speaker, text, ts))
            count += len(_WORD.findall(text))
    turns.append((enq, "Merci beaucoup pour votre temps.", None))
    turns.append((name, "Merci à vous, au revoir.", None))
    return turns


_FEMININE = {"Karima", "Sylvie", "Nathalie", "Aurélie", "Fatoumata", "Céline", "Émilie",
             "Sandrine", "Yasmina", "Laëtitia", "Hélène", "Amandine", "Nadia", "Aïcha",
             "Stéphanie", "Océane", "Virginie", "Chloé", "Inès", "Josiane", "Myriam", "Zoé",
             "Adèle"}


# ------------------------------------------------------------------------------ writers
def write_txt(path: Path, turns, encoding: str, rng: random.Random) -> None:
    lines = []
    for speaker, text, ts in turns:
        if speaker is None:
            lines.append(text)
            lines.append("")
            continue
        head = f"{ts} {speaker} :" if ts else f"{speaker} :"
        # long answers are sometimes broken over two lines (same turn)
        if len(text) > 400 and rng.random() < 0.3:
            cut = text.find(". ", len(text) // 2)
            if cut > 0:
                lines.append(f"{head} {text[:cut + 1]}")
                lines.append(text[cut + 2:])
                continue
        lines.append(f"{head} {text}")
    newline = "\r\n" if encoding == "cp1252" else "\n"
    path.write_bytes((newline.join(lines) + newline).encode(encoding))


def write_docx(path: Path, turns, title: str) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = title
    d.core_properties.author = "Workbench benchmark"
    fixed = _dt.datetime(2024, 1, 1)
    d.core_properties.created = fixed
    d.core_properties.modified = fixed
    for speaker, text, ts in turns:
        p = d.add_paragraph()
        if speaker is None:
            p.add_run(text)
            continue
        p.add_run(f"{speaker} :").bold = True
        p.add_run(f" {ts} {text}" if ts else f" {text}")
    d.save(str(path))


# ------------------------------------------------------------------------------ corpus
def generate(outdir: Path, interviews: int, seed: int, words: int = 10_000,
             verbose: bool = True, txt_only: bool = False) -> dict:
    """``txt_only``: every interview as a UTF-8 ``.txt`` (what a peer tool that reads
    plain text only can import too)."""
    outdir = Path(outdir)
    files_dir = outdir / "entretiens"
    files_dir.mkdir(parents=True, exist_ok=True)
    master = random.Random(seed)
    participants, manifest = [], []
    t0 = time.perf_counter()
    total_words = 0
    for i in range(1, interviews + 1):
        rng = random.Random(f"{seed}:{i}")
        name = master.choice(FIRST_NAMES)
        pid = f"P{i:04d}"
        programme = master.choice(PROGRAMMES)
        actor = master.choice(ACTORS)
        date = _dt.date(2023, 1, 1) + _dt.timedelta(days=master.randint(0, 540))
        n_words = int(words * master.uniform(0.85, 1.15))
        turns = interview_turns(rng, name, n_words)
        total_words += sum(len(_WORD.findall(t[1])) + (1 if t[0] else 0) for t in turns)
        slug = name.lower().replace("é", "e").replace("è", "e").replace("ë", "e") \
            .replace("ï", "i").replace("ç", "c").replace("-", "")
        stem = f"E{i:04d}_{slug}"
        if i % 2 == 0 and not txt_only:
            fname = stem + ".docx"
            write_docx(files_dir / fname, turns, f"Entretien {stem}")
        else:
            fname = stem + ".txt"
            encoding = "cp1252" if i % 6 == 5 and not txt_only else "utf-8"
            write_txt(files_dir / fname, turns, encoding, rng)
        participants.append(dict(
            participant_id=pid, programme=programme, age=master.randint(18, 62),
            heures_formation=str(master.choice((70, 120, 210, 320, 410.5, 600))).replace(".", ","),
            emploi_6m=master.choice(("oui", "non", "non")),
            niveau_qualification=master.choice(NIVEAUX),
            date_entree=(date - _dt.timedelta(days=master.randint(60, 400))).isoformat(),
            canal_entree=master.choice(CANAUX),
            sexe="F" if name in _FEMININE else "H"))
        manifest.append(dict(
            file=f"entretiens/{fname}", name=stem, programme=programme,
            new_programme="oui" if programme == "reprise_confiance" else "", actor_type=actor,
            interview_date=date.isoformat(), interviewer=master.choice(INTERVIEWERS),
            site=master.choice(SITES), participants="", speakers=f"{name}={pid}"))
        if verbose and i % 50 == 0:
            print(f"  {i}/{interviews} files ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    with open(outdir / "participants.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(participants[0]))
        w.writeheader()
        w.writerows(participants)
    with open(outdir / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(manifest[0]))
        w.writeheader()
        w.writerows(manifest)
    size = sum(f.stat().st_size for f in files_dir.iterdir())
    return {"interviews": interviews, "seed": seed, "words": total_words, "bytes": size,
            "seconds": round(time.perf_counter() - t0, 1), "outdir": str(outdir)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--interviews", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--words", type=int, default=10_000, help="mean words per interview")
    ap.add_argument("--txt-only", action="store_true",
                    help="every interview as a UTF-8 .txt (no .docx, no cp1252)")
    args = ap.parse_args(argv)
    if args.outdir.exists() and any(args.outdir.iterdir()):
        print(f"{args.outdir} is not empty: give a new folder", file=sys.stderr)
        return 1
    info = generate(args.outdir, args.interviews, args.seed, args.words, txt_only=args.txt_only)
    print(f"{info['interviews']} interviews, {info['words']:,} words, "
          f"{info['bytes'] / 1e6:.1f} MB in {info['seconds']} s -> {info['outdir']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
