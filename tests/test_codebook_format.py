"""Codebook format: model helpers, YAML load/validate/dump, REFI-QDA .qdc, diff."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from workbench.codebook import (
    Codebook,
    CodebookError,
    CodebookProblem,
    CodeDef,
    EvaluationQuestion,
    code_guid,
    diff_codebooks,
    dump_codebook,
    export_qdc,
    format_changes,
    import_qdc,
    load_codebook,
    loads_codebook,
    read_qdc,
    validate_codebook_file,
)
from workbench.codebook.qdc import format_description, parse_description

ROOT = Path(__file__).resolve().parents[1]
REFI = ROOT / "tests" / "fixtures" / "refi"
XSD = REFI / "Codebook.xsd"
NVIVO = REFI / "nvivo12-export.qdpx"
SHIPPED = sorted((ROOT / "codebooks").glob("*.yaml"))


def write(tmp_path: Path, text: str, name: str = "cb.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[CodebookProblem]:
    return validate_codebook_file(write(tmp_path, text))


def errors_of(tmp_path, text) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in problems_of(tmp_path, text) if p.severity == "error"]


def only_error(tmp_path, text) -> CodebookProblem:
    errs = [p for p in problems_of(tmp_path, text) if p.severity == "error"]
    assert len(errs) == 1, [str(e) for e in errs]
    return errs[0]


# A valid codebook (line numbers matter in the tests below).
VALID = """
codebook: avenir
title: "#Avenir — Région Normandie"
programme: avenir
version: "1.0"
language: fr
description: >
  Deux lignes
  pliées.
questions:
  - id: AV-B1
    programme: avenir
    side: beneficiaries
    text: "Quel canal d'entrée ?"
    source: "Fiche programme"
    proposed: false
  - id: AV-E1
    side: ecosystem
    text: "Comment les opérateurs s'approprient-ils le dispositif ?"
    proposed: true
codes:
  - name: "Parcours"
    colour: "#1f77b4"
    short: "Le parcours"
    definition: |
      Première ligne.
      Seconde ligne.
    when_to_use: "Quand on parle du parcours."
    when_not_to_use: "Pas pour l'entrée."
    example: "« J'ai fait trois stages. »"
    questions: [AV-B1]
    children:
      - name: "Immersion"
        colour: "#abc"
        questions: [AV-B1, AV-E1]
        children:
          - name: "Stage"
  - name: "Opérateurs"
    questions: [AV-E1]
"""


def sample_codebook() -> Codebook:
    return Codebook(
        id="demo",
        title="Démo — « test »",
        programme="avenir",
        version="2.1",
        language="fr",
        description="Ligne 1\nLigne 2 : avec deux-points",
        questions=(
            EvaluationQuestion("D-B1", "avenir", "beneficiaries", "Quel apport ?", "Fiche", False),
            EvaluationQuestion("D-T1", "avenir", "trainers", "Quelles pratiques ?", "", True),
            EvaluationQuestion("D-O1", "avenir", "training_bodies", "Sans code ?", "", False),
        ),
        codes=(
            CodeDef(
                name="Parcours", colour="#1F77B4", short="Résumé court",
                definition="Définition\nsur deux lignes.\n\nEt un paragraphe.",
                when_to_use="Toujours.\nSauf exception.", when_not_to_use="Jamais : vraiment.",
                example="« Exemple : cité »", questions=("D-B1", "D-T1"),
                children=(
                    CodeDef(name="Stage", colour=None, short="", definition="", when_to_use="",
                            when_not_to_use="", example="", questions=("D-T1",),
                            children=(CodeDef(name="Tutorat", colour="#00FF00", short="", definition="x",
                                              when_to_use="", when_not_to_use="", example="",
                                              questions=(), children=()),)),
                    CodeDef(name="Emploi", colour="#FF0000", short="s", definition="",
                            when_to_use="", when_not_to_use="", example="e", questions=(),
                            children=(), guid="0b6f3c1e-9a52-4d7a-8b11-2f0c3d4e5f60"),
                ),
            ),
            CodeDef(name="Yes", colour=None, short="", definition="1.0", when_to_use="", when_not_to_use="",
                    example="", questions=(), children=()),
        ),
    )


# ---------------------------------------------------------------------------
# model
# ---------------------------------------------------------------------------
def test_model_paths_find_count():
    cb = sample_codebook()
    assert [p for p, _ in cb.iter_codes()] == [
        "Parcours", "Parcours/Stage", "Parcours/Stage/Tutorat", "Parcours/Emploi", "Yes"]
    assert cb.count() == 5
    assert cb.find("parcours/STAGE/tutorat").name == "Tutorat"
    assert cb.find(" Parcours / Emploi ").colour == "#FF0000"
    assert cb.find("Parcours/Nope") is None
    assert cb.find("") is None
    assert cb.codes_for_question("D-T1") == ["Parcours", "Parcours/Stage"]
    assert [q.id for q in cb.uncovered_questions()] == ["D-O1"]
    assert cb.question("D-B1").side == "beneficiaries"
    parents = {p: par for p, _, par in cb.iter_codes_with_parent()}
    assert parents["Parcours/Stage/Tutorat"] == "Parcours/Stage"
    assert parents["Yes"] is None
    with pytest.raises(Exception):
        cb.title = "x"   # frozen


# ---------------------------------------------------------------------------
# YAML: loading and round trips
# ---------------------------------------------------------------------------
def test_load_valid_file(tmp_path):
    path = write(tmp_path, VALID)
    assert validate_codebook_file(path) == []
    cb = load_codebook(path)
    assert cb.id == "avenir" and cb.title == "#Avenir — Région Normandie"
    assert cb.version == "1.0"
    assert cb.description == "Deux lignes pliées."
    q1, q2 = cb.questions
    assert q1 == EvaluationQuestion("AV-B1", "avenir", "beneficiaries", "Quel canal d'entrée ?",
                                    "Fiche programme", False)
    assert q2.programme == "avenir"          # defaults to the codebook's programme
    assert q2.proposed is True and q2.source == ""
    parcours = cb.find("Parcours")
    assert parcours.colour == "#1F77B4"      # upper-cased
    assert parcours.definition == "Première ligne.\nSeconde ligne."
    assert cb.find("Parcours/Immersion").colour == "#AABBCC"   # #RGB expanded
    assert cb.find("Parcours/Immersion").questions == ("AV-B1", "AV-E1")
    assert cb.find("Parcours/Immersion/Stage").questions == ()
    assert cb.count() == 4


def test_yaml_round_trip(tmp_path):
    cb = sample_codebook()
    text = dump_codebook(cb)
    assert loads_codebook(text, "x.yaml") == cb
    # and from a file, through the file's dump again
    loaded = load_codebook(write(tmp_path, VALID))
    again = loads_codebook(dump_codebook(loaded))
    assert again == loaded
    assert dump_codebook(again) == dump_codebook(loaded)


def test_version_and_yes_stay_text(tmp_path):
    text = VALID.replace('version: "1.0"', "version: 1.10").replace('"Opérateurs"', "No")
    cb = load_codebook(write(tmp_path, text))
    assert cb.version == "1.10"
    assert cb.find("No") is not None


def test_bom_and_crlf(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(VALID).lstrip().replace("\n", "\r\n").encode())
    assert load_codebook(path).id == "avenir"


def test_problem_str_and_error():
    p = CodebookProblem("a.yaml", 3, "boom")
    assert str(p) == "a.yaml:3: boom"
    assert p.severity == "error"
    w = CodebookProblem("a.yaml", 4, "hmm", "warning")
    assert str(w) == "a.yaml:4: warning: hmm"
    err = CodebookError([p, w])
    assert err.errors == [p] and err.warnings == [w]
    assert str(err) == "a.yaml:3: boom"


# ---------------------------------------------------------------------------
# YAML: every validation rule, with its line
# ---------------------------------------------------------------------------
def test_malformed_yaml_line(tmp_path):
    p = only_error(tmp_path, """
        codebook: x
        title: t
        questions: []
        codes:
          - name: [unclosed
          - name: b
        """)
    assert p.line == 6
    assert p.message.startswith("malformed YAML")
    assert str(p).startswith(str(tmp_path / "cb.yaml") + ":6: ")


def test_tab_indentation_is_malformed(tmp_path):
    p = only_error(tmp_path, "codebook: x\ntitle: t\nquestions: []\ncodes:\n\t- name: a\n")
    assert p.line == 5 and "malformed YAML" in p.message


def test_empty_file(tmp_path):
    p = only_error(tmp_path, "# nothing\n")
    assert p.line == 1 and "empty" in p.message


def test_top_level_must_be_mapping(tmp_path):
    p = only_error(tmp_path, "- a\n- b\n")
    assert p.line == 1 and "mapping" in p.message


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("codebook: x\ntitle: Région\n".encode("latin-1"))
    [p] = validate_codebook_file(path)
    assert p.line == 2 and "UTF-8" in p.message
    with pytest.raises(CodebookError):
        load_codebook(path)


def test_missing_file(tmp_path):
    with pytest.raises(CodebookError) as exc:
        load_codebook(tmp_path / "nope.yaml")
    assert "cannot read" in str(exc.value)


def test_unknown_key_with_suggestion(tmp_path):
    text = VALID.replace('    when_to_use: "Quand', '    when_to_us: "Quand')
    p = only_error(tmp_path, text)
    assert p.line == 27
    assert "unknown key 'when_to_us'" in p.message and "did you mean 'when_to_use'" in p.message


def test_unknown_key_color_suggests_colour(tmp_path):
    p = only_error(tmp_path, VALID.replace('    colour: "#1f77b4"', '    color: "#1f77b4"'))
    assert p.line == 22 and "'colour'" in p.message


def test_missing_top_level_keys(tmp_path):
    errs = errors_of(tmp_path, """
        # comment
        codebook: x
        programme: p
        """)
    assert errs == [
        (2, "the codebook: missing required key 'title'"),
        (2, "the codebook: missing required key 'questions'"),
        (2, "the codebook: missing required key 'codes'"),
    ]


def test_missing_question_and_code_keys(tmp_path):
    errs = errors_of(tmp_path, """
        codebook: x
        title: t
        questions:
          - id: Q1
            side: trainers
            text: ok
          - programme: p
            source: s
        codes:
          - name: A
            questions: [Q1]
          - short: "no name"
            children:
              - name: ""
        """)
    assert (7, "a question: missing required key 'id'") in errs
    assert (7, "a question: missing required key 'side'") in errs
    assert (7, "a question: missing required key 'text'") in errs
    assert (12, "a code: missing required key 'name'") in errs
    assert (14, "code 'name' must not be empty") in errs
    assert len(errs) == 5


def test_wrong_types(tmp_path):
    errs = errors_of(tmp_path, """
        codebook: x
        title: [not, text]
        questions:
          - id: Q1
            side: trainers
            text: ok
            proposed: "no"
        codes:
          - name: A
            questions: Q1
            children: {name: B}
          - name: {x: 1}
          - just a string
        """)
    lines = {line: msg for line, msg in errs}
    assert "'title' must be text, found a list" in lines[2]
    assert "'proposed' must be true or false" in lines[7]
    assert "code 'questions' must be a list" in lines[10]
    assert "code 'children' must be a list, found a mapping" in lines[11]
    assert "code 'name' must be text, found a mapping" in lines[12]
    assert "a code must be a mapping" in lines[13]
    assert sorted(lines) == [2, 7, 10, 11, 12, 13]


def test_duplicate_question_ids(tmp_path):
    text = VALID.replace("  - id: AV-E1", "  - id: AV-B1")
    errs = errors_of(tmp_path, text)
    assert errs[0] == (16, "duplicate question id 'AV-B1' (first at line 10)")
    assert len([e for e in errs if "duplicate question id" in e[1]]) == 1


def test_bad_question_id(tmp_path):
    text = VALID.replace("  - id: AV-E1", '  - id: "AV E1"').replace("[AV-E1]", '["AV E1"]')
    text = text.replace("[AV-B1, AV-E1]", "[AV-B1]")
    p = only_error(tmp_path, text)
    assert p.line == 16 and "bad question id 'AV E1'" in p.message


def test_duplicate_sibling_names_case_and_nfc(tmp_path):
    decomposed = "Ope\u0301rateurs".upper()      # "OPÉRATEURS" with a combining accent
    text = VALID + f"""  - name: "{decomposed}"\n"""
    p = only_error(tmp_path, text)
    assert p.line == 39
    assert "duplicate code name" in p.message and "first at line 37" in p.message
    # same name under different parents is fine
    ok = VALID + """  - name: "Stage"\n"""
    assert errors_of(tmp_path, ok) == []


def test_duplicate_child_names(tmp_path):
    text = VALID.replace('          - name: "Stage"\n',
                         '          - name: "Stage"\n          - name: "stage"\n')
    p = only_error(tmp_path, text)
    assert p.line == 37 and "under 'Immersion'" in p.message


def test_slash_in_code_name(tmp_path):
    p = only_error(tmp_path, VALID.replace('- name: "Stage"', '- name: "Stage/Alternance"'))
    assert p.line == 36 and "contains '/'" in p.message


def test_unknown_question_reference(tmp_path):
    p = only_error(tmp_path, VALID.replace("questions: [AV-B1, AV-E1]", "questions: [AV-B1, AV-X9]"))
    assert p.line == 34 and "unknown evaluation question 'AV-X9'" in p.message
    # block-style list: the line of the item itself
    text = VALID.replace("    questions: [AV-E1]\n", "    questions:\n      - AV-E1\n      - AV-ZZ\n")
    p = only_error(tmp_path, text)
    assert p.line == 40


def test_question_listed_twice_in_code(tmp_path):
    p = only_error(tmp_path, VALID.replace("questions: [AV-E1]", "questions: [AV-E1, AV-E1]"))
    assert p.line == 38 and "listed twice" in p.message


def test_uncovered_question_is_a_warning(tmp_path):
    text = VALID.replace("    questions: [AV-E1]\n", "").replace("[AV-B1, AV-E1]", "[AV-B1]")
    path = write(tmp_path, text)
    [w] = validate_codebook_file(path)
    assert w.severity == "warning" and w.line == 16
    assert w.message == "evaluation question 'AV-E1' is not served by any code"
    assert str(w) == f"{path}:16: warning: {w.message}"
    cb = load_codebook(path)           # warnings do not block loading
    assert [q.id for q in cb.uncovered_questions()] == ["AV-E1"]


def test_bad_colours(tmp_path):
    text = VALID.replace('colour: "#1f77b4"', 'colour: "1f77b4"').replace('colour: "#abc"', "colour: red")
    errs = errors_of(tmp_path, text)
    assert [line for line, _ in errs] == [22, 33]
    assert all("bad colour" in m for _, m in errs)
    p = only_error(tmp_path, VALID.replace('colour: "#abc"', 'colour: "#12345G"'))
    assert p.line == 33


def test_bad_side(tmp_path):
    p = only_error(tmp_path, VALID.replace("side: ecosystem", "side: operators"))
    assert p.line == 17
    assert "bad side 'operators'" in p.message and "training_bodies" in p.message


def test_duplicate_yaml_keys(tmp_path):
    text = VALID.replace('    short: "Le parcours"\n', '    short: "Le parcours"\n    short: "Encore"\n')
    p = only_error(tmp_path, text)
    assert p.line == 24
    assert "duplicate key 'short'" in p.message and "first at line 23" in p.message
    top = "codebook: a\ncodebook: b\ntitle: t\nquestions: []\ncodes: []\n"
    p = only_error(tmp_path, top)
    assert p.line == 2


def test_alias_rejected(tmp_path):
    errs = errors_of(tmp_path, """
        codebook: x
        title: t
        questions: []
        codes:
          - &base
            name: A
            definition: d
          - name: B
            definition: *def
        """.replace("*def", "&d long"))   # an anchor alone is harmless
    assert errs == []
    errs = errors_of(tmp_path, """
        codebook: x
        title: t
        questions: []
        codes:
          - &base
            name: A
          - *base
          - name: C
            children:
              - <<: *base
        """)
    alias_errors = [(line, m) for line, m in errs if "alias" in m]
    assert [line for line, _ in alias_errors] == [7, 10]
    assert "'*base'" in alias_errors[0][1]


def test_billion_laughs_is_refused_quickly(tmp_path):
    lines = ["codebook: x", "title: t", "questions: []", 'a0: &a0 ["lol","lol","lol","lol","lol"]']
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 10) + "]")
    lines.append("codes:\n  - name: A\n    example: *a11")
    path = tmp_path / "lol.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    probs = validate_codebook_file(path)
    assert any(p.line == 5 and "alias" in p.message for p in probs)
    with pytest.raises(CodebookError):
        load_codebook(path)


def test_every_problem_reported_and_nothing_loaded(tmp_path):
    text = (VALID.replace("side: ecosystem", "side: nope")
            .replace('colour: "#abc"', 'colour: "#ab"')
            .replace('- name: "Stage"', '- name: "a/b"')
            .replace("questions: [AV-E1]", "questions: [ZZ]"))
    path = write(tmp_path, text)
    with pytest.raises(CodebookError) as exc:
        load_codebook(path)
    lines = [p.line for p in exc.value.errors]
    assert lines == [17, 33, 36, 38]
    assert str(exc.value).splitlines()[0].startswith(f"{path}:17: ")
    assert len(str(exc.value).splitlines()) == 4


# ---------------------------------------------------------------------------
# YAML: the flat parent: form
# ---------------------------------------------------------------------------
FLAT = """
codebook: flat
title: Flat
questions:
  - id: Q1
    side: trainers
    text: q
codes:
  - name: Stage
    parent: "Parcours/Immersion"
    questions: [Q1]
  - name: Parcours
  - name: Immersion
    parent: Parcours
    colour: "#00ff00"
  - name: Tutorat
    parent: "parcours/immersion/stage"
    children:
      - name: Suivi
"""


def test_flat_parent_form(tmp_path):
    cb = load_codebook(write(tmp_path, FLAT))
    assert [p for p, _ in cb.iter_codes()] == [
        "Parcours", "Parcours/Immersion", "Parcours/Immersion/Stage",
        "Parcours/Immersion/Stage/Tutorat", "Parcours/Immersion/Stage/Tutorat/Suivi"]
    assert cb.find("Parcours/Immersion").colour == "#00FF00"
    # dumping gives the nested form, which loads to the same codebook
    assert "parent:" not in dump_codebook(cb)
    assert loads_codebook(dump_codebook(cb)) == cb


def test_flat_unknown_parent(tmp_path):
    errs = errors_of(tmp_path, FLAT.replace('parent: "Parcours/Immersion"', 'parent: "Parcours/Immersoin"'))
    assert errs == [
        (9, "unknown parent 'Parcours/Immersoin' for code 'Stage': no code has this path"),
        (16, "code 'Tutorat' cannot be placed: its parent 'parcours/immersion/stage' is itself "
             "not placed (line 9)"),
    ]


def test_flat_cycle(tmp_path):
    errs = errors_of(tmp_path, """
        codebook: c
        title: t
        questions: []
        codes:
          - name: A
            parent: C
          - name: B
            parent: A
          - name: C
            parent: "X/B"
          - name: Self
            parent: Self
          - name: Orphan
            parent: Nowhere
        """)
    assert [line for line, _ in errs] == [6, 8, 10, 12, 14]
    assert "cycle in 'parent' links: A → C → B → A" in errs[0][1]
    assert all("cycle" in m for _, m in errs[:4])
    assert "Self → Self" in errs[3][1]
    assert "unknown parent 'Nowhere'" in errs[4][1]


def test_parent_only_at_top_level(tmp_path):
    p = only_error(tmp_path, VALID.replace('          - name: "Stage"\n',
                                           '          - name: "Stage"\n            parent: Parcours\n'))
    assert p.line == 37 and "'parent' is only allowed" in p.message


def test_flat_duplicate_after_attach(tmp_path):
    text = FLAT + "  - name: IMMERSION\n    parent: Parcours\n"
    p = only_error(tmp_path, text)
    assert p.line == 19 and "duplicate code name 'IMMERSION' under 'Parcours'" in p.message


def test_guid_key(tmp_path):
    text = VALID.replace('  - name: "Opérateurs"\n',
                         '  - name: "Opérateurs"\n    guid: "{0B6F3C1E-9A52-4D7A-8B11-2F0C3D4E5F60}"\n')
    cb = load_codebook(write(tmp_path, text))
    assert cb.find("Opérateurs").guid == "0b6f3c1e-9a52-4d7a-8b11-2f0c3d4e5f60"
    p = only_error(tmp_path, text.replace("{0B6F3C1E-9A52-4D7A-8B11-2F0C3D4E5F60}", "nope"))
    assert p.line == 38 and "bad guid" in p.message


# ---------------------------------------------------------------------------
# REFI-QDA .qdc
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def test_export_validates_against_xsd(tmp_path, schema):
    out = tmp_path / "demo.qdc"
    export_qdc(sample_codebook(), out)
    doc = etree.parse(str(out))
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    assert root.get("origin") == "Workbench 0.1"
    ns = {"q": "urn:QDA-XML:codebook:1.0"}
    top = root.findall("q:Codes/q:Code", ns)
    assert [c.get("name") for c in top] == ["Parcours", "Yes"]
    assert top[0].get("color") == "#1F77B4" and top[0].get("isCodable") == "true"
    assert top[1].get("color") is None
    assert [c.get("name") for c in top[0].findall("q:Code", ns)] == ["Stage", "Emploi"]
    desc = top[0].find("q:Description", ns).text
    assert desc.startswith("Définition\nsur deux lignes.\n\nEt un paragraphe.\n\nRésumé : Résumé court\n")
    assert "Quand l'utiliser : Toujours.\n  Sauf exception.\n" in desc
    assert "Quand ne pas l'utiliser : Jamais : vraiment.\n" in desc
    assert desc.endswith("Questions évaluatives : D-B1, D-T1")
    sets = root.findall("q:Sets/q:Set", ns)
    assert [s.get("name") for s in sets] == ["D-B1 — Quel apport ?", "D-T1 — Quelles pratiques ?",
                                             "D-O1 — Sans code ?"]
    guids = {c.get("name"): c.get("guid") for c in root.iter("{*}Code")}
    assert [m.get("guid") for m in sets[1].findall("q:MemberCode", ns)] == [guids["Parcours"], guids["Stage"]]
    assert sets[2].findall("q:MemberCode", ns) == []


def test_shipped_codebooks_export_valid_qdc(tmp_path, schema):
    for path in SHIPPED:
        out = tmp_path / (path.stem + ".qdc")
        export_qdc(load_codebook(path), out)
        assert schema.validate(etree.parse(str(out))), (path, schema.error_log)


def test_guids_stable_and_explicit(tmp_path):
    cb = sample_codebook()
    a, b = tmp_path / "a.qdc", tmp_path / "b.qdc"
    export_qdc(cb, a)
    export_qdc(cb, b)
    assert a.read_bytes() == b.read_bytes()
    guids = {c.get("name"): c.get("guid") for c in etree.parse(str(a)).iter("{*}Code")}
    assert guids["Stage"] == code_guid("demo", "Parcours/Stage")
    assert guids["Emploi"] == "0b6f3c1e-9a52-4d7a-8b11-2f0c3d4e5f60"
    assert code_guid("other", "Parcours/Stage") != guids["Stage"]


def test_qdc_round_trip(tmp_path):
    cb = sample_codebook()
    out = tmp_path / "demo.qdc"
    export_qdc(cb, out)
    back, warnings = read_qdc(out)
    assert warnings == []
    assert back == cb


def test_qdc_round_trip_from_yaml(tmp_path):
    cb = load_codebook(write(tmp_path, VALID))
    export_qdc(cb, tmp_path / "v.qdc")
    assert import_qdc(tmp_path / "v.qdc") == cb


def test_description_format_parse():
    code = sample_codebook().codes[0]
    fields = parse_description(format_description(code))
    assert fields == {"definition": code.definition, "short": code.short,
                      "when_to_use": code.when_to_use, "when_not_to_use": code.when_not_to_use,
                      "example": code.example, "questions": code.questions}
    # only a definition, or only labelled lines
    assert format_description(CodeDef("x", definition="d")) == "d"
    assert parse_description("Exemple : e\nQuestions évaluatives : A, B") == {
        "definition": "", "short": "", "when_to_use": "", "when_not_to_use": "",
        "example": "e", "questions": ("A", "B")}
    # another tool's free text stays the definition; typographic apostrophe accepted
    free = "Erősen szkeptikus (piros)\nEnyhén szkeptikus\nExemple: pas un champ"
    assert parse_description(free)["definition"] == free
    assert parse_description("Déf.\n\nQuand l’utiliser : ici")["when_to_use"] == "ici"


QUIRKY = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1:0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
          xsi:schemaLocation="urn:QDA-XML:codebook:0:4 Codebook.xsd" origin="NVivo for Mac">
  <Codes>
    <Code guid="{A1B2C3D4-0000-4000-8000-000000000001}" name="Thèmes" isCodable="false">
      <Code guid="a1b2c3d4-0000-4000-8000-000000000002" name="Immersion" isCodable="true" color="ff8800">
        <Description>Stage en entreprise.</Description>
      </Code>
      <Code guid="a1b2c3d4-0000-4000-8000-000000000003" name="Tutorat" isCodable="true" color="#0a0"/>
      <Code guid="a1b2c3d4-0000-4000-8000-000000000004" name="tutorat" isCodable="true" color="blue"/>
      <Code guid="a1b2c3d4-0000-4000-8000-000000000005" name="Avant/après" isCodable="true"/>
    </Code>
  </Codes>
  <Sets>
    <Set guid="a1b2c3d4-0000-4000-8000-0000000000aa" name="Mes codes favoris">
      <MemberCode guid="a1b2c3d4-0000-4000-8000-000000000002"/>
    </Set>
  </Sets>
</CodeBook>
"""


def test_import_vendor_quirks(tmp_path):
    path = tmp_path / "Nvivo Mac export.qdc"
    path.write_text(QUIRKY, encoding="utf-8")
    cb, warnings = read_qdc(path)
    assert cb.id == "nvivo-mac-export" and cb.title == "Nvivo Mac export"
    assert [p for p, _ in cb.iter_codes()] == [
        "Thèmes", "Thèmes/Immersion", "Thèmes/Tutorat", "Thèmes/tutorat (2)", "Thèmes/Avant∕après"]
    themes = cb.find("Thèmes")
    assert themes.colour is None and themes.guid == "a1b2c3d4-0000-4000-8000-000000000001"
    assert cb.find("Thèmes/Immersion").colour == "#FF8800"
    assert cb.find("Thèmes/Immersion").definition == "Stage en entreprise."
    assert cb.find("Thèmes/Tutorat").colour == "#00AA00"
    assert cb.find("Thèmes/tutorat (2)").colour is None
    assert cb.questions == ()                  # "Mes codes favoris" is not one of ours
    assert [w.line for w in warnings] == [3, 10, 10, 11]
    assert "non-standard namespace 'urn:QDA-XML:codebook:1:0'" in warnings[0].message
    assert all(w.severity == "warning" for w in warnings)


def test_import_project_namespace_and_plain(tmp_path):
    plain = QUIRKY.replace(' xmlns="urn:QDA-XML:codebook:1:0"', "")
    (tmp_path / "plain.qdc").write_text(plain, encoding="utf-8")
    assert import_qdc(tmp_path / "plain.qdc").count() == 5


def test_import_malformed_xml_names_line(tmp_path):
    path = tmp_path / "bad.qdc"
    path.write_text(QUIRKY.replace('name="Tutorat" isCodable="true" color="#0a0"/>',
                                   'name="Tutorat" isCodable="true" color="#0a0">'), encoding="utf-8")
    with pytest.raises(CodebookError) as exc:
        import_qdc(path)
    [p] = exc.value.problems
    assert p.line == 13 and "malformed XML" in p.message    # where the parser notices
    assert str(p).startswith(f"{path}:13: ")


def test_import_refuses_entities(tmp_path):
    path = tmp_path / "lol.qdc"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE CodeBook [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
                    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                    '<Code guid="a1b2c3d4-0000-4000-8000-000000000001" name="&b;" isCodable="true"/>'
                    "</Codes></CodeBook>\n", encoding="utf-8")
    with pytest.raises(CodebookError) as exc:
        import_qdc(path)
    assert "DOCTYPE" in str(exc.value)
    ext = tmp_path / "ext.qdc"
    ext.write_text('<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "http://example.invalid/x.dtd">\n'
                   "<CodeBook/>\n", encoding="utf-8")
    with pytest.raises(CodebookError):
        import_qdc(ext)


def test_import_not_a_codebook(tmp_path):
    path = tmp_path / "x.qdc"
    path.write_text("<html/>", encoding="utf-8")
    with pytest.raises(CodebookError) as exc:
        import_qdc(path)
    assert "root element is <html>" in str(exc.value)


def _nvivo_codebook_as_qdc(tmp_path) -> Path:
    with zipfile.ZipFile(NVIVO) as zf:
        project = etree.fromstring(zf.read("project.qde"),
                                   etree.XMLParser(resolve_entities=False, no_network=True))
    codes = project.find("{urn:QDA-XML:project:1.0}CodeBook/{urn:QDA-XML:project:1.0}Codes")
    book = etree.Element("{urn:QDA-XML:codebook:1.0}CodeBook", nsmap={None: "urn:QDA-XML:codebook:1.0"})
    book.set("origin", "NVivo for Windows 12.6")
    for el in codes.iter():           # move into the codebook namespace
        el.tag = "{urn:QDA-XML:codebook:1.0}" + etree.QName(el).localname
    book.append(codes)
    etree.cleanup_namespaces(book)
    out = tmp_path / "nvivo12.qdc"
    etree.ElementTree(book).write(str(out), xml_declaration=True, encoding="UTF-8")
    return out


def test_import_nvivo12_codebook(tmp_path, schema):
    qdc = _nvivo_codebook_as_qdc(tmp_path)
    assert schema.validate(etree.parse(str(qdc))), schema.error_log
    cb, warnings = read_qdc(qdc)
    assert warnings == []
    assert cb.count() == 152
    assert cb.id == "nvivo12"
    first = cb.codes[0]
    assert first.name == "1. Oltás típusa" and first.definition == "COVID vay nem COVID"
    assert [c.name for c in first.children] == ["COVID", "Nem COVID"]
    assert first.guid == "5067d381-1dc9-4816-81dd-ae1dbfea2ad7"   # vendor guids kept
    # the whole .qdpx (the project's <CodeBook>) gives the same codes
    assert import_qdc(NVIVO).codes == cb.codes
    # and re-exporting keeps the vendor's guids and validates
    export_qdc(cb, tmp_path / "again.qdc")
    assert schema.validate(etree.parse(str(tmp_path / "again.qdc")))
    assert import_qdc(tmp_path / "again.qdc").codes == cb.codes


def test_sets_are_authoritative_for_links(tmp_path):
    """Another tool removed 'Stage' from question D-T1's set and added 'Yes'."""
    cb = sample_codebook()
    out = tmp_path / "edited.qdc"
    export_qdc(cb, out)
    doc = etree.parse(str(out))
    ns = "{urn:QDA-XML:codebook:1.0}"
    sets = doc.getroot().find(ns + "Sets")
    t1 = [s for s in sets if s.get("name").startswith("D-T1")][0]
    t1.remove(t1.findall(ns + "MemberCode")[1])
    etree.SubElement(t1, ns + "MemberCode").set("guid", code_guid("demo", "Yes"))
    doc.write(str(out))
    back = import_qdc(out)
    assert back.find("Parcours/Stage").questions == ()
    assert back.find("Yes").questions == ("D-T1",)
    assert back.find("Parcours").questions == ("D-B1", "D-T1")


def test_questions_from_foreign_sets(tmp_path):
    """Sets named like ours but without our description (e.g. recreated by hand)."""
    xml = ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
           '<Code guid="a1b2c3d4-0000-4000-8000-000000000001" name="A" isCodable="true"/></Codes>'
           '<Sets><Set guid="a1b2c3d4-0000-4000-8000-0000000000aa" name="AV-B1 — Quel apport ?">'
           '<MemberCode guid="a1b2c3d4-0000-4000-8000-000000000001"/></Set></Sets></CodeBook>')
    path = tmp_path / "f.qdc"
    path.write_text(xml, encoding="utf-8")
    cb, warnings = read_qdc(path)
    assert [(q.id, q.text, q.side) for q in cb.questions] == [("AV-B1", "Quel apport ?", "")]
    assert cb.find("A").questions == ("AV-B1",)
    assert len(warnings) == 1 and "side" in warnings[0].message


def test_export_empty_codebook_refused(tmp_path):
    with pytest.raises(ValueError):
        export_qdc(Codebook(id="e", title="E"), tmp_path / "e.qdc")


# ---------------------------------------------------------------------------
# diff
# ---------------------------------------------------------------------------
def test_diff_identical():
    cb = sample_codebook()
    assert diff_codebooks(cb, cb) == []
    assert format_changes([]) == "no changes"


def _replace_code(cb: Codebook, path: str, **changes) -> Codebook:
    from dataclasses import replace

    def walk(code: CodeDef, prefix: str) -> CodeDef:
        p = f"{prefix}/{code.name}" if prefix else code.name
        code = replace(code, children=tuple(walk(c, p) for c in code.children))
        return replace(code, **changes) if p == path else code
    return replace(cb, codes=tuple(walk(c, "") for c in cb.codes))


def test_diff_changes():
    from dataclasses import replace
    a = sample_codebook()
    b = _replace_code(a, "Parcours/Emploi", name="Insertion")                 # renamed (guid)
    b = _replace_code(b, "Parcours", definition="Nouvelle", colour="#000000")
    b = _replace_code(b, "Parcours/Stage", name="Stages")                    # no guid: removed+added
    b = replace(b, title="Nouveau titre", questions=(
        replace(a.questions[0], text="Autre ?"), a.questions[1],
        EvaluationQuestion("D-N1", "avenir", "ecosystem", "Nouvelle ?", "", True)))
    b = replace(b, codes=b.codes + (CodeDef("Ajout"),))
    changes = diff_codebooks(a, b)
    kinds = [(c.kind, c.path, c.field) for c in changes]
    assert ("metadata_changed", "", "title") in kinds
    assert ("question_changed", "D-B1", "text") in kinds
    assert ("question_added", "D-N1", None) in kinds
    assert ("question_removed", "D-O1", None) in kinds
    assert ("code_changed", "Parcours", "definition") in kinds
    assert ("code_changed", "Parcours", "colour") in kinds
    assert ("code_renamed", "Parcours/Insertion", "name") in kinds
    assert ("code_added", "Parcours/Stages", None) in kinds
    assert ("code_removed", "Parcours/Stage", None) in kinds
    assert ("code_added", "Ajout", None) in kinds
    renamed = next(c for c in changes if c.kind == "code_renamed")
    assert renamed.old_path == "Parcours/Emploi"
    assert str(renamed) == "~ code renamed: Parcours/Emploi → Parcours/Insertion"
    text = format_changes(changes)
    assert "~ code Parcours: colour: '#1F77B4' → '#000000'" in text


def test_diff_moves_carry_children():
    from dataclasses import replace
    a = sample_codebook()
    stage = a.find("Parcours/Stage")
    parcours = a.codes[0]
    b = replace(a, codes=(replace(parcours, children=(parcours.children[1],)), a.codes[1], stage))
    changes = diff_codebooks(a, b)
    assert [(c.kind, c.path, c.old_path) for c in changes] == [("code_moved", "Stage", "Parcours/Stage")]
    # renaming a parent with a guid: children follow without being reported
    a2 = _replace_code(a, "Parcours", guid="11111111-2222-4333-8444-555555555555")
    b2 = _replace_code(a2, "Parcours", name="Trajectoire")
    changes = diff_codebooks(a2, b2)
    assert [(c.kind, c.path) for c in changes] == [("code_renamed", "Trajectoire")]


# ---------------------------------------------------------------------------
# shipped codebooks and purity
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_codebook_is_clean(path, tmp_path):
    problems = validate_codebook_file(path)
    assert [str(p) for p in problems] == []          # no errors and every question covered
    cb = load_codebook(path)
    assert cb.id == path.stem
    assert cb.questions and cb.codes
    assert loads_codebook(dump_codebook(cb)) == cb
    export_qdc(cb, tmp_path / "x.qdc")
    assert import_qdc(tmp_path / "x.qdc") == cb


def test_codebook_package_is_pure():
    code = ("import sys, workbench.codebook, workbench.codebook.diff; "
            "bad = [m for m in ('textual', 'click', 'sqlite3', 'sqlite_utils', 'urllib.request', "
            "'http.client', 'requests') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
