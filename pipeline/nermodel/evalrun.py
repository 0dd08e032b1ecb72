"""Score a saved NER model on the config's held-out dev split through the real run-time path.

Each dev sentence becomes an :class:`Article` and goes through the ``normalize``, ``segment`` and ``ner`` stages
exactly as in ``zhnews run``; scores are strict span P/R/F1 per type. With ``traditional=True`` the same sentences
are converted to traditional characters with OpenCC ``s2t`` first (gold spans kept: the conversion is done
character by character whenever a phrase rule would change the length), which measures how much the
normalize stage's t2s round trip costs. Throughput is segment+NER characters per second on one thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpora.msra import NerSentence
from pipeline.document import Article
from pipeline.nermodel.data import corpus_split, read_corpus
from pipeline.nermodel.evaluate import span_scores
from pipeline.nermodel.train import load_ner_config


def dev_sentences(config: str | Path, overrides: dict[str, Any] | None = None) -> list[NerSentence]:
    """The dev split exactly as ``zhnews train ner`` carved it from the same config."""
    cfg = load_ner_config(config, overrides)
    co = cfg["corpora"]
    sentences = read_corpus(co["path"], co.get("format", "msra"))
    _, dev_idx = corpus_split(len(sentences), co, int(cfg["training"]["seed"]))
    return [sentences[i] for i in dev_idx]


def to_traditional(sentences: Sequence[NerSentence]) -> tuple[list[NerSentence], int]:
    """OpenCC s2t copies with unchanged spans; also returns how many sentences needed per-character conversion."""
    import opencc

    cc = opencc.OpenCC("s2t.json")
    out: list[NerSentence] = []
    per_char = 0
    for s in sentences:
        t = cc.convert(s.text)
        if len(t) != len(s.text):
            per_char += 1
            t = "".join(c2 if len(c2 := cc.convert(c)) == 1 else c for c in s.text)
        out.append(NerSentence(t, s.spans))
    return out, per_char


def run_stages(
    model: str | Path, texts: Sequence[str], *, hmm: bool = True
) -> tuple[list[list[tuple[int, int, str]]], dict[str, float]]:
    """Entity spans per text through normalize -> segment -> ner, and the seconds each part took."""
    import torch

    from pipeline.ner import make_ner
    from pipeline.registry import create_stage

    torch.set_num_threads(1)
    normalize = create_stage("normalize", {})
    segment = create_stage("segment", {"hmm": hmm})
    ner = make_ner(model=str(model))
    # warm up: jieba dictionaries and the model load are one-off costs, not throughput
    ner(segment(normalize(Article(id="w", path="<warmup>", text="新华社北京电。"))))
    seconds = {"normalize+segment": 0.0, "ner": 0.0}
    results: list[list[tuple[int, int, str]]] = []
    for i, text in enumerate(texts):
        article = Article(id=str(i), path="<dev>", text=text)
        t0 = time.perf_counter()
        article = segment(normalize(article))
        t1 = time.perf_counter()
        article = ner(article)
        t2 = time.perf_counter()
        seconds["normalize+segment"] += t1 - t0
        seconds["ner"] += t2 - t1
        for e in article.entities:
            assert text[e.start : e.end] == e.text
        results.append([(e.start, e.end, e.label) for e in article.entities])
    return results, seconds


def evaluate_dev(
    model: str | Path,
    config: str | Path,
    overrides: dict[str, Any] | None = None,
    *,
    traditional: bool = False,
    hmm: bool = True,
) -> dict[str, Any]:
    dev = dev_sentences(config, overrides)
    chars = sum(len(s.text) for s in dev)
    report: dict[str, Any] = {"model": str(model), "dev_sentences": len(dev), "chars": chars, "hmm": hmm, "scores": {}}
    pred, seconds = run_stages(model, [s.text for s in dev], hmm=hmm)
    report["scores"]["simplified"] = span_scores([s.spans for s in dev], pred)
    report["seconds"] = seconds
    total = seconds["normalize+segment"] + seconds["ner"]
    report["chars_per_second"] = chars / total if total else 0.0
    report["ner_chars_per_second"] = chars / seconds["ner"] if seconds["ner"] else 0.0
    if traditional:
        trad, per_char = to_traditional(dev)
        tpred, _ = run_stages(model, [s.text for s in trad], hmm=hmm)
        report["scores"]["traditional"] = span_scores([s.spans for s in trad], tpred)
        report["traditional_per_char_converted"] = per_char
        report["traditional_changed_sentences"] = sum(1 for a, b in zip(dev, trad, strict=True) if a.text != b.text)
    return report
