"""Split a text at every boundary of possibly overlapping spans, so no span is lost when they are drawn.

Entities and hand links overlap and even cross (a link on 日本 inside an entity 日本自卫队, a link that cuts a
name in two), so they cannot be nested HTML elements. Instead the text is cut at every start and end, and each
piece carries the indices of all spans covering it; the renderer gives a piece the classes of those spans.
Offsets are code-point offsets into the text, end exclusive, as in the records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Piece:
    """``text[start:end]``, covered by the spans whose indices are in ``covers`` (ascending)."""

    start: int
    end: int
    covers: tuple[int, ...]


def clip_span(start: int, end: int, length: int) -> tuple[int, int] | None:
    """The span clipped to ``[0, length]``, or None when nothing of it is left (empty or outside the text)."""
    s, e = max(0, start), min(length, end)
    return (s, e) if s < e else None


def split_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[Piece]:
    """Pieces tiling ``text`` (none empty), cut exactly at the spans' boundaries that fall inside the text.

    A span is clipped to the text; one with nothing left covers no piece. Pieces no span covers have empty
    ``covers`` (plain text).
    """
    length = len(text)
    clipped = [clip_span(s, e, length) for s, e in spans]
    cuts = {0, length}
    for span in clipped:
        if span is not None:
            cuts.update(span)
    bounds = sorted(cuts)
    # sweep: which spans are open at each boundary (starts and ends indexed by position)
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, span in enumerate(clipped):
        if span is not None:
            starts.setdefault(span[0], []).append(i)
            ends.setdefault(span[1], []).append(i)
    open_spans: set[int] = set()
    pieces: list[Piece] = []
    for a, b in pairwise(bounds):
        open_spans.difference_update(ends.get(a, ()))
        open_spans.update(starts.get(a, ()))
        pieces.append(Piece(a, b, tuple(sorted(open_spans))))
    return pieces
