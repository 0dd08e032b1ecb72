"""Our hand-annotated NER sets of ``../shared/data/gnews_ourhimalayas`` (2022-2024 news), under
``../shared/ner-guidelines.md``:

* ``gnews_dev/`` -- 14 articles (5 in traditional script, 1,074 entities), two annotators: the modern-news **dev**
  set. Never train on it (``configs/ner_vectors_exclude.txt`` keeps it out of the vector text too).
* ``gnews_train/`` -- 64 other articles (54k characters, 2,413 entities): model pre-annotations corrected by hand,
  one annotator per article, **training** data for the NER model (``extra_train = ["gnews:..."]``).

Each ``annotations.jsonl`` holds only our annotations (file, the SHA-1 of the article's clean text, entity offsets,
labels and surfaces); the texts are read from the shared corpus with the same ingest code a run uses, and a text
whose hash differs (another ingest version, another copy of the corpus) is an error rather than a silent
misalignment.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from corpora.msra import NerSentence
from pipeline.core.article import Article
from pipeline.errors import DataError
from pipeline.eval.spans import Span
from pipeline.ingest import read_source

HERE = Path(__file__).parent
DEV_ANNOTATIONS = HERE / "gnews_dev" / "annotations.jsonl"
TRAIN_ANNOTATIONS = HERE / "gnews_train" / "annotations.jsonl"


@dataclass(frozen=True)
class GoldArticle:
    """An annotated article: its clean text (as ``zhnews run`` reads it) and its gold entities."""

    file: str
    text: str
    spans: tuple[Span, ...]

    def char_spans(self) -> list[Span]:
        return list(self.spans)


def read_annotated(corpus: str | Path, annotations: str | Path) -> list[GoldArticle]:
    """The annotated articles of ``annotations``, texts from ``corpus`` (the gnews_ourhimalayas folder)."""
    if not Path(corpus).is_dir():
        raise DataError(f"GNews corpus folder not found: {corpus}")
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


def read_gnews_dev(corpus: str | Path) -> list[GoldArticle]:
    """The modern-news dev set."""
    return read_annotated(corpus, DEV_ANNOTATIONS)


def read_gnews_train(corpus: str | Path, annotations: str | Path = TRAIN_ANNOTATIONS) -> list[NerSentence]:
    """The training articles cut into the chunks the NER component tags (sentences, at most 200 characters).

    The model sees sentence-sized inputs at run time, so it trains on them; an entity that a cut would split (none
    in our set) drops its chunk rather than teaching a wrong boundary.
    """
    from pipeline.ner.features import chunk_bounds

    sentences = []
    for art in read_annotated(corpus, annotations):
        for s, e in chunk_bounds(art.text):
            if any(sp.start < e and s < sp.end and not (s <= sp.start and sp.end <= e) for sp in art.spans):
                continue
            spans = tuple((sp.start - s, sp.end - s, sp.label) for sp in art.spans if s <= sp.start and sp.end <= e)
            sentences.append(NerSentence(art.text[s:e], spans))
    return sentences
