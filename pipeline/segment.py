"""The ``segment`` stage: jieba on the normalized text, tokens carried back onto the original text as a spaCy Doc.

Segmenting ``norm_text`` (t2s, half-width) is what makes traditional input segment like simplified input: the
jieba dictionary is simplified. Every token span is then mapped to ``article.text`` through ``norm_map``; the
Doc's text is exactly ``article.text`` (its words tile it, no trailing spaces), the normalized form goes in
``token.norm_``, jieba's flag in ``token.tag_`` and a Universal POS in ``token.pos_``.

Alignment rules, all deterministic:

* a jieba token that falls inside a length-changing OpenCC phrase (記憶|體 for 内存) cannot be carried back on
  its own: it is merged with its neighbours into one token covering the whole phrase;
* source text with no normalized counterpart (zero-width characters deleted by ``cleanup``) joins the word
  before it, or the one after it when that is whitespace (spaCy cannot store an empty ``norm_``, and an
  invisible token would only be noise in the records); so the tokens' ``norm_`` concatenate to ``norm_text``;
* whitespace runs (``\\r\\n``, blank lines, ideographic spaces) become single tokens tagged ``x``/``SPACE``.

Without a ``normalize`` stage before it, the stage segments the text as written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from pipeline.document import Article
from pipeline.errors import ConfigError
from pipeline.jieba_seg import Segmenter, check_user_dicts, segmenter
from pipeline.normalize import normalize_text
from pipeline.offsets import OffsetMap
from pipeline.registry import register_stage

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

# jieba (ICTCLAS-style) flags -> Universal POS. Localizers (f: 上, 里) are ADP and classifiers (q) NOUN, as in
# the UD Chinese treebanks; proper-noun flags (nr*, ns, nt, nz) and abbreviations (j: 中共, 北约) are PROPN;
# idioms and set phrases (i, l) have no single UD class and stay X. ``x`` is decided by the characters.
UPOS_OF_FLAG: dict[str, str] = {
    "a": "ADJ", "ad": "ADV", "ag": "ADJ", "an": "NOUN", "b": "ADJ", "c": "CCONJ",
    "d": "ADV", "df": "ADV", "dg": "ADV", "e": "INTJ", "eng": "X", "f": "ADP", "g": "X", "h": "PART",
    "i": "X", "j": "PROPN", "k": "PART", "l": "X", "m": "NUM", "mg": "NUM", "mq": "NUM",
    "n": "NOUN", "ng": "NOUN", "nl": "NOUN", "nr": "PROPN", "nrfg": "PROPN", "nrt": "PROPN",
    "ns": "PROPN", "nt": "PROPN", "nz": "PROPN", "o": "INTJ", "p": "ADP", "q": "NOUN",
    "r": "PRON", "rg": "PRON", "rr": "PRON", "rz": "PRON", "s": "NOUN", "t": "NOUN", "tg": "NOUN",
    "u": "PART", "ud": "PART", "ug": "PART", "uj": "PART", "ul": "PART", "uv": "PART", "uz": "PART",
    "v": "VERB", "vd": "VERB", "vg": "VERB", "vi": "VERB", "vn": "VERB", "vq": "VERB",
    "y": "PART", "yg": "PART", "z": "ADJ", "zg": "ADJ",
}  # fmt: skip
LINK_TAG = "nz"  # flag of a forced link token that jieba's dictionary does not know
LINK_WORD_MODES = ("none", "article")


def upos(flag: str, text: str) -> str:
    """Universal POS of a token from its jieba flag (and, for ``x``/unknown flags, its characters)."""
    if text.isspace():
        return "SPACE"
    if flag in UPOS_OF_FLAG:
        return UPOS_OF_FLAG[flag]
    cats = {unicodedata.category(c)[0] for c in text}
    if cats == {"P"}:
        return "PUNCT"
    if cats <= {"P", "S"}:
        return "SYM"
    return "X"


class Token(NamedTuple):
    """A token on the original text: ``text[start:end]`` is its surface, ``norm`` its normalized form."""

    start: int
    end: int
    norm: str
    tag: str


def cut_normalized(
    norm_text: str,
    seg: Segmenter,
    *,
    hmm: bool = True,
    pos: bool = True,
    forced: list[tuple[int, int]] | None = None,
) -> list[Token]:
    """jieba tokens of ``norm_text`` as spans of it; each ``forced`` span (sorted, disjoint) is one token."""
    tokens: list[Token] = []
    pos_in = 0
    for f0, f1 in [*(forced or []), (len(norm_text), len(norm_text))]:
        for word, flag in seg.cut(norm_text[pos_in:f0], hmm=hmm, pos=pos):
            tokens.append(Token(pos_in, pos_in + len(word), word, flag))
            pos_in += len(word)
        if f1 > f0:
            word = norm_text[f0:f1]
            tokens.append(Token(f0, f1, word, seg.tag_of(word, LINK_TAG) if pos else ""))
            pos_in = f1
    return tokens


def align_tokens(text: str, norm_tokens: list[Token], norm_map: OffsetMap) -> list[Token]:
    """Carry tokens of the normalized text onto ``text`` so they tile it exactly (rules in the module doc)."""
    identity = norm_map.is_identity
    out: list[Token] = []
    pending = ""  # normalized text with no source (insertions), given to the next token
    for tok in norm_tokens:
        start, end = (tok.start, tok.end) if identity else norm_map.to_source(tok.start, tok.end)
        prev_end = out[-1].end if out else 0
        if start == end:
            if out and out[-1].end == start:
                out[-1] = out[-1]._replace(norm=out[-1].norm + tok.norm)
            else:
                pending += tok.norm
            continue
        if start < prev_end:  # inside a replacement already covered: merge, keep the longer token's tag
            last = out[-1]
            tag = last.tag if len(last.norm) >= len(tok.norm) else tok.tag
            out[-1] = Token(last.start, max(last.end, end), last.norm + pending + tok.norm, tag)
            pending = ""
            continue
        if start > prev_end:  # source text that produced nothing
            out.append(Token(prev_end, start, "", "x"))
        out.append(Token(start, end, pending + tok.norm, tok.tag))
        pending = ""
    if out and out[-1].end < len(text):
        out.append(Token(out[-1].end, len(text), pending, "x"))
    elif not out and text:
        out.append(Token(0, len(text), pending, "x"))
    return _merge_whitespace(text, _attach_deleted(text, out))


def _attach_deleted(text: str, tokens: list[Token]) -> list[Token]:
    """Give each token with no normalized text to a neighbouring word (the one before, else the one after)."""
    if all(t.norm for t in tokens):
        return tokens
    out: list[Token] = []
    carry: Token | None = None  # deleted text waiting for the next word
    for tok in tokens:
        if not tok.norm:
            if out and not text[out[-1].start : out[-1].end].isspace() and out[-1].norm:
                last = out[-1]
                out[-1] = last._replace(end=tok.end)
            elif carry is not None:
                carry = carry._replace(end=tok.end)
            else:
                carry = tok
            continue
        if carry is not None:
            if text[tok.start : tok.end].isspace():
                out.append(carry)
            else:
                tok = tok._replace(start=carry.start)
            carry = None
        out.append(tok)
    if carry is not None:
        out.append(carry)
    return out


def _merge_whitespace(text: str, tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    for tok in tokens:
        if merged and text[tok.start : tok.end].isspace() and text[merged[-1].start : merged[-1].end].isspace():
            last = merged[-1]
            merged[-1] = Token(last.start, tok.end, last.norm + tok.norm, last.tag)
        else:
            merged.append(tok)
    return merged


@cache
def shared_vocab() -> Vocab:
    """A Chinese vocab (its lexical attributes: like_num for 一二三, stop words); the blank "zh" pipeline's
    default segmenter is "char", which needs no extra package."""
    import spacy

    return spacy.blank("zh").vocab


def build_doc(text: str, tokens: list[Token], vocab: Vocab | None = None) -> Doc:
    """A Doc whose text is exactly ``text``, with norm_, tag_ and pos_ from the tokens."""
    # spaCy is imported here, not at module level: classifiers that only need normalized_tokens stay light
    import numpy
    from spacy.attrs import NORM, POS, TAG
    from spacy.symbols import IDS as SYMBOL_IDS
    from spacy.tokens import Doc

    vocab = vocab or shared_vocab()
    words = [text[t.start : t.end] for t in tokens]
    doc = Doc(vocab, words=words, spaces=[False] * len(words))
    if tokens:
        strings = vocab.strings
        values = numpy.array(
            [
                (strings.add(t.norm), strings.add(t.tag), SYMBOL_IDS[upos(t.tag, w)])
                for t, w in zip(tokens, words, strict=True)
            ],
            dtype="uint64",
        )
        doc.from_array([NORM, TAG, POS], values)
    return doc


def normalized_tokens(text: str, *, opencc: str = "t2s", hmm: bool = True) -> list[str]:
    """Normalized (OpenCC, half-width) jieba tokens of a raw string, whitespace dropped.

    The same normalizer and segmenter as the default ``normalize`` + ``segment`` stages, so features a
    classifier learns from these tokens match the ``norm_`` of the tokens it sees in the pipeline.
    """
    norm, norm_map = normalize_text(text, opencc)
    tokens = align_tokens(text, cut_normalized(norm, segmenter(), hmm=hmm), norm_map)
    return [t.norm for t in tokens if t.norm and not t.norm.isspace()]


@dataclass(frozen=True)
class SegmentStage:
    """Holds only its options (jieba tokenizers live in a per-process cache), so it pickles to workers."""

    hmm: bool = True
    user_dicts: tuple[str, ...] = ()
    link_words: str = "none"
    pos: bool = True
    name: str = "segment"

    def __call__(self, article: Article) -> Article:
        text = article.text
        if article.norm_text is None or article.norm_map is None:
            norm_text, norm_map = text, OffsetMap.identity(len(text))
        else:
            norm_text, norm_map = article.norm_text, article.norm_map
        forced = self._link_spans(article, norm_map) if self.link_words == "article" else None
        seg = segmenter(self.user_dicts)
        norm_tokens = cut_normalized(norm_text, seg, hmm=self.hmm, pos=self.pos, forced=forced)
        article.doc = build_doc(text, align_tokens(text, norm_tokens, norm_map))
        return article

    @staticmethod
    def _link_spans(article: Article, norm_map: OffsetMap) -> list[tuple[int, int]]:
        """The article's link spans on the normalized text, sorted; a link overlapping an earlier one is skipped."""
        spans: list[tuple[int, int]] = []
        for start, end in sorted((link.start, link.end) for link in article.links):
            if end <= start or end > norm_map.source_length:
                continue
            span = norm_map.to_derived(start, end)
            if span[1] > span[0] and (not spans or span[0] >= spans[-1][1]):
                spans.append(span)
        return spans


@register_stage("segment")
def make_segment(
    *, hmm: bool = True, user_dicts: list[str] | None = None, link_words: str = "none", pos: bool = True
) -> SegmentStage:
    """Options: ``hmm``, ``pos`` (booleans), ``user_dicts`` (jieba user dictionary paths), ``link_words``
    (``"none"``, or ``"article"``: each of the article's own link spans is kept as one token)."""
    for key, value in (("hmm", hmm), ("pos", pos)):
        if not isinstance(value, bool):
            raise ConfigError(f"segment: {key} must be true or false, not {value!r}")
    if link_words not in LINK_WORD_MODES:
        raise ConfigError(f"segment: link_words must be one of {', '.join(LINK_WORD_MODES)}, not {link_words!r}")
    return SegmentStage(hmm, check_user_dicts(user_dicts or []), link_words, pos)
