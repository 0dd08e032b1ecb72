"""Batches: stages get ``run.batch_size`` articles per ``pipe`` call, which changes speed and never the records.

The same inputs give byte-identical output whatever the batch size and the number of workers, and an article a
batch stage raises on fails alone: the runner reruns that batch article by article.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import main
from pipeline.core.config import config_from_dict, load_config
from pipeline.core.runner import process_source, process_sources, run_articles, task_groups
from pipeline.ingest.readers import Chunk

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpora" / "sample"
STAGES_FILE = str(Path(__file__).resolve().parents[1] / "runner_stages.py")
MODELS = [REPO / "models" / "ner" / "config.cfg", REPO / "models" / "stance" / "meta.json"]

# several records in one file: simplified, traditional, a title kept apart, full-width digits, a Latin name
BRIEFS = [
    {"id": "b1", "title": "日美外长会谈", "text": "日本外相林芳正在东京会见美国国务卿布林肯，双方讨论了驻日美军基地。"},
    {"id": "b2", "title": "日美外長會談", "text": "日本外相林芳正在東京會見美國國務卿布林肯，雙方討論了駐日美軍基地。"},
    {"id": "b3", "title": "央行降准", "text": "中国人民银行宣布下调存款准备金率０．５个百分点，释放流动性约１万亿元。"},
    {"id": "b4", "text": "NVIDIA首席执行官Jensen Huang在台北电脑展上发表演讲，介绍新一代芯片。"},
    {"id": "b5", "title": "香港书展开幕", "text": "香港書展今日在灣仔會展中心開幕，吸引大批市民入場。"},
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("batching") / "in"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    rows = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in BRIEFS)
    (folder / "20_briefs.jsonl").write_text(rows, encoding="utf-8")
    return folder


@pytest.mark.skipif(not all(p.is_file() for p in MODELS), reason="shipped models not built")
def test_records_are_byte_identical_across_batch_sizes_and_workers(corpus: Path, tmp_path: Path) -> None:
    outputs = {
        "batch_size=1": ["--set", "run.batch_size=1"],
        "default": [],
        "workers=2": ["--workers", "2"],
    }
    for name, extra in outputs.items():
        assert main(["run", str(corpus), "--out", str(tmp_path / name), "-q", *extra]) == 0, name
    reference = (tmp_path / "default" / "records.jsonl").read_bytes()
    records = [json.loads(line) for line in reference.splitlines()]
    assert len(records) == 14 + 3 + len(BRIEFS)  # 13 Markdown + 1 text + 3 sample briefs + ours
    assert [r["id"] for r in records[-len(BRIEFS) :]] == [b["id"] for b in BRIEFS]
    assert all(r["entities"] and r["tokens"] and "topic" in r and "stance" in r for r in records[-len(BRIEFS) :])
    for name in outputs:
        assert (tmp_path / name / "records.jsonl").read_bytes() == reference, name
        assert (tmp_path / name / "errors.jsonl").read_bytes() == b"", name
    summaries = {n: json.loads((tmp_path / n / "summary.json").read_text(encoding="utf-8")) for n in outputs}
    assert summaries["batch_size=1"]["config"]["run"]["batch_size"] == 1
    assert summaries["default"]["config"]["run"]["batch_size"] == 32


def test_batch_size_is_not_part_of_the_fingerprint() -> None:
    default = load_config()
    assert default.batch_size == 32
    one = load_config(overrides=["run.batch_size=1"])
    assert one.batch_size == 1 and one.fingerprint() == default.fingerprint()
    assert load_config(overrides=["stages.segment.hmm=true"]).fingerprint() != default.fingerprint()


@pytest.mark.parametrize("value", [0, -3, "many", True])
def test_bad_batch_size_is_a_config_error(value: object) -> None:
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="batch_size"):
        config_from_dict({"run": {"stages": ["normalize"], "batch_size": value}})


def write_rows(path: Path, texts: list[str]) -> Path:
    rows = [{"id": f"r{i}", "text": t} for i, t in enumerate(texts, start=1)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


PIPE_TEXTS = ["日本首相访问美国。", "这次谈判失败了。", "英国政府公布预算。", "香港书展今日开幕。"]


@pytest.mark.parametrize("batch_size", [1, 2, 32])
def test_a_batch_stage_raising_for_one_article_fails_only_that_article(tmp_path: Path, batch_size: int) -> None:
    path = write_rows(tmp_path / "news.jsonl", PIPE_TEXTS)
    raw = {"run": {"stages": ["test_pipe_fail", "test_mark"], "plugins": [STAGES_FILE], "batch_size": batch_size}}
    result = process_source(str(path), config_from_dict(raw))
    assert [r["id"] for r in result.records] == ["r1", "r3", "r4"]
    for record in result.records:
        assert record["piped"] == len(record["text"])  # the failing batch was rerun: the others got through
        assert record["mark"]["chars"] == len(record["text"])  # and went on to the next stage
    [error] = result.errors
    assert error == {
        "id": "r2",
        "path": str(path),
        "error": "ValueError: cannot handle 失败",
        "stage": "test_pipe_fail",
    }


def test_articles_come_back_in_input_order_across_files_of_a_group(tmp_path: Path) -> None:
    first = write_rows(tmp_path / "a.jsonl", PIPE_TEXTS[:2])
    second = write_rows(tmp_path / "b.jsonl", PIPE_TEXTS[2:])
    raw = {"run": {"stages": ["test_pipe_fail", "test_mark"], "plugins": [STAGES_FILE], "batch_size": 3}}
    config = config_from_dict(raw)
    a, b = process_sources([str(first), str(second)], config)
    assert [r["text"] for r in a.records] == [PIPE_TEXTS[0]] and [e["id"] for e in a.errors] == ["r2"]
    assert [r["text"] for r in b.records] == PIPE_TEXTS[2:] and b.errors == []
    # a file's lines do not depend on the files it was grouped with
    assert process_source(str(first), config).record_lines == a.record_lines
    assert process_source(str(second), config).record_lines == b.record_lines


def test_run_articles_keeps_one_result_per_article_in_order() -> None:
    from pipeline.core.article import Article
    from pipeline.core.runner import StageFailure, build_stages

    raw = {"run": {"stages": ["test_pipe_fail"], "plugins": [STAGES_FILE]}}
    stages = build_stages(config_from_dict(raw))
    articles = [Article(id=str(i), path="<t>", text=t) for i, t in enumerate(PIPE_TEXTS)]
    for batch_size in (1, 3, 10):
        out = run_articles(articles, stages, batch_size=batch_size)
        assert [type(x).__name__ for x in out] == ["Article", "StageFailure", "Article", "Article"]
        assert isinstance(out[1], StageFailure) and out[1].article.id == "1"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.booleans(), max_size=300),
    st.integers(1, 64),
    st.integers(1, 4),
)
def test_task_groups_tile_the_inputs_and_shrink_towards_the_end(
    chunks: list[bool], batch_size: int, workers: int
) -> None:
    tasks: list[str | Chunk] = [Chunk("big.jsonl", i, i + 1, i) if c else f"{i:04d}.md" for i, c in enumerate(chunks)]
    groups = task_groups(tasks, batch_size, workers)
    assert [i for g in groups for i in g] == list(range(len(tasks)))  # every task once, in input order
    assert all(len(g) == 1 for g in groups if any(isinstance(tasks[i], Chunk) for i in g))
    sizes = [len(g) for g in groups]
    assert all(s <= max(batch_size, 1) for s in sizes)
    if workers == 1:
        return
    files_only = [s for g, s in zip(groups, sizes, strict=True) if not isinstance(tasks[g[0]], Chunk)]
    if not any(chunks):  # one run of files: the groups never grow, only the very last may be a remainder
        assert files_only[:-1] == sorted(files_only[:-1], reverse=True)


def test_two_workers_get_small_last_groups_of_a_thousand_files() -> None:
    sizes = [len(g) for g in task_groups([f"{i}.md" for i in range(1005)], 32, 2)]
    assert sizes[0] == 32 and max(sizes[-8:]) <= 4  # the tail: a worker idles for at most 4 articles
    assert [len(g) for g in task_groups([f"{i}.md" for i in range(1005)], 32, 1)] == [32] * 31 + [13]
