"""Waves and cases, checked against a small project whose answers are worked out by hand.

The project (``panel`` fixture)::

    participants   P1 avenir/programme/PE   P2 avenir/programme/ML   P3 avenir/comparaison/PE
                   P4 becomino/programme/PE P5 becomino/comparaison/ML P6 becomino/programme/ML
    waves          entrée < sortie < 6 mois
    interviews (beneficiaries; the participant speaks as "Ana", the interviewer as ENQ)
      D1  P1 entrée  2022-01-10  Freins/Mobilité, Projet             (coder me)
      D4  P2 entrée  2022-01-15  Projet                              (me)
      D6  P4 entrée  2022-02-01  Freins/Garde                        (me)     becomino
      D2  P1 sortie  2022-06-10  Freins (itself); Projet on the ENQ turn only (me)
      D5  P2 sortie  2022-06-15  Freins/Mobilité, Projet             (me)
      D8  P3 sortie  2022-07-01  Emploi                              (me)
      D3  P1 6 mois  2022-12-10  Projet                              (coder bob only)
    trainer interview T1 (avenir, no wave, 2022-03-01): Projet on Julien's turn (me)
    cases  sites S1 (Normandie), S2 (AURA); organisations OF-A (OF, parent S1),
           OF-B (tiers-lieu, parent S2)
    links  P1 -> S1, P2 -> S1, P4 -> S2 (participants); D8 -> S2 (whole document);
           T1 -> S2 (whole document), T1 speaker Julien -> OF-A

Hand-worked answers are in each test's docstring.
"""
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import main
from workbench.domain import ValidationError
from workbench.project import Project

PARTICIPANTS = """participant_id,programme,groupe,canal
P1,avenir,programme,PE
P2,avenir,programme,ML
P3,avenir,comparaison,PE
P4,becomino,programme,PE
P5,becomino,comparaison,ML
P6,becomino,programme,ML
"""
SITES = "site_id,name,region,places\nS1,Évreux,Normandie,12\nS2,Lyon,AURA,30\n"
ORGS = "organisation_id,name,parent,type\nOF-A,Greta Sud,S1,OF\nOF-B,La Ruche,S2,tiers-lieu\n"

# (name, participant, wave, date, [(code, phrase, coder)], programme)
INTERVIEWS = [
    ("D1", "P1", "entrée", "2022-01-10",
     [("Freins/Mobilité", "pas de voiture", "me"), ("Projet", "devenir cariste", "me")], "avenir"),
    ("D4", "P2", "entrée", "2022-01-15", [("Projet", "devenir cariste", "me")], "avenir"),
    ("D6", "P4", "entrée", "2022-02-01", [("Freins/Garde", "garder mes enfants", "me")],
     "becomino"),
    ("D2", "P1", "sortie", "2022-06-10",
     [("Freins", "pas de voiture", "me"), ("Projet", "Et votre projet", "me")], "avenir"),
    ("D5", "P2", "sortie", "2022-06-15",
     [("Freins/Mobilité", "pas de voiture", "me"), ("Projet", "devenir cariste", "me")],
     "avenir"),
    ("D8", "P3", "sortie", "2022-07-01", [("Emploi", "un contrat", "me")], "avenir"),
    ("D3", "P1", "6 mois", "2022-12-10", [("Projet", "devenir cariste", "bob")], "avenir"),
]


def transcript(name: str) -> str:
    return (f"ENQ : Bonjour, entretien {name}. Et votre projet ?\n"
            f"Ana : Je veux devenir cariste, mais pas de voiture pour y aller.\n"
            f"ENQ : Et la famille ?\n"
            f"Ana : Je dois garder mes enfants, puis j'ai signé un contrat.\n")


def code_phrase(p, doc, code, phrase, coder):
    text = p.text(doc)
    s = text.index(phrase)
    p.apply_code(doc, code, s, s + len(phrase), coder=coder)


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    p = make_panel(tmp_path_factory.mktemp("waves"))
    yield p
    p.close()


def make_panel(tmp: Path) -> Project:
    """The project of the module docstring, written in ``tmp`` (also used by the TUI test)."""
    p = Project.create(tmp / "panel.wbproj", coder="me")
    (tmp / "p.csv").write_text(PARTICIPANTS, encoding="utf-8")
    p.import_participants(tmp / "p.csv")
    p.set_waves(["entrée", "sortie", "6 mois"])
    for path in ("Freins/Mobilité", "Freins/Garde", "Projet", "Emploi"):
        parent = None
        for part in path.split("/"):
            found = p.store.child_code_id(parent, part)
            parent = found if found is not None else p.create_code(part, parent)
    p.add_coder("bob")
    p.store.bulk_insert_questions([{"id": "Q1", "programme": "avenir",
                                    "text": "Le projet professionnel se construit-il ?"}])
    p.update_code("Projet", questions=["Q1"])
    for name, pid, wave, date, codings, programme in INTERVIEWS:
        f = tmp / f"{name}.txt"
        f.write_text(transcript(name), encoding="utf-8")
        r = p.import_files([f], programme=programme, actor_type="beneficiary",
                           speakers={"Ana": pid}, wave=wave, interview_date=date, name=name)
        assert not r.failed, r.summary()
        for code, phrase, coder in codings:
            code_phrase(p, name, code, phrase, coder)
    f = tmp / "T1.txt"
    f.write_text("ENQ : Parlez-moi du projet.\nJulien : Chaque stagiaire construit son projet "
                 "avec nous.\nENQ : Merci.\nJulien : Au revoir.\n", encoding="utf-8")
    p.import_files([f], programme="avenir", actor_type="trainer", name="T1",
                   interview_date="2022-03-01")
    code_phrase(p, "T1", "Projet", "construit son projet", "me")
    (tmp / "sites.csv").write_text(SITES, encoding="utf-8")
    (tmp / "orgs.csv").write_text(ORGS, encoding="utf-8")
    p.import_cases(tmp / "sites.csv", kind="site")
    p.import_cases(tmp / "orgs.csv", kind="organisation")
    for pid, site in (("P1", "S1"), ("P2", "S1"), ("P4", "S2")):
        p.link_case(site, participant=pid)
    p.link_case("S2", document="D8")
    p.link_case("S2", document="T1")
    p.link_case("OF-A", document="T1", speaker="Julien")
    return p


# -- waves ----------------------------------------------------------------------------------------
def test_waves_are_ordered_and_unknown_ones_refused(panel, tmp_path):
    assert list(panel.waves()["name"]) == ["entrée", "sortie", "6 mois"]
    assert list(panel.waves()["documents"]) == [3, 3, 1]
    assert panel.document("D2").wave == "sortie"
    with pytest.raises(ValidationError, match="unknown wave 'sortei' .*did you mean sortie"):
        panel.update_document("D2", wave="sortei")
    with pytest.raises(ValidationError, match="left out of the list: 6 mois"):
        panel.set_waves(["entrée", "sortie"])
    assert panel.wave_names() == ["entrée", "sortie", "6 mois"]


def test_a_blank_wave_name_is_refused_and_changes_nothing(panel):
    """A blank name where an existing wave is meant is a clear error (it was a crash,
    ValueError/KeyError, or an empty table), and nothing is written."""
    for call in (lambda: panel.add_wave("bilan", after="  "),
                 lambda: panel.rename_wave(" ", "bilan"),
                 lambda: panel.delete_wave(""),
                 lambda: panel.wave_changes("", "sortie", ["Freins"]),
                 lambda: panel.trajectory("Freins", participants=["P1"], waves=["entrée", " "])):
        with pytest.raises(ValidationError, match="a wave needs a name"):
            call()
    assert panel.wave_names() == ["entrée", "sortie", "6 mois"]
    assert list(panel.waves()["documents"]) == [3, 3, 1]


def test_new_wave_only_on_request_and_rename_follows(tmp_path):
    p = Project.create(tmp_path / "w.wbproj", coder="me")
    f = tmp_path / "a.txt"
    f.write_text("ENQ : Bonjour ?\nAna : Bonjour.\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown wave 'sortie'"):
        p.import_files([f], wave="sortie")
    assert len(p.documents()) == 0
    p.import_files([f], wave="Sortie", new_wave=True, name="A")
    assert p.wave_names() == ["Sortie"] and p.document("A").wave == "Sortie"
    p.add_wave("entrée", description="à l'entrée")
    p.set_waves(["entrée", "sortie"])          # case aside, the project's spelling is kept
    assert p.wave_names() == ["entrée", "Sortie"]
    p.rename_wave("sortie", "sortie à 3 mois")
    assert p.document("A").wave == "sortie à 3 mois"
    with pytest.raises(ValidationError, match="1 interview"):
        p.delete_wave("sortie à 3 mois")
    p.delete_wave("sortie à 3 mois", force=True)
    assert p.document("A").wave is None and p.wave_names() == ["entrée"]
    p.close()


def test_manifest_sets_waves_and_cases(tmp_path):
    """A manifest row names its wave (one of the project's, or new_wave = oui) and its
    cases (ID, or Label=ID for one speaker); a bad row names its line."""
    p = Project.create(tmp_path / "m.wbproj", coder="me")
    (tmp_path / "p.csv").write_text("participant_id\nP1\n", encoding="utf-8")
    p.import_participants(tmp_path / "p.csv")
    (tmp_path / "s.csv").write_text("site_id,region\nS1,Normandie\n", encoding="utf-8")
    p.import_cases(tmp_path / "s.csv", kind="site")
    for n in ("a", "b"):
        (tmp_path / f"{n}.txt").write_text("ENQ : Bonjour ?\nAna : Bonjour.\n" + n,
                                           encoding="utf-8")
    m = tmp_path / "m.csv"
    m.write_text("file,name,wave,new_wave,cases,speakers\n"
                 "a.txt,A,sortie,oui,S1,Ana=P1\nb.txt,B,sortei,,Ana=S1,\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"m.csv:3: unknown wave 'sortei'"):
        p.import_files(manifest=m)
    m.write_text("file,name,wave,new_wave,cases,speakers\n"
                 "a.txt,A,sortie,oui,S1,Ana=P1\nb.txt,B,Sortie,,Ana=S1,\n", encoding="utf-8")
    r = p.import_files(manifest=m)
    assert not r.failed, r.summary()
    assert [p.document(d).wave for d in ("A", "B")] == ["sortie", "sortie"]
    links = p.case_links()
    assert set(zip(links["document"], links["speaker"])) == {("A", ""), ("B", "Ana")}
    p.close()


def test_query_filters_by_wave(panel):
    """``Freins WHERE wave = sortie``: Freins passages in D2 (P1) and D5 (P2) -> 2.
    ``wave >= sortie``: the same (D3 at 6 mois carries Projet only) -> 2; ``wave < sortie``:
    D1 and D6 -> 2; ``Projet WHERE wave IN (sortie, "6 mois")``: D5 and D3 (D2's Projet
    lies on the interviewer's turn) -> 2."""
    assert list(panel.query("Freins WHERE wave = sortie")["document"]) == ["D2", "D5"]
    assert list(panel.query("Freins WHERE wave >= sortie")["document"]) == ["D2", "D5"]
    assert list(panel.query("Freins WHERE wave < sortie")["document"]) == ["D1", "D6"]
    assert list(panel.query('Projet WHERE wave IN (sortie, "6 mois")')["document"]) == ["D3", "D5"]
    assert list(panel.query("Projet WHERE wave IS MISSING")["document"]) == ["T1"]


def test_matrix_columns_by_wave(panel):
    """Participants whose words carry Freins, by wave: entrée P1 (D1), P4 (D6) = 2 of the 3
    interviewed (P1, P2, P4); sortie P1, P2 = 2 of 3 (P1, P2, P3); 6 mois 0 of 1 (P1).
    Columns in the project's wave order; T1 (no wave, no participant) is no column for
    participants."""
    m = panel.matrix("wave", codes=["Freins"], count="participants").set_index("code")
    assert list(m.columns) == ["entrée", "sortie", "6 mois", "total"]
    assert m.loc["Freins"].tolist() == [2, 2, 0, 3]
    assert m.loc["(total)"].tolist() == [3, 3, 1, 4]


# -- cases ---------------------------------------------------------------------------------------
def test_case_tables_are_typed_and_checked(panel, tmp_path):
    cases = panel.cases("site").set_index("case_id")
    assert cases.loc["S1", "region"] == "Normandie" and cases.loc["S2", "places"] == 30
    assert panel.cases("organisation").set_index("case_id").loc["OF-A", "parent"] == "S1"
    bad = tmp_path / "bad.csv"
    bad.write_text("site_id,parent,places\nS1,,douze\nS9,S7,3\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        panel.import_cases(bad, kind="site")
    msg = str(exc.value)
    assert "bad.csv:2" in msg and "douze" in msg and "nothing imported" in msg
    bad.write_text("site_id,places\nOF-A,3\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="bad.csv:2: case 'OF-A' is already a organisation"):
        panel.import_cases(bad, kind="site")
    bad.write_text("site_id,parent\nS9,S7\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="parent 'S7' is no case"):
        panel.import_cases(bad, kind="site")
    with pytest.raises(ValidationError, match="cannot be a case kind"):
        panel.import_cases(bad, kind="doc")
    assert len(panel.cases("site")) == 2


def test_query_reaches_case_attributes(panel):
    """``Projet WHERE site.region = Normandie``: Projet passages D1 (P1 -> S1), D4 and D5
    (P2 -> S1), D3 (P1, bob), T1 (Julien -> OF-A, whose parent is S1: the speaker's level
    wins over T1's own site S2) -> 5; ``= AURA`` -> 0.  ``organisation.type = OF``: T1 only
    -> 1; ``organisation.type IS MISSING``: the four others -> 4.  ``Freins WHERE
    site.places > 20``: D6 (P4 -> S2, 30 places) -> 1."""
    assert list(panel.query("Projet WHERE site.region = Normandie")["document"]) == \
        ["D1", "D3", "D4", "D5", "T1"]
    assert panel.query("Projet WHERE site.region = AURA").empty
    assert list(panel.query('Projet WHERE organisation.type = "OF"')["document"]) == ["T1"]
    assert len(panel.query("Projet WHERE organisation.type IS MISSING")) == 4
    assert list(panel.query("Freins WHERE site.places > 20")["document"]) == ["D6"]
    assert list(panel.query('Projet WHERE organisation.id = "OF-A"')["document"]) == ["T1"]
    with pytest.raises(ValidationError, match="unknown field 'regio' of site cases"):
        panel.query("Projet WHERE site.regio = x")


def test_matrix_by_case_attribute(panel):
    """Documents carrying Freins by site region: D1, D2 (P1 -> S1), D5 (P2 -> S1) in
    Normandie, D6 (P4 -> S2) in AURA.  Base (documents in scope): Normandie D1 D2 D3 D4 D5
    and T1 (Julien -> OF-A -> S1) = 6; AURA D6, D8 (whole document -> S2), T1 (whole
    document -> S2) = 3; 8 documents in all (T1 in both columns)."""
    m = panel.matrix("site.region", codes=["Freins"], count="documents").set_index("code")
    assert list(m.columns) == ["AURA", "Normandie", "total"]
    assert m.loc["Freins"].tolist() == [1, 3, 4]
    assert m.loc["(total)"].tolist() == [3, 6, 8]
    by_type = panel.matrix("organisation.type", codes=["Projet"]).set_index("code")
    assert by_type.loc["Projet", "OF"] == 1 and by_type.loc["Projet", "(missing)"] == 4


def test_matrix_base_filtered_by_a_speaker_case(panel):
    """WHERE organisation.type = OF: only Julien's turns in T1 belong to an organisation of
    type OF (OF-A, through the speaker), so the base is T1 alone, in Normandie (OF-A's site
    S1; the speaker level comes before T1's own link to S2); Projet is on Julien's turn."""
    m = panel.matrix("site.region", codes=["Projet"], count="documents",
                     where="organisation.type = OF").set_index("code")
    assert m.loc["Projet"].tolist() == [1, 1] and m.loc["(total)"].tolist() == [1, 1]
    assert list(m.columns) == ["Normandie", "total"]
    by_actor = panel.matrix("actor_type", codes=["Projet"], count="documents",
                            where="organisation.type = OF").set_index("code")
    assert by_actor.loc["(total)", "trainer"] == 1 and by_actor.loc["Projet", "trainer"] == 1


def test_private_case_field_never_used(tmp_path, panel):
    panel.set_private("case_field", "places")
    try:
        with pytest.raises(ValidationError, match="case field 'places' is private"):
            panel.query("Freins WHERE site.places > 3")
        with pytest.raises(ValidationError, match="private"):
            panel.matrix("site.places")
        assert "places" not in panel.cases(include_private=False).columns
    finally:
        panel.set_private("case_field", "places", False)


# -- trajectories and changes ------------------------------------------------------------------------
def test_trajectory_of_one_participant(panel):
    """P1 on Freins: entrée D1 one passage ("pas de voiture", Freins/Mobilité), sortie D2
    one passage (Freins itself), 6 mois D3 interviewed, nothing on Freins."""
    t = panel.trajectory("Freins", participants=["P1"])
    assert list(t["wave"]) == ["entrée", "sortie", "6 mois"]
    assert list(t["passages"]) == [1, 1, 0]
    assert list(t["documents"]) == ["D1", "D2", "D3"]
    assert t["text"].iloc[0] == "pas de voiture"
    wide = panel.trajectory("Freins", participants=["P1", "P4"], layout="wide")
    row = wide.set_index("participant_id").loc["P1"]
    assert row["6 mois"] == "(nothing on this theme)"
    assert wide.set_index("participant_id").loc["P4", "sortie"] == "—"


def test_trajectory_counts_the_chosen_coders(panel):
    """P1 on Projet at 6 mois: D3 carries Projet by bob only -> 1 passage with every coder,
    0 with coder me.  At sortie, D2's Projet is on the interviewer's turn -> 0."""
    all_coders = panel.trajectory("Projet", participants=["P1"]).set_index("wave")["passages"]
    assert all_coders.to_dict() == {"entrée": 1, "sortie": 0, "6 mois": 1}
    mine = panel.trajectory("Projet", participants=["P1"], coders="me").set_index("wave")
    assert mine.loc["6 mois", "passages"] == 0


def test_change_table_between_two_waves(panel):
    """entrée -> sortie.  Interviewed at entrée: P1, P2, P4; at sortie: P1, P2, P3; panel
    {P1, P2}, lost 1 (P4), joined 1 (P3).
    Freins: P1 has it at both (D1 Mobilité, D2 Freins) -> persists; P2 only at sortie (D5)
    -> appears.  Projet: P1 at entrée only (D2's Projet is the interviewer's) ->
    disappears; P2 at both -> persists.  Exact Freins (no sub-codes): P1 only at sortie ->
    appears, P2 never -> absent."""
    c = panel.wave_changes("entrée", "sortie", ["Freins", "Projet"], who=True).set_index("theme")
    assert c.loc["Freins", ["panel", "at_first", "at_second", "appears", "disappears",
                            "persists", "absent"]].tolist() == [2, 1, 2, 1, 0, 1, 0]
    assert c.loc["Freins", "appears_who"] == "P2" and c.loc["Freins", "persists_who"] == "P1"
    assert c.loc["Projet", ["appears", "disappears", "persists", "absent"]].tolist() == [0, 1, 1, 0]
    assert c.attrs["lost"] == 1 and c.attrs["joined"] == 1
    assert "interviewed at both entrée and sortie" in c.attrs["definition"]
    exact = panel.wave_changes("entrée", "sortie", ["Freins"], descendants=False).iloc[0]
    assert [exact[k] for k in ("appears", "disappears", "persists", "absent")] == [1, 0, 0, 1]
    assert "the code itself" in panel.wave_changes("entrée", "sortie", ["Freins"],
                                                   descendants=False).attrs["definition"]


def test_change_table_with_coders(panel):
    """sortie -> 6 mois: panel {P1}.  Projet: P1 not at sortie, at 6 mois by bob ->
    appears with every coder; absent with coder me."""
    c = panel.wave_changes("sortie", "6 mois", ["Projet"]).iloc[0]
    assert (c["panel"], c["appears"], c["absent"]) == (1, 1, 0)
    c = panel.wave_changes("sortie", "6 mois", ["Projet"], coders="me").iloc[0]
    assert (c["panel"], c["appears"], c["absent"]) == (1, 0, 1)


# -- sampling frame -----------------------------------------------------------------------------------
def test_sampling_frame_by_stratum(panel):
    """Frame: 6 participants; interviewed: P1 P2 P3 P4 (4).  groupe: programme P1 P2 P4
    P6 = 4 sampled (66.7 %), 3 interviewed (75.0 % of interviewees), coverage 75.0, gap
    +8.3 points; comparaison P3 P5 = 2 (33.3 %), 1 interviewed (25.0 %), coverage 50.0,
    gap -8.3."""
    s = panel.sampling_frame(["groupe", "programme*groupe"]).set_index(["stratum", "value"])
    row = s.loc[("groupe", "programme")]
    assert row[["sampled", "sampled_pct", "interviewed", "interviewed_pct", "coverage_pct",
                "gap_points"]].tolist() == [4, 66.7, 3, 75.0, 75.0, 8.3]
    row = s.loc[("groupe", "comparaison")]
    assert row[["sampled", "interviewed", "coverage_pct", "gap_points"]].tolist() == \
        [2, 1, 50.0, -8.3]
    assert s.loc[("groupe", "(total)"), "interviewed"] == 4
    # crossed: becomino × programme = P4, P6 (2 sampled), P4 interviewed
    assert s.loc[("programme*groupe", "becomino × programme"), "interviewed"] == 1
    only = panel.sampling_frame("groupe", where="programme = avenir").set_index("value")
    assert only.loc["(total)", "sampled"] == 3 and only.loc["(total)", "interviewed"] == 3
    with pytest.raises(ValidationError, match="participant attributes only"):
        panel.sampling_frame("groupe", where="actor = beneficiary")


def test_sampling_by_wave_and_losses(panel):
    """Totals: entrée P1 P2 P4 = 3; sortie P1 P2 P3 = 3, followed 2 (P1, P2), lost 1 (P4);
    6 mois P1 = 1, followed 1, lost 2 (P2, P3).  Lost: P2 (missing 6 mois), P3 (6 mois),
    P4 (sortie, 6 mois); P1 was interviewed at every wave."""
    w = panel.sampling_frame("groupe", by_wave=True)
    tot = w[w["value"] == "(total)"].set_index("wave")
    assert tot["interviewed"].tolist() == [3, 3, 1]
    assert tot.loc["sortie", "followed"] == 2 and tot.loc["sortie", "lost"] == 1
    assert tot.loc["6 mois", "followed"] == 1 and tot.loc["6 mois", "lost"] == 2
    lost = panel.sampling_losses().set_index("participant_id")
    assert list(lost.index) == ["P2", "P3", "P4"]
    assert lost.loc["P4", "missing"] == "sortie;6 mois" and lost.loc["P4", "last_wave"] == "entrée"


# -- saturation ---------------------------------------------------------------------------------------
def test_saturation_in_interview_date_order(panel):
    """Beneficiaries of avenir in date order: D1 (01-10) Freins + Freins/Mobilité + Projet
    -> 2 new codes, 1 new sub-code, cumulative 3 of the group's 4 (75.0 %); D4 (01-15)
    Projet -> 0; D2 (06-10) Freins -> 0 (D2's Projet is the interviewer's); D5 (06-15) -> 0;
    D8 (07-01) Emploi -> 1 new code, 4 (100 %); D3 (12-10) Projet (bob) -> 0.  becomino:
    D6 Freins + Freins/Garde -> 1 new code, 1 new sub-code."""
    s = panel.saturation(by="programme", where="actor = beneficiary")
    av = s[s["group"] == "avenir"]
    assert list(av["document"]) == ["D1", "D4", "D2", "D5", "D8", "D3"]
    assert list(av["new_codes"]) == [2, 0, 0, 0, 1, 0]
    assert list(av["new_subcodes"]) == [1, 0, 0, 0, 0, 0]
    assert list(av["cumulative"]) == [3, 3, 3, 3, 4, 4]
    assert av["cumulative_pct"].tolist()[0] == 75.0
    bec = s[s["group"] == "becomino"].iloc[0]
    assert (bec["new_codes"], bec["new_subcodes"], bec["new_paths"]) == \
        (1, 1, "Freins;Freins/Garde")
    groups = panel.saturation()["group"].unique().tolist()
    assert groups == ["avenir × beneficiary", "avenir × trainer", "becomino × beneficiary"]


# -- command line --------------------------------------------------------------------------------------
def test_cli_views(panel, tmp_path):
    path = str(panel.path)
    run = CliRunner().invoke
    r = run(main, ["changes", path, "entrée", "sortie", "--code", "Freins", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "Freins,2,1,2,1,0,1,0" in r.stdout
    assert "interviewed at both entrée and sortie" in r.stderr
    r = run(main, ["trajectory", path, "--code", "Freins", "--participant", "P1", "--wide",
                   "--format", "json"])
    assert r.exit_code == 0, r.output and '"6 mois": "(nothing on this theme)"' in r.stdout
    out = tmp_path / "s.xlsx"
    r = run(main, ["sampling", path, "groupe", "--losses", "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    from openpyxl import load_workbook
    assert {"sampling", "losses", "notes"} <= set(load_workbook(out).sheetnames)
    png = tmp_path / "sat.png"
    r = run(main, ["saturation", path, "--by", "programme", "--chart", str(png)])
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    r = run(main, ["docs", "set", path, "D8", "--wave", "sortei"])
    assert r.exit_code == 1 and "did you mean sortie" in r.stderr


# -- REFI-QDA ------------------------------------------------------------------------------------------
def _case_state(p):
    cases = p.cases().drop(columns=["documents", "participants"])
    cases = cases.sort_values("case_id").reset_index(drop=True)
    links = p.case_links()[["case_id", "document", "speaker", "participant_id"]]
    docs = p.documents()[["name", "wave"]].sort_values("name").reset_index(drop=True)
    return cases, links, docs, p.wave_names(), p.case_fields()[["name", "type"]]


def test_qdpx_carries_cases_and_waves_losslessly(panel, tmp_path):
    """Export the panel, import it into an empty project: same waves in the same order,
    same interviews' waves, same cases (kind, name, parent, typed values), same links to
    documents, speakers and participants.  Importing it again changes nothing."""
    out = tmp_path / "panel.qdpx"
    panel.export_qdpx(out)
    from workbench.export.qdpx.writer import validate_qdpx
    assert validate_qdpx(out) == []
    copy = Project.create(tmp_path / "copy.wbproj", coder="me")
    report = copy.import_qdpx(out)
    assert report["new"]["cases"] == 4 and report["new"]["waves"] == 3
    for a, b in zip(_case_state(panel), _case_state(copy)):
        if hasattr(a, "equals"):
            assert a.reset_index(drop=True).equals(b.reset_index(drop=True)), (a, b)
        else:
            assert a == b
    again = copy.import_qdpx(out)
    assert not again["new"].get("cases") and again["matched"]["cases"] == 4
    assert not again["conflicts"]
    # the queries read the imported cases the same way
    assert list(copy.query("Projet WHERE site.region = Normandie")["document"]) == \
        ["D1", "D3", "D4", "D5", "T1"]
    copy.close()


def test_qdpx_case_conflicts_are_reported(panel, tmp_path):
    out = tmp_path / "panel.qdpx"
    panel.export_qdpx(out)
    copy = Project.create(tmp_path / "c2.wbproj", coder="me")
    copy.import_qdpx(out)
    (tmp_path / "s.csv").write_text("site_id,region\nS1,Bretagne\n", encoding="utf-8")
    copy.import_cases(tmp_path / "s.csv", kind="site")
    r = copy.import_qdpx(out)
    assert [(c["item"], c["field"], c["kept"]) for c in r["conflicts"]] == \
        [("S1", "region", "project")]
    assert copy.cases("site").set_index("case_id").loc["S1", "region"] == "Bretagne"
    copy.import_qdpx(out, on_conflict="replace")
    assert copy.cases("site").set_index("case_id").loc["S1", "region"] == "Normandie"
    copy.close()


# -- Word report --------------------------------------------------------------------------------------
def test_report_with_trajectories_sampling_and_dossiers_by_site(panel, tmp_path):
    """The report asked for trajectories on Freins and Q1, the sampling frame by groupe, and
    Q1's quotes by site: Q1's dossier quotes D1, D3, D4, D5 (site Évreux) and T1 (Julien ->
    OF-A -> Évreux) under "site: Évreux"; the trajectories show P1 and P2 (interviewed at two
    waves) with the change entrée -> sortie (Freins: panel 2, appears 1, persists 1); the
    methods annex has the frame by groupe (programme: 4 sampled, 3 interviewed)."""
    from docx import Document
    out = tmp_path / "r.docx"
    panel.export_report(out, trajectories=["Freins", "Q1"], sampling=["groupe"],
                        dossiers_by="site", language="en", dossier_quotes=None)
    doc = Document(str(out))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Trajectories across waves" in heads and "Sampling frame" in heads
    assert "site: Évreux" in heads and "(no site)" not in " ".join(heads)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    traj = next(t for t in tables if t[0][:4] == ["Participant", "entrée", "sortie", "6 mois"])
    assert [row[0] for row in traj[1:]] == ["P1", "P2"]
    assert traj[1][1] == "pas de voiture" and traj[1][3] == "(nothing on this theme)"
    change = next(t for t in tables if t[0][:2] == ["Theme", "Panel"] and t[1][0] == "Freins")
    assert change[1][:8] == ["Freins", "2", "1", "2", "1", "0", "1", "0"]
    frame = next(t for t in tables if t[0][:2] == ["groupe", "Sampled"])
    assert frame[2][:4] == ["programme", "4", "66.7", "3"]
    with pytest.raises(ValidationError, match="no case of kind 'region'"):
        panel.export_report(tmp_path / "x.docx", dossiers_by="region")


def test_report_sampling_frame_in_a_programme_scope(panel, tmp_path):
    """A report on avenir: the frame is the avenir participants (P1 P2 programme, P3
    comparaison) and only avenir interviews count (D1 D2 D3 D4 D5 D8): programme 2 sampled,
    2 interviewed; comparaison 1 and 1; by wave: entrée P1 P2, sortie P1 P2 P3 (followed
    2), 6 mois P1 (followed 1, lost 2)."""
    from docx import Document
    out = panel.export_report(tmp_path / "a.docx", programmes=["avenir"], sampling=["groupe"],
                              language="en", sections=("methods",))
    doc = Document(str(out))
    assert any("This report covers avenir" in p.text for p in doc.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    frame = next(t for t in tables if t[0][:2] == ["groupe", "Sampled"])
    assert [row[:4] for row in frame[1:]] == [["comparaison", "1", "33.3", "1"],
                                              ["programme", "2", "66.7", "2"],
                                              ["Total", "3", "100", "3"]]
    waves = next(t for t in tables if t[0][:2] == ["Wave", "Sampled"])
    assert [row[:6] for row in waves[1:]] == [["entrée", "3", "2", "66.7", "—", "—"],
                                              ["sortie", "3", "3", "100", "2", "0"],
                                              ["6 mois", "3", "1", "33.3", "1", "2"]]


def test_report_saturation_in_the_methods_annex(panel, tmp_path):
    """Saturation by programme: avenir's 7 interviews in date order D1 (2022-01-10: Freins
    and Projet new, Freins/Mobilité new), D4, T1, D2, D5, D8 (Emploi new), D3; becomino's
    single interview D6 is left out."""
    from docx import Document
    out = panel.export_report(tmp_path / "s.docx", saturation=["programme"], language="en",
                              sections=("methods",))
    doc = Document(str(out))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Saturation" in heads
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    sat = next(t for t in tables if t[0][:3] == ["Group", "#", "Interview"])
    assert [row[2] for row in sat[1:]] == ["D1", "D4", "T1", "D2", "D5", "D8", "D3"]
    assert sat[1][:6] == ["#Avenir (Normandie)", "1", "D1", "2022-01-10", "2", "1"]
    assert sat[6][4] == "1"                          # Emploi, new at D8
    assert len(doc.inline_shapes) == 1               # the curve


def test_a_long_interview_keeps_its_wave_and_cases(tmp_path, monkeypatch):
    """A text long enough to go through the import batch (staged, then published) gets
    its wave (a new one, allowed) and its case links like any other."""
    import workbench.store.batch as batch
    monkeypatch.setattr(batch, "BATCH_TEXT_CHARS", 50)
    p = Project.create(tmp_path / "long.wbproj", coder="me")
    (tmp_path / "sites.csv").write_text(SITES, encoding="utf-8")
    p.import_cases(tmp_path / "sites.csv", kind="site")
    f = tmp_path / "L1.txt"
    f.write_text(transcript("L1") * 5, encoding="utf-8")
    r = p.import_files([f], programme="avenir", actor_type="beneficiary", wave="suivi",
                       new_wave=True, cases=["S1", "Ana=S2"], name="L1")
    assert not r.failed, r.summary()
    assert p.documents().set_index("name").loc["L1", "wave"] == "suivi"
    assert p.wave_names() == ["suivi"]
    links = p.case_links().sort_values("case_id")
    assert list(zip(links["case_id"], links["speaker"].fillna(""))) == [("S1", ""), ("S2", "Ana")]
    p.close()
