"""``CalibratedLinearSVC``: a linear SVM whose scores become probabilities through one fitted temperature.

Why not ``CalibratedClassifierCV``: it keeps one sigmoid per class (and, by default, one SVM per fold) and asks
each of them to validate its input, so predicting one article costs dozens of scikit-learn calls; inside a run that
overhead, not the arithmetic, dominated (about 0.25 s per article for five stance targets). Here one SVM is fitted
on all data, and probabilities are ``softmax(T * scores)`` (a sigmoid for two classes) with the temperature ``T``
fitted to the log-loss of out-of-fold scores. A temperature cannot reorder classes, so predictions are exactly
the SVM's: a per-class calibration model (tried first) moved decisions and cost 0.9 points of stance F_avg in CV.
Prediction is one sparse product and a softmax.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from pipeline.classify.probs import as_2d, softmax


class CalibratedLinearSVC(ClassifierMixin, BaseEstimator):
    """Linear SVM (``C``) with probabilities from a logistic model fitted on ``cv``-fold out-of-fold scores.

    Learned: ``classes_``, ``temperature_``, and ``coef_`` / ``intercept_`` of the LinearSVC fitted on all rows
    (kept without the LinearSVC itself: scoring is one sparse product).
    """

    def __init__(self, C: float = 0.5, *, cv: int = 3, random_state: int = 0) -> None:
        self.C = C
        self.cv = cv
        self.random_state = random_state

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, random_state=self.random_state)

    def fit(self, X: Any, y: Any) -> CalibratedLinearSVC:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two classes, got {list(self.classes_)}")
        svm = self._svm().fit(X, y)
        # float32 halves the saved model and its load time; scores move by ~1e-7, far below any decision margin
        self.coef_ = np.asarray(svm.coef_, dtype=np.float32)
        self.intercept_ = np.asarray(svm.intercept_, dtype=np.float32)
        smallest = int(np.min(np.unique(y, return_counts=True)[1]))
        n_splits = min(self.cv, smallest)
        if n_splits >= 2:
            folds = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
            scores = cross_val_predict(self._svm(), X, y, cv=folds, method="decision_function")
        else:  # too few rows of some class for out-of-fold scores: calibrate on in-sample scores
            scores = svm.decision_function(X)
        self.temperature_ = _fit_temperature(as_2d(scores), np.searchsorted(self.classes_, y))
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "coef_")
        scores = X @ self.coef_.T if sp.issparse(X) else np.asarray(X) @ self.coef_.T
        scores = np.asarray(scores) + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict_proba(self, X: Any) -> np.ndarray:
        return self.proba_from_scores(self.decision_function(X))

    def proba_from_scores(self, scores: np.ndarray) -> np.ndarray:
        """Probabilities from decision scores (one column for two classes): lets a caller that scores many
        models in one product, like the stance classifier, calibrate each model's share."""
        check_is_fitted(self, "temperature_")
        return softmax(as_2d(scores), self.temperature_)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """The temperature minimising the mean log-loss of ``scores`` for true class indices ``y_index``."""

    def loss(log_t: float) -> float:
        probs = softmax(scores, float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(probs[np.arange(len(y_index)), y_index], 1e-12, None))))

    result = minimize_scalar(loss, bounds=(-5.0, 3.0), method="bounded", options={"xatol": 1e-4})
    return float(np.exp(result.x))
