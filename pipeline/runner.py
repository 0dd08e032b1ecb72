"""Run the configured stages over input files and write the output folder.

Articles are independent, so a run is one pure function mapped over input files: :func:`process_source`
reads one file, passes each article through the stages and returns its records and error records. The same
function runs in-process (``workers = 1``), in a spawned process pool (``workers > 1``) or on a Dask cluster
with no change, because its arguments (a path string and a :class:`RunConfig`) pickle and stages are built
once per process from the config::

    futures = client.map(process_source, paths, config=cfg)   # dask.distributed
    for result in client.gather(futures): ...

No queue or scheduler of our own: the pool's ordered results are written as they arrive, in input order, so
the records file depends only on the inputs, the config and the models (byte for byte), never on the number of
workers or on timing. See :mod:`pipeline.output` for how an interrupted run is resumed.

Every document ends as a record or an error record: a file that cannot be read, an article a stage raises on
(the record names the stage and the exception in one line), even a worker process that dies. Only problems of
the run itself stop it: a bad config or a missing model (:class:`ConfigError`, :class:`ModelError`) would fail
every article the same way, so they are raised instead of being written a thousand times.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import RunConfig, import_plugins
from pipeline.document import Article, error_record
from pipeline.errors import ConfigError, InputError, ModelError, ZhNewsError
from pipeline.output import OutputDir, json_line
from pipeline.registry import Stage, create_stage
from pipeline.summary import build_summary, now_iso

# in-flight files per worker: enough to keep workers busy while the next file in order is awaited
WINDOW_PER_WORKER = 4
FATAL = (ConfigError, ModelError)

_STAGE_CACHE: dict[str, list[Stage]] = {}


@dataclass
class SourceResult:
    """What one input file produced: JSONL lines (serialized in the worker) plus counts and timings."""

    source: str
    record_lines: list[str] = field(default_factory=list)
    error_lines: list[str] = field(default_factory=list)
    warnings: int = 0
    chars: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.record_lines]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.error_lines]


def build_stages(config: RunConfig) -> list[Stage]:
    """The config's stages, built once per process (stages load their models lazily, on first use)."""
    key = config.fingerprint()
    stages = _STAGE_CACHE.get(key)
    if stages is None:
        import_plugins(config.plugins)
        stages = [create_stage(spec.name, spec.options) for spec in config.stages]
        if len(_STAGE_CACHE) >= 4:
            _STAGE_CACHE.clear()
        _STAGE_CACHE[key] = stages
    return stages


def describe_exception(exc: BaseException) -> str:
    """One line for an error record: our own errors by their message, anything else with its type."""
    message = " ".join(str(exc).split())
    text = message if isinstance(exc, ZhNewsError) else f"{type(exc).__name__}: {message}".rstrip(": ")
    return text if len(text) <= 500 else text[:497] + "..."


def process_source(path: str, config: RunConfig) -> SourceResult:
    """Read one input file and run every article through the stages; never raises for a bad document.

    Pure apart from timing: the same file and config give the same lines. Safe to call from any process.
    """
    from pipeline.ingest import read_source

    started = time.perf_counter()
    stages = build_stages(config)
    result = SourceResult(source=path)
    seconds = result.stage_seconds
    seconds["ingest"] = 0.0
    for spec in config.stages:
        seconds[spec.name] = 0.0
    t = time.perf_counter()

    def fail(problem: str, *, source: str = path, id: str | None = None, stage: str | None = None) -> None:
        result.error_lines.append(json_line(error_record(source, problem, id=id, stage=stage)))

    items: list[Article | InputError] = []
    try:
        items = read_source(path, max_bytes=config.ingest.max_bytes)
    except InputError as exc:
        fail(exc.problem, stage="ingest")
    except OSError as exc:
        fail(f"cannot read: {exc.strerror or exc}", stage="ingest")
    except FATAL:
        raise
    except Exception as exc:  # a reader bug must not hide the other files
        fail(describe_exception(exc), stage="ingest")
    seconds["ingest"] += time.perf_counter() - t

    for item in items:
        if isinstance(item, InputError):
            fail(item.problem, source=item.path, stage="ingest")
            continue
        article = item
        result.chars += len(article.text)
        current = "output"
        try:
            for spec, stage in zip(config.stages, stages, strict=True):
                current = spec.name
                t = time.perf_counter()
                try:
                    article = stage(article)
                finally:
                    seconds[spec.name] += time.perf_counter() - t
            current = "output"
            line = json_line(article.to_record())
        except FATAL:
            raise
        except Exception as exc:
            fail(describe_exception(exc), source=article.path, id=article.id, stage=current)
        else:
            result.record_lines.append(line)
            result.warnings += len(article.warnings)
    result.seconds = time.perf_counter() - started
    return result


def _crashed(path: str) -> SourceResult:
    line = json_line(
        error_record(
            path,
            "the worker process died while processing this file (killed, out of memory or a crash in native code)",
            stage="worker",
        )
    )
    return SourceResult(source=path, error_lines=[line])


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent (which stops them) and use one thread each (N workers, N cores)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _new_pool(workers: int) -> ProcessPoolExecutor:
    # spawn, not fork: the same start method everywhere, and no forked copies of threads (torch, tqdm)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_init_worker)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel queued files and end running workers instead of waiting for them."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)


class _LazyPool:
    """A process pool started on first use (starting one costs seconds of imports per worker), restartable."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, path: str, config: RunConfig) -> Future[SourceResult]:
        if self._pool is None:
            self._pool = _new_pool(self.workers)
        return self._pool.submit(process_source, path, config)

    def stop(self) -> None:
        if self._pool is not None:
            _stop(self._pool)
            self._pool = None


def map_sources(paths: Sequence[str], config: RunConfig, workers: int = 1) -> Iterator[SourceResult]:
    """:func:`process_source` over ``paths``, results in input order whatever the number of workers.

    With ``workers > 1`` a worker that dies (segfault, OOM kill) breaks the pool: the files that were in
    flight are then rerun one at a time in a single-worker pool, so only the file that kills its worker again
    gets an error record; files already finished are kept.
    """
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            yield process_source(path, config)
        return
    workers = min(workers, len(paths))
    window = workers * WINDOW_PER_WORKER
    queued = deque(range(len(paths)))
    slots: dict[int, Future[SourceResult] | SourceResult] = {}
    pool = _LazyPool(workers)
    try:
        for index in range(len(paths)):
            while queued and len(slots) < window:
                i = queued.popleft()
                slots[i] = pool.submit(paths[i], config)
            slot = slots[index]
            if isinstance(slot, Future):
                try:
                    slot.result()
                except BrokenProcessPool:
                    pool.stop()
                    _rerun_lost(slots, paths, config)
            slot = slots.pop(index)
            yield slot if isinstance(slot, SourceResult) else slot.result()
    finally:
        pool.stop()


def _rerun_lost(slots: dict[int, Future[SourceResult] | SourceResult], paths: Sequence[str], config: RunConfig) -> None:
    """Rerun, one at a time, the files a broken pool lost; the one that breaks its worker again is the culprit."""
    lost = sorted(
        i
        for i, slot in slots.items()
        if isinstance(slot, Future)
        and (slot.cancelled() or not slot.done() or isinstance(slot.exception(), BrokenProcessPool))
    )
    single = _LazyPool(1)
    try:
        for i in lost:
            try:
                slots[i] = single.submit(paths[i], config).result()
            except BrokenProcessPool:
                slots[i] = _crashed(paths[i])
                single.stop()
    finally:
        single.stop()


@dataclass
class RunReport:
    summary: dict[str, Any]
    first_errors: list[dict[str, Any]]

    @property
    def failed(self) -> bool:
        return self.summary["errors"] > 0


@dataclass(frozen=True)
class Source:
    """An input file as the user named it (what records show) and its absolute path (what resume matches)."""

    path: str
    key: str


def discover(inputs: Sequence[str | Path], limit: int | None = None) -> list[Source]:
    """Input files in a stable order, each once; a missing input or an empty selection is an InputError."""
    from pipeline.ingest import INPUT_SUFFIXES, discover_inputs

    seen: set[str] = set()
    sources: list[Source] = []
    for p in discover_inputs([Path(i) for i in inputs]):
        key = os.path.abspath(p)
        if key not in seen:
            seen.add(key)
            sources.append(Source(str(p), key))
    if not sources:
        raise InputError(
            ", ".join(str(i) for i in inputs), f"no input files found ({', '.join(sorted(INPUT_SUFFIXES))})"
        )
    return sources[:limit] if limit is not None else sources


def run(
    inputs: Sequence[str | Path],
    config: RunConfig,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    resume: bool = False,
    overwrite: bool = False,
    limit: int | None = None,
    progress: Callable[[int], Any] | None = None,
) -> RunReport:
    """Process ``inputs`` into ``out_dir``; see the module docstring. ``progress(total)`` returns a tqdm-like
    object (``update``, ``set_postfix_str``, ``close``) or is ``None`` for no progress display."""
    workers = workers or config.workers
    sources = discover(inputs, limit)
    build_stages(config)  # unknown stage options fail here, before any output is touched
    out = OutputDir(Path(out_dir))
    started_iso = now_iso()
    opened = out.open(
        fingerprint=config.fingerprint(),
        sources=[s.key for s in sources],
        resume=resume,
        overwrite=overwrite,
        state={"zhnews_run": 1, "inputs": [str(i) for i in inputs], "config": config.to_dict(), "started": started_iso},
    )
    done = {e.source for e in opened.done}
    todo = [s for s in sources if s.key not in done]
    entries = list(opened.done)
    new_entries = []
    first_errors: list[dict[str, Any]] = []
    error_count = sum(e.errors for e in entries)
    bar = progress(len(todo)) if progress and todo else None
    started = time.perf_counter()
    try:
        for source, result in zip(todo, map_sources([s.path for s in todo], config, workers), strict=True):
            entry = out.write(
                source.key,
                result.record_lines,
                result.error_lines,
                warnings=result.warnings,
                chars=result.chars,
                seconds=result.seconds,
                stage_seconds=result.stage_seconds,
            )
            entries.append(entry)
            new_entries.append(entry)
            if len(first_errors) < 3:
                first_errors.extend(result.errors[: 3 - len(first_errors)])
            error_count += entry.errors
            if bar is not None:
                bar.update(1)
                if error_count:
                    bar.set_postfix_str(f"{error_count} error(s)", refresh=False)
    finally:
        if bar is not None:
            bar.close()
        out.close()
    summary = build_summary(
        entries=entries,
        new_entries=new_entries,
        config=config,
        inputs=[str(i) for i in inputs],
        out_dir=str(out_dir),
        wall_seconds=time.perf_counter() - started,
        workers=min(workers, max(len(todo), 1)),
        started=started_iso,
        resumed=opened.resumed,
    )
    out.write_summary(summary)
    if not first_errors and summary["errors"]:
        first_errors = _read_first_errors(Path(out_dir) / "errors.jsonl")
    return RunReport(summary, first_errors)


def _read_first_errors(path: Path, n: int = 3) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            found.append(json.loads(line))
            if len(found) >= n:
                break
    return found
