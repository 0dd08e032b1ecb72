"""The headline model's parts: ``TitleFeatures`` edge marks, NB-SVM, complement NB scores, and the title stack."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB

from pipeline.classify.nbsvm import ComplementNBScores, NBLinearSVC
from pipeline.classify.probs import softmax as _softmax
from pipeline.classify.textfeatures import AnalyzedText, analyze_text
from pipeline.classify.title_stack import StackedTitleClassifier
from pipeline.classify.topic import make_topic_classifier, svm_c
from pipeline.classify.topic_features import TitleFeatures, word_edge_string

SPORTS = ["湖人主场击败对手", "火箭客场逆转取胜", "国足晋级决赛", "女排夺得冠军", "皇马主帅下课"]
MONEY = ["央行上调存款准备金率", "统计局公布物价指数", "商务部发布经济数据", "发改委调控通胀", "银监会下调贷款利率"]


def corpus(n: int = 4) -> tuple[list[str], list[str]]:
    texts = [f"{t}{suffix}" for t in SPORTS for suffix in ["", "(图)", "！", "了"][:n]]
    texts += [f"{t}{suffix}" for t in MONEY for suffix in ["", "(组图)", "。", "啦"][:n]]
    return texts, ["体育"] * (len(texts) // 2) + ["财经"] * (len(texts) // 2)


def test_edge_marks_name_first_and_last_characters() -> None:
    terms = word_edge_string(AnalyzedText("港股收涨(图)", ("港股", "收涨", "(", "图", ")"))).split()
    assert {"^港股", "^港", "图)$", ")$"} <= set(terms)
    assert "港股|收涨" in terms
    no_edges = word_edge_string(AnalyzedText("港股收涨", ("港股", "收涨")), edges=False, bigrams=False)
    assert no_edges == "港股 收涨"


def test_title_features_read_raw_strings_like_analysed_texts() -> None:
    texts, _ = corpus()
    features = TitleFeatures(min_df=1).fit(texts)
    raw = features.transform(["湖人主場擊敗對手"]).toarray()  # traditional script, normalized to simplified
    analysed = features.transform([analyze_text("湖人主场击败对手")]).toarray()
    assert np.allclose(raw, analysed)
    assert "w:^湖人" in set(features.get_feature_names_out())


def test_nbsvm_scores_one_column_per_class_and_ignores_feature_values() -> None:
    texts, labels = corpus()
    X = TitleFeatures(min_df=1).fit_transform(texts)
    model = NBLinearSVC().fit(X, labels)
    assert model.decision_function(X).shape == (len(texts), 2)  # one-vs-rest even for two classes
    assert np.allclose(model.decision_function(X), model.decision_function(X * 3.0))  # binary presence only
    assert (model.predict(X) == np.asarray(labels)).mean() == 1.0


def test_complement_nb_scores_are_its_log_likelihoods_in_linear_form() -> None:
    texts, labels = corpus()
    X = TitleFeatures(min_df=1).fit_transform(texts)
    model = ComplementNBScores(alpha=0.1).fit(X, labels)
    reference = ComplementNB(alpha=0.1).fit(X, labels)
    assert np.allclose(model.decision_function(X), reference.predict_joint_log_proba(X), atol=1e-4)
    assert np.allclose(np.asarray(X @ model.coef_.T) + model.intercept_, model.decision_function(X), atol=1e-3)
    assert list(model.predict(X)) == list(reference.predict(X))


def test_title_preset_stacks_three_members_with_a_logistic_regression() -> None:
    texts, labels = corpus()
    model = make_topic_classifier("title", C=0.7).fit(texts, labels)
    stack = model.named_steps["stack"]
    assert isinstance(stack, StackedTitleClassifier) and isinstance(stack.meta_, LogisticRegression)
    assert svm_c(model) == 0.7
    assert svm_c(make_topic_classifier("fulltext")) == 3.0
    assert model.predict(["女排主场击败对手"])[0] == "体育"
    # the stack's input is each member's temperature-calibrated log-probabilities, side by side
    scores = stack.member_scores(texts)
    assert len(scores) == 3 and all(len(s) == len(texts) for s in scores)
    calibrated = [_softmax(s, t) for s, t in zip(scores, stack.temperatures_, strict=True)]
    features = np.hstack([np.log(np.clip(p, 1e-9, None)) for p in calibrated])
    assert np.allclose(model.predict_proba(texts), stack.meta_.predict_proba(features))
    assert np.allclose(model.predict_proba(texts).sum(axis=1), 1.0)


def test_stack_members_keep_the_fitted_models_linear_form() -> None:
    texts, labels = corpus()
    stack = StackedTitleClassifier(random_state=2).fit(texts, labels)
    nb_view = stack.views_[1].transform(texts)
    nbsvm = NBLinearSVC(C=stack.nbsvm_C, alpha=stack.nbsvm_alpha, random_state=2).fit(nb_view, labels)
    assert np.allclose(stack.member_scores(texts)[1], nbsvm.decision_function(nb_view), atol=1e-4)
    assert clone(stack).get_params() == stack.get_params()
    with pytest.raises(ValueError, match="two classes"):
        StackedTitleClassifier().fit(texts[:3], ["体育"] * 3)


def test_title_preset_is_deterministic_for_a_seed() -> None:
    texts, labels = corpus()
    first = make_topic_classifier("title", random_state=1).fit(texts, labels).predict_proba(texts)
    again = make_topic_classifier("title", random_state=1).fit(texts, labels).predict_proba(texts)
    assert np.array_equal(first, again)


def test_unknown_preset_is_refused() -> None:
    with pytest.raises(ValueError, match="preset"):
        make_topic_classifier("headline")
