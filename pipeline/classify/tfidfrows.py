"""TF-IDF rows for a few documents from a fitted ``TfidfVectorizer``, without scikit-learn's per-call overhead.

Why: inside a run the stance and topic stages transform one article at a time. ``TfidfVectorizer.transform``
then spends more time validating its input (parameter checks, dataframe detection, ``check_array``) and
counting n-grams one by one in Python than on the arithmetic; for a 500-character article that overhead was
about half of the stage's cost. This function computes the same matrix (same analyzer, vocabulary, sublinear
tf, idf and norm as the fitted vectorizer; tested against ``transform`` for equality) with one C-level
``Counter`` per document. Fitting still goes through scikit-learn; anything this function does not reproduce
exactly (a custom ``norm``, binary counts, no idf) is handed back to ``transform``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from pipeline.classify.ngrams import analyzer_settings
from pipeline.classify.tfidfarrays import tfidf_arrays

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer


def _supported(vectorizer: TfidfVectorizer) -> bool:
    return (
        vectorizer.norm == "l2"
        and not vectorizer.binary
        and vectorizer.use_idf
        and hasattr(vectorizer, "idf_")
        and vectorizer.input == "content"
    )


def tfidf_rows(vectorizer: TfidfVectorizer, docs: Sequence[str]) -> sp.csr_matrix:
    """``vectorizer.transform(docs)`` as a float32 CSR matrix, computed directly for the common settings."""
    if not _supported(vectorizer):
        return sp.csr_matrix(vectorizer.transform(docs), dtype=np.float32)
    # our analyzer where it is scikit-learn's (the exported models use the same); built per call: microseconds,
    # and a cached one would go stale after set_params + fit
    analyze = analyzer_settings(vectorizer) or vectorizer.build_analyzer()
    rows = tfidf_arrays(
        docs,
        analyze,
        vectorizer.vocabulary_,
        vectorizer.idf_,
        sublinear_tf=vectorizer.sublinear_tf,
        dtype=np.dtype(vectorizer.dtype),
    )
    matrix = sp.csr_matrix((rows.data, rows.indices, rows.indptr), shape=(len(docs), rows.n_columns))
    matrix.has_sorted_indices = True
    return matrix if matrix.dtype == np.float32 else matrix.astype(np.float32)
