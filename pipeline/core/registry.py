"""Stage registry and the stage contract: a stage is a factory registered by name with the fields it reads and
writes, like spaCy's ``@Language.factory(name, requires=..., assigns=...)``.

The runner knows stages only through this module: their names, their declarations and the :class:`Stage`
protocol. Declarations are checked when a run's config is read (:func:`check_stage_order`), so a missing or
misordered prerequisite is a one-line config error before any file is read, two stages can never write the same
field, and the record's optional keys are the declared fields of the configured stages, in order.

Adding a built-in stage is one module plus one line in ``BUILTIN_STAGE_MODULES``; third-party stages register
through the ``zhnews.stages`` entry-point group, the way spaCy finds factories of other packages.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from pipeline.core.article import SOURCE_FIELDS, Article
from pipeline.errors import ConfigError


@runtime_checkable
class Stage(Protocol):
    """Takes an article, fills in its declared fields, returns the same article."""

    @property
    def name(self) -> str: ...  # read-only: a frozen dataclass's field satisfies it

    def __call__(self, article: Article) -> Article: ...


class BatchStage:
    """Mixin for stages: ``pipe`` over a batch, one article at a time unless the stage overrides it.

    Stages whose cost is per call (a model's forward pass) override ``pipe`` to work on the whole batch; the
    runner always calls ``pipe`` with articles in input order and expects them back in that order.
    """

    name: str

    def __call__(self, article: Article) -> Article:  # pragma: no cover - every stage defines it
        raise NotImplementedError

    def pipe(self, articles: list[Article]) -> list[Article]:
        return [self(article) for article in articles]

    def needs_torch(self) -> bool:
        """Whether the stage imports torch (:mod:`pipeline.core.torchfree` hides it from runs that do not).

        Built-in stages do not, unless they override this (the ner stage asks its model); a plugin stage is
        assumed to, unless it overrides this to say it does not.
        """
        return not type(self).__module__.startswith("pipeline.")


def pipe_stage(stage: Stage, articles: list[Article]) -> list[Article]:
    """A batch through ``stage``: its own ``pipe`` if it has one (a plugin stage may have only ``__call__``)."""
    pipe = getattr(stage, "pipe", None)
    return pipe(articles) if callable(pipe) else [stage(a) for a in articles]


StageFactory = Callable[..., Stage]


@dataclass(frozen=True)
class StageInfo:
    """What the registry knows of a stage without building it: its factory and its declared fields."""

    name: str
    factory: StageFactory
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()


# one line per built-in stage module (importing it runs its @register_stage)
BUILTIN_STAGE_MODULES: tuple[str, ...] = (
    "pipeline.stages.normalize",
    "pipeline.stages.segment",
    "pipeline.stages.ner",
    "pipeline.stages.linkcheck",
    "pipeline.stages.stance",
    "pipeline.stages.topic",
    "pipeline.stages.topicmodel",
)

_STAGES: dict[str, StageInfo] = {}
_LOADED = False


def register_stage(
    name: str, *, requires: Iterable[str] = (), assigns: Iterable[str] = ()
) -> Callable[[StageFactory], StageFactory]:
    """Decorator: make ``factory(**options)`` available to configs as stage ``name``.

    ``requires``: article fields the stage reads (``text``, ``title``, ``links`` come from ingest; others must be
    assigned by an earlier stage). ``assigns``: the fields it writes; a field that is not an article attribute
    (``norm_text``, ``script``, ``doc``, ``tokens``, ``title_tokens``, ``entities``) is a key of
    ``article.results`` and becomes a record key of the same name.
    """

    def decorate(factory: StageFactory) -> StageFactory:
        _STAGES[name] = StageInfo(name, factory, tuple(requires), tuple(assigns))
        return factory

    return decorate


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for module in BUILTIN_STAGE_MODULES:
        importlib.import_module(module)
    for ep in entry_points(group="zhnews.stages"):
        if ep.name not in _STAGES:
            loaded = ep.load()
            if ep.name not in _STAGES:  # a bare factory, not registered by its module: no declarations
                _STAGES[ep.name] = StageInfo(ep.name, loaded)
    _LOADED = True


def stage_names() -> list[str]:
    _load_all()
    return sorted(_STAGES)


def has_stage(name: str) -> bool:
    _load_all()
    return name in _STAGES


def stage_info(name: str) -> StageInfo:
    _load_all()
    if name not in _STAGES:
        raise ConfigError(f"unknown stage {name!r}; known stages: {', '.join(sorted(_STAGES))}")
    return _STAGES[name]


def check_stage_order(names: Sequence[str]) -> None:
    """Every stage's required fields assigned earlier, no field assigned twice; else a one-line ConfigError."""
    assigned: dict[str, str] = dict.fromkeys(SOURCE_FIELDS, "ingest")
    providers: dict[str, list[str]] = {}
    for info in (stage_info(n) for n in stage_names()):
        for f in info.assigns:
            providers.setdefault(f, []).append(info.name)
    for name in names:
        info = stage_info(name)
        for f in info.requires:
            if f not in assigned:
                raise ConfigError(_missing(name, f, names, [p for p in providers.get(f, []) if p != name]))
        for f in info.assigns:
            if f in assigned:
                raise ConfigError(f"stages {assigned[f]!r} and {name!r} both assign {f!r}; list only one of them")
            assigned[f] = name


def _missing(name: str, field: str, names: Sequence[str], providers: list[str]) -> str:
    listed = [p for p in providers if p in names]
    if listed:
        return f"stage {name!r} needs {field!r} from {listed[0]!r}, which comes after it in [run] stages"
    if providers:
        return f"stage {name!r} needs {field!r}: add {' or '.join(map(repr, providers))} before it in [run] stages"
    return f"stage {name!r} needs {field!r}, which no known stage assigns"


def result_keys(names: Sequence[str]) -> tuple[str, ...]:
    """The optional record keys of a run: the declared fields of its stages that live in ``article.results``."""
    from pipeline.core.article import ATTRIBUTE_FIELDS

    return tuple(f for n in names for f in stage_info(n).assigns if f not in ATTRIBUTE_FIELDS)


def create_stage(name: str, options: dict[str, Any] | None = None) -> Stage:
    """Build a stage from its config options; unknown names and options are config errors."""
    info = stage_info(name)
    try:
        return info.factory(**(options or {}))
    except TypeError as exc:
        raise ConfigError(f"stage {name!r}: bad options {sorted(options or {})}: {exc}") from None
