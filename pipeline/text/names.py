"""Name comparison shared by the gazetteer, the link check and the gazetteer builder, without spaCy.

Kept apart from :mod:`pipeline.ner.gazetteer` (a spaCy component) so that the link check and the stage registry
can compare names without importing spaCy at module import time.
"""

from __future__ import annotations

from pipeline.text.normalize import FULLWIDTH_TABLE
from pipeline.text.opencc_align import converter


def normalize_name(text: str, convert: str | None = "t2s") -> str:
    """The form names are compared in: OpenCC conversion, the normalize stage's half-width folding, lower-case
    Latin, trimmed.

    Shared by the gazetteer (patterns), the link check (link targets and surfaces) and the gazetteer builder,
    so all three agree on when two names are the same.
    """
    out = converter(convert).convert(text) if convert else text
    return fold(out.translate(FULLWIDTH_TABLE)).strip()


def fold(text: str) -> str:
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text
