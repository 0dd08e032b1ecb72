"""One name, one label within a text: the NER component's document-level rule on real jieba-segmented Chinese."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.ner.consistency import propagate_labels
from pipeline.ner.docs import make_doc
from pipeline.ner.features import SEG_CODES, doc_parts

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "ner"

HANGANG = "邯钢实行模拟市场核算。邯钢的经验在全国推广。记者问邯钢职工，大家都说好。"


def norm_seg(text: str) -> tuple[str, np.ndarray]:
    parts = doc_parts(make_doc(text, hmm=False))
    return parts.norm, parts.seg


def spans_of(text: str, name: str, label: str) -> list[tuple[int, int, str]]:
    """Every occurrence of ``name`` in ``text`` as a span of ``label``."""
    out, start = [], text.find(name)
    while start >= 0:
        out.append((start, start + len(name), label))
        start = text.find(name, start + 1)
    return out


def test_a_name_tagged_twice_is_tagged_where_the_model_missed_it() -> None:
    norm, seg = norm_seg(HANGANG)
    all_three = spans_of(HANGANG, "邯钢", "ORG")
    assert len(all_three) == 3
    missed_last = all_three[:2]
    assert propagate_labels(norm, seg, missed_last) == all_three


def test_one_mention_is_not_enough_evidence() -> None:
    norm, seg = norm_seg(HANGANG)
    once = spans_of(HANGANG, "邯钢", "ORG")[:1]
    assert propagate_labels(norm, seg, once) == once


def test_one_character_names_are_never_carried() -> None:
    """MSRA tags 中 of 中美 as LOC: carrying it would tag every 中 of the article."""
    text = "中美关系。中美贸易。中方表示，会议在中国举行，其中有分歧。"
    norm, seg = norm_seg(text)
    spans = [(0, 1, "LOC"), (5, 6, "LOC")]
    assert propagate_labels(norm, seg, spans) == spans


def test_a_name_inside_a_longer_word_stays_untagged() -> None:
    text = "中国经济增长。中国外交部发言。中国人民银行宣布降息。"
    norm, seg = norm_seg(text)
    inner = text.index("中国人民银行")
    assert seg[inner] == SEG_CODES["B"] and seg[inner + 5] == SEG_CODES["E"]  # jieba: one word
    tagged = [(0, 2, "LOC"), (7, 9, "LOC")]
    assert propagate_labels(norm, seg, tagged) == tagged


def test_a_place_inside_an_entity_the_model_found_is_left_to_it() -> None:
    text = "邯钢效益好。邯钢集团公司宣布扩产。邯钢表示欢迎。"
    norm, seg = norm_seg(text)
    org = (text.index("邯钢集团公司"), text.index("邯钢集团公司") + 6, "ORG")
    spans = sorted([(0, 2, "ORG"), org, (text.rindex("邯钢"), text.rindex("邯钢") + 2, "ORG")])
    assert propagate_labels(norm, seg, spans) == spans


def test_traditional_and_simplified_spellings_are_one_name() -> None:
    text = "邯钢实行模拟市场核算。邯钢的经验在全国推广。記者問邯鋼職工，大家都说好。"
    norm, seg = norm_seg(text)
    trad = text.index("邯鋼")
    assert propagate_labels(norm, seg, spans_of(text, "邯钢", "ORG")) == [
        *spans_of(text, "邯钢", "ORG"),
        (trad, trad + 2, "ORG"),
    ]


def test_the_majority_label_is_carried_and_a_tie_is_left_alone() -> None:
    text = "黑河市政府。黑河发生洪水。黑河沿岸受灾。记者来到黑河。"
    norm, seg = norm_seg(text)
    places = spans_of(text, "黑河", "LOC")
    majority = [(*places[0][:2], "ORG"), places[1], places[2]]
    assert propagate_labels(norm, seg, majority) == [*majority, places[3]]
    tie = [(*places[0][:2], "ORG"), places[1]]
    assert propagate_labels(norm, seg, tie) == tie


def _by_walking(norm: str, seg: np.ndarray, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The rule's definition, character by character: at each uncovered word start, the longest name carried."""
    from collections import Counter

    counts: dict[str, Counter[str]] = {}
    for s, e, lab in spans:
        if e - s >= 2:
            counts.setdefault(norm[s:e], Counter())[lab] += 1
    names = {}
    for name, c in counts.items():
        top = c.most_common()
        if sum(c.values()) >= 2 and (len(top) == 1 or top[0][1] > top[1][1]):
            names[name] = top[0][0]
    covered = [False] * len(norm)
    for s, e, _ in spans:
        covered[s:e] = [True] * (e - s)
    out = list(spans)
    for i in range(len(norm)):
        if covered[i] or seg[i] not in (SEG_CODES["B"], SEG_CODES["S"]):
            continue
        for name in sorted(names, key=len, reverse=True):
            j = i + len(name)
            if norm.startswith(name, i) and seg[j - 1] in (SEG_CODES["E"], SEG_CODES["S"]) and not any(covered[i:j]):
                out.append((i, j, names[name]))
                covered[i:j] = [True] * (j - i)
                break
    return sorted(out)


PIECES = ["邯钢", "职工", "美国", "中国", "中国人", "外交部", "，", "。", "说", "的", "黑河", "苹果"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30), st.data())
def test_propagation_matches_its_definition_and_only_adds_whole_words(words: list[str], data: st.DataObject) -> None:
    text = "".join(words)
    norm, seg = norm_seg(text)
    # non-overlapping model spans on word edges of the text, as the model's BIOES paths give
    starts = [i for i in range(len(text)) if seg[i] in (SEG_CODES["B"], SEG_CODES["S"])]
    spans = []
    for s in data.draw(st.lists(st.sampled_from(starts), unique=True, max_size=8)) if starts else []:
        ends = [j for j in range(s + 1, min(len(text), s + 4) + 1) if seg[j - 1] in (SEG_CODES["E"], SEG_CODES["S"])]
        if ends:
            spans.append((s, data.draw(st.sampled_from(ends)), data.draw(st.sampled_from(["PER", "LOC", "ORG"]))))
    spans.sort()
    spans = [sp for k, sp in enumerate(spans) if all(sp[0] >= o[1] or sp[1] <= o[0] for o in spans[:k])]
    result = propagate_labels(norm, seg, spans)
    assert result == _by_walking(norm, seg, spans)
    assert set(spans) <= set(result)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(result))  # still non-overlapping, sorted


@pytest.mark.skipif(not (MODEL / "config.cfg").is_file(), reason="models/ner not built")
def test_the_shipped_component_applies_the_rule_after_its_other_rules() -> None:
    from pipeline.ner.loader import load_ner_pipeline

    nlp = load_ner_pipeline(str(MODEL))
    component = nlp.get_pipe("ner")
    assert component.propagate
    text = HANGANG + "新华社北京电，美国国务卿布林肯访问北京。布林肯会见王毅。"
    doc = nlp(text)
    component.propagate = False
    try:
        [without] = component.predict_spans([doc])
    finally:
        component.propagate = True
    [with_rule] = component.predict_spans([doc])
    assert with_rule == propagate_labels(*norm_seg(text), without)
    assert len(with_rule) == len(without) + 1  # the third 邯钢
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == with_rule
