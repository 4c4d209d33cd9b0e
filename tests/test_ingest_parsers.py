"""Tests of the transcript parsers (workbench.ingest.parsers, speakers, encoding).

Every fixture file is written here, in tmp_path: .docx by python-docx, .odt and
zip bombs by zipfile, .xlsx by openpyxl, the rest as bytes in the encodings
French transcripts come in.
"""
from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest

from workbench.ingest.model import ImportFileError, ParsedTranscript
from workbench.ingest.parsers import SUPPORTED_EXTENSIONS, parse_file
from workbench.ingest.speakers import is_interviewer_label, parse_line, parse_timestamp, segment_lines

DEMO_DIR = Path(__file__).resolve().parents[1] / "corpora" / "demo" / "transcripts"


# --------------------------------------------------------------------------- helpers


def check_invariants(t: ParsedTranscript) -> None:
    """Normalised text; ordered, non-overlapping segments covering all non-blank text."""
    assert unicodedata.normalize("NFC", t.text) == t.text
    assert "\r" not in t.text
    assert all(line == line.rstrip() for line in t.text.split("\n"))
    covered = [False] * len(t.text)
    prev_end = 0
    for seg in t.segments:
        assert prev_end <= seg.start < seg.end <= len(t.text), seg
        content = t.text[seg.start : seg.end]
        assert content == content.strip(), seg
        for i in range(seg.start, seg.end):
            covered[i] = True
        prev_end = seg.end
        assert seg.kind in ("turn", "paragraph")
        assert (seg.kind == "turn") == (seg.speaker is not None)
    for i, ch in enumerate(t.text):
        assert covered[i] or ch.isspace(), f"uncovered {t.text[i:i + 30]!r}"


def seg_texts(t: ParsedTranscript) -> list[str]:
    return [t.text[s.start : s.end] for s in t.segments]


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


INTERVIEW = (
    "Entretien avec Mme Leroy — Mission locale de Lens\n"
    "Date : 12 mars 2024\n"
    "\n"
    "ENQ : Bonjour, pouvez-vous vous présenter ?\n"
    "Mme Leroy : Oui, je suis conseillère depuis dix ans. C’est un métier où l’on apprend beaucoup.\n"
    "Alors : on a fait des ateliers avec les jeunes.\n"
    "\n"
    "Et ça a marché, avec un vrai cœur d’œuvre.\n"
    "ENQ : Qu’est-ce qui a changé avec le PIC ?\n"
    "Mme Leroy : Beaucoup de choses.\n"
)


# --------------------------------------------------------------------------- text & encodings


def test_txt_utf8_speakers_segments_and_title(tmp_path: Path) -> None:
    t = parse_file(write(tmp_path, "entretien.txt", INTERVIEW))
    check_invariants(t)
    assert t.source_format == "txt" and t.encoding == "utf-8" and t.warnings == ()
    assert t.metadata["speakers"] == ["ENQ", "Mme Leroy"]
    assert t.metadata["title"] == "Entretien avec Mme Leroy — Mission locale de Lens"
    kinds = [(s.kind, s.speaker) for s in t.segments]
    assert kinds == [
        ("paragraph", None),
        ("turn", "ENQ"),
        ("turn", "Mme Leroy"),
        ("turn", "ENQ"),
        ("turn", "Mme Leroy"),
    ]
    texts = seg_texts(t)
    assert texts[0] == "Entretien avec Mme Leroy — Mission locale de Lens\nDate : 12 mars 2024"
    assert texts[1] == "ENQ : Bonjour, pouvez-vous vous présenter ?"
    # "Alors : on ..." occurs once: prose, continuing Mme Leroy's turn (with its second paragraph)
    assert texts[2].startswith("Mme Leroy : Oui")
    assert "Alors : on a fait" in texts[2] and texts[2].endswith("cœur d’œuvre.")
    assert [s.is_interviewer for s in t.segments] == [False, True, False, True, False]


def test_txt_cp1252_accents_and_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "windows.txt", INTERVIEW.replace("\n", "\r\n"), encoding="cp1252")
    t = parse_file(path)
    check_invariants(t)
    assert t.encoding == "cp1252"
    assert any("cp1252" in w for w in t.warnings)
    assert "présenter" in t.text and "cœur d’œuvre" in t.text and "C’est" in t.text
    assert "\r" not in t.text
    assert len(t.segments) == 5


def test_txt_latin1_when_cp1252_undefined_bytes(tmp_path: Path) -> None:
    data = "ENQ : café\nR : très bien\nENQ : d'accord\n".encode("latin-1") + b"R : \x81 ok\n"
    t = parse_file(write(tmp_path, "latin.txt", data))
    assert t.encoding == "latin-1"
    assert "café" in t.text and "très" in t.text
    assert any("latin-1" in w for w in t.warnings)


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-be"])
def test_txt_bom_encodings(tmp_path: Path, codec: str) -> None:
    data = INTERVIEW.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    t = parse_file(write(tmp_path, "bom.txt", data))
    check_invariants(t)
    assert t.encoding.startswith(codec.split("-sig")[0][:6])
    assert "\ufeff" not in t.text
    assert "Qu’est-ce qui a changé" in t.text
    assert t.metadata["speakers"] == ["ENQ", "Mme Leroy"]


def test_txt_utf16_without_bom(tmp_path: Path) -> None:
    t = parse_file(write(tmp_path, "sansbom.txt", "ENQ : été\nR : oui, ça va\n".encode("utf-16-le")))
    assert t.encoding == "utf-16-le" and t.text == "ENQ : été\nR : oui, ça va"
    assert [s.speaker for s in t.segments] == ["ENQ", "R"]


def test_explicit_encoding_is_honoured(tmp_path: Path) -> None:
    path = write(tmp_path, "forced.txt", "ENQ : élève\nR : oui\nR : non\n", encoding="cp1252")
    t = parse_file(path, encoding="latin-1")
    assert t.encoding == "iso8859-1" and "élève" in t.text


def test_nfc_crlf_and_trailing_spaces(tmp_path: Path) -> None:
    decomposed = "ENQ : Vous e\u0301tiez la\u0300 ?   \r\nR : Oui\t \r\rENQ : D'accord.\r\n"
    t = parse_file(write(tmp_path, "nfc.txt", decomposed))
    check_invariants(t)
    assert "étiez là ?" in t.text
    assert "\u0301" not in t.text
    assert seg_texts(t) == ["ENQ : Vous étiez là ?", "R : Oui", "ENQ : D'accord."]
    assert t.text == "ENQ : Vous étiez là ?\nR : Oui\n\nENQ : D'accord."


def test_mojibake_warning(tmp_path: Path) -> None:
    garbled = "ENQ : Vous Ãªtes arrivÃ©e quand ?\nR : Câ€™Ã©tait en 2019.\nENQ : Merci.\n"
    t = parse_file(write(tmp_path, "moji.txt", garbled))
    assert any("double-encoded" in w and "Ã©" in w for w in t.warnings)


def test_no_mojibake_warning_on_clean_french(tmp_path: Path) -> None:
    t = parse_file(write(tmp_path, "clean.txt", INTERVIEW + "R : À côté, déjà, ça, où, Noël, naïf.\n"))
    assert not any("double-encoded" in w for w in t.warnings)


def test_markdown_bold_labels_and_headings(tmp_path: Path) -> None:
    md = (
        "# Entretien n°4\n\n"
        "**Enquêtrice :** Comment avez-vous connu le dispositif ?\n\n"
        "**Karim** : Par un ami.\n\n"
        "Il m’en avait parlé en 2022.\n\n"
        "## Deuxième partie\n\n"
        "**Enquêtrice :** Et ensuite ?\n\n"
        "**Karim** : J’ai signé.\n"
    )
    t = parse_file(write(tmp_path, "notes.md", md))
    check_invariants(t)
    assert t.source_format == "md"
    assert t.metadata["title"] == "Entretien n°4"
    assert [(s.kind, s.speaker) for s in t.segments] == [
        ("paragraph", None),
        ("turn", "Enquêtrice"),
        ("turn", "Karim"),
        ("paragraph", None),
        ("turn", "Enquêtrice"),
        ("turn", "Karim"),
    ]
    assert seg_texts(t)[2] == "**Karim** : Par un ami.\n\nIl m’en avait parlé en 2022."
    assert t.segments[1].is_interviewer and not t.segments[2].is_interviewer


def test_timestamps_in_text(tmp_path: Path) -> None:
    txt = (
        "[00:00:05] ENQ : On commence.\n"
        "[00:01:10] Participant : D'accord.\n"
        "ENQ (02:03) : Deuxième question.\n"
        "Participant : [00:03:00.5] Réponse.\n"
        "00:04:00\n"
        "ENQ : Dernière.\n"
    )
    t = parse_file(write(tmp_path, "ts.txt", txt))
    check_invariants(t)
    assert [s.timestamp for s in t.segments] == [5.0, 70.0, 123.0, 180.5, 240.0]
    assert seg_texts(t)[-1] == "00:04:00\nENQ : Dernière."
    assert seg_texts(t)[0] == "[00:00:05] ENQ : On commence."


# --------------------------------------------------------------------------- speaker conventions


@pytest.mark.parametrize(
    ("line", "label", "interviewer"),
    [
        ("ENQ : Bonjour", "ENQ", True),
        ("ENQ: Bonjour", "ENQ", True),
        ("Enquêtrice\u00a0: Bonjour", "Enquêtrice", True),
        ("Enquêteur\u202f: Bonjour", "Enquêteur", True),
        ("E : Bonjour", "E", True),
        ("Q : Bonjour", "Q", True),
        ("R : Bonjour", "R", False),
        ("[Sophie] Bonjour", "Sophie", False),
        ("DUPONT : Bonjour", "DUPONT", False),
        ("Sophie : Bonjour", "Sophie", False),
        ("Interviewer 1: Bonjour", "Interviewer 1", True),
        ("Participant: Bonjour", "Participant", False),
        ("Chargée de mission: Bonjour", "Chargée de mission", False),
        ("**Enquêtrice :** Bonjour", "Enquêtrice", True),
        ("**Enquêtrice** : Bonjour", "Enquêtrice", True),
        ("Enquêtée : Bonjour", "Enquêtée", False),
        ("Chercheuse : Bonjour", "Chercheuse", True),
        ("[00:12:34] Sophie : Bonjour", "Sophie", False),
    ],
)
def test_speaker_conventions(line: str, label: str, interviewer: bool) -> None:
    info = parse_line(line)
    assert info.label == label
    assert line[info.body_start :] == "Bonjour"
    assert is_interviewer_label(label) is interviewer
    text, segs = segment_lines([line, line])
    assert [s.speaker for s in segs] == [label, label]


@pytest.mark.parametrize(
    "line",
    [
        "Alors : on a fait des ateliers.",
        "Bon: c'est compliqué.",
        "alors voilà : rien",
        "Il m'a dit qu'il viendrait demain matin : non.",
        "[rires] oui",
        "12:30 on mange",
        "http://exemple.fr",
    ],
)
def test_prose_is_not_a_label(line: str) -> None:
    assert parse_line(line).label is None or parse_line(line).label not in ("Alors", "Bon")
    text, segs = segment_lines(["ENQ : Question ?", line])
    assert [s.speaker for s in segs] == ["ENQ"]


def test_single_occurrence_name_is_prose_but_recurring_is_speaker() -> None:
    lines = ["ENQ : Question ?", "Exemple concret : la cantine.", "ENQ : Et alors ?", "Marc : Oui.", "Marc : Non."]
    _, segs = segment_lines(lines)
    assert [s.speaker for s in segs] == ["ENQ", "ENQ", "Marc", "Marc"]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("[00:12:34]", 754.0), ("(12:34)", 754.0), ("00:12:34", 754.0), ("[12:34]", 754.0),
     ("00:12:34.5", 754.5), ("1:02:03,250", 3723.25)],
)
def test_parse_timestamp(value: str, seconds: float) -> None:
    assert parse_timestamp(value) == pytest.approx(seconds)


def test_teams_style_label_with_time_on_own_line() -> None:
    lines = ["Marie Dupont   0:03", "Bonjour à tous.", "", "Paul Martin   0:10", "Merci."]
    text, segs = segment_lines(lines)
    assert [(s.speaker, s.timestamp) for s in segs] == [("Marie Dupont", 3.0), ("Paul Martin", 10.0)]
    assert text[segs[0].start : segs[0].end] == "Marie Dupont   0:03\nBonjour à tous."


# --------------------------------------------------------------------------- bad byte inputs


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n", "\ufeff  \n".encode("utf-8")])
def test_empty_file(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ImportFileError, match=r"vide\.txt.*empty file"):
        parse_file(write(tmp_path, "vide.txt", data))


def test_binary_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"image\.txt \(offset 3\).*binary") as exc:
        parse_file(write(tmp_path, "image.txt", b"GIF\x00\x01\x02" + bytes(range(256))))
    assert exc.value.offset == 3


def test_control_characters_binary(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"ctrl\.txt.*binary"):
        parse_file(write(tmp_path, "ctrl.txt", b"ab" + bytes(range(1, 9)) * 10))


def test_unsupported_and_missing(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"doc\.pdf.*unsupported"):
        parse_file(write(tmp_path, "doc.pdf", b"%PDF"))
    with pytest.raises(ImportFileError, match=r"absent\.txt.*not found"):
        parse_file(tmp_path / "absent.txt")
    assert {".txt", ".md", ".docx", ".odt", ".rtf", ".vtt", ".srt", ".trs", ".csv", ".xlsx"} <= SUPPORTED_EXTENSIONS


# --------------------------------------------------------------------------- docx


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Entretien conseillère — Lens", level=1)
    d.add_paragraph("Document anonymisé.")
    p = d.add_paragraph()
    p.add_run("Enquêtrice :").bold = True
    p.add_run(" Comment décririez-vous votre rôle ?")
    p = d.add_paragraph()
    p.add_run("Fatoumata").bold = True
    p.add_run(" : Je coordonne l’accueil. C’est un vrai travail d’équipe.")
    d.add_paragraph("Nous avons aussi des partenaires, et un « cœur » de réseau.")
    p = d.add_paragraph()
    p.add_run("Enquêtrice :").bold = True
    p.add_run(" Et les jeunes ?")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Fatoumata"
    table.cell(0, 1).text = "Ils viennent surtout le mardi."
    table.cell(1, 0).text = "Enquêtrice"
    table.cell(1, 1).text = "Merci."
    p = d.add_paragraph()
    p.add_run("Directrice :").bold = True  # once only, but bold: a speaker
    p.add_run(" Je complète.")
    d.save(str(path))
    return path


def test_docx(tmp_path: Path) -> None:
    t = parse_file(make_docx(tmp_path / "entretien.docx"))
    check_invariants(t)
    assert t.source_format == "docx"
    assert t.metadata["speakers"] == ["Enquêtrice", "Fatoumata", "Directrice"]
    assert t.metadata["title"] == "Entretien conseillère — Lens"
    assert [(s.kind, s.speaker) for s in t.segments] == [
        ("paragraph", None),
        ("paragraph", None),
        ("turn", "Enquêtrice"),
        ("turn", "Fatoumata"),
        ("turn", "Enquêtrice"),
        ("turn", "Fatoumata"),
        ("turn", "Enquêtrice"),
        ("turn", "Directrice"),
    ]
    texts = seg_texts(t)
    assert texts[-1] == "Directrice : Je complète."
    assert texts[3] == (
        "Fatoumata : Je coordonne l’accueil. C’est un vrai travail d’équipe.\n"
        "Nous avons aussi des partenaires, et un « cœur » de réseau."
    )
    assert texts[5] == "Fatoumata : Ils viennent surtout le mardi."
    assert t.segments[2].is_interviewer


def test_docx_truncated(tmp_path: Path) -> None:
    good = make_docx(tmp_path / "good.docx").read_bytes()
    path = write(tmp_path, "tronque.docx", good[: len(good) // 2])
    with pytest.raises(ImportFileError, match=r"tronque\.docx.*not a valid \.docx \(zip\) file"):
        parse_file(path)
    with pytest.raises(ImportFileError, match=r"texte\.docx.*not a valid \.docx"):
        parse_file(write(tmp_path, "texte.docx", "ENQ : ceci n'est pas un zip"))


def test_docx_ole_password_protected(tmp_path: Path) -> None:
    path = write(tmp_path, "protege.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(ImportFileError, match=r"protege\.docx.*password-protected or legacy Word \.doc"):
        parse_file(path)


def test_docx_zip_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * (5 * 1024 * 1024) + b"</w:document>")
    assert path.stat().st_size < 100_000
    with pytest.raises(ImportFileError, match=r"bombe\.docx.*refusing a suspicious archive \(zip bomb\?\)"):
        parse_file(path)


def test_docx_entity_refused(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "src.docx")
    path = tmp_path / "entites.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(
                    b"?>", b'?>\n<!DOCTYPE d [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>', 1
                )
            zout.writestr(item, data)
    with pytest.raises(ImportFileError, match=r"entites\.docx.*XML entities are not allowed"):
        parse_file(path)


# --------------------------------------------------------------------------- odt


ODT_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.3">
<office:automatic-styles>
  <style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
</office:automatic-styles>
<office:body><office:text>
<text:h text:outline-level="1">Entretien collectif</text:h>
<text:p><text:span text:style-name="T1">Animatrice :</text:span> Bonjour<text:s text:c="3"/>à toutes.</text:p>
<text:p>LUCIE :<text:s/>On a <text:span>beaucoup <text:span>appris</text:span></text:span>.<text:line-break/>Vraiment.</text:p>
<text:p>Q :<text:tab/>Et l’œuvre ?</text:p>
<text:p>LUCIE : C’est<text:note><text:note-body><text:p>note</text:p></text:note-body></text:note> fini.</text:p>
</office:text></office:body></office:document-content>
"""


def make_odt(path: Path, content: str = ODT_CONTENT) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest '
                    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>')
    return path


def test_odt(tmp_path: Path) -> None:
    t = parse_file(make_odt(tmp_path / "groupe.odt"))
    check_invariants(t)
    assert t.source_format == "odt"
    assert t.metadata["speakers"] == ["Animatrice", "LUCIE", "Q"]
    assert seg_texts(t) == [
        "Entretien collectif",
        "Animatrice : Bonjour   à toutes.",
        "LUCIE : On a beaucoup appris.\nVraiment.",
        "Q :\tEt l’œuvre ?",
        "LUCIE : C’est fini.",
    ]
    # the facilitator of a focus group (Animatrice) is the interviewer
    assert [s.is_interviewer for s in t.segments] == [False, True, False, True, False]


def test_odt_entity_and_bomb(tmp_path: Path) -> None:
    bad = ODT_CONTENT.replace("<office:document-content", '<!DOCTYPE x [<!ENTITY e "x">]>\n<office:document-content', 1)
    with pytest.raises(ImportFileError, match=r"ent\.odt.*XML entities are not allowed"):
        parse_file(make_odt(tmp_path / "ent.odt", bad))
    path = tmp_path / "bombe.odt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("content.xml", b"<a>" + b"a" * (3 * 1024 * 1024) + b"</a>")
    with pytest.raises(ImportFileError, match=r"bombe\.odt.*zip bomb"):
        parse_file(path)


# --------------------------------------------------------------------------- rtf


RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Times New Roman;}}"
    r"{\info{\title Entretien}}\f0\fs24 Entretien B\'e9n\'e9ficiaire\par"
    "\n\\par\n"
    r"{\b ENQ :} Vous avez suivi la formation\~?\par" "\n"
    r"B\'c9N\'c9FICIAIRE : Oui, c\rquote \'e9tait un \u339?uvre collective.\par" "\n"
    r"ENQ : Et apr\'e8s ?\par" "\n"
    r"B\'c9N\'c9FICIAIRE : J\rquote ai trouv\'e9 un emploi.\par}"
)


def test_rtf(tmp_path: Path) -> None:
    t = parse_file(write(tmp_path, "entretien.rtf", RTF, encoding="ascii"))
    check_invariants(t)
    assert t.source_format == "rtf"
    assert t.metadata["speakers"] == ["ENQ", "BÉNÉFICIAIRE"]
    texts = seg_texts(t)
    assert texts[0] == "Entretien Bénéficiaire"
    assert texts[2] == "BÉNÉFICIAIRE : Oui, c’était un œuvre collective."
    assert len(t.segments) == 5


def test_rtf_not_rtf(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"faux\.rtf.*does not start with \{\\rtf"):
        parse_file(write(tmp_path, "faux.rtf", "ENQ : bonjour"))


# --------------------------------------------------------------------------- subtitles


VTT = """WEBVTT
Kind: captions

NOTE exporté depuis Teams

1
00:00:01.000 --> 00:00:04.500
<v Enquêteur>Bonjour, merci d’être là.</v>

2
00:00:04.500 --> 00:00:06.000
<v Enquêteur>On peut commencer ?</v>

00:00:06.200 --> 00:00:09.000 align:start
<v.loud Mme Nguyen>Oui, bien sûr.
Allons-y.</v>

00:00:09.000 --> 00:01:02.250
<v Enquêteur><i>Parfait</i> &amp; merci.</v>
"""


def test_vtt_voice_tags_merge_turns(tmp_path: Path) -> None:
    t = parse_file(write(tmp_path, "reunion.vtt", VTT))
    check_invariants(t)
    assert t.source_format == "vtt"
    assert seg_texts(t) == [
        "Enquêteur : Bonjour, merci d’être là. On peut commencer ?",
        "Mme Nguyen : Oui, bien sûr. Allons-y.",
        "Enquêteur : Parfait & merci.",
    ]
    assert [(s.timestamp, s.end_time) for s in t.segments] == [(1.0, 6.0), (6.2, 9.0), (9.0, 62.25)]
    assert t.segments[0].is_interviewer and not t.segments[1].is_interviewer
    assert "WEBVTT" not in t.text and "NOTE" not in t.text


SRT = """1
00:00:00,500 --> 00:00:03,000
ENQ : Vous êtes arrivée quand ?

2
00:00:03,000 --> 00:00:05,000
Léa Martin : En septembre.

3
00:00:05,000 --> 00:00:07,000
Et j’ai commencé la formation.

4
00:00:07,000 --> 00:00:08,000
ENQ : D’accord.

5
00:00:08,000 --> 00:00:10,500
Léa Martin : Voilà.
"""


def test_srt_label_prefix_and_continuation(tmp_path: Path) -> None:
    t = parse_file(write(tmp_path, "sous-titres.srt", SRT.replace("\n", "\r\n")))
    check_invariants(t)
    assert seg_texts(t) == [
        "ENQ : Vous êtes arrivée quand ?",
        "Léa Martin : En septembre. Et j’ai commencé la formation.",
        "ENQ : D’accord.",
        "Léa Martin : Voilà.",
    ]
    assert [(s.timestamp, s.end_time) for s in t.segments] == [(0.5, 3.0), (3.0, 7.0), (7.0, 8.0), (8.0, 10.5)]


def test_srt_bad_timing_line(tmp_path: Path) -> None:
    bad = SRT.replace("00:00:03,000 --> 00:00:05,000", "00:00:03,000 -> 00:00:05,000")
    with pytest.raises(ImportFileError, match=r"sous-titres\.srt:6: .*timing") as exc:
        parse_file(write(tmp_path, "sous-titres.srt", bad))
    assert exc.value.line == 6
    bad2 = SRT.replace("00:00:05,000 --> 00:00:07,000", "00:00:05,000 --> 00:00:7x")
    with pytest.raises(ImportFileError, match=r"sous-titres\.srt:10: bad cue timing"):
        parse_file(write(tmp_path, "sous-titres.srt", bad2))


def test_vtt_missing_header(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"x\.vtt:1: .*WEBVTT"):
        parse_file(write(tmp_path, "x.vtt", "00:00:01.000 --> 00:00:02.000\nBonjour\n"))


# --------------------------------------------------------------------------- trs


TRS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE Trans SYSTEM "trans-14.dtd">
<Trans scribe="Hélène" audio_filename="entretien_07" version="3" version_date="240312">
<Speakers>
<Speaker id="spk1" name="Enquêtrice" check="no" dialect="native" accent="" scope="local"/>
<Speaker id="spk2" name="Noémie" check="no" dialect="native" accent="" scope="local"/>
</Speakers>
<Episode>
<Section type="report" startTime="0" endTime="20.5">
<Turn speaker="spk1" startTime="0" endTime="4.25">
<Sync time="0"/>
Bonjour, vous êtes prête ?
</Turn>
<Turn speaker="spk2" startTime="4.25" endTime="12">
<Sync time="4.25"/>
oui <Event desc="rires" type="noise" extent="instantaneous"/> c'est parti
<Sync time="8.1"/>
l'&#339;uvre commence
</Turn>
<Turn speaker="spk1 spk2" startTime="12" endTime="14">
<Sync time="12"/>
<Who nb="1"/>
d'accord
<Who nb="2"/>
voilà
</Turn>
<Turn startTime="14" endTime="20.5">
<Sync time="14"/>
</Turn>
</Section>
</Episode>
</Trans>
"""


def test_trs_latin1_overlap_events(tmp_path: Path) -> None:
    t = parse_file(write(tmp_path, "entretien.trs", TRS, encoding="latin-1"))
    check_invariants(t)
    assert t.source_format == "trs"
    assert seg_texts(t) == [
        "Enquêtrice : Bonjour, vous êtes prête ?",
        "Noémie : oui [rires] c'est parti l'œuvre commence",
        "Enquêtrice : d'accord",
        "Noémie : voilà",
    ]
    assert [s.speaker for s in t.segments] == ["Enquêtrice", "Noémie", "Enquêtrice", "Noémie"]
    assert [(s.timestamp, s.end_time) for s in t.segments] == [(0, 4.25), (4.25, 12), (12, 14), (12, 14)]
    assert t.metadata["scribe"] == "Hélène" and t.metadata["audio_filename"] == "entretien_07"
    assert t.metadata["speakers"] == ["Enquêtrice", "Noémie"]
    assert t.segments[0].is_interviewer


def test_trs_entity_refused(tmp_path: Path) -> None:
    bad = TRS.replace(
        '<!DOCTYPE Trans SYSTEM "trans-14.dtd">', '<!DOCTYPE Trans [\n<!ENTITY x "boom">\n]>'
    ).replace("c'est parti", "&x;")
    with pytest.raises(ImportFileError, match=r"bad\.trs:3: XML entities are not allowed"):
        parse_file(write(tmp_path, "bad.trs", bad, encoding="latin-1"))


def test_trs_malformed_line(tmp_path: Path) -> None:
    bad = TRS.replace("</Turn>\n<Turn speaker=\"spk1 spk2\"", "<Turn speaker=\"spk1 spk2\"", 1)
    with pytest.raises(ImportFileError, match=r"casse\.trs:\d+: malformed") as exc:
        parse_file(write(tmp_path, "casse.trs", bad, encoding="latin-1"))
    assert exc.value.line is not None and exc.value.line > 10
    with pytest.raises(ImportFileError, match=r"casse2\.trs:3: malformed"):
        parse_file(write(tmp_path, "casse2.trs", "<?xml version='1.0'?>\n<Trans>\n<Turn></Trans>\n"))


# --------------------------------------------------------------------------- csv / xlsx


def test_csv_semicolon_french_headers(tmp_path: Path) -> None:
    csv_text = (
        "Horodatage;Locuteur;Propos\r\n"
        "00:00:02;ENQ;Bonjour, vous êtes bénévole ?\r\n"
        '00:00:07;Chantal;"Oui ; depuis 2015, au cœur du quartier."\r\n'
        ";;\r\n"
        "00:01:00;ENQ;Merci.\r\n"
    )
    t = parse_file(write(tmp_path, "export.csv", csv_text, encoding="cp1252"))
    check_invariants(t)
    assert t.encoding == "cp1252"
    assert seg_texts(t) == [
        "ENQ : Bonjour, vous êtes bénévole ?",
        "Chantal : Oui ; depuis 2015, au cœur du quartier.",
        "ENQ : Merci.",
    ]
    assert [s.timestamp for s in t.segments] == [2.0, 7.0, 60.0]
    assert t.metadata["speakers"] == ["ENQ", "Chantal"]


def test_csv_without_text_column(tmp_path: Path) -> None:
    path = write(tmp_path, "sans_texte.csv", "Locuteur,Durée\nENQ,3\n")
    with pytest.raises(ImportFileError, match=r"sans_texte\.csv:1: no text column found \(columns: 'Locuteur', 'Durée'\)"):
        parse_file(path)


def test_xlsx(tmp_path: Path) -> None:
    import datetime as dt

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Intervenant", "Début", "Texte"])
    ws.append(["Enquêteur", dt.time(0, 0, 5), "Pouvez-vous décrire l’atelier ?"])
    ws.append(["Yanis", "00:00:12", "C’était très concret."])
    ws.append(["Yanis", 20, "Et utile."])
    path = tmp_path / "tableau.xlsx"
    wb.save(path)
    t = parse_file(path)
    check_invariants(t)
    assert t.source_format == "xlsx"
    assert seg_texts(t) == [
        "Enquêteur : Pouvez-vous décrire l’atelier ?",
        "Yanis : C’était très concret.",
        "Yanis : Et utile.",
    ]
    assert [s.timestamp for s in t.segments] == [5.0, 12.0, 20.0]
    assert t.segments[0].is_interviewer


def test_xlsx_legacy(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"vieux\.xlsx.*password-protected or legacy Excel"):
        parse_file(write(tmp_path, "vieux.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64))


# --------------------------------------------------------------------------- demo corpus


def _demo_files() -> list[Path]:
    if not DEMO_DIR.is_dir():
        return []
    return sorted(p for p in DEMO_DIR.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS)


@pytest.mark.skipif(not _demo_files(), reason="no demo transcripts in corpora/demo/transcripts")
@pytest.mark.parametrize("path", _demo_files() or [None], ids=lambda p: p.name if p else "none")
def test_demo_transcripts_parse(path: Path) -> None:
    t = parse_file(path)
    check_invariants(t)
    assert len(t.metadata["speakers"]) >= 2, t.metadata["speakers"]
    assert len(t.segments) >= 20
    assert sum(s.kind == "turn" for s in t.segments) >= 0.8 * len(t.segments)
    assert "Ã©" not in t.text and "\ufffd" not in t.text
