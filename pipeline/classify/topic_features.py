"""``TitleFeatures``: TF-IDF features for headlines, :class:`~pipeline.classify.textfeatures.TextFeatures` + edges.

A headline is ~20 characters and the same few characters often open or close one kind of title: a leading
"港股"/"美股", a trailing "(图)"/"(组图)", a closing "称"/"首发". Character n-grams see these characters but not
where they stand, so this view adds four position-marked tokens per title (``^xy``, ``xy$``, ``^x``, ``x$``: the
first and last one and two characters). In cross-validation on THUCNews titles they helped the linear SVM, while
jieba's search-mode sub-words and word-vector clusters added less than the noise (figures on the model card).

Two blocks, each L2-normalised TF-IDF: (1) jieba word unigrams and bigrams plus the edge tokens, (2) character
n-grams of the normalized text. Inputs are raw strings or :class:`~pipeline.classify.textfeatures.AnalyzedText`, exactly
as for ``TextFeatures``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from pipeline.classify.textfeatures import AnalyzedText, as_analyzed
from pipeline.classify.tfidfrows import tfidf_rows
from pipeline.classify.vocabstate import PackedVectorizers


def word_edge_string(text: AnalyzedText, *, bigrams: bool = True, edges: bool = True) -> str:
    """The word block's terms of one text, space-separated: words, ``a|b`` bigrams, and ``^``/``$`` edge marks."""
    words = [t.lower().replace(" ", "_") for t in text.tokens if t.strip()]
    terms = list(words)
    if bigrams:
        terms += [f"{a}|{b}" for a, b in itertools.pairwise(words)]
    chars = "".join(text.norm_text.lower().split())
    if edges and chars:
        terms += [f"^{chars[:2]}", f"{chars[-2:]}$", f"^{chars[:1]}", f"{chars[-1:]}$"]
    return " ".join(terms)


class TitleFeatures(PackedVectorizers, TransformerMixin, BaseEstimator):
    """TF-IDF of jieba words (+ bigrams, + edge marks) and character n-grams, for headlines.

    Parameters are plain values (``GridSearchCV`` can tune ``features__char_ngram_range`` etc.).
    """

    def __init__(
        self,
        *,
        word_bigrams: bool = True,
        edges: bool = True,
        char_ngram_range: tuple[int, int] = (1, 3),
        min_df: int | float = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
    ) -> None:
        self.word_bigrams = word_bigrams
        self.edges = edges
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf

    _VECTORIZERS = ("word_vectorizer_", "char_vectorizer_")  # saved with packed vocabularies (skops stays fast)

    def _vectorizer(self, **kwargs: Any) -> TfidfVectorizer:
        return TfidfVectorizer(
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            lowercase=False,  # both views are lowercased here already
            dtype=np.float32,
            **kwargs,
        )

    def _word_strings(self, docs: list[AnalyzedText]) -> list[str]:
        return [word_edge_string(d, bigrams=self.word_bigrams, edges=self.edges) for d in docs]

    def fit(self, X: Sequence[str | AnalyzedText], y: Any = None) -> TitleFeatures:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Sequence[str | AnalyzedText], y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        docs = [as_analyzed(x) for x in X]
        self.word_vectorizer_ = self._vectorizer(analyzer="word", token_pattern=r"\S+")
        self.char_vectorizer_ = self._vectorizer(analyzer="char", ngram_range=tuple(self.char_ngram_range))
        blocks = [
            self.word_vectorizer_.fit_transform(self._word_strings(docs)),
            self.char_vectorizer_.fit_transform([d.norm_text.lower() for d in docs]),
        ]
        self.n_features_out_ = sum(b.shape[1] for b in blocks)
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def transform(self, X: Sequence[str | AnalyzedText]) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        docs = [as_analyzed(x) for x in X]
        blocks = [  # tfidf_rows: the vectorizers' own transform without scikit-learn's per-call overhead
            tfidf_rows(self.word_vectorizer_, self._word_strings(docs)),
            tfidf_rows(self.char_vectorizer_, [d.norm_text.lower() for d in docs]),
        ]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        names = [f"w:{n}" for n in self.word_vectorizer_.get_feature_names_out()]
        names += [f"c:{n}" for n in self.char_vectorizer_.get_feature_names_out()]
        return np.asarray(names, dtype=object)
