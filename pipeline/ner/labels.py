"""The BIOES tag set the CRF predicts over, and its allowed transitions (conversions: :mod:`pipeline.eval.spans`).

BIOES rather than BIO: the CRF learns explicit entity ends, and the transition constraints make every decoded
sequence a valid set of spans, so decoding never has to repair ``I-`` tags.
"""

from __future__ import annotations

from collections.abc import Sequence


def bioes_tags(types: Sequence[str]) -> list[str]:
    """``["O", "B-LOC", "I-LOC", "E-LOC", "S-LOC", ...]`` in a fixed order."""
    return ["O"] + [f"{p}-{t}" for t in types for p in "BIES"]


def allowed_transitions(tags: Sequence[str]) -> tuple[list[bool], list[list[bool]], list[bool]]:
    """(may start, may follow[prev][next], may end) under BIOES."""

    def split(tag: str) -> tuple[str, str]:
        p, _, t = tag.partition("-")
        return p, t

    start = [split(t)[0] in ("O", "B", "S") for t in tags]
    end = [split(t)[0] in ("O", "E", "S") for t in tags]
    follow: list[list[bool]] = []
    for a in tags:
        pa, ta = split(a)
        row = []
        for b in tags:
            pb, tb = split(b)
            if pa in ("B", "I"):
                ok = pb in ("I", "E") and ta == tb
            else:
                ok = pb in ("O", "B", "S")
            row.append(ok)
        follow.append(row)
    return start, follow, end
