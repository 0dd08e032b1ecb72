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

from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
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
    analyze = vectorizer.build_analyzer()  # microseconds; cached ones would go stale after set_params + fit
    vocabulary = vectorizer.vocabulary_
    indices: list[int] = []
    counts: list[int] = []
    indptr = [0]
    for doc in docs:
        for feature, count in Counter(analyze(doc)).items():
            column = vocabulary.get(feature)
            if column is not None:
                indices.append(column)
                counts.append(count)
        indptr.append(len(indices))
    dtype = np.dtype(vectorizer.dtype)
    matrix = sp.csr_matrix(
        (np.asarray(counts, dtype=dtype), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int32)),
        shape=(len(docs), len(vocabulary)),
    )
    matrix.sort_indices()
    data = matrix.data
    if vectorizer.sublinear_tf:
        np.log(data, data)
        data += 1.0
    data *= vectorizer.idf_[matrix.indices]
    sq = np.zeros(len(docs), dtype=dtype)
    rows = np.repeat(np.arange(len(docs)), np.diff(matrix.indptr))
    np.add.at(sq, rows, data * data)
    norms = np.sqrt(sq)
    norms[norms == 0.0] = 1.0
    data /= norms[rows]
    return matrix if matrix.dtype == np.float32 else matrix.astype(np.float32)
