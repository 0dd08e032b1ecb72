"""The seed's article format (a GNews repost in Markdown) -> :class:`Article`.

Layout::

    ###  [:house:返回](README.md)      back-link: dropped
    ---                                 dropped
    ## <title>                          -> Article.title, and the first paragraph of Article.text
    `<date> <byline>` [轉載自GNews](<url>)  -> Article.date (as written), meta["date_iso"], meta["byline"], url
    <body paragraphs>                   -> Article.text after the title

``Article.text`` is the title, a blank line, then the body: NER, stance and topic all want the headline, and a
tag in a headline must have offsets like any other (``meta["body_start"]`` says where the body begins). Block
markup goes (heading ``#`` marks, ``>`` quote marks, ``-``/``*``/``+`` bullets, rules); ordered-list numbers
stay, they are content ("1." ...). Lines are trimmed, line breaks become ``\\n`` and runs of blank lines one
blank line. A file without that header (plain ``.txt``) is all body, with no title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.core.article import Article
from pipeline.ingest import inline
from pipeline.ingest.dates import parse_dateline
from pipeline.ingest.writer import CleanWriter

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_BACKLINK_RE = re.compile(r"#{1,6}\s*\[:house:[^\]\n]*\]\([^)\n]*\)\s*$")
_RULE_RE = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_HEADING_RE = re.compile(r"#{1,6}(?:[ \t]+|$)")
_HEADING_CLOSE_RE = re.compile(r"[ \t]+#+$")
_QUOTE_RE = re.compile(r"(?:>[ \t]?)+")
_BULLET_RE = re.compile(r"[-*+][ \t]+")
_DATELINE_RE = re.compile(r"`([^`\n]*)`[ \t]*(?:\[([^\]\n]*)\]\(([^()\s]*)\))?[ \t]*$")
_SOURCE_LINK_RE = re.compile(r"\[(?:轉載自|转载自|来源|來源|Source)[^\]\n]*\]\(([^()\s]*)\)[ \t]*$")


@dataclass(frozen=True)
class Line:
    start: int  # first non-space character
    end: int  # after the last non-space character (excludes the line break)
    number: int  # 1-based


def iter_lines(raw: str) -> Iterator[Line]:
    """Every line of ``raw``, trimmed of surrounding whitespace (empty lines have start == end)."""
    pos = 0
    n = len(raw)
    number = 0
    while pos <= n:
        number += 1
        m = _LINE_BREAK_RE.search(raw, pos)
        stop = m.start() if m else n
        start, end = pos, stop
        while start < end and raw[start].isspace():
            start += 1
        while end > start and raw[end - 1].isspace():
            end -= 1
        yield Line(start, end, number)
        if m is None:
            return
        pos = m.end()


def _strip_block_markup(raw: str, line: Line) -> Line | None:
    """The part of a body line that holds inline content; None for rules and blank lines."""
    start, end = line.start, line.end
    if start == end or _RULE_RE.match(raw, start, end):
        return None
    m = _QUOTE_RE.match(raw, start, end)
    if m:
        start = m.end()
    m = _HEADING_RE.match(raw, start, end)
    if m:
        start = m.end()
        close = _HEADING_CLOSE_RE.search(raw, start, end)
        if close:
            end = close.start()
    else:
        m = _BULLET_RE.match(raw, start, end)
        if m:
            start = m.end()
    while start < end and raw[start].isspace():
        start += 1
    while end > start and raw[end - 1].isspace():
        end -= 1
    return Line(start, end, line.number) if start < end else None


def _header_kind(raw: str, line: Line, *, have_title: bool) -> str:
    """Where a line before the body belongs: "skip", "title", "dateline" or "body"."""
    if (
        line.start == line.end
        or _BACKLINK_RE.match(raw, line.start, line.end)
        or _RULE_RE.match(raw, line.start, line.end)
    ):
        return "skip"
    if _DATELINE_RE.match(raw, line.start, line.end) or _SOURCE_LINK_RE.match(raw, line.start, line.end):
        return "dateline"
    if not have_title and _HEADING_RE.match(raw, line.start, line.end):
        return "title"
    return "body"


@dataclass(frozen=True)
class _Content:
    """A body line's inline content, ready to write: fast (tags and prose only) or resolved tokens."""

    line: Line
    tokens: list[inline.Token] | None  # None: the tags-only fast path

    def write(self, writer: CleanWriter) -> None:
        if self.tokens is None:
            inline.write_tags_only(writer, self.line.start, self.line.end, self.line.number)
        else:
            inline.write(writer, self.tokens)


def _inline_content(raw: str, line: Line) -> _Content | None:
    """A body line's content, or None when it writes nothing (blank, rule, lone image)."""
    content = _strip_block_markup(raw, line)
    if content is None:
        return None
    if inline.is_tags_only(raw, content.start, content.end):
        return _Content(content, None)
    tokens = inline.tokenize(raw, content.start, content.end, content.number)
    inline.resolve(raw, tokens)
    inline.trim_edges(raw, tokens)
    return _Content(content, tokens) if inline.has_content(raw, tokens) else None


def parse_article(raw: str, *, path: str, id: str) -> Article:
    """Parse decoded article text (seed Markdown format or plain text) into an Article with links."""
    writer = CleanWriter(raw)
    title: str | None = None
    date: str | None = None
    url: str | None = None
    meta: dict[str, object] = {}
    pending_break: str | None = None  # separator owed before the next written line; None before the first
    in_header = True
    body_start: int | None = None
    for line in iter_lines(raw):
        if in_header:
            kind = _header_kind(raw, line, have_title=title is not None)
            if kind == "skip":
                continue
            if kind == "dateline":
                date, url = _read_dateline(raw, line, meta)
                in_header = False
                continue
            if kind == "title":
                content = _inline_content(raw, line)
                if content is not None:
                    writer.drop_to(content.line.start)
                    mark = writer.mark()
                    content.write(writer)
                    title = writer.text_since(mark).strip()
                    pending_break = "\n\n"
                continue
            in_header = False
        content = _inline_content(raw, line)
        if content is None:
            if pending_break is not None:
                pending_break = "\n\n"
            continue
        writer.replace_to(content.line.start, pending_break or "")
        if body_start is None:
            body_start = writer.out_len
        content.write(writer)
        pending_break = "\n"
    writer.drop_to(len(raw))
    text, raw_map = writer.build()
    if title is not None:
        meta["body_start"] = len(text) if body_start is None else body_start
    meta["format"] = "markdown" if title is not None or url is not None else "text"
    return Article(
        id=id,
        path=path,
        text=text,
        title=title,
        date=date,
        url=url,
        links=writer.links,
        warnings=writer.warnings,
        meta=meta,
        raw_map=raw_map,
    )


def _read_dateline(raw: str, line: Line, meta: dict[str, object]) -> tuple[str | None, str | None]:
    """(date as written, source URL) from the dateline; ISO date and byline go into ``meta``."""
    m = _DATELINE_RE.match(raw, line.start, line.end)
    if m is None:
        s = _SOURCE_LINK_RE.match(raw, line.start, line.end)
        return None, (s.group(1) if s else None)
    dateline = parse_dateline(m.group(1))
    if dateline.iso:
        meta["date_iso"] = dateline.iso
    if dateline.byline:
        meta["byline"] = dateline.byline
    return dateline.date, m.group(3) or None
