"""The link check: target rules, per-article comparison and worklist, corpus report, the seed article."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import opencc
import pytest

from pipeline.core.article import Article, Entity, Link
from pipeline.core.config import load_config
from pipeline.core.registry import create_stage
from pipeline.core.runner import process_source
from pipeline.errors import ConfigError
from pipeline.linkcheck.report import build_report, format_report, write_worklist
from pipeline.linkcheck.rules import COMMON_NOUNS, decide, is_date_or_number, role_head

REPO = Path(__file__).resolve().parents[2]
TEXT = (
    "约翰逊说，日本首相岸田文雄4月访问华盛顿。美国海军拥有三星指挥官。"
    "路透社报道，美国国家安全委员会没有回应。北京和上海的消息人士称，东京很冷。"
)
# (surface, nth occurrence); every link targets its own surface
LINKS = [
    ("约翰", 0),  # [[约翰]]逊: cuts the word 约翰逊 and the predicted PER 约翰逊 -> suspicious_link
    ("日本首相", 0),  # a title: non-entity link (the LOC 日本 on it is counted apart)
    ("岸田文雄", 0),  # exact agreement
    ("4月", 0),  # a date: non-entity link
    ("华盛顿", 0),  # exact agreement
    ("三星", 0),  # 三星|指挥官, nothing predicted: suspicious_link (modifier)
    ("路透社", 0),  # exact agreement
    ("美国国家安全委员会", 0),  # the model found only 美国 inside: boundary_differs
    ("北京", 0),  # exact agreement
    ("消息人士", 0),  # a common noun: non-entity link
    ("东京", 0),  # nothing predicted: link_not_found
]
ENTITIES = [
    ("约翰逊", "PER", 0),
    ("日本", "LOC", 0),
    ("岸田文雄", "PER", 0),
    ("华盛顿", "LOC", 0),
    ("美国", "LOC", 0),  # 美国海军, not linked: entity_not_linked
    ("路透社", "ORG", 0),
    ("美国", "LOC", 1),
    ("北京", "LOC", 0),
    ("上海", "LOC", 0),  # not linked: entity_not_linked
]


def _at(text: str, surface: str, nth: int) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface)


def hand_article(convert: str | None = None) -> Article:
    """The article above, through the real normalize and segment stages, with the entities a model would set."""
    conv = opencc.OpenCC(f"{convert}.json").convert if convert else (lambda s: s)
    text = conv(TEXT)
    assert len(text) == len(TEXT)
    links = [Link(*_at(TEXT, s, n), conv(s), conv(s)) for s, n in LINKS]
    article = Article(id="hand", path="<hand>", text=text, links=links)
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    article.entities = [Entity(conv(s), *_at(TEXT, s, n), label) for s, label, n in ENTITIES]
    return article


def check(article: Article, **options: object) -> dict:
    return create_stage("linkcheck", dict(options))(article).results["linkcheck"]


def test_hand_article_has_one_of_each_disagreement_with_exact_counts() -> None:
    result = check(hand_article())
    counts = result["counts"]
    assert (counts["links"], counts["entity_links"], counts["non_entity_links"]) == (11, 8, 3)
    assert (counts["entities"], counts["entities_on_non_entity_links"]) == (9, 1)
    assert counts["disagreements"] == {
        "entity_not_linked": 2,
        "link_not_found": 1,
        "boundary_differs": 1,
        "suspicious_link": 2,
    }
    assert counts["suspicious_rules"] == {"cuts_word": 1, "cuts_entity": 1, "modifier": 1}
    assert result["non_entity_links"] == {"role_title": 1, "date_number": 1, "common_noun": 1}
    exact, overlap = result["exact"]["micro"], result["overlap"]["micro"]
    assert (exact["gold_matched"], exact["n_gold"], exact["pred_matched"], exact["n_pred"]) == (4, 8, 4, 8)
    assert (overlap["gold_matched"], overlap["n_gold"], overlap["pred_matched"], overlap["n_pred"]) == (6, 8, 6, 8)
    kinds = [(it["kind"], it["surface"]) for it in result["worklist"]]
    assert kinds == [
        ("suspicious_link", "约翰"),
        ("entity_not_linked", "美国"),
        ("suspicious_link", "三星"),
        ("boundary_differs", "美国国家安全委员会"),
        ("entity_not_linked", "上海"),
        ("link_not_found", "东京"),
    ]
    first = result["worklist"][0]
    assert first["article"] == "hand" and (first["start"], first["end"]) == (0, 2)
    assert first["entity"] == "约翰逊" and first["entity_label"] == "PER"
    assert "约翰逊" in first["reason"] and first["action"]
    assert first["context"].startswith("【约翰】逊说")


def test_per_type_rows_use_target_types_and_predicted_labels() -> None:
    per_type = check(hand_article())["overlap"]["per_type"]
    # LOC links: 华盛顿, 北京 found, 东京 missed; untyped: 美国国家安全委员会 found, 三星 missed
    assert (per_type["LOC"]["gold_matched"], per_type["LOC"]["n_gold"]) == (2, 3)
    assert (per_type["UNTYPED"]["gold_matched"], per_type["UNTYPED"]["n_gold"]) == (1, 2)
    assert (per_type["PER"]["gold_matched"], per_type["PER"]["n_gold"]) == (2, 2)
    # LOC entities: 华盛顿, 美国 (in the committee), 北京 touch entity links; 美国海军, 上海 do not
    assert (per_type["LOC"]["pred_matched"], per_type["LOC"]["n_pred"]) == (3, 5)


def test_traditional_article_linking_traditional_titles_gives_the_same_check() -> None:
    simplified = check(hand_article())
    traditional = check(hand_article("s2t"))
    assert traditional["counts"] == simplified["counts"]
    assert traditional["exact"] == simplified["exact"] and traditional["overlap"] == simplified["overlap"]
    assert [(i["kind"], i["start"]) for i in traditional["worklist"]] == [
        (i["kind"], i["start"]) for i in simplified["worklist"]
    ]


def test_typed_list_and_non_entity_list_change_the_decisions(tmp_path: Path) -> None:
    typed = tmp_path / "typed.tsv"
    typed.write_text("# target<TAB>label\n三星\tO\n東京\tGPE\n", encoding="utf-8")
    common = tmp_path / "common.txt"
    common.write_text("美國國家安全委員會\n", encoding="utf-8")
    result = check(hand_article(), types_file=str(typed), non_entity_file=str(common))
    rows = {r["surface"]: r for r in result["links"]}
    assert (rows["三星"]["entity"], rows["三星"]["basis"]) == (False, "typed_list")
    assert (rows["东京"]["label"], rows["东京"]["basis"]) == ("GPE", "typed_list")
    assert rows["美国国家安全委员会"]["basis"] == "common_noun"
    assert result["counts"]["entity_links"] == 6
    # 三星 is still flagged (links to non-entities can cut words too), 美国 inside the committee is counted apart
    assert result["counts"]["disagreements"]["suspicious_link"] == 2
    assert result["counts"]["disagreements"]["boundary_differs"] == 0
    assert result["counts"]["entities_on_non_entity_links"] == 2


def test_gazetteer_types_targets(tmp_path: Path) -> None:
    patterns = tmp_path / "gaz.jsonl"
    patterns.write_text('{"label": "ORG", "pattern": "美国国家安全委员会"}\n', encoding="utf-8")
    rows = {r["surface"]: r for r in check(hand_article(), gazetteer=str(patterns))["links"]}
    assert (rows["美国国家安全委员会"]["label"], rows["美国国家安全委员会"]["basis"]) == ("ORG", "gazetteer")


def test_unlinked_mention_of_a_linked_name_suggests_linking_it() -> None:
    text = "林芳正周一表示，林芳正将访问。"
    article = Article(id="a", path="<a>", text=text, links=[Link(0, 3, "林芳正", "林芳正")])
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    article.entities = [Entity("林芳正", 0, 3, "PER"), Entity("林芳正", 8, 11, "PER")]
    [item] = check(article)["worklist"]
    assert item["kind"] == "entity_not_linked" and item["start"] == 8
    assert "[[zh:林芳正]]" in item["action"]


def test_link_inside_a_longer_organization_is_a_boundary_difference_and_abbreviations_are_apart() -> None:
    text = "日本自卫队总部与美日两国协调。"
    article = Article(id="a", path="<a>", text=text, links=[Link(0, 5, "日本自卫队", "日本自卫队")])
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    article.entities = [Entity("日本自卫队总部", 0, 7, "ORG"), Entity("美", 8, 9, "LOC"), Entity("日", 9, 10, "LOC")]
    result = check(article)
    assert [it["kind"] for it in result["worklist"]] == ["boundary_differs"]
    assert result["counts"]["short_unlinked_entities"] == 2
    assert result["exact"]["micro"]["n_pred"] == 1
    assert check(article, min_entity_chars=1)["counts"]["disagreements"]["entity_not_linked"] == 2


def test_article_without_links_is_not_scored() -> None:
    article = Article(id="a", path="<a>", text="林芳正周一表示。")
    article = create_stage("segment", {})(create_stage("normalize", {})(article))
    article.entities = [Entity("林芳正", 0, 3, "PER")]
    result = check(article)
    assert result["worklist"] == [] and result["exact"]["micro"]["n_pred"] == 0


def test_stage_options_are_checked_and_the_stage_pickles(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        create_stage("linkcheck", {"types_file": str(tmp_path / "absent.tsv")})
    with pytest.raises(ConfigError, match="hmm"):  # removed on purpose: the stage reads the segment tokens
        create_stage("linkcheck", {"hmm": True})
    with pytest.raises(ConfigError):
        create_stage("linkcheck", {"colour": "red"})
    stage = create_stage("linkcheck", {"context": 5})
    assert pickle.loads(pickle.dumps(stage)) == stage


@pytest.mark.parametrize("name", ["4月", "5月2日", "2025", "二〇二四年", "周一", "3%", "1960年代", "54,000"])
def test_dates_and_numbers_are_not_entities(name: str) -> None:
    assert is_date_or_number(name)
    decision = decide(name, typed={}, common=COMMON_NOUNS, gazetteer_label=None, model_label="LOC", jieba_flag=None)
    assert not decision.is_entity and decision.basis == "date_number"


@pytest.mark.parametrize("name", ["三星", "四川", "十月革命", "日本"])
def test_names_with_numerals_are_not_dates(name: str) -> None:
    assert not is_date_or_number(name)


def test_rule_order() -> None:
    def basis(name: str, **kw: object) -> tuple[bool, str | None, str]:
        args: dict = {"typed": {}, "common": COMMON_NOUNS, "gazetteer_label": None, "model_label": None}
        args.update(kw)
        d = decide(name, jieba_flag=args.pop("jieba_flag", None), pieces=args.pop("pieces", ()), **args)
        return d.is_entity, d.label, d.basis

    assert basis("外交", model_label="ORG") == (False, None, "common_noun")  # the list beats the model
    assert basis("路透社", model_label="ORG", jieba_flag="n") == (True, "ORG", "model")  # the model beats jieba
    assert basis("日本首相") == (False, None, "role_title") and role_head("总统") is None
    assert basis("白宫新闻秘书", jieba_flag="nr") == (False, None, "role_title")
    assert basis("东京", jieba_flag="ns") == (True, "LOC", "jieba")
    assert basis("飞行", jieba_flag="v") == (False, None, "jieba")
    assert basis("林芳正", pieces=[("林芳正", "nr")]) == (True, None, "unknown_word")
    assert basis("接种疫苗", pieces=[("接种", "v"), ("疫苗", "n")]) == (False, None, "common_compound")
    assert basis("人权理事会", pieces=[("人权", "n"), ("理事会", "n")]) == (True, None, "unknown_word")
    assert basis("推特", pieces=[("推", "v"), ("特", "n")]) == (True, None, "unknown_word")  # too short to judge
    assert basis("美国海军", pieces=[("美国", "ns"), ("海军", "n")]) == (True, None, "unknown_word")
    assert basis("外交", typed={"外交": "ORG"}) == (True, "ORG", "typed_list")
    assert basis("日本", gazetteer_label="GPE", model_label="LOC") == (True, "GPE", "gazetteer")


def test_report_sums_articles_and_makes_the_noise_visible(tmp_path: Path) -> None:
    records = []
    for conv in (None, "s2t"):
        article = create_stage("linkcheck", {})(hand_article(conv))
        records.append(json.loads(json.dumps(article.to_record(), ensure_ascii=False)))
    records.append(
        {"id": "untagged", "text": "没有链接的文章。", "linkcheck": check(Article("u", "<u>", "没有链接。"))}
    )
    report = build_report(records)
    assert (report.articles, report.articles_with_links) == (3, 2)
    assert report.totals["links"] == 22 and report.totals["non_entity_links"] == 6
    assert report.overlap.micro.gold_matched == 12 and report.exact.micro.n_gold == 16
    assert report.kinds["suspicious_link"] == 4
    assert report.noise()["non_entity_links"] == pytest.approx(6 / 22)
    assert report.noise()["links_cutting_a_word"] == pytest.approx(2 / 22)
    text = format_report(report)
    assert "links: 22 = 16 to entities + 6 to non-entities" in text
    assert "links cutting a word" in text and "suspicious_link" in text
    jsonl, md = write_worklist(report.worklist, tmp_path)
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == len(report.worklist) == 12
    table = md.read_text(encoding="utf-8")
    assert table.count("| suspicious_link |") == 4 and "【三星】指挥官" in table


def test_worklist_table_escapes_article_text(tmp_path: Path) -> None:
    item = {
        "kind": "link_not_found",
        "article": "a|b",
        "path": "<x>",
        "start": 0,
        "end": 2,
        "surface": "甲|乙",
        "context": "<script>甲|乙</script>",
        "reason": "r",
        "action": "a",
    }
    _, md = write_worklist([item], tmp_path)
    table = md.read_text(encoding="utf-8")
    assert "<script>" not in table and "&lt;script&gt;" in table and "甲\\|乙" in table


def test_seed_article_link_check(seed_article: Path) -> None:
    from pipeline.ingest import read_source

    [article] = read_source(seed_article)
    stages = ["normalize", "segment"]
    model = REPO / "models" / "ner" / "config.cfg"
    if model.is_file():
        stages.append("ner")
    for name in stages:
        article = create_stage(name, {})(article)
    result = check(article)
    rows = result["links"]
    assert len(rows) == 108
    non_entities = {r["target"] for r in rows if not r["entity"]}
    assert {"外交", "政治", "飞机", "国内生产总值", "4月", "消息人士", "日本首相"} <= non_entities
    entities = {r["target"] for r in rows if r["entity"]}
    assert {"日本", "林芳正", "白宫", "美国", "华盛顿", "岸田文雄"} <= entities
    if not model.is_file():
        pytest.skip("models/ner not shipped yet: model-dependent assertions skipped")
    assert "路透社" in entities
    overlap = result["overlap"]["micro"]
    assert overlap["gold_matched"] / overlap["n_gold"] >= 0.90


# -- the word-cut rule reads the segment stage's tokens (no second jieba pass) ----------------------------------
CUT_TEXT = "韩冰冰和林芳正周一见面，讨论合作。"
CUT_LINK = Link(4, 6, "林芳", "林芳")  # [[林芳]]正: inside the word 林芳正 only when jieba's HMM finds that word


def segmented_with(hmm: bool) -> Article:
    article = Article(id="cut", path="<cut>", text=CUT_TEXT, links=[CUT_LINK])
    return create_stage("segment", {"hmm": hmm})(create_stage("normalize", {})(article))


def cut_items(result: dict) -> list[dict]:
    return [it for it in result["worklist"] if "cuts_word" in it.get("rules", [])]


def test_word_cut_rule_follows_the_segment_stage_hmm_setting() -> None:
    with_hmm = segmented_with(True)
    assert "林芳正" in [CUT_TEXT[t.start : t.end] for t in with_hmm.tokens or ()]
    [item] = cut_items(check(with_hmm))
    assert (item["start"], item["end"], item["kind"]) == (4, 6, "suspicious_link")
    assert "林芳正" in item["reason"]
    without = segmented_with(False)
    assert "林芳正" not in [CUT_TEXT[t.start : t.end] for t in without.tokens or ()]
    result = check(without)
    assert cut_items(result) == [] and "cuts_word" not in result["counts"]["suspicious_rules"]


def test_word_cut_rule_reads_the_article_tokens_it_is_given() -> None:
    """Tokens changed after segmenting are what the rule sees: the stage does not cut the text again."""
    article = segmented_with(False)
    assert article.tokens is not None
    first, *rest = [t for t in article.tokens if t.start >= 4]
    merged = first._replace(end=9, norm=CUT_TEXT[4:9])  # 林芳正周一 as one word
    article.tokens = [t for t in article.tokens if t.start < 4] + [merged] + [t for t in rest if t.start >= 9]
    [item] = cut_items(check(article))
    assert "林芳正周一" in item["reason"]


@pytest.mark.skipif(not (REPO / "models" / "ner" / "config.cfg").is_file(), reason="models/ner not built")
@pytest.mark.parametrize("hmm", [False, True])
def test_run_link_check_follows_the_configured_segmentation(tmp_path: Path, hmm: bool) -> None:
    """Through the default config's stages (normalize, segment, ner, linkcheck) as ``zhnews run`` runs them."""
    path = tmp_path / "cut.jsonl"
    row = {"id": "cut", "text": CUT_TEXT, "links": [{"start": 4, "end": 6, "surface": "林芳", "target": "林芳"}]}
    path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    config = load_config(
        overrides=[f"stages.segment.hmm={str(hmm).lower()}", 'run.stages=["normalize", "segment", "ner", "linkcheck"]']
    )
    result = process_source(str(path), config)
    assert result.errors == []
    [record] = result.records
    words = [t["text"] for t in record["tokens"]]
    assert ("林芳正" in words) is hmm
    rules = record["linkcheck"]["counts"]["suspicious_rules"]
    assert ("cuts_word" in rules) is hmm
