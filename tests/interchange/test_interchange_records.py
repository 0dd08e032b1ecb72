"""Reading a run's records for export and writing imported ones: checks, line separators, the model version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import DataError
from pipeline.interchange.records import (
    read_jsonl,
    read_records,
    records_path,
    run_model_version,
    write_records,
)
from tests.interchange.interchange_strategies import make_record


def test_texts_with_unicode_line_separators_stay_one_record_a_line(tmp_path: Path) -> None:
    records = [make_record("a", "東京\u2028大阪\x85京都\u2029", [(0, 2, "LOC")]), make_record("b", "台北", [])]
    path = write_records(records, tmp_path)
    assert len(path.read_text("utf-8").split("\n")) == 3  # two lines and the final newline
    assert read_records(tmp_path) == records


@pytest.mark.parametrize(
    ("entity", "message"),
    [
        ({"text": "東京", "start": 0, "end": 9, "label": "LOC"}, "outside the text"),
        ({"text": "大阪", "start": 0, "end": 2, "label": "LOC"}, "is not text"),
        ({"text": "東京", "start": 0, "end": 2}, "no label"),
    ],
)
def test_bad_entities_are_one_line_errors_naming_the_line(
    entity: dict[str, object], message: str, tmp_path: Path
) -> None:
    (tmp_path / "records.jsonl").write_text(
        json.dumps({"id": "x", "text": "東京", "entities": [entity]}) + "\n", "utf-8"
    )
    with pytest.raises(DataError, match=message) as err:
        read_records(tmp_path)
    assert "records.jsonl:1" in str(err.value) and "\n" not in str(err.value)


def test_bad_json_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('{"id": "a"}\n{oops\n', "utf-8")
    with pytest.raises(DataError, match=r"x\.jsonl:2: not JSON"):
        read_jsonl(tmp_path / "x.jsonl")
    with pytest.raises(DataError, match="no such file"):
        records_path(tmp_path / "nothing")


def test_model_version_from_the_runs_summary(tmp_path: Path) -> None:
    assert run_model_version(tmp_path) == "zhnews"
    summary = {"zhnews_version": "0.1.0", "config": {"stages": {"ner": {"model": "/repo/models/ner"}}}}
    (tmp_path / "summary.json").write_text(json.dumps(summary), "utf-8")
    assert run_model_version(tmp_path) == "zhnews-0.1.0 ner=ner"
    assert run_model_version(tmp_path / "records.jsonl") == "zhnews-0.1.0 ner=ner"
