import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("WORKBENCH_CODER", "testeur")
# each test process (pytest-xdist worker) has its own Workbench home: remembered coders
# and the demo never shared between workers, nor written to the user's own folders
os.environ["WORKBENCH_HOME"] = tempfile.mkdtemp(
    prefix=f"wbhome-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path):
    from workbench.project import Project
    p = Project.create(tmp_path / "test.wbproj", coder="testeur")
    yield p
    p.close()


PARTICIPANTS_CSV = """participant_id,programme,age,heures_formation,emploi_6m,niveau_qualification,date_entree,canal_entree
P001,avenir,34,320,oui,V,2022-01-10,Pôle emploi
P002,avenir,51,120,non,infra V,2022-02-01,mission locale
P003,pct_illettrisme,27,"410,5",non,IV,15/03/2022,CEP
"""

INTERVIEW_TXT = """Transcription fictive pour les tests.
ENQ : Bonjour, pouvez-vous me raconter comment vous êtes entrée dans le programme ?
Karima : Ben euh, c'est ma conseillère Pôle emploi qui m'a parlé de la formation.
ENQ : Et l'immersion en entreprise, comment ça s'est passé ?
Karima : Alors l'immersion, c'était à la crèche municipale, trois semaines.
Ça m'a redonné confiance, vraiment.
ENQ : Merci beaucoup.
"""


@pytest.fixture
def participants_csv(tmp_path):
    f = tmp_path / "participants.csv"
    f.write_text(PARTICIPANTS_CSV, encoding="utf-8")
    return f


@pytest.fixture
def interview_txt(tmp_path):
    f = tmp_path / "entretien_karima.txt"
    f.write_text(INTERVIEW_TXT, encoding="utf-8")
    return f


@pytest.fixture
def anyio_backend():
    """Async TUI tests (anyio's pytest plugin) run on asyncio."""
    return "asyncio"


@pytest.fixture
def english():
    """The terminal interface in English for the duration of a test."""
    from workbench import i18n
    old = i18n.language()
    i18n.set_language("en")
    yield
    i18n.set_language(old)


@pytest.fixture
def french():
    """Workbench in French for the duration of a test."""
    from workbench import i18n
    old = i18n.language()
    i18n.set_language("fr")
    yield
    i18n.set_language(old)


@pytest.fixture(params=["fr", "en"])
def ui_language(request):
    """Run the test in French, then in English (snapshots in both languages)."""
    from workbench import i18n
    old = i18n.language()
    i18n.set_language(request.param)
    yield request.param
    i18n.set_language(old)
