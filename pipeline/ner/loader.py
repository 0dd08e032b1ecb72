"""Loading a saved NER pipeline once per process, with the gazetteer added after the model when asked."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pipeline.errors import DataError, ModelError

if TYPE_CHECKING:
    from spacy.language import Language

    from pipeline.ner.gazetteer import Gazetteer

GAZETTEER_FACTORY = "zhnews_gazetteer"


def load_ner_pipeline(path: str | Path) -> Language:
    """``spacy.load`` a saved NER pipeline; a missing or unreadable folder is a ModelError.

    The explicit imports register our tokenizer and component even where the package's entry points are not
    installed (running from a source tree); an installed package finds them through its entry points.
    """
    import spacy

    import pipeline.ner.component
    import pipeline.text.tokenizer  # noqa: F401  (registers zhnews.Tokenizer.v1)

    p = Path(path)
    if not (p / "config.cfg").is_file():
        raise ModelError(f"NER model not found at {p} (expected a spaCy pipeline folder with config.cfg)")
    try:
        return spacy.load(p)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load NER model at {p}: {exc}") from None


@functools.lru_cache(maxsize=4)
def load_ner(model: str, gazetteer: str | None = None, batch_size: int = 64) -> Language:
    """The NER pipeline of ``model``, with the gazetteer added after the model when a pattern file is given."""
    nlp = load_ner_pipeline(model)
    for _, pipe in nlp.pipeline:
        if hasattr(pipe, "batch_size"):
            pipe.batch_size = batch_size
    if gazetteer:
        import pipeline.ner.gazetteer  # noqa: F401  (registers the zhnews_gazetteer factory)

        ruler = cast("Gazetteer", nlp.add_pipe(GAZETTEER_FACTORY, last=True))
        try:
            ruler.load_patterns(gazetteer)
        except (OSError, ValueError) as exc:
            raise DataError(f"ner: cannot read gazetteer patterns {gazetteer}: {exc}") from None
    return nlp
