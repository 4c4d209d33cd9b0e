"""Team work: coder identity, blind copies, merge (idempotent, lossless, conflicts with
a choice), comparison and adjudication.  QualCoder's merge repair history (codings lost
on merge, duplicates when merging twice) is the list of what must never happen here."""
import sqlite3

import pytest

from workbench.domain import CONSENSUS_CODER, ValidationError
from workbench.project import Project
from workbench.team.merge import MergeConflicts

TRANSCRIPT = """Entretien fictif.
ENQ : Comment êtes-vous arrivée ?
Karima : Par ma conseillère. J'ai pris le bus tous les jours.
ENQ : Et ensuite ?
Karima : L'immersion à la crèche. Ça m'a redonné confiance.
ENQ : Et la garde des enfants ?
Karima : Ma mère les gardait. Sinon je n'aurais pas pu.
"""

OTHER = """Entretien fictif numéro deux.
ENQ : Et vous ?
Paul : Moi c'est le permis qui m'a manqué.
ENQ : Pourquoi ?
Paul : Trop cher, et pas d'auto-école près de chez moi.
ENQ : Et la formation ?
Paul : Elle était bien, les formateurs étaient à l'écoute.
"""


@pytest.fixture
def base(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    (tmp_path / "karima.txt").write_text(TRANSCRIPT, encoding="utf-8")
    p = Project.create(tmp_path / "lead.wbproj", coder="Léa")
    p.import_files([tmp_path / "karima.txt"], programme="avenir", actor_type="beneficiary")
    for c in ("Freins/Mobilité", "Freins/Garde d'enfants", "Immersion"):
        p.create_code(c)
    p.add_memo("code", "Immersion", "Stage en entreprise, toute durée.")
    yield p
    p.close()


def turn(p, i, doc="karima"):
    return [s for s in p.segments(doc) if not s.is_interviewer and s.speaker][i]


def code_turn(p, code, i, coder=None, doc="karima"):
    s = turn(p, i, doc)
    return p.apply_code(doc, code, s.start, s.end, coder=coder)


def snapshot(p):
    """Everything a merge could lose or duplicate, comparable across runs."""
    codings = sorted((r["document_id"], r["code_id"], r["start"], r["end"], r["coder"],
                      r["guid"]) for r in p.store.find_codings())
    memos = sorted((m["target_type"], m["target_id"], m["text"]) for m in p.store.memos())
    codes = sorted(p.code_paths().values())
    docs = sorted(p.documents()["name"])
    return codings, memos, codes, docs


# ------------------------------------------------------------------ coder identity

def test_coder_is_asked_never_the_login_silently(base, monkeypatch):
    path = base.path
    base.close()
    monkeypatch.delenv("WORKBENCH_CODER", raising=False)
    p = Project.open(path)
    assert p.needs_coder_name()
    p.set_coder("Camille Roux")
    p.close()
    p = Project.open(path)
    assert not p.needs_coder_name() and p.coder == "Camille Roux"
    p.close()
    with pytest.raises(ValidationError, match="reserved"):
        Project.open(path).set_coder(CONSENSUS_CODER)


def test_rename_coder_keeps_codings_and_undo(base):
    base.add_coder("jdupont")
    code_turn(base, "Immersion", 1, coder="jdupont")
    base.rename_coder("jdupont", "Jeanne Dupont")
    assert set(base.coders()["name"]) >= {"Jeanne Dupont"}
    assert "jdupont" not in set(base.coders()["name"])
    assert base.codings("karima")["coder"].tolist() == ["Jeanne Dupont"]
    with pytest.raises(ValidationError, match="already exists"):
        base.rename_coder("Jeanne Dupont", "Léa")


# ------------------------------------------------------------------ share

def test_blind_share_hides_other_coders_and_knows_its_origin(base, tmp_path):
    base.add_coder("Yanis")
    k = code_turn(base, "Immersion", 1, coder="Yanis")
    base.add_memo("coding", k, "secret de Yanis")
    code_turn(base, "Immersion", 1)                      # Léa's own
    out = tmp_path / "camille.wbproj"
    info = base.share(out, "Camille", blind=True)
    assert info["codings_removed"] == 2 and info["memos_removed"] == 1
    with Project.open(out, coder="Camille") as copy:
        assert copy.store.find_codings() == []
        assert copy.memos("coding").empty
        assert not copy.memos("code").empty              # the codebook's memos travel
        assert copy.shared_from()["for"] == "Camille" and copy.shared_from()["blind"]
        assert copy.shared_from()["project_guid"] == base.store.project_guid()
        assert copy.undo() is None                        # no history to replay
        assert "Camille" in set(copy.coders()["name"])
        assert len(copy.documents()) == 1 and len(copy.codes()) == 4
    raw = out.read_bytes()
    assert "secret de Yanis".encode() not in raw          # vacuumed, not just unlinked
    with pytest.raises(ValidationError, match="already exists"):
        base.share(out, "Camille")


def test_open_share_keeps_codings(base, tmp_path):
    code_turn(base, "Immersion", 1)
    base.share(tmp_path / "copie.wbproj", "Camille")
    with Project.open(tmp_path / "copie.wbproj") as copy:
        assert len(copy.store.find_codings()) == 1


# ------------------------------------------------------------------ merge

@pytest.fixture
def two_copies(base, tmp_path):
    a = tmp_path / "a.wbproj"
    b = tmp_path / "b.wbproj"
    base.share(a, "Camille", blind=True)
    base.share(b, "Yanis", blind=True)
    pa = Project.open(a, coder="Camille")
    pb = Project.open(b, coder="Yanis")
    yield base, pa, pb
    pa.close()
    pb.close()


def test_blind_double_coding_merges_back_losslessly_and_idempotently(two_copies, tmp_path):
    lead, pa, pb = two_copies
    code_turn(pa, "Immersion", 1)
    code_turn(pa, "Freins/Mobilité", 0)
    ka = code_turn(pa, "Freins/Garde d'enfants", 2)
    pa.add_memo("coding", ka, "la mère garde les enfants")
    pa.create_code("Confiance en soi")
    code_turn(pa, "Confiance en soi", 1)
    code_turn(pb, "Immersion", 1)
    code_turn(pb, "Freins/Garde d'enfants", 2)
    pb.add_memo("document", "karima", "entretien court")
    pa.close()
    pb.close()
    r1 = lead.merge(tmp_path / "a.wbproj")
    assert r1.codings_added == 4 and r1.codes_added == ["Confiance en soi"] and r1.memos_added == 1
    r2 = lead.merge(tmp_path / "b.wbproj")
    assert r2.codings_added == 2 and r2.memos_added == 1 and r2.documents_added == []
    assert r2.documents_matched == 1
    after = snapshot(lead)
    coders = {c[4] for c in after[0]}
    assert coders == {"Camille", "Yanis"}
    # the coding memo follows its coding
    memo = lead.memos("coding").iloc[0]
    coding = lead.store.get_coding(int(memo["target_id"]))
    assert coding["coder"] == "Camille" and memo["text"] == "la mère garde les enfants"
    # merging the same files again changes nothing (QualCoder: duplicates when merging twice)
    for f in ("a.wbproj", "b.wbproj"):
        again = lead.merge(tmp_path / f)
        assert not again.changed and again.codings_added == 0
    assert snapshot(lead) == after
    # and the two coders can now be compared
    df = lead.agreement("Camille", "Yanis", resamples=100).set_index("code")
    assert df.loc["Immersion", "agreement"] == 1.0
    # one undoable step: undo takes out the second merge entirely
    assert lead.undo() == "merge"
    assert {c[4] for c in snapshot(lead)[0]} == {"Camille"}


def test_merge_preview_writes_nothing(two_copies, tmp_path):
    lead, pa, pb = two_copies
    code_turn(pa, "Immersion", 1)
    pa.close()
    before = snapshot(lead)
    report = lead.merge(tmp_path / "a.wbproj", preview=True)
    assert report.codings_added == 1 and not report.applied
    assert snapshot(lead) == before
    assert any("codings: 1 added" in line for line in report.summary())


def test_rename_on_one_side_is_a_conflict_with_a_choice(two_copies, tmp_path):
    lead, pa, pb = two_copies
    pa.rename_code("Immersion", "Immersion en entreprise")
    code_turn(pa, "Immersion en entreprise", 1)
    pa.close()
    before = snapshot(lead)
    with pytest.raises(MergeConflicts) as exc:
        lead.merge(tmp_path / "a.wbproj")
    assert "Immersion en entreprise" in str(exc.value)
    assert snapshot(lead) == before                        # nothing written
    conflict = exc.value.report.conflicts[0]
    assert conflict.kind == "code" and conflict.choices == ("ours", "theirs")
    report = lead.merge(tmp_path / "a.wbproj", choices={conflict.id: "ours"})
    assert report.codings_added == 1
    assert "Immersion" in lead.code_paths().values()      # our name kept
    assert lead.codings("karima")["path"].tolist() == ["Immersion"]
    # the choice is remembered: merging again asks nothing and changes nothing
    again = lead.merge(tmp_path / "a.wbproj")
    assert not again.changed and again.conflicts[0].remembered


def test_taking_their_name_renames_and_moves(two_copies, tmp_path):
    lead, pa, pb = two_copies
    pa.move_code("Immersion", "Freins")
    pa.close()
    lead.merge(tmp_path / "a.wbproj", prefer="theirs")
    assert "Freins/Immersion" in lead.code_paths().values()


def test_deleted_on_one_side_is_a_conflict(two_copies, tmp_path):
    lead, pa, pb = two_copies
    ka = code_turn(pa, "Immersion", 1)
    pa.close()
    lead.merge(tmp_path / "a.wbproj")
    # the lead deletes Camille's coding; merging Camille's file again must not silently
    # bring it back (nor silently keep it out)
    guid = lead.store.find_codings()[0]["guid"]
    lead.remove_coding(lead.store.find_codings()[0]["id"])
    with pytest.raises(MergeConflicts) as exc:
        lead.merge(tmp_path / "a.wbproj")
    c = exc.value.report.conflicts[0]
    assert c.id == f"coding:{guid.lower()}" and c.kind == "coding"
    assert lead.merge(tmp_path / "a.wbproj", choices={c.id: "ours"}).codings_restored == 0
    assert lead.store.find_codings() == []
    # Camille deletes it on her side: merging her file offers to delete it here too
    lead2 = Project.open(tmp_path / "b.wbproj", coder="Yanis")
    lead2.merge(tmp_path / "a.wbproj")
    assert len(lead2.store.find_codings()) == 1
    pa = Project.open(tmp_path / "a.wbproj", coder="Camille")
    pa.remove_coding(ka)
    pa.close()
    with pytest.raises(MergeConflicts, match="deleted in theirs"):
        lead2.merge(tmp_path / "a.wbproj")
    assert lead2.merge(tmp_path / "a.wbproj", prefer="theirs").codings_removed == 1
    assert lead2.store.find_codings() == []
    lead2.close()


def test_document_edited_on_one_side(base, tmp_path):
    out = tmp_path / "a.wbproj"
    base.share(out, "Camille", blind=True)
    # the lead corrects a typo in its copy of the transcript
    doc_id = base.document_id("karima")
    text = base.text("karima").replace("Entretien fictif.", "Entretien fictif (corrigé).")
    from workbench.identity import text_hash
    with base.store.transaction() as c:
        c.execute("UPDATE documents SET text = ?, text_hash = ? WHERE id = ?",
                  [text, text_hash(text), doc_id])
    pa = Project.open(out, coder="Camille")
    s = turn(pa, 1)
    pa.apply_code("karima", "Immersion", s.start, s.end)
    coded = pa.text("karima")[s.start:s.end]
    pa.close()
    with pytest.raises(MergeConflicts, match="text differs"):
        base.merge(out)
    report = base.merge(out, prefer="ours")
    assert report.codings_added == 1 and report.codings_remapped == 1
    k = base.store.find_codings()[0]
    assert base.text("karima")[k["start"]:k["end"]] == coded


def test_new_document_and_memos_come_across(two_copies, tmp_path):
    lead, pa, pb = two_copies
    (tmp_path / "paul.txt").write_text(OTHER, encoding="utf-8")
    pa.import_files([tmp_path / "paul.txt"], programme="avenir", actor_type="beneficiary")
    s = turn(pa, 0, "paul")
    k = pa.apply_code("paul", "Freins/Mobilité", s.start, s.end)
    pa.add_memo("coding", k, "permis")
    pa.add_memo("project", None, "mémo de projet")
    pa_text, pa_segments = pa.text("paul"), len(pa.segments("paul"))
    pa.close()
    report = lead.merge(tmp_path / "a.wbproj")
    assert report.documents_added == ["paul"] and report.codings_added == 1
    assert report.memos_added == 2
    assert lead.text("paul") == pa_text
    assert len(lead.segments("paul")) == pa_segments
    assert lead.search("permis")["document"].tolist() == ["paul"]
    before = snapshot(lead)
    assert not lead.merge(tmp_path / "a.wbproj").changed
    assert snapshot(lead) == before


def test_memo_edited_on_both_sides(base, tmp_path):
    out = tmp_path / "a.wbproj"
    base.share(out, "Camille")
    memo_id = int(base.memos("code").iloc[0]["id"])
    base.update_memo(memo_id, text="Stage en entreprise, au moins une semaine.")
    pa = Project.open(out, coder="Camille")
    pa.update_memo(int(pa.memos("code").iloc[0]["id"]), text="Stage, y compris PMSMP.")
    pa.close()
    with pytest.raises(MergeConflicts, match="memo differs"):
        base.merge(out)
    base.merge(out, prefer="both")
    assert sorted(base.memos("code")["text"]) == ["Stage en entreprise, au moins une semaine.",
                                                   "Stage, y compris PMSMP."]


def test_merge_from_qdpx_matches_by_identity(two_copies, tmp_path):
    lead, pa, pb = two_copies
    code_turn(pa, "Immersion", 1)
    code_turn(pa, "Freins/Mobilité", 0)
    qdpx = tmp_path / "camille.qdpx"
    pa.export_qdpx(qdpx)
    pa.close()
    report = lead.merge(qdpx)
    assert report.documents_added == [] and report.documents_matched == 1
    assert report.codes_added == [] and report.codings_added == 2
    assert not [d for d in lead.documents()["name"] if "(2)" in d]
    before = snapshot(lead)
    assert not lead.merge(qdpx).changed
    assert lead.merge(tmp_path / "a.wbproj").codings_added == 0     # same codings, by GUID
    assert snapshot(lead) == before


def test_merge_rejects_a_bad_file_and_changes_nothing(base, tmp_path):
    bad = tmp_path / "bad.wbproj"
    bad.write_text("not a project", encoding="utf-8")
    before = snapshot(base)
    with pytest.raises(ValidationError, match="bad.wbproj"):
        base.merge(bad)
    with pytest.raises(ValidationError, match="no such file"):
        base.merge(tmp_path / "missing.wbproj")
    assert snapshot(base) == before


def test_colleagues_file_is_not_modified_by_a_merge(two_copies, tmp_path):
    lead, pa, pb = two_copies
    code_turn(pa, "Immersion", 1)
    pa.close()
    before = (tmp_path / "a.wbproj").read_bytes()
    lead.merge(tmp_path / "a.wbproj")
    assert (tmp_path / "a.wbproj").read_bytes() == before


# ------------------------------------------------------------------ adjudication

def test_comparison_and_adjudication(base):
    for n in ("A", "B"):
        base.add_coder(n)
    code_turn(base, "Immersion", 1, coder="A")
    code_turn(base, "Immersion", 1, coder="B")           # agree
    code_turn(base, "Freins/Mobilité", 0, coder="A")     # A only
    s = turn(base, 2)
    base.apply_code("karima", "Freins/Garde d'enfants", s.start, s.end, coder="A")
    base.apply_code("karima", "Freins/Garde d'enfants", s.start, s.start + 20, coder="B")
    cmp = base.comparison("karima", "A", "B")
    assert cmp["status"].tolist() == ["a_only", "agree", "differ"]
    assert base.accept_agreements("karima", "A", "B") == 1
    mob = cmp.iloc[0]
    base.adjudicate("karima", "Freins/Mobilité", int(mob["start"]), int(mob["end"]), "neither",
                    "A", "B", memo="pas de frein de mobilité ici")
    garde = cmp.iloc[2]
    ids = base.adjudicate("karima", "Freins/Garde d'enfants", int(garde["start"]),
                          int(garde["end"]), "b", "A", "B", memo="seulement la mère")
    consensus = base.store.find_codings(coder_id=base.store.coder_id(CONSENSUS_CODER))
    assert sorted((k["start"], k["end"]) for k in consensus) == sorted(
        [(turn(base, 1).start, turn(base, 1).end), (s.start, s.start + 20)])
    adj = base.adjudications("karima")
    assert set(adj["decision"]) == {"both", "neither", "b"} and set(adj["decided_by"]) == {"Léa"}
    assert base.memos("coding", None)["text"].tolist().count("seulement la mère") == 1
    assert base.comparison("karima", "A", "B")["decision"].tolist() == ["neither", "both", "b"]
    # deciding again replaces, never duplicates
    base.adjudicate("karima", "Freins/Garde d'enfants", int(garde["start"]), int(garde["end"]),
                    "a", "A", "B")
    consensus = base.store.find_codings(coder_id=base.store.coder_id(CONSENSUS_CODER))
    assert len(ids) == 1 and len(consensus) == 2
    assert (s.start, s.end) in {(k["start"], k["end"]) for k in consensus}
    assert (s.start, s.start + 20) not in {(k["start"], k["end"]) for k in consensus}
    # one undoable step each
    assert base.undo() == "adjudicate"
    consensus = base.store.find_codings(coder_id=base.store.coder_id(CONSENSUS_CODER))
    assert (s.start, s.start + 20) in {(k["start"], k["end"]) for k in consensus}
    with pytest.raises(ValidationError, match="decision"):
        base.adjudicate("karima", "Immersion", 0, 1, "maybe", "A", "B")


def test_database_file_stays_consistent(base):
    con = sqlite3.connect(base.path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        con.close()


def test_independent_projects_match_by_text_and_path(tmp_path, monkeypatch):
    """Two projects made separately (no GUID in common) from the same transcript: the
    document is recognised by its text, codes by their path, a coding by its content —
    no "(2)" document, no duplicated code or coding."""
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "home"))
    (tmp_path / "karima.txt").write_text(TRANSCRIPT, encoding="utf-8")
    (tmp_path / "karima_crlf.txt").write_bytes(TRANSCRIPT.replace("\n", "\r\n").encode("utf-8"))
    projects = []
    for name, src in (("un", "karima.txt"), ("deux", "karima_crlf.txt")):
        p = Project.create(tmp_path / f"{name}.wbproj", coder="Camille")
        p.import_files([tmp_path / src], name="karima")
        p.create_code("Freins/Mobilité")
        code_turn(p, "Freins/Mobilité", 0)
        projects.append(p)
    one, two = projects
    assert one.document("karima").guid != two.document("karima").guid
    code_turn(two, "Freins/Mobilité", 1)
    two.close()
    report = one.merge(tmp_path / "deux.wbproj")
    assert report.documents_matched == 1 and report.documents_added == []
    assert report.codes_added == [] and report.codings_added == 1
    assert report.codings_already_here == 1
    assert list(one.documents()["name"]) == ["karima"]
    assert len(one.store.find_codings()) == 2
    one.close()


def test_merge_conflicts_are_said_in_french_typography(two_copies, tmp_path):
    """The merge that stops on a conflict, in French: every colon after its no-break
    space (the conflict's id line too), no English word of the template."""
    import re

    from workbench import i18n
    lead, pa, pb = two_copies
    pa.rename_code("Immersion", "Immersion en entreprise")
    code_turn(pa, "Immersion en entreprise", 1)
    pa.close()
    with i18n.using_language("fr"), pytest.raises(MergeConflicts) as exc:
        lead.merge(tmp_path / "a.wbproj")
    message = str(exc.value)
    assert "1 conflit demande un choix" in message and "chez nous" in message
    assert re.findall(r"[^\u00a0]:\s", message) == [], message
    assert "choix\u00a0: ours, theirs" in message     # the values --resolve takes, as typed
