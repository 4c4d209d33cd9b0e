"""WebVTT (.vtt) and SubRip (.srt) subtitle files as transcripts.

Each cue has start/end times; the speaker comes from a ``<v Name>`` voice tag or
a ``Label :`` prefix in the cue.  Consecutive cues of the same speaker are merged
into one turn (timestamp of the first cue, end time of the last) written as one
``"Speaker : text"`` line.  A cue without a speaker that follows a cue with one
continues that speaker's turn (captioners label only the first cue of a turn).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.i18n import _

from ..encoding import decode_bytes
from ..model import ImportFileError, ParsedTranscript
from ..speakers import LineInfo, accepted_labels, clean_label, parse_line
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


def _seconds(groups: tuple[str | None, ...]) -> float:
    h, m, s, ms = groups
    if int(m) >= 60 or int(s) >= 60:
        raise ValueError("minutes or seconds ≥ 60")
    frac = float("0." + ms) if ms else 0.0
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + frac


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


def _cue_payload(lines: list[str]) -> tuple[str | None, str]:
    """Speaker from a voice tag (if any) and the text without markup."""
    joined = " ".join(l.strip() for l in lines if l.strip())
    voice = _VOICE_RE.search(joined)
    speaker = clean_label(html.unescape(voice.group(1))) if voice else None
    text = html.unescape(_TAG_RE.sub("", joined))
    return speaker, re.sub(r"\s+", " ", text).strip()


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
            _unused, extra = _cue_payload(block)
            cues[-1].text = f"{cues[-1].text} {extra}".strip()
            continue
        else:
            found = block[min(1, len(block) - 1)].strip()
            raise ImportFileError(path, _("expected a cue timing line, found {found!r}").format(
                found=found), line=first + min(1, len(block) - 1))
        start, end = _parse_timing(block[t_index], path, first + t_index)
        speaker, text = _cue_payload(block[t_index + 1 :])
        cues.append(_Cue(start, end, speaker, text, first + t_index))
    return cues


def _label_prefixes(cues: list[_Cue]) -> None:
    """Take ``Label :`` prefixes as speakers on the evidence of the whole file
    (:func:`~workbench.ingest.speakers.accepted_labels`: they recur, name the
    interviewer, or are written like the other turns)."""
    infos = [parse_line(c.text) if c.speaker is None else LineInfo() for c in cues]
    accepted = accepted_labels(infos, text_lines=sum(1 for c in cues if c.speaker is None))
    for cue, info in zip(cues, infos):
        if info.label in accepted and info.body_start:
            cue.speaker = info.label
            cue.text = cue.text[info.body_start :].strip()


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
    _label_prefixes(cues)
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
