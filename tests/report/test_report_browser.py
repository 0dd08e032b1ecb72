"""The report in a real browser (headless Chromium): it loads without a console message, shows every span,
shows hostile markup as text, and makes no request. Skipped when Chromium is not installed.

One Chromium run (``--dump-dom`` after the page's script ran, console to stderr, a net log) serves all checks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from tests.report.dom import parse

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(__file__).resolve().parent / "report_stages.py"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PWN_IMG = "<img src=x onerror=\"document.body.dataset.pwned='img'\">"
PWN_SCRIPT = "<script>document.body.dataset.pwned='script'</script>"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")


def chromium(url: str, profile: Path, netlog: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        # a request would not get far (no name resolves), but the net log below still records any attempt
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--log-net-log={netlog}",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=2000",
        "--dump-dom",
        url,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("browser")
    inputs = base / "in"
    inputs.mkdir()
    shutil.copy(REPO / "corpora" / "sample" / "04_nato_washington_summit.md", inputs)
    evil = {
        "id": "evil",
        "title": f"{SCRIPT}{PWN_SCRIPT}",
        "date": "2024-03-05",
        "url": "javascript:alert(1)",
        "text": f"美国{SCRIPT}总统在[[zh:华盛顿]]会见{IMG}日本首相{PWN_IMG}，"
        f"又在[[zh:</script>{PWN_SCRIPT}|东京]]发言。",
    }
    (inputs / "evil.jsonl").write_text(json.dumps(evil, ensure_ascii=False) + "\n", encoding="utf-8")
    config = base / "run.toml"
    stages = '["normalize", "segment", "test_report_ner", "linkcheck"]'
    config.write_text(f"[run]\nstages = {stages}\nplugins = [{json.dumps(str(PLUGIN))}]\n", encoding="utf-8")
    run = base / "run"
    assert main(["run", str(inputs), "--out", str(run), "--config", str(config), "-q"]) == 0
    report = base / "report.html"
    assert main(["report", str(run), "--out", str(report)]) == 0
    netlog = base / "net.json"
    done = chromium(report.as_uri(), base / "profile", netlog)
    assert done.returncode == 0, done.stderr[-2000:]
    records = [json.loads(line) for line in (run / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    return {"html": report.read_text(encoding="utf-8"), "dom": done.stdout, "stderr": done.stderr,
            "netlog": netlog, "records": records, "report": report, "base": base}  # fmt: skip


def test_page_loads_and_its_script_runs_without_a_console_message(page: dict[str, Any]) -> None:
    console = [line for line in page["stderr"].splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == []
    body = parse(page["dom"]).find_all("body")[0]
    assert body.attrs.get("data-ready") == "1" and "data-pwned" not in body.attrs


def test_every_entity_is_a_mark_in_the_dom(page: dict[str, Any]) -> None:
    dom = parse(page["dom"])
    for i, record in enumerate(page["records"]):
        article = dom.by_id(f"art-{i}")
        assert len(article.find_all(cls="ent-label")) == len(record["entities"]) > 0
        for j, ent in enumerate(record["entities"]):
            pieces = [n for n in article.find_all("mark") if str(j) in (n.attrs.get("data-ents") or "").split()]
            assert "".join(n.text() for n in pieces) == ent["text"]
        linked = [n for n in article.iter() if n.attrs.get("data-links")]
        assert {n.tag for n in linked} <= {"mark", "span"} and len(linked) >= len(record["links"])


def test_hostile_markup_is_shown_as_text(page: dict[str, Any]) -> None:
    dom = parse(page["dom"])
    assert not dom.find_all("img"), "an <img> element made it into the page"
    scripts = dom.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/json", None]
    evil = dom.by_id("art-1")
    for markup in (SCRIPT, IMG, PWN_IMG, PWN_SCRIPT):
        assert markup in evil.text()
    assert not [a for a in dom.find_all("a") if (a.attrs.get("href") or "").startswith("javascript")]
    assert "alert" not in page["stderr"]


def test_worklist_rows_are_rendered_from_the_data_block(page: dict[str, Any]) -> None:
    dom = parse(page["dom"])
    rows = dom.by_id("worklist").find_all("tbody")[0].find_all("tr")
    assert len(rows) == sum(len(r["linkcheck"]["worklist"]) for r in page["records"]) > 0
    assert any(SCRIPT in row.text() for row in rows) and any(IMG in row.text() for row in rows)
    assert not [n for n in dom.by_id("worklist").iter() if n.tag in ("img", "script")]
    kinds = [o.attrs.get("value") for o in dom.by_id("f-kind").find_all("option")]
    assert kinds[0] == "" and set(kinds[1:]) == {
        it["kind"] for r in page["records"] for it in r["linkcheck"]["worklist"]
    }


def test_no_request_leaves_the_page(page: dict[str, Any]) -> None:
    dom = parse(page["html"])
    assert not dom.find_all("link") and all("src" not in s.attrs for s in dom.find_all("script"))
    urls = {r["url"] for r in page["records"]}
    for node in dom.iter():
        for key, value in node.attrs.items():
            if value and ("http://" in value or "https://" in value) and key in ("src", "href", "action", "srcset"):
                assert node.tag == "a" and key == "href" and value in urls
    log = json.loads(page["netlog"].read_text(encoding="utf-8"))
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    from_page = [
        e["params"].get("url")
        for e in log["events"]
        if types.get(e["type"]) == "URL_REQUEST_START_JOB"
        and "file://" in str(e.get("params", {}).get("network_isolation_key", ""))
    ]
    assert from_page == []


VISIBLE_ROWS = "[...document.querySelectorAll('#worklist tbody tr')].filter(r => !r.hidden)"


def _choose(select: str, value: str) -> str:
    return (
        f"(() => {{ const s = document.getElementById('{select}'); s.value = {json.dumps(value)}; "
        "s.dispatchEvent(new Event('change')); })()"
    )


def test_sorting_filtering_and_highlighting_work_when_clicked(page: dict[str, Any]) -> None:
    """Driven over the DevTools protocol (a pipe, no library): click headers, pick filters, click an item."""
    from tests.report.cdp import Browser, Page

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND"]  # fmt: skip
    browser = Browser(str(CHROMIUM), page["base"] / "cdp-profile", flags)
    try:
        tab = Page(browser, page["report"].as_uri())
        column = "[...document.querySelectorAll('#article-table tbody tr')].map(r => Number(r.cells[5].textContent))"
        header = "document.querySelectorAll('#article-table th')[5]"
        tab.evaluate(f"{header}.click()")
        ascending = tab.evaluate(column)
        tab.evaluate(f"{header}.click()")
        descending = tab.evaluate(column)
        counts = [len(r["entities"]) for r in page["records"]]
        assert ascending == sorted(counts) and descending == sorted(counts, reverse=True)

        items = [it for r in page["records"] for it in r["linkcheck"]["worklist"]]
        kind = items[0]["kind"]
        tab.evaluate(_choose("f-kind", kind))
        assert tab.evaluate(f"{VISIBLE_ROWS}.length") == sum(it["kind"] == kind for it in items)
        tab.evaluate(_choose("f-article", "1"))
        shown = tab.evaluate(f"{VISIBLE_ROWS}.map(r => r.cells[0].textContent)")
        assert shown == ["evil"] * sum(it["kind"] == kind and it["article"] == "evil" for it in items)
        assert tab.evaluate("document.getElementById('worklist-count').textContent").endswith(f"of {len(items)} shown")
        tab.evaluate(_choose("f-kind", ""))
        tab.evaluate(_choose("f-article", ""))
        assert tab.evaluate(f"{VISIBLE_ROWS}.length") == len(items)

        tab.evaluate("document.querySelector('#art-1 .disagreements li').click()")
        first = page["records"][1]["linkcheck"]["worklist"][0]
        lit = tab.evaluate(
            "[...document.querySelectorAll('#art-1 .hl')].map(n => [Number(n.dataset.s), Number(n.dataset.e)])"
        )
        assert lit and min(s for s, _ in lit) <= first["start"] and max(e for _, e in lit) >= first["end"]
    finally:
        browser.close()
    methods = [e.get("method") for e in browser.events]
    assert "Runtime.exceptionThrown" not in methods and "Runtime.consoleAPICalled" not in methods
    assert "Log.entryAdded" not in methods  # e.g. a request the page's policy blocked
    requested = [
        e["params"]["request"]["url"] for e in browser.events if e.get("method") == "Network.requestWillBeSent"
    ]
    assert requested and all(url.startswith("file://") for url in requested)
