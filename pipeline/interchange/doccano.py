"""doccano sequence labeling: JSONL ``{"id", "text", "label": [[start, end, LABEL], ...]}``, and its exports back.

The export is doccano's documented import format for sequence labeling, one record a line; the record id is
also written as ``record_id``, a metadata column doccano keeps, because doccano puts its own numeric ``id`` on
the examples it exports. The import reads doccano's exports: ``label`` as ``[start, end, LABEL]`` triples, or
``entities`` as ``{"start_offset", "end_offset", "label"}`` objects (relation projects and newer doccano),
and takes the id from ``record_id`` (top level or under ``meta``/``metadata``), else ``id``. doccano counts
code points (doccano#108); offsets are still checked against the text (:mod:`pipeline.interchange.offsets`
cannot repair them without a surface, so a region outside the text is an error).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.core.output import json_line
from pipeline.errors import DataError
from pipeline.eval.spans import Span
from pipeline.interchange.offsets import resolve_span
from pipeline.interchange.records import entity_spans, make_record, read_jsonl

FILE_NAME = "records.doccano.jsonl"


def record_line(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": record["id"],
        "text": record["text"],
        "label": [[s.start, s.end, s.label] for s in entity_spans(record)],
        "record_id": record["id"],
    }


def write_doccano(records: Iterable[dict[str, Any]], out_dir: str | Path) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / FILE_NAME
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(json_line(record_line(record)) for record in records)
    return path


def read_doccano(path: str | Path) -> list[dict[str, Any]]:
    """Records from a doccano JSONL export (or our export), in file order."""
    return [_item_record(item, where, str(path), n) for n, (where, item) in enumerate(read_jsonl(path), 1)]


def _record_id(item: dict[str, Any], lineno: int) -> str:
    for meta in (item, item.get("meta"), item.get("metadata")):
        if isinstance(meta, dict) and meta.get("record_id") is not None:
            return str(meta["record_id"])
    return str(item.get("id", lineno))


def _item_record(item: Any, where: str, path: str, lineno: int) -> dict[str, Any]:
    if not isinstance(item, dict) or not isinstance(item.get("text") if "text" in item else item.get("data"), str):
        raise DataError(f'{where}: expected an object with a "text" string')
    text = item["text"] if "text" in item else item["data"]
    raw: list[tuple[Any, Any, Any]] = []
    for entry in item.get("label") or []:
        if isinstance(entry, list | tuple) and len(entry) == 3:
            raw.append((entry[0], entry[1], entry[2]))
        else:
            raise DataError(f"{where}: label entry {entry!r} is not [start, end, LABEL]")
    for entry in item.get("entities") or []:
        if not isinstance(entry, dict):
            raise DataError(f"{where}: entities entry {entry!r} is not an object")
        raw.append((entry.get("start_offset"), entry.get("end_offset"), entry.get("label")))
    spans = []
    for n, (start, end, label) in enumerate(raw):
        if not isinstance(label, str) or not label:
            raise DataError(f"{where}: region {n} has no label string")
        (s, e), _ = resolve_span(text, start, end, None, f"{where} region {n}")
        spans.append(Span(s, e, label))
    return make_record(_record_id(item, lineno), text, spans, path=path, source="annotation")
