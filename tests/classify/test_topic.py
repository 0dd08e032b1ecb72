"""Topic classification: loaders, the pipeline model, save/load, the ``topic`` stage, train/eval CLI and reports."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from corpora.topic import detect_format, load_cnews, load_thucnews_titles, load_topic_data
from pipeline.classify.scores import confusion_table, plot_confusion, topic_scores
from pipeline.classify.topic import make_topic_classifier
from pipeline.core.article import Article
from pipeline.core.modelio import load_model, save_model
from pipeline.core.registry import create_stage
from pipeline.errors import DataError, ModelError

SUBJECTS = {
    "体育": (
        ["湖人", "火箭", "国足", "女排", "皇马"],
        ["主场击败对手", "客场逆转取胜", "晋级季后赛", "夺得冠军", "主帅下课"],
    ),
    "财经": (
        ["央行", "银监会", "发改委", "统计局", "商务部"],
        ["上调存款准备金率", "公布物价指数", "发布经济数据", "调控通胀", "下调贷款利率"],
    ),
    "娱乐": (
        ["周杰伦", "刘德华", "章子怡", "冯小刚", "王菲"],
        ["新片票房破亿", "演唱会门票售罄", "出席电影节", "新专辑发布", "获最佳女主角"],
    ),
}


def headlines() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for label, (who, what) in SUBJECTS.items():
        for w, v in itertools.product(who, what):
            texts.append(f"{w}{v}")
            labels.append(label)
    return texts, labels


@pytest.fixture(scope="module")
def fitted() -> Pipeline:
    texts, labels = headlines()
    return make_topic_classifier("title").fit(texts, labels)


@pytest.fixture(scope="module")
def model_dir(fitted: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("topic_model")
    save_model(fitted, out, kind="topic", meta={"classes": list(fitted.classes_), "input": "title"})
    return out


def test_model_is_a_plain_sklearn_pipeline_that_predicts_unseen_headlines(fitted: Pipeline) -> None:
    assert [name for name, _ in fitted.steps] == ["stack"]  # the title preset: a stack of three linear models
    assert fitted.predict(["火箭客场击败皇马"])[0] == "体育"
    assert fitted.predict(["央行宣布下调利率"])[0] == "财经"
    probs = fitted.predict_proba(["王菲新专辑票房"])
    assert probs.shape == (1, 3) and np.isclose(probs.sum(), 1.0)


def test_traditional_headline_gets_the_same_probabilities(fitted: Pipeline) -> None:
    assert np.allclose(fitted.predict_proba(["湖人主场擊敗對手"]), fitted.predict_proba(["湖人主场击败对手"]))


def test_grid_search_tunes_feature_parameters() -> None:
    texts, labels = headlines()
    grid = {"stack__char_ngram_range": [(1, 2), (1, 3)], "stack__meta_C": [0.01, 1.0]}
    search = GridSearchCV(make_topic_classifier("title"), grid, cv=3)
    search.fit(texts, labels)
    assert search.best_params_["stack__char_ngram_range"] in [(1, 2), (1, 3)]
    assert (
        search.best_estimator_.named_steps["stack"].views_[0].char_ngram_range
        == search.best_params_["stack__char_ngram_range"]
    )


def test_fulltext_preset_trains_on_articles() -> None:
    texts, labels = headlines()
    articles = [f"{t}。新浪讯 记者报道，{t}，引起广泛关注。" for t in texts]
    model = make_topic_classifier("fulltext").fit(articles, labels)
    assert model.predict(["章子怡出席电影节，新片票房破亿。"])[0] == "娱乐"


def test_save_load_round_trip_gives_identical_probabilities(fitted: Pipeline, model_dir: Path) -> None:
    texts, _ = headlines()
    loaded = load_model(model_dir, kind="topic", expected=Pipeline)
    assert np.array_equal(loaded.estimator.predict_proba(texts), fitted.predict_proba(texts))


def test_loading_refuses_a_tampered_model_file(model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "meta.json").write_text((model_dir / "meta.json").read_text(encoding="utf-8"), encoding="utf-8")
    (broken / "model.skops").write_bytes((model_dir / "model.skops").read_bytes()[:500])
    with pytest.raises(ModelError):
        load_model(broken, kind="topic")


def test_stage_adds_label_and_probabilities(model_dir: Path) -> None:
    stage = create_stage("topic", {"model": str(model_dir)})
    assert stage.field == "title"  # a headline model reads the title
    article = Article(id="t", path="t.md", text="比赛在昨晚进行。", title="湖人主场击败对手晋级季后赛")
    for name in ("normalize", "segment"):
        article = create_stage(name)(article)
    record = stage(article).to_record()
    assert record["topic"]["label"] == "体育"
    assert set(record["topic"]["probs"]) == set(SUBJECTS)
    assert sum(record["topic"]["probs"].values()) == pytest.approx(1.0, abs=1e-3)


def test_stage_field_option_is_checked(model_dir: Path) -> None:
    from pipeline.errors import ConfigError

    assert create_stage("topic", {"model": str(model_dir), "field": "text"}).field == "text"
    with pytest.raises(ConfigError):
        create_stage("topic", {"model": str(model_dir), "field": "body"})
    with pytest.raises(ModelError):
        create_stage("topic", {"model": str(model_dir.parent / "nowhere")})


def write_titles(folder: Path) -> Path:
    folder.mkdir()
    names = {"体育": "sports", "财经": "finance", "娱乐": "entertainment"}
    (folder / "class.txt").write_text("\n".join(names.values()) + "\n", encoding="utf-8")
    texts, labels = headlines()
    ids = {lab: i for i, lab in enumerate(names)}
    (folder / "dev.txt").write_text(
        "".join(f"{t}\t{ids[lab]}\n" for t, lab in zip(texts, labels, strict=True)), encoding="utf-8"
    )
    return folder


def test_loaders_detect_formats_and_map_labels_to_chinese(tmp_path: Path) -> None:
    folder = write_titles(tmp_path / "titles")
    assert detect_format(folder) == "thucnews_titles"
    data = load_thucnews_titles(folder)
    assert set(data.labels) == {"体育", "财经", "娱乐"} and data.kind == "title"
    cnews = tmp_path / "cnews.train.txt"
    cnews.write_text("体育\t湖人1消息比赢球开心10倍新浪体育讯北京时间\n财经\t央行上调准备金率\n", encoding="utf-8")
    assert detect_format(cnews) == "cnews" and load_cnews(cnews).kind == "fulltext"
    bad = tmp_path / "bad.txt"
    bad.write_text("just a line\n", encoding="utf-8")
    with pytest.raises(DataError):
        load_topic_data(bad)


def test_scores_table_and_png(tmp_path: Path) -> None:
    gold = ["体育", "体育", "财经", "娱乐"]
    pred = ["体育", "财经", "财经", "娱乐"]
    scores = topic_scores(gold, pred, ["体育", "财经", "娱乐"])
    assert scores["accuracy"] == 0.75
    assert scores["confusion"] == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert "| 体育 | 1 | 1 | 0 |" in confusion_table(scores["confusion"], ["体育", "财经", "娱乐"])
    png = plot_confusion(scores["confusion"], ["体育", "财经", "娱乐"], tmp_path / "cm.png", "test")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_train_and_eval_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    folder = write_titles(tmp_path / "titles")
    out = tmp_path / "model"
    assert main(["train", "topic", str(folder), "--out", str(out), "--folds", "3", "--quiet"]) == 0
    assert "accuracy" in capsys.readouterr().out
    assert (out / "confusion_cv.png").is_file()
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "zhnews train topic" in card and "| gold \\ predicted |" in card
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["input"] == "title" and meta["cv"]["folds"] == 3
    assert main(["eval", "topic", str(folder), "--model", str(out), "--report", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "confusion.png").is_file()


@pytest.mark.shared
def test_titles_and_cnews_loaders_on_shared_data(shared_dir: Path) -> None:
    titles = load_topic_data(shared_dir / "data" / "thucnews_titles")
    assert len(titles.examples) == 10_000 and len(set(titles.labels)) == 10
    assert titles.label_counts()["体育"] == 1000
    cnews = load_topic_data(shared_dir / "data" / "cnews_thucnews_subset")
    assert cnews.format == "cnews" and len(cnews.examples) == 701
    tnews = load_topic_data(shared_dir / "data" / "tnews_toutiao_fewclue")
    assert len(set(tnews.labels)) == 15 and "电竞" in tnews.labels


@pytest.mark.shared
def test_small_titles_model_on_shared_data(shared_dir: Path) -> None:
    data = load_topic_data(shared_dir / "data" / "thucnews_titles")
    sample = data.examples[::40]  # 250 titles
    model = make_topic_classifier("title").fit([e.text for e in sample], [e.label for e in sample])
    assert set(model.classes_) == set(data.labels)


@pytest.mark.parametrize("name", ["titles", "fulltext"])
def test_shipped_models_load(repo_dir: Path, name: str) -> None:
    path = repo_dir / "models" / "topic" / name
    if not (path / "model.skops").is_file():
        pytest.skip(f"shipped topic model {name} not built")
    loaded = load_model(path, kind="topic", expected=Pipeline)
    assert len(loaded.estimator.classes_) == 10
    assert (path / "MODEL_CARD.md").is_file()
