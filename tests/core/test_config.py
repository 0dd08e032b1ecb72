"""The TOML run config: parsing, path resolution, overrides, and a ConfigError for every kind of typo."""

from __future__ import annotations

import pickle
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pipeline.core.config as config_module
from pipeline.core.config import RunConfig, is_path_key, load_config, resolve_path_value
from pipeline.errors import ConfigError

STAGES_FILE = Path(__file__).resolve().parents[1] / "runner_stages.py"


def write_config(folder: Path, body: str, *, plugins: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "run.toml"
    head = f'plugins = ["{STAGES_FILE}"]\n' if plugins else ""
    path.write_text(body.replace("[run]\n", "[run]\n" + head, 1), encoding="utf-8")
    return path


def test_full_config_reads_stages_options_ingest_and_workers(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        '[run]\nstages = ["test_mark", "test_fail"]\nworkers = 3\n[ingest]\nmax_bytes = 1000\n'
        '[stages.test_mark]\nlabel = "标记"\n[stages.test_fail]\nwhen = "台灣"\nkind = "user"\n',
    )
    cfg = load_config(path)
    assert [s.name for s in cfg.stages] == ["test_mark", "test_fail"]
    assert cfg.stages[0].options == {"label": "标记"}
    assert cfg.stages[1].options == {"when": "台灣", "kind": "user"}
    assert cfg.workers == 3
    assert cfg.ingest.max_bytes == 1000
    assert cfg.plugins == [str(STAGES_FILE)]


def test_defaults_apply_when_sections_are_left_out(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, '[run]\nstages = ["test_mark"]\n'))
    assert cfg.workers == 1
    assert cfg.ingest.max_bytes == 50_000_000
    assert cfg.stages[0].options == {}


def test_repository_default_config_lists_normalize_then_segment(repo_dir: Path) -> None:
    cfg = load_config(None)
    assert cfg.source == str(repo_dir / "configs" / "default.toml")
    assert [s.name for s in cfg.stages][:2] == ["normalize", "segment"]
    assert cfg.stages[0].options["opencc"] == "t2s"


def test_missing_default_config_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config_module, "default_config_path", lambda: tmp_path / "configs" / "default.toml")
    with pytest.raises(ConfigError, match=r"default config .* not found.*--config"):
        load_config(None)


def test_relative_file_options_resolve_against_the_config_folder(tmp_path: Path) -> None:
    path = write_config(
        tmp_path / "configs",
        '[run]\nstages = ["test_mark"]\n[stages.test_mark]\nlabel = "../models/ner"\n',
    )
    # "label" is not a path key: kept as written
    assert load_config(path).stages[0].options["label"] == "../models/ner"
    raw = {"model": "../models/ner", "user_dicts": ["dicts/a.txt", "/abs/b.txt"], "hmm": True, "gazetteer": ""}
    resolved = {k: resolve_path_value(v, tmp_path / "configs") if is_path_key(k) else v for k, v in raw.items()}
    assert resolved["model"] == str(tmp_path / "models" / "ner")
    assert resolved["user_dicts"] == [str(tmp_path / "configs" / "dicts" / "a.txt"), "/abs/b.txt"]
    assert resolved["hmm"] is True
    assert resolved["gazetteer"] == ""


def test_path_options_in_a_stage_table_are_resolved_on_load(tmp_path: Path) -> None:
    # test_mark accepts any option name at config time; options are checked when stages are built
    path = write_config(
        tmp_path / "configs", '[run]\nstages = ["test_mark"]\n[stages.test_mark]\nner_model = "../models/ner"\n'
    )
    assert load_config(path).stages[0].options["ner_model"] == str(tmp_path / "models" / "ner")


@pytest.mark.parametrize(
    ("key", "is_path"),
    [
        ("model", True),
        ("ner_model", True),
        ("user_dicts", True),
        ("stopwords_file", True),
        ("gazetteer", True),
        ("cache_dir", True),
        ("path", True),
        ("submodel", False),
        ("opencc", False),
        ("hmm", False),
        ("use_gazetteer_types", False),
    ],
)
def test_path_key_rule_is_whole_word_suffix(key: str, is_path: bool) -> None:
    assert is_path_key(key) is is_path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[run]\nstages = ["test_mark"]\n[output]\nx = 1\n', r"unknown section\(s\) \[output\]"),
        ('[run]\nstages = ["test_mark"]\nworker = 2\n', r"unknown option\(s\) worker in \[run\]"),
        ('[run]\nstages = ["test_mark"]\n[ingest]\nmaxbytes = 2\n', r"unknown option\(s\) maxbytes in \[ingest\]"),
        ('[run]\nstages = ["test_mark", "nosuchstage"]\n', r"unknown stage 'nosuchstage'.*known stages: .*test_mark"),
        ('[run]\nstages = ["test_mark"]\n[stages.nosuch]\na = 1\n', r"\[stages.nosuch\]: unknown stage"),
        ('[run]\nstages = ["test_mark"]\n[stages.test_fail]\nkind = 1\n[stages.nosuch]\n', r"\[stages.nosuch\]"),
        ('[run]\nstages = ["test_mark"]\n[stages]\ntest_fail = 3\n', r"\[stages.test_fail\] must be a table"),
        ('[run]\nstages = ["test_mark", "test_mark"]\n', r"listed twice"),
        ('[run]\nstages = "test_mark"\n', r"must be a list of stage names"),
        ("[run]\nworkers = 2\n", r"needs stages"),
        ('[run]\nstages = ["test_mark"]\nworkers = 0\n', r"workers must be a whole number >= 1"),
        ('[run]\nstages = ["test_mark"]\nworkers = true\n', r"workers must be a whole number"),
        ('[run]\nstages = ["test_mark"]\n[ingest]\nmax_bytes = "big"\n', r"max_bytes must be a whole number"),
        ('[run]\nstages = ["test_mark"\n', r"invalid TOML"),
        ('[run]\nstages = ["test_mark"]\nstages.x = 1\n', r"invalid TOML"),
    ],
)
def test_config_mistakes_are_config_errors_naming_the_problem(tmp_path: Path, body: str, message: str) -> None:
    path = write_config(tmp_path, body)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(path) in str(info.value) or "TOML" in str(info.value)


def test_options_of_a_known_stage_left_out_of_the_run_are_not_used(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[run]\nstages = ["test_mark", "test_fail"]\n[stages.test_fail]\nwhen = "台"\n')
    cfg = load_config(path, ['run.stages=["test_mark"]'])
    assert [s.name for s in cfg.stages] == ["test_mark"]
    assert cfg.to_dict()["stages"] == {"test_mark": {}}
    assert (
        cfg.fingerprint() == load_config(write_config(tmp_path / "b", '[run]\nstages = ["test_mark"]\n')).fingerprint()
    )


def test_missing_config_file_and_missing_plugin_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
    path = tmp_path / "run.toml"
    path.write_text('[run]\nstages = ["test_mark"]\nplugins = ["my_stages.py"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"plugin file .*my_stages\.py not found"):
        load_config(path)


def test_set_overrides_typed_values_and_new_options(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[run]\nstages = ["test_mark"]\n[stages.test_mark]\nlabel = "a"\n')
    cfg = load_config(
        path,
        [
            "stages.test_mark.label=簡體",
            "run.workers=2",
            'run.stages=["test_mark", "test_sleep"]',
            "ingest.max_bytes=9",
        ],
    )
    assert cfg.stages[0].options == {"label": "簡體"}
    assert [s.name for s in cfg.stages] == ["test_mark", "test_sleep"]
    assert cfg.workers == 2
    assert cfg.ingest.max_bytes == 9


def test_set_path_values_resolve_against_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(tmp_path / "configs", '[run]\nstages = ["test_mark"]\n')
    monkeypatch.chdir(tmp_path)
    cfg = load_config(path, ["stages.test_mark.model=models/ner"])
    assert cfg.stages[0].options["model"] == str(tmp_path / "models" / "ner")


@pytest.mark.parametrize("item", ["workers=2", "run.workers", "=3", "run..workers=2"])
def test_malformed_set_is_a_config_error(tmp_path: Path, item: str) -> None:
    path = write_config(tmp_path, '[run]\nstages = ["test_mark"]\n')
    with pytest.raises(ConfigError, match=r"SECTION\.KEY=VALUE"):
        load_config(path, [item])


@given(st.text(alphabet=string.ascii_letters + "中文繁體 -_/.", min_size=1, max_size=30))
def test_set_keeps_any_plain_string_value(value: str) -> None:
    raw: dict = {}
    config_module._apply_override(raw, f"stages.test_mark.label={value}", Path("/"))
    parsed = raw["stages"]["test_mark"]["label"]
    # either read as TOML (a bare word that happens to be a number/bool) or kept exactly as typed
    assert parsed == value or not isinstance(parsed, str)


@given(st.one_of(st.integers(-(10**6), 10**6), st.booleans(), st.lists(st.sampled_from(["a", "中"]), max_size=3)))
def test_set_reads_toml_values_with_their_type(value: object) -> None:
    import json

    raw: dict = {}
    text = json.dumps(value, ensure_ascii=False)
    config_module._apply_override(raw, f"run.x={text}", Path("/"))
    assert raw["run"]["x"] == value


def test_fingerprint_ignores_workers_but_not_options(tmp_path: Path) -> None:
    path = write_config(tmp_path, '[run]\nstages = ["test_mark"]\n[stages.test_mark]\nlabel = "a"\n')
    base = load_config(path)
    assert load_config(path, ["run.workers=4"]).fingerprint() == base.fingerprint()
    assert load_config(path, ["stages.test_mark.label=b"]).fingerprint() != base.fingerprint()
    assert base.with_workers(2).fingerprint() == base.fingerprint()


def test_run_config_pickles_for_worker_processes(tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, '[run]\nstages = ["test_mark"]\n[stages.test_mark]\nlabel = "中"\n'))
    clone = pickle.loads(pickle.dumps(cfg))
    assert isinstance(clone, RunConfig)
    assert clone == cfg
    assert clone.fingerprint() == cfg.fingerprint()
