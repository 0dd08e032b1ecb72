"""Throughput of the whole pipeline and of each stage, as ratios to bare jieba measured in the same run.

Prints, on one corpus (default: the real articles of ``../shared/data/gnews_ourhimalayas``, repeated ``--scale``
times):

1. peers, in this process: bare ``jieba.lcut``, ``jieba.posseg.lcut`` and OpenCC t2s over the same texts;
2. ours, in this process: each stage of the default run config (``run_articles``, the runner's own loop), chars/s
   and its ratio to bare jieba (the mean of a jieba pass just before and one just after, as for every ratio
   below);
3. ours end to end: ``zhnews run`` as a separate process with ``--workers 1`` and ``--workers 2`` (wall clock,
   start-up and model loading included), chars/s, articles/s, the ratio to bare jieba, the 2-worker speed-up
   and the peak memory (RSS of the run and its workers); and ``--workers 1`` with only normalize, segment and
   ner (the NER issue's whole-process figure). ``--rounds N`` alternates N rounds of these runs, each between
   bare jieba readings, and prints the median and range of every ratio: one round can meet a slow minute;
4. cost growth: one article of 1k, 10k, 100k and 700k characters through the stages, per-character cost as a
   ratio to the 1k article's.

The machine is shared and noisy, so only the ratios within one run mean much: report those.

    python benchmarks/bench_pipeline.py [--scale 5] [--rounds 3] [--skip-growth] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import jieba  # noqa: E402
import jieba.posseg  # noqa: E402
import opencc  # noqa: E402

from pipeline.core.article import Article  # noqa: E402
from pipeline.core.config import load_config  # noqa: E402
from pipeline.core.runner import StageFailure, build_stages, freeze_loaded, run_articles  # noqa: E402
from pipeline.ingest import discover_inputs, read_source  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "data" / "gnews_ourhimalayas"


def read_articles(corpus: Path) -> list[Article]:
    return [a for p in discover_inputs([corpus]) for a in read_source(p) if isinstance(a, Article)]


def timed(work: Callable[[], object]) -> float:
    t = time.perf_counter()
    work()
    return time.perf_counter() - t


def bare_jieba(texts: list[str]) -> float:
    """One pass of bare ``jieba.lcut`` over the texts, chars/s: taken again next to each of our measurements,
    since this machine's speed drifts by a third within minutes (one reading at the start made a ratio of the
    same code read 0.10x in one run and 0.16x in the next)."""
    return sum(map(len, texts)) / timed(lambda: [jieba.lcut(t) for t in texts])


def peers(texts: list[str]) -> dict[str, float]:
    jieba.lcut("预热")
    jieba.posseg.lcut("预热")
    cc = opencc.OpenCC("t2s.json")
    chars = sum(map(len, texts))
    return {
        "jieba.lcut": bare_jieba(texts),
        "jieba.posseg.lcut": chars / timed(lambda: [jieba.posseg.lcut(t) for t in texts]),
        "opencc t2s": chars / timed(lambda: [cc.convert(t) for t in texts]),
    }


def stage_speeds(articles: list[Article]) -> tuple[dict[str, float], float]:
    config = load_config()
    stages = build_stages(config)
    run_articles([Article(id="w", path="w", text=articles[0].text)], stages)  # models loaded, not counted
    freeze_loaded()  # what a run's processes do after their first task (runner.engine_task)
    fresh = [Article(id=a.id, path=a.path, text=a.text, title=a.title, links=a.links) for a in articles]
    seconds: dict[str, float] = {}
    done = run_articles(fresh, stages, seconds, batch_size=config.batch_size)
    assert not any(isinstance(d, StageFailure) for d in done)
    chars = sum(len(a.text) for a in articles)
    return {name: chars / s for name, s in seconds.items()}, chars / sum(seconds.values())


def _fmt(readings: list[float]) -> str:
    return " and ".join(f"{r:,.0f}" for r in readings) + " chars/s"


SEGMENT_NER = ["normalize", "segment", "ner"]
# (label, workers, stages or None for the default ones)
END_TO_END = (("--workers 1", 1, None), ("--workers 2", 2, None), ("segment+ner -w 1", 1, SEGMENT_NER))


# runs one command and prints its wall seconds, its CPU seconds (user + system, the run and its workers) and the
# peak RSS (kB) of its largest process: the launcher's children are that run and its workers alone, where this
# script's would be every run so far
LAUNCHER = """
import resource, subprocess, sys, time
t = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
wall = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
"""


def end_to_end(corpus: Path, workers: int, stages: list[str] | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", out, "-q", "--workers", str(workers)]
        if stages:
            cmd += ["--set", "run.stages=" + json.dumps(stages)]
        done = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], check=True, cwd=REPO, capture_output=True)
        wall_text, cpu_text, peak_text = done.stdout.decode().split()[-3:]
        wall, cpu, peak_kb = float(wall_text), float(cpu_text), int(peak_text)
        summary = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
    return {
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "chars_per_second": summary["chars"] / wall,
        "articles_per_second": summary["articles"] / wall,
        "peak_rss_mb": peak_kb / 1024,
    }


def _median_range(values: list[float], unit: str) -> str:
    return f"{statistics.median(values):.3f}{unit} ({min(values):.3f}-{max(values):.3f})"


def growth(articles: list[Article]) -> dict[int, dict[str, float]]:
    """Per-character cost of each stage on one article of growing size, as a ratio to the smallest."""
    config = load_config()
    stages = build_stages(config)
    pool = "\n\n".join(a.text for a in articles)
    while len(pool) < 700_000:
        pool += "\n\n" + pool
    out: dict[int, dict[str, float]] = {}
    for size in (1_000, 10_000, 100_000, 700_000):
        seconds: dict[str, float] = {}
        reps = max(1, 100_000 // size)
        for r in range(reps):
            text = pool[r * size : (r + 1) * size] if (r + 1) * size <= len(pool) else pool[:size]
            run_articles([Article(id="g", path="g", text=text)], stages, seconds)
        out[size] = {k: v / (size * reps) for k, v in seconds.items()}
    base = out[1_000]
    return {size: {k: v / base[k] for k, v in per.items() if base[k] > 0} for size, per in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--scale", type=int, default=1, help="copies of the corpus for the end-to-end runs")
    ap.add_argument("--rounds", type=int, default=1, help="alternated rounds of the end-to-end runs")
    ap.add_argument("--skip-growth", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    articles = read_articles(args.corpus)
    texts = [a.text for a in articles]
    corpus = args.corpus
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.scale > 1:
        tmp = tempfile.TemporaryDirectory()
        for k in range(args.scale):
            for i, p in enumerate(discover_inputs([args.corpus])):
                (Path(tmp.name) / f"{k:02d}_{i:04d}{p.suffix}").write_bytes(p.read_bytes())
        corpus = Path(tmp.name)
    chars = sum(map(len, texts)) * args.scale
    print(f"corpus {args.corpus} x{args.scale}: {len(articles) * args.scale} articles, {chars:,} chars")

    peer = peers(texts)
    base = peer["jieba.lcut"]
    report: dict[str, object] = {"peers": peer}
    print("\n== peers (this process)")
    for name, speed in peer.items():
        print(f"{name:<22} {speed:>10,.0f} chars/s   {speed / base:6.3f}x jieba.lcut")

    stages, combined = stage_speeds(articles)
    readings = [base, bare_jieba(texts)]  # bare jieba just before and just after each of our measurements
    base = sum(readings) / 2
    report["stages"] = stages
    print(f"\n== our stages (this process, default config, models loaded; bare jieba {_fmt(readings)})")
    for name, speed in stages.items():
        print(f"{name:<22} {speed:>10,.0f} chars/s   {speed / base:6.3f}x jieba.lcut")
    seg_ner = 1 / (1 / stages["normalize"] + 1 / stages["segment"] + 1 / stages["ner"])
    print(f"{'normalize+segment+ner':<22} {seg_ner:>10,.0f} chars/s   {seg_ner / base:6.3f}x jieba.lcut")
    print(f"{'all stages':<22} {combined:>10,.0f} chars/s   {combined / base:6.3f}x jieba.lcut")

    print("\n== zhnews run, end to end (separate process: start-up and model loading included)")
    rounds: list[dict[str, dict[str, float]]] = []
    for k in range(args.rounds):
        if args.rounds > 1:
            print(f"round {k + 1}")
        runs: dict[str, dict[str, float]] = {}
        for label, w, only in END_TO_END:
            r = runs[label] = end_to_end(corpus, w, only)
            readings = [readings[-1], bare_jieba(texts)]
            r["bare_jieba_chars_per_second"] = base = sum(readings) / 2
            r["ratio"] = r["chars_per_second"] / base
            print(
                f"{label}: {r['chars_per_second']:>9,.0f} chars/s  {r['articles_per_second']:6.1f} articles/s  "
                f"{r['ratio']:6.3f}x jieba.lcut  wall {r['wall_seconds']:.1f} s  "
                f"CPU {r['cpu_seconds']:.1f} s ({r['cpu_seconds'] / r['wall_seconds']:.2f} cores)  "
                f"peak RSS {r['peak_rss_mb']:.0f} MB  (bare jieba {_fmt(readings)})"
            )
        speedup = runs["--workers 2"]["chars_per_second"] / runs["--workers 1"]["chars_per_second"]
        # what two workers spend on top of one (the second start-up, the parent): the part of the gap from 2x that
        # is ours, where the rest is cores left idle or a host slower during one run than during the other
        extra_cpu = runs["--workers 2"]["cpu_seconds"] / runs["--workers 1"]["cpu_seconds"]
        runs["speedup"] = {"workers_2_over_1": speedup, "cpu_2_over_1": extra_cpu}
        print(f"2 workers / 1 worker: {speedup:.2f}x (CPU seconds of 2 workers / 1 worker: {extra_cpu:.3f})")
        rounds.append(runs)
    report["end_to_end"] = rounds
    if args.rounds > 1:
        print(f"over {args.rounds} rounds, median (range):")
        for label, _, _ in END_TO_END:
            print(f"  {label}: {_median_range([r[label]['ratio'] for r in rounds], 'x jieba.lcut')}")
        print(f"  2 workers / 1 worker: {_median_range([r['speedup']['workers_2_over_1'] for r in rounds], 'x')}")
        print(f"  CPU seconds, 2 workers / 1: {_median_range([r['speedup']['cpu_2_over_1'] for r in rounds], '')}")

    if not args.skip_growth:
        grow = growth(articles)
        report["growth"] = grow
        print("\n== per-character cost by article size, as a ratio to a 1k-character article")
        names = list(grow[1_000])
        print(f"{'chars':>8} " + " ".join(f"{n:>10}" for n in names))
        for size, per in grow.items():
            print(f"{size:>8} " + " ".join(f"{per.get(n, 0):>10.2f}" for n in names))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
