"""Naive-Bayes-flavoured linear models for the headline topic vote: NB-SVM and a calibrated complement NB.

NB-SVM (Wang & Manning 2012) is a linear SVM on binary n-gram features scaled by naive-Bayes log-count ratios.
Why: on headlines every n-gram is rare, and a plain SVM on TF-IDF weighs a feature seen twice in one class about
like one seen twice in two classes. Scaling each binary feature by how much likelier it is in class ``c`` than in
the rest (the NB log-count ratio ``r_c``) gives the SVM that prior; with ten classes there is one ratio vector and
one binary SVM per class (one-vs-rest). On THUCNews titles alone it scores like the TF-IDF SVM, but its mistakes
differ, so averaging the models' probabilities is what gains (see ``pipeline/classifiers/topic.py``); complement
naive Bayes (Rennie et al. 2003), weaker alone, differs again and adds to the vote.

Both keep only a linear form (``coef_``, ``intercept_``), so scoring is one sparse product, and get probabilities
from :class:`~pipeline.classifiers.linear.CalibratedLinearSVC`'s out-of-fold temperature, which they subclass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from pipeline.classifiers.linear import CalibratedLinearSVC


def _binary(X: Any) -> sp.csr_matrix:
    """Presence (1.0) of every stored non-zero feature: NB ratios are defined on counts of documents."""
    X = sp.csr_matrix(X, dtype=np.float32, copy=True)
    X.data[:] = 1.0
    return X


class NBLinearSVC(ClassifierMixin, BaseEstimator):
    """Uncalibrated one-vs-rest NB-SVM: ``decision_function`` gives one score column per class.

    ``alpha`` smooths the per-class feature counts of the log-count ratio; ``C`` is each binary SVM's
    regularisation (small, because the scaled features are large). Learned: ``classes_``, ``coef_`` (float32,
    ratios times SVM weights), ``intercept_``.
    """

    def __init__(self, C: float = 0.05, *, alpha: float = 0.5, random_state: int = 0) -> None:
        self.C = C
        self.alpha = alpha
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> NBLinearSVC:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two classes, got {list(self.classes_)}")
        X = _binary(X)
        coefs: list[np.ndarray] = []
        intercepts: list[float] = []
        for label in self.classes_:
            inside = y == label
            p = self.alpha + np.asarray(X[inside].sum(axis=0)).ravel()
            q = self.alpha + np.asarray(X[~inside].sum(axis=0)).ravel()
            ratio = np.log(p / p.sum()) - np.log(q / q.sum())
            svm = LinearSVC(C=self.C, random_state=self.random_state).fit(X @ sp.diags(ratio), inside)
            coefs.append(ratio * svm.coef_.ravel())
            intercepts.append(float(svm.intercept_[0]))
        self.coef_ = np.vstack(coefs).astype(np.float32)
        self.intercept_ = np.asarray(intercepts)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.asarray(_binary(X) @ self.coef_.T, dtype=np.float64) + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


class _WideCalibrated(CalibratedLinearSVC):
    """:class:`CalibratedLinearSVC` whose ``coef_`` is stored column-major, for models with 100,000s of features.

    Scoring is ``X @ coef_.T``; SciPy copies a dense right operand that is not C-contiguous, which for a
    10 x 330,000 ``coef_`` cost more than the rest of a headline's prediction. With ``coef_`` in Fortran order its
    transpose is C-contiguous (and ``.npy`` in the skops file keeps the order).
    """

    def fit(self, X: Any, y: Any) -> _WideCalibrated:
        super().fit(X, y)
        self.coef_ = np.asfortranarray(self.coef_)
        return self


class CalibratedNBSVM(_WideCalibrated):
    """:class:`NBLinearSVC` with probabilities ``softmax(T * scores)``, ``T`` fitted on out-of-fold scores.

    The calibration and the kept ``coef_`` / ``intercept_`` are :class:`CalibratedLinearSVC`'s (same folds, same
    temperature fit); only the fitted scorer (:class:`NBLinearSVC`) and the binarized input differ.
    """

    def __init__(self, C: float = 0.05, *, alpha: float = 0.5, cv: int = 3, random_state: int = 0) -> None:
        super().__init__(C=C, cv=cv, random_state=random_state)
        self.alpha = alpha

    def _svm(self) -> NBLinearSVC:  # type: ignore[override]
        return NBLinearSVC(C=self.C, alpha=self.alpha, random_state=self.random_state)

    def decision_function(self, X: Any) -> np.ndarray:
        return super().decision_function(_binary(X))


class ComplementNBScores(ComplementNB):
    """``ComplementNB`` whose ``decision_function`` is its joint log-likelihood ``X @ feature_log_prob_.T``.

    ``coef_`` / ``intercept_`` expose that linear form, which is what :class:`CalibratedLinearSVC` keeps.
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ComplementNBScores:
        super().fit(X, y, sample_weight=sample_weight)
        self.coef_ = np.asarray(self.feature_log_prob_, dtype=np.float32)
        self.intercept_ = np.zeros(len(self.classes_))
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(self._joint_log_likelihood(X), dtype=np.float64)


class CalibratedComplementNB(_WideCalibrated):
    """Complement naive Bayes (Rennie et al. 2003) with probabilities ``softmax(T * log-likelihoods)``.

    Why: naive Bayes log-likelihoods of a 20-character title are far too confident or too flat depending on its
    length; one temperature fitted on out-of-fold scores (as for the SVMs) makes its probabilities average
    sensibly with theirs. ``C`` is unused (kept so the calibration code is shared); ``alpha`` is the smoothing.
    """

    def __init__(self, alpha: float = 0.1, *, cv: int = 3, random_state: int = 0) -> None:
        super().__init__(C=1.0, cv=cv, random_state=random_state)
        self.alpha = alpha

    def _svm(self) -> ComplementNBScores:  # type: ignore[override]
        return ComplementNBScores(alpha=self.alpha)
