"""``zhnews run`` as a user meets it: exit codes, one-line errors, --debug tracebacks, --set, the summary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import ConfigError

STAGES_FILE = str(Path(__file__).resolve().parents[1] / "runner_stages.py")

ARTICLE = (
    "###  [:house:返回](README.md)\r\n---\r\n\r\n\r\n## 日美强化军事合作\r\n"
    "`3/25/2024 12:42 PM UTC ` [轉載自GNews](https://gnews.org/articles/2424215)\r\n\r\n"
    "[[zh:日本]][[zh:内阁官房长官]][[zh:林芳正]]周一在[[zh:例行记者会]]上对记者说，[[zh:日本]]和[[zh:美国]]正在讨论合作。\r\n"
)
TRADITIONAL = "## 記憶體價格上漲\r\n\r\n[[zh:台灣]]的記憶體廠商表示，價格將持續上漲。\r\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.md").write_text(TRADITIONAL, encoding="utf-8")
    return folder


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(f'[run]\nstages = ["test_mark", "test_fail"]\nplugins = ["{STAGES_FILE}"]\n', encoding="utf-8")
    return path


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def test_clean_run_exits_0_and_prints_one_summary_paragraph(
    corpus: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(corpus), "--config", str(config), "--out", str(tmp_path / "out")]) == 0
    stdout, stderr = capsys.readouterr()
    assert stdout.count("\n") == 1
    assert "Processed 2 file(s): 2 article(s) written, 0 error(s)" in stdout
    assert stderr == ""  # no progress bar when stderr is not a terminal
    assert len(records(tmp_path / "out")) == 2


def test_quiet_run_prints_nothing(
    corpus: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(corpus), "-c", str(config), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


def test_a_failed_file_exits_1_and_everything_else_is_written(
    corpus: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (corpus / "c.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    out = tmp_path / "out"
    code = main(["run", str(corpus), "--config", str(config), "--out", str(out), "--set", "stages.test_fail.when=台灣"])
    assert code == 1
    stdout = capsys.readouterr().out
    assert "2 error(s)" in stdout
    assert f"{corpus / 'b.md'}#b: ValueError: cannot handle 台灣 second line [test_fail]" in stdout
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["path"], e["stage"]) for e in errors] == [
        (str(corpus / "b.md"), "test_fail"),
        (str(corpus / "c.txt"), "ingest"),
    ]
    assert [r["id"] for r in records(out)] == ["a"]


def test_set_overrides_reach_the_stages(corpus: Path, config: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        main(["run", str(corpus), "-c", str(config), "-o", str(out), "--set", "stages.test_mark.label=覆盖", "-q"]) == 0
    )
    assert {r["mark"]["label"] for r in records(out)} == {"覆盖"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--set", "stages.test_mark.colour=red"], "bad options"),
        (["--set", "run.stage=x"], "unknown option(s) stage in [run]"),
        (["--set", "nonsense"], "SECTION.KEY=VALUE"),
        (["--resume", "--overwrite"], "contradict"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_no_traceback(
    corpus: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code = main(["run", str(corpus), "--config", str(config), "--out", str(tmp_path / "out"), *extra])
    assert code == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == ""
    assert stderr.startswith("zhnews: error: ") and stderr.count("\n") == 1
    assert message in stderr
    assert "Traceback" not in stderr


def test_missing_input_and_missing_config_exit_2(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    assert "nope: no such file" in capsys.readouterr().err
    assert main(["run", str(corpus), "--config", str(tmp_path / "none.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "none.toml not found" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["run", "x"], ["run", "x", "--out", "o", "--workers", "0"], ["run", "--out", "o"]])
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage: zhnews run" in capsys.readouterr().err


def test_output_folder_of_another_config_is_refused_with_exit_2(
    corpus: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "out")
    assert main(["run", str(corpus), "-c", str(config), "-o", out, "-q"]) == 0
    assert main(["run", str(corpus), "-c", str(config), "-o", out, "-q", "--set", "stages.test_mark.label=x"]) == 2
    assert "another config" in capsys.readouterr().err
    assert main(["run", str(corpus), "-c", str(config), "-o", out, "-q", "--set", "stages.test_mark.label=x",
                 "--overwrite"]) == 0  # fmt: skip


def test_debug_raises_instead_of_printing_one_line(corpus: Path, config: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="bad options"):
        main(
            [
                "--debug",
                "run",
                str(corpus),
                "-c",
                str(config),
                "-o",
                str(tmp_path / "o"),
                "--set",
                "stages.test_mark.x=1",
            ]
        )


def test_missing_model_is_one_line_without_debug_and_a_traceback_with_it(
    corpus: Path, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "run",
        str(corpus),
        "-c",
        str(config),
        "--set",
        "stages.test_fail.kind=model",
        "--set",
        "stages.test_fail.when=日本",
    ]
    assert main([*args, "-o", str(tmp_path / "a")]) == 1
    assert capsys.readouterr().err == "zhnews: error: model folder models/missing not found\n"
    debug = subprocess.run(
        [sys.executable, "-m", "pipeline", "--debug", *args, "-o", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().endswith("pipeline.errors.ModelError: model folder models/missing not found")


def test_default_config_on_the_sample_corpus(repo_dir: Path, tmp_path: Path) -> None:
    sample = repo_dir / "corpora" / "sample"
    files = [p for p in sample.glob("*") if p.suffix in {".md", ".txt", ".jsonl"}]
    if not files:
        pytest.skip("corpora/sample has no articles yet")
    out = tmp_path / "out"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("zhnews")), "run", str(sample), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["files"] == len(files)
    assert summary["config"]["run"]["stages"][:2] == ["normalize", "segment"]
    for record in records(out):
        assert record["tokens"], record["id"]
        for span in record["tokens"] + record["links"] + record["entities"]:
            assert record["text"][span["start"] : span["end"]] == (span.get("surface") or span["text"])


def test_cli_choices_match_the_libraries_choices() -> None:
    from pipeline.classify.topic import PRESETS
    from pipeline.cli.classify import TOPIC_PRESETS
    from pipeline.cli.topicmodel import TOPIC_MODEL_METHODS
    from pipeline.topicmodel import METHODS

    assert TOPIC_PRESETS == PRESETS
    assert TOPIC_MODEL_METHODS == tuple(METHODS)


def test_building_the_command_line_does_not_load_scikit_learn_or_spacy() -> None:
    """Every command starts by building the argument parser; heavy libraries wait for the command that needs them."""
    code = (
        "import sys; from pipeline.cli import main\n"
        "try:\n    main(['run', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('sklearn', 'spacy', 'torch', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
