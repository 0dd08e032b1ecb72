"""BIOES tag scheme over entity types, and conversions between tags and character spans.

BIOES rather than BIO: the CRF learns explicit entity ends, and the transition constraints make every decoded
sequence a valid set of spans, so decoding never has to repair ``I-`` tags.
"""

from __future__ import annotations

from collections.abc import Sequence


def bioes_tags(types: Sequence[str]) -> list[str]:
    """``["O", "B-LOC", "I-LOC", "E-LOC", "S-LOC", ...]`` in a fixed order."""
    return ["O"] + [f"{p}-{t}" for t in types for p in "BIES"]


def spans_to_tags(n: int, spans: Sequence[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * n
    for s, e, lab in spans:
        if e - s == 1:
            tags[s] = f"S-{lab}"
            continue
        tags[s] = f"B-{lab}"
        for i in range(s + 1, e - 1):
            tags[i] = f"I-{lab}"
        tags[e - 1] = f"E-{lab}"
    return tags


def tags_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Strict decoding: only B I* E and S sequences of one type make spans."""
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate(tags):
        p, _, t = tag.partition("-")
        if p == "S":
            spans.append((i, i + 1, t))
            start = None
        elif p == "B":
            start, label = i, t
        elif p == "I":
            if start is None or t != label:
                start = None
        elif p == "E":
            if start is not None and t == label:
                spans.append((start, i + 1, t))
            start = None
        else:
            start = None
    return spans


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
