"""Dev sentences grouped into articles keep every gold entity on its characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corpora.msra import NerSentence
from pipeline.eval.runs import as_articles

SENTENCES = [
    NerSentence("邯钢实行模拟市场核算。", ((0, 2, "ORG"),)),
    NerSentence(
        "新华社北京电，国务院总理李鹏会见美国客人。", ((0, 3, "ORG"), (3, 5, "LOC"), (12, 14, "PER"), (16, 18, "LOC"))
    ),
    NerSentence("今天天气很好。", ()),
]


def test_sentences_become_paragraphs_of_one_article_with_their_entities() -> None:
    [article] = as_articles(SENTENCES, 5)
    assert article.text == "\n\n".join(s.text for s in SENTENCES)
    surfaces = [article.text[s:e] + lab for s, e, lab in article.spans]
    assert surfaces == ["邯钢ORG", "新华社ORG", "北京LOC", "李鹏PER", "美国LOC"]


@given(st.lists(st.sampled_from(SENTENCES), max_size=12), st.integers(1, 5), st.sampled_from(["\n\n", "", "\n"]))
def test_grouping_keeps_every_entity_surface_and_the_order(sents: list[NerSentence], per: int, sep: str) -> None:
    articles = as_articles(sents, per, sep)
    assert len(articles) == -(-len(sents) // per)
    expected = [(s.text[a:b], lab) for s in sents for a, b, lab in s.spans]
    assert [(art.text[a:b], lab) for art in articles for a, b, lab in art.spans] == expected
    assert sep.join(art.text for art in articles) == sep.join(s.text for s in sents)
