"""Hostile input files, built in the test's folder: malformed, truncated, nested,
disguised, bombs, entities.  Each builder writes one file and returns its path.

``BAD`` builders make files that must be refused with a clear error naming the file;
``SANITISED`` builders make files that import once their control characters are gone.
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import sqlite3
import zipfile
from pathlib import Path

from workbench.ingest.parsers import SUPPORTED_EXTENSIONS

GOOD_TXT = ("ENQ : Bonjour, comment êtes-vous entrée dans le programme ?\n"
            "Karima : C'est ma conseillère qui m'a parlé de la formation.\n"
            "ENQ : Et l'immersion ?\n"
            "Karima : Trois semaines à la crèche, ça m'a redonné confiance.\n")

DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body>{body}</w:body></w:document>")


def _para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def good_docx_bytes() -> bytes:
    import docx
    d = docx.Document()
    for line in GOOD_TXT.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _replace_member(data: bytes, member: str, new: bytes | None, extra: dict | None = None) -> bytes:
    """A copy of the zip ``data`` with ``member`` replaced (or removed when None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename == member:
                if new is not None:
                    zout.writestr(item, new)
            else:
                zout.writestr(item, zin.read(item.filename))
        for name, payload in (extra or {}).items():
            zout.writestr(name, payload)
    return out.getvalue()


def _document(body_paragraphs: list[str]) -> str:
    return DOCUMENT_XML.format(body="".join(_para(p) for p in body_paragraphs))


# ----------------------------------------------------------------------------- builders

def docx_malformed(d: Path) -> Path:
    bad = _document(["Karima : bonjour"]).replace("</w:body>", "<w:p></w:body>").encode()
    return _write(d / "malforme.docx", _replace_member(good_docx_bytes(), "word/document.xml", bad))


def docx_utf16_declared_utf8(d: Path) -> Path:
    xml = _document(["Karima : bonjour"]).encode("utf-16-le")    # no BOM, says UTF-8
    return _write(d / "utf16_sans_bom.docx", _replace_member(good_docx_bytes(), "word/document.xml", xml))


def docx_utf16_doctype(d: Path) -> Path:
    xml = _document(["Karima : &lol;"]).replace(
        'standalone="yes"?>', 'standalone="yes"?>\n<!DOCTYPE w:document [<!ENTITY lol "lol">]>')
    xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")   # with BOM
    return _write(d / "utf16_entites.docx", _replace_member(good_docx_bytes(), "word/document.xml", xml))


def docx_doctype_after_comment(d: Path) -> Path:
    xml = _document(["Karima : bonjour"]).replace(
        'standalone="yes"?>', 'standalone="yes"?>\n<!-- ' + "x" * 5200 + ' -->\n'
        '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>')
    return _write(d / "doctype_loin.docx", _replace_member(good_docx_bytes(), "word/document.xml", xml.encode()))


def docx_external_entity(d: Path) -> Path:
    xml = _document(["Karima : &x;"]).replace(
        'standalone="yes"?>', 'standalone="yes"?>\n<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>')
    return _write(d / "xxe.docx", _replace_member(good_docx_bytes(), "word/document.xml", xml.encode()))


def docx_missing_document(d: Path) -> Path:
    return _write(d / "sans_document.docx", _replace_member(good_docx_bytes(), "word/document.xml", None))


def docx_truncated(d: Path) -> Path:
    data = good_docx_bytes()
    return _write(d / "tronque.docx", data[: len(data) // 2])


def docx_bomb(d: Path) -> Path:
    """A member that inflates 1000-fold to 300 MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good_docx_bytes())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        with zout.open("word/media/bombe.bin", "w") as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
    return _write(d / "bombe.docx", out.getvalue())


def docx_deep_nesting(d: Path) -> Path:
    """Tables nested 300 deep (libxml2's depth limit is 256)."""
    inner = _para("Karima : au fond")
    for _ in range(300):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>"
    xml = DOCUMENT_XML.format(body=inner).encode()
    return _write(d / "imbrique.docx", _replace_member(good_docx_bytes(), "word/document.xml", xml))


def docx_inside_docx(d: Path) -> Path:
    """A .docx whose document part is itself a zip (a nested archive)."""
    return _write(d / "gigogne.docx", _replace_member(good_docx_bytes(), "word/document.xml", good_docx_bytes()))


def odt_malformed(d: Path) -> Path:
    return _write(d / "malforme.odt", _odt('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"><office:body>'))


def odt_utf16_entity(d: Path) -> Path:
    xml = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY e "boum">]>\n'
           '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
           '<text:p>Karima : &e;</text:p></office:text></office:body></office:document-content>')
    return _write(d / "entites16.odt", _odt(xml.encode("utf-16")))


def odt_deep_spans(d: Path) -> Path:
    inner = "Karima : au fond"
    for _ in range(5000):
        inner = f'<text:span text:style-name="T1">{inner}</text:span>'
    xml = ('<?xml version="1.0" encoding="UTF-8"?>'
           '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
           f'<text:p>{inner}</text:p></office:text></office:body></office:document-content>')
    return _write(d / "imbrique.odt", _odt(xml))


def odt_truncated(d: Path) -> Path:
    data = _odt('<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    return _write(d / "tronque.odt", data[: len(data) * 2 // 3])


def _odt(content: str | bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
    return out.getvalue()


def xlsx_truncated(d: Path) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["locuteur", "texte"])
    wb.active.append(["Karima", "bonjour"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    return _write(d / "tronque.xlsx", data[: len(data) - 200])


def xlsx_entity(d: Path) -> Path:
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(["locuteur", "texte"])
    wb.active.append(["Karima", "bonjour"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    if sheet.startswith("<?xml"):
        decl, sheet = sheet.split("?>", 1)
        decl += "?>"
    else:
        decl = ""
    sheet = decl + '<!-- ' + "y" * 6000 + ' -->\n<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/hostname">]>' + sheet
    return _write(d / "entites.xlsx", _replace_member(data, "xl/worksheets/sheet1.xml", sheet.encode()))


def trs_entity_utf16(d: Path) -> Path:
    xml = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE Trans [<!ENTITY x "boum">]>\n'
           '<Trans><Episode><Section><Turn speaker="spk1">&x;</Turn></Section></Episode></Trans>')
    return _write(d / "entites16.trs", xml.encode("utf-16"))


def trs_malformed(d: Path) -> Path:
    return _write(d / "malforme.trs", b'<?xml version="1.0"?>\n<Trans>\n<Episode>\n<Turn>oops</Episode>')


def srt_junk_timings(d: Path) -> Path:
    return _write(d / "minutage.srt", b"1\n00:00:01,000 --> \n\xff\xfe bonjour\n\n2\nxx --> yy\nsalut\n")


def rtf_unbalanced(d: Path) -> Path:
    return _write(d / "desequilibre.rtf", b"{\\rtf1\\ansi " + b"{" * 5000 + b"Karima : bonjour")


def binary_junk(d: Path, ext: str, seed: int = 7) -> Path:
    rnd = random.Random(seed + sum(map(ord, ext)))
    return _write(d / f"binaire{ext}", bytes(rnd.getrandbits(8) for _ in range(4096)))


def empty_file(d: Path, ext: str) -> Path:
    return _write(d / f"vide{ext}", b"")


def zip_disguised(d: Path, ext: str) -> Path:
    """A zip archive (holding text) with a text format's extension."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", GOOD_TXT)
    return _write(d / f"archive{ext}", out.getvalue())


# ------------------------------------------------------------------ files that import clean

def rtf_control_escapes(d: Path) -> Path:
    """``\\u0?`` (NUL) and ``\\u27?`` (ESC) escapes: the text imports without them."""
    return _write(d / "controles.rtf",
                  b"{\\rtf1\\ansi\\ansicpg1252 ENQ : Bonjour\\u0? ?\\par "
                  b"Karima : Ben\\u27?[31m rouge\\u27?[0m, la formation\\u7?.\\par "
                  b"ENQ : Merci.\\par Karima : De rien.\\par}")


def txt_ansi_escapes(d: Path) -> Path:
    return _write(d / "ansi.txt", ("ENQ : Bonjour\x1b[1m !\x1b[0m\nKarima : Salut\x07, ça va.\n"
                                   "ENQ : Merci.\nKarima : De rien\x7f.\n").encode())


def csv_control_chars(d: Path) -> Path:
    return _write(d / "controles.csv", "locuteur;texte\nENQ;Bonjour\x1b\nKarima;Salut\x01 ça va\n"
                  "ENQ;Merci\nKarima;De rien\n".encode())


# --------------------------------------------------------------------------------- .qdpx

QDE_NS = "urn:QDA-XML:project:1.0"
CODE_GUID = "aaaaaaaa-0000-0000-0000-000000000001"
SOURCE_GUID = "bbbbbbbb-0000-0000-0000-000000000001"


def qdpx(path: Path, *, text: str = "Karima : la formation, vraiment.", codes: str | None = None,
         source_attrs: str | None = None, members: dict | None = None, selections: str = "",
         qde: bytes | None = None) -> Path:
    """A small REFI-QDA project: one code, one text source, its selections."""
    codes = codes if codes is not None else f'<Code guid="{CODE_GUID}" name="Formation" isCodable="true"/>'
    source_attrs = source_attrs if source_attrs is not None else \
        f'plainTextPath="internal://{SOURCE_GUID}.txt"'
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{QDE_NS}" name="p" origin="test">'
           f'<CodeBook><Codes>{codes}</Codes></CodeBook><Sources>'
           f'<TextSource guid="{SOURCE_GUID}" name="entretien" {source_attrs}>{selections}'
           f'</TextSource></Sources></Project>').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde if qde is not None else xml)
        z.writestr(f"sources/{SOURCE_GUID}.txt", text.encode("utf-8"))
        for name, data in (members or {}).items():
            z.writestr(name, data)
    return path


def selection(start: int, end: int, n: int = 1) -> str:
    return (f'<PlainTextSelection guid="cccccccc-0000-0000-0000-{n:012d}" startPosition="{start}" '
            f'endPosition="{end}"><Coding guid="dddddddd-0000-0000-0000-{n:012d}">'
            f'<CodeRef targetGUID="{CODE_GUID}"/></Coding></PlainTextSelection>')


def docx_bomb_bytes(inflated_mb: int = 300) -> bytes:
    """A real .docx whose document part inflates to ``inflated_mb`` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good_docx_bytes())) as zin, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename != "word/document.xml":
                zout.writestr(item, zin.read(item.filename))
        with zout.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(DOCUMENT_XML.split("{body}")[0].encode() + b"<w:p><w:r><w:t>")
            chunk = b"a " * (1 << 19)
            for _ in range(inflated_mb):
                fh.write(chunk)
            fh.write(b"</w:t></w:r></w:p>" + DOCUMENT_XML.split("{body}")[1].encode())
    return out.getvalue()


def qdpx_nested_docx_bomb(d: Path) -> Path:
    return qdpx(d / "bombe_imbriquee.qdpx", source_attrs='richTextPath="internal://b.docx"',
                members={"sources/b.docx": docx_bomb_bytes()})


def qdpx_utf16_doctype(d: Path) -> Path:
    qde = ('<?xml version="1.0" encoding="UTF-16"?><!-- ' + "z" * 5200 + ' -->'
           '<!DOCTYPE Project [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           f'<Project xmlns="{QDE_NS}" name="&e;"/>').encode("utf-16")
    return qdpx(d / "doctype16.qdpx", qde=qde)


def qdpx_deep_codes(d: Path, levels: int = 2000) -> Path:
    inner = ""
    for i in reversed(range(levels)):
        inner = f'<Code guid="eeeeeeee-0000-0000-0000-{i:012d}" name="c{i}" isCodable="true">{inner}</Code>'
    return qdpx(d / "profond.qdpx", codes=inner)


def qdpx_deep_codes_within_xml_limit(d: Path) -> Path:
    """200 levels: within libxml2's depth limit, over Workbench's code-depth limit."""
    return qdpx_deep_codes(d, 200).rename(d / "profond200.qdpx")


def qdpx_without_qde(d: Path) -> Path:
    """A zip with the .qdpx extension but no project.qde in it."""
    return zip_disguised(d, ".qdpx")


def qdpx_truncated(d: Path) -> Path:
    data = qdpx(d / "tmp.qdpx").read_bytes()
    (d / "tmp.qdpx").unlink()
    return _write(d / "tronque.qdpx", data[: len(data) // 2])


# --------------------------------------------------------------------------------- sets

QDPX_BAD_BUILDERS = [qdpx_nested_docx_bomb, qdpx_utf16_doctype, qdpx_deep_codes,
                     qdpx_deep_codes_within_xml_limit, qdpx_truncated, qdpx_without_qde]
BAD_BUILDERS = [docx_malformed, docx_utf16_doctype,
                docx_doctype_after_comment, docx_external_entity, docx_missing_document,
                docx_truncated, docx_bomb, docx_deep_nesting, docx_inside_docx, odt_malformed,
                odt_utf16_entity, odt_deep_spans, odt_truncated, xlsx_truncated, xlsx_entity,
                trs_entity_utf16, trs_malformed, srt_junk_timings]
SANITISED_BUILDERS = [rtf_control_escapes, txt_ansi_escapes, csv_control_chars]
#: Odd but well-formed: accepted (UTF-16 XML without a BOM is valid XML, detected as such).
ACCEPTED_BUILDERS = [docx_utf16_declared_utf8]
#: Extensions whose random binary junk must be refused (every supported one).
JUNK_EXTENSIONS = sorted(SUPPORTED_EXTENSIONS)


def build_bad_files(d: Path) -> list[Path]:
    d.mkdir(parents=True, exist_ok=True)
    files = [b(d) for b in BAD_BUILDERS]
    files += [binary_junk(d, ext) for ext in JUNK_EXTENSIONS]
    files += [empty_file(d, ext) for ext in JUNK_EXTENSIONS]
    files += [zip_disguised(d, ext) for ext in (".txt", ".trs", ".rtf", ".srt", ".csv")]
    return files


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# ----------------------------------------------------------------------------- checksum

def project_checksum(path: str | os.PathLike) -> str:
    """A hash of every row of every table (FTS shadow tables included): equal before and
    after means the project's content did not change."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        # the full-text index by its rows (its b-tree pages differ after an insert and a
        # delete that cancel out: what it holds is what matters)
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND name NOT IN ('segments_fts_data', "
            "'segments_fts_idx') ORDER BY name")]
        for t in tables:
            h.update(t.encode())
            for row in sorted(repr(tuple(r)) for r in con.execute(f'SELECT * FROM "{t}"')):
                h.update(row.encode())
        for row in con.execute("SELECT rowid, text FROM segments_fts ORDER BY rowid"):
            h.update(repr(tuple(row)).encode())
        for word in ("formation", "immersion", "karima"):
            h.update(repr(con.execute("SELECT group_concat(rowid) FROM segments_fts WHERE "
                                      "segments_fts MATCH ?", [word]).fetchone()).encode())
        return h.hexdigest()
    finally:
        con.close()
