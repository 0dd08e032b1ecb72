"""The Dask engine: the same :func:`~pipeline.core.runner.engine_task` tasks as the local pool, on a Dask cluster.

No scheduler of our own: Dask's distributed scheduler places the tasks, moves them off a worker that dies
(``retries``) and hands back results; the runner's client side only submits groups of files in input order
and yields their results in that order, so ``records.jsonl`` is byte for byte the local engine's and the same
output folder can be resumed by either engine. Without an address a :class:`~distributed.LocalCluster` of
single-threaded worker processes is started (and stopped) for the run, with the settings of ``configs/dask.yaml``;
with one, the run joins a running scheduler (``dask scheduler`` + ``dask worker ADDRESS``, given the same file).
Dask is an optional extra: ``pip install -e ".[dask]"``.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pipeline.core.config import RunConfig
    from pipeline.core.runner import SourceResult
    from pipeline.ingest import Chunk

# a task that raises is tried this many more times; a task whose worker dies is moved to another worker by the
# scheduler itself, until it has killed ``distributed.scheduler.allowed-failures`` workers (KilledWorker)
RETRIES = 3
# numeric libraries use one thread per worker process: N workers, N cores
SINGLE_THREAD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
# the shipped Dask settings (configs/dask.yaml): what the LocalCluster runs with, and what the README tells users
# to give their own scheduler and workers (DASK_CONFIG=configs/dask.yaml)
DASK_SETTINGS = "dask.yaml"


def _distributed() -> Any:
    try:
        import distributed
    except ModuleNotFoundError:
        raise ConfigError('--engine dask needs Dask: pip install -e ".[dask]"') from None
    return distributed


def cluster_settings() -> dict[str, Any]:
    """The shipped Dask settings as dotted keys for ``dask.config.set`` (a nested dict there would replace
    whole sections of Dask's defaults, not the keys it names)."""
    import yaml  # a dependency of dask

    from pipeline.core.resources import configs_dir

    path = configs_dir() / DASK_SETTINGS
    try:
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the Dask settings: {exc}") from None
    flat: dict[str, Any] = {}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        else:
            flat[prefix] = node

    walk("", tree or {})
    return flat


@contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A LocalCluster of ``workers`` single-threaded worker processes with the shipped settings."""
    import dask

    distributed = _distributed()
    # the scheduler and the nannies read the settings when they start; the nannies hand them to their workers
    with (
        dask.config.set(cluster_settings()),
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard": False},
            silence_logs=logging.ERROR,
            env=SINGLE_THREAD_ENV,
        ) as cluster,
    ):
        yield cluster


def dask_map_sources(
    paths: Sequence[str | Chunk], config: RunConfig, *, workers: int = 1, scheduler: str | None = None
) -> Iterator[SourceResult]:
    """``process_sources`` over groups of ``paths`` on Dask; results in input order, like the local engine."""
    from pipeline.core.runner import config_needs_torch, engine_task, task_groups, task_name

    distributed = _distributed()
    if not logging.getLogger().isEnabledFor(logging.DEBUG):  # Dask logs every connection at INFO
        for name in ("distributed", "dask"):
            logging.getLogger(name).setLevel(logging.WARNING)
    with ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(distributed.Client(scheduler, timeout="20s"))
            except (OSError, TimeoutError) as exc:
                raise ConfigError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
            n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
            without_torch = False  # the scheduler's workers are not the run's own: their imports are left alone
        else:
            cluster = stack.enter_context(local_cluster(workers))
            client = stack.enter_context(distributed.Client(cluster))
            n_workers = workers
            without_torch = not config_needs_torch(config)
        groups = task_groups(paths, config.batch_size, n_workers)
        names = "|".join(task_name(p) for p in paths)
        run_key = hashlib.sha1(f"{config.fingerprint()}|{names}".encode()).hexdigest()[:16]
        window = 2 * n_workers
        queued = deque(range(len(groups)))
        pending: deque[tuple[int, Any]] = deque()
        while queued or pending:
            while queued and len(pending) < window:
                g = queued.popleft()
                batch = [paths[i] for i in groups[g]]
                key = f"zhnews-{run_key}-{g}"
                pending.append((g, client.submit(engine_task, batch, config, without_torch, key=key, retries=RETRIES)))
            g, future = pending.popleft()
            try:
                results: list[SourceResult] = future.result()
            except distributed.KilledWorker:  # the scheduler gave up on it after losing several workers
                results = list(_one_by_one(client, [paths[i] for i in groups[g]], config, run_key, without_torch))
            future.release()
            yield from results


def _one_by_one(
    client: Any, paths: list[str | Chunk], config: RunConfig, run_key: str, without_torch: bool
) -> Iterator[SourceResult]:
    """A group whose task killed every worker it ran on: its files one at a time, so that only the file that
    kills its worker again gets an error record (as the local engine does)."""
    import distributed

    from pipeline.core.runner import crashed, engine_task

    for i, path in enumerate(paths):
        key = f"zhnews-{run_key}-single-{i}"
        future = client.submit(engine_task, [path], config, without_torch, key=key, retries=0)
        try:
            yield from future.result()
        except distributed.KilledWorker:
            yield crashed(path)
        finally:
            future.release()
