"""Shared text features: script-independent, reuse of the run's own segmentation, sklearn conventions, cue lexicon."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from pipeline.classify.cues import CUE_NAMES, cue_counts
from pipeline.classify.textfeatures import AnalyzedText, TextFeatures, analyze_article, analyze_text, truncated
from pipeline.core.article import Article
from pipeline.core.registry import create_stage
from pipeline.errors import ConfigError
from pipeline.ingest import read_source
from pipeline.ingest.readers import read_jsonl_text
from pipeline.text.stopwords import FUNCTION_WORDS, is_content_token

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpora" / "sample"

SIMPLIFIED = ["国务院发布新的经济政策，股市大涨", "湖人队在主场击败了马刺队", "这部电影的票房创下新纪录"]
TRADITIONAL = ["國務院發布新的經濟政策，股市大漲", "湖人隊在主場擊敗了馬刺隊", "這部電影的票房創下新紀錄"]


def test_traditional_and_simplified_text_get_the_same_features() -> None:
    features = TextFeatures().fit(SIMPLIFIED)
    assert (features.transform(SIMPLIFIED) != features.transform(TRADITIONAL)).nnz == 0


def test_full_width_digits_and_letters_match_half_width() -> None:
    features = TextFeatures(word_ngram_range=None).fit(["iPhone 6s 售价 4288 元"])
    wide = features.transform(["ｉＰｈｏｎｅ ６ｓ 售价 ４２８８ 元"])
    narrow = features.transform(["iPhone 6s 售价 4288 元"])
    assert (wide != narrow).nnz == 0


def analyzed(article: Article) -> Article:
    """The article through normalize and segment with the default config's settings (hmm = false)."""
    article = create_stage("normalize", {"opencc": "t2s"})(article)
    return create_stage("segment", {"hmm": False})(article)


def read_jsonl_rows(rows: list[dict[str, str]]) -> list[Article]:
    """Articles of JSONL input lines, read as ``zhnews run`` reads a .jsonl file."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    items = read_jsonl_text(text, path="briefs.jsonl", stem="briefs")
    assert all(isinstance(i, Article) for i in items)
    return items  # type: ignore[return-value]


def test_analyze_article_reuses_the_segment_stage_norms() -> None:
    article = analyzed(Article(id="x", path="x.txt", text="微軟公司發布了新的作業系統。", title="科技新聞"))
    body = analyze_article(article, "text")
    assert body.norm_text == article.norm_text
    assert body.tokens == tuple(t.norm for t in article.tokens or () if not t.norm.isspace())
    assert body.tokens == analyze_text(article.text).tokens
    title = analyze_text("科技新聞").tokens
    both = analyze_article(article, "title+text")
    assert both.tokens[: len(title)] == title
    assert analyze_article(article, "title").tokens == title


def test_title_field_without_a_title_falls_back_to_the_body() -> None:
    article = analyzed(Article(id="y", path="y.txt", text="今天股市大涨"))
    assert analyze_article(article, "title") == analyze_text("今天股市大涨")


def test_features_of_an_article_need_the_normalize_and_segment_stages() -> None:
    with pytest.raises(ConfigError, match="normalize and segment"):
        analyze_article(Article(id="z", path="z.txt", text="今天股市大涨"), "text")


def test_a_headline_that_starts_the_text_counts_once() -> None:
    """Changed on purpose: a Markdown headline is part of the text; title+text used to count its tokens twice."""
    (article,) = read_source(SAMPLE / "02_pboc_rate_cut.md")
    assert isinstance(article, Article) and article.title
    article = analyzed(article)
    assert article.title_in_text
    title = article.title_tokens
    assert title and title == analyze_text(article.title).tokens
    both = analyze_article(article, "title+text")
    assert both.tokens[: 2 * len(title)] != title + title
    assert both.tokens[: len(title)] == title
    assert both == analyze_article(article, "text")
    assert both.tokens == tuple(t.norm for t in article.tokens or () if not t.norm.isspace())
    assert both.tokens.count(title[0]) == analyze_article(article, "text").tokens.count(title[0])


def test_a_title_kept_apart_from_its_text_comes_first() -> None:
    """A JSONL article: the title is not in the text, so title+text is the title's tokens, then the body's."""
    row = {"id": "rba", "title": "澳洲联储维持利率不变", "text": "澳大利亚储备银行宣布维持现金利率不变。"}
    (article,) = read_jsonl_rows([row])
    article = analyzed(article)
    assert not article.title_in_text
    both = analyze_article(article, "title+text")
    title, body = analyze_text(row["title"]).tokens, analyze_text(row["text"]).tokens
    assert both.tokens == title + body
    assert both.norm_text == f"{article.norm_title}\n{article.norm_text}"
    assert analyze_article(article, "text").tokens == body
    assert analyze_article(article, "title").tokens == title


def test_analyzed_and_raw_inputs_give_the_same_matrix() -> None:
    features = TextFeatures(cues=True).fit(SIMPLIFIED)
    analysed = [analyze_text(t) for t in SIMPLIFIED]
    assert (features.transform(analysed) != features.transform(SIMPLIFIED)).nnz == 0


def test_views_can_be_switched_off_and_named() -> None:
    words_only = TextFeatures(char_ngram_range=None).fit(SIMPLIFIED)
    names = words_only.get_feature_names_out()
    assert len(names) == words_only.n_features_out_ == words_only.transform(SIMPLIFIED).shape[1]
    assert all(n.startswith("w:") for n in names)
    with pytest.raises(ValueError, match="every view is off"):
        TextFeatures(word_ngram_range=None, char_ngram_range=None).fit(SIMPLIFIED)


def test_stop_words_leave_the_word_vocabulary() -> None:
    kept = TextFeatures(char_ngram_range=None, word_ngram_range=(1, 1)).fit(SIMPLIFIED)
    dropped = TextFeatures(char_ngram_range=None, word_ngram_range=(1, 1), stop_words=True).fit(SIMPLIFIED)
    assert "w:的" in set(kept.get_feature_names_out())
    assert "w:的" not in set(dropped.get_feature_names_out())


def test_params_are_stored_unchanged_for_clone_and_grid_search() -> None:
    features = TextFeatures(char_ngram_range=(2, 3), min_df=2, cues=True)
    assert features.get_params()["char_ngram_range"] == (2, 3)
    copy = clone(features)
    assert copy.get_params() == features.get_params()
    assert not hasattr(copy, "n_features_out_")


def test_negation_turns_a_positive_cue_into_a_negated_one() -> None:
    plain = dict(zip(CUE_NAMES, cue_counts(list(analyze_text("我支持这个政策").tokens)), strict=True))
    negated = dict(zip(CUE_NAMES, cue_counts(list(analyze_text("我不支持这个政策").tokens)), strict=True))
    assert plain["positive"] > 0 and plain["negated_positive"] == 0
    assert negated["positive"] == 0 and negated["negated_positive"] > 0
    assert negated["polarity"] < 0 < plain["polarity"]


def test_content_tokens_exclude_stop_words_punctuation_and_numbers() -> None:
    assert is_content_token("经济")
    assert not any(is_content_token(t) for t in ["的", "，", "2016", "a", "  ", "记者", "https", "mp4"])
    assert "不" not in FUNCTION_WORDS  # negations carry stance


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet="的经济股市涨跌了，。ab 12國體育", min_size=1, max_size=30), min_size=1, max_size=5))
def test_any_text_transforms_to_one_finite_row_each(texts: list[str]) -> None:
    features = TextFeatures(cues=True).fit([*texts, "体育新闻"])
    matrix = features.transform(texts)
    assert matrix.shape == (len(texts), features.n_features_out_)
    assert np.isfinite(matrix.data).all()


def test_analyzed_text_is_a_plain_value() -> None:
    a = AnalyzedText("股市", ("股市",))
    assert a == AnalyzedText("股市", ("股市",))


def test_saving_packs_vocabularies_without_touching_the_live_model(tmp_path: Path) -> None:
    import skops.io as sio

    from pipeline.core.modelio import load_estimator

    features = TextFeatures(min_df=1).fit(SIMPLIFIED)
    vocabulary = dict(features.word_vectorizer_.vocabulary_)
    sio.dump(features, tmp_path / "f.skops")
    assert features.word_vectorizer_.vocabulary_ == vocabulary  # the fitted object is unchanged
    loaded = load_estimator(tmp_path / "f.skops")
    assert loaded.word_vectorizer_.vocabulary_ == vocabulary
    assert (loaded.transform(TRADITIONAL) != features.transform(TRADITIONAL)).nnz == 0


def test_truncation_keeps_the_lead_and_its_tokens() -> None:
    text = analyze_text("央行宣布降准。" * 30)
    short = truncated(text, 20)
    assert short.norm_text == text.norm_text[:20]
    assert "".join(short.tokens).startswith(short.norm_text[:14])
    assert len("".join(short.tokens)) < len("".join(text.tokens))
    assert truncated(text, None) is text and truncated(text, 10_000) is text
