"""The ``topicmodel`` stage: each article's mixture over the topics of a model fitted by ``zhnews topics fit``.

Record field ``topics``::

    "topics": {"k": 10, "mixture": [0.0, 0.61, ...], "top": [{"topic": 1, "weight": 0.61,
               "terms": ["球队", "比赛", ...]}, ...]}

``mixture`` has one weight per topic (summing to 1; all zero when the article has no term the model knows), and
``top`` the strongest topics (at most ``top`` of them, option default 3) with their top ``terms`` (default 5).
Options: ``model`` (required: a directory written by ``zhnews topics fit``), ``top``, ``terms``.
Tokens are the title's plus the segment stage's ``norm_`` forms, as ``topics fit`` reads them from run output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.classify.analyzed import analyze_article
from pipeline.core.article import Article
from pipeline.core.modelio import cached_model, prepare_loading, read_meta
from pipeline.core.registry import BatchStage, register_stage
from pipeline.errors import ConfigError

KIND = "topicmodel"
DIGITS = 4


@dataclass(frozen=True)
class TopicModelStage(BatchStage):
    model: str
    top: int = 3
    terms: int = 5
    name: str = "topicmodel"

    def __call__(self, article: Article) -> Article:
        tm = cached_model(self.model, KIND).estimator
        tokens = analyze_article(article, "title+text").tokens
        mixture = tm.transform([tokens])[0]
        topic_terms = tm.top_topic_terms(self.terms)
        top: list[dict[str, Any]] = [
            {"topic": k, "weight": round(w, DIGITS), "terms": topic_terms[k]}
            for k, w in tm.top_doc_topics(mixture[None, :], self.top)[0]
        ]
        article.results["topics"] = {
            "k": len(mixture),
            "mixture": [round(float(w), DIGITS) for w in mixture],
            "top": top,
        }
        return article


@register_stage("topicmodel", requires=("tokens", "title_tokens"), assigns=("topics",))
def make_topicmodel(*, model: str | None = None, top: int = 3, terms: int = 5) -> TopicModelStage:
    if not model:
        raise ConfigError("topicmodel: option 'model' is required (a folder written by `zhnews topics fit`)")
    read_meta(model, kind=KIND)
    prepare_loading()
    for key, value in (("top", top), ("terms", terms)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"topicmodel: {key} must be a whole number >= 1, not {value!r}")
    return TopicModelStage(str(model), top, terms)
