"""Hypothesis strategies for the interchange round trips: records with awkward texts and random entities.

Texts mix simplified and traditional Han, Latin, digits, astral characters (𠮷, emoji with a skin-tone
modifier), combining marks and whitespace of every kind the formats must carry (space, tab, ideographic space,
``\\n``, ``\\r\\n``, lone ``\\r``); entities are random non-overlapping spans, often at the text's start and end.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

PIECES = [
    *"东京中国台灣臺灣香港經濟经济習近平拜登",
    *"abcXYZ09",
    "𠮷",
    "𩸽",
    "😀",
    "👍🏽",
    "e\u0301",
    "é",
    " ",
    "\t",
    "\u3000",
    "\u2028",
    "\x85",
    "\n",
    "\r\n",
    "\r",
]
LINE_BREAKS = ["\u2028", "\x85", "\n", "\r\n", "\r"]
LABELS = ["LOC", "ORG", "PER", "GPE.NAM"]
IDS = st.lists(st.sampled_from([*"aAb/.:_- 中國", "CON", ".."]), max_size=6).map("".join)


def texts(*, breaks: bool = True) -> st.SearchStrategy[str]:
    pieces = PIECES if breaks else [p for p in PIECES if p not in LINE_BREAKS]
    return st.lists(st.sampled_from(pieces), min_size=1, max_size=30).map("".join)


def one_line(piece: str) -> bool:
    """True when ``piece`` holds no line break (as ``str.splitlines`` sees them)."""
    return piece.splitlines() == [piece]


@st.composite
def spans_on(draw: st.DrawFn, text: str, *, within_lines: bool = False) -> list[tuple[int, int, str]]:
    """Non-overlapping spans on ``text``; with ``within_lines`` none holds a line-break character."""
    n = len(text)
    edges = draw(st.sampled_from([set(), {0}, {n}, {0, n}]))
    cuts = sorted(draw(st.sets(st.integers(0, n), max_size=10)) | edges)
    spans = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        if b > a and (not within_lines or one_line(text[a:b])):
            spans.append((a, b, draw(st.sampled_from(LABELS))))
    return spans


def make_record(record_id: str, text: str, spans: list[tuple[int, int, str]], **extra: Any) -> dict[str, Any]:
    return {
        "id": record_id,
        "text": text,
        "entities": [{"text": text[s:e], "start": s, "end": e, "label": lab, "source": "model"} for s, e, lab in spans],
        "links": [],
        "tokens": [],
        **extra,
    }


@st.composite
def records(draw: st.DrawFn, *, within_lines: bool = False, breaks: bool = True) -> dict[str, Any]:
    text = draw(texts(breaks=breaks))
    return make_record(draw(IDS), text, draw(spans_on(text, within_lines=within_lines)))


def record_lists(**kwargs: Any) -> st.SearchStrategy[list[dict[str, Any]]]:
    return st.lists(records(**kwargs), min_size=1, max_size=4)


def span_set(record: dict[str, Any]) -> list[tuple[int, int, str]]:
    return sorted((e["start"], e["end"], e["label"]) for e in record["entities"])
