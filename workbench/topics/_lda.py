"""Latent Dirichlet Allocation with gensim: a bag-of-lemmas model, one topic
distribution per unit; the unit's topic is its most probable one."""
from __future__ import annotations

import logging
import sys
from typing import Sequence

from workbench.i18n import N_, _
from workbench.topics._base import (OUTLIER, CancelledFn, FitResult, ProgressFn, TopicBackend,
                                    TopicModelError, TopicRunCancelled)

DEFAULT_TOPICS = 10


class _Corpus:
    """A re-iterable bag-of-words corpus that reports each training pass and stops
    when cancelled (gensim iterates it once per pass)."""

    def __init__(self, bows, passes: int, progress: ProgressFn, cancelled: CancelledFn):
        self.bows, self.passes = bows, passes
        self.progress, self.cancelled = progress, cancelled
        self.pass_ = 0

    def __len__(self):
        return len(self.bows)

    def __iter__(self):
        self.progress(self.pass_, self.passes, N_("LDA pass"))
        for i, bow in enumerate(self.bows):
            if i % 1000 == 0 and self.cancelled():
                raise TopicRunCancelled()
            yield bow
        self.pass_ += 1
        self.progress(self.pass_, self.passes, N_("LDA pass"))


class LDABackend(TopicBackend):
    name = "lda"
    defaults = {
        "passes": 10,            # sweeps over the corpus
        "iterations": 100,       # inference iterations per document
        "alpha": "auto",         # learnt asymmetric document-topic prior
        "no_below": 2,           # drop lemmas in fewer units than this
        "no_above": 0.5,         # ... or in more than this share of units
        "keep_n": 20000,         # vocabulary size cap
        "chunksize": 2000,
    }

    def prepare(self) -> None:
        from gensim.corpora import Dictionary  # noqa: F401
        from gensim.models import LdaModel  # noqa: F401
        super().prepare()

    def prepare_words(self) -> int:
        # importing gensim (and the SciPy it loads): ~0.7 s of CPU, measured on the
        # development machine, at ~12,500 lemmatised words a second
        return 0 if "gensim.models" in sys.modules else 9_000

    def fit(self, docs: Sequence[list[str]], texts: Sequence[str], *, n_topics: int | None,
            seed: int, top_n: int, progress: ProgressFn, cancelled: CancelledFn) -> FitResult:
        from gensim.corpora import Dictionary
        from gensim.models import LdaModel

        logging.getLogger("gensim").setLevel(logging.WARNING)
        p = self.params
        k = int(n_topics or DEFAULT_TOPICS)
        if k < 2:
            raise TopicModelError(_("LDA needs at least 2 topics"))
        dictionary = Dictionary(docs)
        no_below = min(int(p["no_below"]), max(1, len(docs) // 10))
        dictionary.filter_extremes(no_below=no_below, no_above=float(p["no_above"]),
                                   keep_n=int(p["keep_n"]))
        if len(dictionary) < k:
            raise TopicModelError(_("too few distinct words ({n}) for {k} topics: widen the "
                                    "scope or lower the number of topics").format(
                                        n=len(dictionary), k=k))
        bows = [dictionary.doc2bow(d) for d in docs]
        passes = int(p["passes"])
        corpus = _Corpus(bows, passes, progress, cancelled)
        model = LdaModel(corpus=corpus, id2word=dictionary, num_topics=k, passes=passes,
                         iterations=int(p["iterations"]), alpha=p["alpha"],
                         chunksize=int(p["chunksize"]), random_state=seed, eval_every=None,
                         update_every=1)
        if cancelled():
            raise TopicRunCancelled()
        words = {t: [(w, float(x)) for w, x in model.show_topic(t, topn=top_n)]
                 for t in range(k)}
        assignments: list[int] = []
        probabilities: list[float] = []
        step = 2000
        for i in range(0, len(bows), step):
            chunk = bows[i:i + step]
            gamma, _stats = model.inference(chunk)
            theta = gamma / gamma.sum(axis=1, keepdims=True)
            for bow, row in zip(chunk, theta):
                if not bow:
                    assignments.append(OUTLIER)
                    probabilities.append(0.0)
                else:
                    t = int(row.argmax())
                    assignments.append(t)
                    probabilities.append(round(float(row[t]), 6))
        return FitResult(words, assignments, probabilities,
                         details={"vocabulary": len(dictionary)})
