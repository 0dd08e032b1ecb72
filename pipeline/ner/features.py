"""Per-character input features, computed from a segmented Doc so that training and run time share one path.

For each character of ``doc.text``:

- the normalized character (t2s, half-width) from ``token.norm_`` when the normalization kept the token's
  length, else the character itself; traditional input thus looks like simplified input to the model;
- the left and right character bigrams of the normalized text;
- jieba "soft-word" features: the character's B/M/E/S position in its jieba token, and that token's POS tag;
- lexicon features (SoftLexicon-lite): for every jieba dictionary word of two or more characters that matches
  the text around the character, the character's B/M/E position in it, split by the word's dictionary POS
  class (person, place, organization, other proper noun, other). A multi-hot vector of 15 bits.

The lexicon features are what keeps entity boundaries independent of jieba's single segmentation: in 驻日美军
jieba may cut 驻|日美军, but 美军 is still a dictionary word that the character features see.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np
from spacy.attrs import NORM, ORTH, SPACY, TAG
from spacy.tokens import Doc

SEG_CODES = {"B": 1, "M": 2, "E": 3, "S": 4}  # 0 is padding
LEX_CLASSES: tuple[str, ...] = ("nr", "ns", "nt", "nz", "other")
N_LEX = 3 * len(LEX_CLASSES)
PAD, UNK = 0, 1
BOS, EOS = "\x02", "\x03"
_LEX_SHIFTS = np.arange(N_LEX, dtype=np.int32)


@dataclass
class DocParts:
    """What the features need from a Doc: normalized characters and per-character jieba information.

    Arrays, not per-character lists: an article has a million characters and a few distinct POS tags.
    """

    norm: str
    seg: np.ndarray  # uint8 SEG_CODES per character
    tag_names: list[str]  # the distinct POS tags of the Doc's tokens
    tag_index: np.ndarray  # int32 per character: its token's tag, as an index into ``tag_names``
    lex: np.ndarray  # int32 lexicon bitmask per character (N_LEX bits)

    @property
    def tags(self) -> list[str]:
        """The POS tag of each character's token."""
        names = self.tag_names
        return [names[i] for i in self.tag_index.tolist()]


def _lex_class(tag: str | None) -> int:
    if tag:
        for i, prefix in enumerate(LEX_CLASSES[:-1]):
            if tag.startswith(prefix):
                return i
    return len(LEX_CLASSES) - 1


class Lexicon:
    """jieba's dictionary (the segment stage's base prefix dictionary plus the POS table) as a matcher of all
    words in a text.

    The base segmenter's tables, not ``jieba.dt``'s: initializing jieba's global tokenizer too would read the
    dictionary a second time in every process (0.9 s), and a user dictionary loaded into it would change the
    model's features.
    """

    def __init__(self) -> None:
        from pipeline.text.segmenter import segmenter

        base = segmenter(())
        self.freq: dict[str, int] = base.tokenizer.FREQ
        self.word_tags: dict[str, str] = base.tagger.word_tag_tab
        self._class_cache: dict[str, int] = {}

    def _cls(self, word: str) -> int:
        c = self._class_cache.get(word)
        if c is None:
            c = self._class_cache[word] = _lex_class(self.word_tags.get(word))
        return c

    def masks(self, text: str) -> list[int]:
        """Bitmask per character: bit ``3*class + {0: B, 1: M, 2: E}`` of every matching word (len >= 2)."""
        n = len(text)
        out = [0] * n
        get = self.freq.get
        classes = self._class_cache
        # jieba's prefix dictionary holds every prefix of every word (frequency 0 if it is not a word itself),
        # so the scan from i starts at the two-character prefix: no word of two or more starts where it is absent
        for i in range(n - 1):
            k = i + 2
            frag = text[i:k]
            while (f := get(frag)) is not None:
                if f:
                    c = classes.get(frag)
                    base = 3 * (c if c is not None else self._cls(frag))
                    out[i] |= 1 << base
                    for m in range(i + 1, k - 1):
                        out[m] |= 1 << (base + 1)
                    out[k - 1] |= 1 << (base + 2)
                k += 1
                if k > n:
                    break
                frag = text[i:k]
        return out


@functools.lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon()


def doc_parts(doc: Doc, lexicon: Lexicon | None = None) -> DocParts:
    """Normalized characters, soft-word codes and lexicon masks for every character of ``doc.text``."""
    return doc_text_and_parts(doc, lexicon)[1]


def doc_text_and_parts(doc: Doc, lexicon: Lexicon | None = None) -> tuple[str, DocParts]:
    """``doc.text`` and :func:`doc_parts`, read together from the Doc's attribute arrays.

    Per token only the strings are looked up; word positions and tags per character are array operations.
    A ``Token`` object per token, or a Python list per character, cost more than the network's forward pass.
    """
    strings = doc.vocab.strings
    table = doc.to_array([ORTH, NORM, TAG, SPACY])
    if not len(table):
        empty = np.zeros(0, dtype=np.int32)
        return "", DocParts("", empty.astype(np.uint8), [], empty, empty)
    words = [strings[o] for o in table[:, 0].tolist()]
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    norm_words = words
    differs = np.flatnonzero(table[:, 1] != table[:, 0]).tolist()
    if differs:
        norm_words = list(words)
        for i in differs:
            norm = strings[int(table[i, 1])]
            if len(norm) == len(words[i]):  # a length-changing norm cannot be read per character: keep the text
                norm_words[i] = norm
    tags = table[:, 2]
    spaced = np.flatnonzero(table[:, 3]).tolist()
    if spaced:  # whitespace spaCy holds after a token is part of doc.text: one more character, tag _SP
        after = np.asarray(spaced) + 1
        lengths = np.insert(lengths, after, 1)
        tags = np.insert(tags, after, strings.add("_SP"))
        words, norm_words = _with_spaces(words, spaced), _with_spaces(norm_words, spaced)
    text = "".join(words)
    norm = text if norm_words is words else "".join(norm_words)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    seg = np.full(int(ends[-1]), SEG_CODES["M"], dtype=np.uint8)
    seg[starts] = SEG_CODES["B"]
    seg[ends - 1] = SEG_CODES["E"]
    seg[starts[lengths == 1]] = SEG_CODES["S"]
    tag_ids, tag_of_token = np.unique(tags, return_inverse=True)
    tag_names = [strings[int(t)] for t in tag_ids]
    tag_index = np.repeat(tag_of_token.astype(np.int32), lengths)
    lex = np.asarray((lexicon or default_lexicon()).masks(norm), dtype=np.int32)
    return text, DocParts(norm, seg, tag_names, tag_index, lex)


def _with_spaces(words: list[str], spaced: list[int]) -> list[str]:
    out = list(words)
    for i in reversed(spaced):
        out.insert(i + 1, " ")
    return out


_SENTENCE_END = re.compile("[。！？!?；\n]")
_CLOSING = frozenset("”’」』）)")


def chunk_bounds(text: str, max_len: int = 200) -> list[tuple[int, int]]:
    """Sentence-like chunks (cut after 。！？!?； and newlines), long ones cut again at commas or hard at ``max_len``.

    Closing quotes and brackets stay with their sentence. Whitespace-only chunks are dropped: nothing to tag
    there. The sentence ends are found by a regular expression, not a Python loop over every character.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        while end < n and text[end] in _CLOSING:
            end += 1
        bounds.extend(_cut_long(text, start, end, max_len))
        start = end
    if start < n:
        bounds.extend(_cut_long(text, start, n, max_len))
    return [(s, e) for s, e in bounds if s < e and text[s:e].strip()]


def _cut_long(text: str, start: int, end: int, max_len: int) -> list[tuple[int, int]]:
    pieces = []
    while end - start > max_len:
        window = text[start : start + max_len]
        cut = max(window.rfind(c) for c in "，,、：:")
        cut = start + cut + 1 if cut > max_len // 4 else start + max_len
        pieces.append((start, cut))
        start = cut
    pieces.append((start, end))
    return pieces


class FeatureVocab:
    """String -> id tables for characters, bigrams and POS tags, learned from training data only.

    Id 0 is padding, 1 is unknown; rare strings (below the min counts) map to unknown, so the unknown
    embeddings are trained on real rare items.
    """

    def __init__(self, chars: Sequence[str], bigrams: Sequence[str], tags: Sequence[str]) -> None:
        self.chars = {c: i + 2 for i, c in enumerate(chars)}
        self.bigrams = {b: i + 2 for i, b in enumerate(bigrams)}
        self.tags = {t: i + 2 for i, t in enumerate(tags)}

    @classmethod
    def build(
        cls,
        norms: Iterable[str],
        tag_seqs: Iterable[Sequence[str]],
        *,
        min_char: int,
        min_bigram: int,
        extra_chars: Sequence[str] = (),
        extra_bigrams: Sequence[str] = (),
    ) -> FeatureVocab:
        """Training strings above the min counts, then ``extra_*`` ones (those with pretrained vectors) not yet in."""
        cc: Counter[str] = Counter()
        bc: Counter[str] = Counter()
        tc: Counter[str] = Counter()
        for norm in norms:
            cc.update(norm)
            padded = BOS + norm + EOS
            bc.update(padded[i : i + 2] for i in range(len(padded) - 1))
        for tags in tag_seqs:
            tc.update(tags)
        # sorted by (-count, string): a deterministic order independent of corpus order
        chars = [c for c, k in sorted(cc.items(), key=lambda x: (-x[1], x[0])) if k >= min_char]
        bigrams = [b for b, k in sorted(bc.items(), key=lambda x: (-x[1], x[0])) if k >= min_bigram]
        tags = sorted(tc)
        seen_c, seen_b = set(chars), set(bigrams)
        chars += [c for c in extra_chars if c not in seen_c]
        bigrams += [b for b in extra_bigrams if b not in seen_b]
        return cls(chars, bigrams, tags)

    @functools.cached_property
    def _bigram_codes(self) -> tuple[dict[str, int], np.ndarray, np.ndarray, int]:
        """The bigram table as sorted integer codes: (code per character, sorted codes, their ids, radix).

        A bigram's code is ``left * radix + right`` over the characters that occur in any bigram, so the bigram
        ids of a text are one ``searchsorted``, not a two-character string and a dict lookup per character.
        """
        code: dict[str, int] = {}
        lefts: list[int] = []
        rights: list[int] = []
        bigram_ids: list[int] = []
        for bigram, i in self.bigrams.items():
            if len(bigram) == 2:  # the only kind a text is looked up with
                lefts.append(code.setdefault(bigram[0], len(code)))
                rights.append(code.setdefault(bigram[1], len(code)))
                bigram_ids.append(i)
        radix = len(code) + 1  # no character has the code radix - 1: a pair with an unknown right never matches
        keys = np.asarray(lefts, dtype=np.int64) * radix + np.asarray(rights, dtype=np.int64)
        order = np.argsort(keys)
        return code, keys[order], np.asarray(bigram_ids, dtype=np.int64)[order], radix

    def bigram_ids(self, norm: str) -> np.ndarray:
        """Ids of the ``len(norm) + 1`` bigrams of ``BOS + norm + EOS``: ``self.bigrams.get(pair, UNK)`` for each."""
        code, keys, ids, radix = self._bigram_codes
        padded = BOS + norm + EOS
        c = np.fromiter(map(code.get, padded, repeat(-1)), dtype=np.int64, count=len(padded))
        left, right = c[:-1], c[1:]
        if not len(keys):
            return np.full(len(left), UNK, dtype=np.int64)
        query = left * radix + right
        at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
        hit = (keys[at] == query) & (left >= 0) & (right >= 0)
        return np.where(hit, ids[at], UNK)

    def sizes(self) -> dict[str, int]:
        return {"chars": len(self.chars) + 2, "bigrams": len(self.bigrams) + 2, "tags": len(self.tags) + 2}

    def encode(self, parts: DocParts) -> dict[str, np.ndarray]:
        norm = parts.norm
        bi = self.bigram_ids(norm)
        tag_ids = np.array([self.tags.get(t, UNK) for t in parts.tag_names], dtype=np.int64)
        lex = np.asarray(parts.lex, dtype=np.int32)
        # map() over the lookups, not a generator: this runs once per character of every article
        return {
            "char": np.fromiter(map(self.chars.get, norm, repeat(UNK)), dtype=np.int64, count=len(norm)),
            "bl": bi[:-1],
            "br": bi[1:],
            "seg": np.asarray(parts.seg, dtype=np.int64),
            "tag": tag_ids[parts.tag_index] if len(tag_ids) else np.zeros(len(norm), dtype=np.int64),
            "lex": ((lex[:, None] >> _LEX_SHIFTS) & 1).astype(np.float32),
        }

    def to_json(self) -> dict[str, Any]:
        def ordered(table: dict[str, int]) -> list[str]:
            return [s for s, _ in sorted(table.items(), key=lambda x: x[1])]

        return {"chars": ordered(self.chars), "bigrams": ordered(self.bigrams), "tags": ordered(self.tags)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeatureVocab:
        return cls(data["chars"], data["bigrams"], data["tags"])


def slice_features(feats: dict[str, np.ndarray], start: int, end: int) -> dict[str, np.ndarray]:
    return {k: v[start:end] for k, v in feats.items()}
