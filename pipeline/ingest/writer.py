"""A left-to-right writer of clean text that remembers where every character came from.

Both the Markdown reader and the plain-text tag stripper consume the raw text strictly in order: each call
says what happens to the raw characters up to some position (kept, deleted, or replaced), and the writer
feeds an :class:`OffsetMapBuilder` so the clean text can always be mapped back to the raw file. The writer
is on the hot path of every article (a 20 MB file makes millions of calls), so it keeps its own output
chunks and checks for ``&`` before running the entity pattern.
"""

from __future__ import annotations

import html
import re

from pipeline.core.article import Link
from pipeline.ingest.tags import ParsedTag
from pipeline.text.offsets import OffsetMap, OffsetMapBuilder

# Named (``&amp;``), decimal (``&#20013;``) and hexadecimal (``&#x4e2d;``) references; the semicolon is required
# so that prose such as "AT&T" or a URL query "&id=3" is never touched.
ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

MAX_WARNINGS = 50


def decode_entity(ref: str) -> str | None:
    """The character(s) an HTML character reference stands for, or None if it is not a known reference."""
    value = html.unescape(ref)
    return None if value == ref else value


def decode_entities(text: str) -> str:
    """``text`` with every known character reference decoded (for link targets, which need no offsets)."""
    if "&" not in text:
        return text
    return ENTITY_RE.sub(lambda m: decode_entity(m.group()) or m.group(), text)


class CleanWriter:
    """Writes the clean text for ``raw`` piece by piece; offsets of links are in clean-text characters."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.pos = 0  # raw characters consumed so far
        self.out_len = 0  # clean characters written so far
        self.links: list[Link] = []
        self.warnings: list[str] = []
        self._builder = OffsetMapBuilder()
        self._chunks: list[str] = []  # written text, in order
        self._suppressed = 0
        # deletions and replacements in a row are recorded as one piece (fewer pieces, same mapping of kept text)
        self._pending_src = 0
        self._pending_dst = 0

    def _flush(self) -> None:
        if self._pending_src or self._pending_dst:
            self._builder.add(self._pending_src, self._pending_dst, equal=False)
            self._pending_src = self._pending_dst = 0

    def warn(self, message: str) -> None:
        """Record a warning; past ``MAX_WARNINGS`` only count them (a broken file must not flood the record)."""
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)
        else:
            self._suppressed += 1

    def keep_to(self, end: int) -> None:
        """Copy raw text up to ``end`` unchanged."""
        n = end - self.pos
        if n > 0:
            if self._pending_src or self._pending_dst:
                self._flush()
            self._chunks.append(self.raw[self.pos : end])
            self._builder.add(n, n, equal=True)
            self.out_len += n
            self.pos = end

    def drop_to(self, end: int) -> None:
        """Delete raw text up to ``end`` (markup)."""
        n = end - self.pos
        if n < 0:
            raise ValueError(f"writer cannot go back from {self.pos} to {end}")
        self._pending_src += n
        self.pos = end

    def replace_to(self, end: int, text: str) -> None:
        """Write ``text`` in place of the raw text up to ``end``."""
        if end < self.pos:
            raise ValueError(f"writer cannot go back from {self.pos} to {end}")
        if text == self.raw[self.pos : end]:
            self.keep_to(end)
            return
        self._chunks.append(text)
        self._pending_src += end - self.pos
        self._pending_dst += len(text)
        self.out_len += len(text)
        self.pos = end

    def text_to(self, end: int, *, entities: bool) -> None:
        """Copy raw text up to ``end``, decoding HTML character references when ``entities`` is set."""
        if entities and self.raw.find("&", self.pos, end) >= 0:
            for m in ENTITY_RE.finditer(self.raw, self.pos, end):
                value = decode_entity(m.group())
                if value is not None:
                    self.keep_to(m.start())
                    self.replace_to(m.end(), value)
        self.keep_to(end)

    def tag(self, inner_start: int, tag_end: int, parsed: ParsedTag, *, entities: bool) -> None:
        """Write a well-formed tag (starting at the cursor) as its shown text and record its link."""
        shown_start = inner_start + parsed.shown_offset
        shown_end = shown_start + len(parsed.shown)
        start = self.out_len
        if entities and "&" in parsed.shown:
            self.drop_to(shown_start)
            mark = len(self._chunks)
            self.text_to(shown_end, entities=True)
            written = "".join(self._chunks[mark:])
            surface = written.strip()
            lead = len(written) - len(written.lstrip())
            target = decode_entities(parsed.target).strip()
            self.drop_to(tag_end)
        else:  # the common case, written out in full: it runs once per tag
            self._pending_src += shown_start - self.pos
            self._flush()
            n = len(parsed.shown)
            self._chunks.append(parsed.shown)
            self._builder.add(n, n, equal=True)
            self._pending_src = tag_end - shown_end
            self.out_len += n
            self.pos = tag_end
            surface, lead, target = parsed.surface, parsed.lead, parsed.target
        if surface and target:
            self.links.append(Link(start + lead, start + lead + len(surface), surface, target))

    def mark(self) -> int:
        """A bookmark in the output, for :meth:`text_since`."""
        return len(self._chunks)

    def text_since(self, mark: int) -> str:
        """The clean text written since ``mark``."""
        return "".join(self._chunks[mark:])

    def build(self) -> tuple[str, OffsetMap]:
        """The clean text and its map to the raw text (whatever is left of the raw text is kept)."""
        self.keep_to(len(self.raw))
        self._flush()
        if self._suppressed:
            self.warnings.append(f"... and {self._suppressed} more warnings")
            self._suppressed = 0
        return "".join(self._chunks), self._builder.build_map()
