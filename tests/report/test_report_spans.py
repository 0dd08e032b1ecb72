"""Span splitting: overlapping and crossing entity/link spans become pieces that lose nothing."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from pipeline.report.spans import Piece, clip_span, split_spans


def test_crossing_spans_are_cut_at_every_boundary() -> None:
    text = "日本自卫队总部"
    pieces = split_spans(text, [(0, 5), (0, 2), (4, 7)])
    assert pieces == [Piece(0, 2, (0, 1)), Piece(2, 4, (0,)), Piece(4, 5, (0, 2)), Piece(5, 7, (2,))]


def test_uncovered_text_and_spans_outside_the_text() -> None:
    assert split_spans("abc", []) == [Piece(0, 3, ())]
    assert split_spans("", [(0, 2)]) == []
    assert split_spans("abcd", [(2, 2), (3, 9), (-4, -1)]) == [Piece(0, 3, ()), Piece(3, 4, (1,))]
    assert clip_span(5, 3, 10) is None and clip_span(-1, 2, 10) == (0, 2)


def test_offsets_are_code_points_astral_characters_included() -> None:
    text = "😀𠀋中"  # two astral characters: one code point each, as in Python (and the records)
    pieces = split_spans(text, [(1, 2)])
    assert [text[p.start : p.end] for p in pieces] == ["😀", "𠀋", "中"]


spans_strategy = st.lists(st.tuples(st.integers(-3, 40), st.integers(-3, 40)), max_size=12)


@given(text=st.text(max_size=40), spans=spans_strategy)
def test_pieces_tile_the_text_and_carry_exactly_the_covering_spans(text: str, spans: list[tuple[int, int]]) -> None:
    pieces = split_spans(text, spans)
    assert "".join(text[p.start : p.end] for p in pieces) == text
    assert all(p.start < p.end for p in pieces)
    assert all(a.end == b.start for a, b in pairwise(pieces))
    for p in pieces:
        expected = tuple(i for i, (s, e) in enumerate(spans) if max(0, s) <= p.start and p.end <= min(len(text), e))
        assert p.covers == expected
    # minimal: every cut is a span boundary (so a span's pieces concatenate to exactly its text)
    boundaries = {b for s, e in spans if clip_span(s, e, len(text)) for b in clip_span(s, e, len(text)) or ()}
    assert {p.start for p in pieces[1:]} <= boundaries
    for i, (s, e) in enumerate(spans):
        clipped = clip_span(s, e, len(text))
        covered = "".join(text[p.start : p.end] for p in pieces if i in p.covers)
        assert covered == (text[clipped[0] : clipped[1]] if clipped else "")
