"""How well the stance mention gate works: what it keeps of on-target posts, what it lets through of other news.

Why measured at training time and printed on the model card: the gate decides which articles the model sees
at all, so its two error rates matter as much as the model's F_avg. Both are measured honestly:

- **kept**: the share of on-target training posts whose target the gate finds, with terms learned on the other
  cross-validation folds (the model card's folds) and applied to the held-out fold. The coverage stored with
  the model is measured on the posts the terms were learned from and flatters the gate.
- **let through**: the share of unrelated news articles (THUCNews, GNews; :mod:`corpora.unrelated_news`) that
  contain a target's terms, per target and for any target, with the shipped terms.
- **F_avg named vs gated**: the cross-validated F_avg when every post names its target (the model's CV score)
  and when the gate decides (a post whose target it misses gets NONE): the price of not naming the target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.classify.mentions import cross_validated_mentions, keep_rates, let_through_rates
from pipeline.classify.stance import NONE_LABEL, f_avg

DIGITS = 4


def gate_scores(
    texts: Sequence[str],
    targets: Sequence[str],
    labels: Sequence[str],
    pred: Sequence[str],
    splits: Iterable[tuple[Sequence[int], Sequence[int]]],
    background: Iterable[str] = (),
) -> dict[str, Any]:
    """Cross-validated keep rates (per target and ``overall``) and F_avg named vs gated, from out-of-fold
    predictions ``pred`` made with the same ``splits``; ``texts`` are the normalized posts."""
    kept = cross_validated_mentions(texts, targets, splits, background)
    gated = np.where(np.asarray(kept), np.asarray(pred, dtype=object), NONE_LABEL)
    return {
        "kept": {t: round(v, DIGITS) for t, v in keep_rates(targets, kept).items()},
        "f_avg_named": round(f_avg(labels, pred), DIGITS),
        "f_avg_gated": round(f_avg(labels, gated), DIGITS),
    }


def news_let_through(news: Mapping[str, Sequence[str]], terms: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Per news set: its size and the let-through share per target and for ``any`` target."""
    return {
        name: {"n": len(texts), **{t: round(v, DIGITS) for t, v in let_through_rates(texts, terms).items()}}
        for name, texts in news.items()
    }


def load_news(folder: str | Path | None) -> dict[str, list[str]]:
    """The unrelated news sets found in ``folder`` (none: an empty mapping, and the card says so)."""
    if folder is None:
        return {}
    from corpora.unrelated_news import load_unrelated_news

    return load_unrelated_news(folder)
