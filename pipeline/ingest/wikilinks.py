"""Tags in plain text (``.txt`` bodies, JSONL ``text`` fields): the only markup there is the tag itself."""

from __future__ import annotations

import re

from pipeline.core.article import Link
from pipeline.ingest.tags import broken_tag_warning, match_tag
from pipeline.ingest.writer import CleanWriter
from pipeline.text.offsets import OffsetMap

_SPECIAL_RE = re.compile(r"\[\[|\r\n?")


def strip_wikilinks(text: str) -> tuple[str, list[Link], list[str], OffsetMap]:
    """Clean text (tags -> shown text, CRLF/CR -> LF), links on it, warnings, and the map back to ``text``."""
    writer = CleanWriter(text)
    pos = 0
    line, counted_to = 1, 0  # line numbers for warnings, counted incrementally to stay linear
    while (m := _SPECIAL_RE.search(text, pos)) is not None:
        writer.keep_to(m.start())
        if m.group() != "[[":
            writer.replace_to(m.end(), "\n")
            pos = m.end()
            continue
        match = match_tag(text, m.start())
        if match.kind == "tag":
            assert match.parsed is not None
            writer.tag(match.inner_start, match.end, match.parsed, entities=False)
        else:
            if match.kind != "bracket":
                line += text.count("\n", counted_to, m.start())
                counted_to = m.start()
                writer.warn(broken_tag_warning(text, match, m.start(), line))
            writer.keep_to(match.end)
        pos = match.end
    clean, mapping = writer.build()
    return clean, writer.links, writer.warnings, mapping
