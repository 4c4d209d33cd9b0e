"""The shipped demo corpus builds into a coded project (the README's first command)."""
import csv
from pathlib import Path

import pytest

from workbench.demo import DEMO_CORPUS, build_demo
from workbench.domain import WorkbenchError
from workbench.project import Project


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = build_demo(tmp_path_factory.mktemp("demo") / "demo.wbproj")
    with Project.open(path, coder="testeur") as p:
        yield p


def test_demo_covers_programmes_actors_and_formats(demo):
    docs = demo.documents()
    assert len(docs) >= 24
    assert set(docs["programme"]) == {"avenir", "pct_illettrisme", "occitanie_ia_emploi",
                                      "occitanie_e_formation", "becomino", "lab_capital_humain"}
    assert set(docs["actor_type"]) == {"beneficiary", "trainer", "operator"}
    assert {"docx", "txt", "odt", "rtf", "vtt", "srt", "trs", "md", "csv"} <= set(docs["source_format"])
    assert docs["word_count"].between(1500, 4000).all()
    assert (docs["segments"] >= 20).all()


def test_every_transcript_says_it_is_fictional(demo):
    for name in demo.documents()["name"]:
        assert "fictive" in demo.text(name)[:400].lower() or "fictif" in demo.text(name)[:400].lower(), name


def test_demo_is_coded_by_two_coders_who_sometimes_disagree(demo):
    info = demo.info()
    assert info["uncoded_documents"] == 0 and info["codings"] > 500
    coders = set(demo.coders()["name"])
    assert {"Camille Roux", "Yanis Belkacem"} <= coders
    agreement = demo.agreement("Camille Roux", "Yanis Belkacem", resamples=200).set_index("code")
    overall = agreement.loc["(all codes)"]
    assert 0.3 < overall["cohen_kappa"] < 0.95          # real, imperfect agreement
    assert overall["cohen_kappa_low"] < overall["cohen_kappa"] < overall["cohen_kappa_high"]
    assert demo.memos("coding").shape[0] >= 10


def test_demo_codebooks_and_participants(demo):
    assert len(demo.evaluation_questions()) >= 40
    cb_ids = set(demo.codes()["codebook"])
    assert {"avenir", "becomino", "mise_en_oeuvre"} <= cb_ids
    parts = demo.participants().set_index("participant_id")
    assert len(parts) == 300
    linked = parts[parts["documents"] != ""]
    assert len(linked) == 12
    # interviewees' attributes come from the interviewees-*.csv fragments
    with open(DEMO_CORPUS / "interviewees-avenir-pct.csv", encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert parts.loc[row["participant_id"], "programme"] == row["programme"]


def test_demo_refuses_to_overwrite_without_replace(tmp_path):
    path = tmp_path / "d.wbproj"
    path.write_bytes(b"")
    with pytest.raises(WorkbenchError, match="already exists"):
        build_demo(path)
    assert Path(path).read_bytes() == b""
