"""The topic-model backend interface, its registry, and the result types.

A backend turns a list of units (each as its filtered lemmas) into topics: a few
weighted words per topic, and for each unit one topic (``-1`` = outlier) with a
probability.  Backends are registered by name (``bertopic``, ``lda``) and imported
lazily, so that a heavy library is loaded only when its backend runs.
"""
from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from workbench.domain import WorkbenchError
from workbench.i18n import N_, _

ProgressFn = Callable[[int, int, str], None]
CancelledFn = Callable[[], bool]

OUTLIER = -1


class TopicModelError(WorkbenchError):
    title = N_("Topic model")


class TopicRunCancelled(WorkbenchError):
    """The run was cancelled; nothing was stored."""

    title = N_("Cancelled")

    def __init__(self, message: str | None = None):
        super().__init__(message or _("topic model run cancelled; nothing was stored"))


@dataclass(frozen=True)
class FitResult:
    """What a backend returns: per topic its words (best first), per unit its topic."""

    topic_words: dict[int, list[tuple[str, float]]]
    assignments: list[int]
    probabilities: list[float]
    labels: dict[int, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TopicRun:
    """A stored run: what was modelled, how, and how well."""

    id: int
    name: str | None
    backend: str
    params: dict
    seed: int
    unit: str
    scope: dict
    n_units: int
    n_skipped: int
    n_topics: int
    n_outliers: int
    metrics: dict
    timing: dict
    corpus_hash: str | None
    coder: str | None
    created_at: str
    promoted: int = 0

    @property
    def coherence(self) -> float | None:
        return self.metrics.get("coherence_cv")

    @property
    def diversity(self) -> float | None:
        return self.metrics.get("diversity")


@dataclass(frozen=True)
class PromotionResult:
    run_id: int
    topic: int
    code_id: int
    code_path: str
    created: bool
    candidates: int
    rule: str


class TopicBackend(ABC):
    """One way of finding topics.  Subclasses set ``name`` and implement :meth:`fit`."""

    name: str = ""
    #: parameters the backend understands, with defaults (stored with each run)
    defaults: dict[str, Any] = {}

    def __init__(self, **params: Any):
        unknown = set(params) - set(self.defaults)
        if unknown:
            raise TopicModelError(
                _("unknown options for the {backend} backend: {options} (known: {known})").format(
                    backend=self.name, options=", ".join(sorted(unknown)),
                    known=", ".join(sorted(self.defaults)) or _("none")))
        self.params = {**self.defaults, **{k: v for k, v in params.items() if v is not None}}

    def check(self) -> None:
        """Raise :class:`TopicModelError` if the backend cannot run here (before any work)."""

    def prepare(self) -> None:
        """Import what :meth:`fit` and the metrics need.  A first run calls it while its
        lemmatising helper process works (``preprocess.lemmatise``), so that the imports
        cost no waiting; :meth:`fit` works without it."""
        from workbench.topics.metrics import prepare_coherence
        prepare_coherence()

    def prepare_words(self) -> int:
        """About how many words spaCy lemmatises in the time :meth:`prepare` takes (0 when
        it has nothing left to import): the lemmatising helper takes that many more."""
        return 0

    @abstractmethod
    def fit(self, docs: Sequence[list[str]], texts: Sequence[str], *, n_topics: int | None,
            seed: int, top_n: int, progress: ProgressFn, cancelled: CancelledFn) -> FitResult:
        """Fit on ``docs`` (one list of lemmas per unit, none empty); ``texts`` are the
        units' raw texts, for backends that embed text themselves."""


_REGISTRY: dict[str, str] = {
    "bertopic": "workbench.topics._bertopic:BERTopicBackend",
    "lda": "workbench.topics._lda:LDABackend",
}


def register_backend(name: str, target: str) -> None:
    """Register a backend as ``"package.module:ClassName"`` (imported on first use)."""
    _REGISTRY[name] = target


def backend_names() -> list[str]:
    return list(_REGISTRY)


def get_backend(name: str, **params: Any) -> TopicBackend:
    target = _REGISTRY.get(name)
    if target is None:
        raise TopicModelError(_("unknown topic-model backend {name!r}; choose one of {names}")
                              .format(name=name, names=", ".join(_REGISTRY)))
    module_name, _sep, cls_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    return cls(**params)
