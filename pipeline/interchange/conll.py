"""Records as character BIO (``char<TAB>tag``), the format ``zhnews eval ner`` and ``zhnews train ner`` read.

CoNLL files have no place for line breaks (a blank line ends a sentence) nor for offsets, so the convention is:

* each line of a record's text is one sentence block; the lines are what ``str.splitlines`` cuts (``\\n``,
  ``\\r\\n``, ``\\r`` and the other Unicode line breaks), because :func:`pipeline.eval.spans.read_bio` reads the
  file with ``splitlines`` and could not read a line-break character as a token. The breaks are not written and
  empty lines give no block (CoNLL has no empty sentence);
* every other character is one row, whitespace included (`` \\tO``, ``\\u3000\\tO``, even ``\\t\\tO``):
  ``read_bio`` takes the token as everything before the last tab, so each row is one character and the tags
  line up with the text's code points. (A reader that splits rows on any whitespace would lose whitespace
  rows; read the tag as the field after the last tab.) Tags are BIO: ``B-`` on an entity's first character;
* an entity crossing a line break is cut at the break into one entity per line (counted in
  :attr:`ConllExport.cut_entities`): the one loss of the format;
* ``records.offsets.jsonl`` beside ``records.conll`` says, per block in file order, the record (its number in
  the export, since ids need not be unique, and its ``id``) and the ``start`` and ``end`` of the line in the
  record's text, so ``block span + start`` is the record offset.
  :func:`read_conll` uses it to rebuild records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from pipeline.core.output import json_line
from pipeline.errors import DataError
from pipeline.eval.spans import Span, read_bio, spans_to_bio
from pipeline.interchange.records import entity_spans, make_record, read_jsonl

FILE_NAME = "records.conll"
OFFSETS_NAME = "records.offsets.jsonl"


@dataclass
class ConllExport:
    path: Path
    offsets: Path
    blocks: int
    cut_entities: int


def text_lines(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each line of ``text`` without its line break, as ``str.splitlines`` cuts them."""
    out = []
    pos = 0
    for piece in text.splitlines(keepends=True):
        content = piece.splitlines()[0] if piece.splitlines() else ""
        out.append((pos, pos + len(content)))
        pos += len(piece)
    return out


def record_blocks(record: dict[str, Any]) -> tuple[list[tuple[int, int, list[str]]], int]:
    """The record's non-empty lines with their BIO tags, and how many entities a line break cut."""
    text = record["text"]
    spans = entity_spans(record)
    for a, b in pairwise(spans):
        if b.start < a.end:
            raise DataError(f"record {record['id']}: overlapping entities {a.start}-{a.end} and {b.start}-{b.end}")
    lines = [(start, end) for start, end in text_lines(text) if end > start]
    blocks = []
    for start, end in lines:
        inside = [
            Span(max(s.start, start) - start, min(s.end, end) - start, s.label)
            for s in spans
            if s.start < end and start < s.end
        ]
        blocks.append((start, end, spans_to_bio(inside, end - start)))
    cut = sum(1 for s in spans if not any(a <= s.start and s.end <= b for a, b in lines))
    return blocks, cut


def write_conll(records: Iterable[dict[str, Any]], out_dir: str | Path) -> ConllExport:
    """``OUT/records.conll`` and its offsets sidecar ``OUT/records.offsets.jsonl``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path, offsets = out / FILE_NAME, out / OFFSETS_NAME
    n_blocks = n_cut = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh, offsets.open("w", encoding="utf-8", newline="\n") as oh:
        for n, record in enumerate(records):
            blocks, cut = record_blocks(record)
            n_cut += cut
            text = record["text"]
            for start, end, tags in blocks:
                if n_blocks:
                    fh.write("\n")
                fh.writelines(f"{ch}\t{tag}\n" for ch, tag in zip(text[start:end], tags, strict=True))
                row = {"record": n, "id": record["id"], "start": start, "end": end}
                oh.write(json_line(row))
                n_blocks += 1
    return ConllExport(path, offsets, n_blocks, n_cut)


def read_conll(path: str | Path, offsets: str | Path | None = None) -> list[dict[str, Any]]:
    """Records back from a BIO file and its offsets sidecar: the lines' spans placed on the record texts.

    Only the lines that were written come back: a rebuilt text holds the written lines at their offsets, with
    ``\\n`` for each character between them (the line breaks, which the format does not keep).
    """
    path = Path(path)
    offsets = Path(offsets) if offsets is not None else path.with_name(OFFSETS_NAME)
    if path.is_file() and path.stat().st_size == 0:
        return []  # records with no characters but line breaks write no block
    sentences = read_bio(path, fmt="char")
    rows = [row for _, row in read_jsonl(offsets)]
    if len(rows) != len(sentences):
        raise DataError(f"{offsets}: {len(rows)} lines but {path} has {len(sentences)} sentences")
    ids: dict[Any, str] = {}  # record number (ids need not be unique) -> id, in file order
    texts: dict[Any, list[str]] = {}
    spans: dict[Any, list[Span]] = {}
    for sent, row in zip(sentences, rows, strict=True):
        key, start, end = row.get("record", row["id"]), int(row["start"]), int(row["end"])
        if end - start != len(sent.text):
            raise DataError(f"{offsets}: block of record {row['id']} at {start}-{end} has {len(sent.text)} characters")
        if key not in texts:
            ids[key] = str(row["id"])
            texts[key], spans[key] = [], []
        chars = texts[key]
        chars.extend("\n" * (start - len(chars)))
        chars[start:end] = list(sent.text)
        spans[key].extend(Span(s.start + start, s.end + start, s.label) for s in sent.char_spans())
    return [make_record(ids[k], "".join(texts[k]), spans[k], path=str(path), source="annotation") for k in ids]
