"""The result record carries every field of links and entities (written field by field, not with asdict)."""

from __future__ import annotations

from dataclasses import asdict

from pipeline.core.article import Article, Entity, Link


def test_record_links_and_entities_are_their_dataclass_fields() -> None:
    text = "日本外相林芳正在東京說"
    article = Article(id="a", path="a.md", text=text, links=[Link(0, 2, "日本", "日本")])
    article.entities = [Entity("林芳正", 4, 7, "PER"), Entity("東京", 8, 10, "LOC", "gazetteer")]
    record = article.to_record()
    assert record["links"] == [asdict(k) for k in article.links]
    assert record["entities"] == [asdict(e) for e in article.entities]
