"""Stance mention terms: what is learned, how texts are matched, and the stage's NONE for unmentioned targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.classify.mentions import candidate_terms, learn_mention_terms, mention_coverage, mentions
from pipeline.classify.stance import StanceClassifier
from pipeline.classify.textfeatures import TextFeatures
from pipeline.core.article import Article
from pipeline.core.modelio import load_model, save_model
from pipeline.core.registry import create_stage
from pipeline.errors import ConfigError

POSTS = {
    "春节放鞭炮": ["过年放鞭炮才有年味", "放鞭炮污染空气", "反对放鞭炮，太吵了", "小时候最爱放鞭炮", "放鞭炮是传统"],
    "开放二胎": ["支持开放二胎", "二胎养不起啊", "终于可以生二胎了", "二胎政策来得太晚", "不想要二胎"],
}  # fmt: skip
BACKGROUND = ["这家酒店的服务很好", "手机屏幕太小了", "今天天气不错，空气很好", "房间干净，价格实惠"] * 10


def texts_and_targets() -> tuple[list[str], list[str]]:
    texts = [p for posts in POSTS.values() for p in posts]
    targets = [t for t, posts in POSTS.items() for _ in posts]
    return texts, targets


@given(st.text(alphabet=st.sampled_from(list("鞭炮二胎放开 iPhoneSE5s,，。")), max_size=30))
def test_candidates_are_substrings_of_the_lowercased_text(text: str) -> None:
    for term in candidate_terms(text):
        assert term in text.lower()
        assert len(term) >= 2


def test_candidates_are_chinese_ngrams_and_whole_latin_words() -> None:
    terms = candidate_terms("苹果iPhone SE是5s的升级，is it?")
    assert {"苹果", "iphone", "5s"} <= terms
    assert "pho" not in terms  # Latin words are whole words only
    assert "se" not in terms and "is" not in terms  # two letters without a digit: too common
    assert "果i" not in terms  # no n-gram across a script change


def test_learns_the_term_each_target_is_named_by_and_not_general_words() -> None:
    texts, targets = texts_and_targets()
    terms = learn_mention_terms(texts, targets, BACKGROUND + ["空气污染严重"] * 10)
    assert terms["春节放鞭炮"][0] in {"放鞭炮", "鞭炮", "放鞭"}
    assert terms["开放二胎"][0] == "二胎"
    assert not any("空气" in t for t in terms["春节放鞭炮"])  # common in the background
    coverage = mention_coverage(texts, targets, terms)
    assert coverage == {"春节放鞭炮": 1.0, "开放二胎": 1.0}
    assert learn_mention_terms(list(texts), list(targets), BACKGROUND + ["空气污染严重"] * 10) == terms


def test_a_term_frequent_for_another_target_is_not_chosen() -> None:
    texts, targets = texts_and_targets()
    texts = [t + "，转发微博" for t in texts]  # in every post of both targets
    terms = learn_mention_terms(texts, targets, BACKGROUND)
    assert not any("转发" in t or "微博" in t for ts in terms.values() for t in ts)


def test_matching_is_substring_for_chinese_and_whole_word_for_latin() -> None:
    assert mentions("今年春节不许放鞭炮了", ("放鞭炮",))
    assert not mentions("今年春节很热闹", ("放鞭炮",))
    assert mentions("新款iPhone发布", ("iphone",))
    assert not mentions("iphones and iphonex", ("iphone",))
    assert mentions("任何文字", ())  # no terms: every text counts


@pytest.fixture(scope="module")
def gated_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts, targets = texts_and_targets()
    X = list(zip(targets, texts, strict=True)) * 2
    y = ["FAVOR", "AGAINST", "AGAINST", "FAVOR", "FAVOR", "FAVOR", "AGAINST", "FAVOR", "AGAINST", "AGAINST"] * 2
    model = StanceClassifier(
        TextFeatures(), none_scale=1.0, mention_terms={"春节放鞭炮": ["鞭炮"], "开放二胎": ["二胎"]}
    )
    model.fit(X, y)
    assert model.mention_terms_ == {"春节放鞭炮": ("鞭炮",), "开放二胎": ("二胎",)}
    assert list(model.mentioned([("春节放鞭炮", "放鞭炮真吵"), ("开放二胎", "放鞭炮真吵")])) == [True, False]
    out = tmp_path_factory.mktemp("gated")
    save_model(model, out, kind="stance", meta={"targets": model.targets_, "classes": list(model.classes_)})
    return out


def run_stage(options: dict[str, object], article: Article) -> list[dict[str, object]]:
    for name in ("normalize", "segment"):
        article = create_stage(name)(article)
    return create_stage("stance", options)(article).results["stance"]


def test_stage_gives_none_without_scoring_a_target_the_article_does_not_mention(gated_model_dir: Path) -> None:
    assert load_model(gated_model_dir, kind="stance").estimator.mention_terms_["开放二胎"] == ("二胎",)
    article = Article(id="a", path="a.md", text="除夕夜放鞭炮，噪音扰民。", title="鞭炮聲聲")  # traditional title
    entries = {e["target"]: e for e in run_stage({"model": str(gated_model_dir)}, article)}
    assert entries["春节放鞭炮"]["mentioned"] is True
    assert entries["开放二胎"] == {
        "target": "开放二胎",
        "label": "NONE",
        "mentioned": False,
        "probs": {"AGAINST": 0.0, "FAVOR": 0.0, "NONE": 1.0},
    }
    sports = Article(id="b", path="b.md", text="中国队三比零战胜对手，晋级决赛。", title="男足晋级")
    assert {e["label"] for e in run_stage({"model": str(gated_model_dir)}, sports)} == {"NONE"}


def test_stage_mentions_option_and_require_mention_off(gated_model_dir: Path) -> None:
    article = Article(id="c", path="c.md", text="全面两孩政策落地，家庭怎么想？")
    options: dict[str, object] = {"model": str(gated_model_dir), "targets": ["开放二胎"]}
    assert run_stage(options, article)[0]["mentioned"] is False
    with_alias = run_stage({**options, "mentions": {"开放二胎": ["两孩", "二胎"]}}, article)[0]
    assert with_alias["mentioned"] is True
    assert sum(with_alias["probs"].values()) == pytest.approx(1.0, abs=1e-3)
    assert run_stage({**options, "require_mention": False}, article)[0]["mentioned"] is True
    with pytest.raises(ConfigError, match="does not know"):
        create_stage("stance", {"model": str(gated_model_dir), "mentions": {"深圳禁摩限电": ["禁摩"]}})
    with pytest.raises(ConfigError, match="non-empty lists"):
        create_stage("stance", {"model": str(gated_model_dir), "mentions": {"开放二胎": []}})
    with pytest.raises(ConfigError, match="require_mention"):
        create_stage("stance", {"model": str(gated_model_dir), "require_mention": "yes"})


def test_auto_terms_are_learned_at_fit_and_shipped_model_names_its_targets(repo_dir: Path) -> None:
    texts, targets = texts_and_targets()
    model = StanceClassifier(TextFeatures(), none_scale=1.0, mention_terms="auto")
    model.fit(list(zip(targets, texts, strict=True)), ["FAVOR", "AGAINST"] * 5)
    assert model.mention_terms_["开放二胎"][0] == "二胎"
    assert np.all(model.mentioned(list(zip(targets, texts, strict=True))))
    shipped = load_model(repo_dir / "models" / "stance", kind="stance").estimator
    assert shipped.mentioned([("开放二胎", "全面放开二胎"), ("开放二胎", "今天的足球比赛很精彩")]).tolist() == [
        True,
        False,
    ]
