"""The run summary: ``summary.json`` for tools and one paragraph for the person who ran the command.

Counts come from the manifest of the whole output folder, so a resumed run reports every file of the run,
not only the ones processed after the restart; throughput is measured on this invocation's own work.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pipeline
from pipeline.core.article import RECORD_VERSION
from pipeline.core.config import RunConfig
from pipeline.core.output import FileEntry

# distributions whose version can change the records
VERSIONED = ("spacy", "jieba", "opencc", "scikit-learn", "skops", "torch", "numpy")


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"zhnews": pipeline.__version__, "python": platform.python_version()}
    for dist in VERSIONED:
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = None
    return found


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def build_summary(
    *,
    entries: Sequence[FileEntry],
    new_entries: Sequence[FileEntry],
    config: RunConfig,
    inputs: Sequence[str],
    out_dir: str,
    wall_seconds: float,
    workers: int,
    started: str,
    resumed: bool,
    engine: str = "local",
) -> dict[str, Any]:
    """Counts over the whole folder; timing and throughput over ``new_entries`` (this invocation)."""
    stage_seconds: dict[str, float] = {}
    for e in entries:
        for name, sec in e.stage_seconds.items():
            stage_seconds[name] = stage_seconds.get(name, 0.0) + sec
    new_chars = sum(e.chars for e in new_entries)
    return {
        "zhnews_version": pipeline.__version__,
        "record_version": RECORD_VERSION,
        "inputs": list(inputs),
        "out": out_dir,
        "files": len(_files(entries)),
        "files_failed": len(_files(e for e in entries if e.errors)),
        "articles": sum(e.records for e in entries),
        "errors": sum(e.errors for e in entries),
        "warnings": sum(e.warnings for e in entries),
        "chars": sum(e.chars for e in entries),
        "stage_seconds": {k: round(v, 3) for k, v in stage_seconds.items()},
        "this_invocation": {
            "resumed": resumed,
            "files": len(_files(new_entries)),
            "chars": new_chars,
            "workers": workers,
            "engine": engine,
            "wall_seconds": round(wall_seconds, 3),
            "chars_per_second": round(new_chars / wall_seconds, 1) if wall_seconds > 0 else None,
            "started": started,
            "finished": now_iso(),
        },
        "config_file": config.source,
        "config": config.to_dict(),
        "config_fingerprint": config.fingerprint(),
        "versions": versions(),
    }


def describe(summary: dict[str, Any], first_errors: Sequence[dict[str, Any]] = ()) -> str:
    """One human paragraph: what was done, how fast, where the output is and what went wrong first."""
    inv = summary["this_invocation"]
    stages = ", ".join(summary["config"]["run"]["stages"]) or "no stages"
    out = summary["out"]
    parts = []
    parts.append(
        f"Processed {summary['files']} file(s): {summary['articles']} article(s) written, "
        f"{summary['errors']} error(s), {summary['warnings']} warning(s), stages {stages}."
    )
    if inv["resumed"]:
        parts.append(f"Resumed an earlier run: {summary['files'] - inv['files']} file(s) were already done.")
    if inv["files"]:
        speed = f"{inv['chars_per_second']:,.0f} chars/s" if inv["chars_per_second"] else "n/a"
        parts.append(
            f"This invocation: {inv['files']} file(s), {inv['chars']:,} chars in {inv['wall_seconds']:.1f} s "
            f"({speed}, {inv['workers']} worker(s))."
        )
    parts.append(f"Records: {out}/records.jsonl; errors: {out}/errors.jsonl; summary: {out}/summary.json.")
    if first_errors:
        shown = "; ".join(
            f"{e.get('path')}{'#' + str(e['id']) if e.get('id') else ''}: "
            f"{e.get('error')}{' [' + e['stage'] + ']' if e.get('stage') else ''}"
            for e in first_errors
        )
        more = summary["errors"] - len(first_errors)
        parts.append(f"First error(s): {shown}" + (f" (and {more} more)." if more > 0 else "."))
    return " ".join(parts)


def _files(entries: Iterable[FileEntry]) -> set[str]:
    """The input files of done entries (a big JSONL file is done chunk by chunk: ``path#start-end``)."""
    return {e.source.split("#", 1)[0] for e in entries}
