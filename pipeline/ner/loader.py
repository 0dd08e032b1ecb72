"""Loading a saved NER pipeline once per process, with the gazetteer added after the model when asked."""

from __future__ import annotations

import configparser
import functools
from pathlib import Path
from typing import TYPE_CHECKING, cast

from pipeline.errors import DataError, ModelError

if TYPE_CHECKING:
    from spacy.language import Language

    from pipeline.ner.gazetteer import Gazetteer

GAZETTEER_FACTORY = "zhnews_gazetteer"
# factories whose components predict without torch (the char NER from a format-2 model, see model_needs_torch)
_NUMPY_FACTORIES = frozenset({"zhnews_char_ner", GAZETTEER_FACTORY})


def model_needs_torch(path: str | Path) -> bool:
    """Whether loading the pipeline at ``path`` may import torch; read from its files, without loading it.

    Only our own components are known not to: a pipeline with any other component (a transformer, a spaCy
    component of another package) may, and so may a char NER saved as ``weights.pt`` (format 1).
    """
    p = Path(path)
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string((p / "config.cfg").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return True  # loading will say what is wrong with it; torch is then allowed, as it always was
    for section in parser.sections():
        if section.count(".") != 1 or not section.startswith("components."):
            continue
        factory = parser[section].get("factory", "").strip().strip('"')
        if factory not in _NUMPY_FACTORIES:
            return True
        if factory == "zhnews_char_ner" and not (p / section.split(".", 1)[1] / "weights.npz").is_file():
            return True
    return False


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
