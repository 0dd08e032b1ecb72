"""News-topic classifier: a plain scikit-learn ``Pipeline`` of features and a linear model (or a vote of three).

Two presets, because headlines and whole articles want different features and models:

- ``"title"``: a soft vote (mean of probabilities) of three linear models. A :class:`CalibratedLinearSVC` on
  :class:`TitleFeatures` (TF-IDF of jieba words and bigrams, first/last-character marks, character 1-3-grams)
  seen in at least two titles; and, on a second ``TitleFeatures`` that keeps every feature (naive-Bayes models
  make use of the rare ones, where they only add noise to the SVM), a :class:`CalibratedNBSVM` (binarized features
  scaled by naive-Bayes log-count ratios) and a :class:`CalibratedComplementNB`. A headline is ~20 characters,
  every feature is rare, and the three models weigh rare features differently, so they err on different titles.
  5-fold cross-validation on the 10,000 THUCNews titles (seed 0; hmm-off jieba): previous single TF-IDF SVM
  86.0 %, SVM on ``TitleFeatures`` 86.4 %, NB-SVM 86.5 %, complement NB 85.0 %; SVM + NB-SVM 87.2 %, all three
  87.5 % (both SVMs on one shared ``min_df=2`` vocabulary: 86.7 %). A TextCNN and a fastText-style model (torch;
  with or without word2vec vectors trained on the unlabeled shared text) scored 77-83 % and added nothing to the
  vote; word-vector cluster features added 0.3 points, too little for a pretraining step and a gensim dependency.
  The vote is wrapped in a one-step ``Pipeline`` so that every topic model is a ``Pipeline`` (``zhnews eval
  topic`` and the stage load it as one).
- ``"fulltext"``: :class:`TextFeatures` of word unigrams with stop words removed, and one SVM. A full article is
  ~1,000 characters, where words are enough: in 5-fold CV on cnews, adding character bigrams scored 97.72 %
  against 97.57 % without (one article in 701) but doubled the cost of predicting inside a run, where the
  words come free from the segment stage.

``min_df`` and ``max_features`` keep the shipped models small (vocabularies and weights dominate their size).
"""

from __future__ import annotations

from sklearn.ensemble import VotingClassifier
from sklearn.pipeline import Pipeline

from pipeline.classifiers.linear import CalibratedLinearSVC
from pipeline.classifiers.nbsvm import CalibratedComplementNB, CalibratedNBSVM
from pipeline.classifiers.topic_features import TitleFeatures
from pipeline.textfeatures import TextFeatures

PRESETS: tuple[str, ...] = ("title", "fulltext")

TITLE_C = 0.5  # the TF-IDF SVM's C in the title vote (C sweeps 0.3-1.0 moved CV accuracy by < 0.3 points)
TITLE_NBSVM_C = 0.05  # NB-scaled features are large: a small C (0.02-0.2 within 0.3 points in CV)
TITLE_NBSVM_ALPHA = 0.5  # count smoothing of the NB ratios (1.0: 0.2 points lower in CV)
TITLE_CNB_ALPHA = 0.1  # complement NB smoothing (0.3: within 0.1 points in the vote)


def make_topic_classifier(preset: str = "title", *, C: float | None = None, random_state: int = 0) -> Pipeline:
    """A fresh, unfitted topic pipeline for ``preset`` (``"title"`` or ``"fulltext"``).

    ``C`` overrides the (TF-IDF) SVM's regularisation; the title preset's NB-SVM keeps its own.
    """
    if preset == "title":
        svm = Pipeline(
            [
                ("features", TitleFeatures(min_df=2, max_features=200_000)),
                ("clf", CalibratedLinearSVC(C=C if C is not None else TITLE_C, random_state=random_state)),
            ]
        )
        bayes = VotingClassifier(
            [
                ("nbsvm", CalibratedNBSVM(C=TITLE_NBSVM_C, alpha=TITLE_NBSVM_ALPHA, random_state=random_state)),
                ("cnb", CalibratedComplementNB(alpha=TITLE_CNB_ALPHA, random_state=random_state)),
            ],
            voting="soft",
        )
        nb = Pipeline([("features", TitleFeatures(min_df=1, max_features=400_000)), ("clf", bayes)])
        # weights 1:2 over (svm, the two-model nb vote): each of the three models gets a third of the vote
        vote = VotingClassifier([("svm", svm), ("nb", nb)], voting="soft", weights=[1, 2])
        return Pipeline([("vote", vote)])
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
    if "vote" in model.named_steps:
        return float(model.named_steps["vote"].estimators[0][1].named_steps["clf"].C)
    return float(model.named_steps["clf"].C)
