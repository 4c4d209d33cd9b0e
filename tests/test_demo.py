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
    first = docs["wave"] != "6 mois"
    assert docs.loc[first, "word_count"].between(1500, 4000).all()
    # the follow-ups six months later are shorter interviews (a quarter of an hour)
    assert docs.loc[~first, "word_count"].between(800, 4000).all()
    assert (docs["segments"] >= 20).all()


def test_demo_has_two_waves_sites_and_organisations(demo):
    """Wave sortie: the 12 beneficiaries' first interviews; wave 6 mois: P0001 (Karima),
    P0002 (Kévin) and P0006 (Nadia) six months later. Kévin's interviews: "Sortie sans
    solution" at sortie, "Emploi ou création d'activité" at 6 mois (appears); Karima's:
    employed at both (persists); Nadia's (IA Emploi): neither."""
    assert demo.wave_names() == ["sortie", "6 mois"]
    docs = demo.documents().set_index("name")
    assert (docs["wave"] == "sortie").sum() == 12
    assert set(docs.index[docs["wave"] == "6 mois"]) == {"AV-BEN-01-M6", "AV-BEN-02-M6",
                                                         "IAE-BEN-02-M6"}
    assert docs.loc[docs["actor_type"] != "beneficiary", "wave"].isna().all()
    sites = demo.cases("site").set_index("case_id")
    assert len(sites) == 19 and sites.loc["S-EVR", "region"] == "Normandie"
    orgs = demo.cases("organisation").set_index("case_id")
    assert {"OF", "tiers-lieu", "prescripteur", "employeur"} == set(orgs["type"])
    assert orgs.loc["OF-EVR", "parent"] == "S-EVR"
    change = demo.wave_changes("sortie", "6 mois", [
        "Trajectoires et sorties/Emploi ou création d'activité"], who=True).iloc[0]
    assert (change["panel"], change["appears"], change["persists"], change["absent"]) \
        == (3, 1, 1, 1)
    assert (change["appears_who"], change["persists_who"]) == ("P0002", "P0001")
    frame = demo.sampling_frame("programme", by_wave=True)
    total = frame[(frame["value"] == "(total)") & (frame["wave"] == "6 mois")].iloc[0]
    assert (total["sampled"], total["interviewed"], total["followed"], total["lost"]) \
        == (300, 3, 3, 9)


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


def test_the_demo_codes_as_its_demo_coder_never_the_login(tmp_path, monkeypatch):
    """Opened without a coder (no --coder, no $WORKBENCH_CODER, no name remembered), the
    demo works as its own coder "Démo": a coding made on it is Démo's, no coder is named
    after the login; a name the user gives wins."""
    import getpass
    monkeypatch.delenv("WORKBENCH_CODER", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "login_de_session")
    path = build_demo(tmp_path / "demo.wbproj")
    with Project.open(path) as p:
        assert (p.coder, p.needs_coder_name()) == ("Démo", False)
        doc = p.documents()["name"].iloc[0]
        code = p.code_paths()[next(iter(p.code_paths()))]
        p.apply_code(doc, code, 0, 20)
        coders = set(p.coders()["name"])
    assert coders == {"Camille Roux", "Yanis Belkacem", "Démo"}
    assert "login_de_session" not in coders
    with Project.open(path, coder="Léa Martin") as p:
        assert p.coder == "Léa Martin"
