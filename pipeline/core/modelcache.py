"""Per-process cache of loaded models, so stages stay cheap to build and pickle (they hold only a path).

A stage is built in the main process to check its options and rebuilt in each worker; the model is loaded on the
first article a process sees and shared by every stage instance of that process that names the same directory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pipeline.core.modelio import LoadedModel, load_model
from pipeline.core.resources import model_dir, models_dir

REPO_MODELS = models_dir()  # the shipped models/ (see pipeline/core/resources.py)


@lru_cache(maxsize=8)
def cached_model(directory: str, kind: str) -> LoadedModel:
    return load_model(directory, kind=kind)


def default_model_dir(*parts: str) -> Path:
    """A shipped model under ``models/`` (the repository's in a checkout, the wheel's copy otherwise)."""
    return model_dir(*parts)
