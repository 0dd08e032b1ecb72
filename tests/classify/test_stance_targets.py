"""Stance toward targets a JSONL record names: exactly those entries, no mention gate, unknown ones refused.

Runs ``zhnews run`` with the shipped stance model and only normalize, segment and stance (fast), as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.core.modelio import read_meta
from pipeline.core.resources import model_dir
from pipeline.errors import InputError
from pipeline.ingest.readers import article_from_record

MODEL = model_dir("stance")
KNOWN = [str(t) for t in read_meta(MODEL, kind="stance")["targets"]]
SPORTS = "中国队三比零战胜对手，晋级决赛。球迷在看台上欢呼。"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cfg") / "stance.toml"
    path.write_text(
        f'[run]\nstages = ["normalize", "segment", "stance"]\n\n[stages.stance]\nmodel = {json.dumps(str(MODEL))}\n',
        encoding="utf-8",
    )
    return path


def run(tmp_path: Path, config: Path, rows: list[dict[str, object]]) -> tuple[int, list[dict], list[dict]]:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["run", str(source), "--config", str(config), "--out", str(out), "--quiet"])

    def read(name: str) -> list[dict]:
        lines = (out / name).read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    return code, read("records.jsonl"), read("errors.jsonl")


def test_named_targets_are_scored_exactly_in_order_without_the_gate(tmp_path: Path, config: Path) -> None:
    rows: list[dict[str, object]] = [
        {"id": "one", "text": SPORTS, "target": "开放二胎"},
        # IphoneSE is the training file's spelling; the repeat is scored once
        {"id": "two", "text": SPORTS, "targets": ["春节放鞭炮", "IphoneSE", "iPhone SE"]},
    ]
    code, records, errors = run(tmp_path, config, rows)
    assert (code, errors) == (0, [])
    by_id = {r["id"]: r["stance"] for r in records}
    assert [e["target"] for e in by_id["one"]] == ["开放二胎"]
    assert [e["target"] for e in by_id["two"]] == ["春节放鞭炮", "iPhone SE"]
    for entry in by_id["one"] + by_id["two"]:
        assert set(entry) == {"target", "label", "mentioned", "named", "probs"}
        assert entry["mentioned"] is True and entry["named"] is True
        assert entry["label"] in {"FAVOR", "AGAINST", "NONE"}
        # scored, not the gate's NONE with probability 1 (the text names none of these targets' terms)
        assert entry["probs"]["NONE"] < 1.0
        assert sum(entry["probs"].values()) == pytest.approx(1.0, abs=1e-3)


def test_a_record_naming_no_target_still_goes_through_the_gate(tmp_path: Path, config: Path) -> None:
    rows: list[dict[str, object]] = [
        {"id": "sports", "text": SPORTS},
        {"id": "firecrackers", "text": "除夕夜放鞭炮，噪音扰民，空气污染严重。"},
    ]
    code, records, _ = run(tmp_path, config, rows)
    assert code == 0
    sports, firecrackers = (r["stance"] for r in records)
    assert [e["target"] for e in sports] == KNOWN
    assert all(e["mentioned"] is False and e["label"] == "NONE" and "named" not in e for e in sports)
    mentioned = {e["target"]: e["mentioned"] for e in firecrackers}
    assert mentioned["春节放鞭炮"] is True and mentioned["开放二胎"] is False


def test_an_unknown_named_target_makes_that_record_an_error_record(tmp_path: Path, config: Path) -> None:
    rows: list[dict[str, object]] = [
        {"id": "bad", "text": SPORTS, "targets": ["开放二胎", "核电站"]},
        {"id": "good", "text": SPORTS, "target": "深圳禁摩限电"},
    ]
    code, records, errors = run(tmp_path, config, rows)
    assert code == 1
    assert [r["id"] for r in records] == ["good"]
    (error,) = errors
    assert (error["id"], error["stage"]) == ("bad", "stance")
    assert "\n" not in error["error"]
    assert "核电站" in error["error"] and all(t in error["error"] for t in KNOWN)
    assert "开放二胎," not in error["error"].split("knows")[0]  # only the unknown name is blamed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target": 3}, '"target" must be a non-empty string, not int 3'),
        ({"target": " "}, '"target" must be a non-empty string'),
        ({"targets": "开放二胎"}, '"targets" must be a non-empty list of strings, not str'),
        ({"targets": []}, '"targets" must be a non-empty list of strings, not list []'),
        ({"targets": ["开放二胎", None]}, '"targets" must hold non-empty strings, not NoneType null'),
        ({"target": "开放二胎", "targets": ["开放二胎"]}, 'give "target" or "targets", not both'),
    ],
)
def test_malformed_targets_are_the_records_error(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=r"^f\.jsonl:1: ") as caught:
        article_from_record({"text": "正文", **fields}, path="f.jsonl", default_id="f-1", where="f.jsonl:1")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_targets_are_kept_on_the_article_as_given() -> None:
    article = article_from_record(
        {"text": "正文", "targets": [" IphoneSE ", "开放二胎"]}, path="f.jsonl", default_id="f-1", where="f.jsonl:1"
    )
    assert article.meta["targets"] == ["IphoneSE", "开放二胎"]
    plain = article_from_record({"text": "正文", "target": None}, path="f.jsonl", default_id="f-1", where="f.jsonl:1")
    assert "targets" not in plain.meta


def test_malformed_target_through_a_run_is_an_ingest_error_record(tmp_path: Path, config: Path) -> None:
    code, records, errors = run(
        tmp_path, config, [{"id": "x", "text": SPORTS, "target": ["开放二胎"]}, {"text": SPORTS}]
    )
    assert code == 1 and len(records) == 1
    (error,) = errors
    assert error["stage"] == "ingest" and '"target" must be a non-empty string, not list' in error["error"]


def test_gate_rates_are_cross_validated_and_the_card_prints_them() -> None:
    from pipeline.classify.cards import stance_card
    from pipeline.classify.mentions import cross_validated_mentions, keep_rates, let_through_rates

    texts = ["放鞭炮好", "放鞭炮吵", "放鞭炮热闹", "鞭炮声", "二胎好", "二胎难", "二胎贵", "孩子多"]
    targets = ["春节放鞭炮"] * 4 + ["开放二胎"] * 4
    splits = [([1, 2, 3, 5, 6, 7], [0, 4]), ([0, 2, 3, 4, 6, 7], [1, 5]), ([0, 1, 3, 4, 5, 7], [2, 6]),
              ([0, 1, 2, 4, 5, 6], [3, 7])]  # fmt: skip
    kept = cross_validated_mentions(texts, targets, splits, min_share=0.0, max_other=0.0, coverage=1.0)
    # terms learned without the held-out post: 放鞭炮 / 二胎 find six posts, not 鞭炮声 or 孩子多
    assert kept == [True, True, True, False, True, True, True, False]
    assert keep_rates(targets, kept) == {"开放二胎": 0.75, "春节放鞭炮": 0.75, "overall": 0.75}
    through = let_through_rates(["男足晋级", "放鞭炮伤人", "二胎"], {"春节放鞭炮": ["放鞭炮"], "开放二胎": ["二胎"]})
    assert through == pytest.approx({"春节放鞭炮": 1 / 3, "开放二胎": 1 / 3, "any": 2 / 3})

    meta = json.loads((MODEL / "meta.json").read_text(encoding="utf-8"))
    card = stance_card(meta, 1)
    assert "## Mention gate" in card and "F_avg named 0.6983, gated" in card
    assert "| gnews | 201 |" in card and "any target" in card
    shipped = (MODEL / "MODEL_CARD.md").read_text(encoding="utf-8")

    def without_size(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("- size on disk")]

    assert without_size(card) == without_size(shipped)  # the shipped card is what cards.py writes from its meta
