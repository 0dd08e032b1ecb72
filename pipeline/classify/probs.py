"""Linear scores to class probabilities: NumPy only, shared by the scikit-learn estimators and the arrays
exported from them (:mod:`pipeline.classify.frozen`), so both give the same numbers."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T", bound=Hashable)

NONE_LABEL = "NONE"


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Class probabilities from SVM scores: a sigmoid for one score column (binary), else a softmax."""
    z = scores * temperature
    if z.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-z[:, 0]))
        return np.column_stack([1.0 - p, p])
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def as_2d(scores: np.ndarray) -> np.ndarray:
    """Scores as float64 rows x columns (a binary model's single column as one)."""
    scores = np.asarray(scores, dtype=np.float64)
    return scores.reshape(-1, 1) if scores.ndim == 1 else scores


def scale_none(probs: np.ndarray, classes: np.ndarray, none_scale: float) -> np.ndarray:
    """Probabilities with NONE's multiplied by ``none_scale`` and renormalised (see the stance classifier)."""
    if none_scale == 1.0 or NONE_LABEL not in set(classes):
        return probs
    probs = probs.copy()
    probs[:, int(np.flatnonzero(classes == NONE_LABEL)[0])] *= none_scale
    return probs / probs.sum(axis=1, keepdims=True)


def in_class_order(probs: np.ndarray, model_classes: np.ndarray, classes: np.ndarray, none_scale: float) -> np.ndarray:
    """One target model's probabilities in the columns of ``classes`` (a class it never saw gets 0), NONE scaled."""
    cols = [int(np.flatnonzero(classes == c)[0]) for c in model_classes]
    full = np.zeros((len(probs), len(classes)))
    full[:, cols] = probs
    return scale_none(full, classes, none_scale)


def distinct_rows(texts: Sequence[T]) -> tuple[list[T], np.ndarray]:
    """The distinct texts, in first-seen order, and the index among them of each text: one feature row per
    distinct text, since a run asks for every stance target of the same article."""
    distinct: dict[T, int] = {}
    row_of = [distinct.setdefault(text, len(distinct)) for text in texts]
    return list(distinct), np.asarray(row_of)


def by_target(
    targets: Sequence[str],
    classes: np.ndarray,
    none_scales: dict[str, float],
    probs_of: Callable[[str, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    """Probabilities of each row in ``classes`` order, one target model at a time: ``probs_of(target, rows)``
    gives that model's probabilities for those rows and the classes it knows; NONE is then scaled."""
    out = np.zeros((len(targets), len(classes)))
    target_arr = np.asarray(targets, dtype=object)
    for target in sorted(set(targets)):
        rows = np.flatnonzero(target_arr == target)
        probs, model_classes = probs_of(target, rows)
        out[rows] = in_class_order(probs, model_classes, classes, none_scales[target])
    return out
