"""The ``ner`` stage: entities on the segment Doc with offsets into the original text, any script."""

from __future__ import annotations

import itertools
import json
import pickle
from pathlib import Path

import opencc
import pytest

from pipeline.core.article import Article
from pipeline.core.registry import create_stage
from pipeline.errors import DataError, ModelError
from pipeline.ner.train import load_ner_config, train_ner
from pipeline.stages.ner import make_ner
from tests.ner_fixtures import TINY_CORPUS, tiny_overrides, write_tiny_corpus

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "models" / "ner"
ARTICLE = (
    "新华社东京电 日本外相林芳正五日在东京会见美国国务卿布林肯，双方讨论了驻日美军基地问题。"
    "路透社报道，白宫发言人表示，美国印度太平洋司令部将加强与日本自卫队的合作。\n\n"
    "联合国秘书长古特雷斯呼吁各方保持克制。"
)


def run(text: str, ner: object) -> Article:
    article = Article(id="t", path="<test>", text=text)
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    return ner(article)  # type: ignore[operator]


def check_offsets(article: Article) -> None:
    assert article.doc is not None and article.doc.text == article.text
    for ent in article.entities:
        assert article.text[ent.start : ent.end] == ent.text
        assert ent.label in {"PER", "LOC", "ORG"}
        assert ent.source in {"model", "gazetteer"}
    tokens = [(t.idx, t.idx + len(t.text)) for t in article.doc]
    assert tokens[0][0] == 0 and tokens[-1][1] == len(article.text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(tokens))


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tinyner_stage")
    corpus = write_tiny_corpus(root / "tiny.bio")
    cfg = load_ner_config(REPO / "configs" / "ner.cfg", tiny_overrides(corpus, root / "cache"))
    train_ner(cfg, root / "out", echo=lambda _: None)
    return root / "out" / "model-best"


def test_missing_model_is_a_clear_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no NER model"):
        make_ner(model=str(tmp_path / "absent"))


def test_missing_gazetteer_file_is_a_data_error(tiny_model: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="gazetteer"):
        make_ner(model=str(tiny_model), gazetteer=str(tmp_path / "none.jsonl"))


def test_stage_entities_index_the_original_text(tiny_model: Path) -> None:
    article = run(ARTICLE, make_ner(model=str(tiny_model)))
    check_offsets(article)
    assert article.entities, "the tiny model should find at least some of the names it was trained on"
    assert all(e.source == "model" for e in article.entities)


def test_traditional_article_gets_the_same_entity_offsets(tiny_model: Path) -> None:
    stage = make_ner(model=str(tiny_model))
    trad_text = opencc.OpenCC("s2t.json").convert(ARTICLE)
    assert len(trad_text) == len(ARTICLE) and trad_text != ARTICLE
    simp = run(ARTICLE, stage)
    trad = run(trad_text, stage)
    check_offsets(trad)
    assert [(e.start, e.end, e.label) for e in trad.entities] == [(e.start, e.end, e.label) for e in simp.entities]


def test_gazetteer_adds_names_after_the_model(tiny_model: Path, tmp_path: Path) -> None:
    patterns = tmp_path / "gaz.jsonl"
    patterns.write_text(json.dumps({"label": "PER", "pattern": "布林肯"}, ensure_ascii=False) + "\n", encoding="utf-8")
    article = run(ARTICLE, make_ner(model=str(tiny_model), gazetteer=str(patterns)))
    check_offsets(article)
    hits = [e for e in article.entities if e.text == "布林肯"]
    assert hits and hits[0].label == "PER"


def test_stage_pickles_for_worker_processes(tiny_model: Path) -> None:
    stage = make_ner(model=str(tiny_model))
    clone = pickle.loads(pickle.dumps(stage))
    assert clone == stage
    a = run(TINY_CORPUS[1].text, stage)
    b = run(TINY_CORPUS[1].text, clone)
    assert a.entities == b.entities


# -- the shipped model (skipped when models/ner is absent) ----------------------------------------------------
shipped = pytest.mark.skipif(not (SHIPPED / "config.cfg").is_file(), reason="models/ner not built")


@shipped
def test_shipped_model_finds_the_names_of_a_news_article() -> None:
    article = run(ARTICLE, make_ner())
    check_offsets(article)
    found = {(e.text, e.label) for e in article.entities}
    assert {("日本", "LOC"), ("林芳正", "PER"), ("东京", "LOC"), ("联合国", "ORG")} <= found
    assert any(e.text == "路透社" for e in article.entities)


@shipped
def test_shipped_model_finds_entities_inside_jieba_words() -> None:
    """中美关系 is one jieba word; the model still marks 中 and 美 as places, inside it."""
    text = "中美关系和俄乌战争成为会谈焦点。"
    article = Article(id="t", path="<test>", text=text)
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    assert article.doc is not None
    bounds_before = {t.idx for t in article.doc} | {len(text)}
    article = make_ner()(article)
    check_offsets(article)
    assert any(e.start not in bounds_before or e.end not in bounds_before for e in article.entities)


@shipped
def test_record_tokens_are_the_segment_tokens_not_the_split_doc() -> None:
    """Changed on purpose: ner may not overwrite segment's ``tokens``; the record keeps jieba's words even where
    the entity edges split the Doc's tokens (中美关系 stays one token though 中 and 美 are entities)."""
    text = "中美关系和俄乌战争成为会谈焦点。"
    article = Article(id="t", path="<test>", text=text)
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    segment_tokens = list(article.tokens or [])
    article = make_ner()(article)
    assert article.tokens == segment_tokens
    assert article.doc is not None
    split = [(t.idx, t.idx + len(t)) for t in article.doc]
    assert split != [(t.start, t.end) for t in segment_tokens]  # the Doc was split at entity edges
    record = article.to_record()
    assert [(r["start"], r["end"]) for r in record["tokens"]] == [(t.start, t.end) for t in segment_tokens]
    assert [(e["start"], e["end"]) for e in record["entities"]] == [(e.start, e.end) for e in article.entities]


@shipped
def test_shipped_model_works_on_traditional_text() -> None:
    trad = opencc.OpenCC("s2t.json").convert(ARTICLE)
    simp_ents = [(e.start, e.end, e.label) for e in run(ARTICLE, make_ner()).entities]
    article = run(trad, make_ner())
    check_offsets(article)
    trad_ents = [(e.start, e.end, e.label) for e in article.entities]
    assert trad_ents == simp_ents


@shipped
def test_shipped_model_on_the_seed_article(seed_article: Path) -> None:
    from pipeline.ingest import read_source

    (article,) = read_source(seed_article)
    assert isinstance(article, Article)
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    article = make_ner()(article)
    check_offsets(article)
    texts = {e.text for e in article.entities}
    assert {"日本", "林芳正"} <= texts
