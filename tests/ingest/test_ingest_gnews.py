"""The real corpus (../shared/data/gnews_ourhimalayas): every tag becomes exactly one link, none lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpora.gnews import iter_articles, read_index
from pipeline.errors import DataError


@pytest.fixture(scope="module")
def corpus(shared_dir: Path):
    return list(iter_articles(shared_dir / "data" / "gnews_ourhimalayas"))


def test_index_column_counts_zh_tag_openings(shared_dir: Path) -> None:
    # zh_link_tags counts "[[zh:" occurrences; in this corpus every one of them is a closed tag
    for entry in read_index(shared_dir / "data" / "gnews_ourhimalayas"):
        raw = entry.path.read_text(encoding="utf-8")
        assert raw.count("[[zh:") == entry.zh_link_tags == raw.count("[[")


def test_every_corpus_article_yields_one_link_per_tag(corpus) -> None:
    assert len(corpus) == 201
    assert sum(e.zh_link_tags for e, _ in corpus) > 5000
    for entry, a in corpus:
        raw = entry.path.read_bytes().decode("utf-8")
        assert len(a.links) == entry.zh_link_tags, entry.file
        assert a.warnings == [], entry.file
        assert "[[zh:" not in a.text and "\r" not in a.text
        for link in a.links:
            assert a.text[link.start : link.end] == link.surface
            s, e = a.raw_map.to_source(link.start, link.end)
            assert raw[s:e] == link.surface == link.target
            assert raw[s - 5 : s] == "[[zh:" and raw[e : e + 2] == "]]"


def test_corpus_metadata_matches_the_index(corpus) -> None:
    for entry, a in corpus:
        assert a.title == entry.title.strip(), entry.file
        assert a.text.startswith(a.title)
        assert a.url == entry.url, entry.file
        if entry.date_source == "dateline":
            assert a.meta["date_iso"][:10] == entry.date, entry.file
        else:  # 2022 reposts carry a byline but no date
            assert a.date is None, entry.file


def test_crlf_corpus_text_has_clean_paragraphs(corpus) -> None:
    a = next(a for e, a in corpus if e.file == "2022/2427446.md")
    assert a.title == "加拿大渥太華摩托車集會遭警方禁止"
    assert "作者：加拿大溫哥華揚帆農場 – 楓葉快訊組" in a.text  # a ##### heading kept as text
    assert "![" not in a.text and "https://assets.gnews.org" not in a.text  # images dropped
    assert "\n\n\n" not in a.text


def test_missing_corpus_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="index not found"):
        read_index(tmp_path)
