"""The run configuration: a TOML file naming the stages in order and their options.

The file is the whole description of a run (apart from inputs, output folder and worker count), so a
fingerprint of it decides whether an output folder may be resumed. Everything is checked here, before any
input is read: a typo in a section or option name is a :class:`ConfigError`, never a silently ignored key.

Path rule: a stage option whose key is one of :data:`PATH_KEY_WORDS` or ends in ``_<word>`` for one of them
(``model``, ``ner_model``, ``user_dicts``, ``stopwords_file`` …) names a file or folder. A relative string
value (or each string of a list value) is resolved against the directory of the config file that set it, so a
config can say ``model = "../models/ner"`` wherever the command runs; values given with ``--set`` are resolved
against the current directory, like any path typed in a shell. Absolute paths and ``~`` are kept (``~``
expanded); non-string values (``true``, numbers) are left alone. ``run.plugins`` follows the same rule.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pipeline
from pipeline.core.article import RECORD_VERSION
from pipeline.core.resources import default_config
from pipeline.errors import ConfigError

PATH_KEY_WORDS: tuple[str, ...] = ("model", "path", "file", "dir", "dict", "dicts", "gazetteer")

DEFAULT_WORKERS = 1
DEFAULT_BATCH_SIZE = 32
DEFAULT_MAX_BYTES = 50_000_000

_RUN_KEYS = {
    "stages": "list of stage names, in order",
    "workers": "number of processes",
    "plugins": "Python files",
    "batch_size": "articles per stage call",
}
_INGEST_KEYS = {"max_bytes": "largest input file read, in bytes"}
_TOP_KEYS = ("run", "ingest", "stages")


@dataclass(frozen=True)
class StageSpec:
    """One stage of the run: its registered name and the options passed to its factory."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestOptions:
    """How input files are read; ingest is the source of the run, not a registered stage."""

    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True)
class RunConfig:
    """A validated run configuration; plain data, so it pickles to worker processes and Dask workers."""

    stages: list[StageSpec]
    ingest: IngestOptions = field(default_factory=IngestOptions)
    workers: int = DEFAULT_WORKERS
    # Python files imported (in every worker) before stages are built: stages outside the package
    plugins: list[str] = field(default_factory=list)
    source: str | None = None  # the config file it came from, for messages only
    # articles handed to a stage per call; changes speed, never the records (so not in the fingerprint)
    batch_size: int = DEFAULT_BATCH_SIZE

    def to_dict(self) -> dict[str, Any]:
        """The effective config in the TOML file's shape (paths resolved), as written to ``summary.json``."""
        return {
            "run": {
                "stages": [s.name for s in self.stages],
                "workers": self.workers,
                "plugins": list(self.plugins),
                "batch_size": self.batch_size,
            },
            "ingest": {"max_bytes": self.ingest.max_bytes},
            "stages": {s.name: dict(s.options) for s in self.stages},
        }

    def fingerprint(self) -> str:
        """Hash of everything that changes the records (not ``workers``): two runs may share an output
        folder only if their fingerprints are equal."""
        payload = self.to_dict()
        del payload["run"]["workers"], payload["run"]["batch_size"]
        payload["versions"] = {"zhnews": pipeline.__version__, "record": RECORD_VERSION}
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def with_workers(self, workers: int) -> RunConfig:
        return RunConfig(self.stages, self.ingest, workers, self.plugins, self.source, self.batch_size)


def default_config_path() -> Path:
    """The shipped ``configs/default.toml`` (the repository's in a checkout, the wheel's copy otherwise)."""
    return default_config()


def load_config(path: str | Path | None = None, overrides: Iterable[str] = ()) -> RunConfig:
    """Read, resolve and check a config file; ``None`` means the repository's default config.

    ``overrides`` are ``section.key=value`` strings (``stages.normalize.opencc=s2t``); the value is read as
    a TOML value when it parses as one (``true``, ``4``, ``["a", "b"]``) and as a plain string otherwise.
    """
    if path is None:
        path = default_config_path()
        if not path.is_file():
            raise ConfigError(
                f"default config {path} not found (neither a checkout's configs/ nor the wheel's shipped copy); "
                "pass --config FILE"
            )
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path}: cannot read: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path}: invalid TOML: {exc}") from None
    base = path.resolve().parent
    _resolve_paths(raw, base)
    for item in overrides:
        _apply_override(raw, item, Path.cwd())
    return config_from_dict(raw, source=str(path))


def config_from_dict(raw: Mapping[str, Any], *, source: str | None = None) -> RunConfig:
    """Check a config already parsed (and path-resolved) into a :class:`RunConfig`."""
    where = f"config {source}: " if source else "config: "

    def fail(message: str) -> ConfigError:
        return ConfigError(where + message)

    unknown = sorted(set(raw) - set(_TOP_KEYS))
    if unknown:
        raise fail(f"unknown section(s) {', '.join(f'[{u}]' for u in unknown)}; known: [run], [ingest], [stages.NAME]")
    run = _table(raw.get("run", {}), "[run]", fail)
    ingest_raw = _table(raw.get("ingest", {}), "[ingest]", fail)
    stage_tables = _table(raw.get("stages", {}), "[stages]", fail)
    _check_keys(run, _RUN_KEYS, "[run]", fail)
    _check_keys(ingest_raw, _INGEST_KEYS, "[ingest]", fail)

    names = run.get("stages")
    if names is None:
        raise fail("[run] needs stages = [...] (the stage names, in order)")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise fail(f"[run] stages must be a list of stage names, got {names!r}")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise fail(f"stage {name!r} is listed twice in [run] stages")
        seen.add(name)

    from pipeline.core.registry import check_stage_order, stage_names  # late: the registry imports every stage

    plugins = run.get("plugins", [])
    if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
        raise fail(f"[run] plugins must be a list of Python file paths, got {plugins!r}")
    if plugins:
        import_plugins(plugins)
    known = set(stage_names())
    for name in names:
        if name not in known:
            raise fail(f"unknown stage {name!r} in [run] stages; known stages: {', '.join(sorted(known)) or 'none'}")
    for name, options in stage_tables.items():
        if name not in known:
            raise fail(f"[stages.{name}]: unknown stage {name!r}; known stages: {', '.join(sorted(known)) or 'none'}")
        # options of a known stage that is not listed are kept out of the run: a config can carry settings for
        # stages switched on with --set run.stages=[...]
        _table(options, f"[stages.{name}]", fail)

    try:
        check_stage_order(names)
    except ConfigError as exc:
        raise fail(str(exc)) from None

    workers = run.get("workers", DEFAULT_WORKERS)
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise fail(f"[run] workers must be a whole number >= 1, got {workers!r}")
    batch_size = run.get("batch_size", DEFAULT_BATCH_SIZE)
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise fail(f"[run] batch_size must be a whole number >= 1, got {batch_size!r}")
    max_bytes = ingest_raw.get("max_bytes", DEFAULT_MAX_BYTES)
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 1:
        raise fail(f"[ingest] max_bytes must be a whole number of bytes >= 1, got {max_bytes!r}")

    stages = [StageSpec(name, dict(stage_tables.get(name, {}))) for name in names]
    return RunConfig(stages, IngestOptions(max_bytes), workers, list(plugins), source, batch_size)


def is_path_key(key: str) -> bool:
    """Whether a stage option names a file or folder (see the module docstring for the rule)."""
    return any(key == word or key.endswith("_" + word) for word in PATH_KEY_WORDS)


def resolve_path_value(value: Any, base: Path) -> Any:
    """A path option's value with relative strings made absolute against ``base``; other values unchanged."""
    if isinstance(value, str):
        if not value:
            return value
        p = Path(value).expanduser()
        return str(p if p.is_absolute() else (base / p).resolve())
    if isinstance(value, list):
        return [resolve_path_value(v, base) for v in value]
    return value


def import_plugins(paths: Iterable[str]) -> None:
    """Import user Python files so their ``@register_stage`` lines run (like spaCy's ``--code``).

    Called in the main process to check the config and again in each worker process before stages are built,
    because a spawned worker starts with only the package's own stages registered.
    """
    import importlib.util
    import sys

    for file in paths:
        p = Path(file)
        name = "zhnews_plugin_" + hashlib.sha1(str(p).encode()).hexdigest()[:12]
        if name in sys.modules:
            continue
        if not p.is_file():
            raise ConfigError(f"plugin file {p} not found ([run] plugins)")
        spec = importlib.util.spec_from_file_location(name, p)
        if spec is None or spec.loader is None:
            raise ConfigError(f"plugin file {p} is not a Python module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[name]
            raise


def _resolve_paths(raw: dict[str, Any], base: Path) -> None:
    run = raw.get("run")
    if isinstance(run, dict) and "plugins" in run:
        run["plugins"] = resolve_path_value(run["plugins"], base)
    stages = raw.get("stages")
    if isinstance(stages, dict):
        for options in stages.values():
            if isinstance(options, dict):
                for key in options:
                    if is_path_key(key):
                        options[key] = resolve_path_value(options[key], base)


def _apply_override(raw: dict[str, Any], item: str, base: Path) -> None:
    key, sep, text = item.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(parts) or len(parts) < 2:
        raise ConfigError(f"--set {item!r}: expected SECTION.KEY=VALUE, e.g. stages.normalize.opencc=s2t")
    try:
        value: Any = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    if (parts[0] == "stages" and len(parts) == 3 and is_path_key(parts[2])) or parts[:2] == ["run", "plugins"]:
        value = resolve_path_value(value, base)
    table = raw
    for part in parts[:-1]:
        child = table.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"--set {item!r}: {part!r} is not a section")
        table = child
    table[parts[-1]] = value


def _table(value: Any, name: str, fail: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(f"{name} must be a table of options, got {value!r}")
    return value


def _check_keys(table: Mapping[str, Any], known: Mapping[str, str], name: str, fail: Any) -> None:
    unknown = sorted(set(table) - set(known))
    if unknown:
        listing = ", ".join(f"{k} ({v})" for k, v in known.items())
        raise fail(f"unknown option(s) {', '.join(unknown)} in {name}; known: {listing}")
