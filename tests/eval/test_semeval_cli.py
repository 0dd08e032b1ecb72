"""``zhnews eval ner`` and ``zhnews eval links`` print and return the SemEval scores and the type confusion.

The entity stage is a lexicon plugin (``tests/eval/semeval_stages.py``), so the expected numbers are known:
the JSON must equal nervaluate's figures on the same gold and predicted spans.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpora.msra import NerSentence, iter_bio_lines
from pipeline.cli import main
from pipeline.eval.spans import Span

nervaluate = pytest.importorskip("nervaluate")

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(__file__).resolve().parent / "semeval_stages.py"
STAGE = ["--ner-stage", "test_lexicon_ner", "--set", f'run.plugins=["{PLUGIN}"]']

GOLD = [
    NerSentence(
        "日本外相林芳正在东京会见美国国务卿。", ((0, 2, "LOC"), (4, 7, "PER"), (8, 10, "LOC"), (12, 14, "LOC"))
    ),
    NerSentence("北约峰会在华盛顿举行。", ((0, 2, "ORG"), (5, 8, "LOC"))),
    NerSentence("台积电在日本熊本县建厂。", ((0, 3, "ORG"), (4, 6, "LOC"), (6, 9, "LOC"))),
]


def _nervaluate(pairs: list[tuple[list[Span], list[Span]]]) -> dict[str, dict[str, float]]:
    def dicts(spans: list[Span]) -> list[dict[str, object]]:
        return [{"label": s.label, "start": s.start, "end": s.end - 1} for s in sorted(spans)]

    tags = sorted({s.label for g, p in pairs for s in g + p})
    results = nervaluate.Evaluator([dicts(g) for g, _ in pairs], [dicts(p) for _, p in pairs], tags, loader="dict")
    overall = results.evaluate()["overall"]
    keys = ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")
    return {schema: {k: getattr(r, k) for k in keys} for schema, r in overall.items()}


def test_eval_ner_shows_semeval_scores_equal_to_nervaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.eval.semeval_stages import lexicon_entities

    gold = tmp_path / "gold.bio"
    gold.write_text("\n".join(iter_bio_lines(GOLD)) + "\n", encoding="utf-8")
    assert main(["eval", "ner", str(gold), *STAGE, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    pairs = [([Span(*s) for s in g.spans], [Span(*p) for p in lexicon_entities(g.text)]) for g in GOLD]
    expected = _nervaluate(pairs)
    for schema, counts in expected.items():
        assert {k: report["semeval"]["overall"][schema][k] for k in counts} == counts
    assert report["semeval"]["overall"]["strict"]["correct"] == report["micro"]["gold_matched"]
    assert report["semeval"]["confusion"]["exact"]["LOC"]["ORG"] == 1  # 东京 typed ORG

    assert main(["eval", "ner", str(gold), *STAGE]) == 0
    text = capsys.readouterr().out
    assert "SemEval-2013 scores" in text and "type confusion, same boundaries" in text
    assert text.index("micro") < text.index("SemEval-2013")  # after the existing table


def test_eval_links_shows_semeval_scores_of_entities_vs_entity_links(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["eval", "links", str(REPO / "corpora" / "sample"), "--limit", "3", *STAGE]
    assert main([*argv, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    strict = report["semeval"]["overall"]["strict"]
    assert strict["possible"] == report["totals"]["entity_links"] > 0
    assert strict["actual"] == report["exact"]["micro"]["n_pred"]
    assert main(argv) == 0
    assert "entities vs entity links, SemEval-2013 scores" in capsys.readouterr().out
