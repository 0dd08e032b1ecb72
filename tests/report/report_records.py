"""Records for the report tests, made by the real link check (no model): hand links, fixed entities."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pipeline.core.article import Article, Entity, Link
from pipeline.linkcheck.check import Resources, check_article

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
# a link target that tries to end the JSON block and the attribute it is shown in
EVIL_TARGET = "</script><script>alert(2)</script>\"' onmouseover=alert(3) \u2028"


def _find(text: str, surface: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface)


def record(
    id: str,
    text: str,
    *,
    links: Sequence[tuple[str, str]] = (),
    entities: Sequence[tuple[str, str]] = (),
    title: str | None = None,
    date: str | None = None,
    url: str | None = None,
    topics: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A result record of ``text``; ``links`` as (surface, target), ``entities`` as (surface, label), first match."""
    art = Article(id=id, path=f"in/{id}.jsonl", text=text, title=title, date=date, url=url)
    for surface, target in links:
        s, e = _find(text, surface)
        art.links.append(Link(s, e, surface, target))
    for surface, label in entities:
        s, e = _find(text, surface)
        art.entities.append(Entity(surface, s, e, label))
    art.results["linkcheck"] = check_article(art, Resources({}, frozenset(), None), opencc=None)
    if topics is not None:
        art.results["topics"] = topics
    return art.to_record()


def hostile_record() -> dict[str, Any]:
    text = f"美国{SCRIPT}总统在华盛顿会见{IMG}日本首相，双方在东京发表声明。"
    return record(
        "evil<b>",
        text,
        title=f"{SCRIPT}标题 & {IMG}",
        date="3/5/2024 1:00 PM UTC",
        url="javascript:alert(4)",
        links=[("华盛顿", "华盛顿"), ("东京", EVIL_TARGET), (IMG, IMG)],
        entities=[("美国", "LOC"), (SCRIPT, "ORG"), ("盛顿会", "ORG"), ("日本首相", "PER"), ("日本", "LOC")],
    )


def plain_record() -> dict[str, Any]:
    text = "国务院总理在北京会见德国总理，双方讨论了中德经贸合作。北京方面表示欢迎。"
    return record(
        "plain",
        text,
        title="国务院总理会见德国总理",
        date="4/2/2024 9:00 AM UTC",
        url="https://gnews.org/articles/1",
        links=[("北京", "北京"), ("德国", "德国"), ("国务院", "国务院")],
        entities=[("北京", "LOC"), ("德国", "LOC"), ("中德", "LOC")],
    )
