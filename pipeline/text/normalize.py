"""Normalization: clean-up, full-width folding and OpenCC, with a map back to the original text.

Segmentation and the classifiers read the normalized text; every offset they produce is carried back to the
original through the map, so a record always points into the text as the author wrote it.

Steps, in this order (folding first so OpenCC phrases with ASCII letters, such as U盘 → 隨身碟, still match):

1. ``cleanup``: odd spaces (no-break, en/em, narrow, ogham) become a plain space; zero-width and soft-hyphen
   characters are deleted (they split words for jieba and carry no text). Deletions are pieces of the map.
2. ``fullwidth``: full-width ASCII letters, digits and symbols (U+FF01–FF5E) and the ideographic space
   (U+3000) become half-width, so ``２０２２年`` segments like ``2022年``. The Chinese punctuation that happens
   to live in that block, ！，：；？（）, stays full-width: it is the standard form in Chinese text (GB/T 15834),
   and folding ``，`` into ``,`` would glue clauses to numbers ("1,000") for jieba.
3. ``opencc``: any OpenCC config (``t2s`` by default; ``none`` skips it), aligned by
   :mod:`pipeline.text.opencc_align`.

Both folds keep lengths, so only deletions and length-changing phrases make the map differ from the identity.
"""

from __future__ import annotations

import re

from pipeline.text.offsets import OffsetMap, OffsetMapBuilder
from pipeline.text.opencc_align import check_config, convert_aligned

_KEEP_FULLWIDTH = set("！，：；？（）")
FULLWIDTH_TABLE: dict[int, str] = {
    code: chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F) if chr(code) not in _KEEP_FULLWIDTH
}
FULLWIDTH_TABLE[0x3000] = " "

ODD_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f"
INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
CLEANUP_TABLE: dict[int, str | None] = {ord(c): " " for c in ODD_SPACES} | {ord(c): None for c in INVISIBLE}
_INVISIBLE_RUN = re.compile(f"[{INVISIBLE}]+")


def clean_text(text: str, *, fullwidth: bool = True, cleanup: bool = True) -> tuple[str, OffsetMap]:
    """Steps 1 and 2 above; the map takes spans of the result back to ``text``."""
    table: dict[int, str | None] = {}
    if cleanup:
        table |= CLEANUP_TABLE
    if fullwidth:
        table |= FULLWIDTH_TABLE
    if not table:
        return text, OffsetMap.identity(len(text))
    out = text.translate(table)
    if len(out) == len(text):
        return out, OffsetMap.identity(len(text))
    builder = OffsetMapBuilder()
    pos = 0
    for m in _INVISIBLE_RUN.finditer(text):
        builder.add(m.start() - pos, m.start() - pos, equal=True)
        builder.add(m.end() - m.start(), 0, equal=False)
        pos = m.end()
    builder.add(len(text) - pos, len(text) - pos, equal=True)
    return out, builder.build_map(len(text))


def normalize_text(
    text: str, opencc: str = "t2s", fullwidth: bool = True, *, cleanup: bool = True
) -> tuple[str, OffsetMap]:
    """Normalized text and the map from it back to ``text`` (``opencc="none"`` skips conversion)."""
    cleaned, clean_map = clean_text(text, fullwidth=fullwidth, cleanup=cleanup)
    if opencc == "none":
        return cleaned, clean_map
    converted, convert_map = convert_aligned(cleaned, check_config(opencc))
    if convert_map.is_identity:
        return converted, clean_map
    if clean_map.is_identity:
        return converted, convert_map
    return converted, clean_map.then(convert_map)
