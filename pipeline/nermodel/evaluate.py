"""Strict span precision/recall/F1 per type (the numbers seqeval's CoNLL ``classification_report`` prints).

A predicted entity counts only when start, end and type all equal a gold entity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

Span = tuple[int, int, str]


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": n_gold}


def span_scores(gold: Iterable[Sequence[Span]], pred: Iterable[Sequence[Span]]) -> dict[str, Any]:
    """Micro scores over all types (``"micro"``) and one entry per type, from per-sentence span lists."""
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g), set(p)
        for s in gs:
            n_gold[s[2]] += 1
        for s in ps:
            n_pred[s[2]] += 1
        for s in gs & ps:
            tp[s[2]] += 1
    types = sorted(set(n_gold) | set(n_pred))
    out: dict[str, Any] = {"micro": prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))}
    out["per_type"] = {t: prf(tp[t], n_pred[t], n_gold[t]) for t in types}
    return out


def format_scores(scores: dict[str, Any]) -> str:
    lines = [f"{'type':<8}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}"]
    for name, s in [*scores["per_type"].items(), ("micro", scores["micro"])]:
        lines.append(
            f"{name:<8}{100 * s['precision']:8.2f}{100 * s['recall']:8.2f}{100 * s['f1']:8.2f}{s['support']:9d}"
        )
    return "\n".join(lines)
