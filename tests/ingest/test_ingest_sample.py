"""The sample corpus in corpora/sample (quick start, other tests): it all ingests, broken tags warn."""

from __future__ import annotations

from pathlib import Path

import opencc
import pytest

from pipeline.core.article import Article
from pipeline.ingest import discover_inputs, read_source


@pytest.fixture(scope="module")
def sample(repo_dir: Path) -> dict[str, list[Article]]:
    files = discover_inputs([repo_dir / "corpora" / "sample"])
    out: dict[str, list[Article]] = {}
    for path in files:
        items = read_source(path)
        assert all(isinstance(x, Article) for x in items), path
        out[path.name] = items  # type: ignore[assignment]
    return out


def test_sample_corpus_has_a_dozen_articles_plus_jsonl_and_txt(sample) -> None:
    markdown = [name for name in sample if name.endswith(".md")]
    assert 12 <= len(markdown) <= 14
    assert len([n for n in sample if n.endswith(".txt")]) == 1
    (jsonl,) = [n for n in sample if n.endswith(".jsonl")]
    assert 2 <= len(sample[jsonl]) <= 3


def test_sample_articles_have_header_links_and_a_realistic_length(sample) -> None:
    for name, (a, *_rest) in sample.items():
        assert a.links, name
        assert all(a.text[x.start : x.end] == x.surface for x in a.links)
        if name.endswith(".md"):
            assert a.title and a.date and a.url and a.meta["date_iso"], name
            assert 300 <= len(a.text) <= 1500, name


def test_broken_tags_warn_only_where_written(sample) -> None:
    warned = {name for name, items in sample.items() if any(a.warnings for a in items)}
    assert warned == {"07_ev_price_war.md", "12_beijing_central_axis.md"}
    kinds = " ".join(w for name in warned for w in sample[name][0].warnings)
    assert "unclosed" in kinds and "empty" in kinds


def _changed_chars(a: str, b: str) -> int:
    return sum(c != d for c, d in zip(a, b, strict=True))


def test_sample_mixes_scripts_and_tag_forms(sample) -> None:
    t2s = opencc.OpenCC("t2s.json")
    traditional = [n for n, (a, *_r) in sample.items() if n.endswith(".md") and t2s.convert(a.text) != a.text]
    # a traditional article differs from its t2s conversion in many characters, not one stray form
    heavy = [n for n in traditional if _changed_chars(t2s.convert(sample[n][0].text), sample[n][0].text) > 30]
    assert 3 <= len(heavy) <= 4
    links = [x for items in sample.values() for a in items for x in a.links]
    assert any(x.target.startswith("en:") for x in links)
    assert any(x.surface != x.target and not x.target.startswith("en:") for x in links)  # [[X|shown]]
    texts = "".join(a.text for items in sample.values() for a in items)
    assert "ＮＡＴＯ" in texts and "２０２４" in texts and "S&P\xa0500" in texts
