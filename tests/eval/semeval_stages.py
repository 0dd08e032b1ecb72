"""A lexicon NER stage for the SemEval CLI tests, loaded as a plugin file (``[run] plugins``).

It tags fixed strings with fixed types, some deliberately wrong or cut short, so ``zhnews eval ner`` and
``zhnews eval links`` have exact, wrong-type and overlapping predictions to score, without training a model.
"""

from __future__ import annotations

from pipeline.core.article import Article, Entity
from pipeline.core.registry import register_stage

LEXICON = {"日本": "LOC", "东京": "ORG", "林芳": "PER", "美国": "LOC", "北约": "ORG", "华盛顿": "LOC", "台积": "ORG"}


def lexicon_entities(text: str) -> list[tuple[int, int, str]]:
    """Every occurrence of a lexicon entry, longest first where they would overlap."""
    taken = [False] * len(text)
    found = []
    for name in sorted(LEXICON, key=len, reverse=True):
        i = text.find(name)
        while i != -1:
            if not any(taken[i : i + len(name)]):
                taken[i : i + len(name)] = [True] * len(name)
                found.append((i, i + len(name), LEXICON[name]))
            i = text.find(name, i + 1)
    return sorted(found)


class LexiconNer:
    name = "test_lexicon_ner"

    def __call__(self, article: Article) -> Article:
        text = article.text
        article.entities = [Entity(text[s:e], s, e, label, "model") for s, e, label in lexicon_entities(text)]
        return article


register_stage("test_lexicon_ner", assigns=("entities",))(LexiconNer)
