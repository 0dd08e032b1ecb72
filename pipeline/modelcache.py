"""Per-process cache of loaded models, so stages stay cheap to build and pickle (they hold only a path).

A stage is built in the main process to check its options and rebuilt in each worker; the model is loaded on the
first article a process sees and shared by every stage instance of that process that names the same directory.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pipeline.modelio import LoadedModel, load_model

REPO_MODELS = Path(__file__).resolve().parent.parent / "models"


@lru_cache(maxsize=8)
def cached_model(directory: str, kind: str) -> LoadedModel:
    return load_model(directory, kind=kind)


def default_model_dir(*parts: str) -> Path:
    """A shipped model under the repository's ``models/`` folder."""
    return REPO_MODELS.joinpath(*parts)
