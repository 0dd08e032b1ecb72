"""Saving and loading our scikit-learn models with skops: no pickle, and only types we know.

A model directory holds ``model.skops`` (the fitted estimator), ``meta.json`` (what kind of model, its labels,
the versions it was built with, the command that built it, its scores), ``MODEL_CARD.md`` for people and, for
models that can be described by arrays, ``predictor.npz``, what the stages predict with
(:mod:`pipeline.classify.frozen`).
Loading refuses anything that is not one of ours: a file that is not a skops archive, a skops archive whose
objects include a type that is neither in :data:`TRUSTED_TYPES` nor a scikit-learn estimator class (skops' own
defaults cover NumPy and SciPy), or a model of another kind. A model file is code-adjacent data; we never
execute what we did not write.
"""

from __future__ import annotations

import importlib
import json
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import ModelError

MODEL_FILE = "model.skops"
PREDICTOR_FILE = "predictor.npz"  # pipeline.classify.frozen's export of the model, for prediction without skops
META_FILE = "meta.json"
CARD_FILE = "MODEL_CARD.md"
FORMAT_VERSION = 1

# Types beyond skops' defaults that our models are made of. Anything else in a file makes it "not ours".
TRUSTED_TYPES: tuple[str, ...] = (
    "pipeline.classify.textfeatures.TextFeatures",
    "pipeline.classify.stance.StanceClassifier",
    "pipeline.topicmodel.model.TopicModel",
    "pipeline.classify.linear.CalibratedLinearSVC",
    "pipeline.classify.stance_sentiment.SentimentFeatures",
    "pipeline.classify.stance_sentiment.StanceFeatures",
    "pipeline.classify.title_stack.StackedTitleClassifier",
    "pipeline.classify.topic_features.TitleFeatures",
)


@dataclass
class LoadedModel:
    estimator: Any
    meta: dict[str, Any]
    path: Path
    extra: dict[str, Any] = field(default_factory=dict)


def _sklearn_version() -> str:
    import sklearn  # here, not at module level: every command imports this module to find model folders

    return str(sklearn.__version__)


_PREPARING = True


def prepare_loading(directory: str | Path | None = None) -> None:
    """Import skops now, while few modules are loaded: stage factories call this when a run builds its stages.
    Not for a model ``directory`` with an exported predictor (:mod:`pipeline.classify.frozen`): that one loads
    without skops.

    Why: on import, skops looks up the module of every NumPy/SciPy ufunc by scanning all loaded modules. After
    torch and spaCy are loaded (the NER stage's first article) that scan cost about 1.5 s of CPU more than
    before them, on a 2-core machine under load: a tenth of what stance and topic may add to a run.
    Skipped inside :func:`checking_only`.
    """
    if _PREPARING and not (directory is not None and (Path(directory) / PREDICTOR_FILE).is_file()):
        _skops()


@contextmanager
def checking_only() -> Iterator[None]:
    """Stage factories called only to check a config's options, in a process that will not run the stages (the
    parent of worker processes): :func:`prepare_loading` does nothing, so that process never imports
    scikit-learn, SciPy and skops (about 1.5 s before its workers even start)."""
    global _PREPARING
    before, _PREPARING = _PREPARING, False
    try:
        yield
    finally:
        _PREPARING = before


def _skops() -> Any:
    """``skops.io``, imported without its list of every scikit-learn estimator.

    On import skops builds that list with ``sklearn.utils.all_estimators()``, which imports every module of
    scikit-learn: 1.4 s of each worker's start-up, for a list of which our models use a handful. The list is
    left empty while skops is imported, and :func:`_is_trusted` applies the same rule (a scikit-learn
    estimator class is trusted) to the types a file actually names.
    """
    if "skops.io" not in sys.modules:
        import sklearn.utils

        every_estimator = sklearn.utils.all_estimators
        sklearn.utils.all_estimators = lambda *args, **kwargs: []
        try:
            import skops.io  # noqa: F401
        finally:
            sklearn.utils.all_estimators = every_estimator
    return sys.modules["skops.io"]


def _is_trusted(type_name: str) -> bool:
    """One of our types, or a scikit-learn estimator class (what skops trusts by default)."""
    if type_name in TRUSTED_TYPES:
        return True
    module_name, _, class_name = type_name.rpartition(".")
    if not module_name.startswith("sklearn."):
        return False
    from sklearn.base import BaseEstimator

    try:
        cls = getattr(importlib.import_module(module_name), class_name, None)
    except ImportError:
        return False
    return isinstance(cls, type) and issubclass(cls, BaseEstimator) and cls.__module__.startswith("sklearn.")


def save_model(
    estimator: Any, directory: str | Path, *, kind: str, meta: dict[str, Any] | None = None, card: str | None = None
) -> Path:
    """Write ``model.skops`` + ``meta.json`` (+ ``MODEL_CARD.md``) into ``directory``, and ``predictor.npz``
    when the model can be exported for prediction without scikit-learn; returns the model file."""
    from pipeline.classify.frozen import export_predictor

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model_path = directory / MODEL_FILE
    _skops().dump(estimator, model_path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    export_predictor(estimator, directory, kind)
    import skops

    full_meta = {
        "kind": kind,
        "format_version": FORMAT_VERSION,
        "estimator": f"{type(estimator).__module__}.{type(estimator).__qualname__}",
        "sklearn_version": _sklearn_version(),
        "skops_version": skops.__version__,
        **(meta or {}),
    }
    (directory / META_FILE).write_text(json.dumps(full_meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if card is not None:
        (directory / CARD_FILE).write_text(card, encoding="utf-8")
    return model_path


def read_meta(directory: str | Path, *, kind: str | None = None) -> dict[str, Any]:
    """The model's ``meta.json`` (cheap: stages read it when built, and load the model itself on first use)."""
    directory = Path(directory)
    if directory.is_file():
        directory = directory.parent
    meta_path = directory / META_FILE
    if not meta_path.is_file():
        raise ModelError(f"{directory}: not a zhnews model directory (no {META_FILE})")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path}: unreadable model metadata ({exc})") from None
    if not isinstance(meta, dict) or "kind" not in meta:
        raise ModelError(f"{meta_path}: not zhnews model metadata (no 'kind')")
    if kind is not None and meta["kind"] != kind:
        raise ModelError(f"{directory}: a {meta['kind']!r} model, not a {kind!r} model")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ModelError(f"{directory}: model format {meta['format_version']} is newer than this zhnews understands")
    return meta


def load_estimator(path: str | Path, expected: type | tuple[type, ...] | None = None) -> Any:
    """Load a skops file, refusing it unless every type in it is trusted (skops defaults + :data:`TRUSTED_TYPES`)."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"{path}: model file not found")
    sio = _skops()
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises zipfile/json/key errors for files it cannot read
        raise ModelError(f"{path}: not a skops model file ({type(exc).__name__}: {exc})") from None
    unknown = sorted(t for t in set(untrusted) if not _is_trusted(t))
    if unknown:
        raise ModelError(f"{path}: refusing a model that is not ours: it contains untrusted type(s) {unknown}")
    try:
        estimator = sio.load(path, trusted=sorted(set(untrusted)))
    except Exception as exc:
        raise ModelError(f"{path}: could not load model ({type(exc).__name__}: {exc})") from None
    if expected is not None and not isinstance(estimator, expected):
        raise ModelError(f"{path}: holds a {type(estimator).__name__}, not the expected model type")
    return estimator


def load_model(directory: str | Path, *, kind: str, expected: type | tuple[type, ...] | None = None) -> LoadedModel:
    """Load a model directory written by :func:`save_model`, checking its kind and types."""
    directory = Path(directory)
    if not directory.exists():
        raise ModelError(f"{directory}: model not found")
    meta = read_meta(directory, kind=kind)
    model_dir = directory.parent if directory.is_file() else directory
    model_file = directory if directory.is_file() else directory / MODEL_FILE
    return LoadedModel(load_estimator(model_file, expected), meta, model_dir)


def directory_size(directory: str | Path) -> int:
    """Bytes on disk of a model directory's files (what the size budget in the model cards measures)."""
    return sum(p.stat().st_size for p in Path(directory).iterdir() if p.is_file())


@lru_cache(maxsize=8)
def cached_model(directory: str, kind: str) -> LoadedModel:
    """The model of ``directory``, loaded once per process: stages hold only its path (so they pickle to
    workers) and every stage instance of a process that names the same directory shares it."""
    return load_model(directory, kind=kind)


@lru_cache(maxsize=8)
def cached_predictor(directory: str, kind: str) -> Any:
    """What a stage predicts with, loaded once per process: the model's exported predictor when it has an
    up-to-date one (NumPy only: the process never imports scikit-learn, SciPy or skops), else the estimator."""
    from pipeline.classify.frozen import load_predictor

    predictor = load_predictor(directory, kind)
    return predictor if predictor is not None else cached_model(directory, kind).estimator
