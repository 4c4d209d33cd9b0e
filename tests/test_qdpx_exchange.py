"""REFI-QDA exchange without silent loss: a whole project round trip checked field by
field, re-imports that match instead of copying, participants' values never silently
overwritten, and what the file holds that Workbench cannot keep named in a warning."""
import json
import zipfile

import pytest
from lxml import etree

from workbench.export.qdpx import validate_qdpx
from workbench.export.qdpx.common import stamp
from workbench.project import Project

TIMED = """Entretien opérateur — fictif.
[00:00:05] ENQ : Comment orientez-vous les personnes ?
[00:00:12] Claire : Via le CEP, surtout.
[00:01:02] ENQ : Et ensuite ?
[00:01:09] Claire : On les suit trois mois.
"""


@pytest.fixture
def rich(project, interview_txt, participants_csv, tmp_path):
    """A project with every kind of thing that travels: participants with attributes of
    every type, a description and a code link; two documents (one with timed turns);
    a code tree with a category that is not codable; codings by two coders; memos on
    the project, a code, a document, a coding, a participant and a turn; a group."""
    p = project
    p.import_participants(participants_csv)
    p.import_files([interview_txt], programme="avenir", actor_type="beneficiary",
                   interview_date="2022-05-02", interviewer="Inès", site="Caen",
                   speakers={"Karima": "P001"})
    timed = tmp_path / "operateur_claire.txt"
    timed.write_text(TIMED, encoding="utf-8")
    manifest = tmp_path / "manifest.csv"          # typed document fields: vague, structure
    manifest.write_text("file,programme,actor_type,vague,structure,date_visite\n"
                        "operateur_claire.txt,avenir,operator,2,Mission locale,2022-06-01\n",
                        encoding="utf-8")
    p.import_files(manifest=manifest)
    p.create_code("Parcours", colour="#112233", definition="Le parcours.", codable=False)
    p.create_code("Parcours/Entrée ∕ orientation", example="« ma conseillère »",
                  short="entrée", when_to_use="À l'entrée", when_not_to_use="Après")
    p.create_code("Immersion", colour="#AA0000")
    text = p.text("entretien_karima")
    s = text.index("ma conseillère")
    p.apply_code("entretien_karima", "Parcours/Entrée ∕ orientation", s, s + 30)
    s2 = text.index("l'immersion, c'était")
    kid = p.apply_code("entretien_karima", "Immersion", s2, s2 + 60)
    p.add_coder("bruno")
    p.apply_code("entretien_karima", "Immersion", s2, s2 + 40, coder="bruno")
    t2 = p.text("operateur_claire")
    s3 = t2.index("Via le CEP")
    p.apply_code("operateur_claire", "Parcours/Entrée ∕ orientation", s3, s3 + 10, coder="bruno")
    p.add_memo("project", None, "Mémo de projet", title="Projet")
    p.add_memo("code", "Immersion", "Mémo sur l'immersion")
    p.add_memo("document", "entretien_karima", "Entretien riche")
    p.add_memo("coding", kid, "Pourquoi ce codage")
    p.add_memo("participant", "P001", "Profil de P001")
    seg = p.segments("operateur_claire")[2]
    p.add_memo("segment", seg.id, "Tour remarquable")
    p.describe_participant("P001", "Mère de deux enfants, entrée en 2022.")
    p.link_participant_code("P001", "Immersion")
    g = p.create_group("Entretiens de l'Orne", description="Vague 1")
    p.add_to_group(g, documents=["entretien_karima"], codes=["Immersion"])
    return p


def _qde(path):
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read("project.qde"))


def _elements(root, tag, attrs):
    return sorted(tuple(el.get(a) for a in attrs) for el in root.iter("{*}" + tag))


def _snapshot(p):
    """Everything that must survive a round trip, keyed by GUIDs (not local ids)."""
    st = p.store
    docs = {d.guid: d for d in (p.document(r) for r in p.documents()["id"])}
    doc_guid = {d.id: g for g, d in docs.items()}
    code_guid = st.guids("code")
    paths = p.code_paths()
    out = {}
    out["documents"] = {g: (d.name, p.text(d.id), d.text_hash, d.programme, d.actor_type,
                            d.interview_date, d.interviewer, d.site, d.language)
                        for g, d in docs.items()}
    out["segments"] = {doc_guid[s["document_id"]]: [] for s in st.export_segments()}
    for s in st.export_segments():
        row = {k: v for k, v in s.items() if k != "document_id"}
        out["segments"][doc_guid[s["document_id"]]].append(row)
    out["codes"] = {code_guid[c["id"]]: (paths[c["id"]], c["colour"], c["short"], c["definition"],
                                         c["when_to_use"], c["when_not_to_use"], c["example"],
                                         c["codable"])
                    for c in st.codes()}
    out["codings"] = {k["guid"]: (doc_guid[k["document_id"]], code_guid[k["code_id"]], k["coder"],
                                  k["start"], k["end"], k["origin"], stamp(k["created_at"]))
                      for k in st.find_codings()}
    memo_target = {}
    for m in st.memos():
        t, i = m["target_type"], m["target_id"]
        if t == "document":
            i = doc_guid[int(i)]
        elif t == "code":
            i = code_guid[int(i)]
        elif t == "coding":
            i = st.guid_of("coding", int(i))
        elif t == "segment":
            seg = st.get_segment(int(i))
            i = (doc_guid[seg.document_id], seg.position)
        memo_target[m["guid"]] = (t, i, m["title"], m["text"], m["coder"], stamp(m["created_at"]))
    out["memos"] = memo_target
    out["document_fields"] = {a.name: (a.type, a.levels) for a in st.field_defs("document")}
    out["document_values"] = {(doc_guid[r["owner"]], r["field"]): (r["value"], r["num"])
                               for r in st.field_value_rows("document")}
    out["coders"] = sorted(set(p.coders()["name"]) - {p.coder} | (
        {p.coder} if p.coder in {c for c in p.codings()["coder"]} else set()))
    attrs = {a.name: (a.type, a.levels) for a in st.attributes()}
    out["attributes"] = attrs
    vals = {}
    for v in st.participant_values():
        typed = attrs[v["attribute"]][0] != "nominal"
        vals[(v["participant_id"], v["attribute"])] = v["num"] if typed else v["value"]
    out["values"] = vals
    out["descriptions"] = {pid: st.participant_description(pid) for pid in st.participant_ids()}
    out["case_codes"] = {pid: sorted(code_guid[c] for c in p.participant_codes(pid))
                         for pid in st.participant_ids()}
    out["links"] = sorted((pid, doc_guid[d], sp) for pid, d, sp in (
        (r["participant_id"], r["document_id"], r["speaker"]) for r in st.participant_documents()))
    out["groups"] = {}
    for grp in st.list_groups():
        members = st.group_members(grp["id"])
        out["groups"][grp["guid"]] = (grp["name"], grp["description"],
                                      sorted(doc_guid[i] for i in members["document"]),
                                      sorted(code_guid[i] for i in members["code"]),
                                      sorted(st.guid_of("memo", i) for i in members["memo"]))
    return out


def test_round_trip_is_lossless_field_by_field(rich, tmp_path):
    a = tmp_path / "a.qdpx"
    summary = rich.export_qdpx(a)
    assert validate_qdpx(a) == []
    assert summary["warnings"] == []
    before = _snapshot(rich)
    # hand-checked expectations on the source project
    assert before["coders"] == ["bruno", "testeur"]
    assert len(before["codings"]) == 4 and len(before["memos"]) == 6
    assert before["attributes"]["age"] == ("numeric", ())
    assert before["document_fields"] == {"vague": ("numeric", ()), "structure": ("nominal", ()),
                                         "date_visite": ("date", ())}
    with Project.create(tmp_path / "b.wbproj", coder="autre") as b:
        report = b.import_qdpx(a)
        assert report["conflicts"] == []
        assert report["documents"] == 2 and report["codings"] == 4 and report["memos"] == 6
        after = _snapshot(b)
        for field in before:                       # one assertion per field, named
            assert after[field] == before[field], field
        assert "autre" not in set(b.coders()["name"])   # the local login is no extra user
        b2 = tmp_path / "b.qdpx"
        b.export_qdpx(b2)
        assert validate_qdpx(b2) == []
    ra, rb = _qde(a), _qde(b2)
    for tag, attrs in (
            ("User", ("guid", "name")),
            ("Code", ("guid", "name", "isCodable", "color")),
            ("Variable", ("guid", "name", "typeOfVariable")),
            ("VariableValue", ()),
            ("Case", ("guid", "name")),
            ("TextSource", ("guid", "name", "creationDateTime")),
            ("PlainTextSelection", ("guid", "startPosition", "endPosition", "creatingUser",
                                    "creationDateTime")),
            ("Coding", ("guid", "creatingUser", "creationDateTime")),
            ("Note", ("guid", "name", "creatingUser", "creationDateTime")),
            ("Set", ("guid", "name"))):
        assert _elements(rb, tag, attrs) == _elements(ra, tag, attrs), tag
    assert _elements(ra, "Variable", ("name", "typeOfVariable")) == sorted([
        ("age", "Integer"), ("canal_entree", "Text"), ("date_entree", "Date"),
        ("emploi_6m", "Boolean"), ("heures_formation", "Float"),
        ("niveau_qualification", "Text"), ("programme", "Text"),
        ("date_visite", "Date"), ("structure", "Text"), ("vague", "Integer")])
    assert _elements(ra, "Code", ("name", "isCodable"))[-1] == ("Parcours", "false")
    claire = next(el for el in ra.iter("{*}TextSource") if el.get("name") == "operateur_claire")
    assert sorted(etree.QName(v).localname + "=" + v.text for vv in claire.iter("{*}VariableValue")
                  for v in vv if etree.QName(v).localname != "VariableRef") == [
        "DateValue=2022-06-01", "IntegerValue=2", "TextValue=Mission locale"]
    with Project.create(tmp_path / "c.wbproj", coder="x") as c:   # a third generation
        c.import_qdpx(b2)
        assert _snapshot(c) == before


def test_turns_travel_in_the_sidecar_with_every_segment_field(rich, tmp_path):
    out = tmp_path / "a.qdpx"
    rich.export_qdpx(out)
    guid = rich.document("operateur_claire").guid
    side = json.loads(zipfile.ZipFile(out).read(f"Workbench/{guid}.json"))
    segs = rich.store.export_segments(rich.document_id("operateur_claire"))
    assert [s["start"] for s in side["segments"]] == [s["start"] for s in segs]
    assert set(side["segments"][1]) == set(segs[1]) - {"document_id"}
    assert side["segments"][1]["timestamp"] == 5.0          # [00:00:05]
    first, turn = side["segments"][0], side["segments"][1]
    assert first["front_matter"] == 1                        # the interview header
    text = rich.text("operateur_claire")
    assert text[turn["body_start"]:turn["end"]].startswith("Comment orientez-vous")


def test_reimporting_the_same_file_changes_nothing(rich, tmp_path):
    out = tmp_path / "a.qdpx"
    rich.export_qdpx(out)
    before = _snapshot(rich)
    info = rich.info()
    report = rich.import_qdpx(out)                 # into the project it came from
    assert sum(report["new"].values()) == 0, report["new"]
    assert report["conflicts"] == []
    assert report["matched"]["documents"] == 2 and report["matched"]["codings"] == 4
    assert report["matched"]["memos"] == 6 and report["matched"]["codes"] == 3
    assert _snapshot(rich) == before and rich.info() == info
    with Project.create(tmp_path / "b.wbproj", coder="autre") as b:
        b.import_qdpx(out)
        snap = _snapshot(b)
        again = b.import_qdpx(out)                 # twice into another project
        assert sum(again["new"].values()) == 0 and again["conflicts"] == []
        assert _snapshot(b) == snap
        assert sorted(b.documents()["name"]) == ["entretien_karima", "operateur_claire"]


def test_dry_run_reports_and_writes_nothing(rich, tmp_path):
    out = tmp_path / "a.qdpx"
    rich.export_qdpx(out)
    with Project.create(tmp_path / "b.wbproj", coder="autre") as b:
        info = b.info()
        report = b.import_qdpx(out, dry_run=True)
        assert report["dry_run"] and report["documents"] == 2 and report["codings"] == 4
        assert b.info() == info


def test_a_transcript_already_in_the_project_is_linked_not_copied(rich, tmp_path):
    out = tmp_path / "a.qdpx"
    rich.export_qdpx(out)
    # another project imported the same interview from its own file (CRLF, BOM,
    # trailing spaces): other GUID, same text hash
    from tests.conftest import INTERVIEW_TXT
    variant = tmp_path / "karima_copie.txt"
    variant.write_bytes(("\ufeff" + INTERVIEW_TXT.replace("\n", "  \r\n")).encode("utf-8"))
    with Project.create(tmp_path / "b.wbproj", coder="autre") as b:
        b.import_files([variant])
        own = b.document("karima_copie")
        report = b.import_qdpx(out)
        assert report["matched"]["documents"] == 1 and report["documents"] == 1
        assert "karima_copie (2)" not in set(b.documents()["name"])
        assert any("karima_copie" in w and "same text" in w for w in report["warnings"])
        assert b.document("karima_copie").guid == own.guid          # never regenerated
        text = b.text("karima_copie")
        coded = sorted(text[k.start:k.end] for k in b.codings("karima_copie").itertuples())
        src = rich.text("entretien_karima")
        expected = sorted(src[k.start:k.end] for k in rich.codings("entretien_karima").itertuples())
        assert coded == expected


# ----------------------------------------------------------------- hand-built files
_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
G = "{:08x}-0000-4000-8000-{:012x}".format


def _file(tmp_path, body, files=None, name="f.qdpx", ns="urn:QDA-XML:project:1.0", extra=""):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.qde", f'{_HEAD}<Project xmlns="{ns}" name="x" origin="Test 1.0"'
                                   f'{extra}>{body}</Project>')
        for k, v in (files or {}).items():
            zf.writestr(k, v)
    return path


_VARS = (
    '<Variables>'
    f'<Variable guid="{G(1, 1)}" name="age" typeOfVariable="Integer"/>'
    f'<Variable guid="{G(1, 2)}" name="heures" typeOfVariable="Float"/>'
    f'<Variable guid="{G(1, 3)}" name="emploi" typeOfVariable="Boolean"/>'
    f'<Variable guid="{G(1, 4)}" name="entree" typeOfVariable="Date"/>'
    f'<Variable guid="{G(1, 5)}" name="rdv" typeOfVariable="DateTime"/>'
    f'<Variable guid="{G(1, 6)}" name="canal" typeOfVariable="Text"/>'
    '</Variables>')


def _case(pid, n, **values):
    tags = {"age": "IntegerValue", "heures": "FloatValue", "emploi": "BooleanValue",
            "entree": "DateValue", "rdv": "DateTimeValue", "canal": "TextValue"}
    guids = {"age": 1, "heures": 2, "emploi": 3, "entree": 4, "rdv": 5, "canal": 6}
    vv = "".join(f'<VariableValue><VariableRef targetGUID="{G(1, guids[k])}"/>'
                 f'<{tags[k]}>{v}</{tags[k]}></VariableValue>' for k, v in values.items())
    return f'<Case guid="{G(2, n)}" name="{pid}">{vv}</Case>'


def test_variables_of_every_type_keep_their_type_both_ways(project, tmp_path):
    path = _file(tmp_path, _VARS + "<Cases>" + _case(
        "P0001", 1, age="34", heures="12.5", emploi="true", entree="2022-01-10",
        rdv="2021-02-12T08:46:00", canal="CEP") + "</Cases>")
    report = project.import_qdpx(path)
    assert report["participants"] == 1 and report["conflicts"] == []
    types = {a.name: a.type for a in project.store.attributes()}
    assert types == {"age": "numeric", "heures": "numeric", "emploi": "boolean",
                     "entree": "date", "rdv": "date", "canal": "nominal"}
    row = project.participants(["P0001"]).iloc[0]
    assert row["age"] == 34 and row["heures"] == 12.5 and bool(row["emploi"]) is True
    assert str(row["entree"].date()) == "2022-01-10" and row["canal"] == "CEP"
    assert str(row["rdv"]) == "2021-02-12 08:46:00"
    out = tmp_path / "back.qdpx"
    project.export_qdpx(out)
    assert validate_qdpx(out) == []
    root = _qde(out)
    assert dict(_elements(root, "Variable", ("name", "typeOfVariable"))) == {
        "age": "Integer", "heures": "Float", "emploi": "Boolean", "entree": "Date",
        "rdv": "DateTime", "canal": "Text"}
    values = {(etree.QName(v).localname, v.text) for vv in root.iter("{*}VariableValue")
              for v in vv if etree.QName(v).localname != "VariableRef"}
    assert values == {("IntegerValue", "34"), ("FloatValue", "12.5"), ("BooleanValue", "true"),
                      ("DateValue", "2022-01-10"), ("DateTimeValue", "2021-02-12T08:46:00"),
                      ("TextValue", "CEP")}
    assert {g for (g,) in _elements(root, "Variable", ("guid",))} == {G(1, i) for i in range(1, 7)}


def test_existing_participant_values_are_kept_and_conflicts_reported(project, tmp_path):
    # issue #16: a .qdpx import overwrote P0001's age 34 with 999 and wrote text into a
    # numeric attribute, silently
    base = _file(tmp_path, _VARS + "<Cases>" + _case("P0001", 1, age="34", heures="12.5")
                 + "</Cases>", name="base.qdpx")
    project.import_qdpx(base)
    hostile = _file(tmp_path, _VARS + "<Cases>" + _case(
        "P0001", 1, age="999", canal="CEP") + _case("P0002", 2, age="41")
        + "</Cases>", name="hostile.qdpx")
    # a text value in the numeric attribute "heures"
    text = hostile.read_bytes()
    with zipfile.ZipFile(hostile) as zf:
        qde = zf.read("project.qde").decode()
    qde = qde.replace("<IntegerValue>41</IntegerValue>", "<IntegerValue>41</IntegerValue>"
                      "</VariableValue><VariableValue>"
                      f'<VariableRef targetGUID="{G(1, 2)}"/><TextValue>beaucoup</TextValue>')
    hostile = _file(tmp_path, qde.split(">", 2)[2].rsplit("</Project>", 1)[0], name="h2.qdpx")
    assert text
    report = project.import_qdpx(hostile)
    values = {(v["participant_id"], v["attribute"]): v["num"]
              for v in project.store.participant_values()}
    assert values[("P0001", "age")] == 34                  # kept
    assert values[("P0002", "age")] == 41                  # new participant: written
    assert ("P0002", "heures") not in values               # never text in a numeric attribute
    conflicts = {(c["item"], c["field"]): c for c in report["conflicts"]}
    assert conflicts[("P0001", "age")]["project"] == "34"
    assert conflicts[("P0001", "age")]["file"] == "999"
    assert conflicts[("P0001", "age")]["kept"] == "project"
    assert conflicts[("P0002", "heures")]["reason"]
    assert any("999" in w and "34" in w for w in report["warnings"])
    # the user chooses the file's values: age replaced, the text still refused
    report = project.import_qdpx(hostile, on_conflict="replace")
    values = {(v["participant_id"], v["attribute"]): v["num"]
              for v in project.store.participant_values()}
    assert values[("P0001", "age")] == 999
    assert ("P0002", "heures") not in values
    kept = {(c["item"], c["field"]): c["kept"] for c in report["conflicts"]}
    assert kept[("P0001", "age")] == "file" and kept[("P0002", "heures")] == "project"


def test_project_attribute_type_wins_over_the_file(project, participants_csv, tmp_path):
    project.import_participants(participants_csv)          # age is numeric here
    path = _file(tmp_path, '<Variables>'
                 f'<Variable guid="{G(1, 9)}" name="age" typeOfVariable="Text"/></Variables>'
                 '<Cases><Case guid="' + G(2, 9) + '" name="P001"><VariableValue>'
                 f'<VariableRef targetGUID="{G(1, 9)}"/><TextValue>trente</TextValue>'
                 '</VariableValue></Case></Cases>')
    report = project.import_qdpx(path)
    assert {a.name: a.type for a in project.store.attributes()}["age"] == "numeric"
    fields = {(c["item"], c["field"]) for c in report["conflicts"]}
    assert ("age", "type") in fields and ("P001", "age") in fields
    assert project.participants(["P001"]).iloc[0]["age"] == 34


_CODE = f'<CodeBook><Codes><Code guid="{G(3, 1)}" name="Thème" isCodable="false">' \
        f'<Code guid="{G(3, 2)}" name="Sous-thème" isCodable="true"/></Code></Codes></CodeBook>'


def _source(n=1, text_ref=None, sels=""):
    return (f'<Sources><TextSource guid="{G(4, n)}" name="doc{n}" '
            f'plainTextPath="internal://{text_ref or f"s{n}.txt"}">{sels}</TextSource></Sources>')


def test_guid_case_selection_guids_and_dates_are_kept(project, tmp_path):
    upper = G(5, 1).upper()
    sel = (f'<PlainTextSelection guid="{upper}" startPosition="0" endPosition="7" '
           f'creatingUser="{G(6, 1)}" creationDateTime="2020-03-04T05:06:07Z" '
           f'modifiedDateTime="2021-01-01T00:00:00Z">'
           f'<Coding guid="{G(7, 1).upper()}" creatingUser="{G(6, 1)}" '
           f'creationDateTime="2020-03-04T05:06:08Z"><CodeRef targetGUID="{G(3, 2).upper()}"/>'
           '</Coding></PlainTextSelection>')
    path = _file(tmp_path, f'<Users><User guid="{G(6, 1)}" name="Gergo"/></Users>'
                 + _CODE.replace(G(3, 2), G(3, 2).upper()) + _source(sels=sel),
                 {"Sources/s1.txt": "Bonjour tout le monde"})
    project.import_qdpx(path)
    out = tmp_path / "out.qdpx"
    project.export_qdpx(out)
    assert validate_qdpx(out) == []
    root = _qde(out)
    assert _elements(root, "PlainTextSelection", ("guid", "creationDateTime", "modifiedDateTime",
                                                  "creatingUser")) == [
        (upper, "2020-03-04T05:06:07Z", "2021-01-01T00:00:00Z", G(6, 1))]
    assert _elements(root, "Coding", ("guid", "creationDateTime")) == [
        (G(7, 1).upper(), "2020-03-04T05:06:08Z")]
    assert _elements(root, "Code", ("guid", "isCodable")) == sorted([
        (G(3, 1), "false"), (G(3, 2).upper(), "true")])
    assert [u for (u,) in _elements(root, "User", ("name",))] == ["Gergo"]
    # a category is not applied by hand
    with pytest.raises(Exception, match="category"):
        project.apply_code("doc1", "Thème", 0, 3)


def test_what_cannot_be_kept_is_named_in_a_warning(project, tmp_path):
    body = (_CODE + '<Sources>'
            f'<TextSource guid="{G(4, 1)}" name="doc1" plainTextPath="internal://s1.txt" '
            'richTextPath="internal://s1.docx" mystery="1"/>'
            f'<PictureSource guid="{G(4, 2)}" name="photo" path="internal://p.png">'
            f'<PictureSelection guid="{G(5, 2)}" firstX="0" firstY="0" secondX="1" secondY="1">'
            f'<Coding guid="{G(7, 2)}"><CodeRef targetGUID="{G(3, 2)}"/></Coding>'
            '</PictureSelection></PictureSource></Sources>')
    path = _file(tmp_path, body, {"Sources/s1.txt": "Bonjour"}, ns="urn:QDA-XML:project:1:0")
    report = project.import_qdpx(path)
    text = "\n".join(report["warnings"])
    assert "PictureSource 'photo' skipped" in text and "1 coding" in text
    assert "TextSource@richTextPath" in text and "TextSource@mystery" in text
    assert "urn:QDA-XML:project:1:0" in text            # the non-standard namespace
    assert report["skipped_codings"] == 1


def test_links_and_graphs_are_kept_and_written_back(project, tmp_path):
    body = (_CODE + _source() +
            f'<Links><Link guid="{G(8, 1)}" name="explique" direction="OneWay" '
            f'originGUID="{G(3, 2)}" targetGUID="{G(4, 1)}"/></Links>'
            f'<Graphs><Graph guid="{G(8, 2)}" name="carte"><Vertex guid="{G(8, 3)}" '
            f'representedGUID="{G(3, 1)}" firstX="1" firstY="2"/></Graph></Graphs>')
    path = _file(tmp_path, body, {"Sources/s1.txt": "Bonjour"})
    report = project.import_qdpx(path)
    assert report["links"] == 2
    assert any("2 links and graphs kept" in w for w in report["warnings"])
    out = tmp_path / "out.qdpx"
    summary = project.export_qdpx(out)
    assert validate_qdpx(out) == [] and summary["warnings"] == []
    root = _qde(out)
    assert _elements(root, "Link", ("guid", "originGUID", "targetGUID")) == [
        (G(8, 1), G(3, 2), G(4, 1))]
    assert _elements(root, "Vertex", ("guid", "representedGUID")) == [(G(8, 3), G(3, 1))]
    # a link to a document made private no longer goes out, and says so
    project.set_private("document", "doc1")
    summary = project.export_qdpx(tmp_path / "out2.qdpx")
    assert _elements(_qde(tmp_path / "out2.qdpx"), "Link", ("guid",)) == []
    assert any("not exported" in w for w in summary["warnings"])
    assert project.import_qdpx(path)["links"] == 0      # matched the second time


def test_sets_become_groups_with_their_members(project, tmp_path):
    body = (_CODE + _source() +
            f'<Notes><Note guid="{G(9, 1)}" name="n"><PlainTextContent>texte</PlainTextContent>'
            '</Note></Notes>'
            f'<Sets><Set guid="{G(8, 5)}" name="Vague 1"><Description>Premiers entretiens'
            f'</Description><MemberCode targetGUID="{G(3, 2)}"/>'
            f'<MemberSource targetGUID="{G(4, 1)}"/><MemberNote targetGUID="{G(9, 1)}"/></Set>'
            '</Sets>')
    path = _file(tmp_path, body, {"Sources/s1.txt": "Bonjour"})
    assert project.import_qdpx(path)["groups"] == 1
    groups = project.groups()
    assert list(groups["name"]) == ["Vague 1"] and groups.iloc[0]["guid"] == G(8, 5)
    members = project.group_members("Vague 1")
    assert members["document"] == [project.document_id("doc1")]
    assert members["code"] == [project.code_id("Thème/Sous-thème")]
    assert len(members["memo"]) == 1
    out = tmp_path / "out.qdpx"
    project.export_qdpx(out)
    root = _qde(out)
    set_el = next(root.iter("{*}Set"))
    assert [etree.QName(c).localname for c in set_el] == [
        "Description", "MemberCode", "MemberSource", "MemberNote"]


def test_codebook_in_another_namespace_is_warned(project, tmp_path):
    body = _CODE.replace("<CodeBook>", '<CodeBook xmlns="urn:QDA-XML:codebook:1:0">')
    report = project.import_qdpx(_file(tmp_path, body))
    assert report["codes"] == 2
    assert any("urn:QDA-XML:codebook:1:0" in w for w in report["warnings"])


def test_a_source_with_a_known_guid_but_another_text_is_a_conflict(rich, tmp_path):
    out = tmp_path / "a.qdpx"
    rich.export_qdpx(out)
    guid = rich.document("entretien_karima").guid
    with zipfile.ZipFile(out) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[f"Sources/{guid}.txt"] = members[f"Sources/{guid}.txt"].replace(
        "Karima".encode(), "Karina".encode())
    changed = tmp_path / "changed.qdpx"
    with zipfile.ZipFile(changed, "w") as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    before = _snapshot(rich)
    report = rich.import_qdpx(changed)
    # the one conflict model (workbench.exchange): the default keeps our text and places
    # the file's codings where their words are unchanged — here all three are ours already
    [conflict] = report["conflicts"]
    assert conflict["field"] == "text" and conflict["choices"] == ["ours", "skip"]
    assert conflict["choice"] == "ours" and conflict["how"] == "default"
    assert report["matched"]["codings"] == 4 and report["codings"] == 0
    assert _snapshot(rich) == before
    # leaving the source out, as chosen: it and its codings are not imported
    report = rich.import_qdpx(changed, choices={conflict["id"]: "skip"})
    assert report["skipped_codings"] == 3 and report["matched"]["codings"] == 1
    assert _snapshot(rich) == before


def test_cli_import_reports_conflicts_and_takes_the_option(project, tmp_path):
    from click.testing import CliRunner

    from workbench.cli import main
    project.import_qdpx(_file(tmp_path, _VARS + "<Cases>" + _case("P0001", 1, age="34")
                              + "</Cases>", name="base.qdpx"))
    path = str(project.path)
    project.close()
    other = _file(tmp_path, _VARS + "<Cases>" + _case("P0001", 1, age="999") + "</Cases>",
                  name="other.qdpx")
    runner = CliRunner()

    def age():
        with Project.open(path) as p:
            return p.participants(["P0001"]).iloc[0]["age"]

    r = runner.invoke(main, ["import", path, str(other), "--dry-run", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert "participants,0,1" in r.stdout and "dry run" in r.stderr and age() == 34
    r = runner.invoke(main, ["import", path, str(other)])
    assert r.exit_code == 0 and "'999'" in r.stderr and "'34'" in r.stderr and age() == 34
    r = runner.invoke(main, ["import", path, str(other), "--on-conflict", "replace",
                             "--format", "json"])
    assert r.exit_code == 0 and age() == 999
    report = json.loads(r.stdout)[0]
    assert report["conflicts"][0]["kept"] == "file"
    r = runner.invoke(main, ["import", path, str(tmp_path / "x.txt"), "--dry-run"])
    assert r.exit_code == 2


def test_every_exchange_message_has_its_french_form():
    from pathlib import Path

    from babel.messages.extract import extract_from_file

    from workbench import i18n
    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "workbench" / "export" / "qdpx").glob("*.py")) + [
        root / "workbench" / "groups.py"]
    keywords = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
    catalogue = i18n.catalogue("fr")
    missing = []
    for f in files:
        for _line, message, _comments, context in extract_from_file("python", f,
                                                                    keywords=keywords):
            msgid = message[0] if isinstance(message, tuple) else message
            key = f"{context}\x04{msgid}" if context else msgid
            if key not in catalogue:
                missing.append(f"{f.name}: {msgid}")
    for kind in ("participant", "attribute", "code", "document", "memo", "coding", "user",
                 "group", "selection", "document field"):
        if f"element\x04{kind}" not in catalogue:
            missing.append(f"element {kind}")
    assert missing == []
    french = i18n.read_po(root / "workbench" / "locale" / "fr" / "LC_MESSAGES" / "exchange.po")
    for forms in french.values():               # French typography: no-break space before :
        for text in forms:
            assert " :" not in text and " ;" not in text, text


def test_a_code_linked_to_a_question_both_ways_is_linked_once(tmp_path):
    """The code lists evaluation question Q1 in its description and Q1's Set lists the
    code: one link, not a failed import (the import is an undoable step that records
    its rows: a repeated key is left out, as INSERT OR IGNORE would)."""
    from workbench.project import Project
    with Project.create(tmp_path / "a.wbproj", coder="alice") as a:
        a.store.bulk_insert_questions([{"id": "Q1", "text": "L'accès à l'emploi ?"}])
        a.create_code("Emploi")
        a.update_code("Emploi", questions=["Q1"])
        a.export_qdpx(tmp_path / "a.qdpx")
    with Project.create(tmp_path / "b.wbproj", coder="bruno") as b:
        b.import_qdpx(tmp_path / "a.qdpx")
        assert b.store.query("SELECT count(*) FROM code_questions")[0][0] == 1
        assert b.import_qdpx(tmp_path / "a.qdpx")["new"].get("codes", 0) == 0
