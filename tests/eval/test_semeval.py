"""SemEval-2013 scores equal nervaluate's: hand-made scenarios, overlapping predictions, random documents.

nervaluate is a test-only dependency (the ``dev`` extra); its entity ends are inclusive, ours exclusive, so
spans are handed to it with ``end - 1``. Floats are compared exactly: both compute them with the same
formulas from the same counts.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import DataError
from pipeline.eval.semeval import SCHEMAS, SemEvalScores, corpus_semeval, format_semeval, semeval_scores
from pipeline.eval.spans import Span

nervaluate = pytest.importorskip("nervaluate")

Doc = tuple[list[Span], list[Span]]


def _nervaluate(docs: list[Doc], min_overlap: float = 1.0) -> dict[str, Any]:
    def as_dicts(spans: list[Span]) -> list[dict[str, Any]]:
        return [{"label": s.label, "start": s.start, "end": s.end - 1} for s in spans]

    tags = sorted({s.label for g, p in docs for s in g + p})
    evaluator = nervaluate.Evaluator(
        [as_dicts(g) for g, _ in docs],
        [as_dicts(p) for _, p in docs],
        tags=tags,
        loader="dict",
        min_overlap_percentage=min_overlap,
    )
    return evaluator.evaluate()


def _same(ours: Any, theirs: Any) -> None:
    for key in ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual"):
        assert getattr(ours, key) == getattr(theirs, key), key
    assert (ours.precision, ours.recall, ours.f1) == (theirs.precision, theirs.recall, theirs.f1)


def _assert_equal(scores: SemEvalScores, docs: list[Doc], min_overlap: float = 1.0) -> None:
    theirs = _nervaluate(docs, min_overlap)
    for schema in SCHEMAS:
        _same(scores.overall[schema], theirs["overall"][schema])
    assert set(scores.per_type) == set(theirs["entities"])
    for label, table in scores.per_type.items():
        for schema in SCHEMAS:
            _same(table[schema], theirs["entities"][label][schema])


def _counts(scores: SemEvalScores, schema: str) -> tuple[int, int, int, int, int]:
    c = scores.overall[schema]
    return c.correct, c.incorrect, c.partial, c.missed, c.spurious


# The six SemEval scenarios (Segura-Bedmar et al. 2013; nervaluate's README): gold, prediction, and the
# (correct, incorrect, partial, missed, spurious) counts under strict, exact, partial and ent_type.
SCENARIOS = {
    "exact match": (
        [Span(0, 2, "LOC")],
        [Span(0, 2, "LOC")],
        {"strict": (1, 0, 0, 0, 0), "exact": (1, 0, 0, 0, 0), "partial": (1, 0, 0, 0, 0), "ent_type": (1, 0, 0, 0, 0)},
    ),
    "spurious": (
        [],
        [Span(3, 5, "PER")],
        {"strict": (0, 0, 0, 0, 1), "exact": (0, 0, 0, 0, 1), "partial": (0, 0, 0, 0, 1), "ent_type": (0, 0, 0, 0, 1)},
    ),
    "missed": (
        [Span(3, 5, "PER")],
        [],
        {"strict": (0, 0, 0, 1, 0), "exact": (0, 0, 0, 1, 0), "partial": (0, 0, 0, 1, 0), "ent_type": (0, 0, 0, 1, 0)},
    ),
    "wrong type": (
        [Span(0, 2, "LOC")],
        [Span(0, 2, "ORG")],
        {"strict": (0, 1, 0, 0, 0), "exact": (1, 0, 0, 0, 0), "partial": (1, 0, 0, 0, 0), "ent_type": (0, 1, 0, 0, 0)},
    ),
    "right type, overlapping boundaries": (
        [Span(0, 4, "ORG")],
        [Span(0, 2, "ORG")],
        {"strict": (0, 1, 0, 0, 0), "exact": (0, 1, 0, 0, 0), "partial": (0, 0, 1, 0, 0), "ent_type": (1, 0, 0, 0, 0)},
    ),
    "wrong type, overlapping boundaries": (
        [Span(0, 4, "ORG")],
        [Span(2, 6, "LOC")],
        {"strict": (0, 1, 0, 0, 0), "exact": (0, 1, 0, 0, 0), "partial": (0, 0, 1, 0, 0), "ent_type": (0, 1, 0, 0, 0)},
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_six_semeval_scenarios(name: str) -> None:
    gold, pred, expected = SCENARIOS[name]
    scores = semeval_scores(gold, pred)
    assert {schema: _counts(scores, schema) for schema in SCHEMAS} == expected
    _assert_equal(scores, [(gold, pred)])


def test_partial_counts_half_in_partial_and_the_totals_add_up() -> None:
    gold = [Span(0, 2, "LOC"), Span(5, 9, "PER"), Span(12, 14, "ORG")]
    pred = [Span(0, 2, "LOC"), Span(6, 9, "PER"), Span(20, 22, "ORG")]
    partial = semeval_scores(gold, pred).overall["partial"]
    assert (partial.correct, partial.partial, partial.missed, partial.spurious) == (1, 1, 1, 1)
    assert (partial.possible, partial.actual) == (3, 3)
    assert partial.precision == partial.recall == pytest.approx(1.5 / 3)
    strict = semeval_scores(gold, pred).overall["strict"]
    assert strict.precision == pytest.approx(1 / 3)


def test_adjacent_spans_do_not_overlap() -> None:
    """Exclusive ends: [0, 2) and [2, 4) share no character (nervaluate's inclusive 0-1 and 2-3)."""
    gold, pred = [Span(0, 2, "LOC")], [Span(2, 4, "LOC")]
    scores = semeval_scores(gold, pred)
    assert _counts(scores, "partial") == (0, 0, 0, 1, 1)
    _assert_equal(scores, [(gold, pred)])


def test_overlapping_predictions_take_one_gold_span_each() -> None:
    """Two predictions on one gold span: the first (in start order) takes it, the second is spurious."""
    gold = [Span(0, 6, "ORG")]
    pred = [Span(0, 3, "ORG"), Span(2, 6, "ORG"), Span(0, 6, "LOC")]
    scores = semeval_scores(gold, pred)
    assert _counts(scores, "partial") == (0, 0, 1, 0, 2)
    # ent_type: the first same-type overlapping prediction takes the gold span
    assert _counts(scores, "ent_type") == (1, 0, 0, 0, 2)
    _assert_equal(scores, [(gold, sorted(pred))])


def test_ent_type_takes_the_closest_gold_span() -> None:
    gold = [Span(0, 10, "PER"), Span(2, 4, "PER")]
    pred = [Span(2, 5, "PER")]
    scores = semeval_scores(gold, pred, ordered=False)
    assert _counts(scores, "ent_type") == (1, 0, 0, 1, 0)
    _assert_equal(scores, [(gold, pred)])


def test_min_overlap_is_a_share_of_the_gold_span() -> None:
    gold, pred = [Span(0, 10, "LOC")], [Span(8, 12, "LOC")]
    assert _counts(semeval_scores(gold, pred, min_overlap=20.0), "partial") == (0, 0, 1, 0, 0)
    assert _counts(semeval_scores(gold, pred, min_overlap=30.0), "partial") == (0, 0, 0, 1, 1)
    _assert_equal(semeval_scores(gold, pred, min_overlap=30.0), [(gold, pred)], min_overlap=30.0)


def test_the_order_of_the_input_does_not_matter_by_default() -> None:
    gold = [Span(0, 6, "ORG")]
    a = semeval_scores(gold, [Span(0, 3, "ORG"), Span(0, 6, "LOC")])
    b = semeval_scores(gold, [Span(0, 6, "LOC"), Span(0, 3, "ORG")])
    assert a.to_dict() == b.to_dict()


def test_empty_spans_are_an_error() -> None:
    with pytest.raises(DataError, match="empty or reversed span"):
        semeval_scores([Span(3, 3, "LOC")], [])


def test_confusion_pairs_types_and_counts_the_unpaired() -> None:
    gold = [Span(0, 2, "LOC"), Span(3, 6, "ORG"), Span(8, 10, "PER")]
    pred = [Span(0, 2, "ORG"), Span(4, 6, "ORG"), Span(12, 14, "LOC")]
    confusion = semeval_scores(gold, pred).confusion
    assert confusion.exact == {("LOC", "ORG"): 1}
    assert confusion.overlap == {("ORG", "ORG"): 1}
    assert confusion.missed == {"PER": 1}
    assert confusion.spurious == {"LOC": 1}
    text = format_semeval(semeval_scores(gold, pred))
    assert "type confusion, same boundaries" in text and "spurious" in text


def test_documents_never_match_across() -> None:
    docs: list[Doc] = [([Span(0, 2, "LOC")], []), ([], [Span(0, 2, "LOC")])]
    scores = corpus_semeval(docs)
    assert _counts(scores, "strict") == (0, 0, 0, 1, 1)
    _assert_equal(scores, docs)
    assert scores.to_dict()["overall"]["strict"]["possible"] == 1


LABELS = st.sampled_from(["LOC", "ORG", "PER"])


@st.composite
def spans(draw: st.DrawFn) -> Span:
    start = draw(st.integers(0, 30))
    return Span(start, start + draw(st.integers(1, 8)), draw(LABELS))


DOCS = st.lists(st.tuples(st.lists(spans(), max_size=6), st.lists(spans(), max_size=6)), min_size=1, max_size=4)


@settings(max_examples=300, deadline=None)
@given(docs=DOCS, min_overlap=st.sampled_from([1.0, 1.0, 30.0, 50.0, 100.0]))
def test_random_documents_score_as_in_nervaluate(docs: list[Doc], min_overlap: float) -> None:
    """Unsorted lists with overlaps and duplicates, in the given order (``ordered=False``) and sorted."""
    _assert_equal(corpus_semeval(docs, min_overlap=min_overlap, ordered=False), docs, min_overlap)
    sorted_docs = [(sorted(g), sorted(p)) for g, p in docs]
    _assert_equal(corpus_semeval(docs, min_overlap=min_overlap), sorted_docs, min_overlap)


@settings(max_examples=100, deadline=None)
@given(docs=DOCS)
def test_confusion_totals_match_the_partial_schema(docs: list[Doc]) -> None:
    scores = corpus_semeval(docs)
    partial = scores.overall["partial"]
    confusion = scores.confusion
    assert sum(confusion.exact.values()) == partial.correct
    assert sum(confusion.overlap.values()) == partial.partial
    assert sum(confusion.missed.values()) == partial.missed
    assert sum(confusion.spurious.values()) == partial.spurious
