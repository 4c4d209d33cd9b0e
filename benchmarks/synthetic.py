"""Build a seeded synthetic Workbench project for benchmarks.

    python benchmarks/synthetic.py OUT.wbproj --interviews 500 --seed 1

Defaults: 500 interviews (60 % beneficiaries, 20 % trainers, 20 % operators across the
six programmes), ~10,000 words each (~5 million words) as alternating ENQ / respondent turns drawn from
a French-like vocabulary, 5,000 participants with typed attributes, 100 codes
(10 themes × 9 sub-codes) linked to 12 evaluation questions, and ~100,000 accepted
codings by two coders (plus 2 % candidates).  Beneficiary interviews are linked to a
participant (half by speaker, half at document level); codes correlate mildly with
the participants' outcome so joint displays show something.

Everything goes through the store/facade APIs (documents with their segments and
FTS rows, participants, codes, questions, bulk codings), in a handful of
transactions; the same seed gives the same project.  Used by bench_query.py and by
the TUI and export benchmarks.
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.project import Project  # noqa: E402

PROGRAMMES = ("avenir", "pct_illettrisme", "occitanie_ia_emploi", "occitanie_e_formation",
              "becomino", "lab_capital_humain")
CANAUX = ("Pôle emploi", "mission locale", "CEP", "PLIE", "Cap emploi")
NIVEAUX = ("infra V", "V", "IV", "III et plus")
THEMES = {
    "Immersion en entreprise": ["Recherche de l'entreprise", "Tuteur", "Durée", "Tâches confiées",
                                "Embauche", "Déception", "Réseau", "Découverte métier", "Bilan"],
    "Freins": ["Mobilité", "Garde d'enfants", "Santé", "Logement", "Numérique", "Langue",
               "Finances", "Confiance en soi", "Administratif"],
    "Projet professionnel": ["Définition", "Reconversion", "Validation", "Abandon", "Formation visée",
                             "Secteur", "Temps partiel", "Création d'activité", "Incertitude"],
    "Accompagnement": ["Conseiller", "Fréquence", "Collectif", "Individuel", "Distance",
                       "Relation", "Orientation", "Suivi après sortie", "Rupture"],
    "Formation": ["Contenus", "Rythme", "Pédagogie", "Outils numériques", "Évaluation",
                  "Groupe", "Formateur", "Certification", "Abandon en cours"],
    "Compétences transverses": ["Communication", "Organisation", "Travail en équipe",
                                "Autonomie", "Savoir-être", "Lecture", "Calcul", "Écrit",
                                "Numérique de base"],
    "Partenariat": ["Prescripteurs", "Entreprises", "Financeurs", "Coordination", "Information",
                    "Outils partagés", "Réunions", "Conflits", "Pilotage"],
    "Outil IA": ["Usage", "Confiance", "Recommandations", "Ergonomie", "Données",
                 "Appropriation", "Limites", "Conseiller augmenté", "Refus"],
    "Emploi": ["Contrat", "Durée du contrat", "Qualité de l'emploi", "Recherche active",
               "Intérim", "Secteur d'emploi", "Salaire", "Horaires", "Maintien"],
    "Vécu du dispositif": ["Satisfaction", "Motivation", "Sentiment d'utilité", "Fatigue",
                           "Reconnaissance", "Isolement", "Entraide", "Perspectives", "Regrets"],
}
SYLLABLES = ("ma", "ré", "con", "pro", "for", "tion", "ment", "par", "ter", "vail", "lo", "gi",
             "que", "en", "tre", "pri", "se", "ac", "com", "pa", "gne", "em", "ploi", "sta",
             "giai", "re", "di", "spo", "si", "tif", "bus", "cr", "è", "che", "ate", "lier")
COMMON = ("je", "on", "ça", "c'est", "et", "alors", "donc", "mais", "le", "la", "les", "un",
          "une", "de", "des", "du", "en", "pour", "avec", "dans", "sur", "pas", "très", "bien",
          "euh", "vraiment", "quand", "même", "aussi", "plus", "moins", "après", "avant",
          "formation", "immersion", "entreprise", "conseillère", "stage", "projet", "emploi",
          "métier", "semaine", "mois", "travail", "aide", "difficile", "voiture", "enfants")


def vocabulary(rng: random.Random, n: int = 3000) -> list[str]:
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return list(COMMON) * 30 + sorted(words)


def build(out: Path, *, interviews: int = 500, participants: int = 5000, codings: int = 100_000,
          words: int = 10000, seed: int = 1, quiet: bool = False) -> dict:
    rng = random.Random(seed)
    t0 = time.perf_counter()

    def say(msg):
        if not quiet:
            print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr)

    vocab = vocabulary(rng)
    project = Project.create(out, name=f"Synthétique {interviews}", coder="synth")
    store = project.store
    # participants -----------------------------------------------------------------------
    rows = []
    for i in range(1, participants + 1):
        heures = rng.choice([0, 0, rng.randint(20, 600)])
        emploi = "oui" if rng.random() < 0.35 + heures / 2000 else "non"
        rows.append({"participant_id": f"P{i:05d}", "programme": rng.choice(PROGRAMMES),
                     "groupe": rng.choice(("programme", "comparaison")),
                     "sexe": rng.choice("FH"), "age": rng.randint(18, 62),
                     "canal_entree": rng.choice(CANAUX), "niveau_qualification": rng.choice(NIVEAUX),
                     "date_entree": f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                     "heures_formation": heures, "emploi_6m": emploi,
                     "abandon": "oui" if rng.random() < 0.15 else "non"})
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "participants.csv"
        with open(f, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        project.import_participants(f)
    outcome = {r["participant_id"]: r["emploi_6m"] == "oui" for r in rows}
    say(f"{participants} participants")
    # questions and codes ------------------------------------------------------------------
    questions = [{"id": f"Q{i:02d}", "text": f"Question d'évaluation synthétique n° {i}",
                  "programme": PROGRAMMES[i % len(PROGRAMMES)],
                  "side": ("beneficiaries", "ecosystem", "training_bodies")[i % 3]}
                 for i in range(1, 13)]
    store.bulk_insert_questions(questions, coder="synth")
    code_ids = []
    for t, (theme, subs) in enumerate(THEMES.items()):
        qs = [questions[t % 12]["id"], questions[(t + 5) % 12]["id"]]
        code_ids.append(project.create_code(theme, questions=qs))
        for s in subs:
            code_ids.append(project.create_code(f"{theme}/{s}"))
    coders = [project.add_coder(n) for n in ("claire", "mehdi")]
    say(f"{len(code_ids)} codes")
    # documents ----------------------------------------------------------------------------
    pool = [r["participant_id"] for r in rows]
    rng.shuffle(pool)
    doc_turns: list[tuple[int, list[tuple[int, int]], str | None]] = []
    with store.transaction():
        for n in range(interviews):
            r = rng.random()
            actor = "beneficiary" if r < 0.6 else ("trainer" if r < 0.8 else "operator")
            programme = PROGRAMMES[n % len(PROGRAMMES)]
            label = {"beneficiary": "Bénéficiaire", "trainer": "Formatrice",
                     "operator": "Conseiller"}[actor]
            parts, segs, resp = [], [], []
            pos, count, k = 0, 0, 0
            while count < words:
                enq = k % 2 == 0
                n_words = rng.randint(8, 25) if enq else rng.randint(40, 220)
                body = " ".join(rng.choices(vocab, k=n_words)).capitalize() + (" ?" if enq else ".")
                line = ("ENQ : " if enq else f"{label} : ") + body + "\n"
                segs.append({"position": k, "kind": "turn", "speaker": "ENQ" if enq else label,
                             "is_interviewer": enq, "start": pos, "end": pos + len(line) - 1})
                if not enq:
                    resp.append((pos + len(label) + 3, pos + len(line) - 1))
                parts.append(line)
                pos += len(line)
                count += n_words
                k += 1
            text = "".join(parts)
            links = []
            pid = None
            if actor == "beneficiary" and pool:
                pid = pool.pop()
                links = [(pid, label if n % 2 else "")]
            doc_id = store.insert_document(
                {"name": f"SYN-{n + 1:04d}", "text": text, "programme": programme,
                 "actor_type": actor, "interview_date": f"2023-{(n % 12) + 1:02d}-15",
                 "interviewer": rng.choice(("A. Martin", "B. Nguyen", "C. Diallo")),
                 "site": rng.choice(("Caen", "Rouen", "Lyon", "Toulouse", "Montpellier")),
                 "word_count": count, "source_format": "synthetic"},
                segs, links, coder="synth")
            doc_turns.append((doc_id, resp, pid))
            if not quiet and (n + 1) % 100 == 0:
                say(f"{n + 1} interviews")
    # codings ------------------------------------------------------------------------------
    weights = [1.0 / (1 + i % 37) for i in range(len(code_ids))]      # a few frequent codes
    per_doc = max(1, codings // max(1, interviews))
    crow = []
    for doc_id, resp, pid in doc_turns:
        employed = outcome.get(pid, False)
        w = [wt * (1.6 if (employed and i % 3 == 0) or (not employed and i % 3 == 1) else 1.0)
             for i, wt in enumerate(weights)]
        chosen = rng.choices(code_ids, weights=w, k=per_doc)
        for code in chosen:
            s, e = rng.choice(resp)
            if e - s > 60 and rng.random() < 0.7:
                a = rng.randint(s, e - 40)
                b = min(e, a + rng.randint(30, 400))
                s, e = a, b
            status = "candidate" if rng.random() < 0.02 else "accepted"
            crow.append((doc_id, code, s, e, rng.choice(coders),
                         "manual" if status == "accepted" else "rule", status, str(uuid.uuid4())))
    store.bulk_insert_codings(crow, coder="synth")
    say(f"{len(crow)} codings")
    info = project.info()
    project.close()
    say(f"done: {out}")
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="the project file to create (must not exist)")
    ap.add_argument("--interviews", type=int, default=500)
    ap.add_argument("--participants", type=int, default=5000)
    ap.add_argument("--codings", type=int, default=100_000)
    ap.add_argument("--words", type=int, default=10000, help="words per interview (approx.)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.out.exists():
        print(f"{a.out}: already exists", file=sys.stderr)
        return 1
    info = build(a.out, interviews=a.interviews, participants=a.participants, codings=a.codings,
                 words=a.words, seed=a.seed, quiet=a.quiet)
    print({k: info[k] for k in ("documents", "segments", "words", "participants",
                                "linked_participants", "codes", "codings")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
