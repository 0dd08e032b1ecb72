"""Naive-Bayes-flavoured linear headline models, members of the title stack: NB-SVM and complement NB scores.

NB-SVM (Wang & Manning 2012) is a linear SVM on binary n-gram features scaled by naive-Bayes log-count ratios.
Why: on headlines every n-gram is rare, and a plain SVM on TF-IDF weighs a feature seen twice in one class about
like one seen twice in two classes. Scaling each binary feature by how much likelier it is in class ``c`` than in
the rest (the NB log-count ratio ``r_c``) gives the SVM that prior; with ten classes there is one ratio vector and
one binary SVM per class (one-vs-rest). On THUCNews titles alone it scores like the TF-IDF SVM, but its mistakes
differ, so combining the models is what gains (see :mod:`pipeline.classify.title_stack`); complement naive
Bayes (Rennie et al. 2003), weaker alone, differs again and adds to the stack.

Both expose a linear form (``coef_``, ``intercept_``), which is all the stack keeps: scoring is one sparse product.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted


def binary_features(X: Any) -> sp.csr_matrix:
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
        X = binary_features(X)
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
        return np.asarray(binary_features(X) @ self.coef_.T, dtype=np.float64) + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


class ComplementNBScores(ComplementNB):
    """``ComplementNB`` whose ``decision_function`` is its joint log-likelihood ``X @ feature_log_prob_.T``.

    ``coef_`` / ``intercept_`` expose that linear form (what the title stack keeps).
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ComplementNBScores:
        super().fit(X, y, sample_weight=sample_weight)
        self.coef_ = np.asarray(self.feature_log_prob_, dtype=np.float32)
        self.intercept_ = np.zeros(len(self.classes_))
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(self._joint_log_likelihood(X), dtype=np.float64)
