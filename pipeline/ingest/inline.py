"""Inline Markdown of one line -> clean text: links keep their text, images go, emphasis marks go.

Three passes per line, each linear: tokenize the special characters, pair them (brackets with ``](url)``,
emphasis openers with closers, CommonMark's flanking rules, simplified), then write the line through the
:class:`CleanWriter`. Wiki-link tags are atomic tokens, so markup around or next to them can never shift
a link span. Unpaired markup stays as literal text, except runs of two or more ``*`` (``**``), which are
never prose in news text and are dropped even when the source's HTML-to-Markdown conversion left them
unbalanced.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum, auto

from pipeline.ingest.tags import ParsedTag, broken_tag_warning, match_tag
from pipeline.ingest.writer import CleanWriter

# Anything in a line that is Markdown markup rather than a tag; lines without it take the fast path.
_MARKUP_RE = re.compile(r"[*_\\!]|\[\[\[|(?<!\[)\[(?!\[)|(?<!\])\](?!\])")
_TAG_START_RE = re.compile(r"\[\[")
_SPECIAL_RE = re.compile(r"\[\[|!\[|\[|\]|\\[!-/:-@\[-`{-~]|\*+|_+")
_URL_PART = r"[^\s()\[\]<>]{0,2048}"
_CLOSE_RE = re.compile(
    r"\]\((?:<[^<>\n]{0,2048}>|" + _URL_PART + r"(?:\(" + _URL_PART + r"\)" + _URL_PART + r")*)"
    r"(?:[ \t]+\"[^\"\n]{0,300}\")?[ \t]*\)"
)


class Kind(Enum):
    TEXT = auto()  # prose; HTML character references are decoded when written
    TAG = auto()  # a well-formed wiki-link tag
    BROKEN = auto()  # an unclosed or empty tag, kept literally with a warning
    ESCAPE = auto()  # backslash escape: the backslash goes, the character stays
    DELIM = auto()  # a run of * or _
    OPEN = auto()  # [ or ![
    CLOSE = auto()  # ](url)


@dataclass(slots=True)
class Token:
    kind: Kind
    start: int
    end: int
    drop: bool = False
    tag: ParsedTag | None = None
    inner_start: int = 0
    warning: str | None = None
    can_open: bool = False
    can_close: bool = False


def is_tags_only(raw: str, start: int, end: int) -> bool:
    """Whether ``raw[start:end]`` has no Markdown markup besides tags (most lines of a news article)."""
    return _MARKUP_RE.search(raw, start, end) is None


def write_tags_only(writer: CleanWriter, start: int, end: int, line: int) -> None:
    """Write a line known to hold only prose and tags, without building tokens (the hot path)."""
    raw = writer.raw
    pos = start
    while (m := _TAG_START_RE.search(raw, pos, end)) is not None:
        at = m.start()
        writer.text_to(at, entities=True)
        match = match_tag(raw, at)
        if match.kind == "tag":
            assert match.parsed is not None
            writer.tag(match.inner_start, match.end, match.parsed, entities=True)
        else:
            if match.kind != "bracket":
                writer.warn(broken_tag_warning(raw, match, at, line))
            writer.keep_to(match.end)
        pos = match.end
    writer.text_to(end, entities=True)


def tokenize(raw: str, start: int, end: int, line: int) -> list[Token]:
    """Tokens covering ``raw[start:end]`` (line number ``line``, without its line break) exactly, in order."""
    tokens: list[Token] = []
    pos = start
    while pos < end:
        m = _SPECIAL_RE.search(raw, pos, end)
        if m is None:
            tokens.append(Token(Kind.TEXT, pos, end))
            break
        at = m.start()
        if at > pos:
            tokens.append(Token(Kind.TEXT, pos, at))
        token = m.group()
        if token == "[[":
            match = match_tag(raw, at)
            if match.kind == "tag":
                tokens.append(Token(Kind.TAG, at, match.end, tag=match.parsed, inner_start=match.inner_start))
            elif match.kind == "bracket":
                tokens.append(Token(Kind.OPEN, at, at + 1))
            else:
                warning = broken_tag_warning(raw, match, at, line)
                tokens.append(Token(Kind.BROKEN, at, match.end, warning=warning))
            pos = match.end
        elif token == "![" and raw.startswith("[[", at + 1) and not raw.startswith("[[[", at + 1):  # "!" + tag
            tokens.append(Token(Kind.TEXT, at, at + 1))
            pos = at + 1
        elif token in ("[", "!["):
            tokens.append(Token(Kind.OPEN, at, m.end()))
            pos = m.end()
        elif token == "]":
            close = _CLOSE_RE.match(raw, at, end)
            if close is None:
                tokens.append(Token(Kind.TEXT, at, at + 1))
                pos = at + 1
            else:
                tokens.append(Token(Kind.CLOSE, at, close.end()))
                pos = close.end()
        elif token[0] == "\\" and raw.startswith("[[", at + 1):  # tags win over escapes: "\" is prose here
            tokens.append(Token(Kind.TEXT, at, at + 1))
            pos = at + 1
        elif token[0] == "\\":
            tokens.append(Token(Kind.ESCAPE, at, m.end()))
            pos = m.end()
        else:
            tokens.append(_delimiter(raw, at, m.end(), start, end))
            pos = m.end()
    return tokens


def _delimiter(raw: str, at: int, stop: int, line_start: int, line_end: int) -> Token:
    before = raw[at - 1] if at > line_start else " "
    after = raw[stop] if stop < line_end else " "
    before_ws, after_ws = before.isspace(), after.isspace()
    before_p, after_p = _is_punct(before), _is_punct(after)
    left = not after_ws and (not after_p or before_ws or before_p)
    right = not before_ws and (not before_p or after_ws or after_p)
    token = Token(Kind.DELIM, at, stop)
    if raw[at] == "*":
        token.can_open, token.can_close = left, right
    else:  # "_" does not open or close inside a word (snake_case, URLs)
        token.can_open = left and (not right or before_p)
        token.can_close = right and (not left or after_p)
    return token


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def resolve(raw: str, tokens: list[Token]) -> None:
    """Pair brackets and emphasis delimiters; mark markup to drop (in place). Linear in the tokens."""
    openers: list[int] = []
    tags_before = [0]  # tags_before[k]: TAG tokens among tokens[:k], to test an image's alt text in O(1)
    for tok in tokens:
        tags_before.append(tags_before[-1] + (tok.kind is Kind.TAG))
    hidden = [0] * (len(tokens) + 1)  # +1/-1 at the ends of image alt texts to drop (images nest)
    for i, tok in enumerate(tokens):
        if tok.kind is Kind.OPEN:
            openers.append(i)
        elif tok.kind is Kind.CLOSE and openers:
            j = openers.pop()
            tokens[j].drop = tok.drop = True
            # an image goes with its alt text, unless the alt text carries links (then it reads as text)
            if raw.startswith("![", tokens[j].start) and tags_before[i] == tags_before[j + 1]:
                hidden[j + 1] += 1
                hidden[i] -= 1
    depth = 0
    for i, tok in enumerate(tokens):
        depth += hidden[i]
        if depth > 0:
            tok.drop = True
    stacks: dict[str, list[Token]] = {"*": [], "_": []}
    for tok in tokens:
        if tok.kind is not Kind.DELIM or tok.drop:
            continue
        stack = stacks[raw[tok.start]]
        if tok.can_close and stack:
            stack.pop().drop = True
            tok.drop = True
        elif tok.can_open:
            stack.append(tok)
    for tok in tokens:
        if tok.kind is Kind.DELIM and raw[tok.start] == "*" and tok.end - tok.start >= 2:
            tok.drop = True


def trim_edges(raw: str, tokens: list[Token]) -> None:
    """Drop the whitespace that dropped markup leaves at a line's edges (``![](p.png) 正文`` -> ``正文``), as the
    line's own edge whitespace is dropped. In place: a text token's edge whitespace becomes a dropped token."""
    _trim_edge(raw, tokens, at_end=True)  # the end first: inserting there leaves the indices before it as they are
    _trim_edge(raw, tokens, at_end=False)


def _trim_edge(raw: str, tokens: list[Token], *, at_end: bool) -> None:
    kept = [i for i, t in enumerate(tokens) if not t.drop]
    for i in reversed(kept) if at_end else kept:
        tok = tokens[i]
        if tok.kind is not Kind.TEXT:
            return
        text = raw[tok.start : tok.end]
        n = len(text) - len(text.rstrip() if at_end else text.lstrip())
        if n == len(text):  # all whitespace: the next token in is the edge now
            tok.drop = True
            continue
        if n and at_end:
            tokens.insert(i + 1, Token(Kind.TEXT, tok.end - n, tok.end, drop=True))
            tok.end -= n
        elif n:
            tokens.insert(i, Token(Kind.TEXT, tok.start, tok.start + n, drop=True))
            tok.start += n
        return


def has_content(raw: str, tokens: list[Token]) -> bool:
    """Whether the line writes anything but whitespace (a line holding only an image does not)."""
    for tok in tokens:
        if tok.drop:
            continue
        if tok.kind in (Kind.TAG, Kind.BROKEN) or not raw[tok.start : tok.end].isspace():
            return True
    return False


def write(writer: CleanWriter, tokens: list[Token]) -> None:
    """Write resolved tokens: kept text as is (entities decoded), markup deleted, tags as linked text."""
    for tok in tokens:
        if tok.drop:
            writer.drop_to(tok.end)
        elif tok.kind is Kind.TEXT:
            writer.text_to(tok.end, entities=True)
        elif tok.kind is Kind.TAG:
            assert tok.tag is not None
            writer.tag(tok.inner_start, tok.end, tok.tag, entities=True)
        elif tok.kind is Kind.ESCAPE:
            writer.drop_to(tok.start + 1)
            writer.keep_to(tok.end)
        else:
            if tok.warning is not None:
                writer.warn(tok.warning)
            writer.keep_to(tok.end)
