"""The one turn model: where a turn's words begin (``body_start``), its time, its section
and whether it is front matter are computed once at import, stored with the segment,
and read by everything that needs a turn's words -- autocode, topic units, the TUI's
turn selection, quotes, "next uncoded".

Each expected offset and quote below was worked out by hand from the text written here.
"""
from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from workbench.coding.autocode import Rule
from workbench.ingest.parsers import parse_file
from workbench.project import Project
from workbench.store.schema import migrations
from workbench.topics.units import build_units

HEADER = "Entretien opérateur — #Avenir — Saint-Lô, 6 décembre 2022 — durée : 18 min"
STYLES = (
    f"{HEADER}\n"
    "\n"
    "Enquêtrice (00:00:05) : Pouvez-vous présenter votre structure ?\n"
    "\n"
    "**Karima :** Oui, le transport reste le premier frein.\n"
    "\n"
    "[Karima] Le transport, encore.\n"
    "\n"
    "[00:02:51] Enquêtrice : Et la garde d'enfants ?\n"
    "\n"
    "Karima : [00:03:10] La crèche était pleine.\n"
)
WORDS = [HEADER, "Pouvez-vous présenter votre structure ?",
         "Oui, le transport reste le premier frein.", "Le transport, encore.",
         "Et la garde d'enfants ?", "La crèche était pleine."]


@pytest.fixture
def styles(tmp_path):
    path = tmp_path / "styles.txt"
    path.write_text(STYLES, encoding="utf-8")
    return path


def test_parser_records_where_the_words_begin_and_the_written_time(styles):
    t = parse_file(styles)
    assert [(s.kind, s.speaker) for s in t.segments] == [
        ("paragraph", None), ("turn", "Enquêtrice"), ("turn", "Karima"), ("turn", "Karima"),
        ("turn", "Enquêtrice"), ("turn", "Karima")]
    assert [t.text[s.words_start:s.end] for s in t.segments] == WORDS
    assert [s.timestamp for s in t.segments] == [None, 5.0, None, None, 171.0, 190.0]
    # the text itself is kept as written: offsets are those of the file
    assert t.text == STYLES.rstrip("\n")
    assert t.text[t.segments[4].start:t.segments[4].end] == "[00:02:51] Enquêtrice : Et la garde d'enfants ?"


@pytest.mark.parametrize(("lines", "words", "time"), [
    (["Karima (00:00:12) : Oui.", "Karima (00:00:20) : Non."], ["Oui.", "Non."], 12.0),
    (["**Karima :** Oui.", "**Karima :** Non."], ["Oui.", "Non."], None),
    (["**Karima** : Oui.", "**Karima** : Non."], ["Oui.", "Non."], None),
    (["[Karima] Oui.", "[Karima] Non."], ["Oui.", "Non."], None),
    (["[00:02:51] Karima : Oui.", "[00:02:58] Karima : Non."], ["Oui.", "Non."], 171.0),
    (["Karima : [00:02:51] Oui.", "Karima : [00:02:58] Non."], ["Oui.", "Non."], 171.0),
    (["00:02:51", "Karima : Oui.", "00:02:58", "Karima : Non."], ["Oui.", "Non."], 171.0),
    (["Marie Dupont   0:03", "Oui.", "", "Marie Dupont   0:09", "Non."], ["Oui.", "Non."], 3.0),
    (["[00:01:02] Oui, sans locuteur."], ["Oui, sans locuteur."], 62.0),
    # the label alone on its line, the timestamp heading the words below
    (["Karima :", "[00:02:51] Oui, le transport.", "ENQ : Merci.", "Karima :", "Bon."],
     ["Oui, le transport.", "Merci.", "Bon."], 171.0),
    (["**Karima :**", "00:02:51 - Oui, le transport.", "**Karima :**", "Non."],
     ["Oui, le transport.", "Non."], 171.0),
])
def test_each_label_style_gives_the_words_and_the_time(lines, words, time):
    from workbench.ingest.speakers import segment_lines, turn_head

    text, segs = segment_lines(lines)
    assert [text[s.words_start:s.end] for s in segs] == words
    assert segs[0].timestamp == time
    # reading the head of an already cut segment (old projects) finds the same place
    for s in segs:
        assert turn_head(text, s.start, s.end, s.speaker) == (s.words_start, s.timestamp)


def test_subtitles_tables_and_transcriber_turns_start_after_the_written_label(tmp_path):
    vtt = tmp_path / "s.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Karima>Bonjour.\n\n"
                   "00:00:04.000 --> 00:00:06.000\n<v ENQ>Merci.\n", encoding="utf-8")
    t = parse_file(vtt)
    assert t.text == "Karima : Bonjour.\nENQ : Merci."
    assert [t.text[s.words_start:s.end] for s in t.segments] == ["Bonjour.", "Merci."]


def test_import_stores_the_turn_model_and_front_matter(project, styles):
    project.import_files([styles])
    segs = project.segments("styles")
    text = project.text("styles")
    assert [text[s.words[0]:s.end] for s in segs] == WORDS
    assert [s.front_matter for s in segs] == [True, False, False, False, False, False]
    assert [s.timestamp for s in segs] == [None, 5.0, None, None, 171.0, 190.0]


def test_autocode_units_tui_and_quotes_start_at_the_same_character(project, styles):
    from workbench.tui.widgets.transcript import TranscriptView

    project.import_files([styles])
    segs = project.segments("styles")
    body = {s.position: s.words[0] for s in segs}
    code = project.create_code("Transport")

    # autocode: whole turns containing "transport" begin at the stored body start
    preview = project.autocode_preview(Rule("keyword", "transport"))
    assert list(zip(preview["position"], preview["start"])) == [(2, body[2]), (3, body[3])]
    assert list(preview["text"]) == [WORDS[2], WORDS[3]]
    # the header is never coded: a word of it matches nothing
    assert project.autocode_preview(Rule("keyword", "durée")).empty
    assert project.autocode_preview(Rule("regex", "Entretien", include_interviewer=True)).empty

    # topic units: one per respondent turn, from its body start; no unit for the header
    rows = project.store.topic_segments([segs[0].document_id])
    units = build_units(rows, window=0)
    assert [(u.start, u.end) for u in units] == [(body[2], segs[2].end), (body[3], segs[3].end),
                                                (body[5], segs[5].end)]
    assert build_units(rows, window=0, include_interviewer=True, unit="paragraph")[0].start == body[1]

    # the TUI's turns (what "v" selects) start there too
    view = TranscriptView()
    view.load(project.text("styles"), segs, [])
    assert [t.start for t in view.turns] == [body[p] for p in range(6)]
    assert view.turn_span(2) == (body[2], segs[2].end)

    # coding whole turns codes their words
    ids = project.apply_code_to_segments("styles", code, [4])
    k = project.store.get_coding(ids[0])
    assert (k["start"], k["end"]) == (body[4], segs[4].end)
    # quotes: a span holding labels and timestamps (an older or imported coding) quotes
    # the words only
    project.apply_code_spans(segs[0].document_id, code, [(segs[5].start, segs[5].end),
                                                        (segs[4].start, segs[5].end)])
    quotes = sorted(project.excerpts(code)["text"])
    assert quotes == sorted([WORDS[4], WORDS[5], f"{WORDS[4]}\n\n{WORDS[5]}"])
    from workbench.export.data import collect
    assert sorted(collect(project).excerpts["text"]) == quotes
    assert project.span_words("styles", segs[1].start, segs[1].end) == WORDS[1]
    # a span inside the words is quoted as it is
    a = body[2] + len("Oui, ")
    assert project.span_words("styles", a, a + 13) == "le transport "


def test_next_uncoded_skips_front_matter(project, tmp_path):
    from workbench.tui.widgets.transcript import Coding, TranscriptView

    path = tmp_path / "entete.txt"
    path.write_text("Transcription fictive pour les tests.\n\n" + HEADER + "\n\n"
                    "ENQ : Bonjour ?\n\nLéa : Oui.\n\nENQ : Et après ?\n\nLéa : Rien.\n",
                    encoding="utf-8")
    project.import_files([path])
    segs = project.segments("entete")
    assert [s.front_matter for s in segs] == [True, True, False, False, False, False]
    view = TranscriptView()
    view.load(project.text("entete"), segs, [])
    assert view.turn == 0
    assert view.next_uncoded_turn() == 3            # not the header (1), not ENQ (2)
    view.set_codings([Coding(1, 1, segs[3].words[0], segs[3].end, "X", "#ff0000")], refresh=False)
    assert view.next_uncoded_turn() == 5


def test_documents_without_turns_have_no_front_matter(project, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Compte rendu de visite.\n\nLe site accueille douze stagiaires.\n",
                    encoding="utf-8")
    project.import_files([path])
    assert [s.front_matter for s in project.segments("notes")] == [False, False]


def test_upgrade_fills_the_turn_model_of_an_older_project(tmp_path):
    path = tmp_path / "old.wbproj"
    con = sqlite3.connect(path, isolation_level=None)
    db = sqlite_utils.Database(con)
    migrations.apply(db, stop_before="0010_turn_model")        # as the previous release left it
    text = (f"{HEADER}\n\n[00:02:51] ENQ : Et la crèche ?\n\n**Léa :** [00:03:00] Pleine.\n\n"
            "00:04:00\nENQ : Dernière.\n\nLéa : Oui.")
    con.execute("INSERT INTO documents(id, name, text, imported_at) VALUES (1, 'ancien', ?, "
                "'2024-01-01')", [text])
    spans, pos = [], 0
    for block in text.split("\n\n"):
        spans.append((pos, pos + len(block)))
        pos += len(block) + 2
    rows = [(0, "paragraph", None, None), (1, "turn", "ENQ", 171.0), (2, "turn", "Léa", None),
            (3, "turn", "ENQ", 240.0), (4, "turn", "Léa", None)]
    for (position, kind, speaker, ts), (a, b) in zip(rows, spans):
        con.execute("INSERT INTO segments(document_id, position, kind, speaker, start, end, "
                    "timestamp) VALUES (1, ?, ?, ?, ?, ?, ?)", [position, kind, speaker, a, b, ts])
    con.close()

    with Project.open(path) as p:
        assert "0010_turn_model" in p.store.migrations_applied
        segs = p.segments("ancien")
        assert [text[s.words[0]:s.end] for s in segs] == [
            HEADER, "Et la crèche ?", "Pleine.", "Dernière.", "Oui."]
        assert [s.front_matter for s in segs] == [True, False, False, False, False]
        # a time written in the head becomes the segment's time when it had none
        assert [s.timestamp for s in segs] == [None, 171.0, 180.0, 240.0, None]
        code = p.create_code("Garde")
        p.apply_code_to_segments("ancien", code, [1, 2])
        assert sorted(p.excerpts(code)["text"]) == ["Et la crèche ?", "Pleine."]


def test_cli_docs_show_segments_lists_the_turn_model(tmp_path, styles):
    import json

    from click.testing import CliRunner

    from workbench.cli import main

    project = tmp_path / "p.wbproj"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(project)]).exit_code == 0
    assert runner.invoke(main, ["import", str(project), str(styles)]).exit_code == 0
    r = runner.invoke(main, ["docs", "show", str(project), "styles", "--segments", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    text = STYLES.rstrip("\n")
    assert [text[row["body_start"]:row["end"]] for row in rows] == WORDS
    assert [row["front_matter"] for row in rows] == [True] + [False] * 5
    assert rows[4]["timestamp"] == 171.0


def test_turns_without_a_code_are_not_the_header(project, tmp_path):
    """TURN(NOT B) -- the turns still to code -- is the respondent's turns without B:
    neither the interviewer's nor the interview header."""
    path = tmp_path / "entete.txt"
    path.write_text(HEADER + "\n\nENQ : Bonjour ?\n\nLéa : Oui, le transport.\n\n"
                    "ENQ : Et après ?\n\nLéa : Rien.\n", encoding="utf-8")
    project.import_files([path])
    code = project.create_code("Transport")
    project.apply_code_to_segments("entete", code, [2])
    hits = project.query("TURN(NOT Transport)")
    assert list(hits["text"]) == ["Rien."]


TURNS_AFTER = "\n\nENQ : Bonjour, pouvez-vous vous présenter ?\n\nKarima : Oui, je suis en formation.\n\n" \
              "ENQ : Depuis quand ?\n\nKarima : Depuis mars."


@pytest.mark.parametrize("header", [
    "Entretien n°3 — #Avenir\nDate : 12/03/2023\nEnquêtrice : Sophie Martin\n"
    "Personne interrogée : Karima, 24 ans",
    "Date : 12 mars 2023\nLieu : Caen\nEnquêtrice : Sophie",      # the role last in its block
    "Entretien bénéficiaire\n\nInterviewer : Paul Durand\nInterviewé : Karima\nDurée : 35 min",
    "Entretien bénéficiaire\n\nEnquêtrice : Sophie Martin\n\nDate : 12/03/2023",
    "**Date :** 12/03/2023\n**Enquêteur :** Paul",
    # a long note above the fields
    "Transcription fictive — entretien inventé pour les tests ; toute ressemblance avec des "
    "personnes réelles serait fortuite.\n\nEnquêtrice : Sophie Martin\nLieu : Caen",
])
def test_a_header_written_as_fields_is_front_matter_not_turns(project, tmp_path, header):
    """A header naming who took part ("Enquêtrice : Sophie Martin" among "Date :" and
    "Durée :" lines) is the interview's front matter: its role lines are not turns."""
    path = tmp_path / "entete.txt"
    path.write_text(header + TURNS_AFTER, encoding="utf-8")
    project.import_files([path])
    segs = project.segments("entete")
    text = project.text("entete")
    turns = [(s.speaker, text[s.words[0]:s.end]) for s in segs if not s.front_matter]
    assert turns == [("ENQ", "Bonjour, pouvez-vous vous présenter ?"),
                     ("Karima", "Oui, je suis en formation."), ("ENQ", "Depuis quand ?"),
                     ("Karima", "Depuis mars.")]
    front = [s for s in segs if s.front_matter]
    assert front and all(s.speaker is None for s in front)
    assert "\n".join(text[s.start:s.end] for s in front).replace("\n\n", "\n") == \
        header.replace("\n\n", "\n")
    assert project.autocode_preview(Rule("keyword", "Sophie")).empty
    assert project.autocode_preview(Rule("keyword", "Paul")).empty


@pytest.mark.parametrize(("text", "speakers"), [
    # the turns come first: a note key later in the text makes no header of them
    ("interviewer: hello\ninterviewee: hi there\nnote: recorded in a cafe\n"
     "interviewer: ok\ninterviewee: yes",
     ["interviewer", "interviewee", "interviewer", "interviewee"]),
    # a title, then short turns: a greeting is not a name
    ("Entretien avec Karima\nENQ : Bonjour\nR : Oui\nNote : coupure\nENQ : Reprenons.\nR : Bien.",
     [None, "ENQ", "R", "ENQ", "R"]),
    # no header key at all: a role line with a name is a turn (a one-word answer)
    ("Entretien\n\nEnquêtrice : Sophie Martin\n\nR : Oui.\n\nEnquêtrice : Et ?\n\nR : Non.",
     [None, "Enquêtrice", "R", "Enquêtrice", "R"]),
    # the header runs straight into the turns, no blank line between
    ("Date : 12/03/2023\nEnquêtrice : Sophie Martin\nENQ : Bonjour, ça va ?\nR : Oui.\n"
     "ENQ : Et ?\nR : Non.", [None, "ENQ", "R", "ENQ", "R"]),
    # a field asked as a question is a turn
    ("Date : 12/03\n\nENQ : Votre âge ?\n\nR : 24 ans\n\nENQ : Durée de la formation ?\n\nR : 6 mois",
     [None, "ENQ", "R", "ENQ", "R"]),
])
def test_turns_at_the_top_are_not_taken_for_a_header(tmp_path, text, speakers):
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    assert [s.speaker for s in parse_file(path).segments] == speakers


def test_candidates_and_compared_places_show_the_words(project, styles):
    """What review lists and what the team comparison shows are quotes too: a
    candidate over a whole turn (a topic's, or another tool's) shows its words only."""
    project.import_files([styles])
    segs = project.segments("styles")
    code = project.create_code("Garde")
    project.apply_code_spans("styles", code, [(segs[4].start, segs[4].end)], origin="topic",
                             status="candidate")
    assert list(project.review_candidates()["text"]) == [WORDS[4]]
    assert project.spans_words([("styles", segs[4].start, segs[5].end),
                                (segs[1].document_id, segs[1].start, segs[1].end)]) == [
        f"{WORDS[4]}\n\n{WORDS[5]}", WORDS[1]]


def test_a_word_header_with_bold_fields_is_front_matter(project, tmp_path):
    """In a .docx the header's keys are often bold like the speakers' labels: still
    front matter, and the bold speakers below are turns."""
    import docx

    d = docx.Document()
    for key, value in [("Entretien n°3", ""), ("Date :", " 12/03/2023"),
                       ("Enquêtrice :", " Sophie Martin"), ("Durée :", " 35 min"),
                       ("ENQ :", " Bonjour, vous allez bien ?"), ("Karima :", " Oui, merci."),
                       ("ENQ :", " Et la formation ?"), ("Karima :", " Elle me plaît.")]:
        para = d.add_paragraph()
        para.add_run(key).bold = True
        if value:
            para.add_run(value)
    path = tmp_path / "gras.docx"
    d.save(path)
    project.import_files([path])
    segs = project.segments("gras")
    text = project.text("gras")
    assert [(s.speaker, s.front_matter) for s in segs] == [
        (None, True)] * 4 + [("ENQ", False), ("Karima", False), ("ENQ", False), ("Karima", False)]
    assert text[segs[5].words[0]:segs[5].end] == "Oui, merci."


def test_search_finds_what_is_said_not_labels_or_timestamps(project, styles):
    """The full-text index holds each turn's words: a speaker's name written in the
    labels of all her turns, or a written time, is not found as if it were said."""
    project.import_files([styles])
    assert project.search("Karima").empty
    assert project.search("51").empty                  # [00:02:51] and (00:00:05)
    hits = project.search("transport")
    assert list(hits["speaker"]) == ["Karima", "Karima"]
    assert project.search("Enquêtrice").empty
    # the header is front matter but its words are searchable
    assert len(project.search("durée")) == 1


def test_a_word_header_table_is_front_matter(project, tmp_path):
    """The "fiche signalétique" of a Word transcript is often a two-column table
    (Date | 12/03/2023, Enquêtrice | Sophie Martin, Durée | 35 min): its rows are the
    header's fields, front matter; the role row is not a turn."""
    import docx

    d = docx.Document()
    d.add_paragraph("Entretien n°3")
    table = d.add_table(rows=3, cols=2)
    for r, (key, value) in enumerate([("Date", "12/03/2023"), ("Enquêtrice", "Sophie Martin"),
                                      ("Durée", "35 min")]):
        table.cell(r, 0).text, table.cell(r, 1).text = key, value
    for line in ["ENQ : Bonjour, ça va ?", "Karima : Oui, merci.", "ENQ : Et la formation ?",
                 "Karima : Elle me plaît."]:
        d.add_paragraph(line)
    path = tmp_path / "fiche.docx"
    d.save(path)
    project.import_files([path])
    segs = project.segments("fiche")
    text = project.text("fiche")
    assert [text[s.start:s.end] for s in segs if s.front_matter] == [
        "Entretien n°3", "Date : 12/03/2023", "Enquêtrice : Sophie Martin", "Durée : 35 min"]
    assert [(s.speaker, text[s.words[0]:s.end]) for s in segs if not s.front_matter] == [
        ("ENQ", "Bonjour, ça va ?"), ("Karima", "Oui, merci."), ("ENQ", "Et la formation ?"),
        ("Karima", "Elle me plaît.")]


def test_a_transcript_brought_from_a_qdpx_is_searched_by_its_words(project, styles, tmp_path):
    """However a document arrives -- imported from its file, or from a REFI-QDA
    project (whose sources may be indexed ahead of their insertion) -- search finds
    what is said, not the speaker labels nor the written timestamps."""
    project.import_files([styles])
    out = tmp_path / "styles.qdpx"
    project.export_qdpx(out)
    other = Project.create(tmp_path / "autre.wbproj")
    try:
        other.import_qdpx(out)
        assert other.search("Karima").empty and other.search("51").empty
        assert list(other.search("transport")["speaker"]) == ["Karima", "Karima"]
    finally:
        other.close()


def test_word_count_is_the_words_of_the_turns(tmp_path):
    """A document's word count (info "Mots", docs list, the report's corpus) counts what
    was said: the words of its turns (Segment.words), never speaker labels or written
    timestamps.  Counted by hand: 7 + 9 + 2 + 9 = 27 words (êtes-vous, m'a, l'immersion
    are one word each); the labels (4 words) and the two timestamps (3 "words" each)
    would make 37."""
    from workbench.project import Project
    f = tmp_path / "entretien.txt"
    f.write_text("ENQ : Bonjour, comment êtes-vous entrée dans le programme ?\n"
                 "Karima : C'est ma conseillère qui m'a parlé de la formation.\n"
                 "[00:01:12] ENQ : Et l'immersion ?\n"
                 "[00:01:15] Karima : Trois semaines à la crèche, ça m'a redonné confiance.\n",
                 encoding="utf-8")
    with Project.create(tmp_path / "p.wbproj", coder="testeur") as p:
        p.import_files([f])
        doc = p.document("entretien")
        assert doc.word_count == 27
        assert p.info()["words"] == 27
