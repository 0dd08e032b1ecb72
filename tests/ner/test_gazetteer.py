"""The gazetteer component (character matching on normalized text) and the gazetteer builder."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from pipeline.core.article import Article
from pipeline.core.registry import create_stage
from pipeline.errors import DataError
from pipeline.ner.gazetteer import Gazetteer, normalize_name, read_patterns
from pipeline.ner.gazetteer_build import choose_patterns, collect_votes

PATTERNS = [
    {"label": "ORG", "pattern": "美军", "id": "美军"},
    {"label": "LOC", "pattern": "日本", "id": "日本"},
    {"label": "ORG", "pattern": "日本自卫队", "id": "日本自卫队"},
    {"label": "LOC", "pattern": "印度", "id": "印度"},
    {"label": "LOC", "pattern": "太平洋", "id": "太平洋"},
    {"label": "ORG", "pattern": "美國國家安全委員會", "id": "美国国家安全委员会"},  # a traditional pattern
    {"label": "ORG", "pattern": "AI", "id": "AI"},
]


def segmented(text: str) -> Doc:
    """A Doc as ``zhnews run`` makes it: normalize (t2s) then jieba segment."""
    article = Article(id="t", path="<test>", text=text)
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    assert article.doc is not None
    return article.doc


@pytest.fixture
def gazetteer() -> Gazetteer:
    g = Gazetteer()
    g.add_patterns(PATTERNS)
    return g


def ents(doc: Doc) -> list[tuple[str, str, int, str]]:
    return [(e.text, e.label_, e.start_char, e._.source) for e in doc.ents]


def test_matches_a_name_inside_a_jieba_word(gazetteer: Gazetteer) -> None:
    text = "驻日美军职能将加强，自由开放印度太平洋。"
    doc = segmented(text)
    # jieba glues 日美军 into one word: the gazetteer must still find 美军 inside it
    assert not any(t.text == "美军" for t in doc)
    doc = gazetteer(doc)  # a component returns the Doc to use (a new one when tokens were split)
    assert ("美军", "ORG", 2, "gazetteer") in ents(doc)
    assert ("印度", "LOC", 14, "gazetteer") in ents(doc)
    assert ("太平洋", "LOC", 16, "gazetteer") in ents(doc)
    assert doc.text == text
    assert [e.id_ for e in doc.ents if e.text == "美军"] == ["美军"]


def test_traditional_text_matches_simplified_patterns_and_keeps_its_script(gazetteer: Gazetteer) -> None:
    text = "駐日美軍與日本自衛隊協調，美國國家安全委員會沒有回應。"
    doc = gazetteer(segmented(text))
    assert ents(doc) == [
        ("美軍", "ORG", 2, "gazetteer"),
        ("日本自衛隊", "ORG", 5, "gazetteer"),  # longest match first: not 日本
        ("美國國家安全委員會", "ORG", 13, "gazetteer"),
    ]


def test_split_tokens_keep_readable_norms() -> None:
    # a fresh vocab that has never seen the pieces' norms: splitting must intern them, or reading
    # token.norm_ (as the record writer does) fails with spaCy's E018
    from spacy.vocab import Vocab

    doc = Doc(Vocab(), words=["駐日美軍", "司令部"], spaces=[False, False])
    doc[0].norm_ = "驻日美军"
    g = Gazetteer()
    g.add_patterns([{"label": "ORG", "pattern": "美军"}])
    doc = g(doc)
    assert [(t.text, t.norm_) for t in doc][:2] == [("駐日", "驻日"), ("美軍", "美军")]


def test_traditional_pattern_matches_simplified_text(gazetteer: Gazetteer) -> None:
    doc = gazetteer(segmented("白宫、美国国家安全委员会和国务院没有回应。"))
    assert ("美国国家安全委员会", "ORG", 3, "gazetteer") in ents(doc)
    assert gazetteer.label_of("美國國家安全委員會") == "ORG" and "美国国家安全委员会" in gazetteer


def test_latin_patterns_do_not_match_inside_latin_words(gazetteer: Gazetteer) -> None:
    doc = gazetteer(segmented("He SAID that AI芯片 matter."))
    assert [(e.text, e.start_char) for e in doc.ents] == [("AI", 13)]


def test_model_entities_win_unless_overwrite(gazetteer: Gazetteer) -> None:
    from pipeline.ner.charspans import CharSpan, set_char_ents

    doc = segmented("日本自卫队总部")
    doc = set_char_ents(doc, [CharSpan(0, 2, "GPE", "model")])
    doc = gazetteer(doc)
    assert ents(doc) == [("日本", "GPE", 0, "model")]
    over = Gazetteer(overwrite_ents=True)
    over.add_patterns(PATTERNS)
    doc = over(doc)
    assert ents(doc) == [("日本自卫队", "ORG", 0, "gazetteer")]


def test_later_patterns_override_earlier_ones_for_the_same_name(gazetteer: Gazetteer) -> None:
    gazetteer.add_patterns([{"label": "GPE", "pattern": "日本"}])
    assert gazetteer.label_of("日本") == "GPE"
    assert len(gazetteer) == len(PATTERNS)


def test_disk_round_trip_keeps_patterns_and_matches(gazetteer: Gazetteer, tmp_path: Path) -> None:
    text = "驻日美军與日本自衛隊"
    before = ents(gazetteer(segmented(text)))
    gazetteer.to_disk(tmp_path / "gaz")
    loaded = Gazetteer().from_disk(tmp_path / "gaz")
    assert loaded.patterns == gazetteer.patterns
    assert ents(loaded(segmented(text))) == before
    gazetteer.to_disk(tmp_path / "patterns.jsonl")
    assert read_patterns(tmp_path / "patterns.jsonl") == gazetteer.patterns
    assert Gazetteer().from_bytes(gazetteer.to_bytes()).patterns == gazetteer.patterns


def test_spacy_pipeline_with_the_factory_saves_and_loads(tmp_path: Path) -> None:
    nlp = spacy.blank("zh")
    ruler = nlp.add_pipe("zhnews_gazetteer", config={"overwrite_ents": True})
    ruler.add_patterns(PATTERNS)
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    restored = loaded.get_pipe("zhnews_gazetteer")
    assert restored.patterns == ruler.patterns and restored.overwrite_ents is True
    # the blank pipeline's character tokenizer leaves norms un-normalized: the component converts itself
    assert [e.text for e in loaded("駐日美軍").ents] == ["美軍"]


def test_load_patterns_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"label": "LOC", "pattern": "日本"}\n{"pattern": "美国"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:2"):
        Gazetteer().load_patterns(path)
    with pytest.raises(DataError, match="not found"):
        Gazetteer().load_patterns(tmp_path / "absent.jsonl")


ALPHABET = "日本美国军印度洋太平"
VOCAB = spacy.blank("zh").vocab


def _reference_matches(text: str, patterns: set[str]) -> list[tuple[int, int]]:
    """Brute force: every occurrence of every pattern, then longest-first, earliest-first without overlaps."""
    found = sorted(
        ((i, i + len(p)) for p in patterns for i in range(len(text)) if text.startswith(p, i)),
        key=lambda s: (-(s[1] - s[0]), s[0]),
    )
    taken: list[tuple[int, int]] = []
    for s, e in found:
        if all(e <= a or b <= s for a, b in taken):
            taken.append((s, e))
    return sorted(taken)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet=ALPHABET, min_size=1, max_size=30),
    patterns=st.sets(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=6),
    cuts=st.sets(st.integers(1, 29), max_size=10),
)
def test_matches_equal_a_brute_force_search_whatever_the_tokens(text: str, patterns: set[str], cuts: set[int]) -> None:
    bounds = [0, *sorted(c for c in cuts if c < len(text)), len(text)]
    words = [text[a:b] for a, b in itertools.pairwise(bounds)]
    doc = Doc(VOCAB, words=words, spaces=[False] * len(words))
    g = Gazetteer()
    g.add_patterns([{"label": "X", "pattern": p} for p in patterns])
    got = [(span.start, span.end) for span, _ in g.match(doc)]
    assert got == _reference_matches(text, patterns)
    doc = g(doc)
    assert [(e.start_char, e.end_char) for e in doc.ents] == got
    assert doc.text == text


def test_normalize_name_folds_script_width_and_case() -> None:
    assert normalize_name(" 美國ＡＩ公司 ") == "美国ai公司"
    assert normalize_name("美國", None) == "美國"


# -- builder ----------------------------------------------------------------------------------------------


def _record(text: str, links: list[tuple[str, str]], entities: list[tuple[str, str]]) -> dict:
    def at(surface: str) -> tuple[int, int]:
        start = text.index(surface)
        return start, start + len(surface)

    return {
        "text": text,
        "links": [{"start": at(s)[0], "end": at(s)[1], "surface": s, "target": t} for s, t in links],
        "entities": [{"start": at(s)[0], "end": at(s)[1], "text": s, "label": lab} for s, lab in entities],
    }


RECORDS = [
    _record(
        "林芳正在东京说，外交很重要。",
        [("林芳正", "林芳正"), ("东京", "東京"), ("外交", "外交")],
        [("林芳正", "PER"), ("东京", "LOC"), ("外交", "ORG")],
    ),
    _record("东京的路透社报道。", [("东京", "东京"), ("路透社", "路透社")], [("东京", "LOC"), ("路透社", "ORG")]),
    _record("路透社和国家。", [("路透社", "路透社"), ("国家", "国家")], [("路透社", "LOC")]),
    _record("路透社说。", [("路透社", "路透社")], [("路透社", "ORG")]),
    _record("驻日美军司令部", [("美军", "美军")], [("驻日美军", "ORG")]),
]


def test_builder_types_targets_by_majority_and_drops_non_names() -> None:
    table = collect_votes(RECORDS)
    assert table["东京"].links == 2  # 東京 and 东京 are one target
    patterns, dropped = choose_patterns(table)
    got = {p["pattern"]: p["label"] for p in patterns}
    assert got == {"东京": "LOC", "林芳正": "PER", "路透社": "ORG"}  # 路透社: ORG 2 to LOC 1
    # 国家 never predicted, 美军 only inside 驻日美军 (which types that name, not 美军); 外交 is on the list
    assert dropped == {"never_predicted": 2, "common_noun": 1}
    assert table["美军"].covered == {"ORG": 1}


def test_builder_min_count_and_typed_list_override() -> None:
    table = collect_votes(RECORDS)
    patterns, dropped = choose_patterns(table, min_count=2, types={"路透社": "MEDIA", "东京": "O", "中华民国": "LOC"})
    got = {p["pattern"]: p["label"] for p in patterns}
    assert got == {"路透社": "MEDIA", "中华民国": "LOC"}
    assert dropped["typed_list"] == 1 and dropped["min_count"] == 4
