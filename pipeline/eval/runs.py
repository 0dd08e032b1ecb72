"""Run the configured pipeline for evaluation: NER on a gold BIO file, link check over a corpus.

Both go through the same stages as ``zhnews run`` (built by the runner from a :class:`RunConfig`), so what is
scored is what users get: the model behind the ``ner`` stage, fed by the configured normalize and segment
stages. No second runner: the link check maps the runner's :func:`process_source` over the files.

The entity stage is ``ner`` unless told otherwise (a plugin stage can stand in for it); the evaluation config
keeps the configured stages up to it, adds it after them when the config does not list it, and drops the
stages after it (stance, topic) that cannot change entities.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from corpora.msra import NerSentence
from pipeline.core.article import Article
from pipeline.core.config import RunConfig, StageSpec
from pipeline.core.runner import StageFailure, build_stages, run_articles
from pipeline.errors import DataError
from pipeline.eval.spans import Span, SpanScores, corpus_span_scores

PRE_STAGES = ("normalize", "segment")


def entity_config(
    config: RunConfig,
    *,
    ner_stage: str = "ner",
    model: str | None = None,
    then: Sequence[str] = (),
    drop_options: Sequence[str] = (),
) -> RunConfig:
    """The config's stages up to the entity stage, then ``then`` (with their configured options, if any).

    ``model`` sets the entity stage's ``model`` option; ``drop_options`` removes options from it (the gazetteer
    builder drops ``gazetteer`` so its votes come from the model alone).
    """
    configured = {s.name: s for s in config.stages}
    stages: list[StageSpec] = []
    for spec in config.stages:
        if spec.name == ner_stage or spec.name in then:
            break
        stages.append(spec)
    names = {s.name for s in stages}
    for i, name in enumerate(PRE_STAGES):  # normalize + segment are what the model was trained behind
        if name not in names and name != ner_stage:
            stages.insert(i, StageSpec(name, {}))
    options = dict(configured[ner_stage].options) if ner_stage in configured else {}
    if model is not None:
        options["model"] = model
    for key in drop_options:
        options.pop(key, None)
    stages.append(StageSpec(ner_stage, options))
    stages += [configured.get(name, StageSpec(name, {})) for name in then]
    return replace(config, stages=stages)


@dataclass
class NerEvaluation:
    """Strict typed scores of the entity stage on gold sentences, and its speed."""

    scores: SpanScores
    sentences: int
    chars: int
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    # every sentence's (gold, predicted) spans, for scores beyond the strict ones (SemEval, type confusion)
    pairs: list[tuple[list[Span], list[Span]]] = field(default_factory=list, repr=False)

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "chars": self.chars,
            "seconds": round(self.seconds, 3),
            "chars_per_second": round(self.chars_per_second, 1),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            **self.scores.to_dict(),
        }


def relabel(spans: Sequence[Span], mapping: dict[str, str]) -> list[Span]:
    """Rename labels (``PER.NAM`` -> ``PER``); a label mapped to ``""`` is dropped."""
    out = []
    for s in spans:
        label = mapping.get(s.label, s.label)
        if label:
            out.append(Span(s.start, s.end, label))
    return out


class GoldSentence(Protocol):
    """A gold sentence: its text and its entities as character spans (BIO files and NER corpora alike)."""

    @property
    def text(self) -> str: ...

    def char_spans(self) -> list[Span]: ...


def evaluate_ner(
    sentences: Sequence[GoldSentence],
    config: RunConfig,
    *,
    path: str = "<gold>",
    gold_map: dict[str, str] | None = None,
    pred_map: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> NerEvaluation:
    """Run each sentence through the config's stages as an article and score its entities (exact spans+types).

    The time counted is the stages' time (normalize, segment, NER), not reading the file; stage models are
    loaded on a warm-up sentence first so loading is not counted either. ``progress(n)`` after every n
    sentences (groups of whole batches, so the batches, and the results, are those of one call).
    """
    stages = build_stages(config)
    if sentences:  # model loading and jieba's dictionary are one-off costs, not throughput
        run_articles([Article(id="warmup", path=path, text=sentences[0].text)], stages)
    stage_seconds = {s.name: 0.0 for s in config.stages}
    articles = [Article(id=str(i), path=path, text=sent.text) for i, sent in enumerate(sentences)]
    pairs: list[tuple[list[Span], list[Span]]] = []
    for sent, item in zip(sentences, _run_in_groups(articles, stages, stage_seconds, config, progress), strict=True):
        if isinstance(item, StageFailure):
            raise DataError(f"{path}: sentence {item.article.id}: stage {item.stage}: {item.problem}")
        pred = [Span(e.start, e.end, e.label) for e in item.entities]
        pairs.append((relabel(sent.char_spans(), gold_map or {}), relabel(pred, pred_map or {})))
    scores = corpus_span_scores(pairs)
    chars = sum(len(s.text) for s in sentences)
    return NerEvaluation(scores, len(sentences), chars, sum(stage_seconds.values()), stage_seconds, pairs)


def _run_in_groups(
    articles: list[Article],
    stages: Any,
    seconds: dict[str, float],
    config: RunConfig,
    progress: Callable[[int], None] | None,
) -> Iterator[Article | StageFailure]:
    """``run_articles`` over groups of whole batches, reporting each group done (one group without ``progress``)."""
    step = len(articles) if progress is None else max(config.batch_size, 1) * 8
    for start in range(0, len(articles), max(step, 1)):
        group = articles[start : start + step]
        yield from run_articles(group, stages, seconds, batch_size=config.batch_size)
        if progress is not None:
            progress(len(group))


def to_traditional(sentences: Sequence[GoldSentence]) -> list[NerSentence]:
    """OpenCC s2t copies with unchanged spans: converted character by character wherever a phrase rule would
    change the length, so gold offsets stay valid. Scores on them measure the normalize stage's t2s round trip."""
    from pipeline.text.opencc_align import converter

    cc = converter("s2t")
    out: list[NerSentence] = []
    for s in sentences:
        t = cc.convert(s.text)
        if len(t) != len(s.text):
            t = "".join(c2 if len(c2 := cc.convert(c)) == 1 else c for c in s.text)
        out.append(NerSentence(t, tuple(s.char_spans())))
    return out


def as_articles(sentences: Sequence[GoldSentence], per: int, separator: str = "\n\n") -> list[NerSentence]:
    """Runs of ``per`` consecutive sentences joined into one text each (a paragraph per sentence), spans moved.

    MSRA's files are sentences of whole articles in order, and the independent checks feed them as articles:
    the document-level rules of the NER component (one name, one label) act only on such texts.
    """
    out: list[NerSentence] = []
    for first in range(0, len(sentences), max(per, 1)):
        parts: list[str] = []
        spans: list[tuple[int, int, str]] = []
        offset = 0
        for sent in sentences[first : first + per]:
            if parts:
                offset += len(separator)
            parts.append(sent.text)
            spans += [(offset + s.start, offset + s.end, s.label) for s in sent.char_spans()]
            offset += len(sent.text)
        out.append(NerSentence(separator.join(parts), tuple(spans)))
    return out


def evaluate_ner_dev(
    model: str,
    train_config: Any,
    config: RunConfig,
    *,
    traditional: bool = False,
    articles: int = 0,
    progress: Callable[[int], None] | None = None,
) -> dict[str, NerEvaluation]:
    """A saved model on the dev split of its training config, through ``config``'s stages (as ``zhnews run``);
    with ``articles`` = N also grouped N sentences to an article (:func:`as_articles`); ``progress(n)`` as
    sentences (or articles) are done, for every copy."""
    from pipeline.ner.data import train_dev_split

    _, dev = train_dev_split(train_config)
    run_config = entity_config(config, model=model)
    copies: dict[str, Sequence[GoldSentence]] = {"simplified": dev}
    if traditional:
        copies["traditional"] = to_traditional(dev)
    if articles > 0:
        copies |= {f"{name} as articles of {articles}": as_articles(c, articles) for name, c in list(copies.items())}
    return {
        name: evaluate_ner(sentences, run_config, path=f"<dev, {name}>", progress=progress)
        for name, sentences in copies.items()
    }


def corpus_records(
    inputs: Sequence[str | Path],
    config: RunConfig,
    *,
    workers: int = 1,
    limit: int | None = None,
    on_error: Callable[[dict[str, Any]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[dict[str, Any]], float]:
    """Records of every article of ``inputs`` after the config's stages (the runner's ``process_source``),
    plus the seconds the stages took. Error records go to ``on_error``; they never stop the evaluation.
    ``progress(1)`` after each input file (or chunk of a big JSONL file)."""
    from pipeline.core.runner import discover, map_sources

    sources = discover(inputs, limit)
    build_stages(config)  # bad options fail before any file is read
    records: list[dict[str, Any]] = []
    seconds = 0.0
    for result in map_sources([s.path for s in sources], config, workers):
        records.extend(json.loads(line) for line in result.record_lines)
        seconds += sum(v for k, v in result.stage_seconds.items() if k != "ingest")
        if on_error is not None:
            for err in result.errors:
                on_error(err)
        if progress is not None:
            progress(1)
    return records, seconds


def format_ner_table(evaluation: NerEvaluation) -> str:
    s = evaluation.scores
    rows = [f"{'type':<10} {'P':>6} {'R':>6} {'F1':>6} {'gold':>7} {'pred':>7} {'correct':>7}"]

    def row(name: str, prf: Any) -> str:
        return (
            f"{name:<10} {100 * prf.precision:6.2f} {100 * prf.recall:6.2f} {100 * prf.f1:6.2f} "
            f"{prf.n_gold:>7} {prf.n_pred:>7} {prf.gold_matched:>7}"
        )

    rows += [row(label, s.per_type[label]) for label in sorted(s.per_type)]
    rows.append(row("micro", s.micro))
    rows.append("")
    rows.append(
        f"{evaluation.sentences} sentences, {evaluation.chars:,} chars, {evaluation.seconds:.1f} s in stages: "
        f"{evaluation.chars_per_second:,.0f} chars/s ("
        + ", ".join(f"{k} {v:.1f} s" for k, v in evaluation.stage_seconds.items())
        + ")"
    )
    return "\n".join(rows)
