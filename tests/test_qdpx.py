"""REFI-QDA exchange: the real NVivo export, schema validity, round trips, bad input."""
import zipfile
from pathlib import Path

import pytest

from workbench.export.qdpx import QdpxError, validate_qdpx
from workbench.project import Project

NVIVO = Path(__file__).resolve().parent / "fixtures" / "refi" / "nvivo12-export.qdpx"


def _spans(p):
    paths = p.code_paths()
    texts = {}
    out = []
    for k in p.codings().itertuples():
        if k.document_id not in texts:
            texts[k.document_id] = p.text(k.document_id)
        out.append((p.document(k.document_id).name, paths[k.code_id], k.coder,
                    texts[k.document_id][k.start:k.end]))
    return sorted(out)


@pytest.fixture
def coded(project, interview_txt, participants_csv):
    p = project
    p.import_participants(participants_csv)
    p.import_files([interview_txt], programme="avenir", actor_type="beneficiary",
                   speakers={"Karima": "P001"})
    p.create_code("Parcours", colour="#112233", definition="Le parcours.")
    p.create_code("Parcours/Entrée ∕ orientation", example="« ma conseillère »")
    p.create_code("Immersion")
    text = p.text("entretien_karima")
    s = text.index("ma conseillère")
    p.apply_code("entretien_karima", "Parcours/Entrée ∕ orientation", s, s + 30)
    s2 = text.index("l'immersion, c'était")
    p.apply_code("entretien_karima", "Immersion", s2, s2 + 60)
    p.add_coder("bruno")
    p.apply_code("entretien_karima", "Immersion", s2, s2 + 40, coder="bruno")
    p.add_memo("code", "Immersion", "Mémo sur l'immersion")
    p.add_memo("project", None, "Mémo secret", private=True)
    return p


def test_nvivo_sample_imports_152_codes_303_codings(project):
    summary = project.import_qdpx(NVIVO)
    assert summary["codes"] == 152
    assert summary["codings"] == 303
    assert summary["documents"] == 2
    assert project.info()["codes"] == 152
    assert project.info()["codings"] == 303
    assert {"Gergo", "floriansipos"} <= set(project.coders()["name"])
    # positions were UTF-16 code units on CRLF text: coded text starts on a word
    first = project.codings().sort_values("start").iloc[0]
    text = project.text(int(first.document_id))
    assert "\r" not in text
    assert text[first.start:first.end].startswith("Na mi van?")
    assert any("UTF-16" in w for w in summary["warnings"])


def test_export_is_schema_valid_and_private_free(coded, tmp_path):
    out = tmp_path / "p.qdpx"
    summary = coded.export_qdpx(out)
    assert validate_qdpx(out) == []
    assert summary["codings"] == 3 and summary["memos"] == 1
    xml = zipfile.ZipFile(out).read("project.qde").decode()
    assert "Mémo secret" not in xml and "Mémo sur l'immersion" in xml
    assert 'color="#112233"' in xml


def test_round_trip_keeps_every_span(coded, tmp_path):
    first = tmp_path / "a.qdpx"
    coded.export_qdpx(first)
    with Project.create(tmp_path / "b.wbproj", coder="autre") as b:
        summary = b.import_qdpx(first)
        assert summary["codings"] == 3 and summary["participants"] == 3
        assert _spans(b) == _spans(coded)
        assert b.code("Parcours")["colour"] == "#112233"
        assert b.code("Parcours/Entrée ∕ orientation")["example"] == "« ma conseillère »"
        assert b.document_participants("entretien_karima") == [
            {"participant_id": "P001", "speaker": "Karima"}]
        assert len(b.memos("code", "Immersion")) == 1
        second = tmp_path / "c.qdpx"
        b.export_qdpx(second)
        assert validate_qdpx(second) == []
    with Project.create(tmp_path / "c.wbproj", coder="autre") as c:
        c.import_qdpx(second)
        assert _spans(c) == _spans(coded)


def test_nvivo_round_trip(project, tmp_path):
    project.import_qdpx(NVIVO)
    out = tmp_path / "nv.qdpx"
    project.export_qdpx(out)
    assert validate_qdpx(out) == []
    with Project.create(tmp_path / "nv2.wbproj", coder="x") as other:
        assert other.import_qdpx(out)["codings"] == 303
        assert _spans(other) == _spans(project)


def _qdpx(tmp_path, qde: str, files: dict | None = None, name="bad.qdpx"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.qde", qde)
        for k, v in (files or {}).items():
            zf.writestr(k, v)
    return path


_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n'
_CODES = ('<CodeBook><Codes><Code guid="11111111-1111-1111-1111-111111111111" name="A/B" '
          'isCodable="true" color="ff0000"/></Codes></CodeBook>')


def _source(start, end, path="internal://s.txt"):
    return (f'<Sources><TextSource guid="22222222-2222-2222-2222-222222222222" name="doc" '
            f'plainTextPath="{path}"><PlainTextSelection guid="33333333-3333-3333-3333-333333333333" '
            f'startPosition="{start}" endPosition="{end}"><Coding guid="44444444-4444-4444-4444-'
            f'444444444444"><CodeRef targetGUID="11111111-1111-1111-1111-111111111111"/></Coding>'
            '</PlainTextSelection></TextSource></Sources>')


def test_vendor_quirks_tolerated(project, tmp_path):
    # ATLAS.ti names the file Trial.qde; NVivo for Mac writes another namespace spelling
    qde = (_HEAD + '<Project xmlns="urn:QDA-XML:project:1:0" name="x">' + _CODES
           + _source(0, 5) + "</Project>")
    path = tmp_path / "atlas.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Trial.qde", qde)
        zf.writestr("Sources/s.txt", "\ufeffBonjour\r\ntout le monde")
    summary = project.import_qdpx(path)
    assert summary["codings"] == 1
    assert project.code_paths()[project.code_id("A∕B")] == "A∕B"
    assert project.code("A∕B")["colour"] == "#FF0000"
    assert project.text("doc") == "Bonjour\ntout le monde"


@pytest.mark.parametrize("case, message", [
    ("broken", "not a valid .qdpx"),
    ("entity", "DOCTYPE"),
    ("outside", "outside the text"),
    ("missing", "missing from the archive"),
    ("bomb", "zip bomb"),
    ("malformed", "malformed XML in"),
    ("unknown_code", "unknown code"),
])
def test_bad_qdpx_imports_nothing(project, tmp_path, case, message):
    body = '<Project xmlns="urn:QDA-XML:project:1.0" name="x">' + _CODES
    files = {"Sources/s.txt": "Bonjour"}
    if case == "broken":
        path = tmp_path / "bad.qdpx"
        path.write_bytes(b"PK\x03\x04 this is not a zip")
    elif case == "entity":
        path = _qdpx(tmp_path, _HEAD + '<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                     + body + _source(0, 3) + "</Project>", files)
    elif case == "outside":
        path = _qdpx(tmp_path, _HEAD + body + _source(2, 99) + "</Project>", files)
    elif case == "missing":
        path = _qdpx(tmp_path, _HEAD + body + _source(0, 3, "internal://nope.txt") + "</Project>",
                     files)
    elif case == "bomb":
        path = _qdpx(tmp_path, _HEAD + body + _source(0, 3) + "</Project>",
                     {"Sources/s.txt": "Bonjour", "Sources/big.txt": "\0" * 50_000_000})
    elif case == "malformed":
        path = _qdpx(tmp_path, _HEAD + body + "<Sources>", files)
    else:
        path = _qdpx(tmp_path, _HEAD + body.replace("1111-111111111111", "1111-000000000000")
                     + _source(0, 3) + "</Project>", files)
    before = project.info()
    with pytest.raises(QdpxError, match=message):
        project.import_qdpx(path)
    after = project.info()
    assert {k: after[k] for k in ("documents", "codes", "codings", "memos")} == \
        {k: before[k] for k in ("documents", "codes", "codings", "memos")}


def test_nvivo_imported_twice_changes_nothing(project):
    first = project.import_qdpx(NVIVO)
    assert first["new"] == {"coders": 2, "codes": 152, "documents": 2, "selections": 303,
                            "codings": 303}
    info = project.info()
    again = project.import_qdpx(NVIVO)
    assert again["new"] == {} and again["conflicts"] == []
    assert again["matched"]["codings"] == 303 and project.info() == info


def test_cli_export_says_one_line_and_json_when_asked(coded, tmp_path):
    """`workbench export qdpx` says what it wrote in one line like every export (the CLI
    contract); the whole summary as JSON only with --format json."""
    import json

    from click.testing import CliRunner

    from workbench.cli import main
    path = coded.path
    coded.close()
    out = tmp_path / "projet.qdpx"
    r = CliRunner().invoke(main, ["export", "qdpx", str(path), str(out)])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"Written: {out} (1 document, 3 codes, 3 codings, 1 memo)"]
    r = CliRunner().invoke(main, ["export", "qdpx", str(path), str(out), "--format", "json"])
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert (summary["documents"], summary["codes"], summary["codings"], summary["memos"],
            summary["path"]) == (1, 3, 3, 1, str(out))
