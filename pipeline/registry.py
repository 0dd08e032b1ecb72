"""Stage registry: a stage is one module that registers a factory under a name.

The runner knows stages only by name and through the :class:`Stage` protocol. Adding a built-in stage is
one module plus one line in ``BUILTIN_STAGE_MODULES``; third-party stages register through the
``zhnews.stages`` entry-point group, the way spaCy finds factories of other packages.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, Protocol

from pipeline.document import Article
from pipeline.errors import ConfigError


class Stage(Protocol):
    """Takes an article, fills in its own fields, returns the same article."""

    name: str

    def __call__(self, article: Article) -> Article: ...


StageFactory = Callable[..., Stage]

# one line per built-in stage module (importing it runs its @register_stage)
BUILTIN_STAGE_MODULES: tuple[str, ...] = (
    "pipeline.normalize",
    "pipeline.segment",
    "pipeline.ner",
    "pipeline.linkcheck",
    "pipeline.stance",
    "pipeline.topic",
    "pipeline.topicmodel",
)

_FACTORIES: dict[str, StageFactory] = {}
_LOADED = False


def register_stage(name: str) -> Callable[[StageFactory], StageFactory]:
    """Decorator: make ``factory(**options)`` available to configs as stage ``name``."""

    def decorate(factory: StageFactory) -> StageFactory:
        _FACTORIES[name] = factory
        return factory

    return decorate


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for module in BUILTIN_STAGE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a stage module not written yet must not break the others
            if exc.name != module:
                raise
    for ep in entry_points(group="zhnews.stages"):
        _FACTORIES.setdefault(ep.name, ep.load())
    _LOADED = True


def stage_names() -> list[str]:
    _load_all()
    return sorted(_FACTORIES)


def create_stage(name: str, options: dict[str, Any] | None = None) -> Stage:
    """Build a stage from its config options; unknown names and options are config errors."""
    _load_all()
    if name not in _FACTORIES:
        raise ConfigError(f"unknown stage {name!r}; known stages: {', '.join(sorted(_FACTORIES))}")
    try:
        return _FACTORIES[name](**(options or {}))
    except TypeError as exc:
        raise ConfigError(f"stage {name!r}: bad options {sorted(options or {})}: {exc}") from None
