"""Ingest: input files -> :class:`~pipeline.core.article.Article` records with clean text and gold links.

Public API (used by the runner):

- :func:`discover_inputs` ``(paths) -> list[Path]``: files as given; folders expanded recursively (sorted) to
  ``.md``/``.markdown``/``.txt``/``.jsonl`` files, hidden ones skipped; a missing path raises InputError.
- :func:`read_source` ``(path, *, max_bytes) -> list[Article | InputError]``: one article for Markdown/text,
  one item per JSONL line. Empty, binary, undecodable or too large files raise InputError (for JSONL the
  limit applies to each record).
- :func:`jsonl_chunks` / :func:`read_chunk`: a big JSONL file as byte ranges of whole lines, read one at a
  time (the runner's unit of work for such files).
- :func:`parse_article` ``(raw, *, path, id) -> Article``: pure function over decoded text.
- :func:`strip_wikilinks` ``(text) -> (clean, links, warnings, OffsetMap)``: tags only, for plain text.

What an Article holds after ingest:

- ``text``: the clean text in its original script. For the seed format it is the title, a blank line, then
  the body (``meta["body_start"]`` is where the body begins), so links in a headline have offsets like any
  other. Markdown markup is removed (links keep their text, images go, emphasis/heading/quote/bullet marks
  go, ordered-list numbers stay), HTML character references are decoded (``&nbsp;`` becomes U+00A0), lines
  are trimmed, CRLF/CR become LF and runs of blank lines one blank line.
- ``links``: one per well-formed tag, ``text[start:end] == surface``. ``[[zh:X]]``/``[[X]]`` link X;
  ``[[X|shown]]`` shows "shown" and links X; ``zh:`` is dropped from targets, other language prefixes stay
  (``[[en:Apple|苹果]]`` -> target ``en:Apple``). Unclosed and empty tags stay as literal text and add a
  warning (``line N: unclosed link tag '[[zh:日本…' kept as text``); at most 50 warnings are listed.
- ``raw_map``: clean-text offsets -> offsets in the decoded file text (for JSONL: in the record's ``text``).
- ``title``, ``date`` (as written), ``url``; ``meta``: ``encoding``, ``format`` (markdown/text/jsonl),
  ``date_iso``, ``byline``, ``body_start``, ``line`` (JSONL).
"""

from __future__ import annotations

from pipeline.errors import InputError
from pipeline.ingest.markdown import parse_article
from pipeline.ingest.readers import (
    CHUNK_BYTES,
    DEFAULT_MAX_BYTES,
    INPUT_SUFFIXES,
    Chunk,
    discover_inputs,
    jsonl_chunks,
    read_chunk,
    read_source,
)
from pipeline.ingest.wikilinks import strip_wikilinks

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_MAX_BYTES",
    "INPUT_SUFFIXES",
    "Chunk",
    "InputError",
    "discover_inputs",
    "jsonl_chunks",
    "parse_article",
    "read_chunk",
    "read_source",
    "strip_wikilinks",
]
