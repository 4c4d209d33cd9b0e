"""Speaker-turn and timestamp detection in plain-text transcripts.

French interview transcripts mark turns in many ways: ``ENQ :``, ``Enquêtrice :``,
``E :`` / ``R :``, ``[Marie]``, ``DUPONT :``, ``Interviewer 1:``, markdown
``**Enquêtrice :**``, lowercase ``interviewer:`` / ``enq :``, with or without the French
(no-break) space before the colon, and often a timestamp (``[00:12:34]``, ``(12:34)``,
``00:12:34.5``) before or after the label.

Detection works in two passes so that prose such as ``Alors : on a fait...`` is
not mistaken for a speaker:

1. :func:`parse_line` finds a *candidate* label at the start of each line: short
   (at most 4 words and 40 characters), not a discourse word (``Alors``, ``Bon``,
   ``Donc``...), and records how it is written (bracket, colon, emphasis, where the
   timestamp is) and whether the words after it start with a capital;
2. :func:`accepted_labels` decides which candidates are speakers by the evidence of the
   whole document: a label that recurs, a conventional interviewer/respondent label
   (ENQ, Q, E, R, Enquêté(e), interviewee... see :func:`is_conventional_label`), a
   label with a timestamp alone on its line (``Marie Dupont  0:03``), one the caller
   vouches for (a bold run in a .docx) or one the user named (``--speaker David=P08``,
   :func:`known_speakers`).  A label seen **once** is a speaker when the document's
   other turns vouch for it: it comes after the first accepted turn, it reads like a
   name (``Claire``, ``Mme Leroy``, ``P08``, not ``Exemple concret``, ``Le CEP`` or a
   note key such as ``Observation``), it is written like the accepted turns (same
   bracket/colon/emphasis and timestamp placement), it starts a paragraph where the
   turns are separated by blank lines, and its words start with a capital where the
   turns' words do.  Lowercase labels (``interviewer:``, ``spk1:``) are speakers when
   conventional, or when they recur in a document that writes its labels in lowercase.

:func:`segment_lines` then cuts the lines into turns.  Lines without a label continue
the current turn; text before the first turn becomes ``kind="paragraph"`` segments.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .model import ParsedSegment

__all__ = [
    "LineInfo",
    "accepted_labels",
    "known_speakers",
    "TIMESTAMP_PATTERN",
    "clean_label",
    "is_conventional_label",
    "is_header_key",
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
# "00:00:03 Speaker 1" on its own line (Word's transcription), the words follow.
_LABEL_ALONE_RE = re.compile(rf"(?P<label>{_LABEL}){_SP}*$")

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
        (?:enq\.?|e|i|q|question|int\.?)(?:\s*\d+)?(?:\s*\(.*\))?
      | (?:enqu[êe]t(?:eur|rice)\S*|interviewe(?:r|ur|use)s?|chercheu(?:r|se)\S*|intervieweu?r\S*
         |animat(?:eur|rice)s?|mod[ée]rat(?:eur|rice|or)s?|facilitat(?:eur|rice|or)s?)
        (?:\s*\d+|\s*\(.*\)|\s+\S+(?:\s+\S+)?)?
    )$""",
    re.IGNORECASE | re.VERBOSE,
)


#: Conventional respondent labels, accepted even when they occur once.
_RESPONDENT_RE = re.compile(
    r"^(?:r|rép\.?|rep\.?|resp\.?|réponse|enquêté(?:e|·e|\(e\))?|interviewé(?:e|·e|\(e\))?"
    r"|interviewees?|respondents?|répondant(?:e|·e|\(e\))?|participant(?:e)?)(?:\s*\d+)?$",
    re.IGNORECASE,
)

#: Words that open a line of notes or a form ("Observation : ...", "Structure : ..."):
#: a label seen once that is one of these is not taken as a speaker (a recurring one is).
_KEY_WORDS = frozenset(
    """
    observation observations commentaire commentaires précision précisions rappel consigne
    consignes synthèse bilan définition important info infos information informations
    légende total transcription entretien enregistrement structure programme site public
    dispositif financement organisme horaires adresse contact tél tel mail email courriel
    statut âge age sexe genre niveau diplôme situation parcours motif raison résultat
    résultats problème problèmes solution solutions thématique avantages inconvénients
    question questions réponses points étape étapes objet sujet lien liens ps p.s annexe
    méthode méthodologie contexte public cible durée lieu date dates séance module
    extrait extraits citation citations verbatim annotation mémo memo
    lundi mardi mercredi jeudi vendredi samedi dimanche matin midi soir après-midi
    janvier février mars avril mai juin juillet août septembre octobre novembre décembre
    aujourd'hui hier demain avant après maintenant ensuite
    """.split()
)

#: Institutions a turn's paragraph may open with ("Pôle Emploi : ils m'ont radiée"):
#: a label seen once that names one is not taken as a speaker.
_INSTITUTIONS = frozenset(" ".join(name.split()) for name in """
    pôle emploi|france travail|mission locale|cap emploi|apec|afpa|greta|cnam|caf|cpam|
    msa|urssaf|cep|cpf|opco|région|la région|département|le département|mairie|préfecture|
    état|l'état|l’état|rsa|cma|cci|dreets|direccte|agefiph|uniformation|akto|ocapiat
    """.split("|"))

#: First words that make a phrase, not a name ("Le CEP :", "Pour moi :").
_NOT_NAME_START = frozenset(
    """
    le la les l' l’ un une des du de d' d’ ce cet cette ces mon ma mes ton ta tes son sa ses
    notre nos votre vos leur leurs il elle ils elles on nous vous je j' j’ tu c' c’ ça cela
    pour avec dans en sur sous au aux à chez selon sans entre par quel quelle quels quelles
    tout tous toute toutes chaque certains certaines plusieurs qui que quoi
    moi toi lui eux soi
    """.split()
)
_PARTICLES = frozenset("de du des d' d’ la le van von di da del della y ben bin el al".split())


@contextmanager
def known_speakers(labels: Iterable[str]) -> Iterator[None]:
    """Within this block, ``labels`` (the ones the user maps to participants, e.g.
    ``--speaker David=P08``) are speakers wherever they open a line, like a bold label
    in a .docx: the user's word is the strongest evidence there is."""
    token = _KNOWN.set(frozenset(clean_label(label).casefold() for label in labels if label))
    try:
        yield
    finally:
        _KNOWN.reset(token)


_KNOWN: ContextVar[frozenset[str]] = ContextVar("workbench_known_speakers", default=frozenset())


def _is_known(label: str) -> bool:
    known = _KNOWN.get()
    return bool(known) and clean_label(label).casefold() in known


@functools.lru_cache(maxsize=8192)      # pure; a transcript repeats its few labels
def _name_like(label: str) -> bool:
    """A label that reads like a person or a role written as a name: every word
    capitalised or a number/code (``Claire``, ``Mme Leroy``, ``M. Dupont``, ``P08``,
    ``Formatrice 2``, ``Jean de La Tour``, ``Claire (CIP)``), not a phrase (``Le CEP``,
    ``Exemple concret``) nor a note key (``Observation``)."""
    words = label.split()
    first = words[0].casefold()
    if first in _NOT_NAME_START or first.startswith(("l'", "l’", "d'", "d’", "c'", "c’", "qu'", "qu’")):
        return False
    if len(words) == 1 and first.rstrip(".") in _KEY_WORDS:
        return False
    if " ".join(words).casefold() in _INSTITUTIONS:
        return False
    for k, word in enumerate(words):
        if word.startswith("(") and word.endswith(")"):
            continue
        core = word.strip(".-'’")
        if not core:
            continue
        if core[0].isupper() or core[0].isdigit():
            continue
        if 0 < k < len(words) - 1 and core.casefold() in _PARTICLES:
            continue
        return False
    return True


@functools.lru_cache(maxsize=8192)
def is_conventional_label(label: str) -> bool:
    """True for labels that are speaker labels by convention (interviewer or
    respondent: ENQ, Q, E, R, Réponse, Enquêté(e), Participant...)."""
    label = clean_label(label)
    return is_interviewer_label(label) or bool(_RESPONDENT_RE.match(label))


@functools.lru_cache(maxsize=8192)     # pure (a ValueError is not cached)
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


_SPACES_RE = re.compile(r"[\s\u00a0\u202f]+")


@functools.lru_cache(maxsize=8192)      # pure, and a transcript repeats its few labels
def clean_label(label: str) -> str:
    """Normalise a label as stored as the speaker: NFC, single ordinary spaces."""
    label = unicodedata.normalize("NFC", label)
    return _SPACES_RE.sub(" ", label).strip()


@functools.lru_cache(maxsize=8192)
def is_interviewer_label(label: str) -> bool:
    """True for labels naming the interviewer: ENQ, Enquêteur/Enquêtrice, E, I, Q,
    Question, Interviewer N, Intervieweur/Intervieweuse, Chercheur/Chercheuse
    (optionally followed by a number or a name).  "Enquêté(e)" is not one."""
    return bool(_INTERVIEWER_RE.match(clean_label(label)))


def looks_like_label(label: str, *, bracketed: bool = False, lowercase: bool = False) -> bool:
    """Shape rules for a candidate label: short, starts with a capital letter (unless
    bracketed, or ``lowercase`` is allowed), not a discourse word such as "Alors" or
    "Bon".  A label the user named (:func:`known_speakers`) always passes."""
    return _looks_like_label(label, bracketed, lowercase, _KNOWN.get())


@functools.lru_cache(maxsize=8192)      # pure given the known labels; labels recur
def _looks_like_label(label: str, bracketed: bool, lowercase: bool,
                      known: frozenset[str]) -> bool:
    label = clean_label(label)
    if not label or len(label) > _MAX_LABEL_CHARS or len(label.split()) > _MAX_LABEL_WORDS:
        return False
    if known and label.casefold() in known:
        return True
    if label.casefold() in _STOP_LABELS or label.casefold().rstrip(".") in _STOP_LABELS:
        return False
    first = label[0]
    if not first.isalpha():
        return False
    if lowercase:
        return True
    if not bracketed and not first.isupper():
        return False
    if bracketed and not (first.isupper() or is_interviewer_label(label)):
        return False
    return True


def _lowercase_label_ok(label: str) -> bool:
    """A lowercase label that may be a speaker if it recurs: one or two words, no
    elision, not opening like a phrase (``la formation``, ``c'est simple``)."""
    words = label.split()
    return (len(words) <= 2 and "'" not in label and "’" not in label
            and words[0].casefold() not in _NOT_NAME_START
            and words[0].casefold() not in _STOP_LABELS)


@dataclass(frozen=True)
class LineInfo:
    """What :func:`parse_line` found at the start of one line."""

    label: str | None = None          # candidate speaker label, cleaned
    timestamp: float | None = None    # seconds, from a timestamp before or after the label
    timestamp_only: bool = False      # the line holds nothing but a timestamp
    strong: bool = False              # "Name  00:03" alone on a line: a label even if seen once
    body_start: int = 0               # index in the line where the spoken text starts
    shape: str = ""                   # how the label is written: "bracket", "colon", "emphasis", "line"
    ts_at: str = ""                   # where a timestamp is written: "before", "label", "after", ""
    body_case: str = ""               # the words after the label start "upper", "lower" or "" (no letter)
    #: where the words start if the label is *not* taken as a speaker: after a leading
    #: timestamp (``[00:02:51] Oui...``) and spaces
    plain_start: int = 0


_TS_GROUPS = {"ts": ("ts", "ts2", "ts3"), "lts": ("lts", "lts2", "lts3")}


def _group_ts(m: re.Match[str], name: str) -> float | None:
    for value in m.group(*_TS_GROUPS[name]):
        if value:
            try:
                return parse_timestamp(value)
            except ValueError:
                return None
    return None


def _may_open_time(line: str, pos: int) -> bool:
    """Whether a (wrapped) timestamp may start at ``pos``: a bracket, a parenthesis or a
    digit (``\\d``: a Unicode decimal digit) is there."""
    c = line[pos:pos + 1]
    return c == "[" or c == "(" or c.isdecimal()


def parse_line(line: str) -> LineInfo:
    """Find a candidate speaker label and a timestamp at the start of ``line``.

    The label is only a *candidate*: :func:`accepted_labels` decides whether it is a
    speaker by looking at the whole document.
    """
    pos = len(line) - len(line.lstrip())
    timestamp: float | None = None
    ts_at = ""
    # (each pattern below opens with a bracket, a parenthesis or a digit: a line that
    # opens otherwise is not tried against it)
    m = _LEADING_TS_RE.match(line, pos) if _may_open_time(line, pos) else None
    if m:
        timestamp = _group_ts(m, "ts")
        if timestamp is not None:
            pos, ts_at = m.end(), "before"
            if not line[pos:].strip():
                return LineInfo(timestamp=timestamp, timestamp_only=True, body_start=len(line),
                                plain_start=len(line))
    plain = pos
    label: str | None = None
    shape = ""
    bm = _BRACKET_LABEL_RE.match(line, pos) if line.startswith("[", pos) else None
    if bm and looks_like_label(bm.group("label"), bracketed=True):
        label, pos, shape = clean_label(bm.group("label")), bm.end(), "bracket"
    else:
        cm = _COLON_LABEL_RE.match(line, pos)
        if cm:
            o, c1, c2 = cm.group("o", "c1", "c2")
            o = o or ""
        if cm and (o == (c1 or "") or o == (c2 or "")):
            if looks_like_label(cm.group("label"), lowercase=True):
                label, pos = clean_label(cm.group("label")), cm.end()
                shape = "emphasis" if (o or c1 or c2) else "colon"
                label_ts = _group_ts(cm, "lts")
                if label_ts is not None and timestamp is None:
                    timestamp, ts_at = label_ts, "label"
        elif cm is None:
            tm = _TS_LINE_LABEL_RE.match(line, pos)
            if tm and looks_like_label(tm.group("label")):
                label, pos = clean_label(tm.group("label")), len(line)
                if timestamp is None:
                    timestamp, ts_at = _group_ts(tm, "lts"), "label"
                return LineInfo(label=label, timestamp=timestamp, body_start=pos, strong=True,
                                plain_start=plain, shape="line", ts_at=ts_at)
            am = _LABEL_ALONE_RE.match(line, pos) if ts_at == "before" else None
            if am and looks_like_label(am.group("label")) and not am.group("label").endswith(
                    (".", ",", ";", "!", "?", "…")) and _name_like(clean_label(am.group("label"))):
                # a candidate only: segment_lines keeps it when words follow on the next line
                return LineInfo(label=clean_label(am.group("label")), timestamp=timestamp,
                                body_start=len(line), plain_start=plain, shape="line",
                                ts_at="before")
    if label is not None and timestamp is None:
        am = _AFTER_LABEL_TS_RE.match(line, pos) if _may_open_time(line, pos) else None
        if am:
            after = _group_ts(am, "ts")
            if after is not None:
                timestamp, pos, ts_at = after, am.end(), "after"
    # how the words start: their first character when it is a letter (spaces skipped)
    at, n = pos, len(line)
    while at < n and line[at].isspace():
        at += 1
    first = line[at] if at < n else ""
    body_case = ("upper" if first.isupper() else "lower") if first.isalpha() else ""
    return LineInfo(label=label, timestamp=timestamp, body_start=pos, plain_start=plain,
                    shape=shape, ts_at=ts_at if label else "", body_case=body_case)


def accepted_labels(
    infos: Sequence[LineInfo],
    *,
    starts_paragraph: Sequence[bool] | None = None,
    vouched: Collection[str] = (),
    text_lines: int | None = None,
) -> set[str]:
    """The candidate labels of a document (one :class:`LineInfo` per line) that are
    speakers; see the module docstring for the evidence weighed.

    :param starts_paragraph: per line, whether a blank line (or the start of the text)
        comes before it; ``None`` when the format has no such structure (subtitle cues).
    :param vouched: labels the caller knows are speakers (bold runs in a .docx).
    :param text_lines: how many lines hold text (default: those with a label or words).
    """
    counts = Counter(info.label for info in infos if info.label)
    accepted = {clean_label(v) for v in vouched}
    lowercase_recurring = set()
    for name, n in counts.items():
        if is_conventional_label(name) or _is_known(name):
            accepted.add(name)
        elif name[0].islower():
            if n >= 2 and _lowercase_label_ok(name):
                lowercase_recurring.add(name)
        elif n >= 2:
            accepted.add(name)
    accepted |= {info.label for info in infos if info.label and info.strong}
    # lowercase labels are a convention of the whole document: one recurring lowercase
    # label beside capitalised speakers is prose ("la formation : ...")
    if lowercase_recurring and (len(lowercase_recurring) >= 2
                                or any(label[0].islower() for label in accepted)):
        accepted |= lowercase_recurring

    anchors = [i for i, info in enumerate(infos) if info.label in accepted]
    if not anchors:
        # nobody is vouched for: labels seen once are speakers only when they *are* the
        # document's structure (a group where each person speaks once, a caption file):
        # two or more name-like labels, written alike, opening half the lines with text
        group = [i for i, info in enumerate(infos) if info.label and counts[info.label] == 1
                 and not info.label[0].islower() and _name_like(info.label)]
        styles_seen = Counter((infos[i].shape, infos[i].ts_at) for i in group)
        if text_lines is None:
            text_lines = sum(1 for info in infos if info.label or info.body_case or info.timestamp)
        if (len(group) >= 2 and len(styles_seen) == 1
                and len(group) >= 0.5 * max(text_lines, 1)):
            accepted |= {lab for i in group if (lab := infos[i].label)}
        return accepted
    styles = {(infos[i].shape, infos[i].ts_at) for i in anchors}
    spaced = False
    if starts_paragraph is not None:
        later = anchors[1:]
        spaced = bool(later) and sum(bool(starts_paragraph[i]) for i in later) >= 0.8 * len(later)
    cases = [infos[i].body_case for i in anchors if infos[i].body_case]
    capitalised = bool(cases) and cases.count("upper") >= 0.5 * len(cases)
    for i, info in enumerate(infos):
        label = info.label
        if (label is None or label in accepted or counts[label] != 1 or i < anchors[0]
                or label[0].islower() or not _name_like(label)
                or (info.shape, info.ts_at) not in styles
                or (spaced and not starts_paragraph[i])        # type: ignore[index]
                or (capitalised and info.body_case == "lower")):
            continue
        accepted.add(label)
    return accepted


#: Keys of the interview header's fields ("Date : 12/03/2023", "Durée : 35 min",
#: "Personne interrogée : Karima, 24 ans"), by their first word.
_HEADER_KEYS = _KEY_WORDS | _STOP_LABELS | frozenset(
    """
    personne personnes nom noms prénom prenom fonction fonctions poste entretien entretiens
    interlocuteur interlocutrice interlocuteurs interlocutrices participants participantes
    présents présentes presents absents code identifiant id référence transcripteur
    transcriptrice transcrit transcrite retranscription fichier audio vidéo version langue
    type modalité modalite format territoire région departement département ville commune
    organisme financeur vague cohorte session promotion formation heure horaire
    """.split())
# "Key : value" on one line, the key written like a label (emphasis allowed)
_FIELD_RE = re.compile(rf"{_SP}*{_EMPH}?(?P<key>[^\W\d_][\w'’.\-/ \u00a0]{{0,38}}?){_SP}*{_EMPH}?"
                       rf"{_SP}*:(?!//){_SP}*{_EMPH}?{_SP}*(?P<value>.*)$")
_MAX_FIELD_WORDS = 8
_GREETINGS = frozenset("bonjour bonsoir salut merci d'accord d’accord ok okay hello hi yes no".split())


def is_header_key(key: str) -> bool:
    """A key of the interview header's fields (Date, Lieu, Durée, Personne
    interrogée...), not a speaker's label."""
    words = clean_label(key).casefold().split()
    return bool(words) and words[0].rstrip(".") in _HEADER_KEYS and not is_conventional_label(key)


def _header_lines(lines: Sequence[str], paragraph_per_line: bool = False) -> int:
    """How many lines at the top of a transcript are its header written as fields
    ("Entretien n°3", "Date : 12/03/2023", "Enquêtrice : Sophie Martin", "Durée : 35 min").

    The header is a leading run of lines that opens with a title or a field: titles
    and notes (not a question; a few words once the fields have begun), fields whose
    key is a header key seen once in the document (Date, Lieu, Durée, Personne
    interrogée...) and role fields naming who took part (a conventional label -- Enquêtrice, Interviewer, Interviewé -- followed by
    a name: capitalised, a few words, not a sentence nor a greeting).  It ends with the
    paragraph of its last header-key field; a role field there names a participant, it
    is not a turn (``paragraph_per_line``: each line is a paragraph, as in a word
    processor's file).  0 when the transcript does not open with such fields."""
    def field_of(line: str) -> tuple[str, str] | None:
        m = _FIELD_RE.match(line)
        return (clean_label(m.group("key")).casefold(), m.group("value").strip()) if m else None

    # the keys of the fields at the top (the header is short: stop at the first question
    # or long line), then how often each occurs in the whole document
    top: dict[int, tuple[str, str] | None] = {}
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        if len(top) >= 40 or text.endswith(("?", "!", "…", "...")):
            break
        top[i] = field_of(line)
    wanted = {f[0] for f in top.values() if f}
    if not wanted:
        return 0
    keys: Counter[str] = Counter()
    prefixes = tuple(wanted)
    for line in lines:
        if line.lstrip(" \t\u00a0*_").casefold().startswith(prefixes):
            field = field_of(line)
            if field and field[0] in wanted:
                keys[field[0]] += 1
    last_key, first, seen_field, stop = -1, True, False, len(lines)
    for i, line in enumerate(lines):
        text = line.strip()
        if not text:
            continue
        stop = i
        if _LEADING_TS_RE.match(line) or text.endswith(("?", "!", "…", "...")):
            break
        if i not in top:
            break
        field = top[i]
        if field is None:
            if len(text.split()) > 12 and seen_field:   # prose after the fields: a turn's
                break
        else:
            seen_field = True
            key, value = field
            words = value.split()
            if not words or len(words) > _MAX_FIELD_WORDS:
                break
            if keys[key] == 1 and is_header_key(key):
                last_key = i
            elif (first or not is_conventional_label(key) or not value[0].isupper()
                    or len(words) > 6 or value.endswith(".")
                    or words[0].casefold().strip(",;") in _STOP_LABELS | _GREETINGS):
                break
        first = False
        stop = len(lines)
    if last_key < 0:
        return 0
    end = last_key + 1
    if not paragraph_per_line:
        while end < stop and lines[end].strip():        # the rest of that paragraph
            end += 1
    return end


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
    # the interview header written as fields ("Enquêtrice : Sophie Martin" among "Date :"
    # and "Durée :" lines) holds no turn
    header = _header_lines(lines, paragraph_per_line)
    hints = {i: label for i, label in hints.items() if i >= header}
    infos = [parse_line(line) if line.strip() and i not in forced else LineInfo() for i, line in enumerate(lines)]
    for i in range(header):
        if infos[i].label:
            infos[i] = LineInfo(body_start=infos[i].plain_start, plain_start=infos[i].plain_start)
    for i, info in enumerate(infos):
        # "00:00:03 Speaker 1" alone on its line is a label only when words follow below
        # it (not another timestamped line): else it is a timestamped line of words
        if info.label and info.shape == "line" and info.ts_at == "before" and not info.strong:
            below = lines[i + 1] if i + 1 < len(lines) else ""
            if not below.strip() or infos[i + 1].timestamp is not None or infos[i + 1].label:
                infos[i] = LineInfo(timestamp=info.timestamp, body_start=info.plain_start,
                                    plain_start=info.plain_start, body_case="upper")
    starts_paragraph = []
    blank = True
    for line in lines:
        starts_paragraph.append(blank)
        blank = not line.strip()
    # a timestamp alone on the line before a turn belongs to that turn
    for i in range(1, len(lines)):
        if infos[i - 1].timestamp_only and starts_paragraph[i - 1]:
            starts_paragraph[i] = True
    accepted = accepted_labels(infos, starts_paragraph=starts_paragraph, vouched=hints.values(),
                               text_lines=sum(1 for line in lines if line.strip()))

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
        body, written = _words_from(text, min(max(offsets[current.body_line] + current.body_col,
                                                  start), end), end)
        speaker = current.speaker
        segments.append(
            ParsedSegment(
                start=start,
                end=end,
                speaker=speaker,
                kind=current.kind,
                timestamp=current.timestamp if current.timestamp is not None else written,
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
        body, written = _words_from(text, min(pos + col, end), end)
        return body, timestamp if timestamp is not None else written
    return end, timestamp


def _words_from(text: str, body: int, end: int) -> tuple[int, float | None]:
    """Where the words begin from ``body`` on: past blanks and, when the words start a
    line below the label (``Karima :`` then ``[00:02:51] Oui...``), past the timestamp
    written at its head, whose time is returned."""
    while body < end and text[body].isspace():
        body += 1
    if body < end and body > 0 and text[body - 1] == "\n":
        m = _LEADING_TS_RE.match(text, body, end)
        if m and _group_ts(m, "ts") is not None and text[m.end():end].strip():
            timestamp = _group_ts(m, "ts")
            body = m.end()
            while body < end and text[body].isspace():
                body += 1
            return body, timestamp
    return body, None

