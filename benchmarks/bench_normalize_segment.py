"""Throughput of our normalize and segment stages next to bare jieba on the same text, one process.

    python benchmarks/bench_normalize_segment.py [PATH ...] [--opencc t2s] [--no-hmm] [--repeat 3] [--scale 1]

PATHs are article files or folders (default ``corpora/sample``; when that is missing, the seed article and
``../shared/data/gnews_ourhimalayas``), read with the ingest reader, so the text is the clean article text.
Prints chars/s, best of ``--repeat`` passes, for (1) bare ``jieba.lcut``, (2) bare ``jieba.posseg.lcut``,
(3) our normalize stage, (4) normalize + segment including the spaCy Doc, then the peak memory: the process's
peak RSS, and the peak of Python allocations (tracemalloc) during one extra pass of (4). ``--scale N`` repeats
the corpus N times inside each pass, for a steadier figure on a tiny corpus. Dictionaries are loaded before any
timing starts.

Rows (1b) and (2b) run bare jieba on the already normalized text: on traditional articles jieba's POS tagger
meets long runs of characters its dictionary lacks and its HMM (a Viterbi over ~250 joint states) becomes
very slow, so (2) against (4) mostly measures the effect of normalizing first; (2b) against (4) is our overhead.
"""

from __future__ import annotations

import argparse
import logging
import resource
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import jieba
import jieba.posseg

from pipeline.core.article import Article
from pipeline.core.registry import create_stage
from pipeline.ingest import discover_inputs, read_source

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def default_paths() -> list[Path]:
    sample = REPO / "corpora" / "sample"
    if sample.is_dir() and any(sample.iterdir()):
        return [sample]
    return [p for p in (SHARED / "corpora" / "seed", SHARED / "data" / "gnews_ourhimalayas") if p.is_dir()]


def read_texts(paths: list[Path]) -> list[str]:
    texts = []
    for path in discover_inputs(list(paths)):
        try:
            items = read_source(path)
        except Exception as exc:  # a broken file in a benchmark corpus is reported, not fatal
            print(f"skip {path}: {exc}")
            continue
        texts += [a.text for a in items if isinstance(a, Article) and a.text]
    return texts


def best_of(repeat: int, work: Callable[[], None]) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--opencc", default="t2s")
    ap.add_argument("--no-hmm", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--scale", type=int, default=1)
    args = ap.parse_args()
    jieba.setLogLevel(logging.WARNING)

    paths = args.paths or default_paths()
    texts = read_texts(paths) * args.scale
    chars = sum(len(t) for t in texts)
    hmm = not args.no_hmm
    normalize = create_stage("normalize", {"opencc": args.opencc})
    segment = create_stage("segment", {"hmm": hmm})
    warm = "新华社北京電。日本外相林芳正表示，２０２４年"
    jieba.lcut(warm)
    jieba.posseg.lcut(warm)
    segment(normalize(Article(id="w", path="<warmup>", text=warm)))

    def bare_jieba() -> None:
        for t in texts:
            jieba.lcut(t, HMM=hmm)

    def bare_posseg() -> None:
        for t in texts:
            jieba.posseg.lcut(t, HMM=hmm)

    normalized = [normalize(Article(id="n", path="<bench>", text=t)).norm_text or "" for t in texts]

    def bare_jieba_normalized() -> None:
        for t in normalized:
            jieba.lcut(t, HMM=hmm)

    def bare_posseg_normalized() -> None:
        for t in normalized:
            jieba.posseg.lcut(t, HMM=hmm)

    def ours_normalize() -> None:
        for t in texts:
            normalize(Article(id="b", path="<bench>", text=t))

    def ours_both() -> None:
        for t in texts:
            segment(normalize(Article(id="b", path="<bench>", text=t)))

    print(f"corpus: {', '.join(map(str, paths))}")
    print(f"{len(texts)} articles, {chars:,} chars; opencc={args.opencc} hmm={hmm}; best of {args.repeat}")
    rows = [
        ("(1)  jieba.lcut", bare_jieba),
        ("(1b) jieba.lcut, normalized text", bare_jieba_normalized),
        ("(2)  jieba.posseg.lcut", bare_posseg),
        ("(2b) jieba.posseg.lcut, normalized text", bare_posseg_normalized),
        ("(3)  normalize stage", ours_normalize),
        ("(4)  normalize+segment (Doc)", ours_both),
    ]
    for name, work in rows:
        seconds = best_of(args.repeat, work)
        print(f"{name:<42}{chars / seconds:>12,.0f} chars/s  ({seconds:.3f} s)")
    tracemalloc.start()
    ours_both()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mib:,.0f} MiB; peak Python allocations in one normalize+segment pass {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
