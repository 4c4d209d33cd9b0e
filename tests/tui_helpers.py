"""A small real project for the terminal-interface tests and snapshots."""
from __future__ import annotations

import sys
from pathlib import Path

INTERVIEW_A = """Entretien fictif pour les tests de l'interface.
[00:00:04] ENQ : Bonjour, pouvez-vous me raconter comment vous êtes entrée dans le programme ?
[00:00:12] Karima : Ben euh, c'est ma conseillère Pôle emploi qui m'a parlé de la formation. Elle m'a montré le site.
[00:00:31] ENQ : Et pour venir en formation, comment faisiez-vous ?
[00:00:36] Karima : Alors ça c'était dur. Pas de permis, le bus une fois par heure. Je partais à six heures.
[00:01:02] ENQ : Et l'immersion en entreprise, comment ça s'est passé ?
[00:01:09] Karima : L'immersion, c'était à la crèche municipale, trois semaines. Ça m'a redonné confiance, vraiment.
[00:01:30] ENQ : Merci beaucoup.
"""

INTERVIEW_B = """ENQ : Comment se passe l'accompagnement des stagiaires ?
Marc : On voit beaucoup de freins à la mobilité. Certains viennent de loin, sans voiture.
ENQ : Et la garde d'enfants ?
Marc : C'est le deuxième frein. Les horaires de crèche ne collent pas avec la formation.
"""

PARTICIPANTS = """participant_id,programme,age,emploi_6m
P001,avenir,34,oui
P002,avenir,51,non
"""

FIXED_TIME = "2024-03-01T09:30:00.000+00:00"


def freeze_time(monkeypatch) -> None:
    """Every `now()` of the store and the facade returns one fixed instant."""
    import workbench.store.db as db
    original = db.now
    for name, module in list(sys.modules.items()):
        if name.startswith("workbench") and getattr(module, "now", None) is original:
            monkeypatch.setattr(module, "now", lambda: FIXED_TIME)


def make_project(folder: Path, coder: str = "testeur"):
    """Two interviews, two participants, a small code tree, three codings, one memo."""
    from workbench.project import Project
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "avenir_karima.txt").write_text(INTERVIEW_A, encoding="utf-8")
    (folder / "avenir_formateur_marc.txt").write_text(INTERVIEW_B, encoding="utf-8")
    (folder / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    p = Project.create(folder / "test.wbproj", name="Projet test", coder=coder)
    p.import_participants(folder / "participants.csv")
    p.import_files([folder / "avenir_karima.txt"], programme="avenir", actor_type="beneficiary",
                   participants=["P001"], speakers={"Karima": "P001"})
    p.import_files([folder / "avenir_formateur_marc.txt"], programme="avenir",
                   actor_type="trainer")
    p.create_code("Freins", definition="Ce qui empêche d'entrer ou de rester en formation",
                  when_to_use="obstacles matériels ou personnels", colour="#D62728")
    p.create_code("Freins/Mobilité", short="transport, permis, distance", colour="#FF7F0E")
    p.create_code("Freins/Garde d'enfants", short="garde, crèche, horaires", colour="#9467BD")
    p.create_code("Orientation", definition="Comment la personne a connu le programme",
                  colour="#1F77B4")
    p.create_code("Orientation/Conseiller", short="rôle du conseiller", colour="#17BECF")
    p.create_code("Confiance en soi", colour="#2CA02C")
    text_b = p.text(2)
    s = text_b.index("beaucoup de freins")
    p.apply_code(2, "Freins/Mobilité", s, s + len("beaucoup de freins à la mobilité"))
    s = text_b.index("C'est le deuxième frein")
    k = p.apply_code(2, "Freins/Garde d'enfants", s, text_b.index("formation.", s) + 10)
    p.add_memo("coding", k, "Lien entre horaires de crèche et formation")
    seg = p.segments(1)[2]
    p.apply_code(1, "Orientation/Conseiller", seg.start + len("[00:00:12] Karima : "), seg.end)
    return p
