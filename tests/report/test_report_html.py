"""The HTML report without a browser: escaping, the JSON data block, marks per span, sections, no network."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.report import build_report_html
from pipeline.report.assets import JS
from pipeline.report.escape import esc, json_for_script, safe_url
from tests.report.dom import Node, parse
from tests.report.report_records import EVIL_TARGET, IMG, SCRIPT, hostile_record, plain_record, record


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return [plain_record(), hostile_record()]


@pytest.fixture(scope="module")
def html(records: list[dict[str, Any]]) -> str:
    return build_report_html(records, title="test <report>")


@pytest.fixture(scope="module")
def dom(html: str) -> Node:
    return parse(html)


def test_esc_escapes_markup_and_both_quotes() -> None:
    assert esc("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;&amp;&lt;/a&gt;"
    assert esc(None) == ""


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(), lambda c: st.lists(c) | st.dictionaries(st.text(), c)
    )
)
def test_script_json_round_trips_and_cannot_close_the_script_block(data: Any) -> None:
    out = json_for_script(data)
    assert json.loads(out) == data
    assert not set(out) & {"<", ">", "&", "\u2028", "\u2029"}


def test_only_plain_http_urls_become_links() -> None:
    assert safe_url("https://gnews.org/a?b=1") == "https://gnews.org/a?b=1"
    for bad in (
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "/etc/passwd",
        'http://x"onclick=1',
        None,
    ):
        assert safe_url(bad) is None


def test_hostile_article_is_text_never_markup(html: str, dom: Node) -> None:
    scripts = dom.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/json", None]
    assert scripts[1].text() == JS
    assert not dom.find_all("img")
    assert not [n for n in dom.iter() if any(k.startswith("on") for k in n.attrs)]
    evil = dom.by_id("art-1")
    assert SCRIPT in evil.text() and IMG in evil.text() and "evil<b>" in evil.text()
    assert f"{SCRIPT}标题 &amp; {IMG}" not in html and esc(f"{SCRIPT}标题 & {IMG}") in html
    # the javascript: source URL is shown as text, not as a link
    assert "javascript:alert(4)" in evil.text()
    assert not [a for a in dom.find_all("a") if "javascript" in (a.attrs.get("href") or "").lower()]
    # the link target that tries to break out of attributes is one attribute value, intact
    titles = [n.attrs["title"] for n in evil.iter() if "title" in n.attrs]
    assert any(EVIL_TARGET in (t or "") for t in titles)


def test_data_block_holds_the_worklist_and_parses_back(dom: Node, records: list[dict[str, Any]]) -> None:
    block = dom.by_id("report-data")
    data = json.loads(block.text())
    assert len(data["worklist"]) == sum(len(r["linkcheck"]["worklist"]) for r in records)
    assert EVIL_TARGET in {item["target"] for item in data["worklist"]}
    assert "</script" not in block.text()


def test_content_security_policy_allows_no_request_and_only_our_script(dom: Node) -> None:
    meta = [m for m in dom.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    policy = meta[0].attrs["content"] or ""
    digest = base64.b64encode(hashlib.sha256(JS.encode()).digest()).decode()
    assert "default-src 'none'" in policy and f"script-src 'sha256-{digest}'" in policy


def test_no_external_resources(html: str, dom: Node) -> None:
    assert not dom.find_all("link") and not [s for s in dom.find_all("script") if "src" in s.attrs]
    for node in dom.iter():
        for key in ("src", "href", "action", "srcset", "data", "poster"):
            value = node.attrs.get(key) or ""
            if re.match(r"\s*(https?:)?//", value):
                assert node.tag == "a" and key == "href" and value == "https://gnews.org/articles/1", (node.tag, value)
    assert "@import" not in html and "url(" not in html


def _pieces_of(article: Node, attr: str, index: int) -> str:
    return "".join(n.text() for n in article.iter() if str(index) in (n.attrs.get(attr) or "").split())


def test_every_entity_and_link_is_marked_even_where_they_overlap(dom: Node, records: list[dict[str, Any]]) -> None:
    for i, rec in enumerate(records):
        article = dom.by_id(f"art-{i}")
        labels = article.find_all(cls="ent-label")
        assert len(labels) == len(rec["entities"])
        assert sorted(n.text() for n in labels) == sorted(e["label"] for e in rec["entities"])
        for j, ent in enumerate(rec["entities"]):
            assert _pieces_of(article, "data-ents", j) == ent["text"]
        for j, link in enumerate(rec["links"]):
            assert _pieces_of(article, "data-links", j) == link["surface"]
        # the marked text without the labels is the article's text, character for character
        body = article.find_all(cls="text")[0]
        shown = [c if isinstance(c, str) else c.text() for c in body.children if isinstance(c, str) or c not in labels]
        assert "".join(shown) == rec["text"]


def test_entity_and_link_on_the_same_characters_keep_both_classes(dom: Node) -> None:
    beijing = [n for n in dom.by_id("art-0").find_all("mark") if n.text() == "北京" and n.attrs.get("data-links")]
    assert beijing and {"e", "l", "seg"} <= set((beijing[0].attrs["class"] or "").split())


def test_sections_follow_the_data(html: str) -> None:
    assert 'id="scores"' in html and 'id="worklist"' in html and 'id="topics"' not in html
    bare = build_report_html([{"id": "x", "text": "没有实体的文章", "entities": [], "links": []}])
    assert 'id="scores"' not in bare and 'id="worklist"' not in bare and 'id="art-0"' in bare


def test_topics_section_charts_the_months() -> None:
    def topics(mix: list[float]) -> dict[str, Any]:
        top = [
            {"topic": t, "weight": mix[t], "terms": terms}
            for t, terms in enumerate([["球队", "比赛"], ["央行", "利率"]])
        ]
        return {"k": 2, "mixture": mix, "top": top}

    recs = [
        record("a", "球队比赛", date="1/5/2024 1:00 PM UTC", topics=topics([1.0, 0.0])),
        record("b", "央行利率", date="2024-02-03", topics=topics([0.2, 0.8])),
        record("c", "央行", date=None, topics=topics([0.0, 1.0])),
    ]
    dom = parse(build_report_html(recs))
    section = dom.by_id("topics")
    assert section.find_all("svg") and len(section.find_all("polyline")) == 2
    assert "2024-01" in section.text() and "2024-02" in section.text() and "undated" in section.text()
    assert "topic 0: 球队 比赛" in section.text()
