"""Record lines: one valid JSON line per record, whatever the text; the values read back as written."""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pipeline.core.output import json_line

# what records hold: strings (any code point, lone surrogates included), ints, floats, None, lists, dicts
scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text()
values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(values)
def test_a_record_is_one_utf8_json_line_that_reads_back_as_written(value: object) -> None:
    line = json_line({"v": value})
    assert line.endswith("\n") and len(line.rstrip("\n").splitlines()) == 1
    line.encode("utf-8")  # a valid UTF-8 file, even for lone surrogates (ASCII escapes then)
    assert json.loads(line) == {"v": value}


def test_chinese_stays_readable_and_line_breaks_are_escaped() -> None:
    line = json_line({"text": "香港书展\u2028今日开幕\x85", "n": 3})
    assert line == '{"text":"香港书展\\u2028今日开幕\\u0085","n":3}\n'


def test_numpy_numbers_and_int_keys_are_plain_json() -> None:
    line = json_line({"p": np.float32(0.25), "ids": np.arange(3), 7: "seven"})
    assert json.loads(line) == {"p": 0.25, "ids": [0, 1, 2], "7": "seven"}


def test_nan_is_null_not_invalid_json() -> None:
    assert json.loads(json_line({"x": math.nan, "y": math.inf})) == {"x": None, "y": None}
