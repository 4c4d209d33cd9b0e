"""Speaker-turn and timestamp detection in plain-text transcripts.

French interview transcripts mark turns in many ways: ``ENQ :``, ``Enquêtrice :``,
``E :`` / ``R :``, ``[Marie]``, ``DUPONT :``, ``Interviewer 1:``, markdown
``**Enquêtrice :**``, with or without the French (no-break) space before the colon,
and often a timestamp (``[00:12:34]``, ``(12:34)``, ``00:12:34.5``) before or
after the label.

Detection works in two passes so that prose such as ``Alors : on a fait...`` is
not mistaken for a speaker:

1. :func:`parse_line` finds a *candidate* label at the start of each line: short
   (at most 4 words and 40 characters), starting with a capital letter or written
   in brackets, and not a discourse word (``Alors``, ``Bon``, ``Donc``...);
2. :func:`segment_lines` keeps the candidates that occur as labels at least twice,
   or that match a conventional interviewer/respondent label (ENQ, Q, E, R,
   Enquêté(e)... see :func:`is_conventional_label`), or that carry a timestamp
   alone on their line (``Marie Dupont  0:03``), or that the caller vouches for (bold runs in a .docx), then cuts the lines into
   turns.  Lines without a label continue the current turn; text before the first
   turn becomes ``kind="paragraph"`` segments.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .model import ParsedSegment

__all__ = [
    "LineInfo",
    "TIMESTAMP_PATTERN",
    "clean_label",
    "is_conventional_label",
    "is_interviewer_label",
    "looks_like_label",
    "parse_line",
    "parse_timestamp",
    "segment_lines",
    "turn_head",
]

_SP = "[ \t\u00a0\u202f]"  # spaces, including French no-break and narrow no-break space

#: A clock time: ``12:34``, ``1:02:03``, ``00:12:34.5`` or ``00:12:34,500``.
TIMESTAMP_PATTERN = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TS_WRAPPED = rf"(?:\[{_SP}*(?P<{{n}}>{TIMESTAMP_PATTERN}){_SP}*\]|\({_SP}*(?P<{{n}}2>{TIMESTAMP_PATTERN}){_SP}*\)|(?P<{{n}}3>{TIMESTAMP_PATTERN}))"


def _ts(name: str) -> str:
    return _TS_WRAPPED.replace("{n}", name)


_LEADING_TS_RE = re.compile(rf"{_SP}*{_ts('ts')}(?:{_SP}*[-–—]{_SP}*|{_SP}+|$)")
_EMPH = r"(?:\*\*|__|\*|_)"
_WORD = r"(?:[\w'’.\-/&·]+|\([^()\d:]{1,30}\))"
_LABEL = rf"(?:[^\W\d_][\w'’.\-/&·]*(?:[ \u00a0]{_WORD}){{0,3}})"
# "Label :", "**Label :**", "**Label** :", "Label (00:12) :", "Label [00:12:34]:"
_COLON_LABEL_RE = re.compile(
    rf"(?P<o>{_EMPH})?(?P<label>{_LABEL})(?:{_SP}*{_ts('lts')})?{_SP}*(?P<c1>{_EMPH})?{_SP}*:"
    rf"(?!//)(?:{_SP}*(?P<c2>{_EMPH}))?{_SP}*"
)
# "[Marie] Bonjour", "[Marie] : Bonjour"
_BRACKET_LABEL_RE = re.compile(rf"\[(?P<label>[^\W\d_][^\]\[:]{{0,39}})\](?:{_SP}*:)?{_SP}*")
# "Marie Dupont   00:03" on its own line (Teams / Otter exports), the words follow.
_TS_LINE_LABEL_RE = re.compile(rf"(?P<label>{_LABEL}){_SP}+{_ts('lts')}{_SP}*$")
_AFTER_LABEL_TS_RE = re.compile(rf"{_ts('ts')}(?:{_SP}*[-–—]{_SP}*|{_SP}+|$)")

_MAX_LABEL_CHARS = 40
_MAX_LABEL_WORDS = 4

#: Words that start French prose lines before a colon and are never speakers.
_STOP_LABELS = frozenset(
    """
    alors bon bref donc mais enfin voilà voila oui non ben bah eh ah oh et ou puis ensuite
    après apres avant aussi ainsi car parce pourquoi comment quand où ou alors d'abord
    note notes nb n.b. remarque remarques attention exemple exemples ex par exemple
    résumé resume conclusion introduction objet objectif objectifs thème theme sujet
    date heure lieu durée duree titre référence reference source sources contexte
    rires rire silence pause inaudible incompréhensible incomprehensible blanc hésitation
    hesitation coupure interruption fin début debut suite inaudible soupir soupirs
    toux bruit bruits musique rire(s) rires) inaud. inaud
    """.split()
) | {"par exemple", "c'est-à-dire", "c’est-à-dire", "en fait", "du coup", "à savoir", "n.b"}

_INTERVIEWER_RE = re.compile(
    r"""^(?:
        (?:enq\.?|e|q|question|int\.?)(?:\s*\d+)?(?:\s*\(.*\))?
      | (?:enqu[êe]t(?:eur|rice)\S*|interviewe(?:r|ur|use)s?|chercheu(?:r|se)\S*|intervieweu?r\S*)
        (?:\s*\d+|\s*\(.*\)|\s+\S+(?:\s+\S+)?)?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


#: Conventional respondent labels, accepted even when they occur once.
_RESPONDENT_RE = re.compile(
    r"^(?:r|rép\.?|rep\.?|réponse|enquêté(?:e|·e|\(e\))?|interviewé(?:e|·e|\(e\))?|participant(?:e)?)(?:\s*\d+)?$",
    re.IGNORECASE,
)


def is_conventional_label(label: str) -> bool:
    """True for labels that are speaker labels by convention (interviewer or
    respondent: ENQ, Q, E, R, Réponse, Enquêté(e), Participant...)."""
    label = clean_label(label)
    return is_interviewer_label(label) or bool(_RESPONDENT_RE.match(label))


def parse_timestamp(value: str) -> float:
    """Convert ``"00:12:34"``, ``"12:34"`` (minutes:seconds), ``"1:02:03.5"`` or
    ``"00:00:01,250"`` to seconds.

    :raises ValueError: not a clock time, or minutes/seconds ≥ 60.
    """
    value = value.strip().strip("[]()").strip()
    if not re.fullmatch(TIMESTAMP_PATTERN, value):
        raise ValueError(f"not a timestamp: {value!r}")
    frac = 0.0
    m = re.search(r"[.,](\d+)$", value)
    if m:
        frac = float("0." + m.group(1))
        value = value[: m.start()]
    parts = [int(p) for p in value.split(":")]
    if any(p >= 60 for p in parts[1:]):
        raise ValueError(f"minutes or seconds ≥ 60 in {value!r}")
    if len(parts) == 2:
        parts.insert(0, 0)
    hours, minutes, seconds = parts
    return hours * 3600 + minutes * 60 + seconds + frac


def clean_label(label: str) -> str:
    """Normalise a label as stored as the speaker: NFC, single ordinary spaces."""
    label = unicodedata.normalize("NFC", label)
    return re.sub(r"[\s\u00a0\u202f]+", " ", label).strip()


def is_interviewer_label(label: str) -> bool:
    """True for labels naming the interviewer: ENQ, Enquêteur/Enquêtrice, E, Q,
    Question, Interviewer N, Intervieweur/Intervieweuse, Chercheur/Chercheuse
    (optionally followed by a number or a name).  "Enquêté(e)" is not one."""
    return bool(_INTERVIEWER_RE.match(clean_label(label)))


def looks_like_label(label: str, *, bracketed: bool = False) -> bool:
    """Shape rules for a candidate label: short, starts with a capital letter
    (unless bracketed), not a discourse word such as "Alors" or "Bon"."""
    label = clean_label(label)
    if not label or len(label) > _MAX_LABEL_CHARS or len(label.split()) > _MAX_LABEL_WORDS:
        return False
    if label.casefold() in _STOP_LABELS or label.casefold().rstrip(".") in _STOP_LABELS:
        return False
    first = label[0]
    if not first.isalpha():
        return False
    if not bracketed and not first.isupper():
        return False
    if bracketed and not (first.isupper() or is_interviewer_label(label)):
        return False
    return True


@dataclass(frozen=True)
class LineInfo:
    """What :func:`parse_line` found at the start of one line."""

    label: str | None = None          # candidate speaker label, cleaned
    timestamp: float | None = None    # seconds, from a timestamp before or after the label
    timestamp_only: bool = False      # the line holds nothing but a timestamp
    strong: bool = False              # "Name  00:03" alone on a line: a label even if seen once
    body_start: int = 0               # index in the line where the spoken text starts
    #: where the words start if the label is *not* taken as a speaker: after a leading
    #: timestamp (``[00:02:51] Oui...``) and spaces
    plain_start: int = 0


def _group_ts(m: re.Match[str], name: str) -> float | None:
    for key in (name, name + "2", name + "3"):
        value = m.groupdict().get(key)
        if value:
            try:
                return parse_timestamp(value)
            except ValueError:
                return None
    return None


def parse_line(line: str) -> LineInfo:
    """Find a candidate speaker label and a timestamp at the start of ``line``.

    The label is only a *candidate*: :func:`segment_lines` decides whether it is a
    speaker by looking at the whole document.
    """
    pos = len(line) - len(line.lstrip())
    timestamp: float | None = None
    m = _LEADING_TS_RE.match(line, pos)
    if m:
        timestamp = _group_ts(m, "ts")
        if timestamp is not None:
            pos = m.end()
            if not line[pos:].strip():
                return LineInfo(timestamp=timestamp, timestamp_only=True, body_start=len(line),
                                plain_start=len(line))
    plain = pos
    label: str | None = None
    bm = _BRACKET_LABEL_RE.match(line, pos)
    if bm and looks_like_label(bm.group("label"), bracketed=True):
        label, pos = clean_label(bm.group("label")), bm.end()
    else:
        cm = _COLON_LABEL_RE.match(line, pos)
        if cm and (cm.group("o") or "") in {cm.group("c1") or "", cm.group("c2") or ""}:
            if looks_like_label(cm.group("label")):
                label, pos = clean_label(cm.group("label")), cm.end()
                label_ts = _group_ts(cm, "lts")
                if label_ts is not None and timestamp is None:
                    timestamp = label_ts
        elif cm is None:
            tm = _TS_LINE_LABEL_RE.match(line, pos)
            if tm and looks_like_label(tm.group("label")):
                label, pos = clean_label(tm.group("label")), len(line)
                timestamp = timestamp if timestamp is not None else _group_ts(tm, "lts")
                return LineInfo(label=label, timestamp=timestamp, body_start=pos, strong=True,
                                plain_start=plain)
    if label is not None and timestamp is None:
        am = _AFTER_LABEL_TS_RE.match(line, pos)
        if am:
            after = _group_ts(am, "ts")
            if after is not None:
                timestamp, pos = after, am.end()
    return LineInfo(label=label, timestamp=timestamp, body_start=pos, plain_start=plain)


def _is_markdown_structure(line: str) -> bool:
    """Markdown headings and horizontal rules, which end a turn."""
    s = line.strip()
    return bool(re.match(r"#{1,6}\s", s) or re.fullmatch(r"(?:-{3,}|\*{3,}|_{3,}|={3,})", s))


@dataclass
class _Open:
    start_line: int
    end_line: int
    kind: str
    speaker: str | None
    timestamp: float | None
    body_line: int = 0      # the line where the words begin, and the column in it
    body_col: int = 0


def segment_lines(
    lines: Sequence[str],
    *,
    label_hints: Mapping[int, str] | None = None,
    paragraph_lines: Collection[int] = (),
    paragraph_per_line: bool = False,
    markdown: bool = False,
) -> tuple[str, list[ParsedSegment]]:
    """Cut normalised lines into speaker turns and paragraphs.

    :param lines: the lines of the final text (already NFC, no ``\\r``, right-stripped).
    :param label_hints: line index → speaker label the caller knows starts that line
        (e.g. a bold leading run in a .docx); such labels are always accepted.
    :param paragraph_lines: indices of lines that are never part of a turn
        (headings); they end the current turn.
    :param paragraph_per_line: each non-turn line is its own paragraph segment
        (word-processor formats, where a line is a paragraph); otherwise
        paragraphs are blocks of lines separated by blank lines.
    :param markdown: treat markdown headings and rules as ``paragraph_lines``.
    :returns: the text (``"\\n".join(lines)``) and its segments.
    """
    hints = dict(label_hints or {})
    forced = set(paragraph_lines)
    if markdown:
        forced |= {i for i, line in enumerate(lines) if _is_markdown_structure(line)}
    infos = [parse_line(line) if line.strip() and i not in forced else LineInfo() for i, line in enumerate(lines)]
    counts = Counter(info.label for info in infos if info.label)
    accepted = {lab for lab, n in counts.items() if n >= 2 or is_conventional_label(lab)}
    accepted |= {info.label for info in infos if info.label and info.strong}
    accepted |= {clean_label(h) for h in hints.values()}

    offsets: list[int] = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    text = "\n".join(lines)

    segments: list[ParsedSegment] = []
    current: _Open | None = None
    pending_ts: tuple[int, float] | None = None  # a timestamp-only line waiting for its turn

    def close() -> None:
        nonlocal current
        if current is None:
            return
        first_line = lines[current.start_line]
        start = offsets[current.start_line] + (len(first_line) - len(first_line.lstrip()))
        end = offsets[current.end_line] + len(lines[current.end_line].rstrip())
        body = min(max(offsets[current.body_line] + current.body_col, start), end)
        while body < end and text[body].isspace():
            body += 1
        speaker = current.speaker
        segments.append(
            ParsedSegment(
                start=start,
                end=end,
                speaker=speaker,
                kind=current.kind,
                timestamp=current.timestamp,
                is_interviewer=bool(speaker and is_interviewer_label(speaker)),
                body_start=body,
            )
        )
        current = None

    def open_(i: int, kind: str, speaker: str | None, ts: float | None, body_col: int = 0) -> None:
        nonlocal current, pending_ts
        start_line = i
        if pending_ts is not None:
            start_line, pts = pending_ts
            ts = ts if ts is not None else pts
            pending_ts = None
        current = _Open(start_line, i, kind, speaker, ts, i, body_col)

    for i, line in enumerate(lines):
        if not line.strip():
            if current is not None and current.kind == "paragraph" and not paragraph_per_line:
                close()
            continue
        info = infos[i]
        label = clean_label(hints[i]) if i in hints else (info.label if info.label in accepted else None)
        if i in forced:
            close()
            open_(i, "paragraph", None, None)
            close()
        elif label is not None:
            close()
            body_col = info.body_start if info.label == label else _hint_body_start(line, label)
            open_(i, "turn", label, info.timestamp, body_col)
        elif info.timestamp_only:
            close()
            if pending_ts is not None:  # two timestamp lines in a row: the first stands alone
                lone = pending_ts[0]
                pending_ts = None
                open_(lone, "paragraph", None, None, len(lines[lone]))
                close()
            pending_ts = (i, info.timestamp) if info.timestamp is not None else None
        elif current is not None and (current.kind == "turn" or not paragraph_per_line):
            current.end_line = i
        else:
            close()
            open_(i, "paragraph", None, info.timestamp if info.plain_start else None, info.plain_start)
            if paragraph_per_line:
                close()
    close()
    if pending_ts is not None:
        lone = pending_ts[0]
        pending_ts = None
        open_(lone, "paragraph", None, None, len(lines[lone]))
        close()
    return text, segments


def _hint_body_start(line: str, label: str) -> int:
    """Where the words begin on a line whose label the caller knows (a bold run in a
    .docx): after the label as written, a closing bracket or emphasis, a colon and any
    written timestamp."""
    info = parse_line(line)
    if info.label is not None and info.label.casefold() == label.casefold():
        return info.body_start
    words = [re.escape(w) for w in label.split()]
    m = re.match(rf"{_SP}*(?:{_ts('ts')}{_SP}*)?[\[*_]*{_SP}*" + rf"{_SP}+".join(words)
                 + rf"{_SP}*[\]*_]*{_SP}*:?{_SP}*[*_]*{_SP}*", line, re.IGNORECASE)
    if not m:
        return info.plain_start
    pos = m.end()
    am = _AFTER_LABEL_TS_RE.match(line, pos)
    return am.end() if am and _group_ts(am, "ts") is not None else pos


def turn_head(text: str, start: int, end: int, speaker: str | None) -> tuple[int, float | None]:
    """Read the head of a segment already cut: ``(body_start, timestamp)``, where its
    words begin (after a timestamp line, the speaker label and any written timestamp)
    and the time written there.  Used to fill the turn model of projects imported
    before it was stored; importers record it while they cut the turns."""
    pos = start
    timestamp: float | None = None
    while pos < end:
        nl = text.find("\n", pos, end)
        line = text[pos:end if nl < 0 else nl]
        if not line.strip():
            pos = end if nl < 0 else nl + 1
            continue
        info = parse_line(line)
        if info.timestamp_only:          # "00:04:00" alone on its line, the turn below
            timestamp = info.timestamp if timestamp is None else timestamp
            if nl < 0:
                return end, timestamp
            pos = nl + 1
            continue
        col = _hint_body_start(line, speaker) if speaker else info.plain_start
        if info.timestamp is not None and (speaker or info.plain_start) and timestamp is None:
            timestamp = info.timestamp
        body = min(pos + col, end)
        while body < end and text[body].isspace():
            body += 1
        return body, timestamp
    return end, timestamp

