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
import operator
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
    """What the features need from a Doc: normalized characters and per-character jieba information."""

    norm: str
    seg: list[int]  # SEG_CODES per character
    tags: list[str]  # POS tag of the character's token
    lex: list[int]  # lexicon bitmask per character (N_LEX bits)


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
        freq = self.freq
        classes = self._class_cache
        # jieba's prefix dictionary holds every prefix of every word (frequency 0 if it is not a word itself),
        # so the scan from i starts at the two-character prefix: no word of two or more starts where it is absent
        for i in range(n - 1):
            k = i + 2
            frag = text[i:k]
            while frag in freq:
                if freq[frag]:
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
    """Normalized characters, soft-word codes and lexicon masks for every character of ``doc.text``.

    Reads the Doc as attribute arrays and string lookups: a ``Token`` object per token cost more than the
    network's forward pass.
    """
    strings = doc.vocab.strings
    norm_pieces: list[str] = []
    seg: list[int] = []
    tags: list[str] = []
    for orth_id, norm_id, tag_id, space in doc.to_array([ORTH, NORM, TAG, SPACY]).tolist():
        text = strings[orth_id]
        n = len(text)
        norm = strings[norm_id]
        norm_pieces.append(norm if len(norm) == n else text)
        if n == 1:
            seg.append(4)
        else:
            seg.append(1)
            seg.extend([2] * (n - 2))
            seg.append(3)
        tags.extend([strings[tag_id]] * n)
        # spaCy may hold whitespace after a token; it is part of doc.text
        if space:
            norm_pieces.append(" ")
            seg.append(4)
            tags.append("_SP")
    norm = "".join(norm_pieces)
    lex = (lexicon or default_lexicon()).masks(norm)
    return DocParts(norm, seg, tags, lex)


def chunk_bounds(text: str, max_len: int = 200) -> list[tuple[int, int]]:
    """Sentence-like chunks (cut after 。！？!?； and newlines), long ones cut again at commas or hard at ``max_len``.

    Whitespace-only chunks are dropped: nothing to tag there.
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for i, ch in enumerate(text):
        if ch in "。！？!?；\n" or i == n - 1:
            end = i + 1
            # keep closing quotes with their sentence
            while end < n and text[end] in "”’」』）)":
                end += 1
            if end > start:
                bounds.extend(_cut_long(text, start, end, max_len))
            start = end
    out = []
    for s, e in bounds:
        if s < e and text[s:e].strip():
            out.append((s, e))
    return out


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

    def sizes(self) -> dict[str, int]:
        return {"chars": len(self.chars) + 2, "bigrams": len(self.bigrams) + 2, "tags": len(self.tags) + 2}

    def encode(self, parts: DocParts) -> dict[str, np.ndarray]:
        norm = parts.norm
        padded = BOS + norm + EOS
        # map() over the lookups, not generators: this runs once per character of every article
        bi = np.fromiter(
            map(self.bigrams.get, map(operator.add, padded[:-1], padded[1:]), repeat(UNK)),
            dtype=np.int64,
            count=len(padded) - 1,
        )
        lex = np.asarray(parts.lex, dtype=np.int32)
        return {
            "char": np.fromiter(map(self.chars.get, norm, repeat(UNK)), dtype=np.int64, count=len(norm)),
            "bl": bi[:-1],
            "br": bi[1:],
            "seg": np.asarray(parts.seg, dtype=np.int64),
            "tag": np.fromiter(map(self.tags.get, parts.tags, repeat(UNK)), dtype=np.int64, count=len(parts.tags)),
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
