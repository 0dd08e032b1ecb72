"""Datelines: the date as written, an ISO form, and the byline around it."""

from __future__ import annotations

import pytest

from pipeline.ingest.dates import parse_date, parse_dateline


@pytest.mark.parametrize(
    ("text", "written", "iso"),
    [
        ("3/25/2024 12:42 PM UTC ", "3/25/2024 12:42 PM UTC", "2024-03-25T12:42:00+00:00"),
        ("12/1/2023 12:05 AM UTC", "12/1/2023 12:05 AM UTC", "2023-12-01T00:05:00+00:00"),
        ("2024-06-11", "2024-06-11", "2024-06-11"),
        ("2024-06-11 08:30", "2024-06-11 08:30", "2024-06-11T08:30:00"),
        ("2024年8月6日", "2024年8月6日", "2024-08-06"),
        ("２０２４年８月６日 ９时３０分", "２０２４年８月６日 ９时３０分", "2024-08-06T09:30:00"),
    ],
)
def test_dates_are_kept_as_written_with_iso_form(text: str, written: str, iso: str) -> None:
    assert parse_date(text) == (written, iso)


@pytest.mark.parametrize("text", ["2/30/2024 1:00 PM UTC", "13/1/2024", "秘密翻譯組", ""])
def test_invalid_or_missing_dates_give_none(text: str) -> None:
    assert parse_date(text) is None


def test_dateline_splits_date_and_byline() -> None:
    d = parse_dateline("3/13/2023 11:08 AM UTC 儒为")
    assert (d.date, d.iso, d.byline) == ("3/13/2023 11:08 AM UTC", "2023-03-13T11:08:00+00:00", "儒为")
    assert parse_dateline(" GTV News Talk").byline == "GTV News Talk"
