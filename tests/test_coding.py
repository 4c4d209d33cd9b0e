"""The coding engine through the facade: codes, codings, memos, undo/redo, codebooks,
autocoding.  Each test checks the database afterwards, on a real project file."""
import sqlite3
from pathlib import Path

import pytest

from workbench.coding import ConfirmationRequired, Rule
from workbench.domain import NotFoundError, ValidationError
from workbench.project import Project

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def coded(project, interview_txt):
    project.import_files([interview_txt], programme="avenir", actor_type="beneficiary")
    project.create_code("Freins/Mobilité", colour="#d62728", definition="Transport, permis")
    project.create_code("Freins/Garde d'enfants")
    project.create_code("Immersion")
    return project


def _rows(project, sql):
    con = sqlite3.connect(project.path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_codes_tree_paths_and_validation(coded):
    df = coded.codes()
    assert list(df["path"]) == ["Freins", "Freins/Mobilité", "Freins/Garde d'enfants", "Immersion"]
    assert coded.code("freins/mobilité")["colour"] == "#D62728"      # case-insensitive path
    assert coded.code_id("Mobilité") == coded.code_id("Freins/Mobilité")   # unique name
    with pytest.raises(ValidationError, match="already exists"):
        coded.create_code("Freins/mobilité")
    with pytest.raises(ValidationError, match="cannot contain"):
        coded.rename_code("Immersion", "a/b")
    with pytest.raises(ValidationError, match="bad colour"):
        coded.update_code("Immersion", colour="rouge")
    with pytest.raises(NotFoundError):
        coded.code_id("Inconnu")


def test_apply_span_validated_and_durable(coded):
    text = coded.text("entretien_karima")
    start = text.index("Alors l'immersion")
    end = text.index("municipale") + len("municipale")
    cid = coded.apply_code("entretien_karima", "Immersion", start, end)
    # durable: a second connection sees it immediately
    assert _rows(coded, f"SELECT start, end, origin FROM codings WHERE id = {cid}") == [(start, end, "manual")]
    assert coded.apply_code("entretien_karima", "Immersion", start, end) == cid   # idempotent
    with pytest.raises(ValidationError, match="outside the text"):
        coded.apply_code("entretien_karima", "Immersion", 10, len(text) + 5)
    with pytest.raises(ValidationError):
        coded.apply_code("entretien_karima", "Immersion", 20, 20)
    ex = coded.excerpts("Immersion")
    assert ex.iloc[0]["text"] == text[start:end] and ex.iloc[0]["speaker"] == "Karima"


def test_overlapping_nested_and_segment_codings(coded):
    segs = coded.segments("entretien_karima")
    karima = [s for s in segs if s.speaker == "Karima"]
    ids = coded.apply_code_to_segments("entretien_karima", "Immersion", [karima[1].position])
    inner = coded.apply_code("entretien_karima", "Freins/Garde d'enfants",
                             karima[1].start + 5, karima[1].start + 20)
    df = coded.codings("entretien_karima")
    assert len(df) == 2 and set(df["id"]) == {ids[0], inner}
    assert coded.excerpts("Freins").shape[0] == 1                       # descendants included
    assert coded.excerpts("Freins", descendants=False).shape[0] == 0


def test_unknown_coder_is_an_error_and_known_coder_recorded(coded):
    with pytest.raises(NotFoundError, match="unknown coder 'bob'"):
        coded.apply_code("entretien_karima", "Immersion", 0, 10, coder="bob")
    coded.add_coder("bob")
    cid = coded.apply_code("entretien_karima", "Immersion", 0, 10, coder="bob")
    assert _rows(coded, f"SELECT c.name FROM codings k JOIN coders c ON c.id = k.coder_id "
                        f"WHERE k.id = {cid}") == [("bob",)]


def test_undo_redo_survive_restart(coded, tmp_path):
    cid = coded.apply_code("entretien_karima", "Immersion", 0, 30)
    coded.add_memo("coding", cid, "À discuter en équipe")
    path = coded.path
    coded.close()
    with Project.open(path, coder="testeur") as p:
        assert p.undo() == "memo.add"
        assert p.memos("coding").empty
        assert p.undo() == "coding.apply"
        assert p.codings("entretien_karima").empty
    with Project.open(path, coder="testeur") as p:
        assert p.redo() == "coding.apply"
        assert p.redo() == "memo.add"
        assert p.memos("coding", cid).iloc[0]["text"] == "À discuter en équipe"
        assert p.redo() is None
        # another coder's undo does not touch my work
        p.add_coder("other")
    with Project.open(path, coder="other") as other:
        assert other.undo() is None
        assert len(other.codings("entretien_karima")) == 1


def test_new_action_clears_redo(coded):
    coded.apply_code("entretien_karima", "Immersion", 0, 30)
    coded.undo()
    coded.apply_code("entretien_karima", "Immersion", 5, 40)
    assert coded.redo() is None


def test_rename_move_merge_split_delete(coded):
    text = coded.text("entretien_karima")
    a = coded.apply_code("entretien_karima", "Freins/Mobilité", 0, 20)
    b = coded.apply_code("entretien_karima", "Freins/Garde d'enfants", 0, 20)    # same span
    c = coded.apply_code("entretien_karima", "Freins/Garde d'enfants", 30, 60)
    coded.add_memo("coding", c, "garde")
    coded.rename_code("Freins/Mobilité", "Transport")
    assert "Freins/Transport" in set(coded.codes()["path"])
    coded.move_code("Freins/Transport", None)
    assert coded.code("Transport")["parent_id"] is None
    with pytest.raises(ValidationError, match="under itself"):
        coded.move_code("Freins", "Freins")
    coded.move_code("Transport", "Freins")
    moved = coded.merge_codes("Freins/Garde d'enfants", "Freins/Transport")
    assert moved == 1                                # the identical span was not duplicated
    assert sorted(coded.codings(code="Freins/Transport")["id"]) == sorted([a, c])
    assert coded.memos("coding", c).iloc[0]["text"] == "garde"
    with pytest.raises(NotFoundError):
        coded.code_id("Freins/Garde d'enfants")
    created = coded.split_code("Freins/Transport", {"Permis": [c]})
    assert coded.codings(code="Freins/Transport/Permis")["id"].tolist() == [c]
    assert created["Permis"] == coded.code_id("Freins/Transport/Permis")
    with pytest.raises(ConfirmationRequired) as exc:
        coded.delete_code("Freins")
    assert exc.value.count == 2
    assert coded.delete_code("Freins", force=True) == 2
    assert set(coded.codes()["path"]) == {"Immersion"}
    assert _rows(coded, "SELECT count(*) FROM codings") == [(0,)]
    assert _rows(coded, "SELECT count(*) FROM memos") == [(0,)]
    # and the whole delete is one undo step
    assert coded.undo() == "code.delete"
    assert len(coded.codes()) == 4 and len(coded.codings("entretien_karima")) == 2
    del text, b


def test_import_shipped_codebook_merge_without_duplicates(project):
    s = project.import_codebook(REPO / "codebooks" / "avenir.yaml")
    assert s["codes_added"] > 10 and s["questions_added"] > 5
    n = len(project.codes())
    again = project.import_codebook(REPO / "codebooks" / "avenir.yaml")
    assert again["codes_added"] == 0 and len(project.codes()) == n
    qs = project.evaluation_questions()
    assert qs["codes"].notna().all()             # every question is served by a code
    # the second import changed nothing, so undo takes back the first one whole
    assert project.undo() == "codebook.import"
    assert project.codes().empty and project.evaluation_questions().empty


def test_all_shipped_codebooks_load_into_one_project(project):
    for path in sorted((REPO / "codebooks").glob("*.yaml")):
        project.import_codebook(path)
    assert len(project.evaluation_questions()) >= 40
    assert len(project.codes()) > 150


def test_codebook_export_qdc_reimports_unchanged(project, tmp_path):
    from lxml import etree
    project.import_codebook(REPO / "codebooks" / "becomino.yaml")
    out = project.export_codebook(tmp_path / "becomino.qdc")
    schema = etree.XMLSchema(etree.parse(str(REPO / "tests" / "fixtures" / "refi" / "Codebook.xsd")))
    assert schema.validate(etree.parse(str(out))), schema.error_log
    other = Project.create(tmp_path / "other.wbproj")
    other.import_codebook(out)
    cols = ["path", "colour", "definition", "when_to_use", "when_not_to_use", "example", "questions"]
    left = project.codes()[cols].reset_index(drop=True)
    right = other.codes()[cols].reset_index(drop=True)
    assert left.equals(right)
    other.close()


def test_bad_codebook_imports_nothing(project, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("codebook: x\ntitle: X\nquestions: []\ncodes:\n  - name: A\n    colour: rouge\n"
                   "  - name: A\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        project.import_codebook(bad)
    assert "bad.yaml:6" in str(exc.value) or "bad.yaml:7" in str(exc.value)
    assert project.codes().empty


def test_autocode_preview_then_write_candidates_then_review(coded):
    preview = coded.autocode_preview(Rule("keyword", "creche"))
    assert len(preview) == 1 and preview.iloc[0]["speaker"] == "Karima"
    assert coded.codings("entretien_karima").empty                   # preview wrote nothing
    result = coded.autocode("Immersion", Rule("keyword", "creche"))
    assert result["written"] == 1
    cands = coded.review_candidates(code="Immersion")
    assert cands.iloc[0]["origin"] == "rule" and "crèche" in cands.iloc[0]["text"]
    assert not cands.iloc[0]["text"].startswith("Karima")            # label not coded
    assert coded.excerpts("Immersion").empty                          # candidates not counted
    coded.accept_codings(cands["id"])
    assert len(coded.excerpts("Immersion")) == 1


def test_autocode_lemma_family_regex_speaker_position(project, tmp_path):
    f = tmp_path / "e.txt"
    f.write_text("ENQ : Vous vouliez vous former ?\nLéa : Oui, j'ai été formée.\n"
                 "ENQ : Et ensuite ?\nLéa : Les formations étaient longues, 300 heures.\n",
                 encoding="utf-8")
    project.import_files([f])
    project.create_code("Formation")
    words = project.autocode_preview(Rule("lemma", "former", span="match"))["text"].tolist()
    assert words == ["formée", "formations"]                 # interviewer turn excluded
    words = project.autocode_preview(Rule("lemma", "former", span="match",
                                          include_interviewer=True))["text"].tolist()
    assert words == ["former", "formée", "formations"]
    assert project.autocode_preview(Rule("regex", r"\d+ heures", span="match"))["text"].tolist() == ["300 heures"]
    assert len(project.autocode_preview(Rule("speaker", "Léa"))) == 2
    assert project.autocode_preview(Rule("position", "2"))["text"].str.contains("formations").all()
    with pytest.raises(ValidationError, match="position 1"):
        project.autocode_preview(Rule("regex", "a(b"))


def test_autocode_bulk_remove_and_undo(coded):
    coded.autocode("Immersion", Rule("speaker", "Karima"))
    cands = coded.review_candidates()
    assert len(cands) == 2
    assert coded.reject_codings(cands["id"]) == 2
    assert coded.review_candidates().empty
    coded.undo()
    assert len(coded.review_candidates()) == 2


def test_agreement_two_coders(coded):
    coded.add_coder("A")
    coded.add_coder("B")
    segs = [s for s in coded.segments("entretien_karima") if s.speaker == "Karima"]
    s0, s1 = segs[0], segs[1]
    coded.apply_code("entretien_karima", "Immersion", s0.start, s0.end, coder="A")
    coded.apply_code("entretien_karima", "Immersion", s0.start, s0.start + 20, coder="B")
    coded.apply_code("entretien_karima", "Freins/Mobilité", s1.start, s1.end, coder="A")
    df = coded.agreement("A", "B").set_index("code")
    # 2 respondent turns; Immersion: both coded turn 0 -> agreement 1
    assert df.loc["Immersion", "agreement"] == 1.0
    assert df.loc["Freins/Mobilité", "agreement"] == 0.5
    assert df.loc["(all codes)", "units"] == 2 * 2          # 2 turns × 2 codes
    chars = coded.agreement("A", "B", unit="character").set_index("code")
    assert chars.loc["Immersion", "coded: B"] == 20


def test_grouped_actions_are_one_undo_step(coded):
    with coded.store.grouped("batch", coded.coder):
        coded.create_code("Nouveau")
        coded.apply_code("entretien_karima", "Nouveau", 0, 10)
        coded.apply_code("entretien_karima", "Immersion", 0, 10)
    assert coded.undo() == "batch"
    assert coded.codings("entretien_karima").empty
    with pytest.raises(NotFoundError):
        coded.code_id("Nouveau")


def test_codebook_export_of_codes_without_definitions(project, tmp_path):
    project.create_code("Sans définition")
    project.create_code("Parent/Enfant", definition="Une définition")
    out = project.export_codebook(tmp_path / "cb.yaml")
    text = out.read_text(encoding="utf-8")
    assert "nan" not in text.lower().replace("définition", "")
    other = Project.create(tmp_path / "o.wbproj")
    other.import_codebook(out)
    assert set(other.codes()["path"]) == {"Sans définition", "Parent", "Parent/Enfant"}
    other.close()


def test_autocode_writes_the_preview_it_is_given(coded):
    rule = Rule("keyword", "crèche")
    preview = coded.autocode_preview(rule)
    result = coded.autocode("Immersion", rule, preview=preview)
    assert result["written"] == 1
    row = coded.review_candidates().iloc[0]
    assert (row["start"], row["end"]) == (preview.iloc[0]["start"], preview.iloc[0]["end"])


def test_codes_for_programme(project):
    for name in ("avenir", "becomino", "mise_en_oeuvre"):
        project.import_codebook(REPO / "codebooks" / f"{name}.yaml")
    mine = project.create_code("Code libre")
    df = project.codes().set_index("id")
    relevant = project.codes_for_programme("avenir")
    books = set(df.loc[sorted(relevant), "codebook"].fillna("(none)"))
    assert books == {"avenir", "mise_en_oeuvre", "(none)"}
    assert mine in relevant
