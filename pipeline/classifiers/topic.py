"""News-topic classifier: a plain scikit-learn ``Pipeline`` of :class:`TextFeatures` and a linear model.

Two presets, because headlines and whole articles want different features: a headline is ~20 characters, where
character 1-3-grams carry most of the signal and every feature is rare; a full article is ~1,000 characters, where
word unigrams/bigrams with stop words removed are enough and character 4-grams would only bloat the model past
its size budget. ``min_df`` and ``max_features`` keep the shipped model small (vocabularies dominate its size).

The classifier is a linear SVM (in cross-validation on THUCNews titles it matched logistic regression's accuracy
at a fraction of the training time) with probabilities from :class:`CalibratedLinearSVC`.
"""

from __future__ import annotations

from sklearn.pipeline import Pipeline

from pipeline.classifiers.linear import CalibratedLinearSVC
from pipeline.textfeatures import TextFeatures

PRESETS: tuple[str, ...] = ("title", "fulltext")


def make_topic_classifier(preset: str = "title", *, C: float | None = None, random_state: int = 0) -> Pipeline:
    """A fresh, unfitted topic pipeline for ``preset`` (``"title"`` or ``"fulltext"``)."""
    if preset == "title":
        features = TextFeatures(
            word_ngram_range=(1, 2), char_ngram_range=(1, 3), min_df=2, max_features=200_000, sublinear_tf=True
        )
        default_c = 0.5
    elif preset == "fulltext":
        features = TextFeatures(
            word_ngram_range=(1, 1),
            char_ngram_range=(2, 2),
            min_df=2,
            max_df=0.9,
            max_features=50_000,
            stop_words=True,
            sublinear_tf=True,
        )
        default_c = 3.0  # long texts: less regularisation scored higher in CV (0.5: 97.3 %, 3.0: 97.9 %)
    else:
        raise ValueError(f"preset must be one of {PRESETS}, not {preset!r}")
    clf = CalibratedLinearSVC(C=C if C is not None else default_c, random_state=random_state)
    return Pipeline([("features", features), ("clf", clf)])
