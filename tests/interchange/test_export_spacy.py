"""The spaCy DocBin export: texts exact, entities exact, ids kept, tokens aligned to entity edges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from pipeline.errors import DataError
from pipeline.interchange.spacy_docbin import ID_KEY, read_docbin, record_doc, token_cuts, write_docbin
from tests.interchange.interchange_strategies import make_record, record_lists, span_set

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(records=record_lists())
def test_docbin_round_trip_keeps_texts_spans_and_ids(records: list[dict[str, Any]], tmp_path: Path) -> None:
    path = write_docbin(records, tmp_path)
    back = read_docbin(path)
    assert [r["id"] for r in back] == [r["id"] for r in records]
    assert [r["text"] for r in back] == [r["text"] for r in records]
    assert [span_set(r) for r in back] == [span_set(r) for r in records]


def test_tokens_are_the_records_tokens_cut_at_entity_edges() -> None:
    from spacy.vocab import Vocab

    text = "日本首相岸田文雄 访问\u3000東京"
    tokens = [
        {"text": "日本", "start": 0, "end": 2},
        {"text": "首相", "start": 2, "end": 4},
        {"text": "岸田文雄", "start": 4, "end": 8},
        {"text": "访问", "start": 9, "end": 11},
        {"text": "東京", "start": 12, "end": 14},
    ]
    record = make_record("a", text, [(0, 2, "LOC"), (4, 6, "PER"), (12, 14, "LOC")], tokens=tokens)
    assert token_cuts(record) == [0, 2, 4, 6, 8, 9, 11, 12, 14]
    doc = record_doc(record, Vocab())
    assert [t.text for t in doc] == ["日本", "首相", "岸田", "文雄", " ", "访问", "\u3000", "東京"]
    assert doc.text == text
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(0, 2, "LOC"), (4, 6, "PER"), (12, 14, "LOC")]
    assert doc.user_data[ID_KEY] == "a"


def test_a_record_without_tokens_gets_character_tokens() -> None:
    from spacy.vocab import Vocab

    doc = record_doc(make_record("b", "𠮷野家\r\n😀", [(0, 3, "ORG")]), Vocab())
    assert [t.text for t in doc] == ["𠮷", "野", "家", "\r", "\n", "😀"]


def test_overlapping_entities_are_an_error(tmp_path: Path) -> None:
    record = make_record("c", "中华人民共和国", [(0, 7, "LOC"), (0, 2, "LOC")])
    with pytest.raises(DataError, match="overlapping entities"):
        write_docbin([record], tmp_path)
