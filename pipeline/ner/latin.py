"""Post-rules for Latin-script words in the char model's output (the model learned from MSRA, which has almost none).

Modern Chinese news quotes English names and boilerplate (``Chuck Schumer``, ``Terms of use``, ``Privacy Policy``,
photo credits), and the char model, seeing letters it rarely met in training, cuts Latin names at the first word
and tags capitalized English words as PER. Three rules, each on whole Latin words only (Chinese spans never change):

1. a span never starts or ends inside a Latin word: its edges snap outwards to the word's edges;
2. a PER span that ends on a capitalized Latin word takes the capitalized words that follow it, one space (or a
   middle dot) apart, up to 4 words in all: ``Chuck`` + `` Schumer`` -> ``Chuck Schumer``;
3. a PER span made only of Latin words becomes ORG when its last word is an organization head noun
   (``ROL Foundation``, ``America First News``) or it is a well-known platform or news agency (``Twitter``,
   ``Gettr``, ``Reuters``); it is dropped when a word is not capitalized (``via``, ``more``), is all capitals
   (``ROL``), or it is a single common English word of page furniture (``Terms``, ``Privacy``, ``Handout``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

Span = tuple[int, int, str]

# capitalized English words that the model took for names on 2022-2024 news pages (footers, photo credits);
# never a person's name on their own
NOT_NAMES = frozenset(
    "Terms Privacy Policy Handout Photo Photos File Video Source Copyright Disclaimer Home News Update Breaking "
    "Twitter Facebook YouTube Telegram Gettr Getter Discord Instagram TikTok Foundation Society Reuters AP AFP "
    "Getty Images Image Credit Via Read More Click Here Live Watch".split()
)
ORG_HEADS = frozenset(
    "Foundation Society News Party Times Post Network Media Group Inc Ltd Corp Corporation Company University "
    "College Institute Agency Bank Council Committee Association Union Club Press Television TV Radio Journal "
    "Herald Tribune Daily Report Review Organization Organisation Federation Alliance Fund Army Navy".split()
)
PLATFORMS = frozenset(
    "Twitter Facebook YouTube Youtube Telegram Gettr GETTR Discord Instagram TikTok WeChat Google Apple Microsoft "
    "Amazon Reuters AFP BBC CNN NHK Truth".split()
)
_JOINERS = (" ", "·", "•", "・")


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


# Latin words: runs of ASCII letters, digits, apostrophes and hyphens; pieces made only of them and joiners
_WORD_RUN = re.compile(r"[A-Za-z0-9'\-]+")
_LATIN_PIECE = re.compile(r"[A-Za-z0-9'\- ·•・]+")
_HAS_LATIN = re.compile(r"[A-Za-z]")


class _WordRuns:
    """The text's Latin words, found once: a span edge inside a word snaps to the word's edge by bisection.

    Walking character by character to the edge cost the length of the word for every span inside it, so a
    300,000-letter "word" (hostile input) with the model's hundreds of spans in it took 90 s.
    """

    def __init__(self, text: str) -> None:
        self.runs = [m.span() for m in _WORD_RUN.finditer(text)]
        self.starts = [a for a, _ in self.runs]

    def at(self, i: int) -> tuple[int, int] | None:
        """The word holding character ``i``, if any."""
        k = bisect_right(self.starts, i) - 1
        if k >= 0 and i < self.runs[k][1]:
            return self.runs[k]
        return None


def _per_verdict(piece: str) -> str | None:
    """Rule 3 for a PER piece: ``"PER"``, ``"ORG"``, or None to drop it."""
    if not (_LATIN_PIECE.fullmatch(piece) and _HAS_LATIN.search(piece)):
        return "PER"  # not Latin-only: the model's call stands
    words = piece.replace("·", " ").split()
    if words[-1] in ORG_HEADS or (len(words) == 1 and words[0] in PLATFORMS):
        return "ORG"
    if (
        any(not w[0].isupper() for w in words)
        or any(len(w) >= 2 and w.isupper() for w in words)
        or (len(words) == 1 and words[0] in NOT_NAMES)
    ):
        return None
    return "PER"


def fix_latin_spans(text: str, spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    n = len(text)
    taken = sorted(spans)
    words_in = _WordRuns(text)
    verdicts: dict[tuple[int, int], str | None] = {}
    for k, (s, e, lab) in enumerate(taken):
        # 1. snap to Latin word edges (an edge strictly inside a word moves to the word's edge)
        if (run := words_in.at(s)) is not None and run[0] < s:
            s = run[0]
        if e < n and (run := words_in.at(e)) is not None and run[0] < e:
            e = run[1]
        # 2. extend a Latin PER over the capitalized words that follow
        if lab == "PER" and _latin(text[e - 1]):
            limit = taken[k + 1][0] if k + 1 < len(taken) else n
            words = 0  # the span's words, counted only when a word follows (a span can be one huge word)
            while e + 1 < limit and text[e] in _JOINERS and text[e + 1].isupper() and _latin(text[e + 1]):
                words = words or len(text[s:e].split())
                if words >= 4:
                    break
                following = words_in.at(e + 1)  # a capital letter: always inside a word
                if following is None or following[1] > limit:
                    break
                e, words = following[1], words + 1
        if out and s < out[-1][1] and e - s <= out[-1][1] - out[-1][0]:
            continue  # overlaps the span kept before and is not longer: dropped whatever rule 3 says
        # 3. drop Latin-only PER spans that cannot be a name (decided once per piece: many of the model's spans
        # inside one long word snap to the same piece)
        if lab == "PER":
            if (s, e) not in verdicts:
                verdicts[s, e] = _per_verdict(text[s:e])
            verdict = verdicts[s, e]
            if verdict is None:
                continue
            lab = verdict
        if out and s < out[-1][1]:  # the snapping made two spans overlap: keep the longer
            if e - s > out[-1][1] - out[-1][0]:
                out[-1] = (s, e, lab)
            continue
        out.append((s, e, lab))
    return out
