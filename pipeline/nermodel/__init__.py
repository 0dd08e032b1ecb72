"""Character-level NER for jieba-segmented Chinese Docs: a BiLSTM-CRF in torch, hosted in a spaCy component.

Modules: ``features`` (per-character inputs from a Doc), ``crf`` and ``model`` (the network), ``component``
(the spaCy factory ``zhnews_char_ner``), ``data``/``docs`` (training data built the run-time way), ``train``
(``zhnews train ner``), ``evaluate`` (strict span scores), ``labels`` (BIOES).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import ModelError

FACTORY = "zhnews_char_ner"


def load_ner_pipeline(path: str | Path):  # -> spacy.Language (import kept lazy: torch is slow to import)
    """``spacy.load`` a saved NER pipeline after registering our factories; a missing dir is a ModelError."""
    import spacy

    import pipeline.nermodel.component  # noqa: F401  (registers zhnews_char_ner)

    p = Path(path)
    if not (p / "config.cfg").is_file():
        raise ModelError(f"NER model not found at {p} (expected a spaCy pipeline folder with config.cfg)")
    try:
        return spacy.load(p)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load NER model at {p}: {exc}") from None
