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

from pipeline.classify.analyzed import TEXT_FIELDS, analyze_article
from pipeline.core.article import Article
from pipeline.core.modelio import cached_predictor, prepare_loading, read_meta
from pipeline.core.registry import BatchStage, register_stage
from pipeline.core.resources import model_dir
from pipeline.errors import ConfigError

KIND = "topic"
PROB_DIGITS = 4
DEFAULT_MODEL = ("topic", "fulltext")
FIELD_OF_INPUT = {"title": "title", "fulltext": "title+text"}


@dataclass(frozen=True)
class TopicStage(BatchStage):
    model: str
    field: str
    name: str = "topic"

    def __call__(self, article: Article) -> Article:
        return self.pipe([article])[0]

    def pipe(self, articles: list[Article]) -> list[Article]:
        """One ``predict_proba`` call for the whole batch (rows are independent: same numbers as one by one)."""
        estimator = cached_predictor(self.model, KIND)
        rows = estimator.predict_proba([analyze_article(a, self.field) for a in articles])
        classes = [str(c) for c in estimator.classes_]
        for article, probs in zip(articles, rows, strict=True):
            article.results["topic"] = {
                "label": classes[int(probs.argmax())],
                "probs": {c: round(float(p), PROB_DIGITS) for c, p in zip(classes, probs, strict=True)},
            }
        return articles


@register_stage("topic", requires=("tokens", "title_tokens"), assigns=("topic",))
def make_topic(*, model: str | None = None, field: str | None = None) -> TopicStage:
    directory = str(Path(model) if model else model_dir(*DEFAULT_MODEL))
    meta = read_meta(directory, kind=KIND)
    prepare_loading(directory)
    chosen = field or FIELD_OF_INPUT.get(str(meta.get("input")), "title+text")
    if chosen not in TEXT_FIELDS:
        raise ConfigError(f"topic: field must be one of {', '.join(TEXT_FIELDS)}, not {chosen!r}")
    return TopicStage(directory, chosen)
