"""Exported predictors (``predictor.npz``): the estimators' own probabilities, bit for bit, without scikit-learn.

Small models are trained here on real Chinese posts and headlines, saved with ``save_model`` (which exports
them), and the export is compared with the estimator on texts it never saw; the analyzers and the sparse
arithmetic are compared with scikit-learn's and SciPy's on arbitrary input.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from pipeline.classify.frozen import StancePredictor, TopicPredictor, export_predictor, load_predictor
from pipeline.classify.ngrams import analyzer_settings
from pipeline.classify.stance import StanceClassifier
from pipeline.classify.stance_sentiment import SentimentFeatures, StanceFeatures
from pipeline.classify.textfeatures import TextFeatures, analyze_text
from pipeline.classify.tfidfarrays import CsrArrays, dense_rows, hstack_rows, linear_scores
from pipeline.classify.topic import make_topic_classifier
from pipeline.core.modelio import PREDICTOR_FILE, cached_predictor, save_model
from pipeline.errors import ModelError
from tests.classify.test_stance import make_posts
from tests.classify.test_topic import headlines

UNSEEN_POSTS = [
    "过年放鞭炮才热闹，支持！",
    "反对开放二胎，养不起",
    "春節放鞭炮污染空氣，反對",  # traditional script
    "今天天气不错",
    "iPhone SE 小屏手机真香",
    "",
]
UNSEEN_ARTICLES = [
    "章子怡出席电影节，新片票房破亿。记者报道，影迷排起长队。",
    "央行下调贷款利率，统计局公布物价指数，股市应声上涨。",
    "湖人主场击败对手，晋级季后赛。",
    "國足客場逆轉取勝",
    "没有一个认识的词",
]


@pytest.fixture(scope="module")
def stance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    X, y = make_posts()
    features = StanceFeatures(
        TextFeatures(cues=True, word_weight=0.7, cue_weight=0.5),
        SentimentFeatures(weight=0.3, lexicon_weight=0.5, sentences_per_class=200),
    )
    model = StanceClassifier(features, none_scale=0.8, mention_terms={"开放二胎": ["二胎"]}).fit(X, y)
    out = tmp_path_factory.mktemp("stance")
    save_model(model, out, kind="stance")
    return out


@pytest.fixture(scope="module")
def topic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    texts, labels = headlines()
    articles = [f"{t}。新浪讯 记者报道，{t}，引起广泛关注。" for t in texts]
    model = make_topic_classifier("fulltext").fit(articles, labels)
    out = tmp_path_factory.mktemp("topic")
    save_model(model, out, kind="topic")
    return out


def _estimator(directory: Path, kind: str) -> object:
    from pipeline.core.modelio import load_model

    return load_model(directory, kind=kind).estimator


def test_the_exported_stance_model_gives_the_estimators_probabilities_exactly(stance_dir: Path) -> None:
    estimator = _estimator(stance_dir, "stance")
    predictor = load_predictor(stance_dir, "stance")
    assert isinstance(predictor, StancePredictor)
    pairs = [(target, text) for text in UNSEEN_POSTS for target in ("开放二胎", "春节放鞭炮")]
    expected = estimator.predict_proba(pairs)  # type: ignore[attr-defined]
    assert np.array_equal(predictor.predict_proba(pairs), expected)
    assert np.array_equal(predictor.predict_proba(pairs[3:4]), expected[3:4])
    assert list(predictor.predict(pairs)) == list(estimator.predict(pairs))  # type: ignore[attr-defined]
    assert predictor.targets_ == ["开放二胎", "春节放鞭炮"]
    assert predictor.mention_terms_ == {"开放二胎": ("二胎",)}
    assert list(predictor.classes_) == ["AGAINST", "FAVOR", "NONE"]
    with pytest.raises(ValueError, match="unknown target"):
        predictor.predict_proba([("深圳禁摩限电", "禁摩")])


def test_the_exported_topic_model_gives_the_pipelines_probabilities_exactly(topic_dir: Path) -> None:
    estimator = _estimator(topic_dir, "topic")
    predictor = load_predictor(topic_dir, "topic")
    assert isinstance(predictor, TopicPredictor)
    docs = [analyze_text(t) for t in UNSEEN_ARTICLES]
    assert np.array_equal(predictor.predict_proba(docs), estimator.predict_proba(docs))  # type: ignore[attr-defined]
    assert np.array_equal(predictor.predict_proba(UNSEEN_ARTICLES[:2]), estimator.predict_proba(UNSEEN_ARTICLES[:2]))  # type: ignore[attr-defined]
    assert list(predictor.classes_) == list(estimator.classes_)  # type: ignore[attr-defined]
    assert predictor.predict(["湖人客场逆转取胜"])[0] == "体育"


def test_a_changed_model_file_makes_the_export_stale(topic_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "topic"
    copy.mkdir()
    for f in topic_dir.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    assert load_predictor(copy, "topic") is not None
    texts, labels = headlines()
    other = make_topic_classifier("fulltext", C=0.1).fit([t + "。" + t for t in texts], labels)
    save_model(other, tmp_path / "other", kind="topic")
    (copy / "model.skops").write_bytes((tmp_path / "other" / "model.skops").read_bytes())  # copied in by hand
    assert load_predictor(copy, "topic") is None
    fallback = cached_predictor(str(copy), "topic")
    assert isinstance(fallback, Pipeline)  # the estimator itself, from the new model file


def test_models_that_cannot_be_exported_load_as_estimators_and_lose_a_stale_export(tmp_path: Path) -> None:
    texts, labels = headlines()
    title_model = make_topic_classifier("title").fit(texts, labels)  # a stacked model: not exportable
    (tmp_path / PREDICTOR_FILE).write_bytes(b"left over from an earlier model")
    save_model(title_model, tmp_path, kind="topic")
    assert not (tmp_path / PREDICTOR_FILE).exists()
    assert load_predictor(tmp_path, "topic") is None
    assert export_predictor(title_model, tmp_path, "stance") is None


def test_a_damaged_export_is_a_model_error_naming_the_file(topic_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "model.skops").write_bytes((topic_dir / "model.skops").read_bytes())
    (tmp_path / PREDICTOR_FILE).write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelError, match=PREDICTOR_FILE):
        load_predictor(tmp_path, "topic")


def test_an_export_of_another_kind_is_not_used(topic_dir: Path) -> None:
    assert load_predictor(topic_dir, "stance") is None


# ---------------------------------------------------------------- the pieces, against scikit-learn and SciPy

ALPHABET = list("国务院發布经济政策股市大涨湖人队 \n\t\u3000SEab，。的了!?_")
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=40)
VECTORIZER_OPTIONS = [
    {"analyzer": "char", "ngram_range": (1, 4)},
    {"analyzer": "char", "ngram_range": (2, 3), "lowercase": False},
    {"analyzer": "word", "token_pattern": r"\S+", "ngram_range": (1, 2)},
    {"analyzer": "word", "token_pattern": r"\S+", "ngram_range": (2, 3), "stop_words": ["的", "了"]},
    {"analyzer": "word", "ngram_range": (1, 1)},
    {"analyzer": "word", "token_pattern": r"(\w)\w", "lowercase": False},
]


@pytest.mark.parametrize("options", VECTORIZER_OPTIONS)
@settings(max_examples=60, deadline=None)
@given(doc=TEXT)
def test_our_analyzers_are_scikit_learns(options: dict[str, object], doc: str) -> None:
    vectorizer = TfidfVectorizer(**options)  # type: ignore[arg-type]
    ours = analyzer_settings(vectorizer)
    assert ours is not None
    assert ours(doc) == vectorizer.build_analyzer()(doc)


def test_settings_we_do_not_reproduce_are_refused() -> None:
    assert analyzer_settings(TfidfVectorizer(analyzer="char_wb")) is None
    assert analyzer_settings(TfidfVectorizer(strip_accents="unicode")) is None
    assert analyzer_settings(TfidfVectorizer(stop_words="english")) is None
    assert analyzer_settings(TfidfVectorizer(tokenizer=str.split)) is None


def _csr(matrix: sp.csr_matrix) -> CsrArrays:
    return CsrArrays(matrix.data, matrix.indices, matrix.indptr, matrix.shape[1])


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), rows=st.integers(1, 6), density=st.floats(0.0, 0.9))
def test_linear_scores_add_up_like_scipy(seed: int, rows: int, density: float) -> None:
    rng = np.random.default_rng(seed)
    matrix = sp.random(rows, 300, density=density, format="csr", dtype=np.float32, random_state=rng)
    matrix.sort_indices()
    weights_t = rng.standard_normal((300, 7)).astype(np.float32)
    assert np.array_equal(linear_scores(_csr(matrix), weights_t), np.asarray(matrix @ weights_t))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), rows=st.integers(1, 5))
def test_blocks_side_by_side_are_scipys_hstack(seed: int, rows: int) -> None:
    rng = np.random.default_rng(seed)
    left = sp.random(rows, 20, density=0.3, format="csr", dtype=np.float32, random_state=rng)
    dense = rng.standard_normal((rows, 4)).astype(np.float32) * (rng.random((rows, 4)) > 0.4)
    expected = sp.hstack([left, sp.csr_matrix(dense)], format="csr")
    got = hstack_rows([_csr(left), dense_rows(dense)])
    assert got.n_columns == expected.shape[1]
    assert np.array_equal(got.indptr, expected.indptr)
    assert np.array_equal(got.indices, expected.indices) and np.array_equal(got.data, expected.data)


WORKER = """
import glob, sys
from pipeline.core.config import load_config
from pipeline.core.runner import process_sources
results = process_sources(sorted(glob.glob("corpora/sample/*.md"))[:2], load_config())
assert all(r.record_lines and not r.error_lines for r in results), [r.error_lines for r in results]
print(",".join(m for m in ("sklearn", "scipy", "skops") if m in sys.modules))
"""


def test_a_run_with_the_shipped_models_never_imports_scikit_learn(repo_dir: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", WORKER], capture_output=True, text=True, check=True, cwd=repo_dir
    ).stdout.strip()
    assert out == ""
