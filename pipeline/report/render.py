"""The report's HTML: one self-contained page of sections, each drawn only when the records have its data.

Everything from the records is escaped here (:func:`pipeline.report.escape.esc`) or handed to the script as
JSON (:func:`json_for_script`); the page's Content-Security-Policy allows no request at all and only our own
script (by hash), so even a missed escape could not load or run anything.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.linkcheck.check import KINDS
from pipeline.linkcheck.report import LinkReport
from pipeline.report.assets import CSS, JS
from pipeline.report.data import ArticleView, ReportData, report_data
from pipeline.report.escape import esc, json_for_script, safe_url
from pipeline.report.spans import split_spans
from pipeline.report.svg import color, grouped_bars, hbars, line_chart
from pipeline.topicmodel.overtime import TopicTimeline

NOISE_LABELS = {
    "non_entity_links": "links to non-entities",
    "links_cutting_a_word": "links cutting a word",
    "links_cutting_a_predicted_entity": "links cutting a person name",
    "links_modifying_a_noun": "links on a modifier",
    "linked_share_of_occurrences": "occurrences of linked strings linked",
    "entity_links_typed_on_weak_evidence": "entity links typed on weak evidence",
}


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


# --- corpus scores ---------------------------------------------------------------------------------------------


def _prf_values(report: LinkReport, which: str) -> tuple[list[str], list[list[float | None]]]:
    scores = report.exact if which == "exact" else report.overlap
    rows = [("ALL", scores.micro)] + [(label, scores.per_type[label]) for label in sorted(scores.per_type)]
    values = [
        [
            prf.precision if prf.n_pred else None,
            prf.recall if prf.n_gold else None,
            prf.f1 if prf.n_pred and prf.n_gold else None,
        ]
        for _, prf in rows
    ]
    return [name for name, _ in rows], values


def _scores_table(report: LinkReport) -> str:
    labels = ["ALL", *sorted(set(report.exact.per_type) | set(report.overlap.per_type))]
    head = (
        "<tr><th>type</th><th class=num>links</th><th class=num>entities</th><th class=num>exact P</th>"
        "<th class=num>R</th><th class=num>F1</th><th class=num>overlap P</th><th class=num>R</th>"
        "<th class=num>F1</th></tr>"
    )
    rows = []
    for label in labels:
        ex = report.exact.micro if label == "ALL" else report.exact.per_type.get(label)
        ov = report.overlap.micro if label == "ALL" else report.overlap.per_type.get(label)
        if ex is None or ov is None:
            continue
        cells = [esc(label), str(ex.n_gold), str(ex.n_pred)]
        for prf in (ex, ov):
            cells += [
                _pct(prf.precision if prf.n_pred else None),
                _pct(prf.recall if prf.n_gold else None),
                _pct(prf.f1 if prf.n_pred and prf.n_gold else None),
            ]
        rows.append(
            "<tr>" + "".join(f"<td{'' if i == 0 else ' class=num'}>{c}</td>" for i, c in enumerate(cells)) + "</tr>"
        )
    return f'<table class="scores"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def scores_section(report: LinkReport) -> str:
    t = report.totals
    summary = (
        f"{report.articles} articles ({report.articles_with_links} with links, the others are not scored); "
        f"{t['links']} links = {t['entity_links']} to entities + {t['non_entity_links']} to non-entities "
        f"(counted apart, not as misses); {t['entities']} entities. Reference: the entity links. P/R/F1 in %."
    )
    charts = []
    for which in ("exact", "overlap"):
        groups, values = _prf_values(report, which)
        charts.append(grouped_bars(groups, ["P", "R", "F1"], values, title=f"{which} span P/R/F1 per type"))
    charts.append(hbars(list(KINDS), [report.kinds[k] for k in KINDS], title="disagreements per kind"))
    noise = report.noise()
    charts.append(
        hbars(
            [NOISE_LABELS.get(k, k) for k in noise],
            list(noise.values()),
            title="how noisy the links are (share)",
            fmt=lambda v: f"{100 * v:.1f}%",
        )
    )
    return (
        '<section id="scores"><h2>Corpus scores</h2>'
        f'<p class="muted">{esc(summary)}</p><div class="charts">{_scores_table(report)}{"".join(charts)}</div>'
        "</section>"
    )


# --- topics over time ------------------------------------------------------------------------------------------


def topics_section(timeline: TopicTimeline) -> str:
    months = [p.month for p in timeline.months]
    series = [(timeline.label(t), [p.shares[t] for p in timeline.months]) for t in range(timeline.k)]
    chart = line_chart(months, series, title="topic share of the month's articles (mean mixture weight)")
    head = "<tr><th>month</th><th class=num>articles</th>" + "".join(
        f'<th class=num title="{esc(timeline.label(t, 8))}">t{t}</th>' for t in range(timeline.k)
    )
    rows = []
    for p in [*timeline.months, *([timeline.undated] if timeline.undated else [])]:
        cells = "".join(f"<td class=num>{100 * s:.1f}</td>" for s in p.shares)
        rows.append(f"<tr><td>{esc(p.month)}</td><td class=num>{p.articles}</td>{cells}</tr>")
    undated = timeline.undated.articles if timeline.undated else 0
    empty = sum(p.empty for p in timeline.months) + (timeline.undated.empty if timeline.undated else 0)
    note = (
        f"{sum(p.articles for p in timeline.months)} dated articles in {len(months)} months; {undated} undated "
        f"(a row of their own, not in the chart); {empty} with no term the model knows (left out of the shares)."
    )
    legend = "".join(f"<li>{esc(timeline.label(t, 8))}</li>" for t in range(timeline.k))
    return (
        f'<section id="topics"><h2>Topics over time</h2><p class="muted">{esc(note)}</p>'
        f'<div class="charts">{chart}</div><table class="sortable"><thead>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table><ul class="muted">{legend}</ul></section>'
    )


# --- articles --------------------------------------------------------------------------------------------------


def _date_key(written: str) -> str:
    from pipeline.ingest.dates import parse_date

    found = parse_date(written) if written else None
    return found[1] if found else ""


def articles_table(articles: list[ArticleView]) -> str:
    head = (
        "<tr><th class=num>#</th><th>id</th><th>title</th><th>date</th><th class=num>chars</th>"
        "<th class=num>entities</th><th class=num>links</th><th class=num>disagreements</th>"
        "<th class=num>exact F1</th><th>topic</th><th>stance</th></tr>"
    )
    rows = []
    for a in articles:
        f1 = "" if a.exact_f1 is None else f"{100 * a.exact_f1:.1f}"
        rows.append(
            f'<tr><td class=num>{a.index + 1}</td><td><a href="#art-{a.index}">{esc(a.id)}</a></td>'
            f'<td>{esc(a.title)}</td><td data-sort="{esc(_date_key(a.date))}">{esc(a.date)}</td>'
            f"<td class=num>{len(a.text)}</td><td class=num>{len(a.entities)}</td><td class=num>{len(a.links)}</td>"
            f'<td class=num>{len(a.worklist)}</td><td class=num data-sort="{f1 or -1}">{f1}</td>'
            f"<td>{esc(a.topic)}</td><td>{esc(a.stance)}</td></tr>"
        )
    return (
        '<section id="articles"><h2>Articles</h2><p class="muted">Click a column header to sort.</p>'
        f'<div class="scroll"><table class="sortable" id="article-table"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def marked_text(article: ArticleView, labels: list[str]) -> str:
    """The text cut at every entity and link boundary; entity pieces are ``<mark>``s, link pieces underlined.

    Each piece lists the entities (``data-ents``) and links (``data-links``) covering it, and an entity's label
    follows its last piece (one ``.ent-label`` per entity), so overlapping and crossing spans all stay visible.
    """
    spans = article.spans
    n_ent = len(article.entities)
    ends: dict[int, list[int]] = {}
    for i, ent in enumerate(article.entities):
        ends.setdefault(ent.end, []).append(i)
    out: list[str] = []
    for piece in split_spans(article.text, [(s.start, s.end) for s in spans]):
        chunk = esc(article.text[piece.start : piece.end])
        ents = [i for i in piece.covers if i < n_ent]
        links = [i - n_ent for i in piece.covers if i >= n_ent]
        if piece.covers:
            tip = [f"{spans[i].label} {spans[i].text}" for i in ents]
            tip += [f"link → {article.links[j].label}" for j in links]
            classes = ["seg"]
            if links:
                classes.append("l")
            attrs = f' data-s="{piece.start}" data-e="{piece.end}" title="{esc(" | ".join(tip))}"'
            if ents:
                classes += ["e", f"e{labels.index(spans[ents[0]].label) % 10}"] + (["multi"] if len(ents) > 1 else [])
                attrs += f' data-ents="{" ".join(map(str, ents))}"'
            if links:
                attrs += f' data-links="{" ".join(map(str, links))}"'
            tag = "mark" if ents else "span"
            out.append(f'<{tag} class="{" ".join(classes)}"{attrs}>{chunk}</{tag}>')
        else:
            out.append(chunk)
        for i in ends.get(piece.end, []):
            if piece.covers and i in piece.covers:
                label = article.entities[i].label
                out.append(f'<span class="ent-label e{labels.index(label) % 10}" data-ent="{i}">{esc(label)}</span>')
    return "".join(out)


def _worklist_item(article: ArticleView, item: Mapping[str, Any]) -> str:
    target = item.get("target")
    entity = f"{item.get('entity')} ({item.get('entity_label')})" if item.get("entity") else ""
    kind_class = re.sub(r"[^a-z_]", "", str(item.get("kind", "")))
    parts = [f'<span class="kind kind-{kind_class}">{esc(item.get("kind"))}</span> ']
    parts.append(f"<b>{esc(item.get('surface'))}</b>")
    if target:
        parts.append(f" → {esc(target)}")
    if entity:
        parts.append(f" · model: {esc(entity)}")
    parts.append(f"<br>{esc(item.get('reason'))}")
    if item.get("action"):
        parts.append(f"<br><i>{esc(item.get('action'))}</i>")
    start, end = item.get("start"), item.get("end")
    where = (
        f' data-article="{article.index}" data-start="{start}" data-end="{end}"'
        if isinstance(start, int) and isinstance(end, int)
        else ""
    )
    return f"<li{where}>{''.join(parts)}</li>"


def article_section(article: ArticleView, labels: list[str]) -> str:
    url = safe_url(article.url)
    source = f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(url)}</a>' if url else esc(article.url)
    meta = " · ".join(x for x in (esc(article.id), esc(article.path), esc(article.date), source) if x)
    counts = f"{len(article.entities)} entities, {len(article.links)} links"
    if article.dropped:
        counts += f", {article.dropped} spans outside the text not shown"
    items = "".join(_worklist_item(article, it) for it in article.worklist)
    empty = "none" if article.checked else "no link check in this run"
    aside = (
        f'<aside class="disagreements"><h4>Disagreements ({len(article.worklist)})</h4>'
        f"{f'<ol>{items}</ol>' if items else f'<p class=muted>{empty}</p>'}</aside>"
    )
    return (
        f'<section class="article" id="art-{article.index}"><h3>{esc(article.title or article.id)}</h3>'
        f'<p class="meta">{meta} · {esc(counts)}</p><div class="article-body">'
        f'<div class="text" lang="zh">{marked_text(article, labels)}</div>{aside}</div></section>'
    )


def _legend(labels: list[str]) -> str:
    marks = "".join(f'<span><mark class="e e{i % 10}">{esc(label)}</mark></span>' for i, label in enumerate(labels))
    return f'<p class="legend">{marks}<span><span class="seg l">hand link</span></span></p>'


def _label_css(labels: list[str]) -> str:
    return "".join(
        f".e{i} {{ background: {color(i)}40; }} .ent-label.e{i} {{ background: {color(i)}80; }}"
        for i in range(min(10, len(labels)))
    )


# --- worklist --------------------------------------------------------------------------------------------------


def _worklist_json(data: ReportData) -> dict[str, Any]:
    items = []
    for a in data.articles:
        for it in a.worklist:
            items.append(
                {
                    "a": a.index,
                    "kind": str(it.get("kind", "")),
                    "type": str(it.get("target_label") or it.get("entity_label") or "–"),
                    "start": it.get("start") if isinstance(it.get("start"), int) else 0,
                    "end": it.get("end") if isinstance(it.get("end"), int) else 0,
                    "surface": it.get("surface"),
                    "target": it.get("target"),
                    "entity": f"{it.get('entity')} ({it.get('entity_label')})" if it.get("entity") else "",
                    "reason": it.get("reason"),
                    "action": it.get("action"),
                }
            )
    return {"articles": [{"id": a.id, "title": a.title} for a in data.articles], "worklist": items}


def worklist_section(total: int) -> str:
    head = "".join(
        f"<th>{h}</th>" for h in ("article", "at", "kind", "type", "surface", "link target", "model", "why", "action")
    )
    return (
        f'<section id="worklist-section"><h2>Worklist ({total})</h2><div class="filters">'
        '<label>kind <select id="f-kind"><option value="">all</option></select></label>'
        '<label>type <select id="f-type"><option value="">all</option></select></label>'
        '<label>article <select id="f-article"><option value="">all</option></select></label>'
        '<span id="worklist-count" class="muted"></span></div>'
        "<noscript><p>The worklist table needs JavaScript; worklist.jsonl holds the same items.</p></noscript>"
        f'<div class="scroll"><table class="sortable" id="worklist"><thead><tr>{head}</tr></thead><tbody></tbody>'
        "</table></div></section>"
    )


# --- the page --------------------------------------------------------------------------------------------------


def render_html(data: ReportData) -> str:
    total = sum(len(a.worklist) for a in data.articles)
    sections, nav = [], []
    if data.links is not None:
        sections.append(scores_section(data.links))
        nav.append('<a href="#scores">scores</a>')
    if data.timeline is not None and data.timeline.months:
        sections.append(topics_section(data.timeline))
        nav.append('<a href="#topics">topics over time</a>')
    sections.append(articles_table(data.articles))
    nav.append('<a href="#articles">articles</a>')
    if data.links is not None:
        sections.append(worklist_section(total))
        nav.append('<a href="#worklist-section">worklist</a>')
    sections.append(
        f'<section id="texts"><h2>Article texts</h2>{_legend(data.labels)}'
        + "".join(article_section(a, data.labels) for a in data.articles)
        + "</section>"
    )
    nav.append('<a href="#texts">texts</a>')
    entities = sum(len(a.entities) for a in data.articles)
    links = sum(len(a.links) for a in data.articles)
    errors = f", {data.errors} error records" if data.errors else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp(JS))}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(data.title)}</title><style>{CSS}{_label_css(data.labels)}</style></head>"
        f"<body><header><h1>{esc(data.title)}</h1>"
        f'<p class="muted">{len(data.articles)} articles, {entities} entities, {links} hand links, '
        f"{total} disagreements{esc(errors)}</p><nav>{' '.join(nav)}</nav></header>"
        + "".join(sections)
        + f'<script type="application/json" id="report-data">{json_for_script(_worklist_json(data))}</script>'
        + f"<script>{JS}</script></body></html>\n"
    )


def build_report_html(records: Iterable[Mapping[str, Any]], *, title: str = "zhnews report", errors: int = 0) -> str:
    """The whole report of ``records`` (result records of a run or of ``zhnews eval links``) as one HTML page."""
    return render_html(report_data(records, title=title, errors=errors))


def write_report(
    records: Iterable[Mapping[str, Any]], out: str | Path, *, title: str = "zhnews report", errors: int = 0
) -> Path:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_report_html(records, title=title, errors=errors), encoding="utf-8")
    return path
