"""The no-HMM tagger must give exactly jieba.posseg's words and flags: the records' tokens and the NER model's
features are made of them."""

from __future__ import annotations

import marshal
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.text.segmenter import segmenter

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"

# dictionary words and characters that build ambiguous graphs, Latin, digits, jieba's block characters
# (+#&._), whitespace posseg keeps, and punctuation it tags x
ALPHABET = [
    *"中国美日的了在是人有我他这个们来到时大地为子说生年着就和要出也得里后自以会家可下而过天去能对小多",
    "研究生",
    "南京市长江大桥",
    "中华人民共和国",
    "乒乓球拍卖完了",
    *"abcXYZ0123.+#&_%-",
    *" \n\r\t\u3000，。·．！？「」",
]


def posseg(text: str) -> list[tuple[str, str]]:
    return [(p.word, p.flag) for p in segmenter().tagger.cut(text, HMM=False)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=40).map("".join))
def test_no_hmm_tagger_equals_posseg_on_generated_text(text: str) -> None:
    assert segmenter().tag_no_hmm(text) == posseg(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "日本外相林芳正在东京说，COVID-19疫情下3.5%的人……",
        "美国总统拜登与中共领导人习近平在旧金山会面。\r\n\r\n  第二段 Chuck Schumer 表示",
        "台灣的WHA觀察員資格，世衛大會2022年5月22日在日內瓦舉行",
        "C++ 与 C# 的 a.b_c&d 写法",
    ],
)
def test_no_hmm_tagger_equals_posseg_on_news_text(text: str) -> None:
    assert segmenter().tag_no_hmm(text) == posseg(text)


def test_no_hmm_tagger_sees_user_dictionary_words(tmp_path: Path) -> None:
    words = tmp_path / "user.txt"
    words.write_text("新中国联邦 10 nt\n喜马拉雅农场 10 nt\n", encoding="utf-8")
    seg = segmenter((str(words),))
    text = "新中国联邦和喜马拉雅农场发表声明"
    out = seg.tag_no_hmm(text)
    assert ("新中国联邦", "nt") in out and ("喜马拉雅农场", "nt") in out
    assert out == [(p.word, p.flag) for p in seg.tagger.cut(text, HMM=False)]


@pytest.mark.skipif(not (SHARED / "gnews_ourhimalayas").is_dir(), reason="needs ../shared/data")
def test_no_hmm_tagger_equals_posseg_on_real_articles() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "gnews_ourhimalayas").rglob("*.md"))[:60]]
    seg = segmenter()
    for text in texts:
        assert seg.tag_no_hmm(text) == posseg(text)


def test_the_prefix_dictionary_is_jiebas_own_from_its_cache() -> None:
    from pipeline.text.segmenter import _initialize

    fast = jieba.Tokenizer()
    _initialize(fast)
    reference = jieba.Tokenizer()
    reference.initialize()
    assert fast.initialized and fast.total == reference.total
    assert fast.FREQ == reference.FREQ


def test_a_broken_cache_is_rebuilt_by_jieba(tmp_path: Path) -> None:
    from pipeline.text.segmenter import _initialize

    (tmp_path / "jieba.cache").write_bytes(b"\x00 not a marshal file")
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(tmp_path)
    _initialize(tokenizer)
    assert tokenizer.initialized and tokenizer.FREQ["中华人民共和国"] > 0
    freq, total = marshal.loads((tmp_path / "jieba.cache").read_bytes())  # jieba wrote a good one back
    assert total == tokenizer.total and freq == tokenizer.FREQ
