"""Docs for NER training, made by the tokenizer a saved model uses at run time.

The model's features come from the Doc (``token.norm_``, ``token.tag_``, token boundaries), so training Docs must
be made the way ``zhnews run`` and ``spacy.load(...)(text)`` make them: by :class:`pipeline.text.tokenizer.
NewsTokenizer`, which calls the same normalize and segment functions as the stages. Only jieba's HMM varies:
the model is trained on both segmentations so that either segment setting works.
"""

from __future__ import annotations

import functools

from spacy.tokens import Doc

from pipeline.text.segment import shared_vocab
from pipeline.text.tokenizer import NewsTokenizer


@functools.lru_cache(maxsize=4)
def _tokenizer(hmm: bool) -> NewsTokenizer:
    return NewsTokenizer(shared_vocab(), hmm=hmm)


def make_doc(text: str, *, hmm: bool = True) -> Doc:
    """A segmented Doc for ``text`` (its text equals ``text``), as the run-time tokenizer makes it."""
    return _tokenizer(hmm)(text)
