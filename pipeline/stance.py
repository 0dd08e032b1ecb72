"""The ``stance`` stage: FAVOR / AGAINST / NONE toward each configured target, with probabilities.

Record field ``stance``: a list with one entry per target, in the configured order::

    "stance": [{"target": "春节放鞭炮", "label": "AGAINST",
                "probs": {"AGAINST": 0.71, "FAVOR": 0.08, "NONE": 0.21}}, ...]

Options: ``model`` (a model directory; default ``models/stance``), ``targets`` (list of target names; default
every target the model was trained on; names are matched like the training data's, so ``IphoneSE`` finds
``iPhone SE``), ``field`` (``"title+text"`` default, ``"text"`` or ``"title"``), ``max_chars`` (default 200:
the model reads the title and lead, a text of the length it was trained on: the NLPCC Weibo posts are 78
characters on average, 154 at the 99th percentile; a longer text is out of its training distribution, since
TF-IDF rows are length-normalised, and costs more; 0 reads everything). A target the model was not
trained on is a config error: a stance model cannot say anything about a target it never saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.classifiers.targets import canonical_target
from pipeline.document import Article
from pipeline.errors import ConfigError
from pipeline.modelcache import cached_model, default_model_dir
from pipeline.modelio import prepare_loading, read_meta
from pipeline.registry import register_stage
from pipeline.textfeatures import TEXT_FIELDS, analyze_article

KIND = "stance"
PROB_DIGITS = 4
DEFAULT_MAX_CHARS = 200


@dataclass(frozen=True)
class StanceStage:
    model: str
    targets: tuple[str, ...]
    field: str = "title+text"
    max_chars: int | None = DEFAULT_MAX_CHARS
    name: str = "stance"

    def __call__(self, article: Article) -> Article:
        estimator = cached_model(self.model, KIND).estimator
        text = analyze_article(article, self.field, self.max_chars)
        probs = estimator.predict_proba([(target, text) for target in self.targets])
        classes = [str(c) for c in estimator.classes_]
        entries: list[dict[str, Any]] = []
        for target, row in zip(self.targets, probs, strict=True):
            best = int(row.argmax())
            entries.append(
                {
                    "target": target,
                    "label": classes[best],
                    "probs": {c: round(float(p), PROB_DIGITS) for c, p in zip(classes, row, strict=True)},
                }
            )
        article.results["stance"] = entries
        return article


@register_stage("stance")
def make_stance(
    *,
    model: str | None = None,
    targets: list[str] | None = None,
    field: str = "title+text",
    max_chars: int = DEFAULT_MAX_CHARS,
) -> StanceStage:
    """Check options against the model's metadata now (cheap), load the model itself on first use."""
    directory = str(Path(model) if model else default_model_dir("stance"))
    meta = read_meta(directory, kind=KIND)
    prepare_loading()
    known = [str(t) for t in meta.get("targets", [])]
    if field not in TEXT_FIELDS:
        raise ConfigError(f"stance: field must be one of {', '.join(TEXT_FIELDS)}, not {field!r}")
    if targets is None:
        chosen = known
    else:
        if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            raise ConfigError(f"stance: targets must be a list of strings, not {targets!r}")
        chosen = [canonical_target(t) for t in targets]
        unknown = [t for t in chosen if t not in known]
        if unknown:
            raise ConfigError(f"stance: model {directory} was not trained on target(s) {unknown}; it knows {known}")
    if not chosen:
        raise ConfigError("stance: no targets to predict")
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 0:
        raise ConfigError(f"stance: max_chars must be a whole number >= 0 (0: no limit), not {max_chars!r}")
    return StanceStage(directory, tuple(dict.fromkeys(chosen)), field, max_chars or None)
