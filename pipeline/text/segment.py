"""Segmentation: jieba on the normalized text, tokens carried back onto the original text, and a spaCy Doc of them.

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

The ``segment`` stage (:mod:`pipeline.stages.segment`) and the spaCy tokenizer (:mod:`pipeline.text.tokenizer`)
both call :func:`segment_text`, so a Doc made by ``spacy.load`` equals the one a run makes.
"""

from __future__ import annotations

import operator
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from pipeline.text.offsets import OffsetMap
from pipeline.text.segmenter import Segmenter, segmenter

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
    new = tuple.__new__  # a NamedTuple's own __new__ is a Python function: a fifth of this loop's time
    for f0, f1 in [*(forced or []), (len(norm_text), len(norm_text))]:
        for word, flag in seg.cut(norm_text[pos_in:f0], hmm=hmm, pos=pos):
            end = pos_in + len(word)
            tokens.append(new(Token, (pos_in, end, word, flag)))
            pos_in = end
        if f1 > f0:
            word = norm_text[f0:f1]
            tokens.append(Token(f0, f1, word, seg.tag_of(word, LINK_TAG) if pos else ""))
            pos_in = f1
    return tokens


def align_tokens(text: str, norm_tokens: list[Token], norm_map: OffsetMap) -> list[Token]:
    """Carry tokens of the normalized text onto ``text`` so they tile it exactly (rules in the module doc)."""
    if norm_map.is_identity:  # most simplified articles: the tokens tile ``text`` already, one to one
        return _merge_whitespace(text, norm_tokens)
    out: list[Token] = []
    pending = ""  # normalized text with no source (insertions), given to the next token
    for tok, (start, end) in zip(
        norm_tokens, norm_map.spans_to_source([(t.start, t.end) for t in norm_tokens]), strict=True
    ):
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
    """A Doc whose text is exactly ``text``, with norm_, tag_ and pos_ from the tokens.

    Columns, not rows: the strings are interned with ``map``, whitespace is read from the Doc's own lexemes,
    and the Universal POS is looked up once per flag; only tokens whose POS depends on their characters (flags
    outside :data:`UPOS_OF_FLAG`: ``x``, ``eng``, a user dictionary's own) are looked at one by one.
    """
    # spaCy is imported here, not at module level: classifiers that only need normalized_tokens stay light
    import numpy
    from spacy.attrs import IS_SPACE, NORM, ORTH, POS, TAG
    from spacy.symbols import IDS as SYMBOL_IDS
    from spacy.tokens import Doc

    vocab = vocab or shared_vocab()
    words = [text[t.start : t.end] for t in tokens]
    doc = Doc(vocab, words=words, spaces=[False] * len(words))
    if not tokens:
        return doc
    add = vocab.strings.add
    flags = [t.tag for t in tokens]
    norms = [t.norm for t in tokens]
    # a token's norm is mostly its text, whose id the Doc holds already: intern only the others
    orth_space = doc.to_array([ORTH, IS_SPACE])
    norm_ids = orth_space[:, 0].copy()
    for i in numpy.flatnonzero(numpy.fromiter(map(operator.ne, norms, words), dtype=bool, count=len(words))).tolist():
        norm_ids[i] = add(norms[i])
    distinct = sorted(set(flags))
    flag_ids = numpy.array(
        [(add(f), SYMBOL_IDS[UPOS_OF_FLAG[f]] if f in UPOS_OF_FLAG else 0) for f in distinct], dtype="uint64"
    )
    which = numpy.fromiter(map({f: k for k, f in enumerate(distinct)}.__getitem__, flags), dtype=numpy.intp)
    tag_ids, pos_ids = flag_ids[which].T
    for i in numpy.flatnonzero(pos_ids == 0).tolist():
        pos_ids[i] = _pos_by_characters(flags[i], words[i])
    pos_ids[orth_space[:, 1].astype(bool)] = SYMBOL_IDS["SPACE"]
    doc.from_array([NORM, TAG, POS], numpy.stack([norm_ids, tag_ids, pos_ids], axis=1))  # type: ignore[arg-type]
    return doc


@lru_cache(maxsize=65536)
def _pos_by_characters(flag: str, word: str) -> int:
    """The POS symbol id of a token whose flag does not decide it (mostly punctuation: few distinct words)."""
    from spacy.symbols import IDS as SYMBOL_IDS

    return SYMBOL_IDS[upos(flag, word)]


def segment_text(
    text: str,
    norm_text: str,
    norm_map: OffsetMap,
    *,
    hmm: bool = True,
    pos: bool = True,
    user_dicts: tuple[str, ...] = (),
    forced: list[tuple[int, int]] | None = None,
) -> list[Token]:
    """jieba tokens of ``norm_text`` carried onto ``text``, tiling it (see the module docstring)."""
    norm_tokens = cut_normalized(norm_text, segmenter(user_dicts), hmm=hmm, pos=pos, forced=forced)
    return align_tokens(text, norm_tokens, norm_map)


def title_norms(
    text: str,
    title: str | None,
    tokens: list[Token],
    norm_title: str | None,
    *,
    hmm: bool = True,
    user_dicts: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """The title's normalized tokens: read off ``tokens`` when ``text`` starts with the title (a Markdown
    article), else cut from ``norm_title`` with the same jieba settings (a JSONL title kept apart from its body)."""
    if not title:
        return ()
    if text.startswith(title):
        end = len(title)
        return tuple(t.norm for t in tokens if t.end <= end and t.norm and not t.norm.isspace())
    words = (w for w, _ in segmenter(user_dicts).cut(norm_title or title, hmm=hmm, pos=False))
    return tuple(w for w in words if not w.isspace())
