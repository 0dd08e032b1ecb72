"""The shipped NER model as a plain spaCy pipeline: ``spacy.load("models/ner")`` in a fresh interpreter (our
tokenizer and components found through the package's entry points, nothing of ours imported first) gives the
entities ``zhnews run`` writes with the default config, on simplified and traditional text alike."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "ner"

TEXTS = [
    "東京會見美國國務卿布林肯，雙方討論了駐日美軍基地",
    "东京会见美国国务卿布林肯，双方讨论了驻日美军基地",
    "新华社北京３月５日电，国家主席习近平在人民大会堂会见日本首相岸田文雄。",
    "新華社北京３月５日電，國家主席習近平在人民大會堂會見日本首相岸田文雄。",
    "英伟达首席执行官Jensen Huang在台北国际电脑展上发表演讲。",
    "路透社报道，白宫发言人表示美国将继续与中国外交部谈判。",
    "聯合國秘書長古特雷斯呼籲各方保持克制，世界衛生組織總部設在日內瓦。",
    "北京大学的学生来到上海参观，印度太平洋司令部司令阿基里诺访问菲律宾。",
    "韓國總統尹錫悅抵達華盛頓，與拜登舉行會談。",
    "今天天气很好，我们去公园散步。",
]

# runs in a fresh interpreter: nothing of the package is imported before spacy.load
SCRIPT = """
import json, sys
import spacy
assert not any(m == "pipeline" or m.startswith("pipeline.") for m in sys.modules), "pipeline imported early"
model, texts = sys.argv[1], json.loads(sys.stdin.read())
nlp = spacy.load(model)
def ents(doc):
    return [[e.start_char, e.end_char, e.label_] for e in doc.ents]
docs = [nlp(t) for t in texts]
out = {
    "tokenizer": type(nlp.tokenizer).__module__ + "." + type(nlp.tokenizer).__name__,
    "texts_equal": [d.text == t for d, t in zip(docs, texts)],
    "ents": [ents(d) for d in docs],
    "piped": [ents(d) for d in nlp.pipe(texts, batch_size=4, n_process=2)],
}
print(json.dumps(out, ensure_ascii=False))
"""

pytestmark = pytest.mark.skipif(not (MODEL / "config.cfg").is_file(), reason="models/ner not built")


@pytest.fixture(scope="module")
def spacy_side() -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(MODEL)],
        input=json.dumps(TEXTS, ensure_ascii=False),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO.parent,  # not the repository: the package must come from its installation, not the cwd
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def run_side(tmp_path_factory: pytest.TempPathFactory) -> list[list[list[object]]]:
    root = tmp_path_factory.mktemp("parity")
    path = root / "texts.jsonl"
    rows = [{"id": f"t{i}", "text": t} for i, t in enumerate(TEXTS)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["run", str(path), "--out", str(root / "out"), "-q"]) == 0
    records = [json.loads(x) for x in (root / "out" / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in records] == TEXTS
    return [[[e["start"], e["end"], e["label"]] for e in r["entities"]] for r in records]


def test_spacy_load_in_a_fresh_interpreter_uses_our_tokenizer_and_keeps_the_text(spacy_side: dict) -> None:
    assert spacy_side["tokenizer"] == "pipeline.text.tokenizer.NewsTokenizer"
    assert spacy_side["texts_equal"] == [True] * len(TEXTS)


def test_spacy_entities_equal_the_entities_of_zhnews_run(spacy_side: dict, run_side: list) -> None:
    assert spacy_side["ents"] == run_side
    # the model does find names (else the comparison would be trivially true), in both scripts alike
    assert sum(map(len, run_side)) >= 10
    assert run_side[0] == run_side[1] and run_side[2] == run_side[3]
    assert run_side[-1] == []


def test_spacy_pipe_with_two_processes_gives_the_same_entities(spacy_side: dict) -> None:
    assert spacy_side["piped"] == spacy_side["ents"]
