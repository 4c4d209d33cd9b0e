"""WebVTT (.vtt) and SubRip (.srt) subtitle files as transcripts.

Each cue has start/end times; the speaker comes from a ``<v Name>`` voice tag or
a ``Label :`` prefix in the cue (on any of its lines: a cue holding a question and its
answer, a line each, gives two turns with the cue's time).  Consecutive cues of the same speaker are merged
into one turn (timestamp of the first cue, end time of the last) written as one
``"Speaker : text"`` line.  A cue without a speaker that follows a cue with one
continues that speaker's turn (captioners label only the first cue of a turn).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.i18n import _

from ..encoding import decode_bytes
from ..model import ImportFileError, ParsedTranscript
from ..speakers import accepted_labels, clean_label, parse_line
from ._base import TurnBuilder, normalise_text, read_bytes, register

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?"
_TIMING_RE = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(?:\s+.*)?$")
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]+)>")
_TAG_RE = re.compile(r"</?[^>\s][^>]*>|\{\\[^}]*\}")


@dataclass
class _Cue:
    start: float
    end: float
    speaker: str | None
    text: str
    line: int
    #: the cue's lines of text, markup removed (a cue may hold two speakers' lines)
    lines: list[str] = field(default_factory=list)


def _seconds(groups: tuple[str | None, ...]) -> float:
    h, m, s, ms = groups
    minutes, seconds = int(m or 0), int(s or 0)      # (the timing pattern requires both)
    if minutes >= 60 or seconds >= 60:
        raise ValueError(_("minutes or seconds ≥ 60"))
    frac = float("0." + ms) if ms else 0.0
    return int(h or 0) * 3600 + minutes * 60 + seconds + frac


def _parse_timing(line: str, path: Path, lineno: int) -> tuple[float, float]:
    m = _TIMING_RE.match(line)
    if not m:
        raise ImportFileError(path, _("bad cue timing line {line!r} (expected "
                                      "'00:00:01.000 --> 00:00:04.000')").format(line=line.strip()),
                              line=lineno)
    try:
        return _seconds(m.groups()[:4]), _seconds(m.groups()[4:8])
    except ValueError as exc:
        raise ImportFileError(path, _("bad cue timing line {line!r}: {error}").format(
            line=line.strip(), error=exc), line=lineno) from exc


def _plain(line: str) -> str:
    """A cue line without markup, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(_TAG_RE.sub("", line))).strip()


def _voices(lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """A cue's lines by voice: a line opening with a ``<v Name>`` tag starts that
    speaker's piece (two speakers in one cue stay two turns); other lines continue the
    piece above.  Each piece: (speaker or None, its lines without markup)."""
    pieces: list[tuple[str | None, list[str]]] = []
    for raw in lines:
        raw = raw.strip()
        if not raw:
            continue
        voice = _VOICE_RE.match(raw) or (None if pieces else _VOICE_RE.search(raw))
        text = _plain(raw)
        if voice is not None or not pieces:
            speaker = clean_label(html.unescape(voice.group(1))) if voice else None
            pieces.append((speaker, [text] if text else []))
        elif text:
            pieces[-1][1].append(text)
    return pieces


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for i, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                start = i
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _read_cues(path: Path, lines: list[str], vtt: bool) -> list[_Cue]:
    blocks = _blocks(lines)
    if vtt:
        if not blocks or not blocks[0][1][0].lstrip("\ufeff").startswith("WEBVTT"):
            raise ImportFileError(path, _("not a WebVTT file: the first line must be 'WEBVTT'"),
                                  line=1)
        blocks = blocks[1:]
    cues: list[_Cue] = []
    for first, block in blocks:
        head = block[0].strip()
        if vtt and (head.startswith(("NOTE", "STYLE", "REGION"))) and "-->" not in head:
            continue
        # timing line: first line, or second after a cue identifier / SRT index
        if "-->" in head:
            t_index = 0
        elif len(block) > 1 and ("-->" in block[1] or (not vtt and head.isdigit())):
            t_index = 1
        elif cues and not head.isdigit():
            # stray text block (a blank line inside a cue): continue the previous cue
            cues[-1].lines.extend(t for t in (_plain(line) for line in block) if t)
            cues[-1].text = " ".join(cues[-1].lines)
            continue
        else:
            found = block[min(1, len(block) - 1)].strip()
            raise ImportFileError(path, _("expected a cue timing line, found {found!r}").format(
                found=found), line=first + min(1, len(block) - 1))
        start, end = _parse_timing(block[t_index], path, first + t_index)
        pieces = _voices(block[t_index + 1 :]) or [(None, [])]
        for speaker, texts in pieces:
            cues.append(_Cue(start, end, speaker, " ".join(texts), first + t_index, texts))
    return cues


def _label_prefixes(cues: list[_Cue]) -> list[_Cue]:
    """Take ``Label :`` prefixes as speakers on the evidence of the whole file
    (:func:`~workbench.ingest.speakers.accepted_labels`: they recur, name the
    interviewer, or are written like the other turns).  A prefix may open any line
    of a cue: a cue holding two speakers' lines (``ENQ : Ça va ?`` / ``Karima :
    Oui.``) becomes two pieces, each with the cue's times."""
    unnamed = [(c, [parse_line(line) for line in c.lines]) for c in cues if c.speaker is None]
    every = [info for _cue, infos in unnamed for info in infos]
    accepted = accepted_labels(every, text_lines=len(every))
    split: dict[int, list[_Cue]] = {}
    for cue, infos in unnamed:
        pieces: list[_Cue] = []
        for line, info in zip(cue.lines, infos):
            if info.label in accepted and info.body_start:
                words = line[info.body_start:].strip()
                pieces.append(_Cue(cue.start, cue.end, info.label, words, cue.line, [words]))
            elif pieces:
                pieces[-1].lines.append(line)
                pieces[-1].text = " ".join(pieces[-1].lines)
            else:
                pieces.append(_Cue(cue.start, cue.end, None, line, cue.line, [line]))
        split[id(cue)] = pieces or [cue]
    return [piece for cue in cues for piece in split.get(id(cue), [cue])]


@register(".vtt", ".srt")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Parse a subtitle file into one segment per speaker turn.

    :raises ImportFileError: a malformed timing line (with its line number), a
        missing WEBVTT header, or no cue at all.
    """
    vtt = path.suffix.lower() == ".vtt"
    decoded = decode_bytes(read_bytes(path), path, encoding)
    lines = normalise_text(decoded.text).split("\n")
    cues = _read_cues(path, lines, vtt)
    if not any(c.text for c in cues):
        raise ImportFileError(path, _("empty file: no subtitle cue with text"))
    cues = _label_prefixes(cues)
    warnings = list(decoded.warnings)
    for cue in cues:
        if cue.end < cue.start:
            warnings.append(_("{where}: cue ends before it starts").format(
                where=f"{path}:{cue.line}"))
    builder = TurnBuilder()
    have_speakers = any(c.speaker for c in cues)
    turn: list[_Cue] = []
    turn_speaker: str | None = None

    def flush() -> None:
        if turn:
            builder.add(" ".join(c.text for c in turn), turn_speaker, timestamp=turn[0].start, end_time=turn[-1].end)

    for cue in cues:
        if not cue.text:
            continue
        speaker = cue.speaker
        if speaker is None and have_speakers and turn and turn_speaker is not None:
            speaker = turn_speaker
        if turn and speaker is not None and speaker == turn_speaker:
            turn.append(cue)
            continue
        flush()
        turn, turn_speaker = [cue], speaker
    flush()
    if not have_speakers:
        warnings.append(_("{path}: no speaker found in the cues (no <v Name> tag or 'Name :' "
                          "prefix)").format(path=path))
    return builder.build(
        path=path,
        source_format="vtt" if vtt else "srt",
        encoding=decoded.encoding,
        warnings=warnings,
        metadata={"cues": len(cues)},
    )
