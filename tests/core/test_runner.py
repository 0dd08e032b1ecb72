"""The runner: every input ends as a record or an error record, output is ordered and deterministic,
a dying worker loses only its own file, and a killed run resumes to exactly the uninterrupted output."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.core.config import RunConfig, config_from_dict, load_config
from pipeline.core.output import ERRORS, MANIFEST, RECORDS, SUMMARY, OutputDir
from pipeline.core.runner import build_stages, describe_exception, process_source, run
from pipeline.errors import ConfigError, InputError, ModelError

REPO = Path(__file__).resolve().parents[2]
STAGES_FILE = str(REPO / "tests" / "runner_stages.py")

HEAD = "###  [:house:返回](README.md)\r\n---\r\n\r\n\r\n"

ARTICLES = {
    "01_japan.md": "## 日美强化军事合作\r\n`3/25/2024 12:42 PM UTC ` [轉載自GNews](https://gnews.org/articles/101)\r\n\r\n"
    "[[zh:日本]][[zh:内阁官房长官]][[zh:林芳正]]周一在[[zh:例行记者会]]上对记者说话。\r\n",
    "02_taiwan.md": "## 華為進攻東南亞受挫\r\n`5/2/2023 7:54 AM UTC CP` [轉載自GNews](https://gnews.org/articles/102)\r\n\r\n"
    "[[zh:英國]]《[[zh:金融時報]]》今日引述[[zh:消息人士]]指，[[zh:歐盟]]和[[zh:美國]]已經警告。\r\n",
    "03_plain.txt": "北京时间周二，国家统计局公布了最新的经济数据。\n\n分析人士认为增长放缓。\n",
    "04_unclosed.md": "## 未闭合的标签\r\n\r\n[[zh:日本 的外交政策仍在调整之中。\r\n",
    "05_econ.md": "## 经济数据公布\r\n\r\n[[zh:国家统计局]]表示，[[zh:国内生产总值]]增长百分之五。\r\n",
    "06_trad.md": "## 記憶體價格上漲\r\n\r\n[[zh:台灣]]的記憶體廠商表示，價格將持續上漲。\r\n",
    "07_sport.md": "## 足球比赛结果\r\n\r\n[[zh:中国队]]在主场以二比一战胜对手。\r\n",
    "08_tech.md": "## 人工智能新进展\r\n\r\n研究人员在[[zh:上海]]发布了新的语言模型。\r\n",
    "09_health.md": "## 流感季节来临\r\n\r\n[[zh:卫生部]]提醒市民接种疫苗。\r\n",
    "10_world.md": "## 联合国大会开幕\r\n\r\n各国领导人齐聚[[zh:纽约]]讨论气候问题。\r\n",
}


def write_corpus(folder: Path, articles: dict[str, str] = ARTICLES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in articles.items():
        (folder / name).write_bytes(((HEAD if name.endswith(".md") else "") + body).encode("utf-8"))
    return folder


def make_config(*stages: str, **options: dict) -> RunConfig:
    raw = {"run": {"stages": list(stages), "plugins": [STAGES_FILE]}, "stages": options}
    return config_from_dict(raw)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- process_source -------------------------------------------------------------------------------------------


def test_good_article_becomes_one_record_with_links_and_stage_output(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    result = process_source(str(corpus / "01_japan.md"), make_config("test_mark", test_mark={"label": "日"}))
    assert result.errors == []
    [record] = result.records
    assert record["path"] == str(corpus / "01_japan.md")
    assert record["title"] == "日美强化军事合作"
    assert record["mark"] == {"label": "日", "chars": len(record["text"])}
    assert [link["target"] for link in record["links"]] == ["日本", "内阁官房长官", "林芳正", "例行记者会"]
    for link in record["links"]:
        assert record["text"][link["start"] : link["end"]] == link["surface"]
    assert result.chars == len(record["text"])
    assert set(result.stage_seconds) == {"ingest", "test_mark"}


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.md", b"", "empty"),
        ("blank.md", b"  \r\n\r\n", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
    ],
)
def test_unreadable_file_becomes_an_ingest_error_record(tmp_path: Path, name: str, data: bytes, problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = process_source(str(path), make_config("test_mark"))
    assert result.records == []
    [error] = result.errors
    assert error["path"] == str(path)
    assert error["stage"] == "ingest"
    assert problem in error["error"]


def test_gbk_file_is_decoded_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    text = "国家统计局周二公布，全国居民消费价格同比上涨百分之二，市场预期经济将继续稳定增长。"
    path.write_bytes(f"## 物价数据\n\n{text}\n".encode("gbk"))
    result = process_source(str(path), make_config("test_mark"))
    assert result.errors == []
    [record] = result.records
    assert text in record["text"]


def test_unclosed_tag_is_kept_as_text_with_a_warning(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    result = process_source(str(corpus / "04_unclosed.md"), make_config("test_mark"))
    [record] = result.records
    assert "[[zh:日本" in record["text"]
    assert record["links"] == []
    assert len(record["warnings"]) == 1
    assert result.warnings == 1


def test_file_over_max_bytes_is_an_error_record(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = config_from_dict({"run": {"stages": ["test_mark"], "plugins": [STAGES_FILE]}, "ingest": {"max_bytes": 50}})
    [error] = process_source(str(corpus / "01_japan.md"), cfg).errors
    assert error["stage"] == "ingest"
    assert "50" in error["error"]


FAILING_ROWS = [
    {"id": "a1", "title": "正常", "text": "日本首相访问美国。"},
    {"id": "a2", "title": "出错", "text": "这篇报道提到台湾问题。"},
    {"id": "a3", "title": "正常", "text": "英国政府公布预算。"},
]


def write_failing_jsonl(path: Path) -> Path:
    """Three articles (the second mentions 台湾) and a broken fourth line."""
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in FAILING_ROWS) + "{broken\n"
    path.write_text(body, encoding="utf-8")
    return path


def test_stage_error_is_one_line_naming_the_stage_and_the_other_articles_go_on(tmp_path: Path) -> None:
    path = write_failing_jsonl(tmp_path / "news.jsonl")
    cfg = make_config("test_mark", "test_fail", test_fail={"when": "台湾"})
    result = process_source(str(path), cfg)
    assert [r["id"] for r in result.records] == ["a1", "a3"]
    by_stage = {e["stage"]: e for e in result.errors}
    assert len(by_stage) == len(result.errors) == 2
    assert by_stage["test_fail"] == {
        "id": "a2",
        "path": str(path),
        "error": "ValueError: cannot handle 台湾 second line",
        "stage": "test_fail",
    }
    assert by_stage["ingest"]["path"] == f"{path}:4"


def test_stage_raising_on_one_article_gives_a_one_line_error_naming_the_stage(tmp_path: Path) -> None:
    path = write_failing_jsonl(tmp_path / "news.jsonl")
    cfg = make_config("test_mark", "test_fail", test_fail={"when": "台湾"})
    result = process_source(str(path), cfg)
    assert [r["id"] for r in result.records] == ["a1", "a3"]
    stage_error, line_error = result.errors
    assert stage_error == {
        "id": "a2",
        "path": str(path),
        "error": "ValueError: cannot handle 台湾 second line",
        "stage": "test_fail",
    }
    assert line_error["path"] == f"{path}:4"
    assert line_error["stage"] == "ingest"


def test_our_own_errors_are_reported_by_message_alone(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_fail", test_fail={"when": "日本", "kind": "user"})
    [error] = process_source(str(corpus / "01_japan.md"), cfg).errors
    assert error["error"] == "article mentions 日本"
    assert describe_exception(KeyError("x")) == "KeyError: 'x'"
    assert len(describe_exception(RuntimeError("长" * 2000))) == 500


def test_missing_model_stops_the_run_instead_of_failing_every_article(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_fail", test_fail={"when": "日本", "kind": "model"})
    with pytest.raises(ModelError):
        process_source(str(corpus / "01_japan.md"), cfg)


def test_process_source_and_its_arguments_pickle_for_other_processes(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_mark")
    func = pickle.loads(pickle.dumps(process_source))
    result = func(str(corpus / "05_econ.md"), pickle.loads(pickle.dumps(cfg)))
    assert pickle.loads(pickle.dumps(result)).records == result.records


def test_default_stages_keep_every_offset_on_the_original_text(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    result = process_source(str(corpus / "06_trad.md"), make_config("normalize", "segment"))
    [record] = result.records
    assert record["script"]["label"] == "traditional"
    assert record["text"].startswith("記憶體價格上漲")
    for token in record["tokens"]:
        assert record["text"][token["start"] : token["end"]] == token["text"]
    norms = {t["text"]: t["norm"] for t in record["tokens"]}
    assert norms["價格"] == "价格"
    assert norms["廠商"] == "厂商"
    [link] = record["links"]
    assert record["text"][link["start"] : link["end"]] == link["surface"] == "台灣"
    assert set(result.stage_seconds) == {"ingest", "normalize", "segment"}


def test_engine_tasks_freeze_what_the_first_task_loaded_and_give_process_sources_output(tmp_path: Path) -> None:
    # in a fresh interpreter: gc.freeze() is for the processes the engines run tasks in, not for pytest's
    corpus = write_corpus(tmp_path / "in")
    script = """
import gc, json, sys
from pipeline.core.config import config_from_dict
from pipeline.core.runner import engine_task, process_sources
cfg = config_from_dict({"run": {"stages": ["normalize", "segment"]}, "stages": {"segment": {"hmm": False}}})
paths = sys.argv[1:]
first = engine_task(paths[:2], cfg)
frozen_after_first = gc.get_freeze_count()
second = engine_task(paths[2:], cfg)
same = [r.record_lines for r in first + second] == [r.record_lines for r in process_sources(paths, cfg)]
print(json.dumps([frozen_after_first, gc.get_freeze_count(), same]))
"""
    paths = sorted(str(p) for p in corpus.glob("*.md"))[:4]
    out = subprocess.run([sys.executable, "-c", script, *paths], capture_output=True, text=True, check=True, cwd=REPO)
    after_first, after_second, same = json.loads(out.stdout)
    assert after_first == 0 and after_second > 10_000  # the modules, jieba's dictionary, the stages
    assert same


def test_stages_are_built_once_per_process_and_config(tmp_path: Path) -> None:
    cfg = make_config("test_mark", test_mark={"label": "一"})
    assert build_stages(cfg) is build_stages(make_config("test_mark", test_mark={"label": "一"}))
    assert build_stages(cfg) is not build_stages(make_config("test_mark", test_mark={"label": "二"}))


# -- run: ordering, workers, crashes ------------------------------------------------------------------------


def test_two_workers_write_the_same_bytes_as_one(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    (corpus / "11_empty.md").write_bytes(b"")
    # text-dependent sleeps make later files finish first in the pool
    cfg = make_config(
        "normalize", "segment", "test_sleep", "test_fail", test_sleep={"seconds": 0.02}, test_fail={"when": "台灣"}
    )
    one = run([corpus], cfg, tmp_path / "one", workers=1)
    two = run([corpus], cfg, tmp_path / "two", workers=2)
    for name in (RECORDS, ERRORS):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert [r["path"] for r in lines(tmp_path / "one" / RECORDS)] == sorted(
        str(p) for p in corpus.iterdir() if p.name not in {"06_trad.md", "11_empty.md"}
    )
    assert one.summary["errors"] == two.summary["errors"] == 2
    assert two.summary["this_invocation"]["workers"] == 2


def test_a_worker_that_dies_loses_only_its_own_file(tmp_path: Path) -> None:
    five = dict(list(ARTICLES.items())[:5])
    corpus = write_corpus(tmp_path / "in", five)
    cfg = make_config("test_mark", "test_fail", test_fail={"when": "金融時報", "kind": "kill"})
    report = run([corpus], cfg, tmp_path / "out", workers=2)
    errors = lines(tmp_path / "out" / ERRORS)
    assert [(e["path"], e["stage"]) for e in errors] == [(str(corpus / "02_taiwan.md"), "worker")]
    assert [r["id"] for r in lines(tmp_path / "out" / RECORDS)] == ["01_japan", "03_plain", "04_unclosed", "05_econ"]
    assert report.failed


def test_a_task_handed_to_a_broken_pool_counts_as_lost_not_as_a_crash_of_the_run(tmp_path: Path) -> None:
    """The window refills while a worker may already be dead: that submit must not raise out of the run."""
    from concurrent.futures.process import BrokenProcessPool

    from pipeline.core.runner import _LazyPool

    corpus = write_corpus(tmp_path / "in", dict(list(ARTICLES.items())[:2]))
    cfg = make_config("test_mark", "test_fail", test_fail={"when": "金融時報", "kind": "kill"})
    pool = _LazyPool(1)
    try:
        killed = pool.submit([str(corpus / "02_taiwan.md")], cfg)
        with pytest.raises(BrokenProcessPool):
            killed.result(timeout=60)
        after = pool.submit([str(corpus / "01_japan.md")], cfg)
        assert after.done() and isinstance(after.exception(), BrokenProcessPool)
    finally:
        pool.stop()


def test_the_runs_own_processes_collect_garbage_less_often_and_a_callers_is_left_alone(tmp_path: Path) -> None:
    import gc

    from pipeline.core.runner import RUN_GC_THRESHOLD, _new_pool, run_gc_threshold

    before = gc.get_threshold()
    assert before != RUN_GC_THRESHOLD
    with run_gc_threshold(True):
        assert gc.get_threshold() == RUN_GC_THRESHOLD
    assert gc.get_threshold() == before
    pool = _new_pool(1)
    try:
        assert pool.submit(gc.get_threshold).result(timeout=60) == RUN_GC_THRESHOLD
    finally:
        pool.shutdown()
    corpus = write_corpus(tmp_path / "in", dict(list(ARTICLES.items())[:2]))
    run([corpus], make_config("test_mark"), tmp_path / "out")  # a library caller's run: not its own process
    assert gc.get_threshold() == before


def test_summary_counts_everything_and_records_the_config(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    (corpus / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    cfg = make_config("test_mark", test_mark={"label": "x"})
    report = run([corpus], cfg, tmp_path / "out")
    summary = json.loads((tmp_path / "out" / SUMMARY).read_text(encoding="utf-8"))
    assert summary == json.loads(json.dumps(report.summary))
    assert (summary["files"], summary["files_failed"], summary["articles"], summary["errors"]) == (11, 1, 10, 1)
    assert summary["warnings"] == 1
    assert summary["chars"] == sum(len(r["text"]) for r in lines(tmp_path / "out" / RECORDS))
    assert set(summary["stage_seconds"]) == {"ingest", "test_mark"}
    assert summary["this_invocation"]["chars_per_second"] > 0
    assert summary["config"]["stages"] == {"test_mark": {"label": "x"}}
    assert summary["versions"]["jieba"] and summary["versions"]["python"]
    assert report.first_errors[0]["path"] == str(corpus / "bin.txt")


def test_progress_bar_counts_the_files_still_to_do(tmp_path: Path) -> None:
    from io import StringIO

    from tqdm import tqdm

    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_mark")
    run([corpus], cfg, tmp_path / "out", limit=3)
    shown = StringIO()
    run([corpus], cfg, tmp_path / "out", resume=True, progress=lambda total: tqdm(total=total, file=shown))
    assert f"{len(ARTICLES) - 3}/{len(ARTICLES) - 3}" in shown.getvalue()


def test_output_path_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot use .* as output folder"):
        run([corpus], make_config("test_mark"), tmp_path / "out")


def test_bad_stage_options_fail_before_any_output_is_written(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_mark", test_mark={"colour": "red"})
    with pytest.raises(ConfigError, match="test_mark"):
        run([corpus], cfg, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_input_and_empty_folder_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no input files"):
        run([tmp_path / "empty"], make_config("test_mark"), tmp_path / "out")
    with pytest.raises(InputError, match="no such file"):
        run([tmp_path / "nope"], make_config("test_mark"), tmp_path / "out")


# -- resume ---------------------------------------------------------------------------------------------------


def test_rerun_of_a_finished_run_redoes_nothing(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_mark")
    run([corpus], cfg, tmp_path / "out")
    before = (tmp_path / "out" / RECORDS).read_bytes()
    again = run([corpus], cfg, tmp_path / "out")
    assert again.summary["this_invocation"] | {"resumed": True, "files": 0} == again.summary["this_invocation"]
    assert again.summary["files"] == len(ARTICLES)
    assert (tmp_path / "out" / RECORDS).read_bytes() == before


def test_resume_cuts_half_written_output_back_to_the_manifest(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_mark")
    run([corpus], cfg, tmp_path / "full")
    out = tmp_path / "out"
    run([corpus], cfg, out, limit=4)
    # a crash while writing file 5: its record half written, its manifest line half written
    with open(out / RECORDS, "ab") as f:
        f.write('{"id":"05_econ","path":"半'.encode())
    with open(out / MANIFEST, "ab") as f:
        f.write(b'{"source":"/x","rec')
    run([corpus], cfg, out, resume=True)
    for name in (RECORDS, ERRORS):
        assert (out / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    assert len(lines(out / MANIFEST)) == len(ARTICLES)


def test_records_of_a_file_without_manifest_line_are_not_duplicated(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_mark")
    run([corpus], cfg, tmp_path / "full")
    out = tmp_path / "out"
    run([corpus], cfg, out, limit=3)
    # killed after writing file 4's records but before its manifest line
    fourth = (tmp_path / "full" / RECORDS).read_text(encoding="utf-8").splitlines(keepends=True)[3]
    with open(out / RECORDS, "a", encoding="utf-8") as f:
        f.write(fourth)
    run([corpus], cfg, out, resume=True)
    assert (out / RECORDS).read_bytes() == (tmp_path / "full" / RECORDS).read_bytes()


def test_a_different_config_is_never_mixed_into_an_output_folder(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    run([corpus], make_config("test_mark"), tmp_path / "out", limit=2)
    other = make_config("test_mark", test_mark={"label": "other"})
    for resume in (False, True):
        with pytest.raises(ConfigError, match="another config"):
            run([corpus], other, tmp_path / "out", resume=resume)
    report = run([corpus], other, tmp_path / "out", overwrite=True)
    assert {r["mark"]["label"] for r in lines(tmp_path / "out" / RECORDS)} == {"other"}
    assert report.summary["files"] == len(ARTICLES)


def test_other_inputs_need_resume_to_join_a_run(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    cfg = make_config("test_mark")
    run([corpus / "01_japan.md"], cfg, tmp_path / "out")
    with pytest.raises(ConfigError, match="other inputs"):
        run([corpus], cfg, tmp_path / "out")
    report = run([corpus], cfg, tmp_path / "out", resume=True)
    assert report.summary["this_invocation"]["files"] == len(ARTICLES) - 1
    assert len(lines(tmp_path / "out" / RECORDS)) == len(ARTICLES)


def test_folder_with_foreign_output_files_is_refused(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / RECORDS).write_text("{}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"without run\.json"):
        run([corpus], make_config("test_mark"), tmp_path / "out")


FILES = [
    (
        f"/corpus/{i:02d}.md",
        [f'{{"id":"{i}","text":"第{i}篇报道{"长" * i}"}}\n' for _ in range(i % 3)],
        ["{}\n"] * (i % 2),
    )
    for i in range(8)
]


def write_all(out: OutputDir, files: list[tuple[str, list[str], list[str]]]) -> None:
    for source, records, errors in files:
        out.write(source, records, errors, warnings=0, chars=1, seconds=0.0, stage_seconds={})


@settings(max_examples=60, deadline=None)
@given(done=st.integers(0, len(FILES)), cut=st.floats(0, 1), manifest_tail=st.integers(0, 40))
def test_resume_after_a_kill_at_any_byte_gives_the_full_output(done: int, cut: float, manifest_tail: int) -> None:
    """A kill can leave the next file's records and errors partly written and its manifest line cut anywhere."""
    with tempfile.TemporaryDirectory() as tmp:
        full, out = Path(tmp) / "full", Path(tmp) / "out"
        ref = OutputDir(full)
        ref.open(fingerprint="f", sources=[f[0] for f in FILES], state={})
        write_all(ref, FILES)
        ref.close()
        killed = OutputDir(out)
        killed.open(fingerprint="f", sources=[f[0] for f in FILES], state={})
        write_all(killed, FILES[:done])
        killed.close()
        if done < len(FILES):  # the file being written at the kill: a prefix of its bytes
            source, records, errors = FILES[done]
            blob = "".join(records).encode() + b"\0" + "".join(errors).encode()
            partial = blob[: int(len(blob) * cut)]
            rec_part, _, err_part = partial.partition(b"\0")
            with open(out / RECORDS, "ab") as f:
                f.write(rec_part)
            with open(out / ERRORS, "ab") as f:
                f.write(err_part)
            with open(out / MANIFEST, "ab") as f:
                f.write(json.dumps({"source": source, "records": len(records)}).encode()[:manifest_tail])
        resumed = OutputDir(out)
        opened = resumed.open(fingerprint="f", sources=[f[0] for f in FILES], state={})
        assert opened.resumed
        assert [e.source for e in opened.done] == [f[0] for f in FILES[:done]]
        write_all(resumed, FILES[done:])
        resumed.close()
        for name in (RECORDS, ERRORS, MANIFEST):
            assert (out / name).read_bytes() == (full / name).read_bytes()


def test_run_killed_with_sigkill_resumes_to_the_uninterrupted_output(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "in")
    config = tmp_path / "run.toml"
    config.write_text(
        # batch_size = 1: one file per task, so the manifest grows file by file (a batch of 32 would write all
        # ten files at once and leave no moment to kill the run mid-way)
        f'[run]\nstages = ["normalize", "segment", "test_sleep"]\nplugins = ["{STAGES_FILE}"]\nbatch_size = 1\n'
        "[stages.test_sleep]\nseconds = 0.1\n",
        encoding="utf-8",
    )
    run([corpus], load_config(config), tmp_path / "full")  # the uninterrupted reference, in this process

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "run", str(corpus), "--config", str(config), "--out", str(out), "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = (out / MANIFEST).read_bytes().count(b"\n") if (out / MANIFEST).exists() else 0
            if done >= 3:
                break
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    killed_at = (out / MANIFEST).read_bytes().count(b"\n")
    assert 3 <= killed_at < len(ARTICLES), "the kill must land mid-run"
    assert not (out / SUMMARY).exists()

    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    for name in (RECORDS, ERRORS):
        assert (out / name).read_bytes() == (tmp_path / "full" / name).read_bytes()
    summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
    assert summary["files"] == len(ARTICLES)
    assert summary["this_invocation"]["resumed"] is True
    assert summary["this_invocation"]["files"] == len(ARTICLES) - killed_at


def test_analyze_texts_runs_the_stages_up_to_a_name_and_raises_on_a_failure() -> None:
    from pipeline.core.runner import analyze_texts, stages_until
    from pipeline.errors import DataError

    config = make_config("normalize", "segment", "test_fail", test_fail={"when": "失败"})
    assert [s.name for s in stages_until(config, "segment").stages] == ["normalize", "segment"]
    with pytest.raises(ConfigError, match="no 'ner' stage"):
        stages_until(config, "ner")
    [article] = analyze_texts(["谈判失败了"], config, until="segment")
    assert article.norm_text == "谈判失败了" and [t.norm for t in article.tokens or ()] == ["谈判", "失败", "了"]
    with pytest.raises(DataError, match="test_fail"):
        analyze_texts(["谈判失败了"], config)


@pytest.mark.parametrize(("overrides", "skops_now"), [((), False), (("stages.topic.model=models/topic/titles",), True)])
def test_loading_the_config_and_building_the_stages_leaves_torch_and_spacy_for_the_first_article(
    overrides: tuple[str, ...], skops_now: bool, repo_dir: Path
) -> None:
    """Stage modules import heavy libraries on first use, so listing or validating stages stays cheap. skops is
    imported when the stages are built (it then scans few modules on import) only for a classifier model without
    an exported predictor (the headline topic model); the default models predict without it."""
    code = (
        "import sys\n"
        "from pipeline.core.config import load_config\n"
        "from pipeline.core.runner import build_stages\n"
        f"build_stages(load_config(overrides={overrides!r}))\n"
        "print(sorted(m for m in ('spacy', 'thinc') if m in sys.modules), 'skops.io' in sys.modules)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo_dir)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == f"[] {skops_now}"
