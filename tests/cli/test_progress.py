"""Progress bars of the long commands: drawn on stderr only when it is a terminal, never with --quiet, never on stdout.

A terminal is faked by making the captured stderr's ``isatty`` say yes (tqdm then draws into the capture).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.cli.progress import Bar, bars_enabled, counted, make_bar, progress_bar, run_bar
from pipeline.core.resources import model_dir

STAGES_FILE = str(Path(__file__).resolve().parents[1] / "runner_stages.py")
BAR_MARKS = ("|", "it/s", "s/it", "/s]")
STANCE_ROWS = [
    ("开放二胎", "支持开放二胎，孩子有个伴", "FAVOR"),
    ("开放二胎", "二胎政策好，家里热闹", "FAVOR"),
    ("开放二胎", "全面二胎我举双手赞成", "FAVOR"),
    ("开放二胎", "二胎养不起，压力太大", "AGAINST"),
    ("开放二胎", "反对二胎，房价太高了", "AGAINST"),
    ("开放二胎", "生二胎？没钱没时间", "AGAINST"),
    ("春节放鞭炮", "过年放鞭炮才有年味", "FAVOR"),
    ("春节放鞭炮", "支持春节放鞭炮，传统不能丢", "FAVOR"),
    ("春节放鞭炮", "放鞭炮热闹喜庆", "FAVOR"),
    ("春节放鞭炮", "放鞭炮污染空气，应该禁止", "AGAINST"),
    ("春节放鞭炮", "鞭炮噪音太吵，反对放鞭炮", "AGAINST"),
    ("春节放鞭炮", "放鞭炮危险，每年都有人受伤", "AGAINST"),
]


def fake_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def drawn(text: str) -> bool:
    return "\r" in text and any(mark in text for mark in BAR_MARKS)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A finished tiny run (plugin stage only: no models) to export and to rerun."""
    source = tmp_path / "in.jsonl"
    rows = [{"id": f"a{i}", "text": f"第{i}篇文章，日本和美国讨论合作。"} for i in range(5)]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    config = tmp_path / "run.toml"
    config.write_text(f'[run]\nstages = ["test_mark"]\nplugins = ["{STAGES_FILE}"]\n', encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(source), "-c", str(config), "-o", str(out), "-q"]) == 0
    return out


@pytest.fixture
def stance_data(tmp_path: Path) -> Path:
    path = tmp_path / "stance.txt"
    lines = ["ID\tTARGET\tTEXT\tSTANCE"] + [f"{i}\t{t}\t{x}\t{y}" for i, (t, x, y) in enumerate(STANCE_ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_helper_draws_only_on_a_terminal_and_never_when_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert not bars_enabled(False)  # captured stderr is no terminal
    with progress_bar(False, total=3, desc="work") as bar:
        bar(3)
    assert not bar.active and capsys.readouterr() == ("", "")
    assert run_bar(False) is None
    fake_tty(monkeypatch)
    assert bars_enabled(False) and not bars_enabled(True)
    assert run_bar(True) is None and run_bar(False) is not None
    with progress_bar(True, total=3, desc="work") as bar:
        bar(3)
    assert capsys.readouterr() == ("", "")
    with progress_bar(False, total=3, desc="work", unit="thing") as bar:
        assert bar.active
        assert list(counted(["a", "b", "c"], bar)) == ["a", "b", "c"]
        bar.note("a line above the bar")
    out, err = capsys.readouterr()
    assert out == "" and "work" in err and "thing" in err and "a line above the bar" in err
    assert not bar.active  # closed by the context manager


def test_a_closed_or_plain_bar_is_a_no_op(capsys: pytest.CaptureFixture[str]) -> None:
    bar = Bar(None)
    bar(5)
    bar.describe("phase")
    bar.close()
    make_bar(False).close()
    assert capsys.readouterr() == ("", "")


def test_run_draws_its_bar_on_stderr_of_a_terminal_only(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config, source = tmp_path / "run.toml", tmp_path / "in.jsonl"
    fake_tty(monkeypatch)
    assert main(["run", str(source), "-c", str(config), "-o", str(tmp_path / "again")]) == 0
    out, err = capsys.readouterr()
    assert drawn(err) and "file" in err
    assert "\r" not in out and not any(mark in out for mark in ("it/s", "file/s"))
    assert main(["run", str(source), "-c", str(config), "-o", str(tmp_path / "third"), "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("quiet", [False, True])
def test_export_bar_on_a_terminal_not_with_quiet(
    run_dir: Path, tmp_path: Path, quiet: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_tty(monkeypatch)
    args = ["export", "doccano", str(run_dir), "--out", str(tmp_path / "exp")] + (["-q"] if quiet else [])
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert out.startswith("exported 5 records") and "\r" not in out
    assert drawn(err) != quiet
    if not quiet:
        assert "export doccano" in err and "record" in err


def test_export_without_a_terminal_draws_nothing(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "conll", str(run_dir), "--out", str(tmp_path / "exp")]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("exported 5 records")


def test_train_stance_ticks_folds_and_the_final_fit(
    stance_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_tty(monkeypatch)
    args = ["train", "stance", str(stance_data), "--no-save", "--folds", "2", "--sentiment", "0"]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert drawn(err) and "fit" in err and "/3" in err  # 2 folds + the final fit
    assert "\r" not in out and out.startswith("cross-validation (2 folds)")
    assert not re.search(r"^\[\d\d:\d\d:\d\d\]", err, re.MULTILINE)  # phase messages label the bar instead


def test_eval_stance_bar_counts_texts_and_quiet_silences_it(
    stance_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_tty(monkeypatch)
    model = str(model_dir("stance"))
    assert main(["eval", "stance", str(stance_data), "--model", model]) == 0
    out, err = capsys.readouterr()
    assert drawn(err) and "text" in err and "\r" not in out and out.startswith("F_avg")
    assert main(["eval", "stance", str(stance_data), "--model", model, "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.startswith("F_avg")


def test_the_fold_loop_behind_a_bar_predicts_what_cross_val_predict_does() -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from pipeline.classify.training import _cross_validate_and_fit

    rng = np.random.default_rng(0)
    X = [row for row in rng.normal(size=(60, 4))]
    y = np.asarray(["a" if row[0] + 0.3 * row[1] > 0 else "b" for row in X], dtype=object)
    ticks: list[int] = []
    results = []
    for advance in (None, ticks.append):
        timings: dict[str, float] = {}
        pred = _cross_validate_and_fit(
            LogisticRegression(C=0.3), X, y, y, 3, 0, 1, timings, lambda _: None, "rows", advance=advance
        )
        results.append(pred)
    assert ticks == [1, 1, 1, 1]  # three folds, then the final fit
    assert results[0] is not None and results[1] is not None
    assert list(results[0]) == list(results[1])
