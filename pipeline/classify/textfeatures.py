"""Features shared by the stance and topic classifiers: TF-IDF over normalized jieba tokens plus character n-grams.

Both views are built from normalized text (t2s, half-width), so a traditional and a simplified copy of a post land
on the same features. Inputs are either raw strings (a scikit-learn user calls ``model.predict(["…"])``, and the
text goes through the default run config's normalize and segment stages) or :class:`AnalyzedText`, which the
pipeline stages build from what the normalize and segment stages already computed: prediction inside a run does
not segment the text a second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

# re-exported: the features' input types and builders, which live apart so that stages import without sklearn
from pipeline.classify.analyzed import (  # noqa: F401
    TEXT_FIELDS,
    AnalyzedText,
    analyze_article,
    analyze_text,
    analyze_texts,
    as_analyzed,
    token_norms,
    truncated,
)
from pipeline.classify.cues import CUE_NAMES, cue_counts
from pipeline.classify.ngrams import token_string
from pipeline.classify.tfidfrows import tfidf_rows
from pipeline.classify.vocabstate import PackedVectorizers
from pipeline.text.stopwords import FUNCTION_WORDS


class TextFeatures(PackedVectorizers, TransformerMixin, BaseEstimator):
    """TF-IDF of word n-grams (jieba tokens) and character n-grams, plus optional stance cue counts.

    Parameters are plain values, so ``GridSearchCV`` can tune them as ``features__char_ngram_range`` etc.
    ``word_ngram_range`` or ``char_ngram_range`` set to ``None`` turns that view off; the ``*_weight``
    parameters scale each block (a cheap way to balance views of very different sizes).
    """

    def __init__(
        self,
        *,
        word_ngram_range: tuple[int, int] | None = (1, 2),
        char_ngram_range: tuple[int, int] | None = (1, 4),
        min_df: int | float = 1,
        max_df: float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        stop_words: bool = False,
        cues: bool = False,
        word_weight: float = 1.0,
        char_weight: float = 1.0,
        cue_weight: float = 1.0,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.stop_words = stop_words
        self.cues = cues
        self.word_weight = word_weight
        self.char_weight = char_weight
        self.cue_weight = cue_weight

    _VECTORIZERS = ("word_vectorizer_", "char_vectorizer_")  # saved with packed vocabularies (skops stays fast)

    def _vectorizer(self, **kwargs: Any) -> TfidfVectorizer:
        return TfidfVectorizer(
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            lowercase=True,
            dtype=np.float32,
            **kwargs,
        )

    def fit(self, X: Sequence[str | AnalyzedText], y: Any = None) -> TextFeatures:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Sequence[str | AnalyzedText], y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        if self.word_ngram_range is None and self.char_ngram_range is None and not self.cues:
            raise ValueError("TextFeatures: every view is off (word_ngram_range, char_ngram_range, cues)")
        docs = [as_analyzed(x) for x in X]
        blocks: list[sp.spmatrix] = []
        self.word_vectorizer_: TfidfVectorizer | None = None
        self.char_vectorizer_: TfidfVectorizer | None = None
        if self.word_ngram_range is not None:
            self.word_vectorizer_ = self._vectorizer(
                analyzer="word",
                token_pattern=r"\S+",
                ngram_range=tuple(self.word_ngram_range),
                stop_words=sorted(FUNCTION_WORDS) if self.stop_words else None,
            )
            blocks.append(self.word_vectorizer_.fit_transform([token_string(d.tokens) for d in docs]))
        if self.char_ngram_range is not None:
            self.char_vectorizer_ = self._vectorizer(analyzer="char", ngram_range=tuple(self.char_ngram_range))
            blocks.append(self.char_vectorizer_.fit_transform([d.norm_text for d in docs]))
        if self.cues:
            blocks.append(self._cue_block(docs))
        self.n_features_out_ = sum(b.shape[1] for b in blocks)
        return self._combine(blocks)

    def transform(self, X: Sequence[str | AnalyzedText]) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        docs = [as_analyzed(x) for x in X]
        blocks: list[sp.spmatrix] = []
        if self.word_vectorizer_ is not None:
            blocks.append(tfidf_rows(self.word_vectorizer_, [token_string(d.tokens) for d in docs]))
        if self.char_vectorizer_ is not None:
            blocks.append(tfidf_rows(self.char_vectorizer_, [d.norm_text for d in docs]))
        if self.cues:
            blocks.append(self._cue_block(docs))
        return self._combine(blocks)

    def _cue_block(self, docs: list[AnalyzedText]) -> sp.csr_matrix:
        return sp.csr_matrix(np.vstack([cue_counts(d.tokens) for d in docs]).astype(np.float32))

    def _combine(self, blocks: list[sp.spmatrix]) -> sp.csr_matrix:
        weights = []
        if self.word_ngram_range is not None:
            weights.append(self.word_weight)
        if self.char_ngram_range is not None:
            weights.append(self.char_weight)
        if self.cues:
            weights.append(self.cue_weight)
        scaled = [b * w if w != 1.0 else b for b, w in zip(blocks, weights, strict=True)]
        if len(scaled) == 1:
            return sp.csr_matrix(scaled[0], dtype=np.float32)
        return sp.hstack(scaled, format="csr", dtype=np.float32)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        names: list[str] = []
        if self.word_vectorizer_ is not None:
            names += [f"w:{n}" for n in self.word_vectorizer_.get_feature_names_out()]
        if self.char_vectorizer_ is not None:
            names += [f"c:{n}" for n in self.char_vectorizer_.get_feature_names_out()]
        if self.cues:
            names += [f"cue:{n}" for n in CUE_NAMES]
        return np.asarray(names, dtype=object)
