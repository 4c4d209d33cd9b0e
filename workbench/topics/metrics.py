"""Topic quality: c_v coherence (gensim) and topic diversity, the same for every backend.

Both are computed on the units' filtered lemmas, so that BERTopic and LDA runs on the
same scope are compared on the same tokens.
"""
from __future__ import annotations

import logging
from typing import Sequence

COHERENCE_TOP_N = 10


def topic_diversity(topics: Sequence[Sequence[str]], top_n: int = COHERENCE_TOP_N) -> float | None:
    """Unique words among the top ``top_n`` of every topic / (top_n x topics)."""
    tops = [list(t)[:top_n] for t in topics if t]
    if not tops:
        return None
    total = sum(len(t) for t in tops)
    return round(len({w for t in tops for w in t}) / total, 4) if total else None


def prepare_coherence() -> None:
    """Import gensim's coherence model (see ``TopicBackend.prepare``)."""
    from gensim.corpora import Dictionary  # noqa: F401
    from gensim.models.coherencemodel import CoherenceModel  # noqa: F401


def coherence_cv(topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]],
                 top_n: int = COHERENCE_TOP_N) -> float | None:
    """Mean c_v coherence of the topics' top words over ``texts`` (lists of lemmas)."""
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel

    logging.getLogger("gensim").setLevel(logging.WARNING)
    dictionary = Dictionary(texts)
    known = dictionary.token2id
    tops = [[w for w in list(t)[:top_n] if w in known] for t in topics]
    tops = [t for t in tops if len(t) >= 2]
    if not tops:
        return None
    cm = CoherenceModel(topics=tops, texts=[list(t) for t in texts], dictionary=dictionary,
                        coherence="c_v", processes=1)
    value = cm.get_coherence()
    return None if value != value else round(float(value), 4)   # NaN -> None


def coherence_of(topics: Sequence[Sequence[str]], texts: Sequence[Sequence[str]], *,
                 progress=None, cancelled=None) -> float | None:
    """:func:`coherence_cv` with the default number of top words, in the shape
    ``run_interruptible`` calls (progress and cancelled are checked by the caller)."""
    return coherence_cv(topics, texts, COHERENCE_TOP_N)
