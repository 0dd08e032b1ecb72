"""One name, one label, within a text: the char model's entities carried to the other places their name stands.

A sentence-level tagger decides each mention on its own window of up to 200 characters, so a name it tagged in
two sentences of an article can go untagged in a third, where the context is thinner (``邯钢`` alone as the
subject of a clause). News articles repeat their names, and a reader takes each repeat for the same entity:
the classic document-level consistency of NER (Krishnan & Manning 2006). The rule here is deliberately narrow,
as measured on the MSRA contiguous dev grouped 20 sentences to an article and on the modern-news dev
(``MODEL_CARD.md``): a surface (normalized text) is carried only if

- the model tagged it at least ``min_count`` times (once is too little evidence: 代表团, 酒家 became ORG);
- it is at least ``min_length`` characters (MSRA tags a country's one-character abbreviation inside words);
- one label has the majority of its mentions (ties are left alone);
- the new place starts and ends on jieba word edges (``中国`` inside the word ``中国人民银行`` stays untagged);
- and the new place overlaps no entity the model already found there.

Matching runs on the normalized text, so a traditional and a simplified spelling of a name are one surface.
The cost is a lookup per word, and one per name length that starts with the word's first character: linear in
the text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from pipeline.ner.features import SEG_CODES

Span = tuple[int, int, str]


def propagate_labels(
    norm: str,
    seg: np.ndarray,
    spans: Sequence[Span],
    *,
    min_count: int = 2,
    min_length: int = 2,
) -> list[Span]:
    """``spans`` (sorted, offsets into ``norm``) plus every other whole-word place of a name tagged ``min_count``
    times; ``seg`` is each character's word position (:data:`SEG_CODES`), as the model's features hold it."""
    labels = _name_labels(norm, spans, min_count, min_length)
    if not labels:
        return list(spans)
    n = len(norm)
    word_start = np.isin(seg, (SEG_CODES["B"], SEG_CODES["S"]))
    word_end = np.zeros(n + 1, dtype=bool)
    word_end[1:] = np.isin(seg, (SEG_CODES["E"], SEG_CODES["S"]))
    covered = bytearray(n)
    for start, end, _ in spans:
        covered[start:end] = b"\x01" * (end - start)
    # the lengths of the names that start with each character, longest first: most words start no name
    lengths: defaultdict[str, set[int]] = defaultdict(set)
    for name in labels:
        lengths[name[0]].add(len(name))
    by_first = {first: sorted(ls, reverse=True) for first, ls in lengths.items()}
    ends = word_end.tolist()
    added: list[Span] = []
    for i in np.flatnonzero(word_start).tolist():
        candidates = by_first.get(norm[i])
        if candidates is None or covered[i]:
            continue
        for length in candidates:
            j = i + length
            if j <= n and ends[j] and (label := labels.get(norm[i:j])) and covered.find(1, i, j) < 0:
                added.append((i, j, label))
                covered[i:j] = b"\x01" * length
                break
    return sorted([*spans, *added]) if added else list(spans)


def _name_labels(norm: str, spans: Sequence[Span], min_count: int, min_length: int) -> dict[str, str]:
    """Each surface tagged at least ``min_count`` times -> its majority label (ties: none)."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for start, end, label in spans:
        if end - start >= min_length:
            counts[norm[start:end]][label] += 1
    labels: dict[str, str] = {}
    for name, by_label in counts.items():
        if by_label.total() < min_count:
            continue
        ranked = by_label.most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            labels[name] = ranked[0][0]
    return labels
