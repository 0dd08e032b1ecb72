"""The NER input features: lexicon masks and encodings equal their plain definitions, on real and generated text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from pipeline.ner.features import (
    BOS,
    EOS,
    SEG_CODES,
    UNK,
    DocParts,
    FeatureVocab,
    Lexicon,
    default_lexicon,
    doc_text_and_parts,
)
from pipeline.text.segment import Token, build_doc, shared_vocab

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


def per_character_parts(doc: Doc) -> tuple[str, str, list[int], list[str]]:
    """Text, norm, word positions and tags by the definition, one Token at a time."""
    text = norm = ""
    seg: list[int] = []
    tags: list[str] = []
    for tok in doc:
        n = len(tok.text)
        text += tok.text_with_ws
        norm += (tok.norm_ if len(tok.norm_) == n else tok.text) + tok.whitespace_
        seg += [SEG_CODES["S"]] if n == 1 else [SEG_CODES["B"], *[SEG_CODES["M"]] * (n - 2), SEG_CODES["E"]]
        tags += [tok.tag_] * n
        if tok.whitespace_:
            seg.append(SEG_CODES["S"])
            tags.append("_SP")
    return text, norm, seg, tags


def assert_parts_by_definition(doc: Doc) -> None:
    text, parts = doc_text_and_parts(doc)
    ref_text, ref_norm, ref_seg, ref_tags = per_character_parts(doc)
    assert text == ref_text == doc.text
    assert parts.norm == ref_norm
    assert parts.seg.tolist() == ref_seg
    assert parts.tags == ref_tags
    assert parts.lex.tolist() == default_lexicon().masks(ref_norm)


def test_doc_parts_of_a_segmented_traditional_article_follow_the_definition() -> None:
    """A length-changing normalization (記憶體 -> 内存) keeps the source characters; the rest reads token.norm_."""
    text = "駐日美軍表示，記憶體價格上漲。Chuck Schumer 說：２０２４年"
    norms = [
        "驻日",
        "美军",
        "表示",
        "，",
        "内存",
        "价格",
        "上涨",
        "。",
        "Chuck",
        " ",
        "Schumer",
        " ",
        "说",
        "：",
        "2024",
        "年",
    ]
    words, tags, pos = [], ["v", "n", "v", "x", "n", "n", "v", "x", "eng", "x", "eng", "x", "v", "x", "m", "m"], 0
    for norm in norms:
        n = 3 if norm == "内存" else len(norm)
        words.append(text[pos : pos + n])
        pos += n
    tokens, start = [], 0
    for w, norm, tag in zip(words, norms, tags, strict=True):
        tokens.append(Token(start, start + len(w), norm, tag))
        start += len(w)
    assert_parts_by_definition(build_doc(text, tokens))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet=list("美军日本東京大學生a1，"), min_size=1, max_size=4),
            st.sampled_from(["", "n", "ns", "eng"]),
            st.booleans(),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_doc_parts_equal_their_per_token_definition(tokens: list[tuple[str, str, bool, bool]]) -> None:
    """Any words, tags, trailing spaces and norms (the same, or of another length): the array code agrees."""
    words = [w for w, _, _, _ in tokens]
    doc = Doc(shared_vocab(), words=words, spaces=[sp for _, _, sp, _ in tokens])
    for tok, (w, tag, _, longer) in zip(doc, tokens, strict=True):
        tok.tag_ = tag
        tok.norm_ = w + "x" if longer else w[::-1]
    assert_parts_by_definition(doc)


def test_encode_looks_up_characters_bigrams_and_tags() -> None:
    vocab = FeatureVocab(chars=["美", "军"], bigrams=[BOS + "美", "美军"], tags=["n"])
    parts = DocParts("美军X", np.array([1, 3, 4]), ["n", "x"], np.array([0, 0, 1]), np.zeros(3, dtype=np.int32))
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


def test_cached_parts_read_back_what_extraction_gave(tmp_path: Path) -> None:
    from pipeline.ner.data import cached_parts, extract_parts

    texts = [NEWS, "韩冰冰 与 林芳正在东京会面", "２０２４年"]
    fresh = extract_parts(texts, hmm=False)
    cached_parts(texts, hmm=False, cache_dir=tmp_path)  # writes the cache
    assert len(list(tmp_path.glob("parts-*.npz"))) == 1
    for a, b in zip(fresh, cached_parts(texts, hmm=False, cache_dir=tmp_path), strict=True):
        assert (a.norm, a.seg.tolist(), a.tags, a.lex.tolist()) == (b.norm, b.seg.tolist(), b.tags, b.lex.tolist())


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=list("美军日本东京中国\x02\x03a"), max_size=30))
def test_bigram_ids_are_the_table_lookups_of_each_pair(text: str) -> None:
    """Known and unknown characters, the boundary markers inside the text, pairs absent from the table."""
    vocab = FeatureVocab(chars=["美"], bigrams=[BOS + "美", "美军", "日本", "本" + EOS, "东京", "京a", "aa"], tags=[])
    padded = BOS + text + EOS
    assert vocab.bigram_ids(text).tolist() == [vocab.bigrams.get(padded[i : i + 2], UNK) for i in range(len(text) + 1)]
    assert FeatureVocab([], [], []).bigram_ids(text).tolist() == [UNK] * (len(text) + 1)
