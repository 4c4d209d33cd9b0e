"""Agreement coefficients checked against published worked examples, and agreement on
projects (units, undefined values, pooled parents, any number of coders)."""
import numpy as np
import pytest

from workbench.agreement import stats
from workbench.domain import ValidationError

nan = np.nan

# Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), the 4 coders × 12
# units example with missing data (also in Krippendorff 2004, Content Analysis, p. 230).
KRIPP = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
])
DOMAIN = np.array([1.0, 2, 3, 4, 5])


@pytest.mark.parametrize("level,expected", [("nominal", 0.743), ("ordinal", 0.815),
                                            ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_published_example(level, expected):
    assert stats.krippendorff_alpha(KRIPP, level, DOMAIN) == pytest.approx(expected, abs=5e-4)
    # the resampling form with every weight 1 is the same estimate
    counts = stats.value_counts(KRIPP, DOMAIN)
    assert stats.weighted_alpha(counts, np.ones((1, 12)), level, DOMAIN)[0] == pytest.approx(
        stats.krippendorff_alpha(KRIPP, level, DOMAIN))


def test_nominal_alpha_by_hand_on_the_published_example():
    # Unit 12 has one value only (not pairable): n = 40 pairable values.  Observed
    # coincidences off the diagonal: unit 6 (values 1,2,3,4: each of 12 ordered pairs
    # counts 1/3 -> 4), units 2 and 8 (one 3 vs two 2, one 2 vs two 1: 2·2·1/2 = 2 each)
    # -> 8 disagreeing pairs, D_o = 8/40 = 0.2.  Value totals n_v = 9, 13, 10, 5, 3 ->
    # D_e = (40² − Σ n_v²)/(40·39) = (1600 − 384)/1560 = 0.7795;  α = 1 − 0.2/0.7795.
    assert stats.krippendorff_alpha(KRIPP, "nominal", DOMAIN) == pytest.approx(
        1 - 0.2 / (1216 / 1560))


def test_cohen_kappa_matches_sklearn_published_cases():
    # Artstein & Poesio (2008), table 1 (contingency [[20, 20], [10, 50]]): κ = 0.348
    a = np.array([0] * 40 + [1] * 60, dtype=float)
    b = np.array([0] * 20 + [1] * 20 + [0] * 10 + [1] * 50, dtype=float)
    assert stats.cohen_kappa(a, b) == pytest.approx(0.348, abs=5e-4)
    # by hand: p_o = 0.70, p_e = 0.4·0.3 + 0.6·0.7 = 0.54, κ = 0.16/0.46
    assert stats.cohen_kappa(a, b) == pytest.approx(0.16 / 0.46)
    cells = stats.pair_cells(a, b, np.array([0.0, 1.0]))
    assert stats.weighted_cohen_kappa(cells, np.ones((1, 100)))[0] == pytest.approx(0.16 / 0.46)
    # multiclass: Artstein & Poesio table 4, κ = 0.8013
    a = np.array([0] * 46 + [1] * 44 + [2] * 10, dtype=float)
    b = np.array([0] * 52 + [1] * 32 + [2] * 16, dtype=float)
    assert stats.cohen_kappa(a, b) == pytest.approx(0.8013, abs=5e-5)


def test_undefined_kappa_and_alpha_are_never_one():
    zeros = np.zeros(10)
    assert np.isnan(stats.cohen_kappa(zeros, zeros))            # nobody used the code
    assert np.isnan(stats.krippendorff_alpha(np.vstack([zeros, zeros])))
    assert np.isnan(stats.fleiss_kappa(stats.value_counts(np.vstack([zeros] * 3),
                                                          np.array([0.0, 1.0]))))
    c = stats.coefficients(np.vstack([zeros, zeros]), domain=np.array([0.0, 1.0]))
    assert c.agreement == 1.0 and np.isnan(c.alpha) and np.isnan(c.cohen_kappa)


def test_fleiss_kappa_published_example():
    # Fleiss' κ worked example (Wikipedia, "Fleiss' kappa"): 10 subjects, 14 raters,
    # 5 categories.  P_1 = (14·13)/(14·13) = 1; P̄ = 0.378; p_j = 0.143, 0.200, 0.279,
    # 0.150, 0.229 -> P_e = 0.213; κ = (0.378 − 0.213)/(1 − 0.213) = 0.210.
    table = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
                      [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
                      [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    assert stats.percent_agreement(table) == pytest.approx(0.378, abs=5e-4)
    p = table.sum(axis=0) / 140
    assert p == pytest.approx([0.143, 0.200, 0.279, 0.150, 0.229], abs=5e-4)
    assert stats.fleiss_kappa(table) == pytest.approx(0.210, abs=5e-4)


def test_fleiss_with_two_coders_and_no_missing_is_scotts_pi():
    a = np.array([0] * 40 + [1] * 60, dtype=float)
    b = np.array([0] * 20 + [1] * 20 + [0] * 10 + [1] * 50, dtype=float)
    counts = stats.value_counts(np.vstack([a, b]), np.array([0.0, 1.0]))
    # π: p_o = 0.7, pooled proportions 0.35/0.65 -> p_e = 0.545, π = 0.155/0.455
    assert stats.fleiss_kappa(counts) == pytest.approx(0.155 / 0.455)


def test_unitizing_alpha_krippendorff_2004_worked_example():
    # Krippendorff (2004), Content Analysis, p. 254: continuum [150, 450), L = 300, two
    # coders, category c.  Coder i: [225,295) [370,400); coder j: [220,300) [355,375)
    # [400,420).  Observed: overlapping units (225,70)/(220,80): 5² + 5² = 50;
    # (370,30)/(355,20): 15² + 25² = 850; j's (400,20) inside i's gap [400,450): 20² =
    # 400.  D_o = 2·1300 / (2·1·300²) = 0.014444.
    # Expected: N_c = 5 units of lengths 70, 30, 80, 20, 20; gaps 75, 75, 50 (i) and
    # 70, 55, 25, 30 (j).  Σ (N_c−1)(2l³−3l²+l)/3 = 2 342 960; Σ l²·Σ_{gaps≥l}(gap−l+1)
    # = 4900·13 + 900·181 + 0 + 2·400·247 = 424 200; denominator 600·599 − Σ l(l−1)
    # = 359 400 − 12 780 = 346 620; D_e = (2/300)·2 767 160/346 620 = 0.053222.
    # αu = 1 − 0.014444/0.053222 = 0.7286.
    c = stats.unitizing_alpha([[(225, 295), (370, 400)], [(220, 300), (355, 375), (400, 420)]],
                              [(150, 450)])
    assert c.observed == pytest.approx(1300 / 300 ** 2)
    assert c.expected == pytest.approx(2 / 300 * 2_767_160 / 346_620)
    assert c.alpha == pytest.approx(0.7286, abs=5e-5)
    k = stats.unitizing_alpha([[(180, 240), (300, 350)], [(180, 240), (300, 350)]], [(150, 450)])
    assert k.alpha == 1.0 and k.expected == pytest.approx(0.0490, abs=5e-5)
    # over both categories: 1 − ΣD_o/ΣD_e = 0.859 (DKPro's test of the same example)
    pooled = stats.pooled_unitizing([[c.observed], [k.observed]], [[c.expected], [k.expected]])
    assert pooled[0] == pytest.approx(0.8591, abs=5e-4)


def test_section_distances_krippendorff_2004():
    d = stats.section_distance
    assert d(True, (225, 295), True, (220, 300)) == 50
    assert d(True, (370, 400), True, (355, 375)) == 850
    assert d(False, (400, 450), True, (400, 420)) == 400
    assert d(True, (5, 11), True, (6, 10)) == 2 and d(True, (5, 11), True, (5, 11)) == 0


def test_unitizing_alpha_is_undefined_when_nobody_coded():
    assert np.isnan(stats.unitizing_alpha([[], []], [(0, 100)]).alpha)


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 200).astype(float)
    noisy = np.where(rng.random(200) < 0.15, 1 - truth, truth)
    data = np.vstack([truth, noisy])
    c1 = stats.coefficients(data)
    c2 = stats.coefficients(data)
    assert c1 == c2                                   # same seed, same intervals
    for value, (lo, hi) in ((c1.alpha, c1.alpha_ci), (c1.cohen_kappa, c1.cohen_kappa_ci),
                            (c1.agreement, c1.agreement_ci)):
        assert lo < value < hi and hi - lo < 0.3
    other = stats.coefficients(data, weights=stats.resample_weights(200, seed=7))
    assert other.alpha_ci != c1.alpha_ci
    assert stats.resample_weights(200).shape == (stats.BOOTSTRAP_RESAMPLES, 200)


def test_weighted_forms_equal_the_packages_on_missing_data():
    rng = np.random.default_rng(3)
    data = rng.integers(0, 3, (4, 60)).astype(float)
    data[rng.random((4, 60)) < 0.2] = np.nan
    dom = np.array([0.0, 1, 2])
    counts = stats.value_counts(data, dom)
    for level in stats.LEVELS[:3]:
        assert stats.weighted_alpha(counts, np.ones((1, 60)), level, dom)[0] == pytest.approx(
            stats.krippendorff_alpha(data, level, dom))


# ------------------------------------------------------------------ on a project

TRANSCRIPT = """Entretien fictif.
ENQ : Comment êtes-vous arrivée ?
Karima : Par ma conseillère. J'ai pris le bus tous les jours.
ENQ : Et ensuite ?
Karima : L'immersion à la crèche. Ça m'a redonné confiance.
ENQ : Et la garde des enfants ?
Karima : Ma mère les gardait. Sinon je n'aurais pas pu.
ENQ : Merci.
Karima : Merci à vous.
"""

NOTES = """Note de synthèse fictive.

Le transport est un frein majeur pour les stagiaires.

La garde d'enfants est citée par la moitié des personnes.
"""


@pytest.fixture
def team(project, tmp_path):
    (tmp_path / "karima.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(NOTES, encoding="utf-8")
    project.import_files([tmp_path / "karima.txt", tmp_path / "notes.txt"],
                         programme="avenir", actor_type="beneficiary")
    for c in ("Freins/Mobilité", "Freins/Garde d'enfants", "Immersion", "Jamais utilisé"):
        project.create_code(c)
    for name in ("A", "B", "C"):
        project.add_coder(name)
    return project


def _turns(p):
    return [s for s in p.segments("karima") if s.speaker == "Karima"]


def _code_turn(p, code, turn, coder):
    s = _turns(p)[turn]
    p.apply_code("karima", code, s.start, s.end, coder=coder)


def test_turn_agreement_by_hand(team):
    # 4 respondent turns.  A: Mobilité on t0, t2; Immersion on t1.  B: Mobilité on t0,
    # Immersion on t1, Garde on t2.
    for code, turn, coder in (("Freins/Mobilité", 0, "A"), ("Freins/Mobilité", 2, "A"),
                              ("Immersion", 1, "A"), ("Freins/Mobilité", 0, "B"),
                              ("Immersion", 1, "B"), ("Freins/Garde d'enfants", 2, "B")):
        _code_turn(team, code, turn, coder)
    df = team.agreement("A", "B", codes=["Freins/Mobilité", "Freins/Garde d'enfants",
                                         "Immersion", "Jamais utilisé", "Freins"])
    rows = df.set_index(["scope", "code"])
    mob = rows.loc[("code", "Freins/Mobilité")]
    # Mobilité: A = 1,0,1,0  B = 1,0,0,0 -> p_o = 3/4; p_e = .5·.25 + .5·.75 = .5; κ = .5
    assert mob["units"] == 4 and mob["agreement"] == 0.75
    assert mob["cohen_kappa"] == pytest.approx(0.5)
    imm = rows.loc[("code", "Immersion")]
    assert imm["agreement"] == 1.0 and imm["cohen_kappa"] == 1.0
    # a code nobody used: undefined, never 1.0
    never = rows.loc[("code", "Jamais utilisé")]
    assert never["agreement"] == 1.0
    assert np.isnan(never["cohen_kappa"]) and np.isnan(never["alpha"])
    assert "undefined" in never["note"]
    # Freins pooled (Mobilité or Garde): A = 1,0,1,0  B = 1,0,1,0 -> perfect
    pooled = rows.loc[("pooled", "Freins/*")]
    assert pooled["agreement"] == 1.0 and pooled["cohen_kappa"] == 1.0
    overall = rows.loc[("overall", "(all codes)")]
    assert overall["units"] == 4 * 5
    assert df.attrs["resamples"] == stats.BOOTSTRAP_RESAMPLES
    assert df.attrs["document_units"] == {team.document_id("karima"): "turn"}


def test_document_without_turns_uses_paragraphs(team):
    text = team.text("notes")
    start = text.index("Le transport")
    end = text.index("stagiaires.") + len("stagiaires.")
    for coder in ("A", "B"):
        team.apply_code("notes", "Freins/Mobilité", start, end, coder=coder)
    df = team.agreement("A", "B", documents=["notes"])
    assert df.attrs["document_units"] == {team.document_id("notes"): "paragraph"}
    mob = df.set_index("code").loc["Freins/Mobilité"]
    assert mob["units"] == 3 and mob["agreement"] == 1.0


def test_sentence_units_split_turns(team):
    s = _turns(team)[0]
    text = team.text("karima")
    bus = text.index("J'ai pris le bus")
    team.apply_code("karima", "Freins/Mobilité", bus, s.end, coder="A")
    team.apply_code("karima", "Freins/Mobilité", s.start, s.end, coder="B")
    by_turn = team.agreement("A", "B", documents=["karima"]).set_index("code")
    by_sentence = team.agreement("A", "B", documents=["karima"], unit="sentence").set_index("code")
    assert by_turn.loc["Freins/Mobilité", "agreement"] == 1.0
    # 7 sentences in the respondent's 4 turns; they differ on "Par ma conseillère."
    assert by_sentence.loc["Freins/Mobilité", "units"] == 7
    assert by_sentence.loc["Freins/Mobilité", "agreement"] == 6 / 7


def test_three_coders_fleiss_and_alpha_no_cohen(team):
    for coder in ("A", "B", "C"):
        _code_turn(team, "Immersion", 1, coder)
    _code_turn(team, "Immersion", 3, "C")
    df = team.agreement("A", "B", "C")
    assert "cohen_kappa" not in df.columns
    imm = df.set_index("code").loc["Immersion"]
    # A,B = 0,1,0,0; C = 0,1,0,1: unit 3 has 1 of 3 pairs agreeing -> P̄ = (3 + 1/3)/4
    assert imm["agreement"] == pytest.approx((3 + 1 / 3) / 4)
    assert np.isfinite(imm["fleiss_kappa"]) and np.isfinite(imm["alpha"])


def test_missing_coder_on_a_document_is_missing_data(team):
    _code_turn(team, "Immersion", 1, "A")
    _code_turn(team, "Immersion", 1, "B")
    text = team.text("notes")
    team.apply_code("notes", "Immersion", 0, 10, coder="C")   # C coded only the notes
    df = team.agreement("A", "B", "C")
    # notes has a single coder: not a common document
    assert df.attrs["documents"] == 1 and len(text) > 10


def test_character_agreement_is_unitizing_alpha(team):
    s = _turns(team)[1]
    words = s.body_start
    assert team.text("karima")[s.start:words].startswith("Karima")      # the speaker label
    team.apply_code("karima", "Immersion", s.start, s.end, coder="A")
    team.apply_code("karima", "Immersion", words + 5, s.end, coder="B")
    df = team.agreement("A", "B", unit="character").set_index("code")
    row = df.loc["Immersion"]
    # the continuum is the respondent's words: each turn from body_start (labels out)
    text = team.text("karima")
    regions = []
    for t in _turns(team):
        b, e = t.words
        while text[e - 1].isspace():
            e -= 1
        regions.append((b, e))
    expected = stats.unitizing_alpha([[(s.start, s.end)], [(words + 5, s.end)]], regions)
    assert row["alpha"] == pytest.approx(expected.alpha) and 0 < row["alpha"] < 1
    assert row["units"] == sum(e - b for b, e in regions)
    assert np.isnan(row["cohen_kappa"])


def test_sparse_codes_are_flagged(team, monkeypatch):
    from workbench.agreement import api
    _code_turn(team, "Immersion", 1, "A")
    _code_turn(team, "Immersion", 1, "B")
    text = team.text("karima")
    merci = text.rindex("Merci à vous")
    team.apply_code("karima", "Freins/Mobilité", merci, merci + 5, coder="A")
    df = team.agreement("A", "B", unit="sentence").set_index("code")
    # 7 sentences × 2 coders = 14 ratings: Immersion 4 (2 sentences each), Mobilité 1
    assert df.loc["Immersion", "prevalence"] == pytest.approx(4 / 14)
    assert df.loc["Freins/Mobilité", "prevalence"] == pytest.approx(1 / 14)
    assert not df["sparse"].any()
    monkeypatch.setattr(api, "SPARSE_PREVALENCE", 0.1)
    df = team.agreement("A", "B", unit="sentence").set_index("code")
    assert df.loc["Freins/Mobilité", "sparse"] and not df.loc["Immersion", "sparse"]
    assert "prevalence 7.1%" in df.loc["Freins/Mobilité", "note"]


def test_agreement_errors(team):
    with pytest.raises(ValidationError, match="at least two coders"):
        team.agreement("A")
    with pytest.raises(ValidationError, match="unknown coder"):
        team.agreement("A", "Zoé")
    with pytest.raises(ValidationError, match="no document coded"):
        team.agreement("A", "B")
    _code_turn(team, "Immersion", 1, "A")
    _code_turn(team, "Immersion", 1, "B")
    with pytest.raises(ValidationError, match="unknown unit"):
        team.agreement("A", "B", unit="word")


def test_value_agreement_on_an_ordinal_code(team):
    for v in ("1 pas du tout", "2 un peu", "3 beaucoup"):
        team.create_code(f"Satisfaction/{v}")
    a = ["1 pas du tout", "2 un peu", "3 beaucoup", "3 beaucoup"]
    b = ["1 pas du tout", "3 beaucoup", "3 beaucoup", "3 beaucoup"]
    for i, (va, vb) in enumerate(zip(a, b)):
        _code_turn(team, f"Satisfaction/{va}", i, "A")
        _code_turn(team, f"Satisfaction/{vb}", i, "B")
    data = np.array([[0, 1, 2, 2], [0, 2, 2, 2]], dtype=float)
    for level in ("nominal", "ordinal", "interval"):
        row = team.value_agreement("Satisfaction", "A", "B", level=level).iloc[0]
        assert row["alpha"] == pytest.approx(stats.krippendorff_alpha(data, level, np.array(
            [0.0, 1, 2]) if level != "interval" else None) if level != "interval" else
            stats.krippendorff_alpha(data + 1, "interval"))
        assert row["agreement"] == 0.75
    with pytest.raises(ValidationError, match="at least two sub-codes"):
        team.value_agreement("Immersion", "A", "B")


def test_agreement_cli_formats(team, tmp_path):
    import json

    from click.testing import CliRunner
    from openpyxl import load_workbook

    from workbench.cli import main
    _code_turn(team, "Immersion", 1, "A")
    _code_turn(team, "Immersion", 1, "B")
    _code_turn(team, "Immersion", 2, "B")
    path = str(team.path)
    team.close()
    runner = CliRunner()
    res = runner.invoke(main, ["agreement", path, "A", "B", "--resamples", "50"])
    assert res.exit_code == 0, res.output
    assert "Immersion" in res.output and "undefined" not in res.output.split("Immersion")[1][:40]
    res = runner.invoke(main, ["agreement", path, "A", "B", "--format", "json", "--code",
                               "Jamais utilisé", "--resamples", "50"])
    rows = json.loads(res.stdout)
    assert rows[0]["code"] == "Jamais utilisé" and rows[0]["alpha"] is None
    out = tmp_path / "accord.xlsx"
    res = runner.invoke(main, ["agreement", path, "--format", "xlsx", "-o", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert len(wb.sheetnames) == 2
    method = [[c.value for c in row] for row in wb[wb.sheetnames[1]].iter_rows()]
    assert any("1000" in str(v) and "12345" in str(v) for row in method for v in row)
    res = runner.invoke(main, ["agreement", path, "A"])
    assert res.exit_code == 1 and "at least two coders" in res.output
    res = runner.invoke(main, ["agreement", path, "--values", "Immersion"])
    assert res.exit_code == 1 and "sub-codes" in res.output


def test_methods_annex_section(team):
    from workbench.agreement.report import methods_agreement
    assert methods_agreement(team) is None                     # nobody coded yet
    _code_turn(team, "Immersion", 1, "A")
    _code_turn(team, "Immersion", 1, "B")
    _code_turn(team, "Freins/Mobilité", 0, "A")
    sec = methods_agreement(team, resamples=50)
    assert "A, B" in sec.paragraphs[0] and "50" in sec.paragraphs[1]
    table = sec.table.set_index(sec.table.columns[0])
    assert list(table.index)[0] == "All codes"
    assert table.loc["Immersion", "Agreement"] == "1.00"
    # a private document is left out of the report's figures
    team.set_private("document", "karima")
    assert methods_agreement(team, resamples=50) is None
