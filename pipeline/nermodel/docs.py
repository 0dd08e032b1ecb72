"""Docs for NER training and evaluation, built the way a ``zhnews run`` builds them.

The model's features come from the Doc (``token.norm_``, ``token.tag_``, token boundaries), so training data
must go through the same normalize + segment stages as run-time articles; otherwise the model learns from
features it never sees in production. When those stages are not importable (a partial checkout), an
equivalent fallback (OpenCC t2s + half-width, ``jieba.posseg`` precise mode) keeps training possible.
"""

from __future__ import annotations

import functools
from typing import Any

import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.document import Article
from pipeline.errors import ConfigError


@functools.lru_cache(maxsize=4)
def _pipeline_stages(hmm: bool) -> tuple[Any, Any] | None:
    try:
        from pipeline.registry import create_stage

        normalize = create_stage("normalize", {})
        segment = create_stage("segment", {"hmm": hmm})
    except ConfigError:
        return None
    return normalize, segment


@functools.lru_cache(maxsize=1)
def _vocab() -> Vocab:
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}}).vocab


def make_doc(text: str, *, hmm: bool = True, use_stages: bool = True) -> Doc:
    """A segmented Doc for ``text`` (its text equals ``text``), as the normalize + segment stages make it."""
    stages = _pipeline_stages(hmm) if use_stages else None
    if stages is not None:
        article = Article(id="ner", path="<ner>", text=text)
        for stage in stages:
            article = stage(article)
        if article.doc is not None and article.doc.text == text:
            return article.doc
    return fallback_doc(text, hmm=hmm)


_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s.json")


def fallback_normalize(text: str) -> str:
    """Length-preserving t2s + half-width (per character where OpenCC's phrase rules would change length)."""
    conv = _t2s().convert(text)
    if len(conv) != len(text):
        conv = "".join(c2 if len(c2 := _t2s().convert(c)) == 1 else c for c in text)
    return conv.translate(_HALF)


def fallback_doc(text: str, *, hmm: bool = True) -> Doc:
    """jieba.posseg over the normalized text, tokens mapped back onto the original characters."""
    import jieba.posseg as pseg

    norm = fallback_normalize(text)
    words: list[str] = []
    norms: list[str] = []
    tags: list[str] = []
    pos = 0
    for pair in pseg.cut(norm, HMM=hmm):
        w = pair.word
        words.append(text[pos : pos + len(w)])
        norms.append(w)
        tags.append(pair.flag)
        pos += len(w)
    doc = Doc(_vocab(), words=words, spaces=[False] * len(words))
    for tok, n, t in zip(doc, norms, tags, strict=True):
        tok.norm_ = n
        tok.tag_ = t
    return doc
