"""Bad input: each file gets articles or one clear InputError naming it, and a bad JSONL line does not sink
its neighbours. Encodings other than UTF-8 are detected and decoded."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pipeline.core.article import Article
from pipeline.errors import InputError
from pipeline.ingest import discover_inputs, parse_article, read_source
from pipeline.ingest.decode import decode_bytes

SIMPLIFIED = (
    "## 国务院常务会议研究部署经济工作\n`3/5/2024 9:00 AM UTC 新华` [轉載自GNews](https://gnews.org/articles/7)\n\n"
    "[[zh:国务院]]总理[[zh:李强]]主持召开国务院常务会议，研究进一步扩大内需的政策措施。会议指出，"
    "要加大对[[zh:中小企业]]的金融支持，稳定就业，推动消费持续恢复。\n"
)
TRADITIONAL = (
    "## 立法院三讀通過預算案\n`1/20/2024 3:15 AM UTC 中央社` [轉載自GNews](https://gnews.org/articles/8)\n\n"
    "[[zh:立法院]]今天三讀通過[[zh:中央政府]]總預算案，[[zh:行政院]]表示將依法執行各項施政計畫，"
    "並持續推動經濟發展與國家安全相關的政策。\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def only_article(path: Path, **kwargs) -> Article:
    (item,) = read_source(path, **kwargs)
    assert isinstance(item, Article)
    return item


# -- whole-file problems raise one InputError naming the file -----------------------------------------------


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty file"),
        (b" \r\n\t\n  ", "empty file"),
        ("\ufeff".encode(), "empty file"),
        ("\ufeff  \n".encode("utf-16"), "empty file"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary file, not text"),
        (b"%PDF-1.7\n" + "报告".encode(), "binary file, not text"),
        ("北京\x00上海".encode(), "binary file, not text"),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 200 + "新闻".encode(), "binary file, not text"),
    ],
)
def test_unreadable_files_raise_input_error(tmp_path: Path, data: bytes, problem: str) -> None:
    path = write(tmp_path, "bad.md", data)
    with pytest.raises(InputError) as info:
        read_source(path)
    assert info.value.path == str(path) and info.value.problem == problem


def test_undecodable_bytes_raise_input_error(tmp_path: Path) -> None:
    path = write(tmp_path, "junk.txt", bytes([0x80, 0xFF, 0xFE, 0x81, 0x41]) * 100)
    with pytest.raises(InputError, match="cannot decode"):
        read_source(path)


def test_latin1_text_is_not_mistaken_for_chinese(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.txt", "Café crème, naïve façade - déjà vu à Zürich. ".encode("latin-1") * 20)
    with pytest.raises(InputError, match="cannot decode"):
        read_source(path)


def test_too_large_file_raises_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, "big.md", SIMPLIFIED.encode() * 10)
    with pytest.raises(InputError, match="file too large"):
        read_source(path, max_bytes=1000)
    assert only_article(path, max_bytes=10_000).title == "国务院常务会议研究部署经济工作"


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        read_source(tmp_path / "nope.md")
    with pytest.raises(InputError, match="directory"):
        read_source(tmp_path)


# -- encodings -----------------------------------------------------------------------------------------------


def test_gbk_file_is_detected_and_decoded(tmp_path: Path) -> None:
    a = only_article(write(tmp_path, "gbk.md", SIMPLIFIED.encode("gbk")))
    assert a.meta["encoding"] == "gb18030"
    assert a.text == parse_article(SIMPLIFIED, path="x", id="x").text
    assert [x.surface for x in a.links] == ["国务院", "李强", "中小企业"]


def test_big5_file_is_detected_and_decoded(tmp_path: Path) -> None:
    a = only_article(write(tmp_path, "big5.md", TRADITIONAL.encode("big5")))
    assert a.meta["encoding"] == "big5"
    assert a.title == "立法院三讀通過預算案"
    assert [x.surface for x in a.links] == ["立法院", "中央政府", "行政院"]


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda s: s.encode("utf-8"), "utf-8"),
        (lambda s: s.encode("utf-8-sig"), "utf-8-sig"),
        (lambda s: s.encode("utf-16"), "utf-16"),
        (lambda s: s.encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
        (lambda s: s.encode("utf-32"), "utf-32"),
        (lambda s: s.encode("utf-16-le"), "utf-16-le"),
        (lambda s: s.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_unicode_files_with_and_without_bom(tmp_path: Path, encode, encoding: str) -> None:
    a = only_article(write(tmp_path, "u.md", encode(TRADITIONAL)))
    assert a.meta["encoding"] == encoding
    assert not a.text.startswith("\ufeff")
    assert [x.surface for x in a.links] == ["立法院", "中央政府", "行政院"]


def test_wrong_legacy_decodings_lose_to_the_right_one() -> None:
    # Big5 bytes also decode as GB18030 without error; the common-character score must pick Big5
    data = TRADITIONAL.encode("big5")
    assert data.decode("gb18030") != TRADITIONAL
    assert decode_bytes(data, "x") == (TRADITIONAL, "big5")


# -- huge input ----------------------------------------------------------------------------------------------


def _big_article(repo_dir: Path, target_bytes: int) -> tuple[str, int]:
    """A seed-format article of about ``target_bytes`` UTF-8 bytes, by repeating real sample bodies."""
    bodies: list[str] = []
    for path in sorted((repo_dir / "corpora" / "sample").glob("*.md")):
        raw = path.read_text(encoding="utf-8")
        bodies.append(raw.split("[轉載自GNews]", 1)[1].split("\n", 1)[1])
    block = "\n".join(bodies)
    per_block = sum(parse_article(b, path="b", id="b").links.__len__() for b in bodies)
    copies = max(1, target_bytes // len(block.encode()))
    head = "## 超长文章\n`1/1/2024 1:00 AM UTC` [轉載自GNews](https://gnews.org/articles/1)\n\n"
    return head + "\n".join([block] * copies), per_block * copies


def test_20mb_article_parses_in_linear_time(repo_dir: Path) -> None:
    small, small_links = _big_article(repo_dir, 2_000_000)
    big, big_links = _big_article(repo_dir, 20_000_000)
    assert len(big.encode()) > 19_000_000
    t0 = time.process_time()
    a_small = parse_article(small, path="small.md", id="small")
    t1 = time.process_time()
    a = parse_article(big, path="big.md", id="big")
    t2 = time.process_time()
    assert len(a_small.links) == small_links and len(a.links) == big_links
    for link in a.links[:: max(1, len(a.links) // 2000)]:
        assert a.text[link.start : link.end] == link.surface
        s, e = a.raw_map.to_source(link.start, link.end)
        assert big[s:e] == link.surface
    # 10x the input may cost about 10x the time; quadratic behaviour would cost ~100x
    assert (t2 - t1) < 25 * max(t1 - t0, 0.05), (t1 - t0, t2 - t1)
    assert t2 - t1 < 60


def test_megabytes_of_stray_brackets_stay_linear() -> None:
    unit = "[[zh:日本" + "[[" + "*_" + "[a](" + "]]" + "![" + "文本"

    def cost(n: int) -> float:
        raw = unit * n
        t = time.process_time()
        a = parse_article(raw, path="soup", id="soup")
        assert a.raw_map.derived_length == len(a.text)
        return time.process_time() - t

    small, big = cost(1_000), cost(10_000)
    assert big < 25 * max(small, 0.02), (small, big)


# -- JSONL: bad lines are items, good lines proceed ----------------------------------------------------------


def test_jsonl_bad_lines_become_error_items(tmp_path: Path) -> None:
    text = "[[zh:日本]]首相[[zh:岸田文雄]]访问[[美国|美方]]。"
    good = {"id": "n1", "title": "访美", "date": "2024-04-10", "text": text}
    lines = [
        json.dumps(good, ensure_ascii=False),
        "",
        "{not json",
        json.dumps({"id": "n2"}),
        json.dumps(["list"]),
        json.dumps({"text": "北京上海", "title": {"bad": 1}}),
        json.dumps({"text": "北京上海"}, ensure_ascii=False),
    ]
    path = write(tmp_path, "feed.jsonl", "\n".join(lines).encode())
    items = read_source(path)
    errors = [x for x in items if isinstance(x, InputError)]
    articles = [x for x in items if isinstance(x, Article)]
    assert [e.path for e in errors] == [f"{path}:3", f"{path}:4", f"{path}:5", f"{path}:6"]
    assert "not valid JSON" in errors[0].problem and '"text"' in errors[1].problem
    assert [a.id for a in articles] == ["n1", "feed-7"]
    first = articles[0]
    assert (
        first.text == "日本首相岸田文雄访问美方。" and first.title == "访美" and first.meta["date_iso"] == "2024-04-10"
    )
    assert [(x.surface, x.target) for x in first.links] == [
        ("日本", "日本"),
        ("岸田文雄", "岸田文雄"),
        ("美方", "美国"),
    ]
    assert first.path == str(path) and first.meta["line"] == 1 and first.meta["encoding"] == "utf-8"


def test_jsonl_explicit_links_are_validated_and_carried_through_tags(tmp_path: Path) -> None:
    text = "[[zh:日本]]首相访问华盛顿，会见美国总统。"
    start = text.index("华盛顿")
    links = [
        {"start": start, "end": start + 3, "surface": "华盛顿", "target": "华盛顿哥伦比亚特区"},
        {"start": 0, "end": 4, "target": "bad"},  # covers tag markup
        {"start": 5, "end": 500, "target": "bad"},  # outside the text
        {"start": start, "end": start + 3, "surface": "纽约", "target": "bad"},  # surface mismatch
        {"start": "1", "end": 2, "target": "bad"},
    ]
    path = write(tmp_path, "x.jsonl", json.dumps({"text": text, "links": links}, ensure_ascii=False).encode())
    (a,) = read_source(path)
    assert isinstance(a, Article)
    assert [(x.surface, x.target) for x in a.links] == [("日本", "日本"), ("华盛顿", "华盛顿哥伦比亚特区")]
    assert all(a.text[x.start : x.end] == x.surface for x in a.links)
    assert len(a.warnings) == 4 and all(w.startswith(f"{path}:1: link ") for w in a.warnings)


def test_jsonl_of_only_blank_lines_is_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty file"):
        read_source(write(tmp_path, "blank.jsonl", b"\n\n  \n"))


# -- discovering inputs ----------------------------------------------------------------------------------------


def test_discover_inputs_expands_folders_sorted_and_keeps_files_as_given(tmp_path: Path) -> None:
    for rel in ["b/2.md", "b/1.txt", "a.jsonl", "c/d/e.markdown", "notes.docx", ".hidden/x.md", "b/.x.md"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("新闻", encoding="utf-8")
    other = tmp_path / "notes.docx"
    found = discover_inputs([tmp_path, other])
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["a.jsonl", "b/1.txt", "b/2.md", "c/d/e.markdown", "notes.docx"]
    with pytest.raises(InputError) as info:
        discover_inputs([tmp_path, tmp_path / "missing"])
    assert info.value.path == str(tmp_path / "missing") and info.value.problem == "no such file or directory"
