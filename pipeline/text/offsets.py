"""Offset maps between a derived string and the string it came from.

Every stage that rewrites text (markup stripping, clean-up, OpenCC) builds one of these while it writes, so
later offsets can always be carried back to the article's original text instead of drifting.

A map is a sequence of contiguous pieces that tile both strings in order. A piece is either *equal* (same
length on both sides, mapped char by char; the characters themselves may differ, as in 發 → 发) or a
*replacement* (any lengths, mapped only as a whole, so a span never splits a conversion such as 内存 → 記憶體
in two). Deletions (source text that produced nothing) and insertions (derived text from nothing) are
replacements with one empty side.

Two directions, deliberately asymmetric:

* :meth:`OffsetMap.to_source` is *exact*: the source span is precisely the text that produced the derived span.
  Source text deleted at the span's edges produced none of it and is left out; deletions inside are kept so
  the result stays one contiguous span.
* :meth:`OffsetMap.to_derived` is *generous*: text inserted at the edges of the span's image is included, so
  that ``to_derived(*to_source(a, b))`` always contains ``(a, b)``, and mapping forward through two maps in
  turn agrees with mapping through their composition.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


class Piece(NamedTuple):
    """One aligned block: ``src[src_start:src_end]`` became ``dst[dst_start:dst_end]``.

    ``replacement`` marks a block mapped only as a whole even when both sides have the same length
    (鼠标 → 滑鼠 is not 鼠→滑 plus 标→鼠). A named tuple, not a frozen dataclass: ingest and normalize make
    one per run of kept or rewritten text, tens of thousands per megabyte, and a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``.
    """

    src_start: int
    src_end: int
    dst_start: int
    dst_end: int
    replacement: bool = False

    @property
    def equal(self) -> bool:
        return not self.replacement and self.src_end - self.src_start == self.dst_end - self.dst_start


@dataclass(frozen=True)
class _Side:
    """The pieces as seen from one side: starts/ends on that side and the other, plus the non-empty ones."""

    f0: tuple[int, ...]
    f1: tuple[int, ...]
    t0: tuple[int, ...]
    t1: tuple[int, ...]
    nonempty: tuple[int, ...]  # indices of pieces with a non-empty "from" side
    nonempty_f0: tuple[int, ...]


def _side(pieces: tuple[Piece, ...], from_dst: bool) -> _Side:
    if not pieces:
        return _Side((), (), (), (), (), ())
    src_start, src_end, dst_start, dst_end, _ = zip(*pieces, strict=True)  # the columns, transposed in C
    f0, f1, t0, t1 = (dst_start, dst_end, src_start, src_end) if from_dst else (src_start, src_end, dst_start, dst_end)
    nonempty = tuple(i for i, (a, b) in enumerate(zip(f0, f1, strict=True)) if b > a)
    return _Side(f0, f1, t0, t1, nonempty, tuple(f0[i] for i in nonempty))


@dataclass(frozen=True)
class OffsetMap:
    """Maps spans of a derived string (``dst``) to spans of its source (``src``) and back."""

    pieces: tuple[Piece, ...]
    source_length: int
    derived_length: int
    _from_dst: _Side = field(init=False, repr=False, compare=False)
    _from_src: _Side = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        src = dst = 0
        for p in self.pieces:
            if p.src_start != src or p.dst_start != dst or p.src_end < p.src_start or p.dst_end < p.dst_start:
                raise ValueError(f"offset map pieces do not tile both strings at {p}")
            src, dst = p.src_end, p.dst_end
        if (src, dst) != (self.source_length, self.derived_length):
            raise ValueError(f"pieces cover ({src}, {dst}), lengths are ({self.source_length}, {self.derived_length})")
        object.__setattr__(self, "_from_dst", _side(self.pieces, True))
        object.__setattr__(self, "_from_src", _side(self.pieces, False))

    def __reduce__(self) -> tuple[type[OffsetMap], tuple[tuple[Piece, ...], int, int]]:
        # the lookup tables are derived data: pickle only the pieces (maps travel between worker processes)
        return (OffsetMap, (self.pieces, self.source_length, self.derived_length))

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        pieces = (Piece(0, length, 0, length),) if length else ()
        return cls(pieces, length, length)

    @property
    def is_identity(self) -> bool:
        """True when every offset maps to itself (the characters may still differ, as after t2s)."""
        return self.source_length == self.derived_length and all(p.equal for p in self.pieces)

    # -- public mapping --------------------------------------------------------------------------------------
    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """The source span that produced derived ``[start, end)``; spans touching a replacement grow to all of it."""
        if not 0 <= start <= end <= self.derived_length:
            raise ValueError(f"span ({start}, {end}) outside derived text of length {self.derived_length}")
        return self._map(self._from_dst, start, end, generous=False)

    def spans_to_source(self, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """``[to_source(s, e) for s, e in spans]`` for spans sorted by start, in one walk over the pieces.

        A span inside one unchanged piece is shifted by that piece's offset; only spans touching a replacement
        or a piece edge go through :meth:`to_source`. Segmentation maps every token of a traditional article
        this way, where a search per token was a quarter of the segment stage.
        """
        side = self._from_dst
        f1, t0, f0 = side.f1, side.t0, side.f0
        pieces = self.pieces
        n = len(pieces)
        out: list[tuple[int, int]] = []
        k = 0
        for start, end in spans:
            while k < n and f1[k] <= start:
                k += 1
            if start < end and k < n and end <= f1[k] and f0[k] <= start and pieces[k].equal:
                shift = t0[k] - f0[k]
                out.append((start + shift, end + shift))
            else:
                out.append(self.to_source(start, end))
        return out

    def to_derived(self, start: int, end: int) -> tuple[int, int]:
        """The derived span produced from source ``[start, end)``, with text inserted at its edges."""
        if not 0 <= start <= end <= self.source_length:
            raise ValueError(f"span ({start}, {end}) outside source text of length {self.source_length}")
        return self._map(self._from_src, start, end, generous=True)

    # -- mapping internals -----------------------------------------------------------------------------------
    def _map(self, s: _Side, start: int, end: int, *, generous: bool) -> tuple[int, int]:
        if not self.pieces:
            return 0, 0
        if start == end:
            return self._map_point(s, start, generous=generous)
        i = self._containing(s, start)
        if self.pieces[i].equal:
            lo = s.t0[i] + start - s.f0[i]
        else:
            lo = s.t0[i]
        if generous and lo == s.t0[i]:  # the image starts where piece i's does: take insertions before it
            lo = self._grow_left(s, i, lo)
        j = self._containing(s, end - 1)
        if self.pieces[j].equal:
            hi = s.t0[j] + end - s.f0[j]
        else:
            hi = s.t1[j]
        if generous and hi == s.t1[j]:
            hi = self._grow_right(s, j, hi)
        return lo, hi

    @staticmethod
    def _grow_left(s: _Side, i: int, lo: int) -> int:
        """Extend an image starting at piece ``i`` over the pieces just before it that are empty on our side."""
        while i > 0 and s.f0[i - 1] == s.f1[i - 1]:
            i -= 1
            lo = s.t0[i]
        return lo

    @staticmethod
    def _grow_right(s: _Side, j: int, hi: int) -> int:
        while j + 1 < len(s.f0) and s.f0[j + 1] == s.f1[j + 1]:
            j += 1
            hi = s.t1[j]
        return hi

    def _map_point(self, s: _Side, pos: int, *, generous: bool) -> tuple[int, int]:
        """An empty span: a point, the pieces inserted at it (generous), or the replacement it falls inside."""
        before = self._containing(s, pos - 1) if pos > 0 else -1  # piece holding the char left of pos
        after = self._containing(s, pos) if pos < s.f1[-1] else len(self.pieces)  # piece holding the char at pos
        if before == after:  # strictly inside one piece
            if self.pieces[before].equal:
                point = s.t0[before] + pos - s.f0[before]
                return point, point
            lo, hi = s.t0[before], s.t1[before]
            return (self._grow_left(s, before, lo), self._grow_right(s, before, hi)) if generous else (lo, hi)
        point = s.t1[before] if before >= 0 else 0
        if generous and after - before > 1:
            # pieces strictly between are empty on our side: everything inserted at pos
            return s.t0[before + 1], s.t1[after - 1]
        return point, point

    @staticmethod
    def _containing(s: _Side, pos: int) -> int:
        """Index of the piece whose non-empty side holds character ``pos``."""
        k = bisect_right(s.nonempty_f0, pos) - 1
        return s.nonempty[k]

    # -- composition -----------------------------------------------------------------------------------------
    def then(self, outer: OffsetMap) -> OffsetMap:
        """Compose: ``self`` maps B→A and ``outer`` maps C→B; the result maps C→A.

        Exact (the same spans as mapping twice) except where a replacement of one map partially overlaps a
        replacement of the other in B, or where text one map deletes sits at the very offset where the other
        inserts: no tiling can express those, so the two are fused into one replacement covering both, which
        never loses text (the result contains what mapping twice gives).
        """
        if outer.source_length != self.derived_length:
            raise ValueError(
                f"cannot compose: outer map reads {outer.source_length} chars, inner map writes {self.derived_length}"
            )
        inner_pieces, outer_pieces = self.pieces, outer.pieces
        builder = OffsetMapBuilder()
        i = o = 0  # next inner / outer piece
        pos = 0  # current position in B
        a = c = 0  # positions in A and C already emitted
        n_inner, n_outer = len(inner_pieces), len(outer_pieces)
        while i < n_inner or o < n_outer:
            # pieces empty on the B side (A text deleted, C text inserted at offset ``pos`` of B) pass straight
            # through; deleted and inserted text at the same offset become one replacement of the one by the other
            new_a, new_c = a, c
            while i < n_inner and inner_pieces[i].dst_start == inner_pieces[i].dst_end:
                new_a = inner_pieces[i].src_end
                i += 1
            while o < n_outer and outer_pieces[o].src_start == outer_pieces[o].src_end:
                new_c = outer_pieces[o].dst_end
                o += 1
            if (new_a, new_c) != (a, c):
                builder.add(new_a - a, new_c - c, equal=False)
                a, c = new_a, new_c
                continue
            p, q = inner_pieces[i], outer_pieces[o]
            if p.equal and q.equal:
                stop = min(p.dst_end, q.src_end)
                new_a = p.src_start + stop - p.dst_start
                new_c = q.dst_start + stop - q.src_start
                builder.add(new_a - a, new_c - c, equal=True)
                a, c, pos = new_a, new_c, stop
                i += p.dst_end == stop
                o += q.src_end == stop
                continue
            # a replacement on either side: grow a region of B until no replacement crosses its end
            stop = max(p.dst_end if not p.equal else pos, q.src_end if not q.equal else pos)
            while True:
                while i < n_inner and inner_pieces[i].dst_end <= stop and inner_pieces[i].dst_start < stop:
                    i += 1
                while o < n_outer and outer_pieces[o].src_end <= stop and outer_pieces[o].src_start < stop:
                    o += 1
                grown = stop
                if i < n_inner and inner_pieces[i].dst_start < stop and not inner_pieces[i].equal:
                    grown = max(grown, inner_pieces[i].dst_end)
                if o < n_outer and outer_pieces[o].src_start < stop and not outer_pieces[o].equal:
                    grown = max(grown, outer_pieces[o].src_end)
                if grown == stop:
                    break
                stop = grown
            # an equal piece may still straddle ``stop``: its part before ``stop`` joins the region
            new_a = self._b_to_a_end(stop, i)
            new_c = self._b_to_c_end(outer, stop, o)
            builder.add(new_a - a, new_c - c, equal=False)
            a, c, pos = new_a, new_c, stop
        return builder.build_map(self.source_length)

    def _b_to_a_end(self, stop: int, i: int) -> int:
        """A position of B offset ``stop`` given the first inner piece not wholly before it."""
        if i < len(self.pieces) and self.pieces[i].dst_start < stop:
            p = self.pieces[i]
            return p.src_start + stop - p.dst_start  # an equal piece straddling stop
        return self.pieces[i - 1].src_end if i > 0 else 0

    @staticmethod
    def _b_to_c_end(outer: OffsetMap, stop: int, o: int) -> int:
        if o < len(outer.pieces) and outer.pieces[o].src_start < stop:
            q = outer.pieces[o]
            return q.dst_start + stop - q.src_start
        return outer.pieces[o - 1].dst_end if o > 0 else 0


class OffsetMapBuilder:
    """Records how a derived string is written from its source, piece by piece, left to right."""

    def __init__(self) -> None:
        self._pieces: list[Piece] = []
        self._src = 0
        self._dst = 0
        self._out: list[str] = []

    def keep(self, text: str) -> None:
        """Copy source text unchanged."""
        self._out.append(text)
        self.add(len(text), len(text), equal=True)

    def replace(self, source_length: int, new_text: str) -> None:
        """Write ``new_text`` in place of the next ``source_length`` source chars (either may be empty)."""
        self._out.append(new_text)
        self.add(source_length, len(new_text), equal=False)

    def add(self, source_length: int, derived_length: int, *, equal: bool) -> None:
        """Record a piece without its text (for callers that assemble the output string themselves).

        ``equal=True`` with equal lengths maps char by char; anything else maps only as a whole. A one-char
        replacement of one char is recorded as equal: the two mean the same.
        """
        if source_length < 0 or derived_length < 0:
            raise ValueError("piece lengths must be >= 0")
        if source_length == 0 and derived_length == 0:
            return
        same_length = source_length == derived_length
        equal = same_length and (equal or source_length == 1)
        last = self._pieces[-1] if self._pieces else None
        if equal and last is not None and last.equal:
            self._pieces[-1] = Piece(
                last.src_start, self._src + source_length, last.dst_start, self._dst + derived_length
            )
        else:
            self._pieces.append(
                Piece(self._src, self._src + source_length, self._dst, self._dst + derived_length, not equal)
            )
        self._src += source_length
        self._dst += derived_length

    def build_map(self, source_length: int | None = None) -> OffsetMap:
        src_len = self._src if source_length is None else source_length
        if src_len != self._src:
            raise ValueError(f"builder consumed {self._src} source chars, expected {src_len}")
        return OffsetMap(tuple(self._pieces), self._src, self._dst)

    def build(self) -> tuple[str, OffsetMap]:
        return "".join(self._out), self.build_map()
