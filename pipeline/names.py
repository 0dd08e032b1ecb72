"""Name comparison shared by the gazetteer, the link check and the gazetteer builder, without spaCy.

Kept apart from :mod:`pipeline.gazetteer` (a spaCy component) so that the link check and the stage registry
can compare names without importing spaCy at module import time.
"""

from __future__ import annotations

import functools
from typing import Any

from pipeline.errors import DataError

HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@functools.lru_cache(maxsize=8)
def converter(config: str) -> Any:
    import opencc

    name = config if config.endswith(".json") else f"{config}.json"
    try:
        return opencc.OpenCC(name)
    except Exception as exc:  # opencc raises a bare RuntimeError/ValueError for unknown configs
        raise DataError(f"unknown OpenCC conversion {config!r}: {exc}") from None


def normalize_name(text: str, convert: str | None = "t2s") -> str:
    """The form names are compared in: OpenCC conversion, half-width ASCII, lower-case Latin, trimmed.

    Shared by the gazetteer (patterns), the link check (link targets and surfaces) and the gazetteer builder,
    so all three agree on when two names are the same.
    """
    out = converter(convert).convert(text) if convert else text
    return fold(out.translate(HALF_WIDTH)).strip()


def fold(text: str) -> str:
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text
