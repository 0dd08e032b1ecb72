"""Records as brat standoff: per record ``NAME.txt`` (the text) and ``NAME.ann`` (``T1<TAB>LOC 0 2<TAB>东京``).

Offsets are code points into the ``.txt``, which is the record's text byte for byte (UTF-8, no newline
translation), as the standoff spec defines them ("character offsets"). Each entity is one text-bound
annotation with a single fragment ``start end``, so it comes back exactly even when it spans a line break; the
``.ann`` is line oriented, so the annotation's copy of its text (informative only; readers use the offsets)
has line breaks and tabs replaced by spaces. Caveat: brat's own server opens ``.txt`` files with universal
newlines, so for a text containing ``\\r`` (``zhnews run`` writes only ``\\n``) brat would show spans after it
shifted; our reader does not translate newlines.

File names come from record ids through :mod:`pipeline.interchange.filenames`; ``ids.jsonl`` maps each name back
to its id, and ``annotation.conf`` declares the entity types so brat can open the folder as a collection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.core.output import json_line
from pipeline.errors import DataError
from pipeline.eval.spans import Span
from pipeline.interchange.filenames import UniqueNames
from pipeline.interchange.records import entity_spans, labels_of, make_record, read_jsonl

IDS_NAME = "ids.jsonl"
CONF_NAME = "annotation.conf"
_LABEL = re.compile(r"^[^\s]+$")
_TEXTBOUND = re.compile(r"^(\d+) (\d+)((?:;\d+ \d+)*)$")


def ann_lines(record: dict[str, Any]) -> list[str]:
    text = record["text"]
    lines = []
    for n, s in enumerate(entity_spans(record), 1):
        if not _LABEL.match(s.label):
            raise DataError(f"record {record['id']}: label {s.label!r} cannot be a brat type (no whitespace)")
        shown = "".join(" " if ch.isspace() else ch for ch in text[s.start : s.end])
        lines.append(f"T{n}\t{s.label} {s.start} {s.end}\t{shown}")
    return lines


def write_brat(records: Iterable[dict[str, Any]], out_dir: str | Path) -> Path:
    """``OUT/NAME.txt`` + ``OUT/NAME.ann`` per record, ``OUT/ids.jsonl`` and ``OUT/annotation.conf``."""
    records = list(records)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = UniqueNames()
    with (out / IDS_NAME).open("w", encoding="utf-8", newline="\n") as ids:
        for record in records:
            name = names(record["id"])
            (out / f"{name}.txt").write_text(record["text"], encoding="utf-8", newline="")
            lines = ann_lines(record)
            (out / f"{name}.ann").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8", newline="")
            ids.write(json_line({"name": name, "id": record["id"]}))
    conf = ["[entities]", *labels_of(records), "", "[relations]", "", "[events]", "", "[attributes]", ""]
    (out / CONF_NAME).write_text("\n".join(conf), encoding="utf-8")
    return out


def read_brat(folder: str | Path) -> list[dict[str, Any]]:
    """Records back from a brat folder: text-bound annotations (``T``) of every ``.ann`` with its ``.txt``.

    A discontinuous annotation (``0 2;3 5``) becomes the span from its first start to its last end. Record ids
    and their order come from ``ids.jsonl`` when present, else the file names (sorted).
    """
    folder = Path(folder)
    ids: dict[str, str] = {}
    if (folder / IDS_NAME).is_file():
        for _, row in read_jsonl(folder / IDS_NAME):
            ids[str(row["name"])] = str(row["id"])
    records = []
    found = {p.stem: p for p in folder.glob("*.ann")}
    listed = [found[name] for name in ids if name in found]  # the export's order
    for ann in listed + sorted(p for name, p in found.items() if name not in ids):
        txt = ann.with_suffix(".txt")
        if not txt.is_file():
            raise DataError(f"{ann}: no {txt.name} beside it")
        with txt.open(encoding="utf-8", newline="") as fh:
            text = fh.read()
        spans = [_textbound(line, ann, n, len(text)) for n, line in enumerate(_ann_lines(ann), 1)]
        records.append(
            make_record(
                ids.get(ann.stem, ann.stem),
                text,
                [s for s in spans if s is not None],
                path=str(ann),
                source="annotation",
            )
        )
    return records


def _ann_lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read().split("\n")


def _textbound(line: str, path: Path, lineno: int, length: int) -> Span | None:
    line = line.rstrip("\r")
    if not line.startswith("T"):
        return None
    parts = line.split("\t", 2)
    if len(parts) < 2 or " " not in parts[1]:
        raise DataError(f"{path}:{lineno}: expected 'T1<TAB>TYPE START END<TAB>text', got {line[:40]!r}")
    label, _, offsets = parts[1].partition(" ")
    m = _TEXTBOUND.match(offsets)
    if m is None:
        raise DataError(f"{path}:{lineno}: bad offsets {offsets!r}")
    numbers = [int(x) for x in re.findall(r"\d+", offsets)]
    start, end = numbers[0], numbers[-1]
    if not 0 <= start < end <= length:
        raise DataError(f"{path}:{lineno}: offsets {start}-{end} outside the text ({length} chars)")
    return Span(start, end, label)
