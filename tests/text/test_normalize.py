"""The normalize stage: OpenCC with exact offsets, full-width folding, clean-up, script detection."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core import registry
from pipeline.core.article import Article
from pipeline.errors import ConfigError
from pipeline.stages.normalize import make_normalize
from pipeline.text.normalize import clean_text, normalize_text
from pipeline.text.opencc_align import converter, valid_configs
from pipeline.text.script import detect_script


def spans_of(text: str, norm: str, norm_map: object) -> list[tuple[str, str]]:
    """(source, normalized) text of every piece that is not mapped char by char."""
    return [
        (text[p.src_start : p.src_end], norm[p.dst_start : p.dst_end])
        for p in norm_map.pieces  # type: ignore[attr-defined]
        if not p.equal
    ]


@pytest.mark.parametrize(
    ("config", "text", "expected"),
    [
        ("t2s", "軟體與記憶體的發展", "软体与记忆体的发展"),
        ("s2t", "发展软件", "發展軟件"),
        ("tw2s", "網路軟體", "网路软体"),
        ("tw2sp", "網路軟體", "网络软件"),
        ("hk2s", "衞生署的裏面", "卫生署的里面"),
        ("s2twp", "内存和软件", "記憶體和軟體"),
        ("t2tw", "裏面", "裡面"),
    ],
)
def test_opencc_configs_convert_and_map_every_char_back(config: str, text: str, expected: str) -> None:
    norm, norm_map = normalize_text(text, config)
    assert norm == expected
    assert (norm_map.source_length, norm_map.derived_length) == (len(text), len(norm))
    for k in range(len(norm)):  # every normalized char maps into the source, within the piece that made it
        s0, s1 = norm_map.to_source(k, k + 1)
        assert 0 <= s0 < s1 <= len(text)


def test_length_changing_phrases_map_to_exactly_their_source() -> None:
    text = "我的内存和软件很好，鼠标坏了。U盘在这里"
    norm, norm_map = normalize_text(text, "s2twp")
    assert norm == "我的記憶體和軟體很好，滑鼠壞了。隨身碟在這裡"
    assert spans_of(text, norm, norm_map) == [("内存", "記憶體"), ("软件", "軟體"), ("鼠标", "滑鼠"), ("U盘", "隨身碟")]
    start = norm.index("記憶體")
    assert norm_map.to_source(start, start + 3) == (2, 4)
    assert norm_map.to_source(start + 1, start + 2) == (2, 4)  # part of a phrase maps to the whole phrase
    after = norm.index("和")
    assert text[slice(*norm_map.to_source(after, after + 1))] == "和"


def test_a_phrase_whose_first_char_converts_alone_is_still_one_piece() -> None:
    # 網 → 网 on its own too, but 網路 → 网络 is a phrase: the alignment must not take 網 alone
    text = "網路和記憶體、軟體"
    norm, norm_map = normalize_text(text, "tw2sp")
    assert norm == "网络和内存、软件"
    assert spans_of(text, norm, norm_map) == [("網路", "网络"), ("記憶體", "内存"), ("軟體", "软件")]


def test_same_length_phrases_keep_the_source_that_made_them() -> None:
    text = "乾隆時頭髮乾燥"
    norm, norm_map = normalize_text(text, "t2s")
    assert norm == "乾隆时头发干燥"
    assert ("乾隆", "乾隆") in spans_of(text, norm, norm_map)


def test_fullwidth_ascii_folds_but_chinese_punctuation_stays() -> None:
    text = "２０２２年，ＧＤＰ增长３．５％（初步）：好！　Ｈｅｌｌｏ？"
    norm, norm_map = normalize_text(text, "none")
    assert norm == "2022年，GDP增长3.5%（初步）：好！ Hello？"
    assert norm_map.is_identity


def test_fullwidth_folding_can_be_turned_off() -> None:
    assert normalize_text("ＧＤＰ　增长", "none", fullwidth=False)[0] == "ＧＤＰ　增长"


def test_cleanup_deletes_zero_width_chars_and_keeps_offsets() -> None:
    text = "中\u200b国\ufeff人民\u00a0银行"
    norm, norm_map = normalize_text(text, "t2s")
    assert norm == "中国人民 银行"
    assert norm_map.to_source(0, 2) == (0, 3)  # the zero-width space inside the word stays inside it
    assert norm_map.to_source(2, 4) == (4, 6)  # the BOM before 人民 is left out
    assert normalize_text(text, "none", cleanup=False)[0] == "中\u200b国\ufeff人民\u00a0银行"


def test_cleanup_and_opencc_compose_through_deletions() -> None:
    text = "内\u200b存很大"  # the deleted char sits inside the phrase 内存 → 記憶體
    norm, norm_map = normalize_text(text, "s2twp")
    assert norm == "記憶體很大"
    assert norm_map.to_source(0, 3) == (0, 3)
    assert norm_map.to_source(3, 4) == (3, 4)


def test_unknown_opencc_config_is_a_config_error_listing_valid_ones() -> None:
    with pytest.raises(ConfigError, match="s2twp") as err:
        make_normalize(opencc="t2x")
    assert "'t2x'" in str(err.value)
    with pytest.raises(ConfigError):
        normalize_text("中文", "zh-hans")
    with pytest.raises(ConfigError):
        make_normalize(fullwidth="yes")  # type: ignore[arg-type]


def test_every_shipped_config_is_accepted() -> None:
    for name in valid_configs():
        assert normalize_text("软件", name)[1].source_length == 2


def test_stage_fills_norm_text_map_and_script_and_pickles() -> None:
    info = registry.stage_info("normalize")
    assert info.factory is make_normalize
    assert info.assigns == ("norm_text", "norm_title", "script")
    stage = pickle.loads(pickle.dumps(make_normalize(opencc="t2s")))
    article = stage(Article(id="a", path="a.txt", text="美國總統拜登週一發表講話。"))
    assert article.norm_text == "美国总统拜登周一发表讲话。"
    assert article.norm_map is not None and article.norm_map.is_identity
    assert article.script == {"label": "traditional", "traditional_share": pytest.approx(0.5, abs=0.1)}
    assert stage.name == "normalize"


def test_stage_normalizes_the_title_inside_the_text_and_apart_from_it() -> None:
    stage = make_normalize(opencc="t2s")
    # a Markdown article: the text starts with the headline, whose normalized form is read off norm_text
    markdown = stage(Article(id="m", path="m.md", text="記憶體漲價\n\n台灣廠商表示。", title="記憶體漲價"))
    assert markdown.title_in_text
    assert markdown.norm_title == "记忆体涨价"
    assert markdown.norm_text is not None and markdown.norm_text.startswith(markdown.norm_title)
    # a JSONL article: the title is kept apart from the body and normalized on its own
    jsonl = stage(Article(id="j", path="j.jsonl", text="台灣廠商表示價格將上漲。", title="記憶體漲價"))
    assert not jsonl.title_in_text
    assert jsonl.norm_title == "记忆体涨价"
    assert stage(Article(id="n", path="n.txt", text="沒有標題")).norm_title is None


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("美国总统拜登周一发表讲话，强调两国关系。", "simplified"),
        ("美國總統拜登週一發表講話，強調兩國關係。", "traditional"),
        ("美國總統拜登周一发表讲话，強調两国关系。", "mixed"),
        ("Biden spoke on Monday, 2024-03-25.", "none"),
        ("中文人口", "simplified"),  # no distinctive characters: reads the same in both scripts
    ],
)
def test_script_detection(text: str, label: str) -> None:
    assert detect_script(text)["label"] == label


def test_traditional_share_counts_traditional_only_han_chars() -> None:
    result = detect_script("發達中國")  # 發 達 國 are traditional-only, 中 is shared
    assert result["traditional_share"] == pytest.approx(0.75)


# -- properties over generated mixed-script text ---------------------------------------------------------------

UNITS = [
    "内存",
    "软件",
    "鼠标",
    "網路",
    "記憶體",
    "軟體",
    "乾隆",
    "頭髮",
    "U盘",
    "发展",
    "發展",
    "中国",
    "香港",
    "衞生",
]
UNIT_SEPARATORS = [" ", "，", "。", "\n", "、", "\r\n"]
CONFIGS = ["t2s", "s2t", "tw2s", "tw2sp", "hk2s", "s2twp", "s2hk", "t2tw"]
ALPHABET = "内存软件鼠标網路記憶體軟體乾隆頭髮發展发中国國香港衞生的和了 ，。\n　Ｕ２U盘\u200b\u00a0"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(UNITS), st.sampled_from(UNIT_SEPARATORS)), max_size=8), st.sampled_from(CONFIGS)
)
def test_separated_words_map_to_their_own_conversion(units: list[tuple[str, str]], config: str) -> None:
    text = "".join(u + s for u, s in units)
    norm, norm_map = normalize_text(text, config, fullwidth=False, cleanup=False)
    pos = 0
    for unit, sep in units:
        expected = converter(config).convert(unit)
        d0, d1 = norm_map.to_derived(pos, pos + len(unit))
        assert norm[d0:d1] == expected
        assert norm_map.to_source(d0, d1) == (pos, pos + len(unit))
        pos += len(unit) + len(sep)


@settings(max_examples=80, deadline=None)
@given(st.text(ALPHABET, max_size=30), st.sampled_from(CONFIGS))
def test_normalized_text_is_opencc_output_and_spans_round_trip(text: str, config: str) -> None:
    norm, norm_map = normalize_text(text, config)
    cleaned, _ = clean_text(text)
    assert norm == converter(config).convert(cleaned)
    assert (norm_map.source_length, norm_map.derived_length) == (len(text), len(norm))
    for start in range(len(norm)):
        for end in range(start + 1, min(len(norm), start + 4) + 1):
            s0, s1 = norm_map.to_source(start, end)
            d0, d1 = norm_map.to_derived(s0, s1)
            assert d0 <= start < end <= d1
