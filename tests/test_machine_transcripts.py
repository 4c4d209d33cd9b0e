"""Machine transcriptions as evaluators receive them: Whisper / WhisperX / whisper.cpp
JSON, and the speaker-labelled .vtt / .srt / .docx that transcription tools write.

Each file is written here in the shape the tool writes; expected turns worked out by hand.
"""
from __future__ import annotations

import json

import pytest

from workbench.ingest.model import ImportFileError
from workbench.ingest.parsers import SUPPORTED_EXTENSIONS, parse_file

WHISPERX = {
    "segments": [
        {"start": 0.031, "end": 2.5, "text": " Bonjour, merci d'être venue.", "speaker": "SPEAKER_00",
         "words": [{"word": "Bonjour,", "start": 0.031, "end": 0.6, "score": 0.9, "speaker": "SPEAKER_00"},
                   {"word": "merci", "start": 0.7, "end": 1.0, "score": 0.9, "speaker": "SPEAKER_00"},
                   {"word": "d'être", "start": 1.1, "end": 1.5, "score": 0.8, "speaker": "SPEAKER_00"},
                   {"word": "venue.", "start": 1.6, "end": 2.5, "score": 0.9, "speaker": "SPEAKER_00"}]},
        {"start": 2.6, "end": 4.0, "text": " Comment avez-vous connu le programme ?", "speaker": "SPEAKER_00",
         "words": []},
        {"start": 4.4, "end": 7.25, "text": " Par ma conseillère.", "speaker": "SPEAKER_01",
         "words": [{"word": "Par", "start": 4.4, "end": 4.6, "speaker": "SPEAKER_01"}]},
        # no segment speaker: the words' majority speaks
        {"start": 7.5, "end": 9.0, "text": " Et après ?",
         "words": [{"word": "Et", "speaker": "SPEAKER_00"}, {"word": "après", "speaker": "SPEAKER_00"},
                   {"word": "?", "speaker": "SPEAKER_01"}]},
    ],
    "word_segments": [{"word": "Bonjour,", "start": 0.031, "end": 0.6}],
    "language": "fr",
}


def write_json(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def turns(t):
    return [(s.speaker, t.text[s.words_start:s.end], s.timestamp, s.end_time) for s in t.segments]


def test_whisperx_diarised_segments_make_turns_without_duplicated_words(tmp_path):
    t = parse_file(write_json(tmp_path, "entretien.json", WHISPERX))
    assert ".json" in SUPPORTED_EXTENSIONS and t.source_format == "json"
    assert turns(t) == [
        ("SPEAKER_00", "Bonjour, merci d'être venue. Comment avez-vous connu le programme ?", 0.031, 4.0),
        ("SPEAKER_01", "Par ma conseillère.", 4.4, 7.25),
        ("SPEAKER_00", "Et après ?", 7.5, 9.0),
    ]
    assert t.text.count("Bonjour") == 1          # word entries never add text
    assert t.metadata["speakers"] == ["SPEAKER_00", "SPEAKER_01"]
    assert t.metadata["whisper_language"] == "fr"
    assert t.warnings == ()


def test_whisper_without_speakers_keeps_each_segment_and_its_time(tmp_path):
    data = {"text": " Bonjour. Ça va ?", "language": "fr",
            "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 1.5, "text": " Bonjour.",
                          "tokens": [50364, 2425], "temperature": 0.0, "avg_logprob": -0.3},
                         {"id": 1, "seek": 0, "start": 1.5, "end": 3.0, "text": " Ça va ?",
                          "tokens": [50440]}]}
    t = parse_file(write_json(tmp_path, "whisper.json", data))
    assert turns(t) == [(None, "Bonjour.", 0.0, 1.5), (None, "Ça va ?", 1.5, 3.0)]
    assert [s.kind for s in t.segments] == ["paragraph", "paragraph"]
    assert any("not diarised" in w for w in t.warnings)


def test_a_bare_list_of_segments_and_words_only_segments(tmp_path):
    data = [{"start": 0, "end": 1, "speaker": "A", "text": "Oui."},
            {"start": 1, "end": 2, "speaker": "B",
             "words": [{"word": " Non", "start": 1, "end": 1.5}, {"word": ".", "start": 1.5, "end": 2}]}]
    t = parse_file(write_json(tmp_path, "liste.json", data))
    assert turns(t) == [("A", "Oui.", 0.0, 1.0), ("B", "Non.", 1.0, 2.0)]


def test_whisper_cpp_json(tmp_path):
    data = {"result": {"language": "fr"},
            "transcription": [
                {"timestamps": {"from": "00:00:00,000", "to": "00:00:02,000"},
                 "offsets": {"from": 0, "to": 2000}, "text": " Bonjour à tous."},
                {"timestamps": {"from": "00:00:02,000", "to": "00:00:04,500"},
                 "offsets": {"from": 2000, "to": 4500}, "text": " On commence."}]}
    t = parse_file(write_json(tmp_path, "cpp.json", data))
    assert turns(t) == [(None, "Bonjour à tous.", 0.0, 2.0), (None, "On commence.", 2.0, 4.5)]
    assert t.metadata["whisper_language"] == "fr"


@pytest.mark.parametrize("data, message", [
    ({"name": "config", "version": 2}, r"config\.json: not a Whisper/WhisperX transcript \(an object with 'name', 'version'\)"),
    ([1, 2, 3], r"not a Whisper/WhisperX transcript \(a list of 3 items\)"),
    ({"segments": [{"start": "0:00", "end": 1, "text": "x"}]}, r"segment 0: 'start' is not a number"),
    ({"segments": [{"start": 0, "end": 1, "text": 12}]}, r"segment 0: 'text' is not text"),
    ({"segments": [{"start": 0, "end": 1, "text": "  "}]}, r"empty file"),
    ({"segments": ["bonjour"]}, r"segment 0 is not an object"),
])
def test_json_that_is_not_a_transcript_is_a_clear_error(tmp_path, data, message):
    path = write_json(tmp_path, "config.json", data)
    with pytest.raises(ImportFileError, match=message):
        parse_file(path)


def test_malformed_json_names_the_line(tmp_path):
    path = tmp_path / "casse.json"
    path.write_text('{"segments": [\n  {"start": 0, "end": 1, "text": "x"},\n  oops\n]}', encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"casse\.json:3: malformed JSON"):
        parse_file(path)


def test_whisperx_import_and_speaker_mapping(project, tmp_path):
    csv = tmp_path / "participants.csv"
    csv.write_text("participant_id,age\nP08,45\n", encoding="utf-8")
    project.import_participants(csv)
    path = write_json(tmp_path, "entretien.json", WHISPERX)
    report = project.import_files([path], speakers={"SPEAKER_01": "P08"})
    assert report.results[0].status == "imported", report.results[0].message
    segs = project.segments("entretien")
    assert [s.timestamp for s in segs] == [0.031, 4.4, 7.5]
    code = project.create_code("Orientation")
    project.apply_code_to_segments("entretien", code, [1])
    assert list(project.excerpts(code)["text"]) == ["Par ma conseillère."]


# -- subtitles and Word files as transcription tools write them ------------------------

def test_whisperx_srt_and_vtt_with_bracketed_speakers(tmp_path):
    srt = tmp_path / "wx.srt"
    srt.write_text("1\n00:00:00,031 --> 00:00:02,500\n[SPEAKER_00]: Bonjour.\n\n"
                   "2\n00:00:02,600 --> 00:00:04,000\n[SPEAKER_01]: Bonjour madame.\n\n"
                   "3\n00:00:04,100 --> 00:00:05,000\n[SPEAKER_00]: On commence ?\n", encoding="utf-8")
    vtt = tmp_path / "wx.vtt"
    vtt.write_text("WEBVTT\n\n00:00.031 --> 00:02.500\n[SPEAKER_00]: Bonjour.\n\n"
                   "00:02.600 --> 00:04.000\n[SPEAKER_01]: Bonjour madame.\n\n"
                   "00:04.100 --> 00:05.000\n[SPEAKER_00]: On commence ?\n", encoding="utf-8")
    for path in (srt, vtt):
        t = parse_file(path)
        assert [(s.speaker, t.text[s.words_start:s.end]) for s in t.segments] == [
            ("SPEAKER_00", "Bonjour."), ("SPEAKER_01", "Bonjour madame."),
            ("SPEAKER_00", "On commence ?")], path
        assert [s.timestamp for s in t.segments] == [0.031, 2.6, 4.1]


def test_teams_and_zoom_vtt(tmp_path):
    teams = tmp_path / "teams.vtt"
    teams.write_text("WEBVTT\n\n0f1b/12-0\n00:00:01.000 --> 00:00:03.000\n<v Marie Dupont>Bonjour à tous.</v>\n\n"
                     "0f1b/13-0\n00:00:03.500 --> 00:00:05.000\n<v Paul Martin>Merci Marie.</v>\n", encoding="utf-8")
    zoom = tmp_path / "zoom.vtt"
    zoom.write_text("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nMarie Dupont: Bonjour à tous.\n\n"
                    "2\n00:00:03.500 --> 00:00:05.000\nPaul Martin: Merci Marie.\n", encoding="utf-8")
    for path in (teams, zoom):
        t = parse_file(path)
        assert [(s.speaker, t.text[s.words_start:s.end]) for s in t.segments] == [
            ("Marie Dupont", "Bonjour à tous."), ("Paul Martin", "Merci Marie.")], path


def _docx(path, paragraphs):
    import docx
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))
    return path


def test_word_transcribe_docx_time_then_speaker_line(tmp_path):
    path = _docx(tmp_path / "word.docx", [
        "Entretien.mp3", "", "00:00:03 Speaker 1", "Bonjour, on commence.", "",
        "00:00:10 Speaker 2", "Oui.", "D'accord.", "", "00:00:15 Speaker 1", "Merci."])
    t = parse_file(path)
    assert [(s.speaker, t.text[s.words_start:s.end], s.timestamp) for s in t.segments] == [
        (None, "Entretien.mp3", None),
        ("Speaker 1", "Bonjour, on commence.", 3.0),
        ("Speaker 2", "Oui.\nD'accord.", 10.0),
        ("Speaker 1", "Merci.", 15.0)]
    assert t.segments[0].kind == "paragraph"


def test_otter_and_teams_docx_speaker_then_time_line(tmp_path):
    path = _docx(tmp_path / "otter.docx", [
        "Marie Dupont  0:03", "Bonjour à tous.", "Paul Martin  0:10", "Merci Marie.",
        "Claire Petit  0:14", "Je complète."])
    t = parse_file(path)
    assert [(s.speaker, t.text[s.words_start:s.end], s.timestamp) for s in t.segments] == [
        ("Marie Dupont", "Bonjour à tous.", 3.0), ("Paul Martin", "Merci Marie.", 10.0),
        ("Claire Petit", "Je complète.", 14.0)]


@pytest.mark.parametrize("lines", [
    # timestamped paragraphs without speakers are not "time + speaker" lines
    ["[00:01:02] Merci", "[00:01:05] Merci", "[00:01:09] Bonjour Madame", "[00:01:12] Bonjour Madame"],
    ["00:00:03 Bonjour", "", "00:00:05 Bonjour", ""],
])
def test_time_then_words_lines_are_not_speakers(lines):
    from workbench.ingest.speakers import segment_lines
    _, segs = segment_lines(lines)
    assert all(s.speaker is None for s in segs)


def test_a_cue_holding_two_speakers_lines_makes_two_turns(tmp_path):
    """Captions often put a question and its answer in one cue, a line each: each
    speaker's line is their own turn, with the cue's time."""
    srt = tmp_path / "deux.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:04,000\nENQ : Bonjour, ça va ?\nKarima : Oui, merci.\n\n"
                   "2\n00:00:05,000 --> 00:00:08,000\nENQ : Et la formation ?\n\n"
                   "3\n00:00:09,000 --> 00:00:12,000\nKarima : Elle me plaît,\nvraiment.\n",
                   encoding="utf-8")
    t = parse_file(srt)
    assert [(s.speaker, t.text[s.words_start:s.end], s.timestamp) for s in t.segments] == [
        ("ENQ", "Bonjour, ça va ?", 1.0), ("Karima", "Oui, merci.", 1.0),
        ("ENQ", "Et la formation ?", 5.0), ("Karima", "Elle me plaît, vraiment.", 9.0)]
    vtt = tmp_path / "deux.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v ENQ>Bonjour, ça va ?</v>\n"
                   "<v Karima>Oui,\nmerci.</v>\n\n00:00:05.000 --> 00:00:08.000\n<v ENQ>Et ensuite ?\n",
                   encoding="utf-8")
    t = parse_file(vtt)
    assert [(s.speaker, t.text[s.words_start:s.end]) for s in t.segments] == [
        ("ENQ", "Bonjour, ça va ?"), ("Karima", "Oui, merci."), ("ENQ", "Et ensuite ?")]
