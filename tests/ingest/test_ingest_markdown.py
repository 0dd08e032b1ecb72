"""The seed's Markdown format -> clean text, metadata and gold links with exact offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.ingest import parse_article, read_source
from pipeline.ingest.writer import decode_entities

HEADER = "###  [:house:返回](README.md)\r\n---\r\n\r\n\r\n## {title}\r\n`{dateline}` [轉載自GNews](https://gnews.org/articles/42)\r\n\r\n"


def article(body: str, *, title: str = "标题", dateline: str = "3/25/2024 12:42 PM UTC 编辑部") -> str:
    return HEADER.format(title=title, dateline=dateline) + body


def parse(raw: str):
    return parse_article(raw, path="mem.md", id="mem")


def assert_links_exact(a, raw: str) -> None:
    for link in a.links:
        assert a.text[link.start : link.end] == link.surface
        s, e = a.raw_map.to_source(link.start, link.end)
        assert link.surface in decode_entities(raw[s:e])


# -- the seed article ---------------------------------------------------------------------------------------


def test_seed_article_yields_all_108_links_with_exact_offsets(seed_article: Path) -> None:
    raw = seed_article.read_text(encoding="utf-8")
    (a,) = read_source(seed_article)
    expected_targets = re.findall(r"\[\[zh:([^\]]+)\]\]", raw)
    assert len(expected_targets) == 108
    assert [link.target for link in a.links] == expected_targets
    assert [link.surface for link in a.links] == expected_targets
    assert_links_exact(a, raw)
    for link in a.links:  # the raw span is exactly the tag's inner text, markup excluded
        s, e = a.raw_map.to_source(link.start, link.end)
        assert raw[s:e] == link.surface and raw[s - 5 : s] == "[[zh:" and raw[e : e + 2] == "]]"
    assert a.warnings == []


def test_seed_article_header_fields(seed_article: Path) -> None:
    (a,) = read_source(seed_article)
    assert a.title == "要闻解说 - 日美强化军事合作 或大幅度更新安保条约"
    assert a.date == "3/25/2024 12:42 PM UTC"
    assert a.meta["date_iso"] == "2024-03-25T12:42:00+00:00"
    assert a.url == "https://gnews.org/articles/2424215"
    assert a.id == seed_article.stem and a.path == str(seed_article)
    assert a.meta["encoding"] == "utf-8"
    # the title opens the text, then the body; no markup or header survives
    assert a.text.startswith(a.title + "\n\n日本内阁官房长官林芳正周一")
    assert a.meta["body_start"] == len(a.title) + 2
    for junk in ("[[", "]]", "返回", "README", "轉載自", "**", "\r", "`"):
        assert junk not in a.text


# -- header ------------------------------------------------------------------------------------------------


def test_dateline_byline_and_url_are_split() -> None:
    a = parse(article("正文。", dateline="5/2/2023 7:54 AM UTC CP"))
    assert (a.date, a.meta["date_iso"], a.meta["byline"]) == ("5/2/2023 7:54 AM UTC", "2023-05-02T07:54:00+00:00", "CP")
    assert a.url == "https://gnews.org/articles/42"


def test_2022_dateline_without_date_keeps_byline_only() -> None:
    a = parse(article("正文。", dateline=" 加拿大温哥华扬帆农场《枫叶快讯》"))
    assert a.date is None and "date_iso" not in a.meta
    assert a.meta["byline"] == "加拿大温哥华扬帆农场《枫叶快讯》"


def test_plain_text_without_header_has_no_title() -> None:
    a = parse("北京今天晴。\n\n[[zh:上海]]多云。\n")
    assert a.title is None and a.date is None and a.url is None
    assert a.text == "北京今天晴。\n\n上海多云。"
    assert a.meta["format"] == "text"
    assert [(x.surface, x.start) for x in a.links] == [("上海", 8)]


def test_tag_in_title_is_a_link_in_text() -> None:
    raw = article("正文提到[[zh:美國]]。", title="【[[zh:中國經濟]]迷霧】")
    a = parse(raw)
    assert a.title == "【中國經濟迷霧】"
    assert [x.surface for x in a.links] == ["中國經濟", "美國"]
    assert_links_exact(a, raw)


# -- Markdown markup -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "clean"),
    [
        ("据[路透社](https://www.reuters.com/x_(y))报道。", "据路透社报道。"),
        ("图片 ![](https://assets.gnews.org/a.png) 来源", "图片  来源"),
        ("![截图](https://a.b/c.png)", ""),
        ("这是**重点**内容，*强调*一下，__下划线__。", "这是重点内容，强调一下，下划线。"),
        ("《美國第一新聞》**（**America First News）", "《美國第一新聞》（America First News）"),
        ("### 05.05.解放军报", "05.05.解放军报"),
        ("- [ROL Foundation](https://rolfoundation.org/)", "ROL Foundation"),
        ("* 第一条\n+ 第二条", "第一条\n第二条"),
        ("1.  美国检察官办公室被指示", "1.  美国检察官办公室被指示"),
        ("> 拜登周一表示", "拜登周一表示"),
        (
            "AT&amp;T 与 &#x4e2d;&#20013; &quot;引号&quot; &middot; &unknown; AT&T",
            'AT&T 与 中中 "引号" · &unknown; AT&T',
        ),
        ("\\[email\\] \\*号 a\\_b", "[email] *号 a_b"),
        ("snake_case_name 与 5 * 3 = 15", "snake_case_name 与 5 * 3 = 15"),
        ("上\r\n下\r\n\r\n\r\n\r\n另段", "上\n下\n\n另段"),
        ("* * *\r\n段落", "段落"),
    ],
)
def test_markdown_markup_is_removed(body: str, clean: str) -> None:
    a = parse(article(body))
    assert a.text == ("标题\n\n" + clean if clean else "标题")


def test_nbsp_entity_decodes_to_no_break_space() -> None:
    a = parse("价格&nbsp;上涨")
    assert a.text == "价格\xa0上涨"


def test_tags_inside_markup_keep_exact_offsets() -> None:
    body = (
        "**[[zh:拜登]]总统**在[[[zh:白宫]]](https://whitehouse.gov)讲话，"
        "> 引述[[zh:AT&amp;T|AT&amp;T公司]]，安娜\\[[zh:盖蒂图片社]]，![[[zh:图片]]](x.png)"
    )
    raw = article(body)
    a = parse(raw)
    assert [(x.surface, x.target) for x in a.links] == [
        ("拜登", "拜登"),
        ("白宫", "白宫"),
        ("AT&T公司", "AT&T"),
        ("盖蒂图片社", "盖蒂图片社"),
        ("图片", "图片"),
    ]
    assert_links_exact(a, raw)
    assert a.text.endswith("，图片")  # an image whose alt text carries a tag keeps the alt text
    assert "安娜\\盖蒂图片社" in a.text  # the tagger's tag wins over a Markdown escape


def test_an_image_at_a_line_edge_leaves_no_whitespace_behind() -> None:
    # the line's own edge whitespace goes; so does the whitespace beside an image that goes
    raw = article("![](https://assets.gnews.org/a.png) [[zh:北京]]时间周二发布。 ![图](b.png)\n\n中国 ![](c.png) 人民")
    a = parse(raw)
    assert a.text.endswith("北京时间周二发布。\n\n中国  人民")  # inside a line, text stays as written
    assert_links_exact(a, raw)


# -- tag forms and broken tags ----------------------------------------------------------------------------


def test_all_tag_forms() -> None:
    a = parse("[[zh:日本]]、[[美国]]、[[zh:中华人民共和国|中国]]、[[英国|英方]]、[[en:Apple Inc.|苹果]]、[[zh: 韩国 ]]")
    got = [(x.surface, x.target) for x in a.links]
    assert got == [
        ("日本", "日本"),
        ("美国", "美国"),
        ("中国", "中华人民共和国"),
        ("英方", "英国"),
        ("苹果", "en:Apple Inc."),
        ("韩国", "韩国"),
    ]
    assert a.text == "日本、美国、中国、英方、苹果、 韩国 "
    assert all(a.text[x.start : x.end] == x.surface for x in a.links)
    assert a.warnings == []


def test_unclosed_tag_stays_as_text_with_warning() -> None:
    a = parse("据[[zh:日本媒体报道，[[zh:东京]]今天下雨。")
    assert a.text == "据[[zh:日本媒体报道，东京今天下雨。"
    assert [x.surface for x in a.links] == ["东京"]
    assert len(a.warnings) == 1 and "unclosed" in a.warnings[0] and "line 1" in a.warnings[0]


@pytest.mark.parametrize("tag", ["[[]]", "[[zh:]]", "[[ ]]", "[[|]]", "[[zh:|x]]"])
def test_empty_tag_stays_as_text_with_warning(tag: str) -> None:
    a = parse(f"前文{tag}后文")
    assert a.text == f"前文{tag}后文"
    assert a.links == []
    assert len(a.warnings) == 1 and "empty" in a.warnings[0]


def test_pipe_trick_shows_the_target() -> None:
    a = parse("[[zh:日本|]]")
    assert [(x.surface, x.target) for x in a.links] == [("日本", "日本")]


@pytest.mark.parametrize(
    "raw",
    [
        "[[[[zh:x]]]]",
        "]][[",
        "[[zh:a[[zh:b]]c]]",
        "[[zh:a]b]]",
        "![[",
        "[](",
        "**[[**]]",
        "[[zh:\r\nx]]",
        "[" * 500,
        "]](x)",
    ],
)
def test_odd_brackets_never_crash(raw: str) -> None:
    a = parse(raw)
    assert all(a.text[x.start : x.end] == x.surface for x in a.links)
    assert a.raw_map.source_length == len(raw) and a.raw_map.derived_length == len(a.text)


def test_warnings_are_capped_for_floods_of_broken_tags() -> None:
    a = parse("[[zh:日本 " * 500)
    assert len(a.warnings) == 51 and a.warnings[-1] == "... and 450 more warnings"
