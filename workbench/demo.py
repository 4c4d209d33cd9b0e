"""Build the demo project from the shipped corpus in ``corpora/demo``.

The corpus holds fictional French transcripts for the six programmes, a participant
table, the sites and organisations (training bodies, third places, prescribers,
employers) the interviews belong to, import manifests -- the first campaign of
interviews is the wave ``sortie``, three beneficiaries were interviewed again six months
later (wave ``6 mois``, ``manifest-suivi-6mois.csv``) -- and codings by two fictional
coders.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workbench.domain import WorkbenchError
from workbench.i18n import _

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_CORPUS = REPO_ROOT / "corpora" / "demo"
CODEBOOKS_DIR = REPO_ROOT / "codebooks"
#: the demo's waves, in order, and its case tables (imported before the manifests name them)
DEMO_WAVES = ("sortie", "6 mois")
#: who codes in the demo when nobody gave a name
DEMO_CODER = "Démo"
DEMO_CASES = (("site", "sites.csv"), ("organisation", "organisations.csv"))


def default_demo_path() -> Path:
    base = os.environ.get("WORKBENCH_HOME")
    if base:
        return Path(base) / "demo.wbproj"
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "workbench" / "demo.wbproj"


def build_demo(path: str | Path | None = None, *, corpus: Path = DEMO_CORPUS,
               progress=None, replace: bool = False):
    """Build the demo project at ``path`` (default: the user's data folder).

    The project is written to a temporary file and moved into place when complete,
    so an interrupted build never leaves a half-built project behind.
    """
    from workbench.project import Project

    path = Path(path) if path else default_demo_path()
    if path.exists() and not replace:
        raise WorkbenchError(_("{path}: already exists (use --replace to rebuild it)").format(
            path=path))
    if not (corpus / "participants.csv").is_file():
        raise WorkbenchError(_("{path}: the demo corpus is missing (participants.csv not "
                               "found)").format(path=corpus))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".demo-", suffix=".wbproj", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        with Project.create(tmp, name="Démo PIC", coder="Camille Roux") as project:
            # whoever opens the demo without giving a name codes as "Démo", never as
            # their login name (a name given with --coder or in the interface wins)
            project.store.set_meta("default_coder", DEMO_CODER)
            project.import_participants(corpus / "participants.csv")
            project.set_waves(DEMO_WAVES)
            for kind, table in DEMO_CASES:
                if (corpus / table).is_file():
                    project.import_cases(corpus / table, kind)
            manifests = sorted(corpus.glob("manifest*.csv"))
            for m in manifests:
                report = project.import_files(manifest=m, progress=progress)
                if report.failed:
                    raise WorkbenchError(_("demo corpus import failed:") + "\n  " +
                                         "\n  ".join(r.message for r in report.failed))
            for hook in _BUILD_STEPS:
                hook(project, corpus)
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
    return path


def _load_codebooks(project, corpus: Path) -> None:
    for path in sorted(CODEBOOKS_DIR.glob("*.yaml")):
        project.import_codebook(path)


def _load_codings(project, corpus: Path) -> None:
    from workbench.coding.demo_codings import load_demo_codings
    source = corpus / "codings.csv"
    if source.is_file():
        load_demo_codings(project, source)


# Steps run after the transcripts are in: (project, corpus) -> None
_BUILD_STEPS: list = [_load_codebooks, _load_codings]


def ensure_demo(progress=None) -> Path:
    path = default_demo_path()
    if not path.exists():
        build_demo(path, progress=progress)
    return path
