"""``TopicModel``: NMF or LDA on a document-term matrix of our normalized tokens (after textacy's ``tm.TopicModel``).

A scikit-learn transformer: ``fit`` learns the vocabulary (content tokens only: stop words, punctuation and bare
numbers dropped, see :func:`pipeline.text.stopwords.is_content_token`) and the topics; ``transform`` gives each
document's topic mixture (rows sum to 1, or are all zero for a document with no known term). NMF runs on TF-IDF
weights (it fits squared error, so raw counts would let frequent words take over), LDA on counts (its generative
model is of counts). Both are seeded: the same corpus and ``random_state`` give the same topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.utils.validation import check_is_fitted

from pipeline.classify.textfeatures import AnalyzedText, as_analyzed
from pipeline.classify.vocabstate import packed_state, unpacked_state
from pipeline.text.stopwords import is_content_token
from pipeline.topicmodel.coherence import npmi_coherence

METHODS: tuple[str, ...] = ("nmf", "lda")

TokenDoc = Sequence[str] | str | AnalyzedText


def content_string(doc: TokenDoc) -> str:
    """A document's content tokens joined by spaces (the vectorizer splits on whitespace, no callables saved)."""
    tokens = as_analyzed(doc).tokens if isinstance(doc, str | AnalyzedText) else doc
    return " ".join(t.replace(" ", "_") for t in tokens if is_content_token(t))


class TopicModel(TransformerMixin, BaseEstimator):
    """``n_topics`` topics by ``method`` (``"nmf"`` or ``"lda"``) over documents given as token lists or texts.

    Learned: ``vectorizer_`` (vocabulary), ``model_`` (the fitted NMF / LDA), ``components_`` (topics x terms),
    ``coherence_`` (NPMI of each topic's ``n_coherence_terms`` top terms on the training corpus).
    """

    def __init__(
        self,
        n_topics: int = 10,
        *,
        method: str = "nmf",
        min_df: int | float = 2,
        max_df: float = 0.5,
        max_features: int | None = 20_000,
        max_iter: int | None = None,
        n_coherence_terms: int = 10,
        random_state: int = 0,
    ) -> None:
        self.n_topics = n_topics
        self.method = method
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.max_iter = max_iter
        self.n_coherence_terms = n_coherence_terms
        self.random_state = random_state

    def __getstate__(self) -> dict[str, Any]:
        """The vocabulary as a string array, so skops saves and loads it fast (see pipeline.classify.vocabstate)."""
        return packed_state(super().__getstate__(), ("vectorizer_",))

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(unpacked_state(state, ("vectorizer_",)))

    def _weights(self, counts: sp.spmatrix) -> sp.spmatrix:
        return self.tfidf_.transform(counts) if self.method == "nmf" else counts

    def fit(self, X: Sequence[TokenDoc], y: Any = None) -> TopicModel:
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Sequence[TokenDoc], y: Any = None, **fit_params: Any) -> np.ndarray:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {self.method!r}")
        if int(self.n_topics) < 1:
            raise ValueError(f"n_topics must be at least 1, not {self.n_topics!r}")
        strings = [content_string(doc) for doc in X]
        self.vectorizer_ = CountVectorizer(
            analyzer="word",
            token_pattern=r"\S+",
            lowercase=True,
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
            dtype=np.float64,
        )
        try:
            counts = self.vectorizer_.fit_transform(strings)
        except ValueError as exc:  # empty vocabulary: too few documents for min_df/max_df
            raise ValueError(f"no terms left to model ({exc}); use more documents or lower min_df") from None
        n_topics = int(self.n_topics)
        if self.method == "nmf":
            self.tfidf_ = TfidfTransformer(sublinear_tf=True).fit(counts)
            self.model_: NMF | LatentDirichletAllocation = NMF(
                n_components=n_topics,
                init="nndsvda",
                max_iter=self.max_iter or 400,
                random_state=self.random_state,
            )
        else:
            self.model_ = LatentDirichletAllocation(
                n_components=n_topics,
                learning_method="batch",
                max_iter=self.max_iter or 30,
                random_state=self.random_state,
            )
        raw = self.model_.fit_transform(self._weights(counts))
        self.components_ = self.model_.components_
        self.coherence_ = npmi_coherence(counts, self._top_indices(self.n_coherence_terms))
        return _normalized(raw)

    def transform(self, X: Sequence[TokenDoc]) -> np.ndarray:
        """Each document's topic mixture: non-negative weights per topic, summing to 1 (0 for empty documents)."""
        check_is_fitted(self, "model_")
        counts = self.vectorizer_.transform([content_string(doc) for doc in X])
        return _normalized(self.model_.transform(self._weights(counts)))

    def _top_indices(self, n: int) -> list[list[int]]:
        return [list(np.argsort(-row, kind="stable")[:n]) for row in self.components_]

    def top_topic_terms(self, n: int = 10, *, weights: bool = False) -> list[list[Any]]:
        """Each topic's ``n`` highest-weighted terms (with their weights if ``weights``)."""
        check_is_fitted(self, "model_")
        vocab = self.vectorizer_.get_feature_names_out()
        out: list[list[Any]] = []
        for k, idx in enumerate(self._top_indices(n)):
            if weights:
                out.append([(str(vocab[i]), float(self.components_[k, i])) for i in idx])
            else:
                out.append([str(vocab[i]) for i in idx])
        return out

    def top_doc_topics(self, mixtures: np.ndarray, n: int = 3) -> list[list[tuple[int, float]]]:
        """For each row of a :meth:`transform` result, its ``n`` strongest topics as ``(topic, weight)``."""
        return [
            [(int(k), float(row[k])) for k in np.argsort(-row, kind="stable")[:n] if row[k] > 0] for row in mixtures
        ]

    def coherence(self, X: Sequence[TokenDoc], n: int | None = None) -> np.ndarray:
        """NPMI of each topic's top terms on the document-level co-occurrences of corpus ``X``."""
        check_is_fitted(self, "model_")
        counts = self.vectorizer_.transform([content_string(doc) for doc in X])
        return npmi_coherence(counts, self._top_indices(n or self.n_coherence_terms))


def _normalized(mixtures: np.ndarray) -> np.ndarray:
    totals = mixtures.sum(axis=1, keepdims=True)
    return np.divide(mixtures, totals, out=np.zeros_like(mixtures, dtype=np.float64), where=totals > 0)
