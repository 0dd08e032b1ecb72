"""doccano sequence-labeling JSONL: our export and doccano's two export shapes read back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from pipeline.errors import DataError
from pipeline.interchange.doccano import read_doccano, write_doccano
from tests.interchange.interchange_strategies import make_record, record_lists, span_set

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(records=record_lists())
def test_doccano_round_trip(records: list[dict[str, Any]], tmp_path: Path) -> None:
    back = read_doccano(write_doccano(records, tmp_path))
    assert [r["id"] for r in back] == [r["id"] for r in records]
    assert [r["text"] for r in back] == [r["text"] for r in records]
    assert [span_set(r) for r in back] == [span_set(r) for r in records]


def test_export_line(tmp_path: Path) -> None:
    path = write_doccano([make_record("a1", "在東京", [(1, 3, "LOC")])], tmp_path)
    assert json.loads(path.read_text("utf-8")) == {
        "id": "a1",
        "text": "在東京",
        "label": [[1, 3, "LOC"]],
        "record_id": "a1",
    }


def test_doccano_exports_are_read(tmp_path: Path) -> None:
    text = "😀拜登會見習近平"
    lines = [
        {"id": 17, "text": text, "label": [[1, 3, "PER"]], "record_id": "r/1"},
        {
            "id": 18,
            "text": text,
            "entities": [{"id": 3, "label": "PER", "start_offset": 5, "end_offset": 8}],
            "relations": [],
        },
        {"id": 19, "text": text, "label": [], "meta": {"record_id": "r/3"}},
    ]
    path = tmp_path / "all.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")
    records = read_doccano(path)
    assert [r["id"] for r in records] == ["r/1", "18", "r/3"]
    assert [span_set(r) for r in records] == [[(1, 3, "PER")], [(5, 8, "PER")], []]
    assert records[0]["entities"][0]["text"] == "拜登"


def test_offsets_outside_the_text_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"text": "東京", "label": [[0, 5, "LOC"]]}) + "\n", "utf-8")
    with pytest.raises(DataError, match="outside the text"):
        read_doccano(path)
