"""A lexicon NER stage for the report's browser test, loaded as a plugin file (``[run] plugins``).

Every occurrence of every entry is tagged, overlaps included, so the report has to draw entities that overlap
each other and cross hand links; the hostile strings are entries too, so they reach the worklist as surfaces.
"""

from __future__ import annotations

from pipeline.core.article import Article, Entity
from pipeline.core.registry import register_stage

LEXICON = {
    "美国": "LOC",
    "<script>alert(1)</script>": "ORG",
    "<img src=x onerror=alert(1)>": "PER",
    "盛顿会": "ORG",
    "日本首相": "PER",
    "日本": "LOC",
    "北约": "ORG",
    "华盛顿": "LOC",
}


class LexiconNer:
    name = "test_report_ner"

    def __call__(self, article: Article) -> Article:
        text = article.text
        found = []
        for name, label in LEXICON.items():
            i = text.find(name)
            while i != -1:
                found.append(Entity(name, i, i + len(name), label, "model"))
                i = text.find(name, i + 1)
        article.entities = sorted(found, key=lambda e: (e.start, e.end))
        return article


register_stage("test_report_ner", assigns=("entities",))(LexiconNer)
