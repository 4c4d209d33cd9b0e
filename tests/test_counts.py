"""What a count means: passages vs codings, coders, interviewer speech, denominators,
sub-codes, and the joint display's statistics -- on a project small enough to count by
hand.

The project (built by ``build``)::

    participants  P1 emploi_6m=oui, P2 non, P3 oui (never interviewed), P4 non
    D1 avenir beneficiary, whole document P1
        ENQ  : Parlez-moi de la formation.                 f Formation      camille  (ENQ)
        Anne : La formation était longue mais utile.       a Formation      camille
                                                           b Formation      yanis   (overlaps a)
                                                           c Formation      consensus (= a)
        ENQ  : Et le transport ?                        ┐  g Mobilité       yanis   (question
        Anne : Le bus passe rarement.                   ┘                    and answer)
                                                           d Mobilité       camille (inside g)
                                                           e Coût           yanis   (inside d)
    D2 avenir beneficiary, whole document P2
        Bruno : Je n'ai pas fini la formation. Pas de voiture.
                                                           h Formation      camille
                                                           i, j, m Mobilité camille, yanis,
                                                                    consensus ("Pas de voiture.")
        Bruno : Trop cher. Trop loin.                      k1 Coût "Trop cher." camille,
                                                           k2 Coût " Trop loin." camille (touch k1)
    D3 avenir beneficiary, whole document P4 -- no coding
    D4 avenir trainer, no participant                      l Formation camille

Codes: Formation; Freins with sub-codes Freins/Mobilité and Freins/Coût.

Hand counts with the defaults (every coder, merged; interviewer speech left out;
passages; each code with its sub-codes):

* f lies on an interviewer turn only: left out.  g starts on the interviewer's
  question but reaches Anne's answer: it is Anne's (P1).
* Formation passages: D1 {a, b, c} -> 1, D2 {h} -> 1, D4 {l} -> 1: beneficiary 2,
  trainer 1, total 3.  Codings: a b c h l = 5 (6 with the interviewer's f).
* Freins/Mobilité: D1 {d, g} -> 1, D2 {i, j, m} -> 1: 2 passages, 5 codings.
* Freins/Coût: D1 {e} -> 1, D2 k1 and k2 only touch -> 2: 3 passages.
* Freins (with sub-codes): D1 {d, e, g} -> 1, D2 {i, j, m}, {k1}, {k2} -> 3: 4
  passages, 8 codings; exact (its own codings): 0.
* (total) passages of any code: D1 {a, b, c} and {d, e, g} -> 2, D2 {h}, {i, j, m},
  {k1}, {k2} -> 4; beneficiary 6, trainer 1, total 7.
* coder camille: Formation {a}, {h}, {l} -> 3; Freins {d}, {i}, {k1}, {k2} -> 4.
  camille + yanis: Formation 3 passages, 4 codings (a b h l).  consensus: Formation
  {c} -> 1, Freins {m} -> 1.
* Documents: base (total) = documents in scope, coded or not: beneficiary D1 D2 D3 = 3,
  trainer D4 = 1, total 4.  Formation: beneficiary 2, trainer 1.
* Participants by emploi_6m: the base is the interviewed participants, coded or not:
  oui {P1} = 1, non {P2, P4} = 2 (P3 was never interviewed).  Formation: oui P1 -> 1
  (100.0 %), non P2 -> 1 (50.0 %: P4, uncoded, is in the base).  The joint display says
  the same: group sizes 1 and 2, shares 100.0 and 50.0.
* Code tree (all accepted codings of the project, interviewer's included): Freins 8
  codings in 2 documents with its sub-codes, 0 exact; Formation 6.
"""
import numpy as np
import pandas as pd
import pytest

from workbench.domain import CONSENSUS_CODER, ValidationError

PARTICIPANTS = "participant_id,emploi_6m\nP1,oui\nP2,non\nP3,oui\nP4,non\n"
DOCS = {
    "D1": ("beneficiary", ["P1"], "ENQ : Parlez-moi de la formation.\n"
                                  "Anne : La formation était longue mais utile.\n"
                                  "ENQ : Et le transport ?\n"
                                  "Anne : Le bus passe rarement.\n"),
    "D2": ("beneficiary", ["P2"], "ENQ : Comment ça se passe ?\n"
                                  "Bruno : Je n'ai pas fini la formation. Pas de voiture.\n"
                                  "ENQ : Et le coût ?\n"
                                  "Bruno : Trop cher. Trop loin.\n"),
    "D3": ("beneficiary", ["P4"], "ENQ : Bonjour.\nCélia : Bonjour.\nENQ : Merci.\nCélia : Merci.\n"),
    "D4": ("trainer", [], "ENQ : Votre avis ?\nFormatrice : Les stagiaires décrochent.\n"
                          "ENQ : Merci.\nFormatrice : Merci.\n"),
}
FOR, FRE, MOB, COU = "Formation", "Freins", "Freins/Mobilité", "Freins/Coût"
CODINGS = [  # label, document, code, phrase, coder
    ("f", "D1", FOR, "Parlez-moi de la formation.", "camille"),
    ("a", "D1", FOR, "La formation était longue mais utile.", "camille"),
    ("b", "D1", FOR, "La formation était longue", "yanis"),
    ("c", "D1", FOR, "La formation était longue mais utile.", CONSENSUS_CODER),
    ("g", "D1", MOB, "Et le transport ?\nAnne : Le bus passe rarement.", "yanis"),
    ("d", "D1", MOB, "Le bus passe rarement.", "camille"),
    ("e", "D1", COU, "passe rarement", "yanis"),
    ("h", "D2", FOR, "Je n'ai pas fini la formation.", "camille"),
    ("i", "D2", MOB, "Pas de voiture.", "camille"),
    ("j", "D2", MOB, "Pas de voiture.", "yanis"),
    ("m", "D2", MOB, "Pas de voiture.", CONSENSUS_CODER),
    ("k1", "D2", COU, "Trop cher.", "camille"),
    ("k2", "D2", COU, " Trop loin.", "camille"),
    ("l", "D4", FOR, "Les stagiaires décrochent.", "camille"),
]


def build(project, tmp_path):
    csv = tmp_path / "participants.csv"
    csv.write_text(PARTICIPANTS, encoding="utf-8")
    project.import_participants(csv)
    for name, (actor, pids, text) in DOCS.items():
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        report = project.import_files([f], programme="avenir", actor_type=actor,
                                      participants=pids, name=name)
        assert not report.failed, report.results
    for code in (FOR, FRE, MOB, COU):
        project.create_code(code)
    for coder in ("camille", "yanis", CONSENSUS_CODER):
        project.add_coder(coder)
    for _label, doc, code, phrase, coder in CODINGS:
        text = project.text(doc)
        start = text.index(phrase)
        project.apply_code(doc, code, start, start + len(phrase), coder=coder)
    return project


@pytest.fixture
def px(project, tmp_path):
    return build(project, tmp_path)


def rows(df):
    return df.set_index("code")


def test_interviewer_speech_is_its_own_bucket(px):
    m = rows(px.matrix("actor_type", count="codings"))
    assert list(m.columns) == ["beneficiary", "trainer", "total"]
    assert list(m.loc[FOR]) == [4, 1, 5]                 # a b c h | l; f left out
    assert list(m.loc[MOB]) == [5, 0, 5]                 # g counts: it reaches Anne's answer
    with_enq = rows(px.matrix("actor_type", count="codings", interviewer=True))
    assert list(with_enq.columns) == ["beneficiary", "trainer", "interviewer", "total"]
    assert list(with_enq.loc[FOR]) == [4, 1, 1, 6]       # f is the interviewer's, not D1's actor
    q = px.query(f"{MOB} WHERE document = D1")
    assert list(q["participant_id"]) == ["P1"]          # g and d: one passage, Anne's
    assert px.query(f"{FOR} WHERE document = D1", interviewer=True)["participant_id"].tolist() \
        == ["", "P1"]                                    # f belongs to nobody


def test_passages_merge_overlaps_and_sub_codes(px):
    m = rows(px.matrix("actor_type"))
    assert list(m.loc[FOR]) == [2, 1, 3]
    assert list(m.loc[MOB]) == [2, 0, 2]
    assert list(m.loc[COU]) == [3, 0, 3]                 # k1 and k2 only touch
    assert list(m.loc[FRE]) == [4, 0, 4]                 # {d, e, g} is one passage
    assert list(m.loc["(total)"]) == [6, 1, 7]
    c = rows(px.matrix("actor_type", count="codings"))
    assert list(c.loc[FRE]) == [8, 0, 8]
    exact = rows(px.matrix("actor_type", descendants=False))
    assert list(exact.loc[FRE]) == [0, 0, 0]
    # the query language returns the same passages
    assert len(px.query(FOR)) == 3 and len(px.query(FRE)) == 4
    assert len(px.query(f"{FRE} WITHOUT DESCENDANTS")) == 0


def test_coder_selection(px):
    one = rows(px.matrix("actor_type", coders="camille"))
    assert (one.loc[FOR, "total"], one.loc[FRE, "total"]) == (3, 4)
    two = rows(px.matrix("actor_type", coders=["camille", "yanis"], count="codings"))
    assert two.loc[FOR, "total"] == 4
    assert rows(px.matrix("actor_type", coders=["camille", "yanis"])).loc[FOR, "total"] == 3
    cons = rows(px.matrix("actor_type", coders=CONSENSUS_CODER))
    assert (cons.loc[FOR, "total"], cons.loc[FRE, "total"]) == (1, 1)
    with pytest.raises(ValidationError, match="unknown coder 'zoé'"):
        px.matrix("actor_type", coders="zoé")
    # every display takes the same choice
    assert px.triangulate([FOR], coders="camille").iloc[0]["beneficiary_passages"] == 2
    assert px.joint_display("emploi_6m", codes=[FOR], coders=CONSENSUS_CODER) \
        .set_index("group").loc["oui", "passages"] == 1
    assert len(px.query(FOR, coders=CONSENSUS_CODER)) == 1
    assert "consensus" in px.counting(coders=CONSENSUS_CODER)
    assert "merged" in px.counting()


def test_no_consensus_yet_is_a_clear_error(project, tmp_path):
    (tmp_path / "x.txt").write_text("ENQ : a ?\nAnne : b.\nENQ : c ?\nAnne : d.\n",
                                    encoding="utf-8")
    project.import_files([tmp_path / "x.txt"], name="x")
    with pytest.raises(ValidationError, match="no adjudicated"):
        project.matrix("actor_type", coders=CONSENSUS_CODER)


def test_denominators_agree_between_matrix_and_joint_display(px):
    d = rows(px.matrix("actor_type", count="documents"))
    assert list(d.loc["(total)"]) == [3, 1, 4]           # D3 has no coding but counts
    assert list(d.loc[FOR]) == [2, 1, 3]
    p = rows(px.matrix("emploi_6m", count="participants"))
    assert list(p.loc["(total)"]) == [1, 2, 3]          # P4 uncoded, P3 never interviewed
    assert list(p.loc[FOR]) == [1, 1, 2]
    pct = rows(px.matrix("emploi_6m", count="participants", percent="column"))
    assert list(pct.loc[FOR, ["oui", "non"]]) == [100.0, 50.0]
    j = px.joint_display("emploi_6m", codes=[FOR, FRE, MOB, COU]).set_index(["group", "column"])
    assert j.loc[("oui", FOR), ["n_participants", "participants", "share"]].tolist() == [1, 1, 100.0]
    assert j.loc[("non", FOR), ["n_participants", "participants", "share"]].tolist() == [2, 1, 50.0]
    full = rows(px.matrix("emploi_6m", count="participants", percent="column"))
    for (group, code), share in j["share"].items():
        assert full.loc[code, group] == share, (group, code)


def test_code_tree_counts_include_sub_codes(px):
    tree = px.codes().set_index("path")
    assert (tree.loc[FRE, "codings"], tree.loc[FRE, "documents"]) == (8, 2)
    assert (tree.loc[MOB, "codings"], tree.loc[COU, "codings"], tree.loc[FOR, "codings"]) == (5, 3, 6)
    exact = px.codes(exact=True).set_index("path")
    assert (exact.loc[FRE, "codings"], exact.loc[FRE, "documents"]) == (0, 0)
    assert tree.loc[FRE, "own_codings"] == 0


def test_cooccurrence_counts_passages_not_coder_pairs(px):
    c = px.cooccurrence([MOB, COU]).set_index("code")
    assert c.loc[MOB, COU] == 1                          # D1: {d, g} overlaps {e}
    k = px.cooccurrence([MOB, COU], count="codings").set_index("code")
    assert k.loc[MOB, COU] == 2                          # d-e and g-e


def test_fisher_odds_ratio_interval_and_corrections():
    """Worked examples.

    Fisher's tea-tasting table [[3, 1], [1, 3]]: with margins 4/4/4/4 the first cell a
    is 0..4 with weights C(4,a)·C(4,4-a) = 1, 16, 36, 16, 1 (total 70), so the
    two-sided p = (1 + 16 + 16 + 1) / 70 = 0.4857.  The conditional ML odds ratio ψ
    solves E[a; ψ] = 3 with P(a; ψ) ∝ w_a ψ^a; the 95 % interval solves
    P(a ≥ 3; ψ_low) = 0.025 and P(a ≤ 3; ψ_high) = 0.025.  R's fisher.test prints
    6.408309 and 0.2117329 (its upper bound 621.93 satisfies the equation less closely:
    P = 0.02517; scipy's 626.24 gives 0.02495).

    p-values 0.01, 0.04, 0.03, 0.005 (m = 4), sorted 0.005 0.01 0.03 0.04:
    Holm: ×4, ×3, ×2, ×1 = 0.02 0.03 0.06 0.04 -> running max 0.02 0.03 0.06 0.06, so in
    the original order 0.03 0.06 0.06 0.02.  Benjamini–Hochberg: ×4/1, ×4/2, ×4/3, ×4/4 =
    0.02 0.02 0.04 0.04 -> running min from the top 0.02 0.02 0.04 0.04, so 0.02 0.04
    0.04 0.02.
    """
    from workbench.query.joint import benjamini_hochberg, fisher_2x2, holm
    p, odds, low, high = fisher_2x2(3, 1, 1, 3)
    assert p == pytest.approx(34 / 70)
    w = np.array([1, 16, 36, 16, 1], dtype=float)
    a = np.arange(5)

    def dist(psi):
        x = w * psi ** a
        return x / x.sum()

    assert (a * dist(odds)).sum() == pytest.approx(3, abs=1e-6)
    assert dist(low)[3:].sum() == pytest.approx(0.025, abs=1e-4)
    assert dist(high)[:4].sum() == pytest.approx(0.025, abs=1e-4)
    assert odds == pytest.approx(6.408309, rel=1e-4) and low == pytest.approx(0.2117329, rel=1e-3)
    ps = [0.01, 0.04, 0.03, 0.005]
    assert holm(ps).tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert benjamini_hochberg(ps).tolist() == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert np.isnan(holm([np.nan, 0.01])[0]) and holm([np.nan, 0.01])[1] == pytest.approx(0.01)


def test_outcome_table_carries_interval_corrections_and_warning(px):
    o = px.outcome_by_code("emploi_6m", codes=[FOR, FRE]).set_index("column")
    # Formation: with P1 (oui), P2 (non); without P4 (non) -> [[1, 1], [0, 1]]
    assert o.loc[FOR, ["n_with", "positive_with", "n_without", "positive_without"]].tolist() \
        == [2, 1, 1, 0]
    assert o.loc[FOR, "p_value"] == 1.0 and o.loc[FOR, "ci_low"] > 0
    assert {"odds_ratio", "ci_low", "ci_high", "p_holm", "p_bh"} <= set(o.columns)
    assert o["warning"].str.startswith("small numbers").all()
    assert o.attrs["tests"] == 2
