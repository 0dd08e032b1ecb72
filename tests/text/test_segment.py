"""The segment stage: jieba on normalized text, a spaCy Doc over the original text."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.classify.textfeatures import analyze_text, analyze_texts
from pipeline.core import registry
from pipeline.core.article import Article, Link, token_records
from pipeline.core.config import load_config
from pipeline.errors import ConfigError
from pipeline.ingest import read_source
from pipeline.stages.normalize import make_normalize
from pipeline.stages.segment import make_segment
from pipeline.text.normalize import INVISIBLE
from pipeline.text.opencc_align import converter


def run(text: str, *, opencc: str = "t2s", links: list[Link] | None = None, **options: object) -> Article:
    article = Article(id="t", path="t.txt", text=text, links=links or [])
    make_normalize(opencc=opencc)(article)
    return make_segment(**options)(article)  # type: ignore[arg-type]


def words(article: Article) -> list[str]:
    assert article.doc is not None
    return [t.text for t in article.doc if not t.is_space]


def assert_tiles(article: Article) -> None:
    """The Doc's text is the article's text, token by token, with no gaps, overlaps or trailing spaces."""
    doc = article.doc
    assert doc is not None
    assert doc.text == article.text
    pos = 0
    for token in doc:
        assert token.idx == pos and not token.whitespace_
        assert article.text[token.idx : token.idx + len(token)] == token.text
        pos += len(token)
    assert pos == len(article.text)
    # the Doc is made of the segment stage's tokens, and the record's tokens are those same tokens
    assert article.tokens is not None
    # spaCy cannot store an empty norm_: a token whose normalized form is empty (zero-width characters
    # with no word to join, e.g. a text of them alone) keeps spaCy's default norm (its text) in the Doc
    expected = [(t.start, t.end, t.norm or article.text[t.start : t.end], t.tag) for t in article.tokens]
    assert [(t.idx, t.idx + len(t), t.norm_, t.tag_) for t in doc] == expected
    records = token_records(article.text, article.tokens)
    assert [(r["start"], r["end"]) for r in records] == [
        (t.start, t.end) for t in article.tokens if not article.text[t.start : t.end].isspace()
    ]
    for record in records:
        assert article.text[record["start"] : record["end"]] == record["text"]


def test_traditional_tokens_keep_original_text_and_get_simplified_norms() -> None:
    article = run("我們的軟體發展很快，２０２２年增長３．５％")
    assert_tiles(article)
    assert [(t.text, t.norm_) for t in article.doc][:5] == [
        ("我們", "我们"),
        ("的", "的"),
        ("軟體", "软体"),
        ("發展", "发展"),
        ("很快", "很快"),
    ]
    assert ("２０２２", "2022") in [(t.text, t.norm_) for t in article.doc]


@pytest.mark.parametrize(
    ("config", "text", "surface", "norm"),
    [
        ("s2twp", "我的内存和软件很好", "内存", "記憶體"),
        ("s2twp", "我的内存和软件很好", "软件", "軟體"),
        ("tw2sp", "網路和記憶體都很重要", "記憶體", "内存"),
        ("tw2s", "這個網路軟體很好用", "軟體", "软体"),
        ("hk2s", "衞生署今日公布", "衞生署", "卫生署"),
        ("s2t", "美国总统拜登", "总统", "總統"),
    ],
)
def test_length_changing_conversions_keep_token_offsets(config: str, text: str, surface: str, norm: str) -> None:
    article = run(text, opencc=config)
    assert_tiles(article)
    assert (surface, norm) in [(t.text, t.norm_) for t in article.doc]


def test_whitespace_runs_are_single_space_tokens() -> None:
    article = run("中国\r\n\r\n美国  日本")
    assert_tiles(article)
    assert [(t.text, t.pos_) for t in article.doc if t.is_space] == [("\r\n\r\n", "SPACE"), ("  ", "SPACE")]
    assert words(article) == ["中国", "美国", "日本"]


def test_deleted_zero_width_chars_join_a_neighbouring_word() -> None:
    article = run("中国\u200b人民 \u200b银行")
    assert_tiles(article)
    assert [(t.text, t.norm_) for t in article.doc] == [
        ("中国\u200b", "中国"),
        ("人民", "人民"),
        (" ", " "),
        ("\u200b银行", "银行"),  # not glued to the space, which stays a space token
    ]


def test_pos_tags_and_universal_pos() -> None:
    article = run("我们在北京工作，韩冰冰和林芳正周一见面。")
    tags = {t.text: (t.tag_, t.pos_) for t in article.doc}
    assert tags["北京"] == ("ns", "PROPN")
    assert tags["我们"] == ("r", "PRON")
    assert tags["在"] == ("p", "ADP")
    assert tags["，"] == ("x", "PUNCT")
    assert tags["林芳正"][1] == "PROPN"


def test_pos_can_be_turned_off() -> None:
    article = run("我们在北京工作", pos=False)
    assert words(article) == ["我们", "在", "北京", "工作"]
    assert {t.tag_ for t in article.doc} == {""}


def test_hmm_finds_unknown_names_only_when_on() -> None:
    text = "韩冰冰和林芳正周一见面"
    assert "林芳正" in words(run(text, hmm=True))
    assert "林芳正" not in words(run(text, hmm=False))


def test_user_dict_changes_segmentation_without_leaking(tmp_path: Path) -> None:
    text = "习近平新时代中国特色社会主义思想"
    user_dict = tmp_path / "words.txt"
    user_dict.write_text("中国特色社会主义思想 10 nz\n", encoding="utf-8")
    assert "中国特色社会主义思想" not in words(run(text))
    with_dict = run(text, user_dicts=[str(user_dict)])
    assert "中国特色社会主义思想" in words(with_dict)
    assert {t.text: t.tag_ for t in with_dict.doc}["中国特色社会主义思想"] == "nz"
    assert "中国特色社会主义思想" not in words(run(text))  # the default segmenter is untouched
    assert "中国特色社会主义思想" not in jieba.dt.FREQ  # and so is jieba's global one


def test_link_words_article_keeps_each_link_span_one_token() -> None:
    text = "日本內閣官房長官林芳正週一在例行記者會上說"
    links = [Link(text.index(s), text.index(s) + len(s), s, s) for s in ("內閣官房長官林", "記者會")]
    plain = run(text, links=links)
    assert "內閣官房長官林" not in words(plain)
    forced = run(text, links=links, link_words="article")
    assert_tiles(forced)
    assert "內閣官房長官林" in words(forced)
    assert "記者會" in words(forced)
    assert words(forced)[0] == "日本"


def test_bad_options_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="link_words"):
        make_segment(link_words="corpus")
    with pytest.raises(ConfigError, match="not found"):
        make_segment(user_dicts=[str(tmp_path / "missing.txt")])
    with pytest.raises(ConfigError):
        make_segment(hmm="yes")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        make_segment(user_dicts="words.txt")  # type: ignore[arg-type]


def test_stage_pickles_and_still_segments(tmp_path: Path) -> None:
    user_dict = tmp_path / "words.txt"
    user_dict.write_text("官房长官林芳正\n", encoding="utf-8")
    info = registry.stage_info("segment")
    assert info.factory is make_segment
    assert (info.requires, info.assigns) == (("norm_text",), ("tokens", "doc", "title_tokens"))
    stage = pickle.loads(pickle.dumps(make_segment(user_dicts=[str(user_dict)])))
    article = Article(id="p", path="p.txt", text="官房长官林芳正说")
    make_normalize()(article)
    assert words(stage(article)) == ["官房长官林芳正", "说"]


def test_segment_without_normalize_is_a_config_error() -> None:
    # changed on purpose: segment requires normalize (it used to segment the raw text silently)
    with pytest.raises(ConfigError, match="normalize"):
        make_segment()(Article(id="r", path="r.txt", text="我们在北京工作"))


def test_title_tokens_come_from_the_text_or_from_the_title_kept_apart() -> None:
    title = "記憶體價格上漲"
    markdown = run_article(Article(id="m", path="m.md", text=f"{title}\n\n台灣的記憶體廠商表示。", title=title))
    assert markdown.title_in_text
    assert markdown.title_tokens == ("记忆体", "价格上涨")
    assert markdown.title_tokens == tuple(t.norm for t in markdown.tokens or () if t.end <= len(title))
    jsonl = run_article(Article(id="j", path="j.jsonl", text="台灣的記憶體廠商表示。", title=title))
    assert not jsonl.title_in_text
    assert jsonl.title_tokens == ("记忆体", "价格上涨")
    assert run("沒有標題的文章").title_tokens == ()


def run_article(article: Article) -> Article:
    make_normalize()(article)
    return make_segment(hmm=False)(article)


def test_empty_article() -> None:
    article = run("")
    assert article.doc is not None and len(article.doc) == 0


def test_analyzed_tokens_are_simplified_half_width_and_skip_whitespace() -> None:
    tokens = analyze_text("我們的軟體\n發展很快，２０２２年").tokens
    assert tokens == ("我们", "的", "软体", "发展", "很快", "，", "2022", "年")
    # raw strings go through the default config's stages: hmm = false there, so unknown names stay cut
    assert analyze_text("韩冰冰和林芳正见面").tokens[3:6] == ("林", "芳", "正")
    hmm_on = load_config(overrides=["stages.segment.hmm=true"])
    assert "林芳正" in analyze_texts(["韩冰冰和林芳正见面"], hmm_on)[0].tokens


def test_traditional_seed_segments_like_the_original(seed_article: Path) -> None:
    (original,) = read_source(seed_article)
    assert isinstance(original, Article)
    traditional = copy.deepcopy(original)
    traditional.text = converter("s2t").convert(original.text)
    assert traditional.text != original.text and len(traditional.text) == len(original.text)
    stages = [make_normalize(opencc="t2s"), make_segment()]
    for article in (original, traditional):
        for stage in stages:
            stage(article)
        assert_tiles(article)
    assert traditional.script is not None and traditional.script["label"] == "traditional"
    assert [(t.idx, len(t)) for t in traditional.doc] == [(t.idx, len(t)) for t in original.doc]


def test_link_words_keep_the_seed_links_whole(seed_article: Path) -> None:
    (article,) = read_source(seed_article)
    assert isinstance(article, Article)
    make_normalize()(article)
    make_segment(link_words="article")(article)
    spans = {(t.idx, t.idx + len(t)) for t in article.doc}
    assert all((link.start, link.end) in spans for link in article.links)


MIXED = "内存软件鼠标網路記憶體軟體發展发中国國林芳正的和了在北京 ，。\n\r　Ｕ２U盘a1\u200b\u00a0"


@settings(max_examples=60, deadline=None)
@given(st.text(MIXED, max_size=40), st.sampled_from(["t2s", "s2twp", "tw2sp", "hk2s", "s2t", "none"]))
def test_tokens_tile_the_text_and_norms_tile_the_normalized_text(text: str, config: str) -> None:
    article = run(text, opencc=config)
    assert_tiles(article)
    # a token of nothing but deleted chars (one with no word to join) keeps its text as norm: spaCy cannot
    # store an empty one
    kept = [t for t in article.doc if t.text.strip(INVISIBLE)]
    assert "".join(t.norm_ for t in kept) == article.norm_text
    pos = 0
    for token in kept:
        s0, s1 = article.norm_map.to_source(pos, pos + len(token.norm_))
        assert token.idx <= s0 <= s1 <= token.idx + len(token)
        assert not (text[token.idx : s0] + text[s1 : token.idx + len(token)]).strip(INVISIBLE)
        pos += len(token.norm_)
