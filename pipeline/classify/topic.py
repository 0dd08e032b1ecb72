"""News-topic classifier: a scikit-learn ``Pipeline`` of features and a linear model (or a stack of three).

Two presets, because headlines and whole articles want different features and models:

- ``"title"``: :class:`StackedTitleClassifier`: a linear SVM on :class:`TitleFeatures` (TF-IDF of jieba words
  and bigrams, first/last-character marks, character 1-3-grams) and an NB-SVM and complement naive Bayes on a
  second ``TitleFeatures`` that keeps every feature, combined by a logistic regression on their out-of-fold
  log-probabilities; the stack beat each member and their mean vote in cross-validation. Tried without gain: a
  TextCNN and a fastText-style model, word-vector and PPMI cluster features, kNN, ridge, a second segmentation,
  vote weights (all figures on the model card). The stack is wrapped in a one-step ``Pipeline`` so that every
  topic model is a ``Pipeline``
  (``zhnews eval topic`` and the stage load it as one).
- ``"fulltext"``: :class:`TextFeatures` of word unigrams with stop words removed, and one SVM. A full article is
  ~1,000 characters, where words are enough: character bigrams gained about one article in 701 in
  cross-validation (model card) but doubled the cost of predicting inside a run, where the words come free from
  the segment stage.

``min_df`` and ``max_features`` keep the shipped models small (vocabularies and weights dominate their size).
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from pipeline.classify.linear import CalibratedLinearSVC
from pipeline.classify.textfeatures import TextFeatures
from pipeline.classify.title_stack import StackedTitleClassifier

PRESETS: tuple[str, ...] = ("title", "fulltext")

TITLE_C = 0.5  # the TF-IDF SVM's C in the title stack (C sweeps 0.3-1.0 moved CV accuracy by < 0.3 points)


def make_topic_classifier(preset: str = "title", *, C: float | None = None, random_state: int = 0) -> Pipeline:
    """A fresh, unfitted topic pipeline for ``preset`` (``"title"`` or ``"fulltext"``).

    ``C`` overrides the (TF-IDF) SVM's regularisation; the title stack's NB-SVM keeps its own.
    """
    if preset == "title":
        stack = StackedTitleClassifier(svm_C=C if C is not None else TITLE_C, random_state=random_state)
        return Pipeline([("stack", stack)])
    if preset == "fulltext":
        features = TextFeatures(
            word_ngram_range=(1, 1),
            char_ngram_range=None,
            min_df=2,
            max_df=0.9,
            max_features=50_000,
            stop_words=True,
            sublinear_tf=True,
        )
        clf = CalibratedLinearSVC(C=C if C is not None else 3.0, random_state=random_state)
        # long texts: less regularisation scored higher in CV (0.5: 97.3 %, 3.0: 97.9 %)
        return Pipeline([("features", features), ("clf", clf)])
    raise ValueError(f"preset must be one of {PRESETS}, not {preset!r}")


def svm_c(model: Pipeline) -> float:
    """The (TF-IDF) SVM's ``C`` of a topic pipeline of either preset, for the model's metadata and card."""
    if "stack" in model.named_steps:
        return float(model.named_steps["stack"].svm_C)
    return float(model.named_steps["clf"].C)
