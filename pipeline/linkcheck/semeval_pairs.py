"""(gold, predicted) spans of the link check, per record, for the SemEval scores of ``zhnews eval links``.

The link check scores entities against entity links position-only (link types are guesses, see
:mod:`pipeline.linkcheck.rules`), so its P/R/F1 cannot say whether a disagreement is a type or a boundary. The
SemEval schemas and the type confusion (:mod:`pipeline.eval.semeval`) can; they need the same two span sets the
check scored, rebuilt here from the record: gold = the links decided to be entities, typed by the check's
decision (``UNTYPED`` when no type was found); predicted = the entities the check scored, that is without those
sitting only on non-entity links and without unlinked ones shorter than ``min_entity_chars`` (the linkcheck
stage option), and none at all in an article without links (no reference, nothing scored).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pipeline.eval.spans import Span
from pipeline.linkcheck.rules import UNTYPED


def record_span_pairs(record: dict[str, Any], *, min_entity_chars: int = 2) -> tuple[list[Span], list[Span]] | None:
    """The spans the link check compared in this record, or None when it has no link check or no links."""
    result = record.get("linkcheck")
    if not result or not result.get("links"):
        return None
    rows = result["links"]
    gold = [Span(r["start"], r["end"], r.get("label") or UNTYPED) for r in rows if r["entity"]]
    other = [(r["start"], r["end"]) for r in rows if not r["entity"]]
    pred: list[Span] = []
    for ent in record.get("entities") or ():
        start, end = int(ent["start"]), int(ent["end"])
        on_entity_link = any(start < g.end and g.start < end for g in gold)
        on_other_link = any(start < e and s < end for s, e in other)
        if not on_entity_link and (on_other_link or end - start < min_entity_chars):
            continue
        pred.append(Span(start, end, str(ent["label"])))
    return gold, pred


def corpus_span_pairs(
    records: Iterable[dict[str, Any]], *, min_entity_chars: int = 2
) -> list[tuple[list[Span], list[Span]]]:
    pairs = []
    for record in records:
        pair = record_span_pairs(record, min_entity_chars=min_entity_chars)
        if pair is not None:
            pairs.append(pair)
    return pairs
