"""The modern-news NER dev set: 14 articles of ``../shared/data/gnews_ourhimalayas`` (2022-2024, 5 in traditional
script, 1,074 entities) annotated by hand for this project under ``../shared/ner-guidelines.md``.

``gnews_dev/annotations.jsonl`` holds only our annotations (file, the SHA-1 of the article's clean text, entity
offsets, labels and surfaces); the texts are read from the shared corpus with the same ingest code a run uses, and
a text whose hash differs (another ingest version, another copy of the corpus) is an error rather than a silent
misalignment. Dev only: never train on it (``configs/ner_vectors_exclude.txt`` keeps it out of the vector text).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.article import Article
from pipeline.errors import DataError
from pipeline.eval.spans import Span
from pipeline.ingest import read_source

ANNOTATIONS = Path(__file__).with_name("gnews_dev") / "annotations.jsonl"


@dataclass(frozen=True)
class GoldArticle:
    """An annotated article: its clean text (as ``zhnews run`` reads it) and its gold entities."""

    file: str
    text: str
    spans: tuple[Span, ...]

    def char_spans(self) -> list[Span]:
        return list(self.spans)


def read_gnews_dev(corpus: str | Path, annotations: str | Path = ANNOTATIONS) -> list[GoldArticle]:
    """The annotated articles, texts from ``corpus`` (the gnews_ourhimalayas folder)."""
    out = []
    for line in Path(annotations).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        items = read_source(Path(corpus) / entry["file"])
        article = items[0]
        if not isinstance(article, Article):
            raise DataError(f"{corpus}/{entry['file']}: {article}")
        if hashlib.sha1(article.text.encode("utf-8")).hexdigest() != entry["text_sha1"]:
            raise DataError(f"{entry['file']}: its clean text differs from the annotated one (another corpus copy?)")
        spans = tuple(Span(e["start"], e["end"], e["label"]) for e in entry["entities"])
        for e, s in zip(entry["entities"], spans, strict=True):
            if article.text[s.start : s.end] != e["text"]:
                raise DataError(f"{entry['file']}: entity {e} does not match the text")
        out.append(GoldArticle(entry["file"], article.text, spans))
    return out
