"""TF-IDF rows and linear scores as plain NumPy arrays: the arithmetic both prediction paths share.

Why apart from :mod:`pipeline.classify.tfidfrows`: the arrays exported with a model
(:mod:`pipeline.classify.frozen`) predict in processes that never import scikit-learn or SciPy, and they must
give the same numbers, bit for bit, as the scikit-learn estimators they came from (records are compared byte
for byte between runs). So the TF-IDF arithmetic lives here once, used by both; and :func:`linear_scores`
adds up each row's products in index order, as SciPy's CSR-times-dense product does (a pairwise or blocked sum
would differ in the last bit; a test compares it with SciPy).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np


class CsrArrays(NamedTuple):
    """A CSR matrix as its three arrays, column indices sorted within each row."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    n_columns: int

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1


def tfidf_arrays(
    docs: Sequence[str],
    analyze: Callable[[str], list[str]],
    vocabulary: dict[str, int],
    idf: np.ndarray,
    *,
    sublinear_tf: bool,
    dtype: np.dtype,
) -> CsrArrays:
    """What ``TfidfVectorizer.transform`` gives with ``norm="l2"`` and ``use_idf=True``, as float arrays of
    ``dtype`` (l2 norms summed in column order, as the vectorizer's own normalisation does)."""
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
    cols = np.asarray(indices, dtype=np.int32)
    pointers = np.asarray(indptr, dtype=np.int32)
    rows = np.repeat(np.arange(len(docs)), np.diff(pointers))
    order = np.lexsort((cols, rows))
    cols = cols[order]
    data = np.asarray(counts, dtype=dtype)[order]
    if sublinear_tf:
        np.log(data, data)
        data += 1.0
    data *= idf[cols]
    sq = np.zeros(len(docs), dtype=dtype)
    np.add.at(sq, rows, data * data)
    norms = np.sqrt(sq)
    norms[norms == 0.0] = 1.0
    data /= norms[rows]
    return CsrArrays(data, cols, pointers, len(vocabulary))


def hstack_rows(blocks: Sequence[CsrArrays]) -> CsrArrays:
    """Blocks side by side (columns of block ``k`` after those of blocks ``0..k-1``), like ``scipy.sparse.hstack``
    of CSR matrices: each row keeps its entries block after block."""
    if len(blocks) == 1:
        return blocks[0]
    n_rows = blocks[0].n_rows
    data: list[np.ndarray] = []
    indices: list[np.ndarray] = []
    offset = 0
    shifted = []
    for block in blocks:
        shifted.append(block.indices.astype(np.int64) + offset)
        offset += block.n_columns
    for row in range(n_rows):
        for block, cols in zip(blocks, shifted, strict=True):
            start, stop = block.indptr[row], block.indptr[row + 1]
            data.append(block.data[start:stop])
            indices.append(cols[start:stop])
    lengths = np.sum([np.diff(b.indptr) for b in blocks], axis=0)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    return CsrArrays(
        np.concatenate(data) if data else np.zeros(0, blocks[0].data.dtype),
        np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, np.int32),
        indptr,
        offset,
    )


def dense_rows(values: np.ndarray) -> CsrArrays:
    """A dense 2-d block as CSR arrays without its zeros (as ``scipy.sparse.csr_matrix(values)`` stores it)."""
    rows, cols = np.nonzero(values)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=values.shape[0]))]).astype(np.int32)
    return CsrArrays(values[rows, cols], cols.astype(np.int32), indptr, values.shape[1])


def linear_scores(matrix: CsrArrays, weights_t: np.ndarray) -> np.ndarray:
    """``matrix @ weights_t`` (``weights_t``: columns x scores), each row's products added in index order."""
    out = np.zeros((matrix.n_rows, weights_t.shape[1]), dtype=np.result_type(matrix.data, weights_t))
    for row in range(matrix.n_rows):
        start, stop = matrix.indptr[row], matrix.indptr[row + 1]
        if stop > start:
            products = matrix.data[start:stop, None] * weights_t[matrix.indices[start:stop]]
            out[row] = np.cumsum(products, axis=0)[-1]
    return out
