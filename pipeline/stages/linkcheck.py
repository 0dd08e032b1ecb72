"""The ``linkcheck`` stage: the article's entities compared with its hand links (:mod:`pipeline.linkcheck.check`).

Reads the segment stage's tokens for the word-cut rule, so it never segments the article a second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.article import Article
from pipeline.core.registry import BatchStage, register_stage
from pipeline.errors import ConfigError
from pipeline.linkcheck.check import check_article, load_resources


@dataclass(frozen=True)
class LinkCheckStage(BatchStage):
    """Holds only options (files are read once per process, on first use), so it pickles to workers."""

    opencc: str | None = "t2s"
    types_file: str | None = None
    gazetteer: str | None = None
    non_entity_file: str | None = None
    context: int = 12
    min_entity_chars: int = 2
    name: str = "linkcheck"

    def __call__(self, article: Article) -> Article:
        resources = load_resources(self.opencc, self.types_file, self.gazetteer, self.non_entity_file)
        article.results["linkcheck"] = check_article(
            article,
            resources,
            opencc=self.opencc,
            context=self.context,
            min_entity_chars=self.min_entity_chars,
        )
        return article


@register_stage("linkcheck", requires=("links", "tokens", "entities"), assigns=("linkcheck",))
def make_linkcheck(
    *,
    opencc: str = "t2s",
    types_file: str | None = None,
    gazetteer: str | None = None,
    non_entity_file: str | None = None,
    context: int = 12,
    min_entity_chars: int = 2,
) -> LinkCheckStage:
    """Options: ``opencc`` (how targets and surfaces are normalized before comparing; ``none`` to skip),
    ``types_file`` (typed list ``target<TAB>label``, label ``O`` for a non-entity), ``gazetteer`` (patterns
    JSONL typing targets), ``non_entity_file`` (extra common nouns, one a line), ``context`` (characters of
    context shown around each worklist item), ``min_entity_chars`` (unlinked entities shorter than this are
    counted apart; 1 counts them all)."""
    for key, value, least in (("context", context, 0), ("min_entity_chars", min_entity_chars, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise ConfigError(f"linkcheck: {key} must be a whole number >= {least}, not {value!r}")
    for path in (types_file, gazetteer, non_entity_file):
        if path is not None and not Path(path).is_file():
            raise ConfigError(f"linkcheck: file {path!r} not found")
    convert = None if opencc in (None, "none", "") else opencc
    return LinkCheckStage(convert, types_file, gazetteer, non_entity_file, context, min_entity_chars)
