"""Hostile input, faults and limits (issue #16): every bad file is that file's clear
error, a batch goes on, nothing escapes as a traceback, the project is unchanged.

Every hostile file is built here (see ``hostile_files.py``); the project's content is
compared by checksum before and after.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import hostile_files as H
from workbench import i18n
from workbench.cli import main
from workbench.domain import ValidationError, WorkbenchError
from workbench.ingest.model import ImportFileError
from workbench.ingest.parsers import parse_file
from workbench.project import Project
from workbench.safety.text import clean_text, clean_text_map, xml_safe
from workbench.store.errors import DamagedProjectError, DiskFullError, NotAProjectError


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    return H.build_bad_files(tmp_path_factory.mktemp("hostile") / "mauvais")


# ------------------------------------------------------------------ parser errors

def test_every_bad_file_is_its_own_clear_error(bad_files):
    assert len(bad_files) > 40
    for path in bad_files:
        with pytest.raises(ImportFileError) as info:
            parse_file(path)
        message = str(info.value)
        assert message.startswith(str(path)), message
        assert "Traceback" not in message and len(message.splitlines()) == 1, message


def test_folder_import_goes_on_names_each_file_and_changes_nothing(tmp_path, bad_files):
    proj = tmp_path / "p.wbproj"
    assert run("init", proj).exit_code == 0
    before = H.project_checksum(proj)
    r = run("import", proj, bad_files[0].parent)
    assert r.exit_code == 1
    assert "Traceback" not in r.output and r.exception is None or isinstance(r.exception, SystemExit)
    for path in bad_files:
        assert path.name in r.stderr, path.name
    assert f"0 imported, {len(bad_files)} failed" in r.stderr.splitlines()[-1]
    assert H.project_checksum(proj) == before
    # with one good file among them: it is imported, the others named, the summary printed
    good = bad_files[0].parent / "zz_bon.txt"
    good.write_text(H.GOOD_TXT, encoding="utf-8")
    try:
        r = run("import", proj, bad_files[0].parent)
    finally:
        good.unlink()
    assert r.exit_code == 1
    assert f"1 imported, {len(bad_files)} failed" in r.stderr
    with Project.open(proj) as p:
        assert list(p.documents()["name"]) == ["zz_bon"]


#: Every command that reads a file the user names (besides ``import`` of transcripts,
#: above), by the kind of file it expects.
FILE_COMMANDS = {
    ".yaml": [("codebook", "import", "{proj}", "{bad}"), ("codebook", "validate", "{bad}"),
              ("codebook", "diff", "{bad}", "{bad}")],
    ".qdc": [("codebook", "import", "{proj}", "{bad}"), ("codebook", "validate", "{bad}")],
    ".csv": [("participants", "import", "{proj}", "{bad}")],
    ".tsv": [("participants", "import", "{proj}", "{bad}")],
    ".xlsx": [("participants", "import", "{proj}", "{bad}")],
    ".qdpx": [("import", "{proj}", "{bad}"), ("merge", "{proj}", "{bad}"),
              ("merge", "{proj}", "{bad}", "--preview")],
    ".wbproj": [("merge", "{proj}", "{bad}"), ("info", "{bad}"), ("check", "{bad}"),
                ("search", "{bad}", "formation"), ("codings", "{bad}"),
                ("export", "table", "{bad}", "{out}"), ("export", "qdpx", "{bad}", "{out}.qdpx")],
}


@pytest.mark.parametrize("ext", sorted(FILE_COMMANDS))
def test_every_command_that_reads_a_file_names_it(tmp_path, interview_txt, ext):
    """Binary junk, an empty file and a zip of something else, given to every command
    that reads such a file: exit 1, one line naming the file, no traceback, the project
    unchanged."""
    proj = tmp_path / "p.wbproj"
    assert run("init", proj).exit_code == 0
    assert run("import", proj, interview_txt).exit_code == 0
    before = H.project_checksum(proj)
    d = tmp_path / "mauvais"
    d.mkdir()
    for bad in (H.binary_junk(d, ext), H.empty_file(d, ext), H.zip_disguised(d, ext)):
        for command in FILE_COMMANDS[ext]:
            args = [a.format(proj=proj, bad=bad, out=tmp_path / "t.xlsx") for a in command]
            r = run(*args)
            what = " ".join(command[:2]) + f" {bad.name}"
            assert r.exit_code == 1, (what, r.output)
            assert r.exception is None or isinstance(r.exception, SystemExit), (what, r.exception)
            assert "Traceback" not in r.output, what
            assert bad.name in r.stderr, (what, r.stderr)
    assert H.project_checksum(proj) == before
    assert not list(tmp_path.glob("t.xlsx*"))


def test_unexpected_library_error_is_the_files_error(tmp_path, monkeypatch):
    """A parser library raising anything (here a TypeError deep in python-docx, which
    reads the Word files the direct reader leaves to it) becomes that file's error; the
    batch goes on to the next file."""
    import docx

    from workbench.ingest.parsers import _docx

    def broken(*args, **kwargs):
        raise TypeError("'NoneType' object is not subscriptable")

    def left_to_python_docx(path):
        raise _docx._Unexpected
    monkeypatch.setattr(_docx, "_read_fast", left_to_python_docx)
    d = tmp_path / "lot"
    d.mkdir()
    (d / "a.docx").write_bytes(H.good_docx_bytes())
    (d / "b.txt").write_text(H.GOOD_TXT, encoding="utf-8")
    monkeypatch.setattr(docx, "Document", broken)
    with Project.create(tmp_path / "p.wbproj") as p:
        report = p.import_files([d])
    assert [r.status for r in report.results] == ["failed", "imported"]
    assert report.results[0].message.startswith(str(d / "a.docx") + ": cannot read this file")


# ------------------------------------------------------------------ sanitising

def test_clean_text_classes_by_hand():
    raw = "ab\x1b[31mcd\x00e\r\nf\ud800g\th\x85i\x07"
    c = clean_text_map(raw)
    assert c.text == "abcde\nf\ufffdg\th\ni"
    # dropped by hand: ESC [ 3 1 m (5), NUL (1), the CR of CR LF (1), BEL (1); NEL becomes
    # a line feed (same length); one lone surrogate replaced
    assert (c.dropped, c.replaced) == (8, 1)
    # offsets worked out by hand: 'c' at 7 -> 2, NUL at 9 -> 4 (where 'e' now is),
    # 'f' at 13 -> 6, the surrogate at 14 -> 7, 'g' at 15 -> 8, the end 21 -> 13
    assert [c.offset(i) for i in (0, 2, 7, 9, 10, 13, 14, 15, 21)] == [0, 2, 2, 4, 4, 6, 7, 8, 13]
    assert clean_text("déjà\tvu\n") == "déjà\tvu\n"           # tab and newline kept
    assert xml_safe("a\x00b\x1bc") == "a\ufffdb\ufffdc"         # same length for exports


@pytest.mark.parametrize("builder", H.SANITISED_BUILDERS, ids=lambda b: b.__name__)
def test_control_characters_never_enter_a_project(tmp_path, builder):
    path = builder(tmp_path)
    with Project.create(tmp_path / "p.wbproj") as p:
        report = p.import_files([path])
        assert report.imported, report.results
        doc = p.document(report.imported[0].document_id)
        text = p.text(doc.id)
        assert clean_text(text) == text and "\x1b" not in text and "\x00" not in text
        for seg in p.segments(doc.id):          # offsets still point at the turns
            body = text[seg.start:seg.end]
            assert body and body == body.strip()
            if seg.speaker:
                assert body.startswith(seg.speaker)


def test_exports_survive_control_characters_already_stored(tmp_path, interview_txt):
    """A project written by an older version may hold NUL and ESC: every export works."""
    path = tmp_path / "ancien.wbproj"
    with Project.create(path) as p:
        p.import_files([interview_txt])
        code = p.create_code("Immersion\x1b")
        text = p.text("entretien_karima")
        start = text.index("Alors l'immersion")        # a respondent's words, quoted
        p.apply_code("entretien_karima", code, start, text.index("municipale") + 12)
        p.add_memo("project", None, "note \x00 avec NUL")
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE documents SET text = replace(text, 'crèche', 'cr' || char(0) || "
                    "char(27) || 'che'), name = name || char(7)")
    con.close()
    with Project.open(path) as p:
        out = tmp_path / "exports"
        p.export_report(out / "r.docx")
        p.export_tables(out / "t.xlsx")
        p.export_tables(out / "t.csv", names=["extraits"])
        p.export_excerpts(out / "e.docx")
    for name in ("r.docx", "t.xlsx", "t.csv", "e.docx"):
        assert (out / name).stat().st_size > 0
    from docx import Document
    body = "\n".join(par.text for par in Document(str(out / "e.docx")).paragraphs)
    assert "\ufffd" in body and "\x1b" not in body


# ------------------------------------------------------------------ nesting and size

@pytest.mark.parametrize("query, message", [
    ("(" * 200 + "A" + ")" * 200, "nested too deeply"),
    ("NOT " * 300 + "A", "nested too deeply"),
    (" AND NOT ".join(f"C{i}" for i in range(200)), "nested too deeply"),
    (" OR ".join(f'"C{i}"' for i in range(3000)), "too long"),
    ("A WHERE " + "(" * 100 + "age = 1" + ")" * 100, "nested too deeply"),
], ids=["parentheses", "not", "and-not-chain", "3000-terms", "where-parentheses"])
def test_query_limits_give_clear_errors(project, query, message):
    from workbench.query.language import QueryError, parse
    with pytest.raises(QueryError, match=message):
        parse(query)


def test_a_thousand_alternatives_are_parsed_and_evaluated(tmp_path, project, interview_txt):
    from workbench.query.language import Or, parse
    project.import_files([interview_txt])
    book = tmp_path / "mille.yaml"
    book.write_text("codebook: mille\ntitle: Mille\nquestions: []\ncodes:\n"
                    + "".join(f"  - name: C{i}\n" for i in range(1000)), encoding="utf-8")
    project.import_codebook(book)
    text = project.text("entretien_karima")
    project.apply_code("entretien_karima", "C999", 0, 10)
    q = " OR ".join(f'"C{i}"' for i in range(1000))
    tree = parse(q).expr
    depth, stack = 0, [(tree, 1)]
    while stack:                         # balanced: about log2(1000) levels, not 1000
        node, d = stack.pop()
        depth = max(depth, d)
        if isinstance(node, Or):
            stack += [(node.left, d + 1), (node.right, d + 1)]
    assert depth <= 11
    assert len(project.query(q)) == 1
    assert text


def test_search_is_bounded(project, interview_txt):
    project.import_files([interview_txt])
    with pytest.raises(ValidationError, match="too long"):
        project.search(" ".join(["formation"] * 20_000))
    with pytest.raises(ValidationError, match="too many words"):
        project.search(" ".join(f"mot{i}" for i in range(100)))
    assert len(project.search("immersion")) == 2


def test_deep_yaml_is_refused_with_its_line(tmp_path):
    from workbench.codebook.yaml_format import parse_codebook
    text = "codebook: x\ntitle: X\nquestions: []\ncodes: " + "[" * 20_000 + "]" * 20_000 + "\n"
    cb, problems = parse_codebook(text, "profond.yaml")
    assert cb is None and problems[0].line == 4 and "nested too deeply" in problems[0].message


def _deep_codebook_yaml(levels: int, flat: bool) -> str:
    head = "codebook: x\ntitle: X\nquestions: []\ncodes:\n"
    if flat:
        lines, path = [], []
        for i in range(levels):
            lines.append(f"  - name: c{i}\n" + (f"    parent: {'/'.join(path)}\n" if path else ""))
            path.append(f"c{i}")
        return head + "".join(lines)
    body, indent = [], "  "
    for i in range(levels):
        body.append(f"{indent}- name: c{i}\n{indent}  children:\n")
        indent += "    "
    return head + "".join(body) + f"{indent}- name: fin\n"


@pytest.mark.parametrize("flat, levels", [(True, 300), (False, 2000)],
                         ids=["parent-links", "nested-children"])
def test_2000_level_code_hierarchy_is_refused(tmp_path, project, flat, levels):
    """Nested ``children`` (2,000 levels) or flat ``parent:`` paths (300 levels: the file
    grows with the square of the depth) are refused with a line, without recursing."""
    path = tmp_path / "profond.yaml"
    path.write_text(_deep_codebook_yaml(levels, flat), encoding="utf-8")
    with pytest.raises(ValidationError, match=r"profond\.yaml:\d+: .*(levels deep|nested too deeply)"):
        project.import_codebook(path)
    assert project.info()["codes"] == 0


def test_2000_level_qdc_is_refused(tmp_path, project):
    inner = ""
    for i in reversed(range(2000)):
        inner = f'<Code guid="{i:08d}-0000-0000-0000-000000000000" name="c{i}" isCodable="true">{inner}</Code>'
    xml = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
           f"<Codes>{inner}</Codes></CodeBook>")
    path = tmp_path / "profond.qdc"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(ValidationError, match=r"profond\.qdc.*nested too deeply|levels deep"):
        project.import_codebook(path)


# ------------------------------------------------------------------ disk full

def test_full_database_says_so_and_keeps_the_project(tmp_path, interview_txt, french):
    path = tmp_path / "plein.wbproj"
    with Project.create(path) as p:
        p.import_files([interview_txt])
        p.create_code("Immersion")
    before = H.project_checksum(path)
    big = tmp_path / "long.txt"
    big.write_text("".join(f"Karima : phrase numéro {i} sur la formation.\n" for i in range(20_000)),
                   encoding="utf-8")
    with Project.open(path) as p:
        pages = p.store.conn.execute("PRAGMA page_count").fetchone()[0]
        p.store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        report = p.import_files([big, interview_txt])
        # the batch stops at the full disk (the next file would fail the same way)
        assert [r.status for r in report.results] == ["failed"]
        assert report.aborted.endswith("plein.wbproj\u00a0: le disque est plein\u00a0; rien "
                                       "n’a été écrit. Libérez de la place et recommencez.")
    assert H.project_checksum(path) == before
    with Project.open(path) as p:
        p.store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        acknowledged = 0
        with pytest.raises(DiskFullError, match="disque est plein"):
            for i in range(200):
                p.add_memo("project", None, "x" * 4000)
                acknowledged += 1
        p.store.conn.execute("PRAGMA max_page_count = 1073741823")
        assert len(p.memos()) == acknowledged        # every acknowledged memo, no other


def test_full_disk_on_export_leaves_nothing(tmp_path, interview_txt, monkeypatch):
    from workbench.safety import files
    with Project.create(tmp_path / "p.wbproj") as p:
        p.import_files([interview_txt])
        out = tmp_path / "exports"
        out.mkdir()
        # this process's system temp folder, watched alone (other test workers write
        # to the machine's /tmp meanwhile)
        tmpdir = tmp_path / "system-temp"
        tmpdir.mkdir()
        monkeypatch.setattr(tempfile, "tempdir", str(tmpdir))
        temp_before = set(tmpdir.iterdir())

        real_write = os.write

        def full(fd, data):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(files.os, "write", full)
        for name, shown in (("r.docx", "r.docx"), ("t.xlsx", "t.xlsx"), ("t.csv", "t-codes.csv")):
            with pytest.raises(DiskFullError, match=rf"{shown}: the disk is full"):
                if name.endswith(".docx"):
                    p.export_report(out / name)
                else:
                    p.export_tables(out / name)
        monkeypatch.setattr(files.os, "write", real_write)
        assert list(out.iterdir()) == []                      # no target, no .wbtmp
        assert set(tmpdir.iterdir()) <= temp_before | {p.path.parent}
        r = CliRunner().invoke(main, ["export", "table", str(p.path), str(out / "x.csv")])
        assert "not a Workbench project" not in r.output


def test_cli_export_on_full_disk_blames_the_disk(tmp_path, interview_txt, monkeypatch):
    from workbench.safety import files
    proj = tmp_path / "p.wbproj"
    run("init", proj)
    run("import", proj, interview_txt)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(files.os, "write", full)
    for args in (("export", "qdpx", proj, tmp_path / "x.qdpx"),
                 ("export", "table", proj, tmp_path / "x.xlsx")):
        r = run(*args)
        assert r.exit_code == 1, r.output
        assert "the disk is full" in r.stderr and "not a Workbench project" not in r.stderr
        assert "Traceback" not in r.output
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob(".*wbtmp"))


# ------------------------------------------------------------------ damaged files

def _corrupt_index(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = "
                       "'idx_segments_doc_start'").fetchone()[0]
    con.close()
    with open(path, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)


def test_damaged_project_is_named_on_open_and_never_a_raw_error(tmp_path, interview_txt):
    path = tmp_path / "abime.wbproj"
    with Project.create(path) as p:
        p.import_files([interview_txt])
    _corrupt_index(path)
    before = path.read_bytes()
    with pytest.raises(DamagedProjectError, match=r"abime\.wbproj: the project file is damaged"):
        Project.open(path)
    for args in (("info", path), ("search", path, "immersion"), ("code", path, "x")):
        r = run(*args)
        assert r.exit_code in (1, 2) and "Traceback" not in r.output
        if r.exit_code == 1:
            assert "damaged" in r.stderr
    # a file too big to check within the budget: damage found later is still named
    with Project.open(path, check=False) as p:
        with pytest.raises(DamagedProjectError):
            p.search("immersion")
            p.segments("entretien_karima")
            p.documents(coded=False)
    assert path.read_bytes() == before
    r = run("check", path)
    assert r.exit_code == 1 and "damaged" in r.stderr
    r = run("check", path, "--repair")
    assert r.exit_code == 0, r.output
    kept = list(tmp_path.glob("abime.damaged-*.wbproj"))
    assert len(kept) == 1 and kept[0].read_bytes() == before      # the damaged file, kept
    with Project.open(path) as p:                                 # the rebuilt one, sound
        assert len(p.search("immersion")) == 2
        assert p.check() == []
        assert p.text("entretien_karima") == interview_txt.read_text(encoding="utf-8").strip()


def test_what_is_not_a_project_is_refused_and_left_alone(tmp_path):
    empty = tmp_path / "vide.wbproj"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.wbproj"
    junk.write_bytes(os.urandom(4096))
    other = tmp_path / "autre.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t(x)")
    con.execute("INSERT INTO t VALUES (1)")
    con.commit()
    con.close()
    other_before = other.read_bytes()
    for path, message in ((empty, "empty file"), (junk, "not an SQLite file"),
                          (other, "not a Workbench project")):
        with pytest.raises(NotAProjectError, match=message):
            Project.open(path)
        r = run("info", path)
        assert r.exit_code == 1 and message in r.stderr and "Traceback" not in r.output
    assert empty.read_bytes() == b"" and other.read_bytes() == other_before
    assert not (tmp_path / "autre.db-wal").exists() or other.read_bytes() == other_before


def test_a_passage_too_long_for_one_segment_is_cut_at_spaces(tmp_path, project):
    """A 300,000-character line (a transcript without line breaks) becomes segments of
    at most MAX_SEGMENT_CHARS, cut at spaces, the text unchanged."""
    from workbench.safety.limits import MAX_SEGMENT_CHARS
    words = [f"mot{i}" for i in range(40_000)]
    path = tmp_path / "une_ligne.txt"
    long_turn = "Karima : " + " ".join(words)
    path.write_text(f"ENQ : Bonjour.\n{long_turn}\nENQ : Merci.\nKarima : De rien.\n",
                    encoding="utf-8")
    parsed = parse_file(path)
    assert "cut into segments" in parsed.warnings[-1]
    text = parsed.text
    pieces = [s for s in parsed.segments if s.speaker == "Karima"][:-1]
    # by hand: 10 words of 4 characters, 90 of 5, 900 of 6, 9,000 of 7 and 30,000 of 8
    # (308,890) + 39,999 spaces + "Karima : " = 348,898 characters: 4 pieces of < 100,000
    assert len(long_turn) == 348_898 and len(pieces) == 4
    for seg in pieces:
        assert seg.end - seg.start <= MAX_SEGMENT_CHARS
        assert text[seg.start:seg.end] == text[seg.start:seg.end].strip()
    assert " ".join(text[s.start:s.end] for s in pieces) == long_turn       # nothing lost
    assert pieces[0].body_start == pieces[0].start + len("Karima : ")
    assert all(s.body_start in (None, s.start) for s in pieces[1:])
    project.import_files([path])
    assert len(project.search("mot39999")) == 1



# ------------------------------------------------------------------ REFI-QDA (.qdpx)

@pytest.mark.parametrize("builder", H.QDPX_BAD_BUILDERS, ids=lambda b: b.__name__)
def test_bad_qdpx_is_refused_clearly_and_changes_nothing(tmp_path, builder, interview_txt):
    proj = tmp_path / "p.wbproj"
    run("init", proj)
    run("import", proj, interview_txt)
    before = H.project_checksum(proj)
    path = builder(tmp_path)
    r = run("import", proj, path)
    assert r.exit_code == 1, r.output
    assert path.name in r.stderr and "Traceback" not in r.output
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert H.project_checksum(proj) == before


def test_nested_docx_bomb_is_refused_by_the_shared_budget(tmp_path, project):
    from workbench.export.qdpx.common import QdpxError
    path = H.qdpx_nested_docx_bomb(tmp_path)
    with pytest.raises(QdpxError, match=r"bombe_imbriquee\.qdpx: sources/b\.docx.*zip bomb"):
        project.import_qdpx(path)


def test_qdpx_source_control_characters_removed_and_codings_follow(tmp_path, project):
    """By hand: "Karima : la \x1b[1mformation\x1b[0m, vraiment." -- the selection
    [16, 25) of the file is "formation" after "\x1b[1m" (4 characters); removed, the
    coding is [12, 21) of "Karima : la formation, vraiment."."""
    text = "Karima : la \x1b[1mformation\x1b[0m, vraiment."
    assert text[16:25] == "formation"
    path = H.qdpx(tmp_path / "controles.qdpx", text=text, selections=H.selection(16, 25))
    report = project.import_qdpx(path)
    assert any("control character" in w for w in report["warnings"])
    stored = project.text("entretien")
    assert stored == "Karima : la formation, vraiment."
    k = project.codings("entretien").iloc[0]
    assert (k.start, k.end) == (12, 21) and stored[12:21] == "formation"


def test_qdpx_export_survives_control_characters_already_stored(tmp_path, interview_txt):
    from workbench.export.qdpx import validate_qdpx
    path = tmp_path / "ancien.wbproj"
    with Project.create(path) as p:
        p.import_files([interview_txt])
        code = p.create_code("Immersion")
        p.apply_code("entretien_karima", code, 0, 20)
        p.add_memo("project", None, "note")
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE documents SET text = 'x' || char(0) || substr(text, 3), "
                    "name = name || char(27)")
        con.execute("UPDATE codes SET name = name || char(1)")
        con.execute("UPDATE memos SET text = text || char(8)")
    con.close()
    with Project.open(path) as p:
        p.export_qdpx(tmp_path / "out.qdpx")
    assert validate_qdpx(tmp_path / "out.qdpx") == []
    with Project.create(tmp_path / "retour.wbproj") as back:      # and it reads back
        back.import_qdpx(tmp_path / "out.qdpx")
        assert "\x00" not in back.text(back.documents().iloc[0]["name"])



# ------------------------------------------------------------------ XML hardening

def test_every_xml_parser_is_the_hardened_one():
    """XML is read through workbench.safety.xml only (no DTD, no entities, no network),
    and the libraries that parse on their own are configured so: python-docx's parser
    leaves entities unresolved, openpyxl reads through defusedxml."""
    import re
    root = Path(__file__).resolve().parent.parent / "workbench"
    offenders = []
    for f in root.rglob("*.py"):
        if f.relative_to(root).as_posix() == "safety/xml.py":
            continue
        src = f.read_text(encoding="utf-8")
        for pattern in (r"etree\.XMLParser\(", r"etree\.fromstring\([^,()]*\)",
                        r"etree\.parse\([^,()]*\)", r"\bminidom\b", r"xml\.sax",
                        r"ElementTree\.(fromstring|parse)\(", r"\bDET\."):
            for m in re.finditer(pattern, src):
                offenders.append(f"{f.relative_to(root)}: {m.group()}")
    assert offenders == []
    from docx.oxml.parser import parse_xml
    el = parse_xml(b'<!DOCTYPE r [<!ENTITY e "EXPANDED">]><r>&e;</r>')
    assert "EXPANDED" not in (el.text or "")
    import openpyxl
    assert openpyxl.DEFUSEDXML



# ------------------------------------------------------------------ a real full disk

@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (needs the right to mount: skipped where there is none)."""
    import shutil
    import subprocess
    mount = tmp_path / "petit_disque"
    mount.mkdir()
    if not shutil.which("mount") or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_a_real_full_disk(small_disk, tmp_path, french):
    src = tmp_path / "entretiens"
    src.mkdir()
    for i in range(40):
        (src / f"e{i:02d}.txt").write_text("".join(
            f"Karima : phrase {j} du fichier {i} sur la formation.\n" for j in range(800)),
            encoding="utf-8")
    with Project.create(small_disk / "p.wbproj") as p:
        report = p.import_files([src])
        assert report.aborted.endswith("le disque est plein\u00a0; rien n’a été écrit. "
                                       "Libérez de la place et recommencez.")
        imported = {r.document_id for r in report.imported}
        assert imported and report.failed
        with pytest.raises(DiskFullError, match="disque est plein"):
            p.export_report(small_disk / "rapport.docx")
    assert sorted(f.name for f in small_disk.iterdir()) == ["p.wbproj", "p.wbproj-shm",
                                                             "p.wbproj-wal"]
    with Project.open(small_disk / "p.wbproj") as p:       # what was acknowledged is there
        assert p.check() == [] and set(p.documents()["id"]) == imported
