"""The ``ner`` stage: the trained character-level NER model (and optionally the gazetteer) on the segment Doc.

The model is a saved spaCy pipeline (``models/ner`` by default, see its MODEL_CARD.md) whose component
``zhnews_char_ner`` reads ``token.norm_``/``token.tag_`` from the segment stage's Doc and writes character-level
entities back as real ``doc.ents`` (tokens are split at entity boundaries, never the text). The stage holds only
paths and numbers, so it pickles to worker processes; each process loads the pipeline once, on first use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.document import Article
from pipeline.errors import ConfigError, DataError, ModelError
from pipeline.modelcache import default_model_dir
from pipeline.registry import register_stage

if TYPE_CHECKING:
    from spacy.language import Language

GAZETTEER_FACTORY = "zhnews_gazetteer"


@functools.lru_cache(maxsize=4)
def load_ner(model: str, gazetteer: str | None = None, batch_size: int = 64) -> Language:
    """The NER pipeline of ``model``, with the gazetteer added after the model when a pattern file is given."""
    from pipeline.nermodel import load_ner_pipeline

    nlp = load_ner_pipeline(model)
    for _, pipe in nlp.pipeline:
        if hasattr(pipe, "batch_size"):
            pipe.batch_size = batch_size
    if gazetteer:
        try:
            import pipeline.gazetteer  # noqa: F401  (registers the zhnews_gazetteer factory)
        except ModuleNotFoundError as exc:
            raise ConfigError(f"ner: gazetteer given but the gazetteer component is unavailable: {exc}") from None
        ruler = nlp.add_pipe(GAZETTEER_FACTORY, last=True)
        try:
            ruler.load_patterns(gazetteer)
        except (OSError, ValueError) as exc:
            raise DataError(f"ner: cannot read gazetteer patterns {gazetteer}: {exc}") from None
    return nlp


@dataclass(frozen=True)
class NerStage:
    model: str
    gazetteer: str | None = None
    batch_size: int = 64
    name: str = "ner"

    def __call__(self, article: Article) -> Article:
        doc = article.doc
        if doc is None:
            raise ConfigError("ner: the article has no Doc; put the segment stage before ner")
        nlp = load_ner(self.model, self.gazetteer, self.batch_size)
        for _, component in nlp.pipeline:
            doc = component(doc)
        article.doc = doc
        from pipeline.charspans import entities_of  # spaCy: imported by the first article, not the registry

        article.entities = entities_of(doc)
        return article


@register_stage("ner")
def make_ner(*, model: str | None = None, gazetteer: str | None = None, batch_size: int = 64) -> NerStage:
    """Options: ``model`` (saved pipeline folder, default the shipped ``models/ner``), ``gazetteer`` (patterns
    JSONL for the gazetteer component), ``batch_size`` (sentence chunks per forward pass). Paths are checked now,
    models loaded on first use."""
    directory = Path(model) if model else default_model_dir("ner")
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
