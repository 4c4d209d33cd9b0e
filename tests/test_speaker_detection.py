"""Who speaks: a label seen once is a speaker when the rest of the document says so, and
prose that looks like a label is not; lowercase conventions are labels.

Every case is a document written here; the expected speakers were decided by reading it.
"""
from __future__ import annotations

import pytest

from workbench.ingest.speakers import segment_lines

FOCUS_GROUP = "ENQ : Comment orientez-vous ?\n\nClaire : Via le CEP.\n\nDavid : Je suis d'accord."


def speakers(text: str, **kw) -> list[str | None]:
    _, segs = segment_lines(text.split("\n"), **kw)
    return [s.speaker for s in segs]


def test_focus_group_people_who_speak_once_are_speakers():
    assert speakers(FOCUS_GROUP) == ["ENQ", "Claire", "David"]


def test_focus_group_import_links_a_once_seen_speaker(project, tmp_path):
    csv = tmp_path / "participants.csv"
    csv.write_text("participant_id,age\nP07,31\nP08,45\n", encoding="utf-8")
    project.import_participants(csv)
    path = tmp_path / "groupe.txt"
    path.write_text(FOCUS_GROUP + "\n", encoding="utf-8")
    report = project.import_files([path], speakers={"David": "P08", "Claire": "P07"})
    assert [r.status for r in report.results] == ["imported"], report.results[0].message
    segs = project.segments("groupe")
    text = project.text("groupe")
    assert [(s.speaker, text[s.words[0]:s.end]) for s in segs] == [
        ("ENQ", "Comment orientez-vous ?"), ("Claire", "Via le CEP."), ("David", "Je suis d'accord.")]
    links = {(l["participant_id"], l["speaker"]) for l in project.document_participants("groupe")}
    assert links == {("P07", "Claire"), ("P08", "David")}


def test_a_named_speaker_is_a_speaker_even_where_detection_would_doubt(project, tmp_path):
    """--speaker names a label: a once-seen label the detector would leave as prose
    (here a first name that is also a French word, Ben) is taken as the speaker."""
    csv = tmp_path / "participants.csv"
    csv.write_text("participant_id,age\nP09,22\n", encoding="utf-8")
    project.import_participants(csv)
    path = tmp_path / "ben.txt"
    path.write_text("ENQ : Et toi ?\nBen : Moi, la formation m'a plu.\nENQ : Merci.\n", encoding="utf-8")
    assert speakers(path.read_text().rstrip()) == ["ENQ", "ENQ"]
    report = project.import_files([path], speakers={"Ben": "P09"})
    assert report.results[0].status == "imported", report.results[0].message
    assert [s.speaker for s in project.segments("ben")] == ["ENQ", "Ben", "ENQ"]


@pytest.mark.parametrize("text, expected", [
    # "Alors :" / "Note :" / "Exemple concret :" are prose, even once
    ("ENQ : Et ensuite ?\n\nLéa : On a fait des ateliers.\nAlors : on a fait le tour.\n\n"
     "Note : la fin de l'enregistrement est coupée.", ["ENQ", "Léa"]),
    ("ENQ : Question ?\nExemple concret : la cantine.\nENQ : Et alors ?\nMarc : Oui.\nMarc : Non.",
     ["ENQ", "ENQ", "Marc", "Marc"]),
    # header lines "Key : value" before the first turn are the header, not speakers
    ("Structure : Mission locale de Lens\nSite : Lens\n\nENQ : Bonjour.\n\nLéa : Bonjour.",
     [None, "ENQ", "Léa"]),
    # a "Name :" inside a turn's paragraph (no blank line before, where turns have one) is
    # part of the turn
    ("ENQ : Qui vous a orienté ?\n\nLéa : Ma conseillère, elle m'a dit :\nMarie : « vas-y ».\n\n"
     "ENQ : D'accord.\n\nLéa : Voilà.", ["ENQ", "Léa", "ENQ", "Léa"]),
    # a capitalised key before lowercase words, where the turns' words start with a capital
    ("ENQ : Les freins ?\nLéa : Le transport.\nENQ : Et encore ?\nLéa : La garde.\n"
     "Mobilité : pas de voiture, pas de bus.", ["ENQ", "Léa", "ENQ", "Léa"]),
    # an article starts a phrase, not a name
    ("ENQ : Et le CEP ?\n\nLéa : Oui.\n\nLe CEP : C'est le conseil en évolution professionnelle.",
     ["ENQ", "Léa"]),
    # a key word of notes and forms is not a person, even once and well placed
    ("ENQ : Bonjour.\n\nLéa : Bonjour.\n\nObservation : Elle arrive en retard.", ["ENQ", "Léa"]),
    # institutions, days and pronouns that open a paragraph of a turn are not people
    ("ENQ : Et ensuite ?\n\nLéa : J'ai appelé.\n\nPôle Emploi : Ils m'ont radiée.\n\n"
     "Lundi : On a recommencé.\n\nMoi : Je n'y croyais plus.", ["ENQ", "Léa"]),
    # the label must be written like the document's turns: bracketed turns, a colon line
    ("[ENQ] Bonjour.\n\n[Léa] Bonjour.\n\n[ENQ] Ça va ?\n\n[Léa] Oui.\n\nPaul : Non.",
     ["ENQ", "Léa", "ENQ", "Léa"]),
])
def test_prose_that_looks_like_a_label_is_not_a_speaker(text, expected):
    assert speakers(text) == expected


def test_once_seen_labels_need_turns_around_them():
    # nothing else in the document is a turn: a single "Name : ..." stays prose
    assert speakers("Compte rendu.\n\nClaire : Via le CEP.") == [None, None]


@pytest.mark.parametrize("text, expected", [
    ("interviewer: how did you hear about it?\ninterviewee: through a friend.\n"
     "interviewer: and then?\ninterviewee: I signed up.",
     ["interviewer", "interviewee", "interviewer", "interviewee"]),
    ("enq : vous avez commencé quand ?\nr : en mars.", ["enq", "r"]),
    ("int: bonjour\nresp: bonjour\nint: ça va ?\nresp: oui", ["int", "resp", "int", "resp"]),
    ("spk1: bonjour\nspk2: bonjour\nspk1: ça va ?\nspk2: oui", ["spk1", "spk2", "spk1", "spk2"]),
    ("enquêtrice : bonjour\nmarie : bonjour\nenquêtrice : ça va ?\nmarie : oui",
     ["enquêtrice", "marie", "enquêtrice", "marie"]),
])
def test_lowercase_label_conventions(text, expected):
    assert speakers(text) == expected


def test_lowercase_label_interviewer_role():
    _, segs = segment_lines(["interviewer: bonjour", "interviewee: bonjour"])
    assert [s.is_interviewer for s in segs] == [True, False]


@pytest.mark.parametrize("text", [
    # lowercase prose before a colon is not a label, even twice, when nothing else in the
    # document is written that way
    "ENQ : Alors ?\nLéa : Bien.\nla formation : c'était bien.\nENQ : Et ?\nla formation : pareil.",
    "ENQ : Alors ?\nLéa : Bien.\nc'est simple : non.\nENQ : Et ?\nc'est simple : oui.",
])
def test_lowercase_prose_is_not_a_label(text):
    assert set(speakers(text)) == {"ENQ", "Léa"}


def test_subtitle_prefixes_weigh_the_same_evidence(tmp_path):
    from workbench.ingest.parsers import parse_file

    srt = tmp_path / "groupe.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:02,000\nENQ : Vous êtes venus comment ?\n\n"
                   "2\n00:00:03,000 --> 00:00:04,000\nClaire : En bus.\n\n"
                   "3\n00:00:05,000 --> 00:00:06,000\nDavid : À pied.\n\n"
                   "4\n00:00:07,000 --> 00:00:08,000\nAlors : pas simple.\n", encoding="utf-8")
    t = parse_file(srt)
    assert [(s.speaker, t.text[s.words_start:s.end]) for s in t.segments] == [
        ("ENQ", "Vous êtes venus comment ?"), ("Claire", "En bus."),
        ("David", "À pied. Alors : pas simple.")]
    assert [s.timestamp for s in t.segments] == [1.0, 3.0, 5.0]


def test_a_group_where_everyone_speaks_once_needs_no_interviewer():
    assert speakers("Claire : Via le CEP.\n\nDavid : Je suis d'accord.") == ["Claire", "David"]


@pytest.mark.parametrize("text", [
    # two "Name :" lines among prose: notes, not a transcript
    "Rapport de visite.\nMme Leroy : accueil des stagiaires.\nLe site est grand.\n"
    "La salle est petite.\nM. Martin : absent.\nTout va bien.",
    # written differently: a bracket and a colon
    "[Claire] Via le CEP.\n\nDavid : Je suis d'accord.",
])
def test_once_seen_labels_without_turns_stay_prose(text):
    assert set(speakers(text)) == {None}


@pytest.mark.parametrize(("interviewer", "respondent"), [
    ("I", "R"), ("I", "P"), ("i", "r"), ("I1", "P1"), ("INT", "RESP"), ("int", "resp"),
])
def test_i_and_int_are_the_interviewer(interviewer, respondent):
    from workbench.ingest.speakers import segment_lines

    lines = [f"{interviewer} : Bonjour, vous allez bien ?", f"{respondent} : Oui, très bien.",
             f"{interviewer} : Et la formation ?", f"{respondent} : Elle me plaît."]
    _text, segs = segment_lines(lines)
    assert [(s.speaker, s.is_interviewer) for s in segs] == [
        (interviewer, True), (respondent, False), (interviewer, True), (respondent, False)]
