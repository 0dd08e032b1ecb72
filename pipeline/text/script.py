"""Which script an article is written in: the share of its Han characters that only traditional text uses.

A Han character is *traditional-only* when t2s changes it and s2t leaves it alone (發, 體, 於), and
*simplified-only* the other way round (发, 体); characters both leave alone (中, 人, 的) say nothing. Both tests
are char-level OpenCC conversions, so the verdict follows OpenCC's tables and needs no word list of our own.

Label, from the distinctive characters (traditional-only ``t``, simplified-only ``s``):

* ``none``: no Han characters at all;
* ``traditional`` when ``t / (t + s) >= 0.9``, ``simplified`` when it is ``<= 0.1``, ``mixed`` in between.
  The 10 % margins absorb the few characters OpenCC maps one way only (著, 乾, 瞭 are valid in both scripts);
* ``simplified`` when there are Han characters but none distinctive: the text reads the same in both scripts
  and is already in the normalized (t2s) form.

``traditional_share`` is ``t`` over all Han characters, as the record schema promises.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pipeline.text.opencc_align import char_table

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
TRADITIONAL_MIN = 0.9
SIMPLIFIED_MAX = 0.1


def detect_script(text: str) -> dict[str, Any]:
    """``{"label": "traditional"|"simplified"|"mixed"|"none", "traditional_share": float}`` for ``text``."""
    counts = Counter(HAN.findall(text))
    han = sum(counts.values())
    if not han:
        return {"label": "none", "traditional_share": 0.0}
    unknown = counts.keys() - _SIDE.keys()
    if unknown:
        _learn_sides(unknown)
    trad = simp = 0
    for ch, n in counts.items():
        side = _SIDE[ch]
        if side > 0:
            trad += n
        elif side < 0:
            simp += n
    distinctive = trad + simp
    ratio = trad / distinctive if distinctive else 0.0
    if ratio >= TRADITIONAL_MIN:
        label = "traditional"
    elif ratio <= SIMPLIFIED_MAX:
        label = "simplified"
    else:
        label = "mixed"
    return {"label": label, "traditional_share": round(trad / han, 4)}


# +1 traditional-only, -1 simplified-only, 0 neither, per character seen in this process: two OpenCC table
# lookups per distinct character and article were most of this function's time
_SIDE: dict[str, int] = {}


def _learn_sides(chars: set[str]) -> None:
    t2s, s2t = char_table("t2s"), char_table("s2t")
    t2s.learn(chars)
    s2t.learn(chars)
    for ch in chars:
        to_simp = t2s.char(ch) != ch
        to_trad = s2t.char(ch) != ch
        _SIDE[ch] = 1 if to_simp and not to_trad else -1 if to_trad and not to_simp else 0
