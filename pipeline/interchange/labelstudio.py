"""Label Studio: tasks with the model's entities as predictions, a labeling config, and the import of corrections.

Export (Label Studio's documented pre-annotation import format, "Basic Label Studio JSON"): a JSON list of
tasks ``{"data": {"text", "id", "title"}, "predictions": [{"model_version", "result": [...]}]}``. The one
prediction holds two layers on the text: the model's entities as ``labels`` regions of the control ``label``,
and the article's hand links as ``labels`` regions of the control ``link`` (label ``LINK``), each with its
target in a per-region ``textarea`` result of the control ``target`` sharing the region's id. One prediction,
not two, because an annotator starts from one prediction: both layers are in front of the editor together.
``labeling_config.xml`` beside the tasks declares those controls; it keeps whitespace (``pre-wrap``), which
Label Studio otherwise trims from what it shows and saves, and offsets count every character.

Import: each task's latest submitted annotation (``annotations[]`` not ``was_cancelled``, latest
``updated_at``; the human's corrections), else its first prediction. ``labels`` regions of any control but
``link`` are entities (one per label of the region); ``link`` regions are links, their target from the
``target`` text area, else the exported link at the same span, else the surface. Label Studio's flat
``JSON-MIN`` export (``{"text", "label": [{"start", "end", "text", "labels"}]}``) is read too. Offsets are
code points (Label Studio counts them so since label-studio-frontend#308) and are checked against each
region's text (:mod:`pipeline.interchange.offsets`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from pipeline.errors import DataError
from pipeline.eval.spans import Span
from pipeline.interchange.offsets import resolve_span
from pipeline.interchange.records import entity_spans, labels_of, make_record, read_json_file

TASKS_NAME = "tasks.json"
CONFIG_NAME = "labeling_config.xml"
ENTITY_CONTROL = "label"
LINK_CONTROL = "link"
TARGET_CONTROL = "target"
TEXT_OBJECT = "text"
LINK_LABEL = "LINK"
DEFAULT_LABELS = ("LOC", "ORG", "PER")


def _region(rid: str, control: str, text: str, start: int, end: int, label: str) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": control,
        "to_name": TEXT_OBJECT,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def record_task(record: dict[str, Any], model_version: str) -> dict[str, Any]:
    """One task: the text and id as data, entities and links as the layers of one prediction."""
    text = record["text"]
    result = [
        _region(f"e{n}", ENTITY_CONTROL, text, s.start, s.end, s.label) for n, s in enumerate(entity_spans(record), 1)
    ]
    links = sorted(record.get("links") or [], key=lambda k: (k["start"], k["end"]))
    for n, link in enumerate(links, 1):
        start, end = link["start"], link["end"]
        result.append(_region(f"l{n}", LINK_CONTROL, text, start, end, LINK_LABEL))
        result.append(
            {
                "id": f"l{n}",
                "from_name": TARGET_CONTROL,
                "to_name": TEXT_OBJECT,
                "type": "textarea",
                "value": {"start": start, "end": end, "text": [link.get("target") or text[start:end]]},
            }
        )
    data: dict[str, Any] = {"text": text, "id": record["id"], "title": record.get("title") or ""}
    data["links"] = [
        {"start": k["start"], "end": k["end"], "surface": text[k["start"] : k["end"]], "target": k.get("target")}
        for k in links
    ]
    return {"data": data, "predictions": [{"model_version": model_version, "result": result}]}


def labeling_config(labels: Iterable[str]) -> str:
    """The labeling config the tasks are made for: entity labels, the link layer and its target text area."""
    entity_labels = "\n".join(f"    <Label value={quoteattr(label)}/>" for label in labels)
    return f"""<View>
  <Style>.htx-text {{ white-space: pre-wrap; }}</Style>
  <Labels name="{ENTITY_CONTROL}" toName="{TEXT_OBJECT}">
{entity_labels}
  </Labels>
  <Labels name="{LINK_CONTROL}" toName="{TEXT_OBJECT}">
    <Label value="{LINK_LABEL}" background="#9e9e9e"/>
  </Labels>
  <Text name="{TEXT_OBJECT}" value="$text"/>
  <TextArea name="{TARGET_CONTROL}" toName="{TEXT_OBJECT}" perRegion="true" editable="true"
            displayMode="region-list" placeholder="link target"/>
</View>
"""


def write_labelstudio(records: Iterable[dict[str, Any]], out_dir: str | Path, *, model_version: str) -> Path:
    """``OUT/tasks.json`` and ``OUT/labeling_config.xml``."""
    records = list(records)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [record_task(r, model_version) for r in records]
    path = out / TASKS_NAME
    path.write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    labels = sorted(set(labels_of(records)) | set(DEFAULT_LABELS))
    (out / CONFIG_NAME).write_text(labeling_config(labels), encoding="utf-8")
    return path


# -- import ----------------------------------------------------------------------------------------------------


def read_labelstudio(path: str | Path) -> list[dict[str, Any]]:
    """Records from a Label Studio JSON (or JSON-MIN) export, or from our own tasks file."""
    data = read_json_file(path)
    tasks = data if isinstance(data, list) else [data]
    return [_task_record(task, i, str(path)) for i, task in enumerate(tasks)]


def _task_record(task: Any, index: int, path: str) -> dict[str, Any]:
    where = f"{path}: task {index}"
    if not isinstance(task, dict):
        raise DataError(f"{where}: not a JSON object")
    if "data" not in task and "text" in task:  # JSON-MIN: data fields at the top, the regions under a control name
        return _min_record(task, index, path)
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise DataError(f"{where}: no data.text string")
    text = data["text"]
    record_id = str(data.get("id", task.get("id", index)))
    where = f"{path}: task {record_id}"
    result, source = _chosen_result(task, where)
    targets = {
        r.get("id"): _first_text(r.get("value", {}).get("text"))
        for r in result
        if r.get("type") == "textarea" and r.get("from_name") == TARGET_CONTROL
    }
    exported = {(k.get("start"), k.get("end")): k.get("target") for k in data.get("links") or [] if isinstance(k, dict)}
    spans: list[Span] = []
    links: list[dict[str, Any]] = []
    warnings: list[str] = []
    for n, region in enumerate(result):
        if region.get("type") != "labels":
            continue
        value = _value(region.get("value"), f"{where} region {n}")
        (start, end), warning = resolve_span(
            text, value.get("start"), value.get("end"), value.get("text"), f"{where} region {n}"
        )
        if warning:
            warnings.append(warning)
        if region.get("from_name") == LINK_CONTROL:
            target = targets.get(region.get("id")) or exported.get((start, end)) or text[start:end]
            links.append({"start": start, "end": end, "surface": text[start:end], "target": target})
        else:
            spans.extend(Span(start, end, str(label)) for label in value.get("labels") or [])
    title = data.get("title") or None
    return make_record(record_id, text, spans, path=path, source=source, links=links, title=title, warnings=warnings)


def _chosen_result(task: dict[str, Any], where: str) -> tuple[list[dict[str, Any]], str]:
    """The latest submitted annotation's result, else the first prediction's; and the entities' source."""
    annotations = [a for a in task.get("annotations") or task.get("completions") or [] if isinstance(a, dict)]
    submitted = [a for a in annotations if not a.get("was_cancelled")]
    if submitted:
        latest = max(enumerate(submitted), key=lambda ia: (str(ia[1].get("updated_at") or ""), ia[0]))[1]
        return _result_list(latest, where), "annotation"
    predictions = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    if predictions:
        return _result_list(predictions[0], where), "model"
    return [], "annotation"


def _result_list(item: dict[str, Any], where: str) -> list[dict[str, Any]]:
    result = item.get("result") or []
    if not isinstance(result, list):
        raise DataError(f"{where}: result is not a list")
    return [r for r in result if isinstance(r, dict)]


def _value(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DataError(f"{where}: region value is not an object")
    return value


def _first_text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def _min_record(task: dict[str, Any], index: int, path: str) -> dict[str, Any]:
    text = task["text"]
    if not isinstance(text, str):
        raise DataError(f"{path}: task {index}: text is not a string")
    record_id = str(task.get("id", index))
    where = f"{path}: task {record_id}"
    spans: list[Span] = []
    links: list[dict[str, Any]] = []
    warnings: list[str] = []
    for control in (ENTITY_CONTROL, LINK_CONTROL):
        regions = task.get(control) or []
        for n, item in enumerate(regions if isinstance(regions, list) else []):
            value = _value(item, f"{where} {control} {n}")
            (start, end), warning = resolve_span(
                text, value.get("start"), value.get("end"), value.get("text"), f"{where} {control} {n}"
            )
            if warning:
                warnings.append(warning)
            if control == LINK_CONTROL:
                links.append({"start": start, "end": end, "surface": text[start:end], "target": text[start:end]})
            else:
                spans.extend(Span(start, end, str(label)) for label in value.get("labels") or [])
    return make_record(record_id, text, spans, path=path, source="annotation", links=links, warnings=warnings)
