"""The ``stance`` stage: FAVOR / AGAINST / NONE toward each configured (or input-named) target, with probabilities.

Record field ``stance``: a list with one entry per target, in the configured order (or the record's, below)::

    "stance": [{"target": "春节放鞭炮", "label": "AGAINST", "mentioned": true,
                "probs": {"AGAINST": 0.71, "FAVOR": 0.08, "NONE": 0.21}}, ...]

An article that mentions none of a target's terms (learned with the model, see
:mod:`pipeline.classify.mentions`) gets ``"label": "NONE"``, ``"mentioned": false`` and NONE probability 1
without being scored: the model learned from posts about the target, and its answer for an article about
something else would be noise. Searched: the normalized title and the whole normalized body.

Options: ``model`` (a model directory; default ``models/stance``), ``targets`` (list of target names; default
every target the model was trained on; names are matched like the training data's, so ``IphoneSE`` finds
``iPhone SE``), ``field`` (``"title+text"`` default, ``"text"`` or ``"title"``), ``max_chars`` (default 200:
the model reads the title and lead, a text of the length it was trained on: the NLPCC Weibo posts are 78
characters on average, 154 at the 99th percentile; a longer text is out of its training distribution, since
TF-IDF rows are length-normalised, and costs more; 0 reads everything), ``require_mention`` (default true;
false scores every target for every article), ``mentions`` (``{target: [term, ...]}``: replaces the model's
terms for that target, e.g. to add a spelling it missed; matched on normalized, lowercased text).
A target the model was not trained on is a config error: a stance model cannot say anything about a target it never saw.

**Named targets.** A JSONL record may name its targets (``"target": "开放二胎"`` or ``"targets": [...]``, kept by
ingest in ``meta["targets"]``). Then exactly those are scored, in the record's order, without the mention gate
(the user has said what the article is about, and the gate misses on-target texts that do not name the target in
its words: cross-validated F_avg on the NLPCC posts is 0.698 named against 0.649 through the gate; the model
card has the figures), each entry with ``"mentioned": true`` and ``"named": true``; the ``targets`` option does not
apply to such a record. Names are matched with :func:`~pipeline.classify.targets.canonical_target`, so
``IphoneSE`` is ``iPhone SE``; a name given twice is scored once. A named target the model does not know fails
that article: its error record names the target and the known ones. Chosen over a ``"label": null`` entry
because a batch user then sees the problem (exit code 1, the run's closing summary, ``errors.jsonl``) instead of
finding nulls later, the ``label`` field keeps one type, and the mistake is usually systematic (a misspelt
target in every record), which a null hidden among thousands of records would not reveal. An article that names
no target goes through the gate as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.classify.analyzed import TEXT_FIELDS, analyze_article
from pipeline.classify.mentions import mentions
from pipeline.classify.targets import canonical_target
from pipeline.core.article import Article
from pipeline.core.modelio import cached_predictor, prepare_loading, read_meta
from pipeline.core.registry import BatchStage, register_stage
from pipeline.core.resources import model_dir
from pipeline.errors import ConfigError, DataError

KIND = "stance"
NONE_LABEL = "NONE"
PROB_DIGITS = 4
DEFAULT_MAX_CHARS = 200


@dataclass(frozen=True)
class StanceStage(BatchStage):
    model: str
    targets: tuple[str, ...]
    field: str = "title+text"
    max_chars: int | None = DEFAULT_MAX_CHARS
    require_mention: bool = True
    mentions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    name: str = "stance"

    def __call__(self, article: Article) -> Article:
        estimator = cached_predictor(self.model, KIND)
        named = self._named(article, estimator)
        targets = named if named is not None else list(self.targets)
        mentioned = [True] * len(targets) if named is not None else self._mentioned(article, estimator)
        scored = [t for t, m in zip(targets, mentioned, strict=True) if m]
        classes = [str(c) for c in estimator.classes_]
        rows: dict[str, Any] = {}
        if scored:
            text = analyze_article(article, self.field, self.max_chars)
            rows = dict(zip(scored, estimator.predict_proba([(target, text) for target in scored]), strict=True))
        unmentioned = {**dict.fromkeys(classes, 0.0), NONE_LABEL: 1.0}  # NONE even if the model never saw it
        entries: list[dict[str, Any]] = []
        for target, is_mentioned in zip(targets, mentioned, strict=True):
            if is_mentioned:
                row = rows[target]
                label = classes[int(row.argmax())]
                probs = {c: round(float(p), PROB_DIGITS) for c, p in zip(classes, row, strict=True)}
            else:
                label, probs = NONE_LABEL, unmentioned
            entry = {"target": target, "label": label, "mentioned": is_mentioned, "probs": dict(probs)}
            entries.append({**entry, "named": True} if named is not None else entry)
        article.results["stance"] = entries
        return article

    def _named(self, article: Article, estimator: Any) -> list[str] | None:
        """The targets the input record named (``meta["targets"]``), in the model's spelling, or None.

        A named target the model does not know fails the article (see the module doc for why)."""
        given = article.meta.get("targets")
        if given is None:
            return None
        known = [str(t) for t in estimator.targets_]
        chosen = list(dict.fromkeys(canonical_target(str(t)) for t in given))
        unknown = [t for t, c in zip(given, (canonical_target(str(t)) for t in given), strict=True) if c not in known]
        if unknown:
            raise DataError(
                f"stance: the record names target(s) {', '.join(map(str, unknown))} that model {self.model} was "
                f"not trained on; it knows {', '.join(known)}"
            )
        return chosen

    def _mentioned(self, article: Article, estimator: Any) -> list[bool]:
        if not self.require_mention:
            return [True] * len(self.targets)
        terms = {**getattr(estimator, "mention_terms_", {}), **dict(self.mentions)}
        searched = mention_text(article)
        return [mentions(searched, terms.get(target, ())) for target in self.targets]


def mention_text(article: Article) -> str:
    """The normalized title and body, where the stage looks for a target's terms (the whole article, not the
    ``max_chars`` the model reads: a target named only in the tenth paragraph is still discussed)."""
    body = article.norm_text or ""
    if article.title_in_text or not article.norm_title:
        return body
    return f"{article.norm_title}\n{body}"


@register_stage("stance", requires=("tokens", "title_tokens"), assigns=("stance",))
def make_stance(
    *,
    model: str | None = None,
    targets: list[str] | None = None,
    field: str = "title+text",
    max_chars: int = DEFAULT_MAX_CHARS,
    require_mention: bool = True,
    mentions: dict[str, list[str]] | None = None,
) -> StanceStage:
    """Check options against the model's metadata now (cheap), load the model itself on first use."""
    directory = str(Path(model) if model else model_dir("stance"))
    meta = read_meta(directory, kind=KIND)
    prepare_loading(directory)
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
    if not isinstance(require_mention, bool):
        raise ConfigError(f"stance: require_mention must be true or false, not {require_mention!r}")
    return StanceStage(
        directory,
        tuple(dict.fromkeys(chosen)),
        field,
        max_chars or None,
        require_mention,
        _mention_overrides(mentions, known),
    )


def _mention_overrides(
    mentions: dict[str, list[str]] | None, known: list[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if mentions is None:
        return ()
    if not isinstance(mentions, dict) or not all(
        isinstance(v, list) and v and all(isinstance(t, str) and t.strip() for t in v) for v in mentions.values()
    ):
        raise ConfigError(f"stance: mentions must map targets to non-empty lists of terms, not {mentions!r}")
    out = {canonical_target(k): tuple(t.strip() for t in v) for k, v in mentions.items()}
    unknown = [t for t in out if t not in known]
    if unknown:
        raise ConfigError(f"stance: mentions names target(s) {unknown} the model does not know; it knows {known}")
    return tuple(sorted(out.items()))
