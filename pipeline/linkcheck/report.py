"""Corpus report of the link check: sums the ``linkcheck`` results of records and writes the editor worklist.

The corpus's links are machine-made and noisy, so one F1 would mislead. The report shows the noise next to the
scores: how many links point at non-entities (and by which rule), how many cut words or predicted entities,
how many of the linked strings' occurrences are linked (a hand editor links few, a dictionary linker nearly
all), which targets were typed on weak evidence, and the most frequent disagreements, which are usually a
handful of targets repeated across articles.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.eval.spans import PRF, SpanScores
from pipeline.linkcheck.check import KINDS
from pipeline.text.names import normalize_name

TOTAL_KEYS = (
    "links",
    "entity_links",
    "non_entity_links",
    "entities",
    "entities_on_non_entity_links",
    "short_unlinked_entities",
    "linked_string_occurrences",
    "linked_occurrences",
)
SUSPICIOUS_RULES = ("cuts_word", "cuts_entity", "modifier")
WEAK_BASES = ("jieba", "unknown_word")


@dataclass
class LinkReport:
    """Totals over the records of a corpus (articles without links count, but are not scored)."""

    articles: int = 0
    articles_with_links: int = 0
    errors: int = 0
    chars: int = 0
    seconds: float = 0.0
    totals: Counter[str] = field(default_factory=Counter)
    exact: SpanScores = field(default_factory=SpanScores)
    overlap: SpanScores = field(default_factory=SpanScores)
    non_entity_by_rule: Counter[str] = field(default_factory=Counter)
    entity_links_by_basis: Counter[str] = field(default_factory=Counter)
    entities_by_source: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    suspicious_rules: Counter[str] = field(default_factory=Counter)
    frequent: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    non_entity_targets: Counter[tuple[str, str]] = field(default_factory=Counter)
    worklist: list[dict[str, Any]] = field(default_factory=list)

    def add_record(self, record: dict[str, Any]) -> None:
        self.articles += 1
        self.chars += len(record.get("text") or "")
        result = record.get("linkcheck")
        if not result:
            return
        counts = result["counts"]
        if counts["links"] == 0:
            return
        self.articles_with_links += 1
        for key in TOTAL_KEYS:
            self.totals[key] += counts.get(key, 0)
        self.exact.add(SpanScores.from_dict(result["exact"]))
        self.overlap.add(SpanScores.from_dict(result["overlap"]))
        self.non_entity_by_rule.update(result.get("non_entity_links", {}))
        self.entities_by_source.update(counts.get("entities_by_source", {}))
        self.kinds.update(counts.get("disagreements", {}))
        self.suspicious_rules.update(counts.get("suspicious_rules", {}))
        for row in result.get("links", []):
            if row["entity"]:
                self.entity_links_by_basis[row["basis"]] += 1
            else:
                self.non_entity_targets[(_key(row["target"]), row["basis"])] += 1
        for item in result.get("worklist", []):
            self.worklist.append(item)
            target = item.get("target") or item.get("entity") or ""
            self.frequent[(item["kind"], _key(item["surface"]), _key(target))] += 1

    def noise(self) -> dict[str, float]:
        """Shares that show what kind of reference the links are (see the module docstring)."""
        links = self.totals["links"] or 1
        occ = self.totals["linked_string_occurrences"] or 1
        entity_links = self.totals["entity_links"] or 1
        return {
            "non_entity_links": self.totals["non_entity_links"] / links,
            "links_cutting_a_word": self.suspicious_rules["cuts_word"] / links,
            "links_cutting_a_predicted_entity": self.suspicious_rules["cuts_entity"] / links,
            "links_modifying_a_noun": self.suspicious_rules["modifier"] / links,
            "linked_share_of_occurrences": self.totals["linked_occurrences"] / occ,
            "entity_links_typed_on_weak_evidence": sum(self.entity_links_by_basis[b] for b in WEAK_BASES)
            / entity_links,
        }

    def to_dict(self, top: int = 20) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "articles_with_links": self.articles_with_links,
            "errors": self.errors,
            "chars": self.chars,
            "chars_per_second": round(self.chars / self.seconds, 1) if self.seconds else None,
            "totals": dict(self.totals),
            "exact": self.exact.to_dict(),
            "overlap": self.overlap.to_dict(),
            "non_entity_links_by_rule": dict(self.non_entity_by_rule.most_common()),
            "entity_links_by_basis": dict(self.entity_links_by_basis.most_common()),
            "entities_by_source": dict(self.entities_by_source),
            "disagreements": {k: self.kinds[k] for k in KINDS},
            "suspicious_rules": {k: self.suspicious_rules[k] for k in SUSPICIOUS_RULES},
            "noise": {k: round(v, 4) for k, v in self.noise().items()},
            "most_frequent_disagreements": [
                {"kind": k, "surface": s, "target": t, "count": n} for (k, s, t), n in self.most_frequent(top)
            ],
            "most_frequent_non_entity_targets": [
                {"target": t, "rule": r, "count": n} for (t, r), n in self.non_entity_targets.most_common(top)
            ],
        }

    def most_frequent(self, top: int) -> list[tuple[tuple[str, str, str], int]]:
        return sorted(self.frequent.items(), key=lambda kv: (-kv[1], kv[0]))[:top]


def _key(name: str) -> str:
    """Counting key: the traditional and simplified spellings of a name are one name (經濟 = 经济)."""
    return normalize_name(name, "t2s")


def build_report(records: Iterable[dict[str, Any]]) -> LinkReport:
    report = LinkReport()
    for record in records:
        report.add_record(record)
    return report


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def _prf(prf: PRF, width: int) -> str:
    """P R F1 in percent; a ratio with nothing to divide by shows as ``-`` rather than a misleading 0."""
    p = _pct(prf.precision) if prf.n_pred else "    -"
    r = _pct(prf.recall) if prf.n_gold else "    -"
    f = _pct(prf.f1) if prf.n_pred and prf.n_gold else "    -"
    return f"{p:>{width}} {r} {f}"


def _score_rows(exact: SpanScores, overlap: SpanScores) -> list[str]:
    labels = sorted(set(exact.per_type) | set(overlap.per_type))
    head = f"{'type':<10} {'links':>6} {'ents':>6} | {'exact P':>7} {'R':>5} {'F1':>5} | "
    lines = [head + f"{'overlap P':>9} {'R':>5} {'F1':>5}"]
    for name, ex, ov in [("ALL", exact.micro, overlap.micro)] + [
        (lab, exact.per_type.get(lab), overlap.per_type.get(lab)) for lab in labels
    ]:
        if ex is None or ov is None:
            continue
        lines.append(f"{name:<10} {ex.n_gold:>6} {ex.n_pred:>6} | {_prf(ex, 7)} | {_prf(ov, 9)}")
    return lines


def format_report(report: LinkReport, top: int = 15) -> str:
    """The corpus report as plain text for a terminal."""
    t = report.totals
    out = [
        f"articles: {report.articles} ({report.articles_with_links} with links; articles without links are not "
        f"scored), errors: {report.errors}",
        f"links: {t['links']} = {t['entity_links']} to entities + {t['non_entity_links']} to non-entities "
        "(counted apart, not as misses)",
        f"entities: {t['entities']} ({', '.join(f'{k} {v}' for k, v in sorted(report.entities_by_source.items()))}); "
        f"{t['entities_on_non_entity_links']} sit on non-entity links and {t['short_unlinked_entities']} are unlinked "
        "one-character abbreviations (美, 日): both left out of precision",
        "",
        "Scores (reference = entity links; rows: links by target type, entities by predicted label)",
        *_score_rows(report.exact, report.overlap),
        "",
        "How noisy the links are:",
    ]
    labels = {
        "non_entity_links": "links to non-entities",
        "links_cutting_a_word": "links cutting a word (e.g. [[约翰]]逊)",
        "links_cutting_a_predicted_entity": "links cutting a predicted person name (约翰|逊)",
        "links_modifying_a_noun": "links on a modifier of a longer noun (三星|指挥官)",
        "linked_share_of_occurrences": "occurrences of linked strings that are linked",
        "entity_links_typed_on_weak_evidence": "entity links typed only by jieba/unknown word",
    }
    for key, value in report.noise().items():
        out.append(f"  {_pct(value)} %  {labels[key]}")
    out.append(
        "  non-entity links by rule: " + ", ".join(f"{k} {v}" for k, v in report.non_entity_by_rule.most_common())
    )
    out.append(
        "  entity links by typing rule: " + ", ".join(f"{k} {v}" for k, v in report.entity_links_by_basis.most_common())
    )
    out += ["", "Disagreements (the worklist):"]
    for kind in KINDS:
        out.append(f"  {kind:<18} {report.kinds[kind]:>6}")
    out.append(
        "  suspicious links by rule: " + ", ".join(f"{r} {report.suspicious_rules[r]}" for r in SUSPICIOUS_RULES)
    )
    if report.frequent:
        out += ["", f"Most frequent disagreements (top {top}):"]
        for (kind, surface, target), n in report.most_frequent(top):
            shown = surface if not target or target == surface else f"{surface} -> {target}"
            out.append(f"  {n:>5}  {kind:<18} {shown}")
    if report.non_entity_targets:
        out += ["", f"Most frequent non-entity targets (top {top}):"]
        out.append(
            "  " + ", ".join(f"{tgt} ({rule}) {n}" for (tgt, rule), n in report.non_entity_targets.most_common(top))
        )
    if report.seconds:
        out += [
            "",
            f"throughput: {report.chars / report.seconds:,.0f} chars/s over {report.chars:,} chars "
            "(all stages, model loading included)",
        ]
    return "\n".join(out)


def write_worklist(items: list[dict[str, Any]], out_dir: str | Path) -> tuple[Path, Path]:
    """``worklist.jsonl`` (every field) and ``worklist.md`` (one table per article, for an editor)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jsonl = out / "worklist.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
    md = out / "worklist.md"
    md.write_text(format_worklist_md(items), encoding="utf-8")
    return jsonl, md


def _cell(value: Any) -> str:
    """A Markdown table cell: pipes and line breaks would break the table; ``<`` and ``&`` would become HTML."""
    if value is None:
        return ""
    text = html.escape(str(value), quote=False)
    return " ".join(text.replace("|", "\\|").split())


def format_worklist_md(items: list[dict[str, Any]]) -> str:
    by_article: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        by_article.setdefault((str(item.get("path")), str(item.get("article"))), []).append(item)
    kinds = Counter(item["kind"] for item in items)
    lines = [
        "# Link check worklist",
        "",
        f"{len(items)} items in {len(by_article)} articles: "
        + ", ".join(f"{k} {kinds[k]}" for k in KINDS)
        + ". Offsets are characters of the article's clean text; 【】 marks the span in its context.",
        "",
    ]
    for (path, article), group in sorted(by_article.items()):
        lines += [f"## {_cell(article)} ({_cell(path)})", ""]
        lines.append("| kind | at | context | link target | model | why | suggested action |")
        lines.append("|---|---|---|---|---|---|---|")
        for it in group:
            model = f"{it['entity']} ({it['entity_label']})" if it.get("entity") else ""
            lines.append(
                "| "
                + " | ".join(
                    _cell(v)
                    for v in (
                        it["kind"],
                        f"{it['start']}-{it['end']}",
                        it.get("context"),
                        it.get("target"),
                        model,
                        it.get("reason"),
                        it.get("action"),
                    )
                )
                + " |"
            )
        lines.append("")
    return "\n".join(lines)
