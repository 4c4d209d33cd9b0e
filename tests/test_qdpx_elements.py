"""Each element of the REFI-QDA exchange read and written alone (users, codes,
variables, cases, sources, notes, sets, links), on small XML built in the test."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from workbench.export.qdpx import cases, codes, extras, notes, sets, sources, users, variables
from workbench.export.qdpx.common import NS, q, split_description, join_description, unkept
from workbench.export.qdpx.context import Content, ReadCtx

G = "{:08x}-0000-4000-8000-{:012x}".format


def _root(body: str, ns: str = NS):
    return etree.fromstring(f'<Project xmlns="{ns}" name="t">{body}</Project>',
                            etree.XMLParser(huge_tree=True))


def _ctx(files: dict | None = None) -> ReadCtx:
    class Arch:
        names = dict.fromkeys(files or {})

        def read(self, name):
            return files[name].encode("utf-8")

        def find(self, ref):
            name = ref.replace("internal://", "")
            return f"Sources/{name}" if f"Sources/{name}" in (files or {}) else None
    return ReadCtx(path=Path("t.qdpx"), arch=Arch(), content=Content())


def test_users_keep_guid_case_and_skip_bad_ones():
    ctx = _ctx()
    out = users.read(_root(f'<Users><User guid="{{{G(1, 1).upper()}}}" name="Gergo"/>'
                           '<User guid="nope" name="X"/><User guid="' + G(1, 2) + '" id="fs"/>'
                           '</Users>'), ctx)
    assert [(u["guid"], u["key"], u["name"]) for u in out] == [
        (G(1, 1).upper(), G(1, 1), "Gergo"), (G(1, 2), G(1, 2), "fs")]
    assert len(ctx.warnings) == 1 and "'X'" in ctx.warnings[0]


def test_codes_tree_without_recursion_limits(monkeypatch):
    depth = 1200                                   # deeper than Python's recursion limit
    body = "".join(f'<Code guid="{G(2, i)}" name="c{i}" isCodable="true">' for i in range(depth))
    body += "</Code>" * depth
    root = _root(f"<CodeBook><Codes>{body}</Codes></CodeBook>")
    # the project's limit on code depth (safety.limits.MAX_CODE_DEPTH, 50) is a clear error
    with pytest.raises(codes.QdpxError, match="the code hierarchy is 51 levels deep"):
        codes.read(root, _ctx())
    # the walk itself never recurses: lifted, the limit lets 1,200 levels through
    monkeypatch.setattr(codes, "MAX_CODE_DEPTH", depth)
    out = codes.read(root, _ctx())
    assert len(out) == depth
    assert out[-1]["parent_key"] == G(2, depth - 2) and out[0]["parent_key"] is None
    assert out[2]["path"] == "c0/c1/c2"


def test_codes_fields_from_the_description_and_iscodable():
    desc = "Le parcours.\n\nExemple : « ma conseillère »\nQuestions évaluatives : AV-B1"
    out = codes.read(_root(f'<CodeBook><Codes><Code guid="{G(2, 1)}" name="A/B" '
                           f'isCodable="false" color="0a0"><Description>{desc}</Description>'
                           f'<NoteRef targetGUID="{G(9, 1)}"/></Code></Codes></CodeBook>'), _ctx())
    [c] = out
    assert (c["name"], c["codable"], c["colour"]) == ("A∕B", False, "#00AA00")
    assert c["definition"] == "Le parcours." and c["example"] == "« ma conseillère »"
    assert c["questions"] == ["AV-B1"] and c["notes"] == [G(9, 1)]


@pytest.mark.parametrize("attr_type, tag, text, expected", [
    ("numeric", "IntegerValue", "34", ("34", 34.0)),
    ("numeric", "FloatValue", "12.50", ("12.5", 12.5)),
    ("numeric", "TextValue", "1 234,5", ("1 234,5", 1234.5)),
    ("boolean", "BooleanValue", "true", ("oui", 1.0)),
    ("boolean", "TextValue", "non", ("non", 0.0)),
    ("date", "DateValue", "2022-01-10", ("2022-01-10", 738165.0)),
    ("date", "DateTimeValue", "2021-02-12T12:00:00Z", ("2021-02-12T12:00", 737833.5)),
    ("date", "TextValue", "15/03/2022", ("2022-03-15", 738229.0)),
    ("nominal", "IntegerValue", "7", ("7", None)),
    ("nominal", "BooleanValue", "false", ("non", None)),
])
def test_values_fit_the_attribute_type(attr_type, tag, text, expected):
    # worked by hand: date numbers are proleptic ordinals (+ the time as a day fraction)
    assert variables.coerce({"name": "a", "type": attr_type}, tag, text) == expected


@pytest.mark.parametrize("attr_type, tag, text", [
    ("numeric", "TextValue", "beaucoup"), ("numeric", "BooleanValue", "true"),
    ("numeric", "DateValue", "2022-01-10"), ("boolean", "IntegerValue", "7"),
    ("date", "IntegerValue", "3"), ("boolean", "TextValue", "peut-être"),
    ("date", "TextValue", "demain"),
])
def test_values_that_contradict_the_type_are_refused(attr_type, tag, text):
    with pytest.raises(ValueError):
        variables.coerce({"name": "a", "type": attr_type}, tag, text)


def test_variable_types_and_the_value_elements_written():
    ctx = _ctx()
    out = variables.read(_root(
        '<Variables>'
        f'<Variable guid="{G(3, 1)}" name="age" typeOfVariable="integer"/>'
        f'<Variable guid="{G(3, 2)}" name="niveau" typeOfVariable="Text"><Description>'
        'Workbench : {"type": "ordinal", "levels": ["V", "IV"]}</Description></Variable>'
        f'<Variable guid="{G(3, 3)}" name="x" typeOfVariable="Weird"/></Variables>'), ctx)
    assert [(v["name"], v["refi_type"], v["type"], v["levels"]) for v in out] == [
        ("age", "Integer", "numeric", []), ("niveau", "Text", "ordinal", ["V", "IV"]),
        ("x", "Text", "nominal", [])]
    assert "unknown type 'Weird'" in ctx.warnings[0]
    assert variables.refi_type({"type": "numeric"}, [{"num": 1.0}, {"num": 2.0}]) == "Integer"
    assert variables.refi_type({"type": "numeric"}, [{"num": 1.5}]) == "Float"
    assert variables.refi_type({"type": "numeric", "exchange_type": "Float"}, [{"num": 1}]) == "Float"
    assert variables.refi_type({"type": "date"}, [{"value": "2021-02-12T08:46"}]) == "DateTime"
    parent = etree.Element(q("VariableValue"))
    for refi, value, num in (("Integer", "34", 34.0), ("Float", "0.0000001", 1e-7),
                             ("Boolean", "oui", 1.0), ("Date", "2022-01-10", 738165.0),
                             ("DateTime", "2021-02-12T08:46", 737833.365),
                             ("Text", "CEP", None)):
        variables.value_element(parent, refi, value, num)
    assert [(etree.QName(e).localname, e.text) for e in parent] == [
        ("IntegerValue", "34"), ("FloatValue", "0.0000001"), ("BooleanValue", "true"),
        ("DateValue", "2022-01-10"), ("DateTimeValue", "2021-02-12T08:46:00"),
        ("TextValue", "CEP")]


def test_cases_carry_type_description_values_and_links():
    meta = join_description("Mère de deux enfants.", {"type": "site", "speakers": {G(4, 1): "Karima"}})
    out = cases.read(_root(
        f'<Cases><Case guid="{G(5, 1)}" name="P0001"><Description>{meta}</Description>'
        f'<CodeRef targetGUID="{G(2, 1)}"/><VariableValue><VariableRef targetGUID="{G(3, 1)}"/>'
        f'<IntegerValue>34</IntegerValue></VariableValue><SourceRef targetGUID="{G(4, 1)}"/>'
        f'<SelectionRef targetGUID="{G(6, 1)}"/></Case>'
        f'<Case guid="{G(5, 2)}" name="P0001"/></Cases>'), ctx := _ctx())
    [c] = out
    assert c["type"] == "site" and c["description"] == "Mère de deux enfants."
    assert c["values"] == [(G(3, 1), "IntegerValue", "34")]
    assert c["sources"] == [(G(4, 1), "Karima")] and c["codes"] == [G(2, 1)]
    assert c["selections"] == [G(6, 1)]
    assert "'P0001'" in ctx.warnings[0]              # the second case with the same name


def test_description_metadata_line_round_trip():
    text = join_description("Libre\nsur deux lignes", {"type": "x", "empty": ""})
    assert text == 'Libre\nsur deux lignes\nWorkbench : {"type": "x"}'
    assert split_description(text) == ("Libre\nsur deux lignes", {"type": "x"})
    assert split_description("Workbench : pas du json") == ("Workbench : pas du json", {})


def test_sources_positions_selections_and_codings():
    text = "Salut 😀\r\nKarima : oui"           # an emoji (2 UTF-16 units) and CRLF
    body = (f'<Sources><TextSource guid="{G(4, 1)}" name="doc" plainTextPath="internal://s.txt" '
            f'creationDateTime="2020-01-01T00:00:00Z"><NoteRef targetGUID="{G(9, 1)}"/>'
            # "oui" is at characters 18..21 of the file text, UTF-16 units 19..22
            f'<PlainTextSelection guid="{G(6, 1)}" startPosition="19" endPosition="22" '
            f'creatingUser="{G(1, 1)}"><Coding guid="{G(7, 1)}"><CodeRef targetGUID="{G(2, 1)}"/>'
            f'<NoteRef targetGUID="{G(9, 2)}"/></Coding></PlainTextSelection></TextSource></Sources>')
    ctx = _ctx({"Sources/s.txt": text})
    ctx.content.origin = "NVivo"
    [s] = sources.read(_root(body), ctx, {G(2, 1)})
    assert s["text"] == "Salut 😀\nKarima : oui"
    [sel] = s["selections"]
    assert s["text"][sel["start"]:sel["end"]] == "oui"
    assert sel["user"] == G(1, 1) and sel["codings"][0]["user"] == G(1, 1)   # inherited
    assert s["fields"] == {"creationDateTime": "2020-01-01T00:00:00Z"}
    assert ctx.content.note_targets == {G(9, 1): ("document", G(4, 1)),
                                        G(9, 2): ("coding", G(7, 1))}
    assert any("UTF-16" in w for w in ctx.warnings)


def test_detected_turns_are_in_the_text_s_own_offsets():
    text = "Entretien fictif.\n\nENQ : Bonjour ?\u200b\nLéa : Oui.   \n"
    segs = sources.detect_segments(text)
    turns = [s for s in segs if s["kind"] == "turn"]
    assert [s["speaker"] for s in turns] == ["ENQ", "Léa"]
    assert text[turns[1]["body_start"]:turns[1]["end"]] == "Oui."
    assert segs[0]["front_matter"]


def test_notes_and_sets():
    root = _root(
        f'<Notes><Note guid="{G(9, 1)}" name="n" creatingUser="{G(1, 1)}">'
        '<Description>Workbench : {"target": "participant", "id": "P1"}</Description>'
        '<PlainTextContent>texte\r\nsuite</PlainTextContent></Note></Notes>'
        f'<Sets><Set guid="{G(8, 1)}" name="AV-B1 — Une question ?"><Description>'
        'Question évaluative (Workbench)\nProgramme : avenir\nProposée : oui</Description>'
        f'<MemberCode targetGUID="{G(2, 1)}"/></Set>'
        f'<Set guid="{G(8, 2)}" name="Vague 1"><MemberSource targetGUID="{G(4, 1)}"/></Set></Sets>')
    [n] = notes.read(root, _ctx())
    assert (n["text"], n["meta"], n["user"]) == ("texte\nsuite", {"target": "participant",
                                                                  "id": "P1"}, G(1, 1))
    questions, groups = sets.read(root, _ctx())
    assert [(x["id"], x["programme"], x["proposed"], x["codes"]) for x in questions] == [
        ("AV-B1", "avenir", True, [G(2, 1)])]
    assert [(g["name"], g["sources"]) for g in groups] == [("Vague 1", [G(4, 1)])]


def test_links_are_kept_in_the_standard_namespace_and_unknowns_named():
    root = _root(f'<Links><Link guid="{G(8, 3)}" originGUID="{G(2, 1)}" targetGUID="{G(4, 1)}"/>'
                 '</Links><Mystery/>', ns="urn:QDA-XML:project:1:0")
    ctx = _ctx()
    [link] = extras.read(root, ctx)
    assert link["refs"] == sorted([G(2, 1), G(4, 1)])
    assert etree.QName(etree.fromstring(link["xml"])).namespace == NS
    assert unkept(root) == ["not kept from the file: Project/Mystery (1×)"]


def test_repeated_codings_are_counted_in_one_warning():
    coding = f'<Coding guid="{{g}}"><CodeRef targetGUID="{G(2, 1)}"/></Coding>'
    sels = "".join(f'<PlainTextSelection guid="{G(6, i)}" startPosition="0" endPosition="3">'
                   + coding.format(g=G(7, i)) + "</PlainTextSelection>" for i in range(1, 4))
    ctx = _ctx({"Sources/s.txt": "oui non"})
    [s] = sources.read(_root(f'<Sources><TextSource guid="{G(4, 1)}" name="doc" '
                             f'plainTextPath="internal://s.txt">{sels}</TextSource></Sources>'),
                       ctx, {G(2, 1)})
    assert sum(len(sel["codings"]) for sel in s["selections"]) == 1
    assert ctx.warnings == ["source 'doc': 2 codings repeat others (same code, coder and span) "
                            "and are skipped, the first at [0, 3)"]
