"""Transcriber ``<Section topic=...>``: each turn keeps its section (the topic's
description), on real files (tests/fixtures/transcriber, see its README) and on files
written here."""
from __future__ import annotations

from pathlib import Path

from workbench.coding.autocode import Rule
from workbench.ingest.parsers import parse_file

REAL = Path(__file__).resolve().parent / "fixtures" / "transcriber"

SECTIONED = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE Trans SYSTEM "trans-14.dtd">
<Trans scribe="C. Maréchal" audio_filename="entretien" version="2" xml:lang="fr">
<Speakers>
<Speaker id="spk1" name="Enquêtrice"/>
<Speaker id="spk2" name="Karima"/>
</Speakers>
<Topics>
<Topic id="to1" desc="Parcours d'entrée"/>
<Topic id="to2" desc="Freins à la formation"/>
<Topic id="to3" desc=""/>
</Topics>
<Episode>
<Section type="nontrans" startTime="0" endTime="3">
</Section>
<Section type="report" topic="to1" startTime="3" endTime="20">
<Turn speaker="spk1" startTime="3" endTime="8"><Sync time="3"/>Comment êtes-vous arrivée ?</Turn>
<Turn speaker="spk2" startTime="8" endTime="20"><Sync time="8"/>Par la mission locale.</Turn>
</Section>
<Section type="report" topic="to2" startTime="20" endTime="40">
<Turn speaker="spk1" startTime="20" endTime="24"><Sync time="20"/>Et le transport ?</Turn>
<Turn speaker="spk2" startTime="24" endTime="40"><Sync time="24"/>Pas de bus le matin.</Turn>
</Section>
<Section type="report" topic="to3" startTime="40" endTime="45">
<Turn speaker="spk2" startTime="40" endTime="45"><Sync time="40"/>Voilà.</Turn>
</Section>
<Section type="report" startTime="45" endTime="50">
<Turn speaker="spk1" startTime="45" endTime="50"><Sync time="45"/>Merci.</Turn>
</Section>
</Episode>
</Trans>
"""


def test_sections_come_from_the_topics(tmp_path):
    path = tmp_path / "sections.trs"
    path.write_bytes(SECTIONED.encode("iso-8859-1"))
    t = parse_file(path)
    assert [(s.speaker, t.text[s.words_start:s.end], s.section) for s in t.segments] == [
        ("Enquêtrice", "Comment êtes-vous arrivée ?", "Parcours d'entrée"),
        ("Karima", "Par la mission locale.", "Parcours d'entrée"),
        ("Enquêtrice", "Et le transport ?", "Freins à la formation"),
        ("Karima", "Pas de bus le matin.", "Freins à la formation"),
        ("Karima", "Voilà.", "to3"),              # a topic without description: its id
        ("Enquêtrice", "Merci.", None),           # a section without topic
    ]


def test_sections_are_stored_and_section_rules_use_them(project, tmp_path):
    path = tmp_path / "sections.trs"
    path.write_bytes(SECTIONED.encode("iso-8859-1"))
    project.import_files([path])
    assert [s.section for s in project.segments("sections")] == [
        "Parcours d'entrée", "Parcours d'entrée", "Freins à la formation",
        "Freins à la formation", "to3", None]
    preview = project.autocode_preview(Rule("section", "freins"))
    assert list(preview["text"]) == ["Pas de bus le matin."]


def test_real_files_without_topics_have_no_section(project):
    for name in ("DOC_FR_2020_CHOIX_5.trs", "Conversation_MAT_08.trs"):
        t = parse_file(REAL / name)
        assert t.segments and all(s.section is None for s in t.segments), name
        assert all(t.text[s.words_start:s.end].strip() for s in t.segments), name
    report = project.import_files(sorted(REAL.glob("*.trs")))
    assert [r.status for r in report.results] == ["imported", "imported"]
    choix = project.segments("DOC_FR_2020_CHOIX_5")
    assert {s.speaker for s in choix} >= {"Mélanie", "Eloise"}
    assert all(s.section is None and not s.front_matter for s in choix)


def test_a_real_file_given_topics_keeps_them(tmp_path):
    """The real CHOIX file with its one declared topic described and its section
    pointing to it: every turn of that section has it."""
    data = (REAL / "DOC_FR_2020_CHOIX_5.trs").read_text(encoding="utf-8")
    data = data.replace('<Topic desc="" id="d0"/>', '<Topic desc="Choix du film" id="d0"/>')
    data = data.replace('<Section endTime="239.424"', '<Section topic="d0" endTime="239.424"')
    path = tmp_path / "choix.trs"
    path.write_text(data, encoding="utf-8")
    t = parse_file(path)
    assert t.segments and {s.section for s in t.segments} == {"Choix du film"}


def test_real_file_times_are_each_speakers_sync(project):
    """In a turn with overlapping speech, each speaker's words take the time of the
    <Sync> before them, not the turn's start (read by hand in DOC_FR_2020_CHOIX_5.trs:
    turn 102.825-105.26, L2 at Sync 102.825, L1 at Sync 104.495; turn 133.5-144.214,
    L2 at 133.5, L1 at 143.55)."""
    t = parse_file(REAL / "DOC_FR_2020_CHOIX_5.trs")
    got = [(s.speaker, s.timestamp, s.end_time, t.text[s.words_start:s.end][:22])
           for s in t.segments]
    assert got[:8] == [
        ("Mélanie", 2.75, 4.05, "<alors moi moi j'ai ch"),
        ("Eloise", 2.8, 4.05, "{rire}>"),
        ("Eloise", 42.8, 59.9, "d'accord> {rire} atypi"),
        ("Eloise", 102.825, 105.26, "hum c'est interesssant"),
        ("Mélanie", 104.495, 105.26, "{rire}> c'est interess"),
        ("Mélanie", 110.022, 133.45, "c'est pas le même genr"),
        ("Eloise", 133.5, 144.214, "c'est vraiment les:: c"),
        ("Mélanie", 143.55, 144.214, "français>"),
    ]


def test_two_speakers_under_one_name_stay_apart(project, tmp_path):
    """DOC_FR_2020_CHOIX_5.trs declares L1 and SD both as "Mélanie" (SD's turns are
    silence durations, read by hand: lines 66, 87, 131, 143, 159 (overlapping the
    observer "Rou") and 175): SD's turns are labelled with its id,
    the import says so, and each label maps to a participant on its own."""
    t = parse_file(REAL / "DOC_FR_2020_CHOIX_5.trs")
    sd = [(s.speaker, t.text[s.words_start:s.end], s.timestamp) for s in t.segments
          if s.speaker == "Mélanie (SD)"]
    assert sd == [("Mélanie (SD)", "0.643", 176.35), ("Mélanie (SD)", "0.444", 193.77),
                  ("Mélanie (SD)", "0.200", 227.926), ("Mélanie (SD)", "1.885", 229.695),
                  ("Mélanie (SD)", "1.669", 236.709), ("Mélanie (SD)", "0.181", 239.243)]
    assert "Rou" in {s.speaker for s in t.segments}
    assert len(t.warnings) == 1 and "L1" in t.warnings[0] and "'Mélanie (SD)'" in t.warnings[0]

    parts = tmp_path / "participants.csv"
    parts.write_text("id,age\nP01,24\nP02,31\n", encoding="utf-8")
    project.import_participants(parts)
    report = project.import_files([REAL / "DOC_FR_2020_CHOIX_5.trs"],
                                  speakers={"Mélanie": "P01", "Eloise": "P02"})
    assert report.results[0].status == "imported"
    linked = {(r["participant_id"], r["speaker"])
              for r in project.document_participants("DOC_FR_2020_CHOIX_5")}
    assert linked == {("P01", "Mélanie"), ("P02", "Eloise")}


def test_a_turn_without_words_at_its_first_sync_takes_the_time_of_its_words(tmp_path):
    """The real badfile.trs shape: a turn from 0 whose words start at the second Sync."""
    path = tmp_path / "late.trs"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<Trans><Episode><Section '
                    'type="report" startTime="0" endTime="9"><Turn startTime="0" endTime="9">'
                    '<Sync time="0"/>\n\n<Sync time="1.58"/>Phrase un\n<Sync time="3.457"/>'
                    'Phrase deux\n</Turn></Section></Episode></Trans>', encoding="utf-8")
    t = parse_file(path)
    assert [(t.text[s.words_start:s.end], s.timestamp, s.end_time) for s in t.segments] == [
        ("Phrase un Phrase deux", 1.58, 9.0)]
