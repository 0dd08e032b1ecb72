"""Scoring with the stance sentiment features' learned arrays: NumPy and the standard library only.

Apart from :mod:`pipeline.classify.stance_sentiment` (which fits the sentence model with scikit-learn) so that
a model exported as arrays (:mod:`pipeline.classify.frozen`) computes the same features, with the same code, in
a process that never imports scikit-learn.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np

from pipeline.classify.cues import NEGATIONS

SENTENCE_FEATURES: tuple[str, ...] = ("p_text", "p_clause_max", "p_clause_min", "p_clause_mean", "p_clause_last")
LEXICON_FEATURES: tuple[str, ...] = ("lex_pos", "lex_neg", "lex_n_pos", "lex_n_neg", "lex_max", "lex_min", "lex_sum")

# Clause boundaries: Chinese and ASCII sentence and clause punctuation, ellipses and line breaks.
_CLAUSE_SPLIT = re.compile(r"[。！？!?；;，,\n…]+")
NEGATION_WINDOW = 3

NGRAMS = (1, 3)


def _clause_probabilities(
    parts: list[str], index: dict[str, int], idf: np.ndarray, coef: np.ndarray, bias: float
) -> tuple[float, np.ndarray]:
    """P(positive) of the whole text and of each clause under the sentence model (TF-IDF as scikit-learn's).

    N-grams are looked up once, per clause; the whole text's counts are their sum (n-grams across a punctuation
    mark are left out, which the sentence model never weighs much anyway). All clauses are scored with a few
    NumPy calls, so a 500-character article costs about a millisecond.
    """
    grams: list[str] = []
    lengths: list[int] = []
    for part in parts:
        before = len(grams)
        for n in range(NGRAMS[0], NGRAMS[1] + 1):
            grams.extend([part[i : i + n] for i in range(len(part) - n + 1)])
        lengths.append(len(grams) - before)
    found = np.fromiter(map(index.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
    known = found >= 0
    no_terms = 1.0 / (1.0 + np.exp(-bias))
    if not known.any():
        return no_terms, np.full(len(parts), no_terms)
    cols = found[known]
    rows = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)[known]

    def scores(keys: np.ndarray, groups: int, group_of: Any) -> np.ndarray:
        unique, counts = np.unique(keys, return_counts=True)
        term = unique % len(idf)
        weight = (1.0 + np.log(counts)) * idf[term]
        owner = group_of(unique)
        dot = np.bincount(owner, weight * coef[term], minlength=groups)
        norm = np.sqrt(np.bincount(owner, weight * weight, minlength=groups))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.where(norm > 0, dot / norm, 0.0) + bias
        return 1.0 / (1.0 + np.exp(-z))

    per_clause = scores(rows * len(idf) + cols, len(parts), lambda u: u // len(idf))
    whole = float(scores(cols, 1, lambda u: np.zeros(len(u), dtype=np.int64))[0])
    return whole, per_clause


def clauses(text: str) -> list[str]:
    """The text's clauses of two or more characters (the whole text when it has none)."""
    parts = [c for c in _CLAUSE_SPLIT.split(text) if len(c) >= 2]
    return parts or [text]


def lexicon_scores(tokens: Sequence[str], lexicon: dict[str, float]) -> np.ndarray:
    """:data:`LEXICON_FEATURES` of one token sequence, log-scaled so a long post does not dominate."""
    pos = neg = 0.0
    n_pos = n_neg = 0
    high = low = 0.0
    last_negation = -(NEGATION_WINDOW + 1)
    for i, token in enumerate(tokens):
        if token in NEGATIONS:
            last_negation = i
            continue
        score = lexicon.get(token)
        if score is None or score == 0.0:
            continue
        if i - last_negation <= NEGATION_WINDOW:
            score = -score
        if score > 0:
            pos, n_pos, high = pos + score, n_pos + 1, max(high, score)
        else:
            neg, n_neg, low = neg - score, n_neg + 1, min(low, score)
    values = np.array([pos, neg, n_pos, n_neg, high, -low, pos - neg])
    return np.sign(values) * np.log1p(np.abs(values))


def sentiment_row(
    norm_text: str,
    tokens: Sequence[str],
    tables: tuple[dict[str, int], dict[str, float]],
    arrays: tuple[np.ndarray, np.ndarray, float],
    weight: float,
    lexicon_weight: float,
) -> np.ndarray:
    """One text's sentiment features (float64, :data:`SENTENCE_FEATURES` then, with a lexicon weight,
    :data:`LEXICON_FEATURES`), scaled by the block weights. ``tables``: the sentence model's term index and
    the lexicon; ``arrays``: its ``idf``, ``coef`` and ``intercept``."""
    index, lexicon = tables
    idf, coef, intercept = arrays
    whole, per_clause = _clause_probabilities(clauses(norm_text.lower()), index, idf, coef, intercept)
    sentence = np.array([whole, per_clause.max(), per_clause.min(), per_clause.mean(), per_clause[-1]])
    if not lexicon_weight:
        return sentence * weight
    return np.concatenate([sentence * weight, lexicon_scores(tokens, lexicon) * lexicon_weight])


def sentiment_width(lexicon_weight: float) -> int:
    return len(SENTENCE_FEATURES) + (len(LEXICON_FEATURES) if lexicon_weight else 0)
