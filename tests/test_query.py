"""Triangulation queries, matrices, joint displays, dossier, saved queries, CLI.

The fixture project is small enough that every expected number is counted by hand
(see the table in ``build_fixture``)."""
import json

import pandas as pd
import pytest
from click.testing import CliRunner

from workbench.query.language import QueryError, parse

PARTICIPANTS = """participant_id,emploi_6m,heures_formation,canal_entree,niveau,date_entree
P1,oui,320,CEP,V,2022-01-10
P2,non,120,PLIE,infra V,2022-02-01
P3,non,410,CEP,IV,2022-03-15
P4,oui,200,mission locale,V,2022-04-01
P5,non,80,PLIE,IV,2022-05-01
"""

DOCS = {
    # name: (programme, actor, participants, speakers, text)
    "BEN-A": ("avenir", "beneficiary", [], {"Karima": "P1"},
              "ENQ : Comment avez-vous vécu l'immersion ?\n"
              "Karima : L'immersion en entreprise m'a plu. Mais le trajet en bus était long.\n"
              "ENQ : Et ensuite ?\n"
              "Karima : Je cherche un emploi dans la logistique.\n"),
    "BEN-B": ("avenir", "beneficiary", ["P2"], {},
              "ENQ : Parlez-moi du stage.\n"
              "Marc : Le stage en entreprise, sans voiture c'était impossible d'y aller.\n"
              "ENQ : Et la garde ?\n"
              "Marc : Pas de crèche pour mon fils, donc j'ai arrêté.\n"),
    "BEN-C": ("pct", "beneficiary", ["P3"], {},
              "ENQ : Comment s'est passée la formation ?\n"
              "Julie : La conseillère m'a beaucoup aidée.\n"
              "ENQ : Et l'immersion ?\n"
              "Julie : L'immersion m'a donné confiance pour mon projet.\n"),
    "BEN-D": ("pct", "beneficiary", ["P5"], {"Paul": "P4"},
              "ENQ : Présentez-vous.\n"
              "Paul : Je suis venu par la mission locale.\n"
              "Sonia : Moi le bus ne passe pas chez moi.\n"
              "ENQ : Merci.\n"
              "Paul : Le bus aussi, c'est compliqué.\n"
              "Sonia : Oui.\n"),
    "FOR-A": ("avenir", "trainer", [], {},
              "ENQ : Que pensez-vous de l'immersion ?\n"
              "Formatrice : L'immersion est le cœur du dispositif.\n"
              "ENQ : Des difficultés ?\n"
              "Formatrice : La mobilité reste le premier frein.\n"),
    "OPE-A": ("avenir", "operator", [], {},
              "ENQ : Quel rôle pour vous ?\n"
              "Conseiller : Nous orientons vers l'immersion.\n"
              "ENQ : Et l'accompagnement ?\n"
              "Conseiller : Nous suivons chaque stagiaire chaque semaine.\n"),
    "FOR-B": ("pct", "trainer", [], {},
              "ENQ : Comment se passe la formation ?\n"
              "Formateur : Les stagiaires progressent bien.\n"
              "ENQ : Et le projet professionnel ?\n"
              "Formateur : Le projet se construit pendant l'immersion.\n"),
}

IMM, FRE, MOB, GAR, PRO, ACC = ("Immersion en entreprise", "Freins", "Freins/Mobilité",
                                "Freins/Garde d'enfants", "Projet professionnel",
                                "Accompagnement")

# (document, code, phrase, coder)                     participant (linking level)
CODINGS = [
    ("BEN-A", IMM, "L'immersion en entreprise m'a plu.", "testeur"),   # P1 (speaker)
    ("BEN-A", IMM, "L'immersion en entreprise m'a plu.", "alice"),     # P1, same span
    ("BEN-A", MOB, "le trajet en bus était long", "testeur"),          # P1
    ("BEN-A", PRO, "Je cherche un emploi dans la logistique.", "testeur"),  # P1
    ("BEN-A", ACC, "Comment avez-vous vécu l'immersion ?", "testeur"),  # interviewer: nobody
    ("BEN-B", IMM, "Le stage en entreprise, sans voiture c'était impossible d'y aller.", "testeur"),
    ("BEN-B", MOB, "sans voiture c'était impossible d'y aller", "testeur"),   # P2 (document)
    ("BEN-B", GAR, "Pas de crèche pour mon fils", "testeur"),          # P2
    ("BEN-C", ACC, "La conseillère m'a beaucoup aidée.", "testeur"),   # P3
    ("BEN-C", IMM, "L'immersion m'a donné confiance pour mon projet.", "testeur"),
    ("BEN-C", PRO, "confiance pour mon projet", "testeur"),            # P3, overlaps IMM
    ("BEN-D", MOB, "le bus ne passe pas chez moi", "testeur"),         # Sonia -> P5 (document)
    ("BEN-D", MOB, "Le bus aussi, c'est compliqué.", "testeur"),       # Paul -> P4 (speaker)
    ("BEN-D", ACC, "Je suis venu par la mission locale.", "testeur"),  # P4
    ("FOR-A", IMM, "L'immersion est le cœur du dispositif.", "testeur"),
    ("FOR-A", MOB, "La mobilité reste le premier frein.", "testeur"),
    ("OPE-A", ACC, "Nous suivons chaque stagiaire chaque semaine.", "testeur"),
    ("OPE-A", IMM, "Nous orientons vers l'immersion.", "testeur"),
    ("FOR-B", PRO, "Le projet se construit pendant l'immersion.", "testeur"),
]


def build_fixture(project, tmp_path):
    csv = tmp_path / "participants.csv"
    csv.write_text(PARTICIPANTS, encoding="utf-8")
    project.import_participants(csv)
    for name, (prog, actor, pids, speakers, text) in DOCS.items():
        f = tmp_path / f"{name}.txt"
        f.write_text(text, encoding="utf-8")
        report = project.import_files([f], programme=prog, actor_type=actor, participants=pids,
                                      speakers=speakers, name=name, new_programme=True)
        assert not report.failed, report.results
    project.store.bulk_insert_questions([
        {"id": "AV-B1", "text": "L'immersion en entreprise lève-t-elle les freins ?",
         "programme": "avenir", "side": "beneficiaries"}])
    project.create_code(IMM, questions=["AV-B1"])
    project.create_code(FRE)
    project.create_code(MOB, questions=["AV-B1"])
    project.create_code(GAR)
    project.create_code(PRO)
    project.create_code(ACC)
    project.add_coder("alice")
    for doc, code, phrase, coder in CODINGS:
        text = project.text(doc)
        start = text.index(phrase)
        project.apply_code(doc, code, start, start + len(phrase), coder=coder)
    # a candidate coding (not counted unless status="all")
    text = project.text("BEN-C")
    s = text.index("La conseillère")
    project.apply_code("BEN-C", GAR, s, s + 14, status="candidate")
    return project


@pytest.fixture
def fx(project, tmp_path):
    return build_fixture(project, tmp_path)


def span_of(project, doc, phrase):
    s = project.text(doc).index(phrase)
    return s, s + len(phrase)


# -- the language ------------------------------------------------------------------------------
def test_parse_grammar_shapes():
    q = parse('"Freins/Mobilité" AND Immersion WHERE actor = beneficiary AND heures >= 300')
    assert type(q.expr).__name__ == "And"
    assert [c.ref for c in q.codes] == ["Freins/Mobilité", "Immersion"]
    q = parse("A OR B AND NOT C")              # AND binds tighter than OR
    assert type(q.expr).__name__ == "Or" and type(q.expr.right).__name__ == "AndNot"
    q = parse("A FOLLOWED BY B WITHIN 2 TURNS")
    assert (q.expr.distance, q.expr.unit) == (2, "turns")
    q = parse("code:«Garde d'enfants» WITHOUT DESCENDANTS")
    assert q.codes[0].ref == "Garde d'enfants" and q.codes[0].descendants is False
    q = parse("WHERE canal IN (\"CEP\", PLIE) AND date >= 2022-01-01")
    assert q.expr is None
    assert parse("TURN(A AND NOT B)").expr.__class__.__name__ == "TurnScope"


@pytest.mark.parametrize("text, column, fragment", [
    ("Freins Projet", 8, "expected AND, OR, FOLLOWED BY or WHERE"),
    ("Freins AND (Projet", 19, "expected ')'"),
    ('"Freins AND Projet', 1, "unterminated string"),
    ("Freins WHERE heures >", 22, "expected a value"),
    ("Freins FOLLOWED BY Projet WITHIN deux TURNS", 34, "whole number"),
    ("Freins AND", 11, "expected a code"),
])
def test_syntax_errors_point_at_the_column(text, column, fragment):
    with pytest.raises(QueryError) as e:
        parse(text)
    msg = str(e.value)
    assert fragment in msg and f"(column {column})" in msg
    lines = msg.splitlines()
    assert lines[1] == "  " + text
    assert lines[2].index("^") - 2 == column - 1


# -- retrieval ---------------------------------------------------------------------------------
def test_and_overlap_merges_the_passage(fx):
    df = fx.query(f'"{IMM}" AND "{MOB}"')
    assert len(df) == 1
    row = df.iloc[0]
    assert row["document"] == "BEN-B" and row["participant_id"] == "P2"
    assert (row["start"], row["end"]) == span_of(fx, "BEN-B", CODINGS[5][2])
    assert row["codes"] == f"{MOB};{IMM}"
    assert row["speaker"] == "Marc" and row["actor_type"] == "beneficiary"
    assert row["text"] == CODINGS[5][2]
    assert list(df.columns[:10]) == ["document", "programme", "actor_type", "speaker",
                                     "participant_id", "start", "end", "text", "codes", "coder"]


def test_descendants_and_same_turn(fx):
    # Freins includes its sub-codes by default; not WITHOUT DESCENDANTS
    assert len(fx.query(f'"{IMM}" AND Freins')) == 1
    assert len(fx.query(f'"{IMM}" AND Freins WITHOUT DESCENDANTS')) == 0
    assert len(fx.query(f'"{IMM}" AND Freins', descendants=False)) == 0
    turns = fx.query(f'TURN("{IMM}" AND Freins)')
    assert list(turns["document"]) == ["BEN-A", "BEN-B"]
    karima = fx.segments("BEN-A")[1]
    assert (turns.iloc[0]["start"], turns.iloc[0]["end"]) == (karima.start, karima.end)
    assert turns.iloc[0]["coder"] == "alice;testeur"


def test_and_not_or_and_identical_spans(fx):
    df = fx.query(f'"{IMM}" AND NOT Freins')
    assert list(df["document"]) == ["BEN-A", "BEN-C", "FOR-A", "OPE-A"]
    assert df.iloc[0]["coder"] == "alice;testeur"          # two coders, one passage
    assert len(fx.query(f'"{GAR}" OR "{PRO}"')) == 1 + 3
    # turns without any Freins, among non-interviewer turns of BEN-D
    df = fx.query("TURN(NOT Freins) WHERE document = BEN-D")
    assert list(df["speaker"]) == ["Paul", "Sonia"]          # "venu par…" and "Oui."


def test_followed_by(fx):
    df = fx.query(f'Freins FOLLOWED BY "{PRO}" WITHIN 2 TURNS')
    assert len(df) == 1 and df.iloc[0]["document"] == "BEN-A"
    assert df.iloc[0]["start"] == span_of(fx, "BEN-A", CODINGS[2][2])[0]
    assert df.iloc[0]["end"] == span_of(fx, "BEN-A", CODINGS[3][2])[1]
    assert len(fx.query(f'Freins FOLLOWED BY "{PRO}" WITHIN 1 TURNS')) == 0
    assert len(fx.query(f'Freins FOLLOWED BY "{PRO}" WITHIN 10 CHARS')) == 0
    assert len(fx.query(f'Freins FOLLOWED BY "{PRO}" WITHIN 60 CHARS')) == 1
    assert len(fx.query(f'Freins FOLLOWED BY "{PRO}"')) == 1


def test_filters_on_participant_attributes(fx):
    df = fx.query("Freins WHERE emploi_6m = non", attributes=["emploi_6m"])
    assert sorted(df["participant_id"]) == ["P2", "P2", "P5"]
    assert set(df["emploi_6m"]) == {"non"}
    df = fx.query("* WHERE heures_formation >= 300 AND actor = beneficiary")
    # P1: immersion (two coders, one passage), mobility, project; P3: support, and
    # immersion + project overlapping = one passage
    assert sorted(df["participant_id"]) == ["P1"] * 3 + ["P3"] * 2
    df = fx.query('Freins WHERE canal_entree IN ("CEP", "plie")')
    assert sorted(df["participant_id"]) == ["P1", "P2", "P2", "P5"]
    assert sorted(set(fx.query("* WHERE niveau >= V")["participant_id"])) == ["P1", "P3", "P4", "P5"]
    assert sorted(set(fx.query("* WHERE date_entree < 2022-03-01")["participant_id"])) == ["P1", "P2"]
    assert len(fx.query("Accompagnement WHERE speaker = Paul")) == 1
    assert len(fx.query("* WHERE actor = formateur")) == 3          # French alias
    assert len(fx.query("Freins", where="programme = pct")) == 2
    assert len(fx.query("* WHERE coder = alice")) == 1


def test_linking_levels(fx):
    df = fx.query(f'"{MOB}" WHERE document = BEN-D')
    assert list(zip(df["speaker"], df["participant_id"])) == [("Sonia", "P5"), ("Paul", "P4")]
    # interviewer speech is left out unless asked for, and then belongs to nobody
    assert len(fx.query("Accompagnement WHERE document = BEN-A")) == 0
    enq = fx.query("Accompagnement WHERE document = BEN-A", interviewer=True)
    assert enq.iloc[0]["participant_id"] == ""                    # interviewer turn
    assert len(fx.query("Accompagnement WHERE document = BEN-A AND emploi_6m = oui",
                        interviewer=True)) == 0


def test_status_candidates(fx):
    assert len(fx.query(f'"{GAR}"')) == 1
    assert len(fx.query(f'"{GAR}"', status="all")) == 2
    assert len(fx.query(f'"{GAR}"', status="candidate")) == 1


@pytest.mark.parametrize("text, fragment, at", [
    ('"Imersion en entreprise" AND Freins', "unknown code 'Imersion en entreprise' "
     "(did you mean 'Immersion en entreprise'?)", 0),
    ('Freins WHERE heures_formation >= "abc"', 'heures_formation is numeric: "abc" is not a number', 33),
    ("Freins WHERE age >= 3", "unknown attribute or field 'age'", 13),
    ("Freins WHERE canal_entree > CEP", "canal_entree is nominal", 13),
    ("Freins WHERE emploi_6m = peutetre", "emploi_6m is yes/no", 25),
    ("Freins WHERE niveau = bac", "niveau is ordinal", 22),
    ("Freins WHERE actor = consultants", "unknown actor type", 21),  # stagiaires: beneficiary (labels.ACTOR_ALIASES)
    ("NOT Freins", "NOT on its own needs a scope", 0),
    ("TURN(Freins FOLLOWED BY Accompagnement)", "FOLLOWED BY cannot be used inside TURN", 12),
])
def test_meaning_errors_point_at_the_problem(fx, text, fragment, at):
    with pytest.raises(QueryError) as e:
        fx.query(text)
    msg = str(e.value)
    assert fragment in msg
    assert msg.splitlines()[2].index("^") - 2 == at


# -- matrices ---------------------------------------------------------------------------------
def test_code_by_actor_type_matrix(fx):
    """Passages (default): the two coders' immersion codings in BEN-A are one passage,
    BEN-B's immersion and mobility overlap but are different codes; the interviewer's
    coding in BEN-A is left out.  (total) = passages of any code per column: BEN-A 3,
    BEN-B 2 (immersion ∪ mobility, childcare), BEN-C 2 (support; immersion ∪ project),
    BEN-D 3 -> 10; FOR-A 2 + FOR-B 1 -> 3; OPE-A 2."""
    m = fx.matrix("actor_type").set_index("code")
    assert list(m.columns) == ["beneficiary", "trainer", "operator", "total"]
    expect = {IMM: [3, 1, 1, 5], FRE: [5, 1, 0, 6], MOB: [4, 1, 0, 5], GAR: [1, 0, 0, 1],
              PRO: [2, 1, 0, 3], ACC: [2, 0, 1, 3], "(total)": [10, 3, 2, 15]}
    for code, row in expect.items():
        assert list(m.loc[code]) == row, code
    c = fx.matrix("actor_type", count="codings").set_index("code")
    assert list(c.loc[IMM]) == [4, 1, 1, 6] and list(c.loc["(total)"]) == [13, 3, 2, 18]
    d = fx.matrix("actor", count="documents").set_index("code")
    assert list(d.loc[IMM]) == [3, 1, 1, 5] and list(d.loc[FRE]) == [3, 1, 0, 4]
    assert list(d.loc["(total)"]) == [4, 2, 1, 7]        # documents in scope, coded or not
    own = fx.matrix("actor_type", descendants=False).set_index("code")
    assert list(own.loc[FRE]) == [0, 0, 0, 0]
    enq = fx.matrix("actor_type", interviewer=True).set_index("code")
    assert list(enq.columns) == ["beneficiary", "trainer", "operator", "interviewer", "total"]
    assert list(enq.loc[ACC]) == [2, 0, 1, 1, 4]


def test_code_by_attribute_matrix_with_percentages(fx):
    m = fx.matrix("emploi_6m", count="participants").set_index("code")
    assert list(m.columns) == ["oui", "non", "total"]
    expect = {IMM: [1, 2, 3], FRE: [2, 2, 4], GAR: [0, 1, 1], PRO: [1, 1, 2], ACC: [1, 1, 2],
              "(total)": [2, 3, 5]}
    for code, row in expect.items():
        assert list(m.loc[code]) == row, code
    col = fx.matrix("emploi_6m", count="participants", percent="column").set_index("code")
    assert list(col.loc[FRE][["oui", "non"]]) == [100.0, 66.7]
    row = fx.matrix("emploi_6m", count="participants", percent="row").set_index("code")
    assert list(row.loc[IMM][["oui", "non"]]) == [33.3, 66.7]
    q = fx.matrix("heures_formation", count="participants", bins=2).set_index("code")
    assert list(q.columns) == ["Q1 [80–200]", "Q2 [200–410]", "total"]
    assert list(q.loc[FRE]) == [3, 1, 4]                  # P2 P4 P5 | P1
    filtered = fx.matrix("actor_type", where="programme = avenir").set_index("code")
    assert list(filtered.loc[IMM]) == [2, 1, 1, 4]         # BEN-A (one passage), BEN-B


def test_cooccurrence(fx):
    c = fx.cooccurrence().set_index("code")                 # passages
    assert c.loc[IMM, MOB] == c.loc[MOB, IMM] == 1
    assert c.loc[IMM, PRO] == 1 and c.loc[MOB, PRO] == 0
    assert [c.loc[k, k] for k in (IMM, FRE, MOB, GAR, PRO, ACC)] == [5, 0, 5, 1, 3, 3]
    k = fx.cooccurrence(count="codings").set_index("code")
    assert [k.loc[x, x] for x in (IMM, ACC)] == [6, 3]
    t = fx.cooccurrence(mode="turn").set_index("code")
    assert t.loc[IMM, MOB] == 2 and t.loc[IMM, PRO] == 1 and t.loc[IMM, IMM] == 5
    p = fx.cooccurrence([IMM, MOB], mode="proximity", distance=10_000,
                        count="documents").set_index("code")
    assert p.loc[IMM, MOB] == 3                           # BEN-A, BEN-B, FOR-A
    assert list(p.columns) == [IMM, MOB]


def test_participant_code_matrix(fx):
    m = fx.participant_code_matrix().set_index("participant_id")
    assert list(m.index) == ["P1", "P2", "P3", "P4", "P5"]
    assert list(m.loc["P1"]) == [1, 1, 1, 0, 1, 0]
    assert list(m.loc["P2"]) == [1, 1, 1, 1, 0, 0]
    assert list(m.loc["P3"]) == [1, 0, 0, 0, 1, 1]
    assert list(m.loc["P4"]) == [0, 1, 1, 0, 0, 1]
    assert list(m.loc["P5"]) == [0, 1, 1, 0, 0, 0]
    counts = fx.participant_code_matrix([IMM], binary=False).set_index("participant_id")
    assert counts.loc["P1", IMM] == 1                       # two coders, one passage
    counts = fx.participant_code_matrix([IMM], binary=False, count="codings")
    assert counts.set_index("participant_id").loc["P1", IMM] == 2
    joined = fx.participant_code_matrix([FRE], attributes=["emploi_6m", "heures_formation"])
    assert list(joined.columns) == ["participant_id", FRE, "emploi_6m", "heures_formation"]
    assert joined.set_index("participant_id").loc["P3", "heures_formation"] == 410


# -- triangulation, joint displays, dossier ---------------------------------------------------
def test_triangulation(fx):
    t = fx.triangulate([IMM, GAR, ACC]).set_index("code")
    imm = t.loc[IMM]
    assert (imm["beneficiary_codings"], imm["beneficiary_documents"],
            imm["beneficiary_participants"], imm["beneficiary_share"]) == (4, 3, 3, 75.0)
    assert (imm["trainer_documents"], imm["trainer_share"]) == (1, 50.0)
    assert (imm["operator_documents"], imm["operator_share"]) == (1, 100.0)
    assert imm["summary"] == "convergence"
    assert "« L'immersion est le cœur du dispositif. » (FOR-A, Formatrice)" in imm["trainer_exemplars"]
    assert t.loc[GAR, "summary"] == "single voice (beneficiary); silence: trainer, operator"
    assert t.loc[GAR, "trainer_status"] == "silence"
    assert t.loc[ACC, "summary"] == "convergence; silence: trainer"
    q = fx.triangulate(questions=["AV-B1"])
    assert q.iloc[0]["question"] == "AV-B1" and q.iloc[0]["beneficiary_codings"] == 8


def test_statuses_divergence():
    from workbench.query.triangulation import statuses
    st, summary = statuses({"beneficiary": 0.1, "trainer": 0.5, "operator": 0.6})
    assert st["beneficiary"] == "less" and summary == "divergence (beneficiary less)"
    st, summary = statuses({"beneficiary": 0.2, "trainer": None, "operator": 0.0})
    assert st == {"beneficiary": "convergent", "trainer": "no data", "operator": "silence"}


def test_joint_display(fx):
    j = fx.joint_display("emploi_6m", codes=[FRE, IMM])
    cell = j.set_index(["group", "column"])
    assert cell.loc[("oui", FRE), ["n_participants", "participants", "share", "codings"]].tolist() \
        == [2, 2, 100.0, 2]
    assert cell.loc[("non", FRE), ["n_participants", "participants", "share", "codings"]].tolist() \
        == [3, 2, 66.7, 3]
    assert cell.loc[("oui", IMM), ["participants", "share", "codings"]].tolist() == [1, 50.0, 2]
    assert cell.loc[("non", IMM), ["participants", "share", "codings"]].tolist() == [2, 66.7, 2]
    assert cell.loc[("oui", IMM), "exemplars"].startswith("« L'immersion en entreprise")
    wide = fx.joint_display("heures_formation", codes=[FRE], bins=2, layout="wide")
    assert list(wide["group"]) == ["Q1 [80–200]", "Q2 [200–410]"]
    assert list(wide[f"{FRE} · n"]) == [3, 1] and list(wide["n_participants"]) == [3, 2]


def test_outcome_by_code_with_fisher(fx):
    o = fx.outcome_by_code("emploi_6m", codes=[FRE, PRO]).set_index("column")
    fre = o.loc[FRE]
    assert (fre["n_with"], fre["positive_with"], fre["rate_with"]) == (4, 2, 50.0)
    assert (fre["n_without"], fre["positive_without"], fre["rate_without"]) == (1, 0, 0.0)
    assert fre["p_value"] == 1.0
    assert fre["warning"].startswith("small numbers")
    pro = o.loc[PRO]                                     # P1 oui, P3 non | P2 P4 P5
    assert (pro["n_with"], pro["positive_with"], pro["n_without"], pro["positive_without"]) == (2, 1, 3, 1)
    with pytest.raises(Exception, match="positive"):
        fx.outcome_by_code("canal_entree", codes=[FRE])
    o2 = fx.outcome_by_code("canal_entree", codes=[FRE], positive="PLIE").set_index("column")
    assert o2.loc[FRE, "positive_with"] == 2             # P2, P5


def test_question_dossier(fx):
    d = fx.question_dossier("AV-B1")
    assert d.question["codes"] == [IMM, MOB]
    codes = d.codes.set_index("code")                      # passages, codings, docs, people
    assert codes.loc[IMM].tolist() == [5, 6, 5, 3] and codes.loc[MOB].tolist() == [5, 5, 4, 4]
    # the question's passages: BEN-A 2, BEN-B 1 (immersion ∪ mobility), BEN-C 1,
    # BEN-D 2, FOR-A 2, OPE-A 1
    assert len(d.excerpts) == 9
    assert list(d.excerpts["actor_type"]) == ["beneficiary"] * 6 + ["trainer"] * 2 + ["operator"]
    counts = d.counts.set_index(["actor_type", "programme"])
    assert counts.loc[("beneficiary", "avenir")].tolist() == [3, 5, 2, 2]
    assert counts.loc[("beneficiary", "pct")].tolist() == [3, 3, 2, 3]
    parts = d.participants.set_index("participant_id")
    assert parts["codings"].to_dict() == {"P1": 3, "P2": 2, "P3": 1, "P4": 1, "P5": 1}
    assert parts["passages"].to_dict() == {"P1": 2, "P2": 1, "P3": 1, "P4": 1, "P5": 1}
    assert parts.loc["P3", "heures_formation"] == 410
    assert json.dumps(d.to_dict(), ensure_ascii=False)
    with pytest.raises(Exception, match="no evaluation question"):
        fx.question_dossier("XX")


# -- saved queries -------------------------------------------------------------------------------
def test_saved_queries(fx):
    fx.save_query("freins-non", "query", "Freins WHERE emploi_6m = non")
    fx.save_query("matrice-emploi", "matrix", "emploi_6m", {"count": "participants"})
    assert list(fx.saved_queries()["name"]) == ["freins-non", "matrice-emploi"]
    assert len(fx.run_saved_query("freins-non")) == 3
    assert fx.run_saved_query("matrice-emploi").set_index("code").loc[FRE, "oui"] == 2
    with pytest.raises(Exception, match="already exists"):
        fx.save_query("freins-non", "query", "Freins")
    with pytest.raises(QueryError):
        fx.save_query("broken", "query", "Freins AND")
    assert "broken" not in set(fx.saved_queries()["name"])
    fx.delete_saved_query("freins-non")
    with pytest.raises(Exception, match="no saved query"):
        fx.run_saved_query("freins-non")


def test_snapshot_follows_changes(fx):
    assert len(fx.query(f'"{GAR}"')) == 1
    s, e = span_of(fx, "BEN-B", "donc j'ai arrêté")
    fx.apply_code("BEN-B", GAR, s, e)
    assert len(fx.query(f'"{GAR}"')) == 2
    fx.undo()
    assert len(fx.query(f'"{GAR}"')) == 1


# -- CLI --------------------------------------------------------------------------------------
@pytest.fixture
def cli_project(fx):
    path = str(fx.path)
    fx.close()
    return path


def run(*args):
    from workbench.cli import main
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_cli_query(cli_project, tmp_path):
    r = run("query", cli_project, "Freins WHERE emploi_6m = non", "--format", "json",
            "--attribute", "canal_entree")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert len(rows) == 3 and {row["canal_entree"] for row in rows} == {"PLIE"}
    r = run("query", cli_project, 'Freins WHERE heures_formation >= "abc"')
    assert r.exit_code == 1
    assert "is not a number" in r.stderr and "^^^^^" in r.stderr
    r = run("query", cli_project, "Freins", "--format", "xlsx")
    assert r.exit_code == 2
    out = tmp_path / "extraits.xlsx"
    r = run("query", cli_project, "Freins", "--format", "xlsx", "--output", out)
    assert r.exit_code == 0 and len(pd.read_excel(out)) == 6


def test_cli_matrix_joint_eq_and_saved(cli_project, tmp_path):
    r = run("matrix", cli_project, "emploi_6m", "--count", "participants", "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "Freins,2,2,4" in r.stdout
    r = run("matrix", cli_project, "cooccurrence", "--mode", "turn", "--format", "json")
    assert r.exit_code == 0
    r = run("matrix", cli_project, "participants", "--attributes", "--format", "csv")
    assert r.stdout.splitlines()[0].startswith("participant_id,")
    r = run("joint", cli_project, "emploi_6m", "--code", "Freins", "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 2
    r = run("joint", cli_project, "--outcome", "emploi_6m", "--code", "Freins", "--format", "json")
    assert json.loads(r.stdout)[0]["n_with"] == 4
    r = run("triangulate", cli_project, "--code", IMM, "--format", "json")
    assert json.loads(r.stdout)[0]["summary"] == "convergence"
    r = run("eq", cli_project, "AV-B1", "--format", "json")
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.stdout)["excerpts"]) == 9
    r = run("eq", cli_project, "AV-B1")
    assert "AV-B1" in r.stdout and "beneficiary" in r.stdout
    out = tmp_path / "dossier.xlsx"
    r = run("eq", cli_project, "AV-B1", "--format", "xlsx", "--output", out)
    assert r.exit_code == 0 and "excerpts" in pd.ExcelFile(out).sheet_names
    r = run("queries", "save", cli_project, "freins-non", "Freins WHERE emploi_6m = non")
    assert r.exit_code == 0, r.output
    r = run("queries", "save", cli_project, "m", "emploi_6m", "--kind", "matrix",
            "--param", "count=participants")
    assert r.exit_code == 0, r.output
    r = run("queries", "list", cli_project, "--format", "json")
    assert [q["name"] for q in json.loads(r.stdout)] == ["freins-non", "m"]
    r = run("queries", "run", cli_project, "freins-non", "--format", "json")
    assert len(json.loads(r.stdout)) == 3
    r = run("queries", "delete", cli_project, "freins-non")
    assert r.exit_code == 0
    r = run("queries", "run", cli_project, "freins-non")
    assert r.exit_code == 1 and "no saved query" in r.stderr
