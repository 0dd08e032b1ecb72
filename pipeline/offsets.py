"""Offset maps between a derived string and the string it came from.

Every stage that rewrites text (markup stripping, OpenCC, full-width folding) builds one of these while it
writes, so later offsets can always be carried back to the article's original text instead of drifting.
A map is a list of contiguous pieces; a piece is either *equal* (same length on both sides, mapped char by
char) or a *replacement* (any lengths, mapped only as a whole, so a span never splits a conversion such as
内存 → 記憶體 in two).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Piece:
    src_start: int
    src_end: int
    dst_start: int
    dst_end: int

    @property
    def equal(self) -> bool:
        return self.src_end - self.src_start == self.dst_end - self.dst_start


@dataclass(frozen=True)
class OffsetMap:
    """Maps spans of a derived string (``dst``) to spans of its source (``src``) and back."""

    pieces: tuple[Piece, ...]
    source_length: int
    derived_length: int
    _dst_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _src_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_dst_starts", tuple(p.dst_start for p in self.pieces))
        object.__setattr__(self, "_src_starts", tuple(p.src_start for p in self.pieces))

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        pieces = (Piece(0, length, 0, length),) if length else ()
        return cls(pieces, length, length)

    @property
    def is_identity(self) -> bool:
        return self.source_length == self.derived_length and all(p.equal for p in self.pieces)

    # -- derived -> source ---------------------------------------------------------------------------
    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Source span covering derived ``[start, end)``; spans touching a replacement grow to all of it."""
        if not 0 <= start <= end <= self.derived_length:
            raise ValueError(f"span ({start}, {end}) outside derived text of length {self.derived_length}")
        if start == end:
            pos = self._point(start, self._dst_starts, side="start", to_source=True)
            return pos, pos
        return (
            self._point(start, self._dst_starts, side="start", to_source=True),
            self._point(end, self._dst_starts, side="end", to_source=True),
        )

    # -- source -> derived ---------------------------------------------------------------------------
    def to_derived(self, start: int, end: int) -> tuple[int, int]:
        """Derived span covering source ``[start, end)``; the inverse of :meth:`to_source` on equal pieces."""
        if not 0 <= start <= end <= self.source_length:
            raise ValueError(f"span ({start}, {end}) outside source text of length {self.source_length}")
        if start == end:
            pos = self._point(start, self._src_starts, side="start", to_source=False)
            return pos, pos
        return (
            self._point(start, self._src_starts, side="start", to_source=False),
            self._point(end, self._src_starts, side="end", to_source=False),
        )

    def _point(self, pos: int, starts: tuple[int, ...], *, side: str, to_source: bool) -> int:
        """Map one boundary. Starts skip past deleted material, ends stop before it."""
        if not self.pieces:
            return 0
        if side == "start":
            # the first piece that contains pos, or begins at pos and is non-empty on our side
            i = bisect_right(starts, pos) - 1
            i = max(i, 0)
            # skip pieces that are empty on our side (pure insertions/deletions) when pos is at their start
            while i + 1 < len(self.pieces) and self._from_len(self.pieces[i], to_source) == 0 and \
                    self._from_start(self.pieces[i + 1], to_source) == pos:
                i += 1
            piece = self.pieces[i]
            f0, f1 = self._from_span(piece, to_source)
            t0, t1 = self._to_span(piece, to_source)
            if pos >= f1 and f1 > f0:
                return t1
            if piece.equal:
                return t0 + (pos - f0)
            return t0
        # side == "end": the last piece that contains pos, or ends at pos and is non-empty on our side
        i = bisect_left(starts, pos) - 1
        i = max(i, 0)
        piece = self.pieces[i]
        f0, f1 = self._from_span(piece, to_source)
        t0, t1 = self._to_span(piece, to_source)
        if pos <= f0:
            return t0
        if piece.equal:
            return t0 + (pos - f0)
        return t1

    @staticmethod
    def _from_span(p: Piece, to_source: bool) -> tuple[int, int]:
        return (p.dst_start, p.dst_end) if to_source else (p.src_start, p.src_end)

    @staticmethod
    def _to_span(p: Piece, to_source: bool) -> tuple[int, int]:
        return (p.src_start, p.src_end) if to_source else (p.dst_start, p.dst_end)

    @staticmethod
    def _from_len(p: Piece, to_source: bool) -> int:
        return (p.dst_end - p.dst_start) if to_source else (p.src_end - p.src_start)

    @staticmethod
    def _from_start(p: Piece, to_source: bool) -> int:
        return p.dst_start if to_source else p.src_start

    def then(self, outer: OffsetMap) -> OffsetMap:
        """Compose: ``self`` maps B→A and ``outer`` maps C→B; the result maps C→A, piece by piece."""
        if outer.source_length != self.derived_length:
            raise ValueError("cannot compose offset maps over strings of different lengths")
        builder = OffsetMapBuilder()
        for p in outer.pieces:
            if p.equal:
                # an equal outer piece may straddle several inner pieces: split at inner boundaries
                pos = p.src_start
                while pos < p.src_end:
                    j = max(bisect_right(self._dst_starts, pos) - 1, 0)
                    inner = self.pieces[j]
                    stop = min(p.src_end, inner.dst_end) if inner.dst_end > pos else p.src_end
                    a0, a1 = self.to_source(pos, stop)
                    builder.add(a1 - a0, stop - pos, equal=inner.equal and (a1 - a0) == (stop - pos))
                    pos = stop
            else:
                a0, a1 = self.to_source(p.src_start, p.src_end) if p.src_end > p.src_start else \
                    self.to_source(p.src_start, p.src_start)
                builder.add(a1 - a0, p.dst_end - p.dst_start, equal=False)
        return builder.build_map(self.source_length)


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
        if source_length == 0 and derived_length == 0:
            return
        equal = equal and source_length == derived_length
        piece = Piece(self._src, self._src + source_length, self._dst, self._dst + derived_length)
        last = self._pieces[-1] if self._pieces else None
        if equal and last is not None and last.equal:
            self._pieces[-1] = Piece(last.src_start, piece.src_end, last.dst_start, piece.dst_end)
        else:
            self._pieces.append(piece)
        self._src += source_length
        self._dst += derived_length

    def build_map(self, source_length: int | None = None) -> OffsetMap:
        src_len = self._src if source_length is None else source_length
        if src_len != self._src:
            raise ValueError(f"builder consumed {self._src} source chars, expected {src_len}")
        return OffsetMap(tuple(self._pieces), self._src, self._dst)

    def build(self) -> tuple[str, OffsetMap]:
        return "".join(self._out), self.build_map()
