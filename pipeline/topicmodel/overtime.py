"""Topics over time: each topic's share of a corpus's articles per month.

A month's share of topic k is the mean mixture weight of topic k over that month's articles, so the shares of
a month sum to 1 and a month of many articles weighs no more than a month of few (the question is what the
news was about, not how much of it there was). Articles whose mixture is all zero (no term the model knows)
say nothing about topics: they are counted (``empty``) but left out of the mean, as are undated articles, which
are summed apart under ``undated`` rather than guessed into a month.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import DataError

UNDATED = "undated"
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    """One month (``YYYY-MM``) or the undated articles: how many, how many with no topic, the mean shares."""

    month: str
    articles: int
    empty: int
    shares: tuple[float, ...]


@dataclass
class TopicTimeline:
    k: int
    months: list[Period] = field(default_factory=list)
    undated: Period | None = None
    terms: list[list[str]] = field(default_factory=list)

    def label(self, topic: int, n: int = 3) -> str:
        """``topic 3: 球队 比赛 进球``: the topic with its first terms, when the terms are known."""
        words = self.terms[topic][:n] if topic < len(self.terms) else []
        return f"topic {topic}: {' '.join(words)}" if words else f"topic {topic}"

    def to_dict(self) -> dict[str, Any]:
        def period(p: Period) -> dict[str, Any]:
            return {
                "month": p.month,
                "articles": p.articles,
                "empty": p.empty,
                "shares": [round(s, 4) for s in p.shares],
            }

        return {
            "k": self.k,
            "topics": [{"topic": t, "terms": self.terms[t] if t < len(self.terms) else []} for t in range(self.k)],
            "months": [period(p) for p in self.months],
            "undated": period(self.undated) if self.undated else None,
        }


def month_of(date: str | None) -> str | None:
    """``YYYY-MM`` of an ISO date, or of a date as a record writes it (``3/25/2024 12:42 PM UTC``, ``2024年8月6日``)."""
    if not date:
        return None
    m = _ISO_MONTH.match(date.strip())
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{m.group(2)}"
    from pipeline.ingest.dates import parse_date

    found = parse_date(date)
    return found[1][:7] if found else None


def _period(month: str, rows: list[Sequence[float]], k: int) -> Period:
    full = [r for r in rows if sum(r) > 0]
    shares = tuple(sum(r[t] for r in full) / len(full) if full else 0.0 for t in range(k))
    return Period(month, len(rows), len(rows) - len(full), shares)


def topic_timeline(
    items: Iterable[tuple[str | None, Sequence[float]]], k: int, terms: list[list[str]] | None = None
) -> TopicTimeline:
    """The timeline of ``(month or None, mixture)`` pairs; months sorted, undated articles apart."""
    by_month: dict[str | None, list[Sequence[float]]] = {}
    for month, mixture in items:
        if len(mixture) != k:
            raise DataError(f"a topic mixture has {len(mixture)} weights, the model has {k} topics")
        by_month.setdefault(month, []).append([float(w) for w in mixture])
    months = [_period(m, rows, k) for m, rows in sorted((m, r) for m, r in by_month.items() if m is not None)]
    undated = _period(UNDATED, by_month[None], k) if None in by_month else None
    return TopicTimeline(k, months, undated, [list(t) for t in terms or []])


def format_timeline(timeline: TopicTimeline) -> str:
    """A terminal table: one row per month (then the undated), one column per topic, shares in percent."""
    head = f"{'month':<8} {'articles':>8} " + " ".join(f"{'t' + str(t):>6}" for t in range(timeline.k))
    lines = [head]
    periods = [*timeline.months, *([timeline.undated] if timeline.undated else [])]
    for p in periods:
        lines.append(f"{p.month:<8} {p.articles:>8} " + " ".join(f"{100 * s:6.1f}" for s in p.shares))
    lines.append("")
    lines += [f"  t{t}: {timeline.label(t, 6).partition(': ')[2] or '-'}" for t in range(timeline.k)]
    empty = sum(p.empty for p in periods)
    if empty:
        lines.append(f"  ({empty} articles with no known term left out of the shares)")
    return "\n".join(lines)


def timeline_csv(timeline: TopicTimeline) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["month", "articles", "empty", *(f"topic_{t}" for t in range(timeline.k))])
    for p in [*timeline.months, *([timeline.undated] if timeline.undated else [])]:
        writer.writerow([p.month, p.articles, p.empty, *(f"{s:.4f}" for s in p.shares)])
    return buf.getvalue()


def write_timeline(timeline: TopicTimeline, out_dir: str | Path) -> list[Path]:
    """``topics_over_time.csv``, ``.json`` and ``.png`` (a line chart) in ``out_dir``; returns their paths."""
    from pipeline.topicmodel.overtime_plot import plot_timeline

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv_path, json_path, png_path = (out / f"topics_over_time.{ext}" for ext in ("csv", "json", "png"))
    csv_path.write_text(timeline_csv(timeline), encoding="utf-8")
    json_path.write_text(json.dumps(timeline.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    plot_timeline(timeline, png_path)
    return [csv_path, json_path, png_path]
