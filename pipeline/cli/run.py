"""``zhnews run INPUT... --out DIR``: the whole pipeline over files and folders.

Exit codes: 0 when every input file and article was processed, 1 when any failed (everything is still
written, the failures as error records), 2 for a usage problem found before any work (bad arguments, a bad or
conflicting config, no inputs), 130 when interrupted (rerun the same command to resume).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipeline.cli.progress import run_bar
from pipeline.errors import ConfigError, InputError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_commands(groups: Any) -> None:
    p = groups.root.add_parser(
        "run",
        help="run the configured stages over input files and folders",
        description="Run the configured stages over INPUT files/folders; write records.jsonl, errors.jsonl and "
        "summary.json to --out. Rerunning an interrupted command resumes it.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="input files or folders (.md, .txt, .jsonl)")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="output folder")
    p.add_argument("--config", "-c", metavar="FILE", help="TOML config (default: configs/default.toml)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config option, e.g. --set stages.normalize.opencc=s2t (repeatable)",
    )
    p.add_argument("--workers", "-w", type=_positive, metavar="N", help="worker processes (default: run.workers)")
    p.add_argument(
        "--resume", action="store_true", help="continue the run in --out even if its inputs differ (same config)"
    )
    p.add_argument("--overwrite", action="store_true", help="replace the run in --out instead of continuing it")
    p.add_argument("--limit", type=_positive, metavar="N", help="process only the first N input files")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no summary paragraph")
    p.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: this process or a process pool (default); dask: a Dask cluster (pip install -e '.[dask]')",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: a running Dask scheduler (tcp://host:8786); default: a local cluster of --workers",
    )
    p.set_defaults(func=run_command)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def run_command(args: argparse.Namespace) -> int:
    from pipeline.core.config import load_config
    from pipeline.core.runner import run
    from pipeline.core.summary import describe

    if args.resume and args.overwrite:
        return _usage(args, ConfigError("--resume and --overwrite contradict each other; pass one"))
    if args.scheduler and args.engine != "dask":
        return _usage(args, ConfigError("--scheduler needs --engine dask"))
    try:
        config = load_config(args.config, args.overrides)
        report = run(
            args.inputs,
            config,
            args.out,
            workers=args.workers,
            resume=args.resume,
            overwrite=args.overwrite,
            limit=args.limit,
            progress=run_bar(args.quiet),
            engine=args.engine,
            scheduler=args.scheduler,
            own_process=True,
        )
    except (ConfigError, InputError) as exc:  # raised before any input is processed: a usage problem
        return _usage(args, exc)
    except KeyboardInterrupt:
        print(f"zhnews: interrupted; rerun the same command to resume into {args.out}", file=sys.stderr)
        return 130
    if not args.quiet:
        print(describe(report.summary, report.first_errors))
    return EXIT_FAILED if report.failed else EXIT_OK


def _usage(args: argparse.Namespace, exc: Exception) -> int:
    if args.debug:
        raise exc
    print(f"zhnews: error: {exc}", file=sys.stderr)
    return EXIT_USAGE
