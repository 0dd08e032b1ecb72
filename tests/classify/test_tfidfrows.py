"""The fast TF-IDF path must give scikit-learn's own ``transform`` output, for any text and vectorizer setting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from pipeline.classify.tfidfrows import tfidf_rows

TRAIN = [
    "国务院发布新的经济政策，股市大涨",
    "湖人队在主场击败了马刺队",
    "这部电影的票房创下新纪录",
    "股市 大涨 之后 央行 发布 新 政策",
    "iPhone SE 售价 3288 元，苹果 发布会",
]
TEXT = st.text(alphabet=st.sampled_from(list("国务院发布经济政策股市大涨湖人队电影票房 \n\tSEab，。")), max_size=60)


def _assert_same(vectorizer: TfidfVectorizer, docs: list[str]) -> None:
    expected = vectorizer.transform(docs)
    got = tfidf_rows(vectorizer, docs)
    assert got.shape == expected.shape
    assert got.dtype == np.float32
    assert np.array_equal(got.indices, expected.indices) and np.array_equal(got.indptr, expected.indptr)
    np.testing.assert_allclose(got.data, expected.data, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "options",
    [
        {"analyzer": "char", "ngram_range": (1, 4), "sublinear_tf": True},
        {"analyzer": "char", "ngram_range": (2, 2), "sublinear_tf": False, "min_df": 2},
        {"analyzer": "word", "token_pattern": r"\S+", "ngram_range": (1, 2), "sublinear_tf": True},
        {"analyzer": "word", "token_pattern": r"\S+", "stop_words": ["的", "了"], "max_features": 10},
    ],
)
@settings(max_examples=40, deadline=None)
@given(docs=st.lists(TEXT, min_size=1, max_size=4))
def test_fast_rows_equal_sklearn_transform(options: dict[str, object], docs: list[str]) -> None:
    vectorizer = TfidfVectorizer(dtype=np.float32, **options).fit(TRAIN)  # type: ignore[arg-type]
    _assert_same(vectorizer, docs)


def test_settings_it_does_not_reproduce_go_through_sklearn() -> None:
    vectorizer = TfidfVectorizer(analyzer="char", norm="l1", dtype=np.float32).fit(TRAIN)
    _assert_same(vectorizer, ["股市大涨", "没有重合"])


def test_a_refitted_vectorizer_uses_its_new_settings() -> None:
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 1), dtype=np.float32).fit(TRAIN)
    tfidf_rows(vectorizer, ["股市"])
    vectorizer.set_params(ngram_range=(2, 2), lowercase=False).fit(TRAIN)
    _assert_same(vectorizer, ["股市大涨 iPhone SE"])
