"""Train, cross-validate and save the stance and topic models (what ``zhnews train stance|topic`` runs).

Texts are normalized and segmented once, before cross-validation, and every fold reuses that analysis: the
folds then cost only feature extraction and fitting. Cross-validation predictions are made out of fold with the
same seed as the final model, so a card's scores are reproducible by re-running the command printed on it.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from pipeline.classify.cards import stance_card, topic_card
from pipeline.classify.linear import CalibratedLinearSVC
from pipeline.classify.mentions import mention_coverage
from pipeline.classify.scores import plot_confusion, stance_scores, topic_scores
from pipeline.classify.stance import StanceClassifier, stance_features
from pipeline.classify.textfeatures import AnalyzedText, analyze_texts
from pipeline.classify.topic import make_topic_classifier, svm_c
from pipeline.core.modelio import CARD_FILE, directory_size, save_model
from pipeline.errors import DataError

Progress = Callable[[str], None]
# n more units of work done (a progress bar's update); see pipeline/cli/progress.py
Advance = Callable[[int], None]


@dataclass
class TrainResult:
    kind: str
    cv: dict[str, Any] | None
    timings: dict[str, float]
    meta: dict[str, Any]
    out: Path | None = None
    size_bytes: int | None = None
    files: list[Path] = field(default_factory=list)


def _quiet(_: str) -> None:
    return None


def analyze_all(
    texts: list[str], progress: Progress = _quiet, step: int = 2000, *, advance: Advance | None = None
) -> list[AnalyzedText]:
    """Training texts through the default run config's normalize and segment stages, in batches
    (``advance(n)`` after each batch of n texts)."""
    out: list[AnalyzedText] = []
    for start in range(0, len(texts), step):
        batch = analyze_texts(texts[start : start + step])
        out += batch
        if advance is not None:
            advance(len(batch))
        if len(out) < len(texts):
            progress(f"analysed {len(out)}/{len(texts)} texts")
    return out


def _machine() -> str:
    import os

    return f"{platform.machine()}, {os.cpu_count()} CPU(s) (shared), Python {platform.python_version()}"


def train_stance(
    data_path: str | Path,
    *,
    out: str | Path | None,
    C: float = 0.5,
    none_scale: float | str = "auto",
    cues: bool = False,
    sentiment_weight: float = 0.3,
    folds: int = 5,
    seed: int = 0,
    command: str = "",
    jobs: int = 1,
    progress: Progress = _quiet,
    advance: Advance | None = None,
    news: str | Path | None = "auto",
) -> TrainResult:
    """Cross-validate (stratified by target and label) and fit a :class:`StanceClassifier` on all rows.

    ``sentiment_weight`` scales the sentiment features of :func:`stance_features` (0: n-grams only). Their
    sentence model does not depend on the stance data, so it is fitted once and shared by the folds.
    The mention gate is measured too (:mod:`pipeline.classify.stance_gate`): kept share by the same folds, and
    the let-through share on the unrelated news sets in ``news`` (``"auto"``: the folder holding the data's
    folder, as in ``../shared/data``; None: not measured).
    """
    from corpora.stance import load_stance

    data = load_stance(data_path)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    analysed = analyze_all(data.texts, progress)
    timings["analyse_s"] = time.perf_counter() - t0
    targets = [ex.target for ex in data.examples]
    X = list(zip(targets, analysed, strict=True))
    y = np.asarray(data.labels, dtype=object)
    features = stance_features(cues=cues, sentiment_weight=sentiment_weight)
    model = StanceClassifier(
        features,
        CalibratedLinearSVC(C=C, random_state=seed),
        none_scale=none_scale,
        mention_terms="auto",
        random_state=seed,
    )
    strata = np.asarray([f"{t}|{lab}" for t, lab in zip(targets, y, strict=True)])
    # mention terms play no part in predictions, so the folds skip learning them
    cv_model = clone(model).set_params(mention_terms=None)
    pred = _cross_validate_and_fit(
        model, X, y, strata, folds, seed, jobs, timings, progress, "rows", cv_model, advance=advance
    )
    cv_scores = None
    if pred is not None:
        cv_scores = stance_scores(targets, y, pred)
        cv_scores["folds"] = folds
    coverage = mention_coverage([a.norm_text for a in analysed], targets, model.mention_terms_)
    t0 = time.perf_counter()
    gate = _measure_gate(model, analysed, targets, y, pred, strata, folds, seed, data.path, news, progress)
    timings["gate_s"] = time.perf_counter() - t0
    meta = {
        "targets": model.targets_,
        "classes": [str(c) for c in model.classes_],
        "none_scales": model.none_scales_,
        "mention_terms": {t: list(v) for t, v in model.mention_terms_.items()},
        "mention_coverage": {t: round(v, 4) for t, v in coverage.items()},
        "params": {"C": C, "none_scale": none_scale, "cues": cues, "sentiment_weight": sentiment_weight, "seed": seed},
        "data": {"path": str(data.path), "rows": len(y), "dropped": dict(data.dropped)},
        "cv": cv_scores,
        "gate": gate,
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "machine": _machine(),
        "command": command,
    }
    result = TrainResult("stance", cv_scores, timings, meta)
    if out is not None:
        _save(result, model, Path(out), lambda size: stance_card(meta, size))
    return result


def _measure_gate(
    model: StanceClassifier,
    analysed: list[AnalyzedText],
    targets: list[str],
    y: np.ndarray,
    pred: np.ndarray | None,
    strata: np.ndarray,
    folds: int,
    seed: int,
    data_path: Path,
    news: str | Path | None,
    progress: Progress,
) -> dict[str, Any]:
    """The mention gate's figures for the card: CV keep rates and F_avg named vs gated (same folds as the CV
    scores), and its let-through on unrelated news (terms of the final model)."""
    from pipeline.classify.stance_gate import gate_scores, load_news, news_let_through
    from pipeline.classify.stance_sentiment import background_sentences

    gate: dict[str, Any] = {}
    if pred is not None:
        progress("measuring the mention gate")
        splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(targets, strata)
        texts = [a.norm_text for a in analysed]
        gate.update(gate_scores(texts, targets, list(y), list(pred), splits, background_sentences()))
    folder = Path(data_path).parent.parent if news == "auto" else news
    found = load_news(folder)
    if found:
        gate["let_through"] = news_let_through(found, model.mention_terms_)
        gate["news_folder"] = str(folder)
    return gate


def train_topic(
    data_path: str | Path,
    *,
    out: str | Path | None,
    data_format: str | None = None,
    preset: str | None = None,
    C: float | None = None,
    folds: int = 5,
    seed: int = 0,
    command: str = "",
    jobs: int = 1,
    progress: Progress = _quiet,
    advance: Advance | None = None,
) -> TrainResult:
    """Cross-validate (stratified by label) and fit a topic pipeline; saves a confusion-matrix PNG with the card."""
    from corpora.topic import load_topic_data

    data = load_topic_data(data_path, data_format)
    preset = preset or ("title" if data.kind == "title" else "fulltext")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    analysed = analyze_all(data.texts, progress)
    timings["analyse_s"] = time.perf_counter() - t0
    y = np.asarray(data.labels, dtype=object)
    labels = sorted(set(data.labels))
    model = make_topic_classifier(preset, C=C, random_state=seed)
    if folds > 1 and min(data.label_counts().values()) < folds:
        raise DataError(f"{data.path}: a label has fewer than {folds} examples; lower --folds")
    pred = _cross_validate_and_fit(
        model, analysed, y, y, folds, seed, jobs, timings, progress, "texts", advance=advance
    )
    cv_scores = None
    if pred is not None:
        cv_scores = topic_scores(y, pred, labels)
        cv_scores["folds"] = folds
    meta = {
        "classes": [str(c) for c in model.classes_],
        "input": "title" if preset == "title" else "fulltext",
        "params": {"preset": preset, "C": svm_c(model), "seed": seed, "format": data.format},
        "data": {"path": str(data.path), "rows": len(y), "format": data.format, "kind": data.kind},
        "cv": cv_scores,
        "timings": {k: round(v, 1) for k, v in timings.items()},
        "machine": _machine(),
        "command": command,
    }
    result = TrainResult("topic", cv_scores, timings, meta)
    if out is not None:
        out = Path(out)
        if cv_scores is not None:
            png = plot_confusion(
                cv_scores["confusion"],
                labels,
                out / "confusion_cv.png",
                f"topic ({preset}), {folds}-fold CV: accuracy {cv_scores['accuracy']:.4f}",
            )
            result.files.append(png)
        _save(result, model, out, lambda size: topic_card(meta, size))
    return result


def _cross_validate_and_fit(
    model: Any,
    X: Any,
    y: np.ndarray,
    strata: np.ndarray,
    folds: int,
    seed: int,
    jobs: int,
    timings: dict[str, float],
    progress: Progress,
    unit: str,
    cv_model: Any = None,
    *,
    advance: Advance | None = None,
) -> np.ndarray | None:
    """Out-of-fold predictions (folds stratified by ``strata``; None when ``folds`` < 2), then ``model`` fitted on
    all rows, with the same seed: the card's scores describe the model that is saved. Times both steps.

    ``cv_model`` (default ``model``) is what the folds fit: the same model less work whose result the
    predictions never use. ``advance(1)`` is called after each fold and after the final fit (a progress bar of
    ``folds + 1`` fits); with it and one job, the folds run here one by one, giving the same predictions as
    ``cross_val_predict``."""
    pred = None
    if folds > 1:
        progress(f"{folds}-fold cross-validation on {len(y)} {unit}")
        t0 = time.perf_counter()
        splits = StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, strata)
        estimator = model if cv_model is None else cv_model
        if advance is not None and jobs == 1:
            pred = np.empty(len(y), dtype=object)
            for train, test in splits:
                fitted = clone(estimator).fit([X[i] for i in train], y[train])
                pred[test] = fitted.predict([X[i] for i in test])
                advance(1)
        else:
            pred = cross_val_predict(estimator, X, y, cv=splits, n_jobs=jobs)
            if advance is not None:
                advance(folds)
        timings["cv_s"] = time.perf_counter() - t0
    progress(f"fitting on all {len(y)} {unit}")
    t0 = time.perf_counter()
    model.fit(X, y)
    timings["fit_s"] = time.perf_counter() - t0
    if advance is not None:
        advance(1)
    return pred


def _save(result: TrainResult, model: Any, out: Path, card: Callable[[int], str]) -> None:
    model_file = save_model(model, out, kind=result.kind, meta=result.meta)
    size = directory_size(out)
    (out / CARD_FILE).write_text(card(size), encoding="utf-8")
    result.size_bytes = directory_size(out)
    result.out = out
    result.files += [model_file, out / CARD_FILE]
