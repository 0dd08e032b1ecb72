"""The brat standoff export: exact texts and offsets, safe and unique file names, ids mapped back."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from pipeline.interchange.brat import read_brat, write_brat
from pipeline.interchange.filenames import UniqueNames, safe_stem
from tests.interchange.interchange_strategies import make_record, record_lists, span_set

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(records=record_lists())
def test_brat_round_trip_keeps_texts_spans_and_ids(records: list[dict[str, Any]], tmp_path: Path) -> None:
    out = write_brat(records, Path(tempfile.mkdtemp(dir=tmp_path)))  # a fresh folder per example
    back = read_brat(out)
    assert [r["id"] for r in back] == [r["id"] for r in records]
    assert [r["text"] for r in back] == [r["text"] for r in records]
    assert [span_set(r) for r in back] == [span_set(r) for r in records]
    for txt in out.glob("*.txt"):  # the .txt is the text byte for byte
        assert txt.read_bytes().decode("utf-8") in {r["text"] for r in records}
    for path in out.iterdir():
        assert path.name == safe_stem(path.name) or path.suffix in {".txt", ".ann"}


def test_ann_lines(tmp_path: Path) -> None:
    record = make_record("東京/1", "东京和\n大阪", [(0, 2, "LOC"), (2, 6, "LOC")])
    out = write_brat([record], tmp_path)
    assert (out / "東京_1.ann").read_text("utf-8") == "T1\tLOC 0 2\t东京\nT2\tLOC 2 6\t和 大阪\n"
    assert "[entities]\nLOC\n" in (out / "annotation.conf").read_text("utf-8")


def test_file_names_are_safe_and_unique() -> None:
    names = UniqueNames()
    got = [names(i) for i in ["../etc/passwd", "a b:c", "", "CON", "Report", "report", "報告.v2", "." * 5]]
    assert got == ["_etc_passwd", "a_b_c", "record", "_CON", "Report", "report-2", "報告.v2", "record-2"]
    assert len(safe_stem("字" * 500)) <= 80
