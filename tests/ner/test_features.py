"""The NER input features: lexicon masks and encodings equal their plain definitions, on real and generated text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ner.features import BOS, EOS, UNK, DocParts, FeatureVocab, Lexicon, default_lexicon
from pipeline.text.segment import Token, build_doc

NEWS = "驻日美军司令部表示，美国国务卿布林肯将于下周访问日本东京和韩国首尔。中华人民共和国外交部回应。"


def reference_masks(lexicon: Lexicon, text: str) -> list[int]:
    """Every substring of two or more characters that is a dictionary word (frequency > 0), by brute force."""
    out = [0] * len(text)
    for i in range(len(text)):
        for k in range(i + 2, len(text) + 1):
            word = text[i:k]
            if lexicon.freq.get(word):
                base = 3 * lexicon._cls(word)
                out[i] |= 1 << base
                for m in range(i + 1, k - 1):
                    out[m] |= 1 << (base + 1)
                out[k - 1] |= 1 << (base + 2)
    return out


def test_masks_mark_every_dictionary_word_of_a_news_sentence() -> None:
    lexicon = default_lexicon()
    masks = lexicon.masks(NEWS)
    assert masks == reference_masks(lexicon, NEWS)
    start = NEWS.index("美军")
    assert masks[start] and masks[start + 1]  # 美军 is a word even where jieba cuts 日美军


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=list("中华人民共和国美军日本东京北京大学生外交部长 a1，。"), max_size=40))
def test_masks_equal_the_brute_force_definition(text: str) -> None:
    lexicon = default_lexicon()
    assert lexicon.masks(text) == reference_masks(lexicon, text)


def test_encode_looks_up_characters_bigrams_and_tags() -> None:
    vocab = FeatureVocab(chars=["美", "军"], bigrams=[BOS + "美", "美军"], tags=["n"])
    parts = DocParts("美军X", [1, 3, 4], ["n", "n", "x"], [0, 0, 0])
    feats = vocab.encode(parts)
    assert feats["char"].tolist() == [2, 3, UNK]
    padded = BOS + "美军X" + EOS
    bigrams = [vocab.bigrams.get(padded[i : i + 2], UNK) for i in range(len(padded) - 1)]
    assert feats["bl"].tolist() == bigrams[:-1] == [2, 3, UNK]
    assert feats["br"].tolist() == bigrams[1:] == [3, UNK, UNK]
    assert feats["tag"].tolist() == [2, 2, UNK]
    assert feats["lex"].dtype == np.float32 and feats["lex"].shape == (3, 15)


def test_doc_pos_of_whitespace_is_space_whatever_its_flag() -> None:
    text = "2024年 2025年"
    tokens = [Token(0, 4, "2024", "m"), Token(4, 5, "年", "m"), Token(5, 6, " ", "m"), Token(6, 10, "2025", "m")]
    tokens.append(Token(10, 11, "年", "m"))
    doc = build_doc(text, tokens)
    assert [t.pos_ for t in doc] == ["NUM", "NUM", "SPACE", "NUM", "NUM"]
    assert [t.tag_ for t in doc] == ["m"] * 5
