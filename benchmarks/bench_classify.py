"""Prediction cost of the stance, topic and topicmodel stages, next to normalize + segment on the same articles.

The budget (issue 4): classification adds under 10 % to a ``zhnews run``. Each stage is timed on articles that
already went through normalize + segment (as in a run), after one warm-up article that loads the model, so the
figures are per-article prediction cost, not model loading. A topic model for the benchmark is fitted on the
same corpus first (its fitting time is printed apart).

    python benchmarks/bench_classify.py [CORPUS ...] [--repeat 3] [--limit N]

Default corpus: ``corpora/sample``; ``../shared/data/gnews_ourhimalayas`` is the real one.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pipeline.core.article import Article
from pipeline.core.modelio import save_model
from pipeline.core.registry import create_stage
from pipeline.core.resources import model_dir
from pipeline.ingest import discover_inputs, read_source
from pipeline.topicmodel import TopicModel

REPO = Path(__file__).resolve().parent.parent


def load_articles(inputs: list[str], limit: int | None) -> list[Article]:
    articles: list[Article] = []
    for path in discover_inputs(inputs):
        try:
            articles += [a for a in read_source(path) if isinstance(a, Article)]
        except Exception as exc:  # a benchmark skips unreadable files
            print(f"skip {path}: {exc}")
    return articles[:limit] if limit else articles


def timed(stage: object, articles: list[Article], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for article in articles:
            stage(article)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="*", default=[str(REPO / "corpora" / "sample")])
    parser.add_argument("--repeat", type=int, default=3, help="best of N timings (default 3)")
    parser.add_argument("--limit", type=int, help="at most N articles")
    args = parser.parse_args()

    articles = load_articles(args.corpus, args.limit)
    chars = sum(len(a.text) for a in articles)
    print(f"{len(articles)} articles, {chars:,} characters")
    normalize, segment = create_stage("normalize"), create_stage("segment")
    segment(normalize(articles[0]))  # warm-up: jieba dictionary

    def base_pass() -> None:
        for a in articles:
            segment(normalize(a))

    base = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        base_pass()
        base = min(base, time.perf_counter() - t0)
    print(f"normalize + segment: {base:.3f} s ({chars / base:,.0f} chars/s)")

    with tempfile.TemporaryDirectory() as tmp:
        stages: list[tuple[str, object]] = []
        if (model_dir("stance") / "model.skops").is_file():
            stages.append(("stance (5 targets)", create_stage("stance")))
        for name in ("fulltext", "titles"):
            path = model_dir("topic", name)
            if (path / "model.skops").is_file():
                stages.append((f"topic ({name})", create_stage("topic", {"model": str(path)})))
        t0 = time.perf_counter()
        k = min(10, max(2, len(articles) // 3))
        tm = TopicModel(k, min_df=1 if len(articles) < 20 else 2).fit(
            [[t.norm_ for t in a.doc if t.norm_.strip()] for a in articles if a.doc is not None]
        )
        save_model(tm, Path(tmp) / "tm", kind="topicmodel", meta={"k": k})
        print(f"(topic model k={k} fitted in {time.perf_counter() - t0:.2f} s)")
        stages.append((f"topicmodel (k={k})", create_stage("topicmodel", {"model": str(Path(tmp) / "tm")})))
        total = 0.0
        for name, stage in stages:
            stage(articles[0])  # type: ignore[operator]  # loads the model
            seconds = timed(stage, articles, args.repeat)
            total += seconds
            print(f"{name:24s} {seconds:.3f} s  {len(articles) / seconds:8.1f} articles/s  "
                  f"+{100 * seconds / base:5.1f} % of normalize+segment")  # fmt: skip
        print(f"{'all classifiers':24s} {total:.3f} s  +{100 * total / base:5.1f} % of normalize+segment")


if __name__ == "__main__":
    main()
