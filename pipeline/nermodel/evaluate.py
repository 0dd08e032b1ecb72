"""Strict span precision/recall/F1 per type (the numbers seqeval's CoNLL ``classification_report`` prints).

A predicted entity counts only when start, end and type all equal a gold entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.metrics import PRF, corpus_span_scores

Span = tuple[int, int, str]


def prf(scores: PRF) -> dict[str, float]:
    return {"precision": scores.precision, "recall": scores.recall, "f1": scores.f1, "support": scores.n_gold}


def span_scores(gold: Iterable[Sequence[Span]], pred: Iterable[Sequence[Span]]) -> dict[str, Any]:
    """Micro scores over all types (``"micro"``) and one entry per type, from per-sentence span lists.

    The counting is :func:`pipeline.metrics.corpus_span_scores` (seqeval's rules); this only keeps the flat
    ``precision/recall/f1/support`` form that training logs and the model card report.
    """
    scores = corpus_span_scores(zip(gold, pred, strict=True))
    return {"micro": prf(scores.micro), "per_type": {t: prf(scores.per_type[t]) for t in sorted(scores.per_type)}}


def format_scores(scores: dict[str, Any]) -> str:
    lines = [f"{'type':<8}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}"]
    for name, s in [*scores["per_type"].items(), ("micro", scores["micro"])]:
        lines.append(
            f"{name:<8}{100 * s['precision']:8.2f}{100 * s['recall']:8.2f}{100 * s['f1']:8.2f}{s['support']:9d}"
        )
    return "\n".join(lines)
