"""NPMI topic coherence over a corpus's own document-level co-occurrences.

For two terms, NPMI = log(P(a,b) / (P(a)P(b))) / -log P(a,b), where P is the share of documents containing the
term(s): +1 when the terms always occur together, 0 when independent, -1 when they never co-occur. A topic's
coherence is the mean NPMI over pairs of its top terms (Bouma 2009; Lau et al. 2014 found it tracks human
judgements). Measured on the corpus the model was fitted on, it needs no reference corpus, which a user's own
collection of articles rarely has.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


def npmi_coherence(doc_term: sp.spmatrix, topics: Sequence[Sequence[int]], *, eps: float = 1e-12) -> np.ndarray:
    """Mean pairwise NPMI of each topic's term indices (columns of ``doc_term``); -1 for pairs never together."""
    binary = (sp.csc_matrix(doc_term) > 0).astype(np.float64)
    n_docs = binary.shape[0]
    scores = np.zeros(len(topics))
    for k, terms in enumerate(topics):
        idx = list(dict.fromkeys(int(t) for t in terms))
        if len(idx) < 2 or n_docs == 0:
            scores[k] = 0.0
            continue
        sub = binary[:, idx]
        joint = (sub.T @ sub).toarray() / n_docs
        marginal = np.diag(joint).copy()
        values = []
        for i in range(len(idx)):
            for j in range(i + 1, len(idx)):
                p_ij = joint[i, j]
                if p_ij <= 0:
                    values.append(-1.0)
                    continue
                if p_ij >= 1.0 - eps:  # both terms in every document: perfectly associated
                    values.append(1.0)
                    continue
                pmi = np.log(p_ij / (marginal[i] * marginal[j]))
                values.append(float(pmi / -np.log(p_ij)))
        scores[k] = float(np.mean(values))
    return scores
