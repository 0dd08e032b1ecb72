"""The stage contract: each stage declares the fields it requires and assigns (``register_stage``).

A config whose stages do not fit together is a one-line ConfigError when it is loaded, so ``zhnews run`` exits 2
before reading an input or creating its output folder; at run time a stage that writes a field it did not
declare fails that article only; the record's stage keys are the declared fields of the configured stages.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.core.config import config_from_dict, load_config
from pipeline.core.registry import result_keys, stage_info
from pipeline.core.runner import process_source
from pipeline.errors import ConfigError

STAGES_FILE = str(Path(__file__).resolve().parents[1] / "runner_stages.py")

ROWS = [
    {"id": "a1", "title": "日本首相访问美国", "text": "日本首相周二抵达华盛顿，与美国总统会谈。"},
    {"id": "a2", "title": "台湾议题", "text": "这篇报道提到台湾问题。"},
    {"id": "a3", "title": "英国预算", "text": "英国政府公布预算，削减公共开支。"},
]

# (stages, the words the one-line message must contain)
BAD_ORDERS = [
    pytest.param(["segment"], ["'segment'", "'norm_text'", "'normalize'"], id="segment-without-normalize"),
    pytest.param(
        ["normalize", "ner", "segment"], ["'ner'", "'doc'", "'segment'", "comes after"], id="ner-before-segment"
    ),
    pytest.param(
        ["normalize", "segment", "linkcheck"], ["'linkcheck'", "'entities'", "'ner'"], id="linkcheck-without-ner"
    ),
    pytest.param(
        ["normalize", "segment", "test_retokenize"],
        ["'segment'", "'test_retokenize'", "both assign", "'tokens'"],
        id="plugin-assigns-segment-tokens",
    ),
]


def raw_config(stages: list[str], **options: dict) -> dict:
    return {"run": {"stages": stages, "plugins": [STAGES_FILE]}, "stages": options}


def write_toml(path: Path, stages: list[str]) -> Path:
    listed = ", ".join(json.dumps(s) for s in stages)
    path.write_text(f'[run]\nstages = [{listed}]\nplugins = ["{STAGES_FILE}"]\n', encoding="utf-8")
    return path


def write_rows(path: Path, rows: list[dict] = ROWS) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(("stages", "words"), BAD_ORDERS)
def test_stages_that_do_not_fit_are_a_one_line_config_error(stages: list[str], words: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(raw_config(stages))
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message


@pytest.mark.parametrize(("stages", "words"), BAD_ORDERS)
def test_zhnews_run_exits_2_with_that_line_before_reading_or_writing_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stages: list[str], words: list[str]
) -> None:
    config = write_toml(tmp_path / "run.toml", stages)
    out = tmp_path / "out"
    # an input that does not exist: the config error comes first, so no input is even looked at
    missing = tmp_path / "no-such-input.md"
    assert main(["run", str(missing), "--config", str(config), "--out", str(out)]) == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("zhnews: error: ")
    for word in words:
        assert word in stderr
    assert "no-such-input" not in stderr
    assert not out.exists()
    # a real input gives the same line and still creates nothing
    corpus = write_rows(tmp_path / "news.jsonl")
    assert main(["run", str(corpus), "--config", str(config), "--out", str(out)]) == 2
    assert capsys.readouterr().err == stderr
    assert not out.exists()


def test_set_run_stages_is_checked_like_the_config_file() -> None:
    with pytest.raises(ConfigError, match="'segment' needs 'norm_text'"):
        load_config(overrides=['run.stages=["segment", "ner"]'])
    with pytest.raises(ConfigError, match="'linkcheck' needs 'entities'"):
        load_config(overrides=['run.stages=["normalize", "segment", "linkcheck", "stance"]'])


def test_the_builtin_stages_declare_their_fields() -> None:
    assert stage_info("normalize").assigns == ("norm_text", "norm_title", "script")
    assert (stage_info("segment").requires, stage_info("segment").assigns) == (
        ("norm_text",),
        ("tokens", "doc", "title_tokens"),
    )
    assert stage_info("ner").requires == ("doc",) and stage_info("ner").assigns == ("entities",)
    assert set(stage_info("linkcheck").requires) == {"links", "tokens", "entities"}
    for name, key in (("stance", "stance"), ("topic", "topic"), ("topicmodel", "topics")):
        assert stage_info(name).assigns == (key,)
        assert {"tokens", "title_tokens"} <= set(stage_info(name).requires)


def test_a_stage_writing_an_undeclared_field_fails_that_article_only(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "news.jsonl")
    config = config_from_dict(raw_config(["test_mark", "test_sneaky"], test_sneaky={"when": "台湾"}))
    result = process_source(str(path), config)
    assert [r["id"] for r in result.records] == ["a1", "a3"]
    [error] = result.errors
    assert (error["id"], error["stage"], error["path"]) == ("a2", "test_sneaky", str(path))
    assert "'test_sneaky'" in error["error"] and "extra" in error["error"] and "\n" not in error["error"]
    for record in result.records:
        assert record["sneaky"] is True and "extra" not in record


def test_a_stage_replacing_another_stages_field_fails_the_article(tmp_path: Path) -> None:
    """``test_mark`` declares ``mark``; a later stage that rewrites it has not declared it."""
    path = write_rows(tmp_path / "news.jsonl")
    options = {"when": "日本", "key": "mark"}
    result = process_source(str(path), config_from_dict(raw_config(["test_mark", "test_sneaky"], test_sneaky=options)))
    [error] = result.errors
    assert (error["id"], error["stage"]) == ("a1", "test_sneaky") and "mark" in error["error"]
    assert [r["mark"]["label"] for r in result.records] == ["seen", "seen"]


def test_record_keys_follow_the_declarations_in_stage_order(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "news.jsonl")
    stages = ["normalize", "test_tag", "test_mark", "segment"]
    assert result_keys(stages) == ("tag", "mark")
    result = process_source(str(path), config_from_dict(raw_config(stages)))
    assert result.errors == []
    for record, row in zip(result.records, ROWS, strict=True):
        keys = list(record)
        assert keys.index("tag") < keys.index("mark")
        assert keys[-2:] == ["tag", "mark"]
        assert record["tag"] == row["text"][:2]
        assert record["mark"] == {"label": "seen", "chars": len(row["text"])}
        assert record["tokens"] and record["script"] is not None
        # attribute fields that are not record keys stay out of the record
        assert not {"norm_text", "norm_title", "doc", "title_tokens"} & set(record)
    # a stage that is not configured has no key, even though the plugin file registers it
    result = process_source(str(path), config_from_dict(raw_config(["test_mark"])))
    assert "tag" not in result.records[0] and "mark" in result.records[0]
