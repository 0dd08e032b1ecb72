"""``zhnews report RUN_DIR`` and ``zhnews eval links ... --html FILE``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.report.dom import parse
from tests.report.report_records import hostile_record, plain_record

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(__file__).resolve().parent / "report_stages.py"


def _write_run(folder: Path) -> Path:
    folder.mkdir()
    records = [plain_record(), hostile_record()]
    (folder / "records.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    (folder / "errors.jsonl").write_text('{"id": null, "path": "x.md", "error": "empty file", "stage": "ingest"}\n')
    return folder


def test_report_of_a_run_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = _write_run(tmp_path / "run")
    assert main(["report", str(run)]) == 0
    assert f"wrote {run / 'report.html'} (2 articles" in capsys.readouterr().out
    dom = parse((run / "report.html").read_text(encoding="utf-8"))
    assert "1 error records" in dom.find_all("header")[0].text()
    assert len(dom.by_id("article-table").find_all("tbody")[0].find_all("tr")) == 2
    out = tmp_path / "deep" / "r.html"
    assert main(["report", str(run / "records.jsonl"), "--out", str(out), "--title", "标题 <x>"]) == 0
    assert "<title>标题 &lt;x&gt;</title>" in out.read_text(encoding="utf-8")


def test_report_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path)]) == 1
    bad = tmp_path / "records.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\nnot json\n', encoding="utf-8")
    assert main(["report", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "no records.jsonl" in err[0] and "records.jsonl:2: not JSON" in err[1]


def test_eval_links_writes_the_html_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "links.html"
    article = REPO / "corpora" / "sample" / "04_nato_washington_summit.md"
    argv = ["eval", "links", str(article), "--ner-stage", "test_report_ner", "--set", f'run.plugins=["{PLUGIN}"]']
    assert main([*argv, "--html", str(html), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    dom = parse(html.read_text(encoding="utf-8"))
    assert dom.by_id("scores") and len(dom.by_id("art-0").find_all(cls="ent-label")) == report["totals"]["entities"]
    data = json.loads(dom.by_id("report-data").text())
    assert len(data["worklist"]) == sum(report["disagreements"].values())
