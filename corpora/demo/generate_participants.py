"""Generate the demo participant table (seeded, reproducible): corpora/demo/participants.csv.

Rows P0001-P0012 are the interviewed beneficiaries, taken from interviewees-*.csv so that
what they say matches their attributes; the other rows are drawn at random (seed 2021)
with plausible links between path and outcomes.  The table is fictional.

    python corpora/demo/generate_participants.py
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
N = 300
SEED = 2021
COLUMNS = ["participant_id", "programme", "groupe", "sexe", "age", "region", "canal_entree",
           "niveau_qualification", "date_entree", "etapes_suivies", "heures_formation",
           "immersion_entreprise", "domaines_clea_valides", "distance_site_km", "emploi_6m",
           "qualification_6m", "abandon"]
PROGRAMMES = {
    "avenir": "Normandie",
    "pct_illettrisme": "Auvergne-Rhône-Alpes",
    "occitanie_ia_emploi": "Occitanie",
    "occitanie_e_formation": "Occitanie",
    "becomino": "Auvergne-Rhône-Alpes",
    "lab_capital_humain": "Auvergne-Rhône-Alpes",
}
CANAUX = ["Pôle emploi", "mission locale", "CEP", "PLIE", "conseil départemental/RSA",
          "démarche individuelle", "Cap emploi"]
CANAUX_W = [34, 20, 10, 10, 14, 8, 4]
NIVEAUX = ["infra V", "V", "IV", "III et plus"]
NIVEAUX_W = [30, 38, 22, 10]


def yes(p: float, rng: random.Random) -> str:
    return "oui" if rng.random() < p else "non"


def draw(pid: str, rng: random.Random) -> dict:
    programme = rng.choice(list(PROGRAMMES))
    groupe = "programme" if rng.random() < 0.5 else "comparaison"
    niveau = rng.choices(NIVEAUX, NIVEAUX_W)[0]
    in_prog = groupe == "programme"
    abandon = yes(0.18 if in_prog else 0.0, rng) if in_prog else "non"
    heures = 0
    if in_prog:
        heures = int(rng.gauss(320, 110))
        if abandon == "oui":
            heures = int(heures * rng.uniform(0.15, 0.5))
        heures = max(20, heures)
    elif rng.random() < 0.4:
        heures = max(20, int(rng.gauss(180, 80)))
    immersion = yes(0.62 if in_prog and abandon == "non" else 0.2, rng)
    clea = min(7, max(0, int(rng.gauss(4.2 if in_prog else 1.5, 1.8)))) \
        if programme in ("avenir", "pct_illettrisme") else 0
    p_emploi = 0.28 + 0.12 * (immersion == "oui") + 0.05 * NIVEAUX.index(niveau) \
        + (0.08 if in_prog else 0) - (0.15 if abandon == "oui" else 0)
    start = dt.date(2021, 9, 1) + dt.timedelta(days=rng.randrange(0, 420))
    return {
        "participant_id": pid, "programme": programme, "groupe": groupe,
        "sexe": rng.choice("FH"), "age": rng.randint(18, 61), "region": PROGRAMMES[programme],
        "canal_entree": rng.choices(CANAUX, CANAUX_W)[0], "niveau_qualification": niveau,
        "date_entree": start.isoformat(),
        "etapes_suivies": rng.randint(1, 6) if in_prog else rng.randint(0, 2),
        "heures_formation": heures, "immersion_entreprise": immersion,
        "domaines_clea_valides": clea, "distance_site_km": int(rng.expovariate(1 / 14)) + 1,
        "emploi_6m": yes(p_emploi, rng),
        "qualification_6m": yes(0.1 + 0.25 * (in_prog and abandon == "non"), rng),
        "abandon": abandon,
    }


def main() -> None:
    rng = random.Random(SEED)
    fixed: dict[str, dict] = {}
    for frag in sorted(HERE.glob("interviewees-*.csv")):
        with open(frag, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                fixed[row["participant_id"]] = {c: row.get(c, "") for c in COLUMNS}
    rows = []
    for i in range(1, N + 1):
        pid = f"P{i:04d}"
        generated = draw(pid, rng)          # drawn for every ID so the sequence is stable
        rows.append(fixed.get(pid, generated))
    with open(HERE / "participants.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} participants ({len(fixed)} from interviewees-*.csv)")


if __name__ == "__main__":
    main()
