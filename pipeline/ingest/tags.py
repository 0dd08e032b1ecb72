"""Wiki-link tag syntax: ``[[zh:X]]``, ``[[X]]``, ``[[zh:X|shown]]``, ``[[X|shown]]``.

Targets drop the ``zh:`` prefix (the corpus's own language); any other language prefix (``en:Apple``) is kept
in the target, so a consumer can tell a cross-language link from a Chinese title. A tag that is not closed on
its line, or has nothing to show, is left in the text literally and reported: guessing where a broken tag
ends would invent spans.

Tags are matched with a bounded, non-nesting pattern (no ``[``, ``]`` or line break inside, at most
``MAX_TAG_CHARS`` characters), so scanning stays linear in the input even for megabytes of stray brackets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

MAX_TAG_CHARS = 300
TAG_RE = re.compile(rf"\[\[([^\[\]\n\r]{{0,{MAX_TAG_CHARS}}})\]\]")
_LANG_PREFIX_RE = re.compile(r"\s*([a-z]{2,3}(?:-[a-z]{2,4})?)\s*:")
_SNIPPET = 16


@dataclass(frozen=True)
class ParsedTag:
    """What a well-formed tag contributes: the text it shows and the page it links to."""

    shown: str  # as written inside the tag (may carry spaces or entities; the link surface is cleaned)
    shown_offset: int  # offset of ``shown`` inside the tag's inner text
    target: str
    surface: str  # ``shown`` without surrounding whitespace
    lead: int  # whitespace characters before ``surface`` in ``shown``


@dataclass(frozen=True)
class TagMatch:
    """What sits at a ``[[``: a tag, a plain bracket before a tag (``[[[``), or a broken tag."""

    kind: Literal["tag", "bracket", "unclosed", "empty"]
    end: int  # raw offset just past what this match consumes
    inner_start: int = 0
    parsed: ParsedTag | None = None


@lru_cache(maxsize=65536)  # a corpus links the same few thousand titles over and over
def parse_tag(inner: str) -> ParsedTag | None:
    """Parse the text between ``[[`` and ``]]``; None when the tag has no target or nothing to show."""
    prefix_end = 0
    lang = ""
    m = _LANG_PREFIX_RE.match(inner)
    if m:
        lang, prefix_end = m.group(1), m.end()
    body = inner[prefix_end:]
    bar = body.find("|")
    if bar >= 0:
        target, shown, shown_offset = body[:bar], body[bar + 1 :], prefix_end + bar + 1
        if not shown.strip():  # MediaWiki's "pipe trick" [[X|]]: show the target itself
            shown, shown_offset = target, prefix_end
    else:
        target, shown, shown_offset = body, body, prefix_end
    target = target.strip()
    if not target or not shown.strip():
        return None
    if lang and lang != "zh":
        target = f"{lang}:{target}"
    surface = shown.strip()
    return ParsedTag(shown, shown_offset, target, surface, len(shown) - len(shown.lstrip()))


def match_tag(raw: str, at: int) -> TagMatch:
    """Classify the ``[[`` at ``raw[at]``."""
    if raw.startswith("[[[", at):  # the first bracket is plain text; a tag may start at the next one
        return TagMatch("bracket", at + 1)
    m = TAG_RE.match(raw, at)
    if m is None:
        return TagMatch("unclosed", at + 2)
    parsed = parse_tag(m.group(1))
    if parsed is None:
        return TagMatch("empty", m.end())
    return TagMatch("tag", m.end(), inner_start=at + 2, parsed=parsed)


def broken_tag_warning(raw: str, match: TagMatch, at: int, line: int) -> str:
    """One-line warning for a tag kept as literal text, with its line number and an excerpt."""
    if match.kind == "empty":
        excerpt = raw[at : match.end]
    else:
        excerpt = raw[at : at + _SNIPPET].split("\n", 1)[0].rstrip("\r")
        if at + len(excerpt) < len(raw) and raw[at + len(excerpt)] not in "\r\n":
            excerpt += "…"
    return f"line {line}: {match.kind} link tag {excerpt!r} kept as text"
