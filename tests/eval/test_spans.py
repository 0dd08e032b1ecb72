"""Span metrics: seqeval-identical strict scores, overlap scores, tag schemes, BIO files."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import DataError
from pipeline.eval.spans import (
    PRF,
    Span,
    bio_to_bioes,
    bioes_to_bio,
    read_bio,
    span_scores,
    spans_to_bio,
    spans_to_bioes,
    tag_scores,
    tags_to_spans,
)

seqeval_metrics = pytest.importorskip("seqeval.metrics")

BIO_TAGS = ["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG"]
tag_seq = st.lists(st.sampled_from(BIO_TAGS), min_size=0, max_size=25)


def _seqeval(gold: list[list[str]], pred: list[list[str]]) -> tuple[dict[str, tuple], tuple]:
    """Per-type (p, r, f, support) and micro (p, r, f) from seqeval's default (CoNLL) mode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = seqeval_metrics.classification_report(gold, pred, output_dict=True, zero_division=0)
        micro = tuple(
            score(gold, pred, zero_division=0)
            for score in (seqeval_metrics.precision_score, seqeval_metrics.recall_score, seqeval_metrics.f1_score)
        )
    per_type = {
        k: (v["precision"], v["recall"], v["f1-score"], v["support"]) for k, v in report.items() if "avg" not in k
    }
    return per_type, micro


@st.composite
def gold_pred_pair(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Two random (often ill-formed) BIO sequences of the same length."""
    n = draw(st.integers(0, 25))
    tags = st.lists(st.sampled_from(BIO_TAGS), min_size=n, max_size=n)
    return draw(tags), draw(tags)


@settings(max_examples=300, deadline=None)
@given(st.lists(gold_pred_pair(), min_size=1, max_size=6))
def test_strict_scores_equal_seqeval_on_random_bio_including_ill_formed(
    pairs: list[tuple[list[str], list[str]]],
) -> None:
    gold = [g for g, _ in pairs]
    pred = [p for _, p in pairs]
    ours = tag_scores(gold, pred)
    per_type, micro = _seqeval(gold, pred)
    assert (ours.micro.precision, ours.micro.recall, ours.micro.f1) == pytest.approx(micro)
    for label, (p, r, f, support) in per_type.items():
        prf = ours.per_type[label]
        assert (prf.precision, prf.recall, prf.f1) == pytest.approx((p, r, f)), label
        assert prf.n_gold == support
    assert set(per_type) == set(ours.per_type)


@given(st.lists(st.sampled_from([*BIO_TAGS, "E-PER", "S-LOC", "E-LOC", "S-ORG"]), max_size=25))
def test_span_decoding_equals_seqeval_get_entities_on_bio_and_bioes(tags: list[str]) -> None:
    from seqeval.metrics.sequence_labeling import get_entities

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = [Span(s, e + 1, t) for t, s, e in get_entities(tags)]
    assert tags_to_spans(tags) == expected


def test_ill_formed_i_start_and_type_change_are_read_the_conll_way() -> None:
    # I-LOC after O starts a chunk; I-ORG after I-LOC closes LOC and starts ORG
    assert tags_to_spans(["O", "I-LOC", "I-LOC", "I-ORG", "B-PER", "I-LOC"]) == [
        Span(1, 3, "LOC"),
        Span(3, 4, "ORG"),
        Span(4, 5, "PER"),
        Span(5, 6, "LOC"),
    ]


def test_hand_computed_strict_scores() -> None:
    # 美国总统拜登访问日本东京 / gold: 美国 LOC, 拜登 PER, 日本 LOC, 东京 LOC
    # pred: 美国 LOC (ok), 拜登访 PER (boundary wrong), 日本东京 LOC (merged, wrong), 总统 ORG (spurious)
    gold = [["B-LOC", "I-LOC", "O", "O", "B-PER", "I-PER", "O", "O", "B-LOC", "I-LOC", "B-LOC", "I-LOC"]]
    pred = [["B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC", "I-LOC"]]
    scores = tag_scores(gold, pred)
    # tp=1 (美国), pred=4, gold=4 -> P=R=F=0.25
    assert scores.micro.precision == pytest.approx(0.25)
    assert scores.micro.recall == pytest.approx(0.25)
    assert scores.micro.f1 == pytest.approx(0.25)
    loc = scores.per_type["LOC"]  # tp 1 of pred 2, gold 3 -> P .5, R 1/3, F 0.4
    assert (loc.precision, loc.recall, loc.f1) == pytest.approx((0.5, 1 / 3, 0.4))
    assert scores.per_type["PER"].f1 == 0.0
    assert scores.per_type["ORG"].n_gold == 0 and scores.per_type["ORG"].n_pred == 1
    per_type, micro = _seqeval(gold, pred)
    assert micro == pytest.approx((0.25, 0.25, 0.25))
    assert per_type["LOC"][:3] == pytest.approx((0.5, 1 / 3, 0.4))


def test_hand_computed_overlap_scores() -> None:
    # gold: 印度太平洋 LOC [0,5), 司令部 ORG [5,8), 岸田文雄 PER [10,14)
    # pred: 印度 LOC [0,2), 太平洋 LOC [2,5), 太平洋司令部 ORG [2,8), 文雄 LOC [12,14), 美国 LOC [20,22)
    gold = [Span(0, 5, "LOC"), Span(5, 8, "ORG"), Span(10, 14, "PER")]
    pred = [Span(0, 2, "LOC"), Span(2, 5, "LOC"), Span(2, 8, "ORG"), Span(12, 14, "LOC"), Span(20, 22, "LOC")]
    untyped = span_scores(gold, pred, mode="overlap", match_label=False)
    # every gold span is touched; 4 of 5 predictions touch gold
    assert (untyped.micro.gold_matched, untyped.micro.n_gold) == (3, 3)
    assert (untyped.micro.pred_matched, untyped.micro.n_pred) == (4, 5)
    assert untyped.micro.f1 == pytest.approx(2 * 0.8 * 1.0 / 1.8)
    typed = span_scores(gold, pred, mode="overlap", match_label=True)
    # 文雄 LOC does not match 岸田文雄 PER; 太平洋司令部 ORG matches 司令部 ORG; gold LOC matched by 印度/太平洋
    assert (typed.micro.gold_matched, typed.micro.pred_matched) == (2, 3)
    assert typed.per_type["PER"].recall == 0.0
    assert typed.per_type["LOC"].precision == pytest.approx(2 / 4)
    exact = span_scores(gold, pred, mode="exact")
    assert exact.micro.pred_matched == exact.micro.gold_matched == 0


def test_empty_denominators_score_zero() -> None:
    assert PRF().f1 == 0.0
    scores = span_scores([], [])
    assert scores.micro.f1 == 0.0 and scores.per_type == {}


@given(tag_seq)
def test_bio_bioes_round_trip_keeps_spans(tags: list[str]) -> None:
    spans = tags_to_spans(tags)
    assert tags_to_spans(bio_to_bioes(tags)) == spans
    assert tags_to_spans(bioes_to_bio(bio_to_bioes(tags))) == spans
    assert tags_to_spans(spans_to_bio(spans, len(tags))) == spans


def test_spans_to_bioes_marks_single_and_end_positions() -> None:
    assert spans_to_bioes([Span(0, 1, "PER"), Span(2, 5, "LOC")], 6) == [
        "S-PER",
        "O",
        "B-LOC",
        "I-LOC",
        "E-LOC",
        "O",
    ]
    with pytest.raises(ValueError):
        spans_to_bio([Span(3, 9, "LOC")], 5)


def test_read_bio_plain_and_weibo_variants(tmp_path: Path) -> None:
    plain = tmp_path / "msra.bio"
    plain.write_text("中\tB-LOC\n国\tI-LOC\n1\tO\n\n\n林\tB-PER\n芳\tI-PER\n正\tI-PER\n", encoding="utf-8")
    sents = read_bio(plain)
    assert [s.text for s in sents] == ["中国1", "林芳正"]
    assert sents[0].char_spans() == [Span(0, 2, "LOC")]
    weibo = tmp_path / "weibo.conll"
    weibo.write_text("北0\tB-GPE.NAM\n京1\tI-GPE.NAM\n好0\tO\n\n\ufffd\ufffd0\tO\n人0\tB-PER.NOM\n", encoding="utf-8")
    sents = read_bio(weibo)
    assert sents[0].text == "北京好"
    assert sents[0].char_spans() == [Span(0, 2, "GPE.NAM")]
    # a two-character token keeps char offsets right for the spans after it
    assert sents[1].text == "\ufffd\ufffd人" and sents[1].char_spans() == [Span(2, 3, "PER.NOM")]


def test_read_bio_rejects_a_line_without_a_tag(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bio"
    bad.write_text("中\tB-LOC\n国\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.bio:2"):
        read_bio(bad)


def test_read_bio_on_shared_msra_counts_entities(shared_dir: Path) -> None:
    sents = read_bio(shared_dir / "data" / "weibo_ner" / "weiboNER_2nd_conll.dev")
    assert len(sents) == 270
    assert sum(len(s.char_spans()) for s in sents) == 389
