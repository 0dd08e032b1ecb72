"""One spelling per stance target, so data files, configs and the model agree on what a target is called.

The NLPCC 2016 train and test files spell two of their five targets differently (``IphoneSE`` vs ``iPhone SE``,
``俄罗斯在叙利亚的反恐行动`` vs ``俄罗斯叙利亚反恐行动``). Targets are compared by a key that ignores width,
case, spaces and the function characters 在/的; known spellings map to the name the shipped model uses.
"""

from __future__ import annotations

import re
import unicodedata

_KEY_DROP = re.compile(r"[\s在的·_\-]+")

# key -> canonical display name (keys are produced by target_key)
_CANONICAL: dict[str, str] = {
    "iphonese": "iPhone SE",
    "春节放鞭炮": "春节放鞭炮",
    "俄罗斯叙利亚反恐行动": "俄罗斯在叙利亚的反恐行动",
    "开放二胎": "开放二胎",
    "深圳禁摩限电": "深圳禁摩限电",
}


def target_key(target: str) -> str:
    """The comparison key: NFKC, case-folded, without spaces, dashes and 在/的."""
    return _KEY_DROP.sub("", unicodedata.normalize("NFKC", target).casefold())


def canonical_target(target: str) -> str:
    """The canonical name of a known target; other targets keep their own spelling, trimmed and NFKC-normalised."""
    cleaned = unicodedata.normalize("NFKC", target).strip()
    return _CANONICAL.get(target_key(cleaned), cleaned)
