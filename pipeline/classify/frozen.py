"""A fitted stance or topic model exported as plain arrays, predicting without scikit-learn or SciPy.

Why: every process that ran the stance and topic stages imported scikit-learn, SciPy and skops to load the
models (``model.skops``): about 1.3 s of a worker's 2.7 s start-up, paid once per worker, which kept
``--workers 2`` well under twice ``--workers 1``. Prediction needs far less than the
estimators: vocabularies, idf vectors, SVM weights, a temperature. :func:`export_predictor` writes those into
``predictor.npz`` beside ``model.skops`` (``save_model`` does it for every model it can export), and
:func:`load_predictor` reads them back into small classes with the estimators' prediction interface
(``classes_``, ``predict_proba``; for stance also ``targets_`` and ``mention_terms_``).

The same numbers, bit for bit: the analyzers are scikit-learn's (:mod:`pipeline.classify.ngrams`), the TF-IDF
and sentiment arithmetic is the code the estimators themselves run (:mod:`pipeline.classify.tfidfarrays`,
:mod:`pipeline.classify.sentence_scores`, :mod:`pipeline.classify.probs`), and sparse products add up in
SciPy's order. Tests compare both paths (``tests/classify/test_frozen.py``); on the 1,005
articles of the benchmark corpus the records are byte-identical.

Safety and staleness: ``predictor.npz`` is read with ``allow_pickle=False`` (arrays of numbers and fixed-width
strings plus a JSON description, nothing that runs code), and it records the SHA-256 of the ``model.skops``
it was exported from: if that file has changed since (a model retrained and copied in by hand), the export is
ignored and the estimator is loaded as before. ``model.skops`` stays the model: the scikit-learn object that
users inspect, tune and retrain; the export is derived from it, like a compiled cache.

What cannot be exported (the stacked headline model, a plugin's estimator, a vectorizer setting the analyzers do
not reproduce) is simply not exported, and loads through skops.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.classify.analyzed import AnalyzedText, as_analyzed
from pipeline.classify.cues import cue_counts
from pipeline.classify.ngrams import Analyzer, analyzer_settings, token_string
from pipeline.classify.probs import as_2d, by_target, distinct_rows, softmax
from pipeline.classify.sentence_scores import sentiment_row, sentiment_width
from pipeline.classify.targets import canonical_target
from pipeline.classify.tfidfarrays import CsrArrays, dense_rows, hstack_rows, linear_scores, tfidf_arrays
from pipeline.classify.vocabstate import term_index, vocabulary_terms
from pipeline.core.modelio import MODEL_FILE, PREDICTOR_FILE
from pipeline.errors import ModelError

FORMAT = 1
_SPEC = "spec"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_FIX = "delete it to use model.skops, or rewrite it with: python -m pipeline.classify.frozen MODEL_DIR"


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- blocks of features


@dataclass(frozen=True)
class TfidfBlock:
    """One fitted ``TfidfVectorizer`` (l2 norm, idf) and the weight its block is scaled by."""

    analyzer: Analyzer
    vocabulary: dict[str, int]
    idf: np.ndarray
    sublinear_tf: bool
    dtype: np.dtype
    weight: float

    def rows(self, docs: list[str]) -> CsrArrays:
        rows = tfidf_arrays(
            docs, self.analyzer, self.vocabulary, self.idf, sublinear_tf=self.sublinear_tf, dtype=self.dtype
        )
        data = rows.data.astype(np.float32, copy=False)
        if self.weight != 1.0:
            data = data * self.weight  # as scipy scales a CSR matrix: float32 data times a Python float
        return rows._replace(data=data)


@dataclass(frozen=True)
class TextBlocks:
    """:class:`~pipeline.classify.textfeatures.TextFeatures`: word and char TF-IDF, optional cue counts."""

    word: TfidfBlock | None
    char: TfidfBlock | None
    cue_weight: float | None  # None: no cue block

    def transform(self, docs: list[AnalyzedText]) -> CsrArrays:
        blocks: list[CsrArrays] = []
        if self.word is not None:
            blocks.append(self.word.rows([token_string(d.tokens) for d in docs]))
        if self.char is not None:
            blocks.append(self.char.rows([d.norm_text for d in docs]))
        if self.cue_weight is not None:
            cues = np.vstack([cue_counts(d.tokens) for d in docs]).astype(np.float32)
            block = dense_rows(cues)
            blocks.append(block if self.cue_weight == 1.0 else block._replace(data=block.data * self.cue_weight))
        return hstack_rows(blocks)


@dataclass(frozen=True)
class SentimentBlock:
    """:class:`~pipeline.classify.stance_sentiment.SentimentFeatures`: the sentence model's arrays."""

    tables: tuple[dict[str, int], dict[str, float]]
    arrays: tuple[np.ndarray, np.ndarray, float]
    weight: float
    lexicon_weight: float

    def transform(self, docs: list[AnalyzedText]) -> CsrArrays:
        rows = np.empty((len(docs), sentiment_width(self.lexicon_weight)), dtype=np.float64)
        for i, doc in enumerate(docs):
            rows[i] = sentiment_row(
                doc.norm_text, doc.tokens, self.tables, self.arrays, self.weight, self.lexicon_weight
            )
        return dense_rows(rows.astype(np.float32))


@dataclass(frozen=True)
class Features:
    """Text blocks, then (the stance features) the sentiment block, side by side."""

    text: TextBlocks
    sentiment: SentimentBlock | None

    def transform(self, docs: list[AnalyzedText]) -> CsrArrays:
        text = self.text.transform(docs)
        return text if self.sentiment is None else hstack_rows([text, self.sentiment.transform(docs)])


@dataclass(frozen=True)
class Linear:
    """:class:`~pipeline.classify.linear.CalibratedLinearSVC`: ``softmax(T * (x @ coef.T + intercept))``."""

    classes: np.ndarray
    coef_t: np.ndarray  # features x scores, C order (what SciPy's product reads)
    intercept: np.ndarray
    temperature: float


# ---------------------------------------------------------------- the two predictors


@dataclass(frozen=True)
class TopicPredictor:
    """A topic ``Pipeline(TextFeatures, CalibratedLinearSVC)``'s ``predict_proba``, from arrays."""

    features: Features
    model: Linear

    @property
    def classes_(self) -> np.ndarray:
        return self.model.classes

    def predict_proba(self, X: Sequence[str | AnalyzedText]) -> np.ndarray:
        matrix = self.features.transform([as_analyzed(x) for x in X])
        scores = linear_scores(matrix, self.model.coef_t) + self.model.intercept
        return softmax(as_2d(scores.ravel() if scores.shape[1] == 1 else scores), self.model.temperature)

    def predict(self, X: Sequence[str | AnalyzedText]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


@dataclass(frozen=True)
class StancePredictor:
    """A :class:`~pipeline.classify.stance.StanceClassifier`'s ``predict_proba`` (its all-linear path)."""

    classes_: np.ndarray
    targets_: list[str]
    mention_terms_: dict[str, tuple[str, ...]]
    none_scales_: dict[str, float]
    features: Features
    weights_t: np.ndarray  # features x (scores of every target), columns spans[target]
    spans: dict[str, tuple[int, int]]
    models: dict[str, Linear]  # their coef_t: views of weights_t, which scores every target in one product

    def predict_proba(self, X: Sequence[tuple[str, str | AnalyzedText]]) -> np.ndarray:
        targets = [canonical_target(str(item[0])) for item in X]
        texts = [as_analyzed(item[1]) for item in X]
        unknown = sorted(set(targets) - set(self.models))
        if unknown:
            raise ValueError(f"unknown target(s) {unknown}; this model knows {self.targets_}")
        distinct, row_of = distinct_rows(texts)
        all_scores = np.asarray(linear_scores(self.features.transform(distinct), self.weights_t), np.float64)

        def probs_of(target: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            model = self.models[target]
            start, stop = self.spans[target]
            scores = all_scores[row_of[rows], start:stop] + model.intercept
            return softmax(as_2d(scores), model.temperature), model.classes

        return by_target(targets, self.classes_, self.none_scales_, probs_of)

    def predict(self, X: Sequence[tuple[str, str | AnalyzedText]]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


Predictor = TopicPredictor | StancePredictor


# ---------------------------------------------------------------- export (needs the fitted estimators)


class _Writer:
    """Collects named arrays and the JSON spec that refers to them."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, name: str, array: np.ndarray) -> str:
        self.arrays[name] = np.ascontiguousarray(array)
        return name

    def terms(self, name: str, vocabulary: dict[str, int]) -> str:
        packed = vocabulary_terms(vocabulary)
        if term_index(packed) != vocabulary:  # fixed-width strings drop trailing NULs: such a vocabulary stays out
            raise _NotExportable(f"{name}: a term ends in a NUL character")
        return self.add(name, packed)


class _NotExportable(Exception):
    pass


def _tfidf_spec(w: _Writer, name: str, vectorizer: Any, weight: float) -> dict[str, Any]:
    from pipeline.classify.tfidfrows import _supported

    analyzer = analyzer_settings(vectorizer)
    if analyzer is None or not _supported(vectorizer):
        raise _NotExportable(f"{name}: vectorizer settings the exported analyzers do not reproduce")
    return {
        "analyzer": analyzer.to_json(),
        "terms": w.terms(f"{name}.terms", vectorizer.vocabulary_),
        "idf": w.add(f"{name}.idf", vectorizer.idf_),
        "sublinear_tf": bool(vectorizer.sublinear_tf),
        "dtype": np.dtype(vectorizer.dtype).str,
        "weight": float(weight),
    }


def _features_spec(w: _Writer, features: Any) -> dict[str, Any]:
    from pipeline.classify.stance_sentiment import SentimentFeatures, StanceFeatures
    from pipeline.classify.textfeatures import TextFeatures

    sentiment = None
    if type(features) is StanceFeatures:
        text, sentiment = features.text_, features.sentiment_
    else:
        text = features
    if type(text) is not TextFeatures:
        raise _NotExportable(f"features of type {type(text).__name__}")
    spec: dict[str, Any] = {
        "word": None
        if text.word_vectorizer_ is None
        else _tfidf_spec(w, "word", text.word_vectorizer_, text.word_weight),
        "char": None
        if text.char_vectorizer_ is None
        else _tfidf_spec(w, "char", text.char_vectorizer_, text.char_weight),
        "cue_weight": float(text.cue_weight) if text.cues else None,
        "sentiment": None,
    }
    if sentiment is not None:
        if type(sentiment) is not SentimentFeatures:
            raise _NotExportable(f"sentiment features of type {type(sentiment).__name__}")
        _, lexicon = sentiment._tables()
        spec["sentiment"] = {
            "terms": w.add("sentiment.terms", sentiment.terms_),
            "idf": w.add("sentiment.idf", sentiment.idf_),
            "coef": w.add("sentiment.coef", sentiment.coef_),
            "intercept": float(sentiment.intercept_),
            "lexicon_words": w.add("sentiment.lexicon_words", np.asarray(list(lexicon), dtype=np.str_)),
            "lexicon_scores": w.add("sentiment.lexicon_scores", np.asarray(list(lexicon.values()), np.float64)),
            "weight": float(sentiment.weight),
            "lexicon_weight": float(sentiment.lexicon_weight),
        }
    return spec


def _linear_spec(w: _Writer, name: str, model: Any) -> dict[str, Any]:
    from pipeline.classify.linear import CalibratedLinearSVC

    if type(model) is not CalibratedLinearSVC:
        raise _NotExportable(f"{name}: a {type(model).__name__}, not a CalibratedLinearSVC")
    return {
        "classes": [str(c) for c in model.classes_],
        "coef": w.add(f"{name}.coef", np.asarray(model.coef_)),
        "intercept": w.add(f"{name}.intercept", np.asarray(model.intercept_)),
        "temperature": float(model.temperature_),
    }


def _spec(w: _Writer, estimator: Any, kind: str) -> dict[str, Any]:
    if kind == "topic":
        from sklearn.pipeline import Pipeline

        if type(estimator) is not Pipeline or len(estimator.steps) != 2:
            raise _NotExportable(f"a {type(estimator).__name__}, not a two-step topic pipeline")
        (_, features), (_, model) = estimator.steps
        return {"features": _features_spec(w, features), "model": _linear_spec(w, "model", model)}
    if kind == "stance":
        from pipeline.classify.stance import StanceClassifier

        if type(estimator) is not StanceClassifier:
            raise _NotExportable(f"a {type(estimator).__name__}, not a StanceClassifier")
        return {
            "classes": [str(c) for c in estimator.classes_],
            "targets": [str(t) for t in estimator.targets_],
            "mention_terms": {k: list(v) for k, v in getattr(estimator, "mention_terms_", {}).items()},
            "none_scales": {k: float(v) for k, v in estimator.none_scales_.items()},
            "features": _features_spec(w, estimator.features_),
            "models": {
                target: _linear_spec(w, f"target{i}", model)
                for i, (target, model) in enumerate(estimator.estimators_.items())
            },
        }
    raise _NotExportable(f"a {kind!r} model")


def export_predictor(estimator: Any, directory: str | Path, kind: str) -> Path | None:
    """Write ``predictor.npz`` for the model saved in ``directory`` (its ``model.skops`` must be there), or
    remove a stale one and return None when this estimator cannot be exported."""
    directory = Path(directory)
    target = directory / PREDICTOR_FILE
    writer = _Writer()
    try:
        spec = _spec(writer, estimator, kind)
    except _NotExportable:
        target.unlink(missing_ok=True)
        return None
    spec = {"format": FORMAT, "kind": kind, "model_sha256": file_sha256(directory / MODEL_FILE), **spec}
    members = {**writer.arrays, _SPEC: np.asarray(json.dumps(spec, ensure_ascii=False))}
    # np.savez_compressed's layout (np.load reads it), with a fixed date: the same model gives the same bytes
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in members.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)  # no object arrays: no unpickling
    return target


# ---------------------------------------------------------------- load (NumPy only)


def load_predictor(directory: str | Path, kind: str) -> Predictor | None:
    """The exported predictor of a model directory, or None when it has none or it is stale (its
    ``model.skops`` has changed since the export). A damaged file is a :class:`ModelError`."""
    directory = Path(directory)
    path = directory / PREDICTOR_FILE
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        spec = json.loads(str(arrays.pop(_SPEC)))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{path}: unreadable exported predictor ({type(exc).__name__}: {exc}); {_FIX}") from None
    if spec.get("format") != FORMAT or spec.get("kind") != kind:
        return None
    source = directory / MODEL_FILE
    if not source.is_file() or file_sha256(source) != spec.get("model_sha256"):
        return None
    try:
        return _build(spec, arrays, kind)
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{path}: malformed exported predictor ({type(exc).__name__}: {exc}); {_FIX}") from None


def _tfidf(spec: dict[str, Any] | None, arrays: dict[str, np.ndarray]) -> TfidfBlock | None:
    if spec is None:
        return None
    terms = arrays[spec["terms"]]
    return TfidfBlock(
        Analyzer.from_json(spec["analyzer"]),
        term_index(terms),
        arrays[spec["idf"]],
        bool(spec["sublinear_tf"]),
        np.dtype(spec["dtype"]),
        float(spec["weight"]),
    )


def _features(spec: dict[str, Any], arrays: dict[str, np.ndarray]) -> Features:
    text = TextBlocks(_tfidf(spec["word"], arrays), _tfidf(spec["char"], arrays), spec["cue_weight"])
    s = spec["sentiment"]
    if s is None:
        return Features(text, None)
    lexicon = dict(zip(arrays[s["lexicon_words"]].tolist(), arrays[s["lexicon_scores"]].tolist(), strict=True))
    sentiment = SentimentBlock(
        (term_index(arrays[s["terms"]]), lexicon),
        (arrays[s["idf"]], arrays[s["coef"]], float(s["intercept"])),
        float(s["weight"]),
        float(s["lexicon_weight"]),
    )
    return Features(text, sentiment)


def _linear(spec: dict[str, Any], arrays: dict[str, np.ndarray], coef_t: np.ndarray | None = None) -> Linear:
    """``coef_t``: the model's weights when they already sit in a larger array (a view of it), else its own."""
    return Linear(
        np.asarray(spec["classes"], dtype=object),
        np.ascontiguousarray(arrays[spec["coef"]].T) if coef_t is None else coef_t,
        arrays[spec["intercept"]],
        float(spec["temperature"]),
    )


def _build(spec: dict[str, Any], arrays: dict[str, np.ndarray], kind: str) -> Predictor:
    features = _features(spec["features"], arrays)
    if kind == "topic":
        return TopicPredictor(features, _linear(spec["model"], arrays))
    # every target's weights once, side by side; each target model holds a view of its columns
    weights_t = np.ascontiguousarray(np.hstack([arrays[m["coef"]].T for m in spec["models"].values()]))
    spans: dict[str, tuple[int, int]] = {}
    models: dict[str, Linear] = {}
    start = 0
    for target, m in spec["models"].items():
        stop = start + len(arrays[m["coef"]])
        spans[target] = (start, stop)
        models[target] = _linear(m, arrays, weights_t[:, start:stop])
        start = stop
    return StancePredictor(
        np.asarray(spec["classes"], dtype=object),
        list(spec["targets"]),
        {k: tuple(v) for k, v in spec["mention_terms"].items()},
        {k: float(v) for k, v in spec["none_scales"].items()},
        features,
        weights_t,
        spans,
        models,
    )


def export_directory(directory: str | Path) -> Path | None:
    """Export the model saved in ``directory`` (trained before exports existed, or copied in by hand)."""
    from pipeline.core.modelio import load_model, read_meta

    kind = str(read_meta(directory)["kind"])
    return export_predictor(load_model(directory, kind=kind).estimator, directory, kind)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pipeline.classify.frozen MODEL_DIR...``: write (or refresh) each folder's ``predictor.npz``."""
    dirs = list(sys.argv[1:] if argv is None else argv)
    if not dirs:
        print("usage: python -m pipeline.classify.frozen MODEL_DIR...", file=sys.stderr)
        return 2
    status = 0
    for directory in dirs:
        try:
            written = export_directory(directory)
        except ModelError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{directory}: " + (f"wrote {written}" if written else "cannot be exported; it loads through skops"))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
