"""The ``ner`` stage: the saved NER pipeline's components (and optionally the gazetteer) on the segment Doc.

The model is a spaCy pipeline folder (``models/ner`` by default, see its MODEL_CARD.md) that plain
``spacy.load`` opens: its tokenizer is :mod:`pipeline.text.tokenizer` and its component ``zhnews_char_ner``
(:mod:`pipeline.ner.component`). The stage does not tokenize again: the segment stage already made the same Doc,
so it hands the Docs of a whole batch of articles to ``nlp.pipe``, which runs the components on them. The stage
holds only paths and numbers, so it pickles to worker processes; each process loads the pipeline once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.article import Article
from pipeline.core.registry import BatchStage, register_stage
from pipeline.core.resources import model_dir
from pipeline.errors import ConfigError, DataError, ModelError


@dataclass(frozen=True)
class NerStage(BatchStage):
    model: str
    gazetteer: str | None = None
    batch_size: int = 64
    name: str = "ner"

    def __call__(self, article: Article) -> Article:
        return self.pipe([article])[0]

    def needs_torch(self) -> bool:
        from pipeline.ner.loader import model_needs_torch

        return model_needs_torch(self.model)

    def pipe(self, articles: list[Article]) -> list[Article]:
        from pipeline.ner.charspans import entities_of
        from pipeline.ner.loader import load_ner

        docs = []
        for article in articles:
            if article.doc is None:
                raise ConfigError("ner: the article has no Doc; put the segment stage before ner")
            docs.append(article.doc)
        nlp = load_ner(self.model, self.gazetteer, self.batch_size)
        for article, doc in zip(articles, nlp.pipe(docs, batch_size=self.batch_size), strict=True):
            article.doc = doc
            article.entities = entities_of(doc, article.text)
        return articles


@register_stage("ner", requires=("doc",), assigns=("entities",))
def make_ner(*, model: str | None = None, gazetteer: str | None = None, batch_size: int = 64) -> NerStage:
    """Options: ``model`` (saved pipeline folder, default the shipped ``models/ner``), ``gazetteer`` (patterns
    JSONL for the gazetteer component), ``batch_size`` (sentence chunks per forward pass). Paths are checked now,
    models loaded on first use."""
    directory = Path(model) if model else model_dir("ner")
    if not (directory / "config.cfg").is_file():
        raise ModelError(
            f"ner: no NER model at {directory} (a spaCy pipeline folder with config.cfg); "
            "train one with `zhnews train ner --output DIR` or point the ner stage's `model` option at it"
        )
    if gazetteer is not None and not Path(gazetteer).is_file():
        raise DataError(f"ner: gazetteer patterns file not found: {gazetteer}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"ner: batch_size must be a positive integer, not {batch_size!r}")
    return NerStage(str(directory), str(gazetteer) if gazetteer else None, batch_size)
