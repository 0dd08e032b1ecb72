"""Big JSONL files stream through a run in chunks of whole lines: every line a record or an error record, in
input order, the same output whatever the workers, and an interrupted run resumes inside the file."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from pipeline.core.config import config_from_dict
from pipeline.core.runner import run
from pipeline.ingest import readers

TEXTS = ["东京会见美国国务卿布林肯。", "香港书展今日开幕\u2028吸引大批市民。", "台风摩羯在海南登陆。"]


@pytest.fixture()
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "CHUNK_BYTES", 400)


def _jsonl(tmp_path: Path, n: int = 60) -> Path:
    path = tmp_path / "big.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": TEXTS[i % 3] * (1 + i % 4)}, ensure_ascii=False) for i in range(n)]
    lines[17] = '{"id": "broken", "text": '
    lines[30] = json.dumps({"id": "huge", "text": "长" * 3000}, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _config():  # type: ignore[no-untyped-def]
    return config_from_dict(
        {
            "run": {"stages": ["normalize", "segment"]},
            "ingest": {"max_bytes": 5000},
            "stages": {"segment": {"hmm": False}},
        }
    )


def test_chunks_cover_the_file_at_line_boundaries(tmp_path: Path, small_chunks: None) -> None:
    path = _jsonl(tmp_path)
    chunks = readers.jsonl_chunks(str(path))
    data = path.read_bytes()
    assert len(chunks) > 5
    assert chunks[0].start == 0 and chunks[-1].end == len(data)
    for a, b in itertools.pairwise(chunks):
        assert a.end == b.start and data[a.end - 1 : a.end] == b"\n"
        assert b.first_line == a.first_line + data[a.start : a.end].count(b"\n")


def test_every_line_is_a_record_or_an_error_in_input_order(tmp_path: Path, small_chunks: None) -> None:
    path = _jsonl(tmp_path)
    report = run([str(path)], _config(), tmp_path / "out")
    records = [json.loads(x) for x in (tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"r{i}" for i in range(60) if i not in (17, 30)]
    assert [e["path"] for e in errors] == [f"{path}:18", f"{path}:31"]
    assert "not valid JSON" in errors[0]["error"] and "record too large" in errors[1]["error"]
    assert report.summary["files"] == 1 and report.summary["articles"] == 58


def test_workers_and_resume_inside_the_file_give_the_same_output(tmp_path: Path, small_chunks: None) -> None:
    path = _jsonl(tmp_path)
    run([str(path)], _config(), tmp_path / "one")
    run([str(path)], _config(), tmp_path / "two", workers=2)
    # an interrupted run: the manifest holds the first chunks only
    out = tmp_path / "resumed"
    run([str(path)], _config(), out)
    done = (out / "done.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(done[2])
    (out / "done.jsonl").write_text("\n".join(done[:3]) + "\n", encoding="utf-8")
    with open(out / "records.jsonl", "r+b") as f:
        f.truncate(first["records_end"])
    with open(out / "errors.jsonl", "r+b") as f:
        f.truncate(first["errors_end"])
    report = run([str(path)], _config(), out)
    assert report.summary["this_invocation"]["resumed"]
    for name in ("records.jsonl", "errors.jsonl"):
        whole = (tmp_path / "one" / name).read_bytes()
        assert (tmp_path / "two" / name).read_bytes() == whole
        assert (out / name).read_bytes() == whole
