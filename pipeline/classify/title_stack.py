"""``StackedTitleClassifier``: three linear headline models combined by a logistic regression on their scores.

The three members see every title differently:
- a linear SVM on TF-IDF :class:`TitleFeatures` seen in at least two titles;
- an NB-SVM and complement naive Bayes on a second ``TitleFeatures`` that keeps every feature (naive-Bayes
  models make use of the rare ones, where they only add noise to the SVM).

A headline is ~20 characters, every feature is rare, and the three weigh rare features differently, so they err
on different titles. How far to trust each differs by class (complement NB is good at one class, the SVM at
another): a multinomial logistic regression (the *stack*) learns that from the members' out-of-fold
log-probabilities, where the mean of their probabilities (the previous model) could not; in cross-validation it
beat the mean vote by about half a point (figures, and the choice of ``meta_C``, on the model card).

Fitting costs what the vote cost: each member is fitted once per inner fold (``cv``) for its out-of-fold scores,
which give both its temperature (scores -> probabilities) and the stack's training rows, then once on all rows.
Only each member's linear form is kept (float32 ``coef``, column-major so ``X @ coef.T`` copies nothing), so a
prediction is two feature transforms, three sparse products and a 30-feature logistic regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from pipeline.classify.linear import _fit_temperature
from pipeline.classify.nbsvm import ComplementNBScores, NBLinearSVC, binary_features
from pipeline.classify.probs import as_2d, softmax
from pipeline.classify.textfeatures import AnalyzedText, as_analyzed
from pipeline.classify.topic_features import TitleFeatures

MEMBERS: tuple[str, ...] = ("svm", "nbsvm", "cnb")


class StackedTitleClassifier(ClassifierMixin, BaseEstimator):
    """Headline topic classifier: SVM + NB-SVM + complement NB, stacked by a logistic regression (see module).

    ``char_ngram_range`` is both views' character n-gram range. Learned: ``classes_``, ``views_`` (the two
    fitted ``TitleFeatures``), ``members_`` (per member: view index, binarized input or not, ``coef``,
    ``intercept``), ``temperatures_``, ``meta_`` (the stack's ``LogisticRegression``).
    """

    def __init__(
        self,
        *,
        svm_C: float = 0.5,
        nbsvm_C: float = 0.05,
        nbsvm_alpha: float = 0.5,
        cnb_alpha: float = 0.1,
        meta_C: float = 0.01,
        char_ngram_range: tuple[int, int] = (1, 3),
        cv: int = 3,
        random_state: int = 0,
    ) -> None:
        self.svm_C = svm_C
        self.nbsvm_C = nbsvm_C
        self.nbsvm_alpha = nbsvm_alpha
        self.cnb_alpha = cnb_alpha
        self.meta_C = meta_C
        self.char_ngram_range = char_ngram_range
        self.cv = cv
        self.random_state = random_state

    def _members(self) -> list[tuple[int, Any]]:
        """(view index, unfitted scorer with ``decision_function``): view 0 keeps ``min_df=2``, view 1 every feature."""
        return [
            (0, LinearSVC(C=self.svm_C, random_state=self.random_state)),
            (1, NBLinearSVC(C=self.nbsvm_C, alpha=self.nbsvm_alpha, random_state=self.random_state)),
            (1, ComplementNBScores(alpha=self.cnb_alpha)),
        ]

    def fit(self, X: Sequence[str | AnalyzedText], y: Sequence[str]) -> StackedTitleClassifier:
        docs = [as_analyzed(x) for x in X]
        labels = np.asarray(y)
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two classes, got {list(self.classes_)}")
        ngrams = cast("tuple[int, int]", tuple(self.char_ngram_range))
        self.views_ = [
            TitleFeatures(min_df=2, max_features=200_000, char_ngram_range=ngrams),
            TitleFeatures(min_df=1, max_features=400_000, char_ngram_range=ngrams),
        ]
        matrices = [view.fit_transform(docs) for view in self.views_]
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.random_state)
        splits = list(folds.split(np.zeros(len(labels)), labels))
        y_index = np.searchsorted(self.classes_, labels)
        out_of_fold = [  # two classes: the SVM gives one score column, softmax then a sigmoid
            as_2d(cross_val_predict(member, matrices[view], labels, cv=splits, method="decision_function"))
            for view, member in self._members()
        ]
        self.temperatures_ = [_fit_temperature(scores, y_index) for scores in out_of_fold]
        self.meta_ = LogisticRegression(C=self.meta_C, max_iter=2000).fit(self._log_probs(out_of_fold), labels)
        self.members_ = []
        for view, member in self._members():
            member.fit(matrices[view], labels)
            coef = np.asfortranarray(np.asarray(member.coef_, dtype=np.float32))
            binary = isinstance(member, NBLinearSVC)  # NB-SVM scores feature presence, not TF-IDF values
            self.members_.append((view, binary, coef, np.asarray(member.intercept_, dtype=np.float64)))
        return self

    def _log_probs(self, scores: list[np.ndarray]) -> np.ndarray:
        """The stack's input: each member's temperature-calibrated log-probabilities, side by side."""
        return np.hstack(
            [np.log(np.clip(softmax(s, t), 1e-9, None)) for s, t in zip(scores, self.temperatures_, strict=True)]
        )

    def member_scores(self, X: Sequence[str | AnalyzedText]) -> list[np.ndarray]:
        """Each member's decision scores (one column per class; one column for the SVM with two classes), in
        :data:`MEMBERS` order."""
        check_is_fitted(self, "members_")
        docs = [as_analyzed(x) for x in X]
        matrices = [view.transform(docs) for view in self.views_]
        out: list[np.ndarray] = []
        for view, binary, coef, intercept in self.members_:
            features = binary_features(matrices[view]) if binary else matrices[view]
            out.append(np.asarray(features @ coef.T, dtype=np.float64) + intercept)
        return out

    def predict_proba(self, X: Sequence[str | AnalyzedText]) -> np.ndarray:
        return self.meta_.predict_proba(self._log_probs(self.member_scores(X)))

    def predict(self, X: Sequence[str | AnalyzedText]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
