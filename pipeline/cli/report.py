"""``zhnews report RUN_DIR --out report.html``: the HTML report of a finished run (see :mod:`pipeline.report`).

The report reads only the run folder (``records.jsonl``, and ``errors.jsonl`` for the error count), so it can be
made again at any time, on another machine, without models.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pipeline.cli import CommandGroups
from pipeline.cli.progress import progress_bar
from pipeline.errors import DataError


def add_commands(groups: CommandGroups) -> None:
    p = groups.root.add_parser(
        "report",
        help="one self-contained HTML report of a run: scores, charts, articles with their spans, worklist",
        description="Read RUN_DIR/records.jsonl (the output folder of `zhnews run`, or a records.jsonl file) and "
        "write one HTML file that needs no network: corpus link-check scores with charts, topics over time "
        "(with the topicmodel stage), a sortable table of articles, each article with its entities and hand "
        "links marked in its text beside its disagreements, and the worklist filterable by kind, type and article.",
    )
    p.add_argument("run_dir", metavar="RUN_DIR", help="output folder of `zhnews run` (or its records.jsonl)")
    p.add_argument("--out", "-o", metavar="FILE", help="HTML file to write (default RUN_DIR/report.html)")
    p.add_argument("--title", help="page title (default: zhnews report of RUN_DIR)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=report_command)


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a JSONL file; a line that is not a JSON object is a one-line error naming it."""
    records = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}:{number}: not a JSON object")
            records.append(record)
    return records


def _count_lines(path: Path) -> int:
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def report_command(args: argparse.Namespace) -> int:
    from pipeline.report import write_report

    given = Path(args.run_dir)
    records_file = given if given.is_file() else given / "records.jsonl"
    if not records_file.is_file():
        raise DataError(f"{given}: no records.jsonl here (give the --out folder of `zhnews run`)")
    out = Path(args.out) if args.out else records_file.parent / "report.html"
    title = args.title or f"zhnews report of {records_file.parent}"
    # two steps, reading and rendering: the renderer takes the records all at once, so it has no finer progress
    with progress_bar(args.quiet, total=2, desc="report: read records", unit="step") as bar:
        try:
            records = read_records(records_file)
        except UnicodeDecodeError:
            raise DataError(f"{records_file}: not UTF-8 text") from None
        errors = _count_lines(records_file.parent / "errors.jsonl")
        bar(1)
        bar.describe("report: render HTML")
        path = write_report(records, out, title=title, errors=errors)
        bar(1)
    print(f"wrote {path} ({len(records)} articles, {path.stat().st_size / 1024:.0f} kB)")
    return 0
