"""A seeded synthetic corpus of French interview turns for topic-model tests and
benchmarks: a handful of clearly distinct themes (mobility, childcare, training,
digital skills, employment, housing, health, money), spoken-French fillers, and
interviewer turns.  ``write_corpus`` writes ``.txt`` transcripts ("ENQ :" / "Name :").
"""
from __future__ import annotations

import random
from pathlib import Path

THEMES: dict[str, dict[str, list[str]]] = {
    "mobilite": {
        "nouns": ["permis", "voiture", "bus", "trajet", "transport", "code de la route",
                  "auto-école", "gare", "covoiturage", "moniteur", "examen du permis",
                  "horaires de bus", "scooter"],
        "verbs": ["conduire", "rouler", "réviser le code", "prendre le bus", "se déplacer"],
        "adjs": ["loin", "rural", "isolé", "cher"],
    },
    "garde": {
        "nouns": ["crèche", "garde d'enfants", "assistante maternelle", "nounou", "école",
                  "cantine", "périscolaire", "halte-garderie", "enfants", "bébé",
                  "place en crèche", "mode de garde"],
        "verbs": ["faire garder", "récupérer les enfants", "inscrire à la crèche",
                  "emmener à l'école"],
        "adjs": ["petit", "malade", "complet"],
    },
    "formation": {
        "nouns": ["formation", "certificat CléA", "formateur", "module", "compétences",
                  "évaluation", "stage", "attestation", "organisme de formation",
                  "remise à niveau", "diplôme", "épreuve CléA"],
        "verbs": ["apprendre", "réviser", "valider", "passer l'évaluation", "se former"],
        "adjs": ["certifiant", "qualifiant", "professionnel"],
    },
    "numerique": {
        "nouns": ["ordinateur", "internet", "tablette", "smartphone", "mail",
                  "démarches en ligne", "mot de passe", "clavier", "souris", "application",
                  "espace personnel", "imprimante"],
        "verbs": ["taper", "télécharger", "se connecter", "envoyer un mail", "cliquer"],
        "adjs": ["numérique", "informatique", "connecté"],
    },
    "emploi": {
        "nouns": ["emploi", "contrat", "entretien d'embauche", "CV", "employeur", "CDI",
                  "intérim", "candidature", "salaire", "poste"],
        "verbs": ["postuler", "embaucher", "chercher du travail", "signer un contrat"],
        "adjs": ["précaire", "stable", "temporaire"],
    },
    "logement": {
        "nouns": ["logement", "appartement", "loyer", "bailleur", "HLM", "déménagement",
                  "quartier", "propriétaire", "caution", "chauffage"],
        "verbs": ["déménager", "louer", "payer le loyer", "chercher un appartement"],
        "adjs": ["insalubre", "petit", "social"],
    },
    "sante": {
        "nouns": ["santé", "médecin", "hôpital", "dos", "douleur", "arrêt maladie",
                  "traitement", "rendez-vous médical", "fatigue", "sommeil"],
        "verbs": ["soigner", "consulter", "opérer", "dormir"],
        "adjs": ["malade", "fatigué", "chronique"],
    },
    "argent": {
        "nouns": ["argent", "budget", "RSA", "allocation", "dette", "banque", "facture",
                  "aide financière", "prime", "découvert"],
        "verbs": ["payer", "rembourser", "économiser", "dépenser"],
        "adjs": ["serré", "difficile", "impayé"],
    },
}

FILLERS = ["euh", "ben", "bah", "voilà", "du coup", "en fait", "bon", "hein", "quoi",
           "tu vois", "enfin"]
TEMPLATES = [
    "{f}, le {n1} c'est vraiment important pour moi, et le {n2} aussi.",
    "Alors {f} j'ai dû {v} parce que le {n1} était {a}.",
    "{F} le problème c'était le {n1}, {f}, et puis le {n2}.",
    "Pour {v}, il fallait le {n1}, c'était {a}, {f}.",
    "{F} on m'a parlé du {n1} et du {n2}, du coup j'ai voulu {v}.",
    "Le {n1}, {f}, franchement c'est {a} ici, il faut {v}.",
    "J'ai commencé à {v}, avec le {n1} et le {n2}.",
]
QUESTIONS = [
    "Pouvez-vous m'en dire plus ?", "Et comment ça s'est passé ensuite ?",
    "Qu'est-ce qui a été le plus difficile ?", "D'accord. Et après ?",
    "Comment avez-vous vécu cette période ?",
]
NAMES = ["Karima", "Julien", "Sandrine", "Moussa", "Nadia", "Thierry", "Inès", "Pascal"]


def turn(rng: random.Random, theme: str, sentences: int = 2) -> str:
    t = THEMES[theme]
    out = []
    for _ in range(sentences):
        f = rng.choice(FILLERS)
        s = rng.choice(TEMPLATES).format(
            f=f, F=f.capitalize(), n1=rng.choice(t["nouns"]), n2=rng.choice(t["nouns"]),
            v=rng.choice(t["verbs"]), a=rng.choice(t["adjs"]))
        out.append(s[0].upper() + s[1:])
    return " ".join(out)


def transcript(rng: random.Random, name: str, themes: list[str], turns: int,
               sentences: int = 2) -> str:
    lines = [f"Entretien avec {name} (transcription fictive)."]
    for _ in range(turns):
        lines.append(f"ENQ : {rng.choice(QUESTIONS)}")
        lines.append(f"{name} : {turn(rng, rng.choice(themes), sentences)}")
    return "\n".join(lines) + "\n"


def write_corpus(folder: str | Path, *, turns: int, seed: int = 7, themes: list[str] | None = None,
                 turns_per_doc: int = 50, sentences: int = 2) -> list[Path]:
    """Write transcripts holding ``turns`` respondent turns in all (plus as many
    interviewer turns); each document mixes two or three themes."""
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    themes = themes or list(THEMES)
    paths = []
    left, i = turns, 0
    while left > 0:
        n = min(turns_per_doc, left)
        k = min(len(themes), rng.choice([2, 3]))
        doc_themes = rng.sample(themes, k)
        name = NAMES[i % len(NAMES)]
        p = folder / f"entretien_{i:05d}.txt"
        p.write_text(transcript(rng, name, doc_themes, n, sentences), encoding="utf-8")
        paths.append(p)
        left -= n
        i += 1
    return paths
