"""``zhnews eval ner``, ``zhnews eval links`` and ``zhnews gazetteer build`` run end to end and print reports.

They run with a tiny NER model trained here in seconds (the shipped model's accuracy is its card's business),
through the real normalize, segment and ner stages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpora.msra import NerSentence, iter_bio_lines
from pipeline.cli import main
from pipeline.ner.train import load_ner_config, train_ner

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpora" / "sample"


def _sentence(text: str, *names: tuple[str, str]) -> NerSentence:
    spans = sorted((text.index(s), text.index(s) + len(s), label) for s, label in names)
    return NerSentence(text, tuple(spans))


TINY_CORPUS = [
    _sentence(
        "日本外相林芳正在东京会见美国国务卿。", ("日本", "LOC"), ("林芳正", "PER"), ("东京", "LOC"), ("美国", "LOC")
    ),
    _sentence("路透社报道，白宫发言人表示将继续谈判。", ("路透社", "ORG"), ("白宫", "ORG")),
    _sentence(
        "北约峰会在华盛顿举行，乌克兰总统泽连斯基出席。",
        ("北约", "ORG"),
        ("华盛顿", "LOC"),
        ("乌克兰", "LOC"),
        ("泽连斯基", "PER"),
    ),
    _sentence("中国外交部发言人在北京表示反对。", ("中国外交部", "ORG"), ("北京", "LOC")),
    _sentence("台积电在日本熊本县建厂。", ("台积电", "ORG"), ("日本", "LOC"), ("熊本县", "LOC")),
    _sentence("今天天气很好，我们去公园散步。"),
]


TRAIN_CONFIG = REPO / "configs" / "ner.cfg"
DEV_FRACTION = 0.25
DEV_OVERRIDES = {"corpora.dev_fraction": DEV_FRACTION, "corpora.split": "random"}


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("tinyner_corpus") / "tiny.bio"
    corpus.write_text("\n".join(iter_bio_lines(TINY_CORPUS * 4)) + "\n", encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory, tiny_corpus: Path) -> Path:
    """A real model of the shipped architecture, trained for seconds on a few sentences."""
    root = tmp_path_factory.mktemp("tinyner_eval")
    overrides = {
        "paths.train": str(tiny_corpus),
        "paths.cache": str(root / "cache"),
        "corpora.dev_fraction": DEV_FRACTION,
        "corpora.split": "random",
        "corpora.extra_train": [],
        "paths.vectors": "",
        "training.max_epochs": 4,
        "training.batch_size": 4,
        "training.lr": 0.01,
        "training.min_char_count": 1,
        "training.min_bigram_count": 1,
        "components.ner.net.hidden": 16,
        "components.ner.net.char_dim": 16,
        "components.ner.net.bigram_dim": 8,
    }
    train_ner(load_ner_config(TRAIN_CONFIG, overrides), root / "out", echo=lambda _: None)
    return root / "out" / "model-best"


@pytest.fixture(scope="module")
def gold_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gold") / "gold.bio"
    path.write_text("\n".join(iter_bio_lines(TINY_CORPUS)) + "\n", encoding="utf-8")
    return path


def test_eval_ner_prints_a_table_per_type(
    tiny_model: Path, gold_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", "ner", str(gold_file), "--model", str(tiny_model)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].split() == ["type", "P", "R", "F1", "gold", "pred", "correct"]
    gold_rows = {line.split()[0]: int(line.split()[4]) for line in lines[2:6]}
    per_type = {"PER": 0, "LOC": 0, "ORG": 0}
    for sent in TINY_CORPUS:
        for _, _, label in sent.spans:
            per_type[label] += 1
    assert {k: gold_rows[k] for k in per_type} == per_type
    assert gold_rows["micro"] == sum(per_type.values())
    assert "chars/s" in out and f"{len(TINY_CORPUS)} sentences" in out


def test_eval_ner_json_and_label_map(tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    weibo = tmp_path / "weibo.conll"
    weibo.write_text(
        "林0\tB-PER.NAM\n芳1\tI-PER.NAM\n正2\tI-PER.NAM\n说0\tO\n\n老0\tB-PER.NOM\n师1\tI-PER.NOM\n", "utf-8"
    )
    argv = ["eval", "ner", str(weibo), "--model", str(tiny_model), "--json"]
    assert main([*argv, "--map", "PER.NAM=PER", "--map", "PER.NOM="]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sentences"] == 2 and report["chars"] == 6
    assert report["micro"]["n_gold"] == 1 and "PER" in report["per_type"]
    assert set(report["stage_seconds"]) == {"normalize", "segment", "ner"}


def test_eval_links_prints_the_report_and_writes_the_worklist(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "links"
    argv = ["eval", "links", str(SAMPLE), "--model", str(tiny_model), "--limit", "4", "--out", str(out_dir)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "articles: 4" in out
    for heading in ("Scores", "How noisy the links are", "Disagreements", "links to non-entities"):
        assert heading in out
    items = [json.loads(line) for line in (out_dir / "worklist.jsonl").read_text("utf-8").splitlines()]
    assert items and {"kind", "article", "start", "end", "surface", "reason", "action"} <= set(items[0])
    assert "| kind | at | context |" in (out_dir / "worklist.md").read_text("utf-8")
    report = json.loads((out_dir / "report.json").read_text("utf-8"))
    assert sum(report["disagreements"].values()) == len(items)
    assert report["totals"]["links"] == report["totals"]["entity_links"] + report["totals"]["non_entity_links"] > 0


def test_gazetteer_build_then_use_it_in_the_ner_stage(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patterns = tmp_path / "gaz.jsonl"
    typed = tmp_path / "typed.tsv"
    typed.write_text("北約\tORG\n", encoding="utf-8")
    argv = ["gazetteer", "build", str(SAMPLE), "--model", str(tiny_model), "--limit", "4"]
    assert main([*argv, "--out", str(patterns), "--types", str(typed)]) == 0
    assert "patterns" in capsys.readouterr().out
    rows = [json.loads(line) for line in patterns.read_text("utf-8").splitlines()]
    assert {"label": "ORG", "pattern": "北约"}.items() <= next(r for r in rows if r["id"] == "北约").items()
    assert all(r["label"] and r["pattern"] for r in rows)
    config = tmp_path / "run.toml"
    config.write_text(
        '[run]\nstages = ["normalize", "segment", "ner", "linkcheck"]\n'
        f'[stages.ner]\nmodel = "{tiny_model}"\ngazetteer = "{patterns}"\n',
        encoding="utf-8",
    )
    assert main(["eval", "links", str(SAMPLE / "04_nato_washington_summit.md"), "--config", str(config), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["entities_by_source"].get("gazetteer", 0) > 0


def test_gazetteer_build_from_run_records_needs_no_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "路透社报道，东京和路透社。"
    record = {
        "id": "r",
        "text": text,
        "links": [{"start": 0, "end": 3, "surface": "路透社", "target": "路透社"}],
        "entities": [{"text": "路透社", "start": 0, "end": 3, "label": "ORG", "source": "model"}],
    }
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "gaz.jsonl"
    assert main(["gazetteer", "build", str(records), "--out", str(out), "--model", str(tmp_path / "absent")]) == 0
    assert "1 articles, 1 links, 1 distinct targets -> 1 patterns (ORG 1)" in capsys.readouterr().out
    [row] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert (row["pattern"], row["label"], row["votes"]) == ("路透社", "ORG", {"ORG": 1})


def test_eval_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "ner", str(tmp_path / "absent.bio"), "--ner-stage", "segment"]) == 1
    assert main(["eval", "links", str(SAMPLE), "--ner-stage", "no_such_stage"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("zhnews: error:") for line in err)
    assert "absent.bio" in err[0] and "no_such_stage" in err[1]


# -- eval ner-dev: a saved model on its training config's dev split, through the run config's stages -----------


def dev_argv(model: Path, corpus: Path, *extra: str) -> list[str]:
    """``zhnews eval ner-dev`` with the training config's corpus overridden spaCy-style, as ``train ner`` was."""
    overrides = ["--paths.train", str(corpus), "--corpora.dev_fraction", str(DEV_FRACTION), "--corpora.split", "random"]
    return ["eval", "ner-dev", str(model), "--train-config", str(TRAIN_CONFIG), *extra, *overrides]


def test_eval_ner_dev_scores_the_dev_split_simplified_and_traditional(
    tiny_model: Path, tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.ner.data import train_dev_split

    out = tmp_path / "dev.json"
    assert main(dev_argv(tiny_model, tiny_corpus, "--traditional", "--json", str(out))) == 0
    printed = capsys.readouterr().out
    assert "== simplified" in printed and "== traditional" in printed and "micro" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["model"] == str(tiny_model)
    cfg = load_ner_config(TRAIN_CONFIG, DEV_OVERRIDES | {"paths.train": str(tiny_corpus)})
    _, dev = train_dev_split(cfg)  # the sentences `zhnews train ner` held out
    for name in ("simplified", "traditional"):
        scores = report[name]
        assert scores["sentences"] == len(dev) and scores["chars"] == sum(len(s.text) for s in dev)
        assert scores["micro"]["n_gold"] == sum(len(s.spans) for s in dev)
        assert set(scores["stage_seconds"]) == {"normalize", "segment", "ner"}  # the run config's stages, to ner
    assert report["simplified"]["micro"]["f1"] > 0


def test_eval_ner_dev_takes_run_options_with_set(
    tiny_model: Path, tiny_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--set reaches the run config's stages (the old --no-hmm flag is --set stages.segment.hmm=false now)."""
    from pipeline.core.config import load_config
    from pipeline.eval.runs import evaluate_ner_dev

    cfg = load_ner_config(TRAIN_CONFIG, DEV_OVERRIDES | {"paths.train": str(tiny_corpus)})
    reports = {}
    for hmm in ("true", "false"):
        assert main(dev_argv(tiny_model, tiny_corpus, "--set", f"stages.segment.hmm={hmm}")) == 0
        reports[hmm] = capsys.readouterr().out
        expected = evaluate_ner_dev(str(tiny_model), cfg, load_config(overrides=[f"stages.segment.hmm={hmm}"]))
        micro = expected["simplified"].scores.micro
        assert f"{100 * micro.f1:6.2f}" in reports[hmm].split("micro", 1)[1].splitlines()[0]
    assert main(dev_argv(tiny_model, tiny_corpus, "--set", "stages.segment.hmm=maybe")) == 1
    assert "hmm" in capsys.readouterr().err


def test_eval_ner_dev_refuses_the_removed_no_hmm_flag_in_one_line(
    tiny_model: Path, tiny_corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(dev_argv(tiny_model, tiny_corpus, "--no-hmm"))
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--no-hmm" in err


def test_eval_ner_dev_scores_the_dev_split_as_articles_too(
    tiny_model: Path, tiny_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--articles N: the same gold entities, N sentences to an article (where the document rule can act)."""
    out = tmp_path / "dev.json"
    assert main(dev_argv(tiny_model, tiny_corpus, "--articles", "5", "--json", str(out))) == 0
    assert "== simplified as articles of 5" in capsys.readouterr().out
    report = json.loads(out.read_text(encoding="utf-8"))
    sentences, articles = report["simplified"], report["simplified as articles of 5"]
    assert articles["sentences"] == -(-sentences["sentences"] // 5)  # one "sentence" per article
    assert articles["micro"]["n_gold"] == sentences["micro"]["n_gold"]
