"""Label Studio: tasks and config in its documented format, and corrections read back exactly."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from pipeline.errors import DataError
from pipeline.interchange.labelstudio import CONFIG_NAME, read_labelstudio, record_task, write_labelstudio
from pipeline.interchange.offsets import utf16_to_code_points
from tests.interchange.interchange_strategies import make_record, record_lists, span_set

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TEXT = "𠮷野家在東京開店，😀習近平\r\n訪問日本"


def _record() -> dict[str, Any]:
    links = [{"start": 4, "end": 6, "surface": "東京", "target": "東京都"}]
    return make_record("doc/1", TEXT, [(0, 3, "ORG"), (4, 6, "LOC"), (10, 13, "PER")], links=links, title="標題")


def _export(tmp_path: Path, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    path = write_labelstudio(records, tmp_path, model_version="zhnews-test")
    return json.loads(path.read_text("utf-8"))


@SETTINGS
@given(records=record_lists())
def test_predictions_round_trip(records: list[dict[str, Any]], tmp_path: Path) -> None:
    write_labelstudio(records, tmp_path, model_version="m")
    back = read_labelstudio(tmp_path / "tasks.json")
    assert [r["id"] for r in back] == [r["id"] for r in records]
    assert [r["text"] for r in back] == [r["text"] for r in records]
    assert [span_set(r) for r in back] == [span_set(r) for r in records]
    assert all(r["entities"] == [] or {e["source"] for e in r["entities"]} == {"model"} for r in back)


def test_task_layout(tmp_path: Path) -> None:
    (task,) = _export(tmp_path, [_record()])
    assert task["data"]["text"] == TEXT and task["data"]["id"] == "doc/1"
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "zhnews-test"
    entities = [r for r in prediction["result"] if r["from_name"] == "label"]
    assert entities[0] == {
        "id": "e1",
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 0, "end": 3, "text": "𠮷野家", "labels": ["ORG"]},
    }
    link = [r for r in prediction["result"] if r["from_name"] == "link"]
    target = [r for r in prediction["result"] if r["from_name"] == "target"]
    assert link[0]["value"]["labels"] == ["LINK"] and target[0]["id"] == link[0]["id"]
    assert target[0]["value"]["text"] == ["東京都"]


def test_the_config_declares_every_control_the_tasks_use(tmp_path: Path) -> None:
    (task,) = _export(tmp_path, [_record()])
    root = ET.fromstring((tmp_path / CONFIG_NAME).read_text("utf-8"))
    controls = {el.get("name"): el for el in root if el.get("toName")}
    assert {r["from_name"] for r in task["predictions"][0]["result"]} <= set(controls)
    assert {el.get("value") for el in controls["label"]} >= {"LOC", "ORG", "PER"}
    assert root.find("Text").get("name") == "text" and root.find("Text").get("value") == "$text"


def test_the_latest_submitted_annotation_wins(tmp_path: Path) -> None:
    (task,) = _export(tmp_path, [_record()])

    def annotation(updated: str, spans: list[tuple[int, int, str]], cancelled: bool = False) -> dict[str, Any]:
        result = [
            {
                "id": f"x{i}",
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
                "value": {"start": s, "end": e, "text": TEXT[s:e], "labels": [lab]},
            }
            for i, (s, e, lab) in enumerate(spans)
        ]
        return {"id": updated, "result": result, "was_cancelled": cancelled, "updated_at": updated}

    task["annotations"] = [
        annotation("2026-01-02T00:00:00Z", [(0, 3, "ORG"), (4, 6, "GPE")]),
        annotation("2026-01-03T00:00:00Z", [(0, 2, "ORG")], cancelled=True),
        annotation("2026-01-01T00:00:00Z", [(0, 3, "PER")]),
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task], ensure_ascii=False), "utf-8")
    (record,) = read_labelstudio(path)
    assert span_set(record) == [(0, 3, "ORG"), (4, 6, "GPE")]
    assert {e["source"] for e in record["entities"]} == {"annotation"}
    assert record["links"] == []  # the annotator's result has no link layer: the links were removed


def test_links_and_their_targets_come_back(tmp_path: Path) -> None:
    write_labelstudio([_record()], tmp_path, model_version="m")
    (record,) = read_labelstudio(tmp_path / "tasks.json")
    assert record["links"] == [{"start": 4, "end": 6, "surface": "東京", "target": "東京都"}]
    assert record["title"] == "標題" and record["tokens"] == [] and record["script"] is None


def test_utf16_offsets_are_repaired_with_a_warning(tmp_path: Path) -> None:
    # an old Label Studio counts 𠮷 and 😀 as two: 習近平 at UTF-16 12-15 is code points 10-13
    assert utf16_to_code_points(TEXT, 12) == 10 and utf16_to_code_points(TEXT, 1) is None
    task = {
        "data": {"text": TEXT, "id": "t"},
        "annotations": [
            {
                "result": [
                    {
                        "type": "labels",
                        "from_name": "label",
                        "value": {"start": 12, "end": 15, "text": "習近平", "labels": ["PER"]},
                    }
                ]
            }
        ],
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps([task], ensure_ascii=False), "utf-8")
    (record,) = read_labelstudio(path)
    assert span_set(record) == [(10, 13, "PER")]
    assert "UTF-16" in record["warnings"][0]


def test_json_min_export_is_read(tmp_path: Path) -> None:
    rows = [{"id": 7, "text": TEXT, "label": [{"start": 4, "end": 6, "text": "東京", "labels": ["LOC"]}]}]
    path = tmp_path / "min.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    (record,) = read_labelstudio(path)
    assert record["id"] == "7" and span_set(record) == [(4, 6, "LOC")]


def test_a_region_that_is_not_in_the_text_is_an_error(tmp_path: Path) -> None:
    task = {
        "data": {"text": "東京"},
        "annotations": [
            {"result": [{"type": "labels", "value": {"start": 0, "end": 2, "text": "大阪", "labels": ["LOC"]}}]}
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([task], ensure_ascii=False), "utf-8")
    with pytest.raises(DataError, match="is not in the text"):
        read_labelstudio(path)


def test_task_without_entities_or_links() -> None:
    task = record_task(make_record("e", "空", []), "m")
    assert task["predictions"][0]["result"] == []
