"""The ``topic`` stage: the article's news category (体育, 财经 …) with probabilities.

Record field ``topic``: ``{"label": "体育", "probs": {"体育": 0.93, "娱乐": 0.02, ...}}`` (every class of the
model, rounded to 4 decimals).

Options: ``model`` (a model directory; default the shipped full-text model ``models/topic/fulltext``; the
headline model is ``models/topic/titles``), ``field`` (``"title"``, ``"text"`` or ``"title+text"``; default
what the model was trained on: ``title`` for a headline model, ``title+text`` for a full-text model).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.document import Article
from pipeline.errors import ConfigError
from pipeline.modelcache import cached_model, default_model_dir
from pipeline.modelio import prepare_loading, read_meta
from pipeline.registry import register_stage
from pipeline.textfeatures import TEXT_FIELDS, analyze_article

KIND = "topic"
PROB_DIGITS = 4
DEFAULT_MODEL = ("topic", "fulltext")
FIELD_OF_INPUT = {"title": "title", "fulltext": "title+text"}


@dataclass(frozen=True)
class TopicStage:
    model: str
    field: str
    name: str = "topic"

    def __call__(self, article: Article) -> Article:
        estimator = cached_model(self.model, KIND).estimator
        probs = estimator.predict_proba([analyze_article(article, self.field)])[0]
        classes = [str(c) for c in estimator.classes_]
        article.results["topic"] = {
            "label": classes[int(probs.argmax())],
            "probs": {c: round(float(p), PROB_DIGITS) for c, p in zip(classes, probs, strict=True)},
        }
        return article


@register_stage("topic")
def make_topic(*, model: str | None = None, field: str | None = None) -> TopicStage:
    directory = str(Path(model) if model else default_model_dir(*DEFAULT_MODEL))
    meta = read_meta(directory, kind=KIND)
    prepare_loading()
    chosen = field or FIELD_OF_INPUT.get(str(meta.get("input")), "title+text")
    if chosen not in TEXT_FIELDS:
        raise ConfigError(f"topic: field must be one of {', '.join(TEXT_FIELDS)}, not {chosen!r}")
    return TopicStage(directory, chosen)
