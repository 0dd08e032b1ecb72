"""Compact persistence of fitted scikit-learn text vectorizers inside skops files.

skops writes a dict as one JSON node per entry, so a 50,000-term ``vocabulary_`` takes minutes to save and load
and bloats the file. Before saving, the vocabulary is swapped for one NumPy string array (term i at index i,
stored as a ``.npy`` member of the zip); after loading it is rebuilt. Estimators that hold vectorizers call these
from ``__getstate__`` / ``__setstate__``; nothing else about the vectorizer changes.
"""

from __future__ import annotations

import copy
from typing import Any, cast

import numpy as np

PACKED_ATTR = "vocabulary_terms_"


def pack_vectorizer(vectorizer: Any) -> Any:
    """A shallow copy of a fitted vectorizer with ``vocabulary_`` replaced by a string array (the original intact)."""
    if vectorizer is None or "vocabulary_" not in vars(vectorizer):
        return vectorizer
    packed = copy.copy(vectorizer)
    vars(packed)[PACKED_ATTR] = vocabulary_terms(vars(packed).pop("vocabulary_"))
    return packed


def vocabulary_terms(vocabulary: dict[str, int]) -> np.ndarray:
    """A vocabulary (term -> index) as a string array, term ``i`` at index ``i``."""
    terms = [""] * len(vocabulary)
    for term, index in vocabulary.items():
        terms[index] = term
    return np.asarray(terms, dtype=np.str_)


def term_index(terms: np.ndarray) -> dict[str, int]:
    """The vocabulary (term -> index) of a string array: :func:`vocabulary_terms` undone."""
    return dict(zip(terms.tolist(), range(len(terms)), strict=True))


def unpack_vectorizer(vectorizer: Any) -> Any:
    """Undo :func:`pack_vectorizer` in place (a vectorizer that was not packed is returned unchanged)."""
    if vectorizer is not None and PACKED_ATTR in vars(vectorizer):
        vectorizer.vocabulary_ = term_index(vars(vectorizer).pop(PACKED_ATTR))
    return vectorizer


def packed_state(state: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """``state`` (an estimator's ``__dict__`` copy) with the vectorizers under ``keys`` packed."""
    out = dict(state)
    for key in keys:
        if key in out:
            out[key] = pack_vectorizer(out[key])
    return out


def unpacked_state(state: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    for key in keys:
        if key in state:
            state[key] = unpack_vectorizer(state[key])
    return state


class PackedVectorizers:
    """Mixin for estimators that hold fitted vectorizers in the attributes named by ``_VECTORIZERS``: their
    vocabularies are saved packed (see :func:`pack_vectorizer`). Put it before ``BaseEstimator`` in the bases."""

    _VECTORIZERS: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        # super() is BaseEstimator at runtime, whose __getstate__ returns a dict; mypy sees object's
        return packed_state(cast("dict[str, Any]", super().__getstate__()), self._VECTORIZERS)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(unpacked_state(state, self._VECTORIZERS))  # type: ignore[misc]  # mixin: object has none
