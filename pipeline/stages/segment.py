"""The ``segment`` stage: jieba tokens of the normalized text on the original text, and a spaCy Doc of them.

The tokens are the record's ``tokens`` and what every later stage reads (NER builds on the Doc; the link check,
stance, topic and topic-model features read the tokens); ``title_tokens`` are the title's normalized words.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.article import Article
from pipeline.core.registry import BatchStage, register_stage
from pipeline.errors import ConfigError
from pipeline.text.offsets import OffsetMap
from pipeline.text.segment import build_doc, segment_text, title_norms
from pipeline.text.segmenter import check_user_dicts

LINK_WORD_MODES = ("none", "article")


@dataclass(frozen=True)
class SegmentStage(BatchStage):
    """Holds only its options (jieba tokenizers live in a per-process cache), so it pickles to workers."""

    hmm: bool = True
    user_dicts: tuple[str, ...] = ()
    link_words: str = "none"
    pos: bool = True
    name: str = "segment"

    def __call__(self, article: Article) -> Article:
        text, norm_text, norm_map = article.text, article.norm_text, article.norm_map
        if norm_text is None or norm_map is None:
            raise ConfigError("segment: the article has no normalized text; put the normalize stage before segment")
        forced = self._link_spans(article, norm_map) if self.link_words == "article" else None
        tokens = segment_text(
            text, norm_text, norm_map, hmm=self.hmm, pos=self.pos, user_dicts=self.user_dicts, forced=forced
        )
        article.tokens = tokens
        article.doc = build_doc(text, tokens)
        article.title_tokens = title_norms(
            text, article.title, tokens, article.norm_title, hmm=self.hmm, user_dicts=self.user_dicts
        )
        return article

    @staticmethod
    def _link_spans(article: Article, norm_map: OffsetMap) -> list[tuple[int, int]]:
        """The article's link spans on the normalized text, sorted; a link overlapping an earlier one is skipped."""
        spans: list[tuple[int, int]] = []
        for start, end in sorted((link.start, link.end) for link in article.links):
            if end <= start or end > norm_map.source_length:
                continue
            span = norm_map.to_derived(start, end)
            if span[1] > span[0] and (not spans or span[0] >= spans[-1][1]):
                spans.append(span)
        return spans


@register_stage("segment", requires=("norm_text",), assigns=("tokens", "doc", "title_tokens"))
def make_segment(
    *, hmm: bool = True, user_dicts: list[str] | None = None, link_words: str = "none", pos: bool = True
) -> SegmentStage:
    """Options: ``hmm``, ``pos`` (booleans), ``user_dicts`` (jieba user dictionary paths), ``link_words``
    (``"none"``, or ``"article"``: each of the article's own link spans is kept as one token)."""
    for key, value in (("hmm", hmm), ("pos", pos)):
        if not isinstance(value, bool):
            raise ConfigError(f"segment: {key} must be true or false, not {value!r}")
    if link_words not in LINK_WORD_MODES:
        raise ConfigError(f"segment: link_words must be one of {', '.join(LINK_WORD_MODES)}, not {link_words!r}")
    return SegmentStage(hmm, check_user_dicts(user_dicts or []), link_words, pos)
