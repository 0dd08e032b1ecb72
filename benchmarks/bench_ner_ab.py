"""Same-process A/B throughput of NER models next to bare ``jieba.lcut`` on the gnews articles (one torch thread).

    PYTHONPATH=. python benchmarks/bench_ner_ab.py MODEL [MODEL ...] [--corpus ../shared/data/gnews_ourhimalayas]

Five interleaved rounds (lcut, normalize+segment, then each model's ner stage on freshly segmented Docs, HMM off
as in the default run config); the best round of each is reported, since on a shared machine the load changes
within a minute and a single pass can be off by 2x.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import jieba
import torch

from pipeline.document import Article
from pipeline.ingest import discover_inputs, read_source
from pipeline.ner import make_ner
from pipeline.registry import create_stage

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="+")
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "data" / "gnews_ourhimalayas"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    paths = sorted(discover_inputs([args.corpus]))
    texts = [a.text for p in paths for a in read_source(p) if isinstance(a, Article)]
    chars = sum(map(len, texts))
    norm = create_stage("normalize", {})
    seg = create_stage("segment", {"hmm": False})
    ners = [make_ner(model=m) for m in args.models]
    for n in ners:
        n(seg(norm(Article(id="w", path="w", text="新华社北京电。"))))
    jieba.lcut("新华社")
    res: dict[str, list[float]] = {"lcut": [], "seg": []} | {m: [] for m in args.models}
    for _ in range(args.rounds):
        t = time.perf_counter()
        for x in texts:
            jieba.lcut(x)
        res["lcut"].append(time.perf_counter() - t)
        t = time.perf_counter()
        [seg(norm(Article(id=str(i), path="x", text=x))) for i, x in enumerate(texts)]
        res["seg"].append(time.perf_counter() - t)
        for m, n in zip(args.models, ners, strict=True):
            arts = [seg(norm(Article(id=str(i), path="x", text=x))) for i, x in enumerate(texts)]
            t = time.perf_counter()
            for a in arts:
                n(a)
            res[m].append(time.perf_counter() - t)
    best = {k: min(v) for k, v in res.items()}
    print(f"chars {chars:,}; best of {args.rounds} interleaved rounds")
    print(
        f"jieba.lcut {chars / best['lcut']:,.0f}/s; normalize+segment {chars / best['seg']:,.0f}/s "
        f"({best['lcut'] / best['seg']:.3f} x lcut)"
    )
    for m in args.models:
        both = best["seg"] + best[m]
        print(
            f"{m}: ner {chars / best[m]:,.0f}/s ({best['lcut'] / best[m]:.3f} x lcut); "
            f"segment+ner {chars / both:,.0f}/s ({best['lcut'] / both:.3f} x lcut)"
        )


if __name__ == "__main__":
    main()
