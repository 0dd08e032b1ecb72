"""What the stance and topic stages add to a default ``zhnews run``, model loading included (issue 4: < 10 %).

Runs the real command in fresh processes, alternately with the default config and with the same config minus
``stance`` and ``topic``, and prints for each pair: the wall time of both runs, the stage seconds the run itself
recorded (``summary.json``; a stage's first article includes loading its model), the startup CPU of both
configs (the classifier stages import skops when they are built, outside any stage's seconds), and the
classifiers' share with and without that startup cost. The figure to quote is the median share of stage time
+ startup over ``--repeat`` pairs: on a shared 2-core machine, whole-process wall and CPU times of two separate
runs differ by seconds from one run to the next (seen: -1 % to +31 %), far more than the stages' own seconds.

    python benchmarks/bench_run_overhead.py [CORPUS ...] [--repeat 3] [--limit N]

Default corpus: ``../shared/data/gnews_ourhimalayas`` (202 real articles) when present, else ``corpora/sample``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_CORPUS = REPO.parent / "shared" / "data" / "gnews_ourhimalayas"
CLASSIFIERS = ("stance", "topic")


def default_stages() -> list[str]:
    sys.path.insert(0, str(REPO))
    from pipeline.core.config import load_config

    return [spec.name for spec in load_config().stages]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run(corpus: list[str], stages: list[str] | None, limit: int | None) -> tuple[float, float, dict[str, float]]:
    """Wall seconds, CPU seconds (less sensitive to other load than wall time) and the run's stage seconds."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [str(Path(sys.executable).parent / "zhnews"), "run", *corpus, "--out", out, "--quiet"]
        if stages is not None:
            cmd += ["--set", "run.stages=" + json.dumps(stages)]
        if limit:
            cmd += ["--limit", str(limit)]
        t0, cpu0 = time.perf_counter(), _children_cpu()
        subprocess.run(cmd, check=True, cwd=REPO)
        wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
        summary = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
    return wall, cpu, {k: float(v) for k, v in summary["stage_seconds"].items()}


STARTUP_CODE = """
import json, resource, sys
from pipeline.core.config import load_config
from pipeline.core.runner import build_stages
from pipeline.core.torchfree import hide_torch, stages_need_torch
stages = build_stages(load_config(overrides=["run.stages=" + sys.argv[1]]))
if not stages_need_torch(stages):
    hide_torch()  # as a run's own processes do
import spacy, pipeline.ner.charspans, pipeline.ner.component  # what the NER stage's first article loads
usage = resource.getrusage(resource.RUSAGE_SELF)
print(usage.ru_utime + usage.ru_stime)
"""


def startup_cpu(stages: list[str]) -> float:
    """CPU seconds to start a run of ``stages`` (config, stage factories, the NER libraries), in a fresh process.

    Why apart: the classifier stages import skops when they are built, before the first article, so that cost is
    in no stage's seconds; measured here it is added to theirs.
    """
    out = subprocess.run(
        [sys.executable, "-c", STARTUP_CODE, json.dumps(stages)], check=True, cwd=REPO, capture_output=True, text=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="*")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of runs (default 3); the median is reported")
    parser.add_argument("--limit", type=int, help="at most N input files per run")
    args = parser.parse_args()
    corpus = args.corpus or [str(SHARED_CORPUS if SHARED_CORPUS.is_dir() else REPO / "corpora" / "sample")]
    stages = default_stages()
    base_stages = [s for s in stages if s not in CLASSIFIERS]
    print(f"corpus: {' '.join(corpus)}; default stages: {', '.join(stages)}")

    stage_shares: list[float] = []
    total_shares: list[float] = []
    wall_shares: list[float] = []
    cpu_shares: list[float] = []
    for i in range(args.repeat):
        wall_full, cpu_full, seconds = one_run(corpus, None, args.limit)
        wall_base, cpu_base, _ = one_run(corpus, base_stages, args.limit)
        added = sum(seconds.get(s, 0.0) for s in CLASSIFIERS)
        rest = sum(v for k, v in seconds.items() if k not in CLASSIFIERS)
        stage_shares.append(100 * added / rest)
        start_full, start_base = startup_cpu(stages), startup_cpu(base_stages)
        total_shares.append(100 * (added + start_full - start_base) / (rest + start_base))
        wall_shares.append(100 * (wall_full - wall_base) / wall_base)
        cpu_shares.append(100 * (cpu_full - cpu_base) / cpu_base)
        per_stage = "  ".join(f"{k} {v:.2f}" for k, v in seconds.items())
        print(f"pair {i + 1}: stage seconds: {per_stage}")
        print(
            f"        stance+topic {added:.2f} s = +{stage_shares[-1]:.1f} % of the other stages ({rest:.2f} s); "
            f"wall {wall_full:.2f} s vs {wall_base:.2f} s without them = +{wall_shares[-1]:.1f} %; "
            f"CPU {cpu_full:.2f} s vs {cpu_base:.2f} s = +{cpu_shares[-1]:.1f} %"
        )
        print(
            f"        startup CPU {start_full:.2f} s vs {start_base:.2f} s; stage time + startup: "
            f"+{total_shares[-1]:.1f} % ({added + start_full - start_base:.2f} s on {rest + start_base:.2f} s)"
        )
    print(
        f"median over {args.repeat}: stance+topic add {statistics.median(stage_shares):.1f} % of stage time, "
        f"{statistics.median(total_shares):.1f} % of stage time + startup, "
        f"{statistics.median(wall_shares):.1f} % of wall time, {statistics.median(cpu_shares):.1f} % of CPU time"
    )


if __name__ == "__main__":
    main()
