"""Every format's round trip on fixed awkward records: traditional script, astral characters, emoji, CRLF, lone
CR, tabs and ideographic spaces, entities at the very start and end of the text, duplicate ids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.interchange.brat import read_brat, write_brat
from pipeline.interchange.conll import read_conll, write_conll
from pipeline.interchange.doccano import read_doccano, write_doccano
from pipeline.interchange.labelstudio import read_labelstudio, write_labelstudio
from pipeline.interchange.spacy_docbin import read_docbin, write_docbin
from tests.interchange.interchange_strategies import make_record, span_set

TEXT = "臺灣總統府\r\n𠮷野家與😀👍🏽微軟\t合作\u3000於東京\r香港"
RECORDS = [
    make_record("臺灣/1", TEXT, [(0, 5, "ORG"), (7, 10, "ORG"), (14, 16, "ORG"), (21, 23, "LOC"), (24, 26, "LOC")]),
    make_record("臺灣/1", "習近平", [(0, 3, "PER")]),
    make_record("empty", "沒有實體。", []),
]


def _brat(records: list[dict[str, Any]], out: Path) -> list[dict[str, Any]]:
    return read_brat(write_brat(records, out))


def _conll(records: list[dict[str, Any]], out: Path) -> list[dict[str, Any]]:
    return read_conll(write_conll(records, out).path)


def _spacy(records: list[dict[str, Any]], out: Path) -> list[dict[str, Any]]:
    return read_docbin(write_docbin(records, out))


def _labelstudio(records: list[dict[str, Any]], out: Path) -> list[dict[str, Any]]:
    return read_labelstudio(write_labelstudio(records, out, model_version="m"))


def _doccano(records: list[dict[str, Any]], out: Path) -> list[dict[str, Any]]:
    return read_doccano(write_doccano(records, out))


TRIPS: dict[str, Callable[[list[dict[str, Any]], Path], list[dict[str, Any]]]] = {
    "brat": _brat,
    "conll": _conll,
    "spacy": _spacy,
    "labelstudio": _labelstudio,
    "doccano": _doccano,
}


@pytest.mark.parametrize("fmt", sorted(TRIPS))
def test_round_trip(fmt: str, tmp_path: Path) -> None:
    assert TEXT[0:5] == "臺灣總統府" and TEXT[24:26] == "香港" and len(TEXT) == 26
    back = TRIPS[fmt](RECORDS, tmp_path)
    assert [r["id"] for r in back] == [r["id"] for r in RECORDS]
    assert [span_set(r) for r in back] == [span_set(r) for r in RECORDS]
    for old, new in zip(RECORDS, back, strict=True):
        assert [e["text"] for e in new["entities"]] == [e["text"] for e in old["entities"]]
        if fmt == "conll":  # line breaks are not kept, the lines are, at their offsets
            assert new["text"].replace("\n", "") == old["text"].replace("\r\n", "").replace("\r", "")
        else:
            assert new["text"] == old["text"]
