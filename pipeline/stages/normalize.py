"""The ``normalize`` stage: the article's text and title normalized (:mod:`pipeline.text.normalize`), its script."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.article import Article
from pipeline.core.registry import BatchStage, register_stage
from pipeline.errors import ConfigError
from pipeline.text.normalize import normalize_text
from pipeline.text.opencc_align import check_config
from pipeline.text.script import detect_script


@dataclass(frozen=True)
class NormalizeStage(BatchStage):
    """Holds only its options (OpenCC converters live in a per-process cache), so it pickles to workers."""

    opencc: str = "t2s"
    fullwidth: bool = True
    cleanup: bool = True
    name: str = "normalize"

    def __call__(self, article: Article) -> Article:
        article.norm_text, article.norm_map = normalize_text(
            article.text, self.opencc, self.fullwidth, cleanup=self.cleanup
        )
        if article.title_in_text:
            article.norm_title = article.norm_text[: article.norm_map.to_derived(0, len(article.title or ""))[1]]
        elif article.title:
            article.norm_title = normalize_text(article.title, self.opencc, self.fullwidth, cleanup=self.cleanup)[0]
        article.script = detect_script(article.text)
        return article


@register_stage("normalize", requires=("text", "title"), assigns=("norm_text", "norm_title", "script"))
def make_normalize(*, opencc: str = "t2s", fullwidth: bool = True, cleanup: bool = True) -> NormalizeStage:
    """Options: ``opencc`` (an OpenCC config name or ``"none"``), ``fullwidth``, ``cleanup`` (booleans)."""
    if not isinstance(opencc, str):
        raise ConfigError(f"normalize: opencc must be a config name, not {opencc!r}")
    if opencc != "none":
        check_config(opencc)
    for key, value in (("fullwidth", fullwidth), ("cleanup", cleanup)):
        if not isinstance(value, bool):
            raise ConfigError(f"normalize: {key} must be true or false, not {value!r}")
    return NormalizeStage(opencc, fullwidth, cleanup)
