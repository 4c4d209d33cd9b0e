"""Whisper and WhisperX JSON transcripts (.json).

Three shapes are read, as the tools write them:

- openai-whisper / WhisperX: ``{"segments": [{"start": 0.0, "end": 3.2, "text": " Bonjour.",
  "speaker": "SPEAKER_00", "words": [...]}, ...], "language": "fr"}`` -- ``speaker`` only
  in diarised (WhisperX) output;
- a bare list of such segments (faster-whisper dumps, or ``result["segments"]`` saved
  alone);
- whisper.cpp (``-oj``): ``{"transcription": [{"offsets": {"from": 0, "to": 3200},
  "text": " Bonjour."}, ...]}`` (milliseconds).

A segment's text is its ``text``; word-level entries (``words``, and WhisperX's
top-level ``word_segments``) only stand in for a segment that has no text, and never
add to it.  A segment without a ``speaker`` takes the speaker most of its words carry.
Consecutive segments of one speaker make one turn (the time of the first, the end of
the last), written ``"SPEAKER_00 : text"``; without speakers each segment is a
paragraph with its time.  A JSON file that is none of these is refused, naming the file.
"""
from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

from workbench.i18n import _, ngettext

from ..encoding import decode_bytes
from ..model import ImportFileError, ParsedTranscript
from ._base import TurnBuilder, read_bytes, register

def _not_a_transcript(path: Path, found: str) -> ImportFileError:
    return ImportFileError(path, _(
        "not a Whisper/WhisperX transcript ({found}): expected a 'segments' list of "
        "{{start, end, text}} entries (whisper, WhisperX), a list of such entries, or a "
        "whisper.cpp 'transcription' list").format(found=found))


def _describe(value) -> str:
    if isinstance(value, dict):
        keys = ", ".join(repr(k) for k in list(value)[:6]) or _("no keys")
        return _("an object with {keys}").format(keys=keys)
    if isinstance(value, list):
        return ngettext("a list of {n} item", "a list of {n} items", len(value)).format(n=len(value))
    return _("a {kind} value").format(kind=type(value).__name__)


def _time(value, path: Path, index: int, key: str, *, scale: float = 1.0) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ImportFileError(path, _("segment {i}: {key!r} is not a number of seconds ({value!r})")
                              .format(i=index, key=key, value=value))
    return float(value) / scale


def _words_text(words) -> str:
    pieces = [str(w.get("word", w.get("text", ""))) for w in words if isinstance(w, dict)]
    if any(p[:1].isspace() for p in pieces):      # openai-whisper words carry their spaces
        return "".join(pieces)
    return " ".join(p for p in pieces if p)


def _segments(data, path: Path) -> list[tuple[int, float | None, float | None, str, str | None]]:
    """``(index, start, end, text, speaker)`` of each segment, in the file's order."""
    if isinstance(data, dict) and isinstance(data.get("segments"), list):
        raw, scale, cpp = data["segments"], 1.0, False
    elif isinstance(data, dict) and isinstance(data.get("transcription"), list):
        raw, scale, cpp = data["transcription"], 1000.0, True
    elif isinstance(data, list) and data and all(isinstance(s, dict) for s in data):
        raw, scale, cpp = data, 1.0, False
    else:
        raise _not_a_transcript(path, _describe(data))
    out = []
    for i, seg in enumerate(raw):
        if not isinstance(seg, dict):
            raise ImportFileError(path, _("segment {i} is not an object ({found})")
                                  .format(i=i, found=_describe(seg)))
        if cpp:
            found = seg.get("offsets")
            offsets: dict = found if isinstance(found, dict) else {}
            start = _time(offsets.get("from"), path, i, "offsets.from", scale=scale)
            end = _time(offsets.get("to"), path, i, "offsets.to", scale=scale)
        else:
            if "start" not in seg and "text" not in seg and "words" not in seg:
                raise _not_a_transcript(path, _("segment {i} is {found}").format(
                    i=i, found=_describe(seg)))
            start = _time(seg.get("start"), path, i, "start")
            end = _time(seg.get("end"), path, i, "end")
        text = seg.get("text")
        words = seg.get("words") if isinstance(seg.get("words"), list) else []
        if text is None and words:
            text = _words_text(words)
        if not isinstance(text, str):
            raise ImportFileError(path, _("segment {i}: 'text' is not text ({value!r})")
                                  .format(i=i, value=text))
        speaker = seg.get("speaker")
        if speaker is None and words:
            voices = Counter(w.get("speaker") for w in words
                             if isinstance(w, dict) and w.get("speaker"))
            speaker = voices.most_common(1)[0][0] if voices else None
        label = str(speaker).strip() if speaker is not None else ""
        out.append((i, start, end, text, label or None))
    return out


@register(".json")
def parse(path: Path, encoding: str | None = None) -> ParsedTranscript:
    """Parse a Whisper / WhisperX / whisper.cpp JSON transcript.

    :raises ImportFileError: malformed JSON (with its line), JSON that is not a
        transcript (naming what was found), a segment whose time or text is wrong
        (naming the segment), or no segment with text.
    """
    decoded = decode_bytes(read_bytes(path), path, encoding)
    try:
        data = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, _("malformed JSON: {error}").format(error=exc.msg),
                              line=exc.lineno) from None
    segments = _segments(data, path)
    if not any(text.strip() for _i, _s, _e, text, _sp in segments):
        raise ImportFileError(path, _("empty file: no segment with text"))
    builder = TurnBuilder()
    warnings = list(decoded.warnings)
    turn: list[tuple[float | None, float | None, str]] = []
    turn_speaker: str | None = None

    def flush() -> None:
        if turn:
            builder.add(" ".join(t for _s, _e, t in turn), turn_speaker,
                        timestamp=turn[0][0], end_time=turn[-1][1])

    for i, start, end, text, speaker in segments:
        text = " ".join(text.split())
        if not text:
            continue
        if start is not None and end is not None and end < start:
            warnings.append(_("{path}: segment {i} ends before it starts").format(path=path, i=i))
        if turn and speaker is not None and speaker == turn_speaker:
            turn.append((start, end, text))
            continue
        flush()
        turn, turn_speaker = [(start, end, text)], speaker
    flush()
    if not any(sp for *_rest, sp in segments):
        warnings.append(_("{path}: no speakers in the segments (not diarised): each segment is "
                          "imported as a paragraph with its time").format(path=path))
    metadata: dict[str, object] = {"segments": len(segments)}
    if isinstance(data, dict):
        language = data.get("language")
        if not language and isinstance(data.get("result"), dict):       # whisper.cpp
            language = data["result"].get("language")
        if isinstance(language, str) and language:
            metadata["whisper_language"] = language
    return builder.build(path=path, source_format="json", encoding=decoded.encoding,
                         warnings=warnings, metadata=metadata)
