"""Topics over time: per-month shares (pure), and ``zhnews topics show MODEL --over-time CORPUS --out DIR`` on a
small model fitted on short real Chinese news sentences of three months."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import DataError
from pipeline.topicmodel.overtime import format_timeline, month_of, timeline_csv, topic_timeline

SPORTS = [
    "主队在昨晚的联赛比赛中以二比一击败对手，球员表现出色。",
    "国家队主教练公布了新一期集训名单，多名年轻球员入选。",
    "女排在世界联赛决赛中战胜对手，夺得冠军奖杯。",
    "这名球员上半场打进两球，帮助球队锁定比赛胜局。",
    "球队主帅赛后表示，队员们在比赛中展现了顽强的作风。",
    "联赛第十轮比赛结束，主队继续领跑积分榜。",
    "乒乓球世界杯男子单打决赛中，中国选手夺得冠军。",
    "篮球联赛季后赛首轮比赛，主场球队以大比分获胜。",
    "田径锦标赛上，中国运动员打破赛会纪录夺得金牌。",
    "足球俱乐部宣布签下一名前锋球员，合同为期三年。",
    "冬奥会短道速滑比赛中，中国队获得男子接力冠军。",
    "网球公开赛女子单打比赛中，中国选手晋级八强。",
]
ECONOMY = [
    "央行宣布下调存款准备金率，向市场释放长期流动性。",
    "国家统计局公布数据，上月居民消费价格指数同比上涨。",
    "多家银行下调贷款利率，房贷成本进一步降低。",
    "股市今日震荡上行，银行板块和科技板块领涨。",
    "财政部发行特别国债，用于支持重大项目投资建设。",
    "央行公开市场操作净投放资金，市场利率保持平稳。",
    "上半年全国固定资产投资同比增长，制造业投资加快。",
    "外汇管理局公布外汇储备规模，较上月有所增加。",
    "证监会发布新规，进一步加强上市公司信息披露监管。",
    "一季度国内生产总值同比增长，经济运行总体平稳。",
    "人民币汇率小幅走强，市场对经济前景预期改善。",
    "商业银行净息差收窄，银行利润增速有所放缓。",
]
FILM = [
    "春节档电影票房突破八十亿元，多部影片口碑良好。",
    "这部国产动画电影上映首周票房领先，观众评价很高。",
    "导演携主演出席新片首映礼，分享拍摄幕后故事。",
    "电影节公布入围名单，多部华语影片角逐最佳影片奖。",
    "这位演员凭借在影片中的出色表演获得最佳女主角奖。",
    "暑期档新片密集上映，电影院观众人数明显增加。",
    "科幻电影续集定档，导演表示特效制作耗时两年。",
    "影片上映三天票房破十亿元，刷新多项影史纪录。",
    "电影频道播出经典影片修复版，观众反响热烈。",
    "青年导演的处女作在电影节获奖，引发影迷关注。",
    "这部纪录电影讲述乡村教师的故事，观众深受感动。",
    "演员在采访中谈到新电影角色，称拍摄过程充满挑战。",
]


def _corpus() -> list[dict[str, str | None]]:
    """Three months, each with mostly one subject: January sports, February economy, March film; one undated."""
    rows: list[dict[str, str | None]] = []
    plan = [("2024-01", SPORTS[:10] + ECONOMY[:2]), ("2024-02", ECONOMY[2:12] + FILM[:2]), ("2024-03", FILM[2:12])]
    for month, texts in plan:
        for i, text in enumerate(texts):
            rows.append({"id": f"{month}-{i}", "text": text, "date": f"{month}-{i + 1:02d}"})
    rows.append({"id": "undated", "text": SPORTS[10] + SPORTS[11], "date": None})
    return rows


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("overtime")
    corpus = base / "news.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _corpus()), encoding="utf-8")
    model = base / "model"
    assert main(["topics", "fit", str(corpus), "--k", "3", "--min-df", "1", "--out", str(model)]) == 0
    return corpus, model


def test_shares_are_monthly_means_with_empty_and_undated_apart() -> None:
    items = [("2024-02", [0.2, 0.8]), ("2024-01", [1.0, 0.0]), ("2024-02", [0.6, 0.4]), ("2024-02", [0.0, 0.0])]
    timeline = topic_timeline([*items, (None, [0.5, 0.5])], 2, [["球队", "比赛"], ["央行"]])
    assert [p.month for p in timeline.months] == ["2024-01", "2024-02"]
    feb = timeline.months[1]
    assert (feb.articles, feb.empty) == (3, 1) and feb.shares == pytest.approx((0.4, 0.6))
    assert timeline.undated is not None and timeline.undated.shares == (0.5, 0.5)
    assert timeline.label(0) == "topic 0: 球队 比赛"
    table = format_timeline(timeline)
    assert "2024-02" in table.splitlines()[2] and "undated" in table and "1 articles with no known term" in table
    rows = list(csv.reader(timeline_csv(timeline).splitlines()))
    assert rows[0] == ["month", "articles", "empty", "topic_0", "topic_1"] and rows[2][:3] == ["2024-02", "3", "1"]
    with pytest.raises(DataError, match="3 weights"):
        topic_timeline([("2024-01", [0.1, 0.2, 0.7])], 2)


def test_month_of_reads_iso_and_written_dates() -> None:
    assert month_of("2024-03-25T12:42:00+00:00") == "2024-03"
    assert month_of("3/25/2024 12:42 PM UTC") == "2024-03"
    assert month_of("2024年8月6日") == "2024-08"
    assert month_of(None) is None and month_of("sometime") is None and month_of("2024-13-01") is None


def test_show_over_time_prints_and_writes_the_table_chart_and_json(
    fitted: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, model = fitted
    out = tmp_path / "over"
    assert main(["topics", "show", str(model), "--top", "4", "--over-time", str(corpus), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "topics over time: 35 documents" in printed and "2024-03" in printed and "undated" in printed
    data = json.loads((out / "topics_over_time.json").read_text(encoding="utf-8"))
    assert [m["month"] for m in data["months"]] == ["2024-01", "2024-02", "2024-03"]
    assert [m["articles"] for m in data["months"]] == [12, 12, 10] and data["undated"]["articles"] == 1
    for m in data["months"]:
        assert sum(m["shares"]) == pytest.approx(1.0, abs=1e-3)
    # each month's strongest topic is the one of its subject, and they differ
    terms = [set(t["terms"]) for t in data["topics"]]
    strongest = [max(range(3), key=lambda t, m=m: m["shares"][t]) for m in data["months"]]  # type: ignore[misc]
    assert len(set(strongest)) == 3
    assert terms[strongest[0]] & {"比赛", "球员", "冠军", "球队", "联赛"}
    assert terms[strongest[1]] & {"银行", "利率", "央行", "经济", "市场"}
    assert terms[strongest[2]] & {"电影", "票房", "影片", "导演", "观众"}
    rows = list(csv.reader((out / "topics_over_time.csv").read_text(encoding="utf-8").splitlines()))
    assert [r[0] for r in rows] == ["month", "2024-01", "2024-02", "2024-03", "undated"]
    assert (out / "topics_over_time.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_over_time_from_run_records_equals_from_articles(
    fitted: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, model = fitted
    run = tmp_path / "run"
    assert main(["run", str(corpus), "--out", str(run), "--set", 'run.stages=["normalize", "segment"]', "-q"]) == 0
    for source, out in ((corpus, tmp_path / "a"), (run / "records.jsonl", tmp_path / "b")):
        assert main(["topics", "show", str(model), "--over-time", str(source), "--out", str(out)]) == 0
    capsys.readouterr()
    a, b = (json.loads((tmp_path / d / "topics_over_time.json").read_text(encoding="utf-8")) for d in ("a", "b"))
    assert a == b


def test_out_without_over_time_is_a_one_line_error(
    fitted: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["topics", "show", str(fitted[1]), "--out", "x"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--over-time" in err[0]
