"""Topic models on the transcripts (BERTopic and gensim LDA), tied to the coding.

The backends are imported lazily: importing this package loads neither BERTopic nor
gensim nor spaCy.
"""
from workbench.topics._base import (FitResult, PromotionResult, TopicBackend, TopicModelError,
                                    TopicRun, TopicRunCancelled, backend_names, get_backend,
                                    register_backend)
from workbench.topics.service import TopicsAPI

__all__ = ["FitResult", "PromotionResult", "TopicBackend", "TopicModelError", "TopicRun",
           "TopicRunCancelled", "TopicsAPI", "backend_names", "get_backend", "register_backend"]
