"""Training corpora for the NER model: the ``format*N`` repeat spec, and our hand-annotated GNews sets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpora.gnews_ner import DEV_ANNOTATIONS, TRAIN_ANNOTATIONS, read_gnews_train
from pipeline.errors import ConfigError
from pipeline.ner.data import read_corpus
from tests.ner_fixtures import write_tiny_corpus

GNEWS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gnews_ourhimalayas"


def test_a_repeat_count_multiplies_a_corpus(tmp_path: Path) -> None:
    path = write_tiny_corpus(tmp_path / "tiny.bio")
    once = read_corpus(path, "msra")
    assert read_corpus(path, "msra*3") == once * 3


@pytest.mark.parametrize("fmt", ["msra*0", "msra*x", "msra*-1"])
def test_a_bad_repeat_count_is_a_config_error(tmp_path: Path, fmt: str) -> None:
    path = write_tiny_corpus(tmp_path / "tiny.bio")
    with pytest.raises(ConfigError, match="repeat count"):
        read_corpus(path, fmt)


def _files(path: Path) -> list[str]:
    return [json.loads(line)["file"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_training_articles_are_never_dev_articles() -> None:
    train, dev = _files(TRAIN_ANNOTATIONS), _files(DEV_ANNOTATIONS)
    assert len(set(train)) == len(train) and len(dev) == 14
    assert not set(train) & set(dev)


@pytest.mark.skipif(not GNEWS.is_dir(), reason="needs ../shared/data/gnews_ourhimalayas")
def test_training_chunks_carry_every_annotated_entity_on_their_own_text() -> None:
    sentences = read_gnews_train(GNEWS)
    entries = [json.loads(line) for line in TRAIN_ANNOTATIONS.read_text(encoding="utf-8").splitlines()]
    assert sum(len(s.spans) for s in sentences) == sum(len(e["entities"]) for e in entries)
    surfaces = sorted(x["text"] for e in entries for x in e["entities"])
    assert sorted(s.text[a:b] for s in sentences for a, b, _ in s.spans) == surfaces
    assert max(len(s.text) for s in sentences) <= 200
