"""The character BIO export: read back by our BIO reader and by seqeval's chunker with identical spans."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from pipeline.errors import DataError
from pipeline.eval.spans import read_bio
from pipeline.interchange.conll import read_conll, text_lines, write_conll
from pipeline.interchange.records import read_jsonl
from tests.interchange.interchange_strategies import make_record, record_lists, span_set

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _lines(text: str) -> list[tuple[int, str]]:
    return [(s, text[s:e]) for s, e in text_lines(text) if e > s]


@SETTINGS
@given(records=record_lists(within_lines=True))
def test_conll_round_trip_keeps_spans_and_lines(records: list[dict[str, Any]], tmp_path: Path) -> None:
    export = write_conll(records, tmp_path)
    assert export.cut_entities == 0
    written = [r for r in records if _lines(r["text"])]  # a record of line breaks only writes no block
    back = read_conll(export.path)
    assert [r["id"] for r in back] == [r["id"] for r in written]
    for old, new in zip(written, back, strict=True):
        assert span_set(new) == span_set(old)
        assert [(s, line) for s, line in _lines(old["text"])] == [
            (s, new["text"][s : s + len(line)]) for s, line in _lines(old["text"])
        ]


@SETTINGS
@given(records=record_lists(within_lines=True))
def test_seqeval_reads_the_same_spans(records: list[dict[str, Any]], tmp_path: Path) -> None:
    from seqeval.metrics.sequence_labeling import get_entities

    export = write_conll(records, tmp_path)
    if not export.blocks:
        return
    sentences = read_bio(export.path)
    rows = [row for _, row in read_jsonl(export.offsets)]
    by_record: dict[int, list[tuple[int, int, str]]] = {}
    for sent, row in zip(sentences, rows, strict=True):
        assert row["end"] - row["start"] == len(sent.tokens)  # one row per code point
        spans = [(row["start"] + s, row["start"] + e + 1, label) for label, s, e in get_entities(list(sent.tags))]
        assert sorted(spans) == sorted(
            (row["start"] + s.start, row["start"] + s.end, s.label) for s in sent.char_spans()
        )
        by_record.setdefault(row["record"], []).extend(spans)
    for n, record in enumerate(records):
        if _lines(record["text"]):
            assert sorted(by_record.get(n, [])) == span_set(record)


def test_the_file_convention(tmp_path: Path) -> None:
    text = "東京 𠮷\r\n\n\t台灣\u3000"
    record = make_record("r1", text, [(0, 2, "LOC"), (3, 4, "PER"), (8, 10, "LOC")])
    export = write_conll([record], tmp_path)
    assert export.path.read_text("utf-8") == (
        "東\tB-LOC\n京\tI-LOC\n \tO\n𠮷\tB-PER\n\n\t\tO\n台\tB-LOC\n灣\tI-LOC\n\u3000\tO\n"
    )
    rows = [row for _, row in read_jsonl(export.offsets)]
    assert rows == [{"record": 0, "id": "r1", "start": 0, "end": 4}, {"record": 0, "id": "r1", "start": 7, "end": 11}]


def test_an_entity_across_a_line_break_is_cut_and_counted(tmp_path: Path) -> None:
    record = make_record("r2", "北京\n大学", [(0, 5, "ORG")])
    export = write_conll([record], tmp_path)
    assert export.cut_entities == 1
    assert span_set(read_conll(export.path)[0]) == [(0, 2, "ORG"), (3, 5, "ORG")]


def test_overlapping_entities_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="overlapping entities"):
        write_conll([make_record("r3", "中华人民", [(0, 4, "LOC"), (1, 2, "LOC")])], tmp_path)
