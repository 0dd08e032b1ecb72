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


def _word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "'-")


def fix_latin_spans(text: str, spans: Sequence[Span]) -> list[Span]:
    out: list[Span] = []
    n = len(text)
    taken = sorted(spans)
    for k, (s, e, lab) in enumerate(taken):
        # 1. snap to Latin word edges
        while s > 0 and _word(text[s - 1]) and _word(text[s]):
            s -= 1
        while e < n and _word(text[e - 1]) and _word(text[e]):
            e += 1
        # 2. extend a Latin PER over the capitalized words that follow
        if lab == "PER" and _latin(text[e - 1]):
            limit = taken[k + 1][0] if k + 1 < len(taken) else n
            words = len(text[s:e].split())
            while words < 4 and e + 1 < limit and text[e] in _JOINERS and text[e + 1].isupper() and _latin(text[e + 1]):
                j = e + 1
                while j < n and _word(text[j]):
                    j += 1
                if j > limit:
                    break
                e, words = j, words + 1
        piece = text[s:e]
        # 3. drop Latin-only PER spans that cannot be a name
        if lab == "PER" and piece and all(_word(c) or c in _JOINERS for c in piece) and any(_latin(c) for c in piece):
            words_ = piece.replace("·", " ").split()
            if words_[-1] in ORG_HEADS or (len(words_) == 1 and words_[0] in PLATFORMS):
                lab = "ORG"
            elif (
                any(not w[0].isupper() for w in words_)
                or any(len(w) >= 2 and w.isupper() for w in words_)
                or (len(words_) == 1 and words_[0] in NOT_NAMES)
            ):
                continue
        if out and s < out[-1][1]:  # the snapping made two spans overlap: keep the longer
            if e - s > out[-1][1] - out[-1][0]:
                out[-1] = (s, e, lab)
            continue
        out.append((s, e, lab))
    return out
