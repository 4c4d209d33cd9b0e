"""Stable identity: GUIDs on documents, codes, codings and memos; the text hash of
documents; rows made before the identity migration; lookups in any letter case."""
import hashlib
import shutil
import sqlite3
import unicodedata
import uuid

import pytest
import sqlite_utils

from workbench.identity import WORKBENCH_NS, keep_guid, normalised_text, text_hash
from workbench.project import Project
from workbench.store.schema import migrations


def test_text_hash_ignores_line_ends_bom_trailing_spaces_and_composition():
    base = "ENQ : Et la crèche ?\nLéa : Elle était pleine."
    variants = [
        "\ufeff" + base,
        base.replace("\n", "\r\n"),
        base.replace("\n", "\r"),
        base.replace(" ?\n", " ?   \n") + " \t\n\n",
        "\n\n" + base,
        unicodedata.normalize("NFD", base),
    ]
    assert {text_hash(v) for v in variants} == {text_hash(base)}
    # worked by hand: the hash is SHA-256 of the UTF-8 bytes of the normalised text
    assert text_hash(base) == hashlib.sha256(base.encode("utf-8")).hexdigest()
    assert normalised_text("a \nb\r\n\r\n") == "a\nb"
    # a different word, a different hash; inner spaces count
    assert text_hash(base.replace("pleine", "vide")) != text_hash(base)
    assert text_hash(base.replace("la crèche", "la  crèche")) != text_hash(base)


def test_keep_guid_keeps_case_and_drops_braces():
    assert keep_guid("{5067D381-1DC9-4816-81DD-AE1DBFEA2AD7}") == "5067D381-1DC9-4816-81DD-AE1DBFEA2AD7"
    assert keep_guid("not a guid") is None


def _guid_ok(g):
    return g is not None and uuid.UUID(g)


def test_every_new_row_has_a_guid_and_documents_a_text_hash(project, interview_txt):
    p = project
    p.import_files([interview_txt])
    cid = p.create_code("Parcours")
    text = p.text("entretien_karima")
    s = text.index("ma conseillère")
    kid = p.apply_code("entretien_karima", "Parcours", s, s + 14)
    kid = kid[0] if isinstance(kid, list) else kid
    mid = p.add_memo("code", "Parcours", "Un mémo")
    doc = p.document("entretien_karima")
    assert _guid_ok(doc.guid)
    assert doc.text_hash == text_hash(text)
    for kind, ref in (("code", cid), ("coding", kid), ("memo", mid)):
        assert _guid_ok(p.guid(kind, ref))
    guids = [doc.guid, p.guid("code", cid), p.guid("coding", kid), p.guid("memo", mid)]
    assert len(set(guids)) == 4


def test_rows_inserted_without_a_guid_get_one_from_the_store(project):
    # whatever code inserts a row (a later feature, a raw store call), it gets a GUID
    st = project.store
    doc = st.insert_document({"name": "brut", "text": "Bonjour.", "imported_at": "2024-01-01"},
                             [dict(position=0, kind="paragraph", start=0, end=8)])
    with st.transaction() as c:
        code = c.execute("INSERT INTO codes(name, created_at) VALUES ('X', '2024')").lastrowid
        coder = st.ensure_coder("a")
        coding = c.execute("INSERT INTO codings(document_id, code_id, start, end, coder_id, "
                           "created_at) VALUES (?, ?, 0, 3, ?, '2024')", [doc, code, coder]).lastrowid
        memo = c.execute("INSERT INTO memos(target_type, text, created_at, updated_at) "
                         "VALUES ('project', 'm', '2024', '2024')").lastrowid
    for kind, row in (("document", doc), ("code", code), ("coding", coding), ("memo", memo)):
        g = st.guid_of(kind, row)
        assert _guid_ok(g) and uuid.UUID(g).version == 4


def test_guid_lookup_in_any_case_and_text_lookup(project, interview_txt):
    p = project
    p.import_files([interview_txt])
    doc = p.document("entretien_karima")
    assert p.find_guid("document", doc.guid.upper()) == doc.id
    assert p.find_guid("document", "{" + doc.guid + "}") == doc.id
    assert p.find_guid("document", str(uuid.uuid4())) is None
    assert p.find_guid("memo", "nonsense") is None
    crlf = p.text(doc.id).replace("\n", "\r\n")
    assert p.documents_with_text(crlf) == [doc.id]
    assert p.documents_with_text(doc.text_hash) == [doc.id]
    assert p.documents_with_text("autre chose") == []


def test_guids_are_unique_whatever_their_case(project):
    p = project
    cid = p.create_code("A")
    g = p.guid("code", cid)
    with pytest.raises(sqlite3.IntegrityError):
        with p.store.transaction() as c:
            c.execute("INSERT INTO codes(name, guid, created_at) VALUES ('B', ?, '2024')",
                      [g.upper()])


def _old_project(path):
    """A project as Workbench left it before the identity migration (schema 0006)."""
    con = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(con)
    migrations.apply(db, stop_before="0020_identity")
    con.executescript("""
        INSERT INTO meta(key, value) VALUES ('name', 'eval'), ('created_at', '2024-05-01T10:00:00');
        INSERT INTO coders(id, name, created_at) VALUES (1, 'alice', '2024');
        INSERT INTO documents(id, name, text, imported_at) VALUES
            (1, 'a', 'ENQ : Bonjour ?' || char(10) || 'Léa : Oui.', '2024'),
            (2, 'b', 'Autre texte.', '2024');
        INSERT INTO codes(id, parent_id, name, guid, created_at) VALUES
            (1, NULL, 'Parcours', NULL, '2024'),
            (2, 1, 'Entrée', NULL, '2024'),
            (3, NULL, 'Gardé', 'AAAAAAAA-1111-4111-8111-111111111111', '2024');
        INSERT INTO codings(id, document_id, code_id, start, end, coder_id, guid, created_at)
            VALUES (1, 1, 2, 0, 5, 1, NULL, '2024'),
                   (2, 2, 3, 0, 5, 1, 'bbbbbbbb-2222-4222-8222-222222222222', '2024');
        INSERT INTO memos(id, target_type, target_id, text, created_at, updated_at) VALUES
            (1, 'project', NULL, 'm1', '2024', '2024'), (2, 'document', '2', 'm2', '2024', '2024');
        INSERT INTO exchange_guids(kind, local_id, guid) VALUES
            ('document', '2', 'CCCCCCCC-3333-4333-8333-333333333333'),
            ('memo', '2', 'dddddddd-4444-4444-8444-444444444444');
    """)
    con.close()


def test_rows_made_before_the_migration_get_the_guids_earlier_exports_wrote(tmp_path):
    path = tmp_path / "old.wbproj"
    _old_project(path)
    copy = tmp_path / "copie.wbproj"
    shutil.copy(path, copy)

    def derived(kind, local):      # the formula of earlier exports, worked out by hand
        return str(uuid.uuid5(WORKBENCH_NS, f"2024-05-01T10:00:00/eval/{kind}/{local}"))

    with Project.open(path) as p:
        assert "0020_identity" in p.store.migrations_applied
        st = p.store
        assert st.guid_of("document", 1) == derived("document", 1)
        assert st.guid_of("document", 2) == "CCCCCCCC-3333-4333-8333-333333333333"  # case kept
        assert st.guid_of("memo", 1) == derived("memo", 1)
        assert st.guid_of("memo", 2) == "dddddddd-4444-4444-8444-444444444444"
        assert st.guid_of("coding", 1) == derived("coding", 1)
        assert st.guid_of("coding", 2) == "bbbbbbbb-2222-4222-8222-222222222222"
        assert st.guid_of("code", 1) == str(uuid.uuid5(WORKBENCH_NS, "projet/Parcours"))
        assert st.guid_of("code", 2) == str(uuid.uuid5(WORKBENCH_NS, "projet/Parcours/Entrée"))
        assert st.guid_of("code", 3) == "AAAAAAAA-1111-4111-8111-111111111111"
        assert p.document("a").text_hash == text_hash("ENQ : Bonjour ?\nLéa : Oui.")
        assert p.find_guid("document", "cccccccc-3333-4333-8333-333333333333") == 2
        first = {k: st.guids(k) for k in ("document", "code", "coding", "memo")}
    with Project.open(copy) as q:       # a copy upgraded on its own agrees
        assert {k: q.store.guids(k) for k in ("document", "code", "coding", "memo")} == first


def test_export_and_import_never_regenerate_guids(project, interview_txt, tmp_path):
    p = project
    p.import_files([interview_txt])
    p.create_code("Parcours")
    text = p.text("entretien_karima")
    s = text.index("ma conseillère")
    p.apply_code("entretien_karima", "Parcours", s, s + 14)
    p.add_memo("document", "entretien_karima", "Sur l'entretien")
    before = {k: set(p.store.guids(k).values()) for k in ("document", "code", "coding", "memo")}
    out = tmp_path / "p.qdpx"
    p.export_qdpx(out)
    p.export_qdpx(tmp_path / "again.qdpx")
    assert {k: set(p.store.guids(k).values()) for k in before} == before
    with Project.create(tmp_path / "b.wbproj", coder="autre") as b:
        b.import_qdpx(out)
        assert {k: set(b.store.guids(k).values()) for k in before} == before
        assert b.document("entretien_karima").text_hash == p.document("entretien_karima").text_hash
