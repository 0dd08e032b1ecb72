"""Throughput of normalize+segment and of the NER stage on real articles, one core.

    python benchmarks/bench_ner_speed.py [--config configs/default.toml] [--model models/ner]
                                         [--corpus ../shared/data/gnews_ourhimalayas] [--limit 60]
                                         [--hmm | --no-hmm]

Prints characters per second for normalize+segment, for ner alone and for the two together (the figure the
NER target is about: >= 20k chars/s on one core). The normalize, segment and ner options come from the run
config (the default one unless ``--config``), so the figures are those of ``zhnews run``; the flags override
them. Torch runs on one thread, as in ``zhnews run``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from pipeline.config import load_config
from pipeline.document import Article
from pipeline.ingest import discover_inputs, read_source
from pipeline.ner import make_ner
from pipeline.registry import create_stage

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
    torch.set_num_threads(1)

    paths = sorted(discover_inputs([args.corpus]))
    if args.limit:
        paths = paths[: args.limit]
    articles = [a for p in paths for a in read_source(p) if isinstance(a, Article)]
    options = {spec.name: dict(spec.options) for spec in load_config(args.config).stages}
    seg_opts = options.get("segment", {})
    ner_opts = options.get("ner", {})
    if args.hmm is not None:
        seg_opts["hmm"] = args.hmm
    if args.model:
        ner_opts["model"] = args.model
    normalize = create_stage("normalize", options.get("normalize", {}))
    segment = create_stage("segment", seg_opts)
    ner = make_ner(**ner_opts)
    ner(segment(normalize(Article(id="w", path="<warmup>", text="新华社北京电。日本外相林芳正表示。"))))

    chars = 0
    seg_s = ner_s = 0.0
    n_ents = 0
    for _ in range(args.repeat):
        for a in articles:
            art = Article(id=a.id, path=a.path, text=a.text)
            t0 = time.perf_counter()
            art = segment(normalize(art))
            t1 = time.perf_counter()
            art = ner(art)
            t2 = time.perf_counter()
            seg_s += t1 - t0
            ner_s += t2 - t1
            chars += len(a.text)
            n_ents += len(art.entities)
    print(
        f"articles {len(articles)} x{args.repeat}, chars {chars:,}, entities {n_ents:,}, "
        f"hmm={seg_opts.get('hmm', True)}"
    )
    print(f"normalize+segment   {chars / seg_s:10,.0f} chars/s  ({seg_s:.2f}s)")
    print(f"ner                 {chars / ner_s:10,.0f} chars/s  ({ner_s:.2f}s)")
    print(f"segment+ner         {chars / (seg_s + ner_s):10,.0f} chars/s  ({seg_s + ner_s:.2f}s)")


if __name__ == "__main__":
    main()
