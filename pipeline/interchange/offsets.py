"""Offsets handed back by annotation tools, checked against the text and repaired when a tool miscounted.

Our offsets are code points. Label Studio and doccano count code points too (both fixed their JavaScript
UTF-16 counting: label-studio-frontend#308, doccano#108), but older versions and other tools count UTF-16 code
units, which drifts by one after every astral character (𠮷, emoji). Each imported region carries its surface
text, so the offsets are checked against it: a mismatch is read as UTF-16 offsets, then as the nearest
occurrence of the surface; what cannot be placed is an error naming the region, never a silently moved span.
"""

from __future__ import annotations

from typing import Any

from pipeline.errors import DataError


def utf16_to_code_points(text: str, offset: int) -> int | None:
    """The code-point offset of UTF-16 offset ``offset`` in ``text``; None when it falls inside a surrogate pair."""
    units = 0
    for i, ch in enumerate(text):
        if units == offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def resolve_span(text: str, start: Any, end: Any, surface: Any, where: str) -> tuple[tuple[int, int], str | None]:
    """``(start, end)`` of a region on ``text``, and a warning when the offsets had to be repaired."""
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise DataError(f"{where}: offsets must be integers, got {start!r}-{end!r}")
    surface = surface if isinstance(surface, str) else None
    if 0 <= start < end <= len(text) and (surface is None or text[start:end] == surface):
        return (start, end), None
    if surface:
        s16, e16 = utf16_to_code_points(text, start), utf16_to_code_points(text, end)
        if s16 is not None and e16 is not None and text[s16:e16] == surface:
            return (s16, e16), f"{where}: offsets {start}-{end} read as UTF-16 code units ({s16}-{e16})"
        found = _nearest(text, surface, start)
        if found is not None:
            return (found, found + len(surface)), f"{where}: {surface!r} moved from {start}-{end} to {found}"
        raise DataError(f"{where}: region {start}-{end} {surface!r} is not in the text")
    raise DataError(f"{where}: region {start}-{end} is outside the text ({len(text)} chars)")


def _nearest(text: str, surface: str, near: int) -> int | None:
    best: int | None = None
    i = text.find(surface)
    while i != -1:
        if best is None or abs(i - near) < abs(best - near):
            best = i
        i = text.find(surface, i + 1)
    return best
