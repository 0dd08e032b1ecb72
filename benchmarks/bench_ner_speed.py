"""Throughput of normalize+segment and of the NER stage on real articles, one core.

    python benchmarks/bench_ner_speed.py [--config configs/default.toml] [--model models/ner]
                                         [--corpus ../shared/data/gnews_ourhimalayas] [--limit 60]
                                         [--hmm | --no-hmm]

Prints characters per second for normalize+segment, for ner alone and for the two together (the figure the
NER target is about: >= 20k chars/s on one core). The normalize, segment and ner options come from the run
config (the default one unless ``--config``), so the figures are those of ``zhnews run``; the flags override
them. The NER network's matrix products run on one thread (the component's ``threads``), as in ``zhnews run``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.core.article import Article
from pipeline.core.config import load_config
from pipeline.core.runner import build_stages, freeze_loaded, run_articles, stages_until
from pipeline.ingest import discover_inputs, read_source

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default=None, help="run config whose stage options to use (default: default.toml)")
    ap.add_argument("--model", default=None, help="NER model folder (default: the config's)")
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "data" / "gnews_ourhimalayas"))
    ap.add_argument("--limit", type=int, default=60, help="articles to read (0 = all)")
    ap.add_argument("--hmm", action=argparse.BooleanOptionalAction, default=None, help="jieba's HMM in segment")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()

    paths = sorted(discover_inputs([args.corpus]))
    if args.limit:
        paths = paths[: args.limit]
    articles = [a for p in paths for a in read_source(p) if isinstance(a, Article)]
    sets = [f"stages.segment.hmm={str(args.hmm).lower()}"] if args.hmm is not None else []
    if args.model:
        sets.append(f"stages.ner.model={args.model}")
    config = stages_until(load_config(args.config, sets), "ner")
    stages = build_stages(config)
    run_articles([Article(id="w", path="<warmup>", text="新华社北京电。日本外相林芳正表示。")], stages)
    freeze_loaded()  # what a run's processes do after their first task (runner.engine_task)

    chars = n_ents = 0
    seconds: dict[str, float] = {}
    for _ in range(args.repeat):
        fresh = [Article(id=a.id, path=a.path, text=a.text) for a in articles]
        for art in run_articles(fresh, stages, seconds, batch_size=config.batch_size):
            assert isinstance(art, Article), art
            chars += len(art.text)
            n_ents += len(art.entities)
    seg_s = seconds["normalize"] + seconds["segment"]
    ner_s = seconds["ner"]
    hmm = dict(config.stages[1].options).get("hmm", True)
    print(
        f"articles {len(articles)} x{args.repeat}, chars {chars:,}, entities {n_ents:,}, "
        f"hmm={hmm}, batch {config.batch_size}"
    )
    print(f"normalize+segment   {chars / seg_s:10,.0f} chars/s  ({seg_s:.2f}s)")
    print(f"ner                 {chars / ner_s:10,.0f} chars/s  ({ner_s:.2f}s)")
    print(f"segment+ner         {chars / (seg_s + ner_s):10,.0f} chars/s  ({seg_s + ner_s:.2f}s)")


if __name__ == "__main__":
    main()
