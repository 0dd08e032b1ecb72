"""Run the configured stages over input files and write the output folder.

Articles are independent, so a run is one pure function mapped over groups of input files:
:func:`process_sources` reads the files, passes their articles through the stages in batches
(:func:`run_articles`, the one loop over stages, shared by evaluation and training) and returns each file's
records and error records. The same function runs in-process (``workers = 1``), in a spawned process pool
(``workers > 1``) or on a Dask cluster with no change, because its arguments (path strings and a
:class:`RunConfig`) pickle and stages are built once per process from the config::

    futures = client.map(process_sources, groups_of_paths, config=cfg)   # dask.distributed
    for results in client.gather(futures): ...

No queue or scheduler of our own: the pool's ordered results are written as they arrive, in input order, so
the records file depends only on the inputs, the config and the models (byte for byte), never on the number of
workers or on timing. See :mod:`pipeline.core.output` for how an interrupted run is resumed.

Every document ends as a record or an error record: a file that cannot be read, an article a stage raises on
(the record names the stage and the exception in one line), even a worker process that dies. Only problems of
the run itself stop it: a bad config or a missing model (:class:`ConfigError`, :class:`ModelError`) would fail
every article the same way, so they are raised instead of being written a thousand times.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from pipeline.core.article import ATTRIBUTE_FIELDS, Article, error_record
from pipeline.core.config import DEFAULT_BATCH_SIZE, RunConfig, import_plugins
from pipeline.core.modelio import checking_only
from pipeline.core.output import OutputDir, json_line
from pipeline.core.registry import Stage, create_stage, has_stage, pipe_stage, result_keys, stage_info
from pipeline.core.summary import build_summary, now_iso
from pipeline.core.torchfree import hide_torch, stages_need_torch, torch_hidden
from pipeline.errors import ConfigError, DataError, InputError, ModelError, ZhNewsError
from pipeline.ingest.readers import Chunk

# in-flight files per worker: enough to keep workers busy while the next file in order is awaited
WINDOW_PER_WORKER = 4
FATAL = (ConfigError, ModelError)

_STAGE_CACHE: dict[str, list[Stage]] = {}
_TASKS_RUN = 0  # engine tasks this process has run (engine_task)


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


@dataclass(frozen=True)
class StageFailure:
    """An article a stage raised on: where, and why, in one line."""

    article: Article
    stage: str
    problem: str


def run_articles(
    articles: Sequence[Article],
    stages: Sequence[Stage],
    seconds: dict[str, float] | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> list[Article | StageFailure]:
    """Articles through the stages, ``batch_size`` at a time and in input order; one result per article.

    The only loop over stages: ``zhnews run``, every evaluation and the feature building of training all come
    through here. A stage gets whole batches (``pipe``); when a batch raises, its articles are rerun one at a
    time so that only the article that fails gets a :class:`StageFailure` and the others go on. Fields a stage
    writes to ``article.results`` must be ones it declared (:mod:`pipeline.core.registry`).
    """
    declared = {s.name: set(stage_info(s.name).assigns) if has_stage(s.name) else None for s in stages}
    out: list[Article | StageFailure] = []
    for start in range(0, len(articles), max(batch_size, 1)):
        batch: list[Article | StageFailure] = list(articles[start : start + batch_size])
        for stage in stages:
            alive = [i for i, a in enumerate(batch) if isinstance(a, Article)]
            if not alive:
                break
            before = {i: _field_ids(cast(Article, batch[i])) for i in alive}
            t = time.perf_counter()
            try:
                done = pipe_stage(stage, [cast(Article, batch[i]) for i in alive])
                for i, article in zip(alive, done, strict=True):
                    batch[i] = article
            except FATAL:
                raise
            except Exception:
                for i in alive:
                    batch[i] = _one(stage, cast(Article, batch[i]))
            finally:
                if seconds is not None:
                    seconds[stage.name] = seconds.get(stage.name, 0.0) + time.perf_counter() - t
            allowed = declared[stage.name]
            if allowed is not None:
                for i in alive:
                    item = batch[i]
                    if isinstance(item, Article):
                        batch[i] = _check_writes(item, stage.name, allowed, before[i])
        out.extend(batch)
    return out


def _one(stage: Stage, article: Article) -> Article | StageFailure:
    try:
        return stage(article)
    except FATAL:
        raise
    except Exception as exc:
        return StageFailure(article, stage.name, describe_exception(exc))


# attribute fields whose objects a stage may change in place (spaCy components annotate the Doc they are given)
_SHARED_IN_PLACE = frozenset({"doc"})


def _field_ids(article: Article) -> dict[str, int]:
    """Identity of every stage-written field's value, to see afterwards which fields a stage replaced."""
    ids = {f: id(getattr(article, f)) for f in ATTRIBUTE_FIELDS if f not in _SHARED_IN_PLACE}
    ids.update((f"results.{k}", id(v)) for k, v in article.results.items())
    return ids


def _check_writes(article: Article, name: str, allowed: set[str], before: dict[str, int]) -> Article | StageFailure:
    """A stage may set only the fields it declared: anything else it wrote or replaced fails the article."""
    after = _field_ids(article)
    wrong = sorted(
        f.removeprefix("results.")
        for f, ident in after.items()
        if before.get(f) != ident and f.removeprefix("results.") not in allowed
    )
    if not wrong:
        return article
    return StageFailure(article, name, f"stage {name!r} wrote field(s) it does not declare: {', '.join(wrong)}")


def stages_until(config: RunConfig, name: str) -> RunConfig:
    """The config with its stages up to and including ``name`` (what feature building and evaluation need)."""
    names = [s.name for s in config.stages]
    if name not in names:
        raise ConfigError(f"the config has no {name!r} stage (its stages: {', '.join(names)})")
    return replace(config, stages=config.stages[: names.index(name) + 1])


def analyze_texts(texts: Sequence[str], config: RunConfig, *, until: str | None = None) -> list[Article]:
    """In-memory texts as articles through the config's stages (up to and including ``until``)."""
    articles = [Article(id=str(i), path="<text>", text=t) for i, t in enumerate(texts)]
    return analyze_articles(articles, config, until=until)


def analyze_articles(articles: Sequence[Article], config: RunConfig, *, until: str | None = None) -> list[Article]:
    """Articles through the config's stages (up to and including ``until``), in batches, as a run would.

    What evaluation, training and topic-model fitting use to see a text exactly as a run sees it; a stage
    failure raises, since the caller's data is at fault, not one document among many.
    """
    stages = build_stages(stages_until(config, until) if until is not None else config)
    out: list[Article] = []
    for item in run_articles(articles, stages, batch_size=config.batch_size):
        if isinstance(item, StageFailure):
            raise DataError(f"{item.article.path} ({item.article.id}): stage {item.stage}: {item.problem}")
        out.append(item)
    return out


def process_sources(paths: Sequence[str | Chunk], config: RunConfig) -> list[SourceResult]:
    """Read input files (or chunks of big JSONL files) and run their articles through the stages in batches;
    never raises for a bad document.

    Pure apart from timing: the same files and config give the same lines, whatever the batch size. Safe to
    call from any process; this is the function a process pool (or a Dask cluster) maps over groups of files.
    """
    from pipeline.ingest import Chunk, read_chunk, read_source

    stages = build_stages(config)
    keys = result_keys([s.name for s in config.stages])
    results = [SourceResult(source=p.path if isinstance(p, Chunk) else p) for p in paths]
    articles: list[Article] = []
    # per file, in input order: an ingest error line, or None where an article's outcome goes
    slots: list[list[str | None]] = []
    for task, result in zip(paths, results, strict=True):
        path = result.source
        started = time.perf_counter()
        result.stage_seconds = {"ingest": 0.0, **{spec.name: 0.0 for spec in config.stages}}
        order: list[str | None] = []
        items: list[Article | InputError] = []
        try:
            if isinstance(task, Chunk):
                items = read_chunk(task, max_bytes=config.ingest.max_bytes)
            else:
                items = read_source(path, max_bytes=config.ingest.max_bytes)
        except InputError as exc:
            order.append(_error_line(path, exc.problem, stage="ingest"))
        except OSError as exc:
            order.append(_error_line(path, f"cannot read: {exc.strerror or exc}", stage="ingest"))
        except FATAL:
            raise
        except Exception as exc:  # a reader bug must not hide the other files
            order.append(_error_line(path, describe_exception(exc), stage="ingest"))
        for item in items:
            if isinstance(item, InputError):
                order.append(_error_line(item.path, item.problem, stage="ingest"))
            else:
                order.append(None)
                articles.append(item)
                result.chars += len(item.text)
        slots.append(order)
        result.stage_seconds["ingest"] = time.perf_counter() - started
        result.seconds = result.stage_seconds["ingest"]
    seconds: dict[str, float] = {}
    outcomes = iter(run_articles(articles, stages, seconds, batch_size=config.batch_size))
    total_chars = sum(r.chars for r in results) or 1
    for result, order in zip(results, slots, strict=True):
        share = result.chars / total_chars  # batch time, shared out by characters
        for name, value in seconds.items():
            result.stage_seconds[name] += value * share
        result.seconds += sum(seconds.values()) * share
        for line in order:
            if line is not None:
                result.error_lines.append(line)
            else:
                _add_outcome(result, next(outcomes), keys)
    return results


def _add_outcome(result: SourceResult, outcome: Article | StageFailure, keys: tuple[str, ...]) -> None:
    """An article's record line, or the error line of the stage (or the record making) that failed it."""
    if isinstance(outcome, StageFailure):
        a = outcome.article
        result.error_lines.append(_error_line(a.path, outcome.problem, id=a.id, stage=outcome.stage))
        return
    try:
        line = json_line(outcome.to_record(keys))
    except Exception as exc:
        result.error_lines.append(_error_line(outcome.path, describe_exception(exc), id=outcome.id, stage="output"))
    else:
        result.record_lines.append(line)
        result.warnings += len(outcome.warnings)


# A run's own processes allocate millions of short-lived containers (token tuples and dicts, feature lists) and
# make few reference cycles. CPython collects the youngest generation after every 700 net allocations: on the
# 1,005 benchmark articles in one process that was 2,300 young and 230 older collections, 0.55 s of 23.5 s
# (measured with gc.callbacks); after every 50,000, 0.14 s, with the same peak RSS.
RUN_GC_THRESHOLD = (50_000, 20, 10)


@contextmanager
def run_gc_threshold(enabled: bool) -> Iterator[None]:
    """:data:`RUN_GC_THRESHOLD` while the stages run in a process of the run's own (``enabled``); the
    process's own thresholds are put back after, and a library caller's process is left as it is."""
    if not enabled:
        yield
        return
    before = gc.get_threshold()
    gc.set_threshold(*RUN_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def freeze_loaded() -> None:
    """Move everything alive now out of the garbage collector's generations (``gc.freeze``), after a collection
    so that no garbage is frozen.

    Called once the stages' models are loaded (jieba's dictionary, the NER network and vocabularies, the
    classifiers): they live as long as the process, yet every full collection walked them again, and a worker
    spent 8 % of its time there. Frozen, they are also skipped when the process exits (0.75 -> 0.24 s).
    Benchmarks call it after their warm-up, to measure what a run does.
    """
    gc.collect()
    gc.freeze()


def engine_task(paths: Sequence[str | Chunk], config: RunConfig, without_torch: bool = False) -> list[SourceResult]:
    """:func:`process_sources` as the engines run it, task after task in a process that lives for the run:
    from the second task on, what the first one loaded is frozen (:func:`freeze_loaded`).

    ``without_torch``: the process is the run's own and no stage needs torch, so it never imports it
    (:mod:`pipeline.core.torchfree`); the engines decide it with :func:`config_needs_torch`.
    """
    global _TASKS_RUN
    if without_torch:
        hide_torch()
    if _TASKS_RUN == 1:
        freeze_loaded()
    _TASKS_RUN += 1
    return process_sources(paths, config)


def config_needs_torch(config: RunConfig) -> bool:
    """Whether some stage of ``config`` needs torch (asked of the stages, built without loading any model)."""
    with checking_only():
        return stages_need_torch(build_stages(config))


def process_source(path: str | Chunk, config: RunConfig) -> SourceResult:
    """:func:`process_sources` for one file."""
    return process_sources([path], config)[0]


def _error_line(path: str, problem: str, *, id: str | None = None, stage: str | None = None) -> str:
    return json_line(error_record(path, problem, id=id, stage=stage))


def crashed(task: str | Chunk) -> SourceResult:
    """The error record of a file (or chunk) whose worker died on it twice."""
    path = task.path if isinstance(task, Chunk) else task
    where = f"{path}:{task.first_line}" if isinstance(task, Chunk) else path
    line = json_line(
        error_record(
            where,
            "the worker process died while processing this file (killed, out of memory or a crash in native code)",
            stage="worker",
        )
    )
    return SourceResult(source=path, error_lines=[line])


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent (which stops them), use one thread each (N workers, N cores) and
    collect garbage at :data:`RUN_GC_THRESHOLD`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.set_threshold(*RUN_GC_THRESHOLD)
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

    def __init__(self, workers: int, without_torch: bool = False) -> None:
        self.workers = workers
        self.without_torch = without_torch
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, paths: list[str | Chunk], config: RunConfig) -> Future[list[SourceResult]]:
        """The task's future; if a worker has died meanwhile (the pool is broken), a future failed with
        ``BrokenProcessPool``, so the task counts as lost like those in flight, never as an exception here."""
        if self._pool is None:
            self._pool = _new_pool(self.workers)
        try:
            return self._pool.submit(engine_task, paths, config, self.without_torch)
        except BrokenProcessPool as exc:
            lost: Future[list[SourceResult]] = Future()
            lost.set_exception(exc)
            return lost

    def stop(self) -> None:
        if self._pool is not None:
            _stop(self._pool)
            self._pool = None


def task_groups(tasks: Sequence[str | Chunk], batch_size: int, workers: int) -> list[range]:
    """Consecutive groups of tasks, one group per process call; the records never depend on the grouping, only
    the speed does.

    Files are grouped big enough to fill a batch of one-article files. With several workers the groups shrink
    towards the end of the run (guided self-scheduling: a group is about the remaining files over
    ``workers * WINDOW_PER_WORKER``, at most ``batch_size`` and at least an eighth of it), so every worker gets
    several and the last ones finish close together instead of one worker running a whole batch alone. A chunk
    of a big JSONL file (already a batch of records) is a group of its own.
    """
    n = len(tasks)
    smallest = max(1, batch_size // 8)

    def size(remaining: int) -> int:
        if workers <= 1:
            return max(1, batch_size)
        return max(smallest, min(batch_size, -(-remaining // (workers * WINDOW_PER_WORKER))))

    groups: list[range] = []
    start = 0
    for i, task in enumerate(tasks):
        if isinstance(task, Chunk) or i - start >= size(n - start):
            if i > start:
                groups.append(range(start, i))
            start = i
        if isinstance(task, Chunk):
            groups.append(range(i, i + 1))
            start = i + 1
    if start < n:
        groups.append(range(start, n))
    return groups


def uses_worker_processes(engine: str, workers: int, n_groups: int) -> bool:
    """Whether :func:`map_sources` hands the groups to other processes; a single group, or one worker, runs in
    this process."""
    return engine == "dask" or (workers > 1 and n_groups > 1)


def task_name(task: str | Chunk) -> str:
    return task.key if isinstance(task, Chunk) else task


ENGINES = ("local", "dask")


def map_sources(
    paths: Sequence[str | Chunk],
    config: RunConfig,
    workers: int = 1,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    own_process: bool = False,
) -> Iterator[SourceResult]:
    """:func:`process_sources` over groups of ``paths``, results in input order whatever the number of workers.

    Worker processes are the run's own: they import no torch when no stage needs it (:mod:`.torchfree`) and
    collect garbage at :data:`RUN_GC_THRESHOLD`; so is this process when ``own_process`` (the ``zhnews run``
    command), while the stages run in it. A library caller's process is left as it is.

    ``engine="dask"`` runs the same tasks on Dask (:mod:`pipeline.core.dask_engine`), on a local cluster of
    ``workers`` processes or on the running scheduler at ``scheduler``.

    With ``workers > 1`` a worker that dies (segfault, OOM kill) breaks the pool: the files that were in
    flight are then rerun one at a time in a single-worker pool, so only the file that kills its worker again
    gets an error record; files already finished are kept.
    """
    if engine == "dask":
        from pipeline.core.dask_engine import dask_map_sources

        yield from dask_map_sources(paths, config, workers=workers, scheduler=scheduler)
        return
    if engine != "local":
        raise ConfigError(f"unknown engine {engine!r}; known: {', '.join(ENGINES)}")
    groups = task_groups(paths, config.batch_size, workers)
    if not uses_worker_processes(engine, workers, len(groups)):
        # hidden, and the collector's thresholds raised, only while the stages run; a library caller's process
        # is left alone, so its stages need not even be asked
        hide = own_process and not config_needs_torch(config)
        with torch_hidden(hide), run_gc_threshold(own_process):
            for group in groups:
                yield from engine_task([paths[i] for i in group], config)
        return
    without_torch = not config_needs_torch(config)
    window = min(workers, len(groups)) * 2
    queued = deque(range(len(groups)))
    slots: dict[int, Future[list[SourceResult]] | list[SourceResult]] = {}
    pool = _LazyPool(min(workers, len(groups)), without_torch)
    try:
        for index in range(len(groups)):
            while queued and len(slots) < window:
                g = queued.popleft()
                slots[g] = pool.submit([paths[i] for i in groups[g]], config)
            slot = slots[index]
            if isinstance(slot, Future):
                try:
                    slot.result()
                except BrokenProcessPool:
                    pool.stop()
                    _rerun_lost(slots, groups, paths, config, without_torch)
            slot = slots.pop(index)
            yield from (slot if isinstance(slot, list) else slot.result())
    finally:
        pool.stop()


def _rerun_lost(
    slots: dict[int, Future[list[SourceResult]] | list[SourceResult]],
    groups: list[range],
    paths: Sequence[str | Chunk],
    config: RunConfig,
    without_torch: bool,
) -> None:
    """Rerun, one file at a time, the groups a broken pool lost; the file that breaks its worker again is the
    culprit and gets an error record."""
    lost = sorted(
        g
        for g, slot in slots.items()
        if isinstance(slot, Future)
        and (slot.cancelled() or not slot.done() or isinstance(slot.exception(), BrokenProcessPool))
    )
    single = _LazyPool(1, without_torch)
    try:
        for g in lost:
            results: list[SourceResult] = []
            for i in groups[g]:
                try:
                    results.extend(single.submit([paths[i]], config).result())
                except BrokenProcessPool:
                    results.append(crashed(paths[i]))
                    single.stop()
            slots[g] = results
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
    """An input file as the user named it (what records show) and its absolute path (what resume matches);
    for a piece of a big JSONL file, the :class:`~pipeline.ingest.Chunk` (and the key names its byte range)."""

    path: str
    key: str
    chunk: Chunk | None = None

    @property
    def task(self) -> str | Chunk:
        """What :func:`process_sources` is given for it."""
        return self.chunk if self.chunk is not None else self.path


def split_large_jsonl(sources: Sequence[Source], max_bytes: int) -> list[Source]:
    """Sources with each big JSONL file replaced by its chunks, so a file of any size streams through workers."""
    from pipeline.ingest.readers import is_big_jsonl, jsonl_chunks

    out: list[Source] = []
    for s in sources:
        if is_big_jsonl(s.path, max_bytes):
            out += [Source(s.path, c.key, c) for c in jsonl_chunks(s.path)]
        else:
            out.append(s)
    return out


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
    engine: str = "local",
    scheduler: str | None = None,
    own_process: bool = False,
) -> RunReport:
    """Process ``inputs`` into ``out_dir``; see the module docstring. ``progress(total)`` returns a tqdm-like
    object (``update``, ``set_postfix_str``, ``close``) or is ``None`` for no progress display.
    ``own_process``: this process is the run's (the CLI's), so it may run the stages without torch
    (:func:`map_sources`)."""
    workers = workers or config.workers
    sources = split_large_jsonl(discover(inputs, limit), config.ingest.max_bytes)
    # unknown stage options fail here, before any output is touched; when worker processes will run the stages
    # (map_sources runs a single group in this process), this process only checks them: no model loading prepared
    n_groups = len(task_groups([s.task for s in sources], config.batch_size, workers))
    with checking_only() if uses_worker_processes(engine, workers, n_groups) else nullcontext():
        build_stages(config)
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
        results = map_sources(
            [s.task for s in todo], config, workers, engine=engine, scheduler=scheduler, own_process=own_process
        )
        for source, result in zip(todo, results, strict=True):
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
        engine=engine,
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
