"""A text as the stance and topic features see it, built from what the normalize and segment stages computed.

Apart from :mod:`pipeline.classify.textfeatures` (which needs scikit-learn) so that the stage modules can be
imported, and a run's config checked, without importing scikit-learn and SciPy: a parent process that only hands
files to its workers never pays for them (about 1.5 s of a run's start-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pipeline.core.article import Article
    from pipeline.core.config import RunConfig
    from pipeline.text.segment import Token

TEXT_FIELDS: tuple[str, ...] = ("text", "title", "title+text")


@dataclass(frozen=True)
class AnalyzedText:
    """A text as the features see it: the normalized string (for character n-grams) and its normalized tokens."""

    norm_text: str
    tokens: tuple[str, ...]


def analyze_text(text: str) -> AnalyzedText:
    """A raw string as the default run config's ``normalize`` and ``segment`` stages see it.

    For scikit-learn users who call ``model.predict(["…"])`` on raw text, and for training on raw posts and
    headlines: the same stage code and settings as a default ``zhnews run``, so the features learned are the
    ones the stages produce at run time.
    """
    if len(text) <= _CACHED_LENGTH:
        return _analyze_short(text)
    return analyze_texts([text])[0]


# Short texts (posts, headlines) are analysed again and again by cross-validation folds: remember recent ones.
_CACHED_LENGTH = 200


@lru_cache(maxsize=4096)
def _analyze_short(text: str) -> AnalyzedText:
    return analyze_texts([text])[0]


def analyze_texts(texts: Sequence[str], config: RunConfig | None = None) -> list[AnalyzedText]:
    """Texts through a run config's stages up to ``segment`` (default: the shipped default config)."""
    from pipeline.core.runner import analyze_texts as run_stages

    articles = run_stages(texts, config or _default_config(), until="segment")
    return [analyze_article(a, "text") for a in articles]


@lru_cache(maxsize=1)
def _default_config() -> RunConfig:
    from pipeline.core.config import load_config

    return load_config()


def analyze_article(article: Article, field: str = "text", max_chars: int | None = None) -> AnalyzedText:
    """The article's ``field`` (see :data:`TEXT_FIELDS`) as features see it, from the normalize and segment
    stages' own output (``norm_text``, ``norm_title``, ``tokens``, ``title_tokens``): nothing is segmented again,
    and a headline that starts the text (a Markdown article) counts once."""
    if field not in TEXT_FIELDS:
        raise ValueError(f"field must be one of {TEXT_FIELDS}, not {field!r}")
    if article.tokens is None or article.norm_text is None:
        raise ConfigError("features need the normalize and segment stages before this stage")
    body = AnalyzedText(article.norm_text, token_norms(article.tokens, max_chars))
    title = AnalyzedText(article.norm_title or "", article.title_tokens or ()) if article.title else None
    if field == "title" and title is not None:
        return truncated(title, max_chars)
    if field == "title+text" and title is not None and not article.title_in_text:
        joined = AnalyzedText(f"{title.norm_text}\n{body.norm_text}", title.tokens + body.tokens)
        return truncated(joined, max_chars)
    return truncated(body, max_chars)  # "text", or a title-only model on an article without a title


def token_norms(tokens: Sequence[Token], max_chars: int | None = None) -> tuple[str, ...]:
    """The normalized forms of the non-space tokens; with ``max_chars``, only as many as :func:`truncated` keeps."""
    out: list[str] = []
    length = 0
    for t in tokens:
        if max_chars is not None and length >= max_chars:
            break
        if t.norm and not t.norm.isspace():
            out.append(t.norm)
            length += len(t.norm)
    return tuple(out)


def truncated(text: AnalyzedText, max_chars: int | None) -> AnalyzedText:
    """The first ``max_chars`` characters of the normalized text and the tokens that start within them."""
    if max_chars is None or len(text.norm_text) <= max_chars:
        return text
    kept: list[str] = []
    length = 0
    for token in text.tokens:
        if length >= max_chars:
            break
        kept.append(token)
        length += len(token)
    return AnalyzedText(text.norm_text[:max_chars], tuple(kept))


def as_analyzed(item: str | AnalyzedText) -> AnalyzedText:
    if isinstance(item, AnalyzedText):
        return item
    if isinstance(item, str):
        return analyze_text(item)
    raise TypeError(f"expected a str or AnalyzedText, got {type(item).__name__}")
