"""A small real project for the query / analysis / dossier / export screens: the
interface-test project (tests/tui_helpers.py) plus a third interview (P002, no job at
six months), Freins codings on both beneficiaries and one evaluation question.

Codings (accepted), by actor type:
    Freins/Mobilité          beneficiary 2 (Karima P001, Sylvie P002)   trainer 1 (Marc)
    Freins/Garde d'enfants   trainer 1
    Orientation/Conseiller   beneficiary 1 (Karima)
so code × actor type counts Freins = beneficiary 2, trainer 2, total 4.
"""
from __future__ import annotations

from pathlib import Path

from tests.tui_helpers import make_project

INTERVIEW_C = """ENQ : Comment veniez-vous en formation ?
Sylvie : En stop, souvent. Sans voiture, le centre est à quarante kilomètres.
ENQ : Et aujourd'hui ?
Sylvie : Je cherche encore du travail, rien de stable.
"""

QUESTION = {"id": "AV-T1", "text": "Quels freins périphériques limitent l'accès à la formation ?",
            "programme": "avenir", "side": "beneficiaries"}


def make_analysis_project(folder: Path, coder: str = "testeur"):
    p = make_project(folder, coder=coder)
    (folder / "avenir_sylvie.txt").write_text(INTERVIEW_C, encoding="utf-8")
    p.import_files([folder / "avenir_sylvie.txt"], programme="avenir", actor_type="beneficiary",
                   participants=["P002"], speakers={"Sylvie": "P002"})
    text = p.text(1)
    s = text.index("Pas de permis")
    p.apply_code(1, "Freins/Mobilité", s, text.index("par heure.", s) + len("par heure."))
    doc_c = p.document_id("avenir_sylvie")
    text = p.text(doc_c)
    s = text.index("Sans voiture")
    p.apply_code(doc_c, "Freins/Mobilité", s, text.index("kilomètres.") + len("kilomètres."))
    p.store.bulk_insert_questions([QUESTION])
    p.update_code("Freins", questions=[QUESTION["id"]])
    return p
