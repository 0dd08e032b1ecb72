"""File names for record ids: portable, unique, and mapped back to the id.

Record ids are file stems or JSONL ids, so they can hold anything (``/``, ``..``, ``:``, spaces, names that
differ only by case). A per-record file must be safe on every system the files travel to, so a name keeps
letters (any script), digits, ``-``, ``_`` and ``.``, replaces everything else with ``_``, never starts with
``.``, avoids Windows' reserved device names, stays short, and is made unique case-insensitively with a
``-2``, ``-3`` suffix. The writer stores the id itself next to the files, so nothing depends on the name.
"""

from __future__ import annotations

import re
import unicodedata

MAX_STEM = 80
RESERVED = frozenset({"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)})
_UNSAFE = re.compile(r"[^\w.-]", flags=re.UNICODE)


def safe_stem(record_id: str) -> str:
    """A file stem for one id (not yet unique)."""
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFC", record_id))[:MAX_STEM].lstrip(".").rstrip(". ")
    if not stem:
        stem = "record"
    if stem.split(".")[0].lower() in RESERVED:
        stem = "_" + stem
    return stem


class UniqueNames:
    """Hands out a distinct stem per record, case-insensitively (macOS and Windows fold case)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def __call__(self, record_id: str) -> str:
        base = safe_stem(record_id)
        stem, n = base, 1
        while stem.casefold() in self._taken:
            n += 1
            stem = f"{base}-{n}"
        self._taken.add(stem.casefold())
        return stem
