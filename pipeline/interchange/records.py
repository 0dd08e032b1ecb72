"""Reading a run's records for export, and writing imported annotations as records in the run's shape.

Exports read only ``id``, ``text``, ``entities``, ``links`` (and ``tokens`` for spaCy), and check them first:
an entity outside its text, or whose ``text`` differs from the span it names, would silently become a wrong
annotation in another tool, so it is an error naming the record. Imports write every key a run's record has
(README, "records.jsonl"), empty or null when the annotation tool does not know it, so every reader of
``records.jsonl`` reads them; ``records.jsonl`` is also a JSONL corpus ``zhnews run`` and ``zhnews eval links``
ingest (``id``, ``text``, ``title``, ``links``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pipeline.core.output import json_line
from pipeline.core.textfiles import read_utf8
from pipeline.errors import DataError
from pipeline.eval.spans import Span

RECORDS_FILE = "records.jsonl"


def records_path(run: str | Path) -> Path:
    """``RUN/records.jsonl`` for a run folder, or the file itself when given one."""
    path = Path(run)
    if path.is_dir():
        path = path / RECORDS_FILE
    if not path.is_file():
        raise DataError(f"{path}: no such file (expected a run folder with {RECORDS_FILE}, or the file)")
    return path


def read_records(run: str | Path) -> list[dict[str, Any]]:
    """The checked records of a run folder or records file, in file order."""
    path = records_path(run)
    records = []
    for where, record in read_jsonl(path):
        check_record(record, where)
        records.append(record)
    return records


def read_jsonl(path: str | Path) -> list[tuple[str, Any]]:
    """``(path:line, object)`` for each line of a JSONL file, split at ``\\n`` only: a record's text may hold
    U+2028 or U+0085 raw (valid JSON), which ``str.splitlines`` would cut it at."""
    p = Path(path)
    text = read_utf8(p)
    out = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            out.append((f"{p}:{lineno}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise DataError(f"{p}:{lineno}: not JSON ({exc.msg})") from None
    return out


def check_record(record: Any, where: str) -> None:
    """A record an exporter can rely on: string id and text, entities and links that cut the text exactly."""
    if not isinstance(record, dict):
        raise DataError(f"{where}: record is not a JSON object")
    if not isinstance(record.get("id"), str) or not isinstance(record.get("text"), str):
        raise DataError(f'{where}: record needs an "id" and a "text" string')
    text = record["text"]
    for key, surface_key in (("entities", "text"), ("links", "surface")):
        items = record.get(key) or []
        if not isinstance(items, list):
            raise DataError(f'{where}: "{key}" must be a list')
        for i, item in enumerate(items):
            start, end = item.get("start"), item.get("end")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
                raise DataError(f"{where}: {key}[{i}] has offsets {start}-{end} outside the text ({len(text)} chars)")
            surface = item.get(surface_key)
            if surface is not None and surface != text[start:end]:
                raise DataError(f"{where}: {key}[{i}] {surface_key} {surface!r} is not text[{start}:{end}]")
            if key == "entities" and not isinstance(item.get("label"), str):
                raise DataError(f"{where}: entities[{i}] has no label string")


def entity_spans(record: dict[str, Any]) -> list[Span]:
    """The record's entities as spans, sorted."""
    return sorted(Span(int(e["start"]), int(e["end"]), str(e["label"])) for e in record.get("entities") or ())


def labels_of(records: Iterable[dict[str, Any]]) -> list[str]:
    return sorted({str(e["label"]) for r in records for e in r.get("entities") or ()})


def make_record(
    record_id: str,
    text: str,
    entities: Iterable[Span],
    *,
    path: str,
    source: str,
    links: Sequence[dict[str, Any]] = (),
    title: str | None = None,
    warnings: Sequence[str] = (),
) -> dict[str, Any]:
    """A record in the run's shape from an annotation: what the tool knows, empty or null for the rest."""
    record: dict[str, Any] = {
        "id": record_id,
        "path": path,
        "title": title,
        "date": None,
        "url": None,
        "script": None,
        "text": text,
        "tokens": [],
        "links": sorted(links, key=lambda k: (k["start"], k["end"])),
        "entities": [
            {"text": text[s.start : s.end], "start": s.start, "end": s.end, "label": s.label, "source": source}
            for s in sorted(set(entities))
        ],
    }
    if warnings:
        record["warnings"] = list(warnings)
    return record


def write_records(records: Iterable[dict[str, Any]], out_dir: str | Path) -> Path:
    """``OUT/records.jsonl``, one JSON object a line, UTF-8, as ``zhnews run`` writes it."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RECORDS_FILE
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(json_line(record) for record in records)
    return path


def read_json_file(path: str | Path) -> Any:
    """A JSON file, with one-line errors."""
    p = Path(path)
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(f"{p}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{p}:{exc.lineno}: not JSON ({exc.msg})") from None


def run_model_version(run: str | Path) -> str:
    """What made the entities, from the run's ``summary.json``: ``zhnews-0.1.0 ner=models/ner`` (or ``zhnews``)."""
    folder = Path(run) if Path(run).is_dir() else Path(run).parent
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "zhnews"
    version = f"zhnews-{summary.get('zhnews_version', '')}".rstrip("-")
    model = ((summary.get("config") or {}).get("stages") or {}).get("ner", {}).get("model")
    return f"{version} ner={Path(model).name}" if isinstance(model, str) else version
