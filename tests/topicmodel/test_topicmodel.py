"""Topic models: NMF/LDA wrapper, NPMI coherence, corpora (raw articles and run output), save/load, stage, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from pipeline.core.article import Article
from pipeline.core.modelio import load_model, save_model
from pipeline.core.registry import create_stage
from pipeline.errors import ConfigError, ModelError
from pipeline.topicmodel import TopicModel, npmi_coherence
from pipeline.topicmodel.corpus import read_corpus

SPORTS = ["球队", "比赛", "进球", "冠军", "球员", "教练", "联赛", "主场"]
ECONOMY = ["央行", "利率", "股市", "通胀", "银行", "贷款", "经济", "投资"]
CULTURE = ["电影", "导演", "票房", "演员", "首映", "观众", "影片", "奖项"]


def synthetic_docs(n_per_topic: int = 20, seed: int = 0) -> list[list[str]]:
    """Token lists drawn from three disjoint vocabularies (plus stop words the model must ignore)."""
    rng = np.random.default_rng(seed)
    docs: list[list[str]] = []
    for vocab in (SPORTS, ECONOMY, CULTURE):
        for _ in range(n_per_topic):
            docs.append([*rng.choice(vocab, size=12).tolist(), "的", "了", "，", "2024"])
    return docs


@pytest.fixture(scope="module")
def docs() -> list[list[str]]:
    return synthetic_docs()


@pytest.mark.parametrize("method", ["nmf", "lda"])
def test_recovers_three_separate_topics(docs: list[list[str]], method: str) -> None:
    model = TopicModel(3, method=method, min_df=1, max_df=1.0, n_coherence_terms=5, random_state=0).fit(docs)
    tops = [set(terms) for terms in model.top_topic_terms(5)]
    for vocab in (SPORTS, ECONOMY, CULTURE):
        assert any(top <= set(vocab) for top in tops), (vocab, tops)
    assert "的" not in model.vectorizer_.vocabulary_ and "2024" not in model.vectorizer_.vocabulary_
    mixtures = model.transform(docs)
    assert np.allclose(mixtures.sum(axis=1), 1.0)
    assert (mixtures.argmax(axis=1)[:20] == mixtures.argmax(axis=1)[0]).all()
    assert model.coherence_.mean() > 0.5  # top terms of a topic always co-occur


def test_same_seed_same_topics_and_mixtures(docs: list[list[str]]) -> None:
    a = TopicModel(3, method="lda", min_df=1, random_state=7).fit(docs)
    b = TopicModel(3, method="lda", min_df=1, random_state=7).fit(docs)
    assert a.top_topic_terms(8) == b.top_topic_terms(8)
    assert np.array_equal(a.transform(docs), b.transform(docs))


def test_document_without_known_terms_has_an_all_zero_mixture(docs: list[list[str]]) -> None:
    model = TopicModel(3, min_df=1).fit(docs)
    assert model.transform([["火星", "的"]]).tolist() == [[0.0, 0.0, 0.0]]
    assert model.top_doc_topics(model.transform([["火星"]]))[0] == []


def test_npmi_extremes() -> None:
    # term 0 and 1 always together, term 2 never with them, term 3 everywhere
    dtm = sp.csr_matrix(np.array([[1, 1, 0, 1], [1, 1, 0, 1], [0, 0, 1, 1], [0, 0, 1, 1]]))
    assert npmi_coherence(dtm, [[0, 1]])[0] == pytest.approx(1.0)
    assert npmi_coherence(dtm, [[0, 2]])[0] == pytest.approx(-1.0)
    assert npmi_coherence(dtm, [[0, 3]])[0] == pytest.approx(0.0, abs=1e-9)


def test_bad_parameters_are_value_errors(docs: list[list[str]]) -> None:
    with pytest.raises(ValueError, match="method"):
        TopicModel(3, method="lsa").fit(docs)
    with pytest.raises(ValueError, match="no terms"):
        TopicModel(2, min_df=5).fit([["的"], ["了"]])


def test_save_load_round_trip(docs: list[list[str]], tmp_path: Path) -> None:
    model = TopicModel(3, min_df=1).fit(docs)
    save_model(model, tmp_path / "tm", kind="topicmodel", meta={"k": 3})
    loaded = load_model(tmp_path / "tm", kind="topicmodel", expected=TopicModel).estimator
    assert np.array_equal(loaded.transform(docs), model.transform(docs))
    assert loaded.top_topic_terms(5) == model.top_topic_terms(5)
    with pytest.raises(ModelError):
        load_model(tmp_path / "tm", kind="stance")


def test_stage_adds_the_topic_mixture(docs: list[list[str]], tmp_path: Path) -> None:
    model = TopicModel(3, min_df=1).fit(docs)
    save_model(model, tmp_path / "tm", kind="topicmodel", meta={"k": 3})
    stage = create_stage("topicmodel", {"model": str(tmp_path / "tm"), "top": 2, "terms": 4})
    article = Article(id="s", path="s.md", text="球队在主场比赛中进球，夺得联赛冠军。", title="球员")
    for name in ("normalize", "segment"):
        article = create_stage(name)(article)
    topics = stage(article).to_record()["topics"]
    assert topics["k"] == 3 and len(topics["mixture"]) == 3
    assert sum(topics["mixture"]) == pytest.approx(1.0, abs=1e-3)
    best = topics["top"][0]
    assert set(best["terms"]) <= set(SPORTS) and len(best["terms"]) == 4
    with pytest.raises(ConfigError, match="required"):
        create_stage("topicmodel", {})


def test_corpus_from_raw_articles_and_from_run_output(repo_dir: Path, tmp_path: Path) -> None:
    raw = read_corpus([repo_dir / "corpora" / "sample"])
    assert len(raw.docs) >= 10
    assert all(doc.tokens for doc in raw.docs)
    records = tmp_path / "records.jsonl"
    with records.open("w", encoding="utf-8") as f:
        for doc in raw.docs[:3]:
            tokens = [{"text": t, "start": 0, "end": 0, "pos": "n", "norm": t} for t in doc.tokens]
            f.write(json.dumps({"id": doc.id, "title": None, "tokens": tokens}, ensure_ascii=False) + "\n")
        f.write(json.dumps({"id": None, "path": "x", "error": "broken", "stage": "ingest"}) + "\n")
    from_run = read_corpus([records])
    assert [d.tokens for d in from_run.docs] == [d.tokens for d in raw.docs[:3]]
    assert len(from_run.skipped) == 1


def test_cli_fit_sweep_and_show_on_the_sample_corpus(
    repo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import main

    sample = str(repo_dir / "corpora" / "sample")
    assert main(["topics", "fit", sample, "--k", "2,3", "--seed", "1", "--out", str(tmp_path / "sweep")]) == 0
    out = capsys.readouterr().out
    assert "mean NPMI" in out and "most coherent" in out
    assert (tmp_path / "sweep" / "k2" / "model.skops").is_file() and (tmp_path / "sweep" / "k3").is_dir()
    assert main(["topics", "fit", sample, "--k", "3", "--method", "lda", "--out", str(tmp_path / "one")]) == 0
    assert "topic  0" in capsys.readouterr().out
    assert main(["topics", "show", str(tmp_path / "one")]) == 0
    assert main(["topics", "fit", str(tmp_path / "nothing-here")]) == 1


def test_raw_articles_and_their_run_output_give_the_same_tokens(repo_dir: Path, tmp_path: Path) -> None:
    """Raw articles go through the run config's normalize and segment stages and are read as the topicmodel stage
    reads them (a Markdown headline once, a JSONL title before its body): the tokens of the records of a
    ``zhnews run`` with the same settings are the same, document for document."""
    from pipeline.cli import main

    sample = repo_dir / "corpora" / "sample"
    out = tmp_path / "run"
    assert main(["run", str(sample), "--out", str(out), "-q", "--set", 'run.stages=["normalize", "segment"]']) == 0
    raw = read_corpus([sample])
    from_run = read_corpus([out / "records.jsonl"])
    assert len(raw.docs) == len(from_run.docs) == 17 and not raw.skipped
    assert [d.id for d in raw.docs] == [d.id for d in from_run.docs]
    assert [d.tokens for d in raw.docs] == [d.tokens for d in from_run.docs]


def test_corpus_and_cli_fit_follow_the_run_config(repo_dir: Path, tmp_path: Path) -> None:
    from pipeline.cli import main
    from pipeline.core.config import load_config

    sample = repo_dir / "corpora" / "sample"
    hmm_on = read_corpus([sample], load_config(overrides=["stages.segment.hmm=true"]))
    default = read_corpus([sample])
    assert [d.id for d in hmm_on.docs] == [d.id for d in default.docs]
    assert [d.tokens for d in hmm_on.docs] != [d.tokens for d in default.docs]
    out = tmp_path / "tm"
    argv = ["topics", "fit", str(sample), "--k", "2", "--seed", "0", "--out", str(out)]
    assert main([*argv, "--set", "stages.segment.hmm=true"]) == 0
    fitted = load_model(out, kind="topicmodel", expected=TopicModel).estimator
    by_hand = TopicModel(2, min_df=1, max_df=0.5, random_state=0).fit(hmm_on.tokens)
    assert fitted.vectorizer_.vocabulary_ == by_hand.vectorizer_.vocabulary_
    assert fitted.top_topic_terms(5) == by_hand.top_topic_terms(5)
    assert main([*argv, "--set", "stages.normalize.opencc=t2x"]) == 1
    assert main([*argv, "--set", 'run.stages=["normalize"]']) == 1


@pytest.mark.shared
def test_fits_the_shared_news_corpus(shared_dir: Path) -> None:
    corpus = read_corpus([shared_dir / "data" / "gnews_ourhimalayas"], limit=60)
    assert len(corpus.docs) == 60
    model = TopicModel(5, random_state=0).fit(corpus.tokens)
    assert len(model.top_topic_terms(10)) == 5
    assert np.isfinite(model.coherence_).all()
