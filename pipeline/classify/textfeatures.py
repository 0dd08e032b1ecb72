"""Features shared by the stance and topic classifiers: TF-IDF over normalized jieba tokens plus character n-grams.

Both views are built from normalized text (t2s, half-width), so a traditional and a simplified copy of a post land
on the same features. Inputs are either raw strings (a scikit-learn user calls ``model.predict(["…"])``, and the
text goes through the default run config's normalize and segment stages) or :class:`AnalyzedText`, which the
pipeline stages build from what the normalize and segment stages already computed: prediction inside a run does
not segment the text a second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from pipeline.classify.cues import CUE_NAMES, cue_counts
from pipeline.classify.tfidfrows import tfidf_rows
from pipeline.classify.vocabstate import PackedVectorizers
from pipeline.errors import ConfigError
from pipeline.text.stopwords import FUNCTION_WORDS

if TYPE_CHECKING:
    from pipeline.core.article import Article
    from pipeline.core.config import RunConfig
    from pipeline.text.segment import Token

TEXT_FIELDS: tuple[str, ...] = ("text", "title", "title+text")


@dataclass(frozen=True)
class AnalyzedText:
    """A text as the features see it: the normalized string (for character n-grams) and its normalized tokens."""

    norm_text: str
    tokens: tuple[str, ...]


def analyze_text(text: str) -> AnalyzedText:
    """A raw string as the default run config's ``normalize`` and ``segment`` stages see it.

    For scikit-learn users who call ``model.predict(["…"])`` on raw text, and for training on raw posts and
    headlines: the same stage code and settings as a default ``zhnews run``, so the features learned are the
    ones the stages produce at run time.
    """
    if len(text) <= _CACHED_LENGTH:
        return _analyze_short(text)
    return analyze_texts([text])[0]


# Short texts (posts, headlines) are analysed again and again by cross-validation folds: remember recent ones.
_CACHED_LENGTH = 200


@lru_cache(maxsize=4096)
def _analyze_short(text: str) -> AnalyzedText:
    return analyze_texts([text])[0]


def analyze_texts(texts: Sequence[str], config: RunConfig | None = None) -> list[AnalyzedText]:
    """Texts through a run config's stages up to ``segment`` (default: the shipped default config)."""
    from pipeline.core.runner import analyze_texts as run_stages

    articles = run_stages(texts, config or _default_config(), until="segment")
    return [analyze_article(a, "text") for a in articles]


@lru_cache(maxsize=1)
def _default_config() -> RunConfig:
    from pipeline.core.config import load_config

    return load_config()


def analyze_article(article: Article, field: str = "text", max_chars: int | None = None) -> AnalyzedText:
    """The article's ``field`` (see :data:`TEXT_FIELDS`) as features see it, from the normalize and segment
    stages' own output (``norm_text``, ``norm_title``, ``tokens``, ``title_tokens``): nothing is segmented again,
    and a headline that starts the text (a Markdown article) counts once."""
    if field not in TEXT_FIELDS:
        raise ValueError(f"field must be one of {TEXT_FIELDS}, not {field!r}")
    if article.tokens is None or article.norm_text is None:
        raise ConfigError("features need the normalize and segment stages before this stage")
    body = AnalyzedText(article.norm_text, token_norms(article.tokens, max_chars))
    title = AnalyzedText(article.norm_title or "", article.title_tokens or ()) if article.title else None
    if field == "title" and title is not None:
        return truncated(title, max_chars)
    if field == "title+text" and title is not None and not article.title_in_text:
        joined = AnalyzedText(f"{title.norm_text}\n{body.norm_text}", title.tokens + body.tokens)
        return truncated(joined, max_chars)
    return truncated(body, max_chars)  # "text", or a title-only model on an article without a title


def token_norms(tokens: Sequence[Token], max_chars: int | None = None) -> tuple[str, ...]:
    """The normalized forms of the non-space tokens; with ``max_chars``, only as many as :func:`truncated` keeps."""
    out: list[str] = []
    length = 0
    for t in tokens:
        if max_chars is not None and length >= max_chars:
            break
        if t.norm and not t.norm.isspace():
            out.append(t.norm)
            length += len(t.norm)
    return tuple(out)


def truncated(text: AnalyzedText, max_chars: int | None) -> AnalyzedText:
    """The first ``max_chars`` characters of the normalized text and the tokens that start within them."""
    if max_chars is None or len(text.norm_text) <= max_chars:
        return text
    kept: list[str] = []
    length = 0
    for token in text.tokens:
        if length >= max_chars:
            break
        kept.append(token)
        length += len(token)
    return AnalyzedText(text.norm_text[:max_chars], tuple(kept))


def as_analyzed(item: str | AnalyzedText) -> AnalyzedText:
    if isinstance(item, AnalyzedText):
        return item
    if isinstance(item, str):
        return analyze_text(item)
    raise TypeError(f"expected a str or AnalyzedText, got {type(item).__name__}")


def _token_string(tokens: Iterable[str]) -> str:
    """Tokens joined by spaces for a whitespace-splitting vectorizer (no callables: they would not load safely)."""
    return " ".join(t.replace(" ", "_") for t in tokens if t.strip())


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
            blocks.append(self.word_vectorizer_.fit_transform([_token_string(d.tokens) for d in docs]))
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
            blocks.append(tfidf_rows(self.word_vectorizer_, [_token_string(d.tokens) for d in docs]))
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
