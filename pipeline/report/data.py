"""What the report shows, taken from records: articles with their spans, corpus link scores, topics by month.

Records come from a run folder or from ``zhnews eval links``; every field past ``text`` is optional here (a run
without ``ner`` has no entities, one without ``linkcheck`` no scores), so each section is drawn only when its data
is there. Spans that do not fit the text are not drawn but counted (``dropped``), never silently lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.linkcheck.report import LinkReport, build_report
from pipeline.topicmodel.overtime import TopicTimeline, month_of, topic_timeline


@dataclass(frozen=True)
class Span:
    """An entity (``kind == "ent"``, ``label`` its type) or a hand link (``kind == "link"``, ``label`` its target)."""

    kind: str
    start: int
    end: int
    label: str
    text: str


@dataclass
class ArticleView:
    index: int
    id: str
    path: str
    title: str
    date: str
    url: str
    text: str
    entities: list[Span] = field(default_factory=list)
    links: list[Span] = field(default_factory=list)
    worklist: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0
    checked: bool = False  # the record has a link check (else "no disagreements" would be a claim we cannot make)
    exact_f1: float | None = None
    topic: str = ""
    stance: str = ""

    @property
    def spans(self) -> list[Span]:
        """Entities first, then links: the order the pieces' span indices refer to."""
        return [*self.entities, *self.links]


@dataclass
class ReportData:
    title: str
    articles: list[ArticleView]
    links: LinkReport | None
    timeline: TopicTimeline | None
    errors: int = 0
    labels: list[str] = field(default_factory=list)  # entity labels, sorted: their index picks a colour


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _spans(kind: str, items: Any, text: str, label_key: str) -> tuple[list[Span], int]:
    spans: list[Span] = []
    dropped = 0
    for item in items if isinstance(items, list) else []:
        start, end = (item.get("start"), item.get("end")) if isinstance(item, Mapping) else (None, None)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            dropped += 1
            continue
        spans.append(Span(kind, start, end, _str(item.get(label_key)), text[start:end]))
    return spans, dropped


def _stance(record: Mapping[str, Any]) -> str:
    """The targets the article takes a side on (``FAVOR``/``AGAINST``); the rest are NONE and not shown."""
    stance = record.get("stance")
    entries: list[Any] = stance if isinstance(stance, list) else []
    sides = [
        f"{e.get('target')}: {e.get('label')}" for e in entries if isinstance(e, Mapping) and e.get("label") != "NONE"
    ]
    return ", ".join(sides)


def article_view(index: int, record: Mapping[str, Any]) -> ArticleView:
    text = _str(record.get("text"))
    entities, dropped_e = _spans("ent", record.get("entities"), text, "label")
    links, dropped_l = _spans("link", record.get("links"), text, "target")
    check = record.get("linkcheck") if isinstance(record.get("linkcheck"), Mapping) else {}
    f1 = None
    micro = (check.get("exact") or {}).get("micro") if check else None
    if isinstance(micro, Mapping) and micro.get("n_gold") and micro.get("n_pred"):
        f1 = float(micro.get("f1", 0.0))
    topic = record.get("topic")
    return ArticleView(
        index=index,
        id=_str(record.get("id")),
        path=_str(record.get("path")),
        title=_str(record.get("title")),
        date=_str(record.get("date")),
        url=_str(record.get("url")),
        text=text,
        entities=entities,
        links=links,
        worklist=[dict(w) for w in check.get("worklist", []) if isinstance(w, Mapping)] if check else [],
        dropped=dropped_e + dropped_l,
        checked=bool(check),
        exact_f1=f1,
        topic=_str(topic.get("label")) if isinstance(topic, Mapping) else "",
        stance=_stance(record),
    )


def records_timeline(records: list[Mapping[str, Any]]) -> TopicTimeline | None:
    """Topics by month from the ``topics`` field of the ``topicmodel`` stage; None when no record has it."""
    with_topics = [r for r in records if isinstance(r.get("topics"), Mapping) and r["topics"].get("mixture")]
    if not with_topics:
        return None
    k = len(with_topics[0]["topics"]["mixture"])
    terms: dict[int, list[str]] = {}
    for r in with_topics:
        for top in r["topics"].get("top", []):
            terms.setdefault(int(top["topic"]), [str(t) for t in top.get("terms", [])])
    items = [(month_of(_str(r.get("date"))), r["topics"]["mixture"]) for r in with_topics]
    return topic_timeline(items, k, [terms.get(t, []) for t in range(k)])


def report_data(records: Iterable[Mapping[str, Any]], *, title: str, errors: int = 0) -> ReportData:
    rows = [r for r in records if isinstance(r, Mapping) and "error" not in r]
    articles = [article_view(i, r) for i, r in enumerate(rows)]
    has_check = any(isinstance(r.get("linkcheck"), Mapping) for r in rows)
    links = build_report(dict(r) for r in rows) if has_check else None
    labels = sorted({e.label for a in articles for e in a.entities})
    return ReportData(title, articles, links, records_timeline(rows), errors, labels)
