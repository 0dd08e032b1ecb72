"""SemEval-2013 (task 9.1) NER scores as nervaluate computes them, and a gold-type x predicted-type confusion table.

Strict CoNLL F1 (:mod:`pipeline.eval.spans`) says how often the model is exactly right; it cannot tell a wrong
type from a wrong boundary from a miss. The SemEval-2013 schemas can, and nervaluate is the implementation NER
papers and tools cite, so we reproduce its definitions exactly (``tests/eval/test_semeval.py`` compares the two
on random and hand-made cases) without making the runtime depend on it:

* ``strict``: correct = same boundaries and type; a prediction overlapping a gold span otherwise is incorrect;
* ``exact``: correct = same boundaries, whatever the type; overlapping otherwise is incorrect;
* ``partial``: correct = same boundaries, whatever the type; overlapping otherwise is partial (half credit);
* ``ent_type``: correct = overlapping with the same type (the closest boundaries win); overlapping with another
  type is incorrect.

Everything else is spurious (a prediction touching no gold span) or missed (a gold span no prediction took).
``possible`` = correct + incorrect + partial + missed, ``actual`` = correct + incorrect + partial + spurious;
precision = correct / actual and recall = correct / possible, with 0.5 x partial added to both numerators in
``partial`` and ``ent_type`` (where partial is always 0), as nervaluate does. An empty denominator scores 0.

Matching is nervaluate's greedy one-to-one pass: predictions in order, each taking at most one gold span that no
earlier prediction took. So with overlapping predictions the order decides; we sort both sides by
``(start, end, label)`` first, so a score never depends on how a producer listed its spans (``ordered=False``
keeps the given order, to compare with nervaluate on the very same lists). "Overlapping" is nervaluate's rule:
the shared characters are at least ``min_overlap`` percent (default 1) of the gold span. Per-type scores are
nervaluate's too: each type scored with only that type's spans on both sides.

Spans are ``(start, end, label)`` with ``end`` exclusive; nervaluate's ends are inclusive, which only its
overlap arithmetic sees, and the formulas below are written for exclusive ends.

The confusion table pairs spans the type-blind way (the ``partial`` schema's pairing): each pair is
``exact`` (same boundaries) or ``overlap``, counted under (gold type, predicted type); unpaired gold spans are
missed, unpaired predictions spurious.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.errors import DataError
from pipeline.eval.spans import Span, as_span

Schema = Literal["strict", "exact", "partial", "ent_type"]
SCHEMAS: tuple[Schema, ...] = ("strict", "exact", "partial", "ent_type")
# schemas whose precision and recall give half credit to partial matches (nervaluate's partial_or_type)
HALF_CREDIT: frozenset[str] = frozenset({"partial", "ent_type"})
SCHEMA_NAMES = {"strict": "strict", "exact": "exact boundary", "partial": "partial overlap", "ent_type": "type"}


@dataclass
class SchemaCounts:
    """The five SemEval counts of one schema, and the ratios nervaluate derives from them."""

    half_credit: bool = False
    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    @property
    def possible(self) -> int:
        return self.correct + self.incorrect + self.partial + self.missed

    @property
    def actual(self) -> int:
        return self.correct + self.incorrect + self.partial + self.spurious

    @property
    def _credit(self) -> float:
        return self.correct + 0.5 * self.partial if self.half_credit else float(self.correct)

    @property
    def precision(self) -> float:
        return self._credit / self.actual if self.actual > 0 else 0.0

    @property
    def recall(self) -> float:
        return self._credit / self.possible if self.possible > 0 else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * (p * r) / (p + r) if (p + r) > 0 else 0.0

    def add(self, other: SchemaCounts) -> None:
        self.correct += other.correct
        self.incorrect += other.incorrect
        self.partial += other.partial
        self.missed += other.missed
        self.spurious += other.spurious

    def to_dict(self) -> dict[str, float | int]:
        return {
            "correct": self.correct,
            "incorrect": self.incorrect,
            "partial": self.partial,
            "missed": self.missed,
            "spurious": self.spurious,
            "possible": self.possible,
            "actual": self.actual,
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
        }


def _schema_table() -> dict[str, SchemaCounts]:
    return {s: SchemaCounts(half_credit=s in HALF_CREDIT) for s in SCHEMAS}


@dataclass
class Confusion:
    """Gold type x predicted type of paired spans (``exact`` or ``overlap`` boundaries), plus the unpaired."""

    exact: Counter[tuple[str, str]] = field(default_factory=Counter)
    overlap: Counter[tuple[str, str]] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    spurious: Counter[str] = field(default_factory=Counter)

    def add(self, other: Confusion) -> None:
        self.exact.update(other.exact)
        self.overlap.update(other.overlap)
        self.missed.update(other.missed)
        self.spurious.update(other.spurious)

    def labels(self) -> tuple[list[str], list[str]]:
        """(gold labels, predicted labels) that occur, sorted."""
        gold = {g for g, _ in self.exact} | {g for g, _ in self.overlap} | set(self.missed)
        pred = {p for _, p in self.exact} | {p for _, p in self.overlap} | set(self.spurious)
        return sorted(gold), sorted(pred)

    def to_dict(self) -> dict[str, Any]:
        def nested(counter: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
            out: dict[str, dict[str, int]] = {}
            for (g, p), n in sorted(counter.items()):
                out.setdefault(g, {})[p] = n
            return out

        return {
            "exact": nested(self.exact),
            "overlap": nested(self.overlap),
            "missed": dict(sorted(self.missed.items())),
            "spurious": dict(sorted(self.spurious.items())),
        }


@dataclass
class SemEvalScores:
    """Overall and per-type counts of the four schemas, and the confusion table, summed over documents."""

    overall: dict[str, SchemaCounts] = field(default_factory=_schema_table)
    per_type: dict[str, dict[str, SchemaCounts]] = field(default_factory=dict)
    confusion: Confusion = field(default_factory=Confusion)

    def add(self, other: SemEvalScores) -> None:
        for schema, counts in other.overall.items():
            self.overall[schema].add(counts)
        for label, table in other.per_type.items():
            mine = self.per_type.setdefault(label, _schema_table())
            for schema, counts in table.items():
                mine[schema].add(counts)
        self.confusion.add(other.confusion)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": {s: c.to_dict() for s, c in self.overall.items()},
            "per_type": {
                label: {s: c.to_dict() for s, c in self.per_type[label].items()} for label in sorted(self.per_type)
            },
            "confusion": self.confusion.to_dict(),
        }


# -- matching, one schema at a time, as nervaluate's strategies do ----------------------------------------------


def _overlaps(pred: Span, gold: Span, min_overlap: float) -> bool:
    """nervaluate's ``_has_sufficient_overlap``: shared characters >= min_overlap percent of the gold span."""
    if pred.start >= gold.end or pred.end <= gold.start:
        return False
    shared = min(pred.end, gold.end) - max(pred.start, gold.start)
    return (shared / (gold.end - gold.start)) * 100.0 >= min_overlap


Pairing = list[tuple[int, int, str]]  # (pred index, gold index, outcome) for paired spans


def match_schema(
    gold: Sequence[Span], pred: Sequence[Span], schema: Schema, min_overlap: float = 1.0
) -> tuple[SchemaCounts, Pairing]:
    """Counts of one document under one schema, and which prediction took which gold span (in the given order)."""
    counts = SchemaCounts(half_credit=schema in HALF_CREDIT)
    taken: set[int] = set()
    pairs: Pairing = []
    for i, p in enumerate(pred):
        found = _best(p, gold, taken, schema, min_overlap)
        if found is None:
            counts.spurious += 1
            continue
        j, outcome = found
        taken.add(j)
        pairs.append((i, j, outcome))
        setattr(counts, outcome, getattr(counts, outcome) + 1)
    counts.missed = len(gold) - len(taken)
    return counts, pairs


def _best(p: Span, gold: Sequence[Span], taken: set[int], schema: Schema, min_overlap: float) -> tuple[int, str] | None:
    """The gold span prediction ``p`` takes and the outcome, by the rules of nervaluate's strategy for ``schema``."""
    fallback: int | None = None  # the first overlapping gold span that is not a full match
    if schema == "ent_type":
        best, best_distance = None, 0
        for j, g in enumerate(gold):
            if j in taken or not _overlaps(p, g, min_overlap):
                continue
            if p.label == g.label:
                distance = abs(p.start - g.start) + abs(p.end - g.end)
                if best is None or distance < best_distance:
                    best, best_distance = j, distance
            elif fallback is None:
                fallback = j
        if best is not None:
            return best, "correct"
        return (fallback, "incorrect") if fallback is not None else None
    for j, g in enumerate(gold):
        if j in taken:
            continue
        same_bounds = p.start == g.start and p.end == g.end
        if same_bounds and (schema != "strict" or p.label == g.label):
            return j, "correct"
        if fallback is None and _overlaps(p, g, min_overlap):
            fallback = j
    if fallback is None:
        return None
    return fallback, "partial" if schema == "partial" else "incorrect"


# -- documents and corpora ---------------------------------------------------------------------------------------


def _spans(items: Iterable[Any], ordered: bool) -> list[Span]:
    spans = [as_span(x) for x in items]
    for s in spans:
        if s.end <= s.start:
            raise DataError(f"empty or reversed span {s.start}-{s.end} ({s.label}) cannot be scored")
    return spans if not ordered else sorted(spans)


def semeval_scores(
    gold: Iterable[Any], pred: Iterable[Any], *, min_overlap: float = 1.0, ordered: bool = True
) -> SemEvalScores:
    """SemEval scores of one document's predictions against its gold spans (see the module docstring)."""
    if not 1.0 <= min_overlap <= 100.0:
        raise DataError(f"min_overlap must be between 1 and 100 percent, got {min_overlap}")
    gold_spans, pred_spans = _spans(gold, ordered), _spans(pred, ordered)
    scores = SemEvalScores()
    for schema in SCHEMAS:
        counts, pairs = match_schema(gold_spans, pred_spans, schema, min_overlap)
        scores.overall[schema] = counts
        if schema == "partial":
            scores.confusion = _confusion(gold_spans, pred_spans, pairs)
    for label in sorted({s.label for s in gold_spans} | {s.label for s in pred_spans}):
        g = [s for s in gold_spans if s.label == label]
        p = [s for s in pred_spans if s.label == label]
        scores.per_type[label] = {schema: match_schema(g, p, schema, min_overlap)[0] for schema in SCHEMAS}
    return scores


def _confusion(gold: Sequence[Span], pred: Sequence[Span], pairs: Pairing) -> Confusion:
    confusion = Confusion()
    for i, j, outcome in pairs:
        table = confusion.exact if outcome == "correct" else confusion.overlap
        table[(gold[j].label, pred[i].label)] += 1
    paired_gold = {j for _, j, _ in pairs}
    paired_pred = {i for i, _, _ in pairs}
    confusion.missed.update(g.label for j, g in enumerate(gold) if j not in paired_gold)
    confusion.spurious.update(p.label for i, p in enumerate(pred) if i not in paired_pred)
    return confusion


def corpus_semeval(
    pairs: Iterable[tuple[Iterable[Any], Iterable[Any]]], *, min_overlap: float = 1.0, ordered: bool = True
) -> SemEvalScores:
    """Scores summed over documents given as ``(gold, pred)`` pairs; spans never match across documents."""
    total = SemEvalScores()
    for gold, pred in pairs:
        total.add(semeval_scores(gold, pred, min_overlap=min_overlap, ordered=ordered))
    return total


# -- text tables ---------------------------------------------------------------------------------------------------


def format_semeval(scores: SemEvalScores) -> str:
    """The overall table, per-type F1 of each schema, and the confusion tables, for a terminal."""
    head = f"{'schema':<16} {'correct':>7} {'incorr':>7} {'partial':>7} {'missed':>7} {'spur':>7}"
    head += f" {'possible':>8} {'actual':>7} {'P':>6} {'R':>6} {'F1':>6}"
    rows = ["SemEval-2013 scores (nervaluate definitions; partial counts half in partial overlap)", head]
    for schema in SCHEMAS:
        c = scores.overall[schema]
        rows.append(
            f"{SCHEMA_NAMES[schema]:<16} {c.correct:>7} {c.incorrect:>7} {c.partial:>7} {c.missed:>7} "
            f"{c.spurious:>7} {c.possible:>8} {c.actual:>7} {100 * c.precision:6.2f} {100 * c.recall:6.2f} "
            f"{100 * c.f1:6.2f}"
        )
    if scores.per_type:
        rows += ["", f"{'F1 per type':<16}" + "".join(f" {SCHEMA_NAMES[s]:>15}" for s in SCHEMAS)]
        for label in sorted(scores.per_type):
            table = scores.per_type[label]
            rows.append(f"{label:<16}" + "".join(f" {100 * table[s].f1:15.2f}" for s in SCHEMAS))
    rows += ["", *format_confusion(scores.confusion)]
    return "\n".join(rows)


def format_confusion(confusion: Confusion) -> list[str]:
    """Two tables, same boundaries (with the missed and spurious) and overlapping boundaries, gold types in rows
    and predicted types in columns."""
    gold, pred = confusion.labels()
    if not gold and not pred:
        return ["type confusion: no spans"]
    width = max(8, *(len(x) for x in gold + pred)) + 1
    rows = ["type confusion, same boundaries (rows gold, columns predicted):"]
    rows.append(f"{'gold':<{width}}" + "".join(f"{p:>{width}}" for p in pred) + f"{'missed':>{width}}")
    for g in gold:
        cells = "".join(f"{confusion.exact[(g, p)]:>{width}}" for p in pred)
        rows.append(f"{g:<{width}}" + cells + f"{confusion.missed[g]:>{width}}")
    rows.append(f"{'spurious':<{width}}" + "".join(f"{confusion.spurious[p]:>{width}}" for p in pred))
    rows += ["", "type confusion, overlapping boundaries (rows gold, columns predicted):"]
    rows.append(f"{'gold':<{width}}" + "".join(f"{p:>{width}}" for p in pred))
    for g in gold:
        rows.append(f"{g:<{width}}" + "".join(f"{confusion.overlap[(g, p)]:>{width}}" for p in pred))
    return rows
