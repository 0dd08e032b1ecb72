"""End to end on a real run of the sample corpus: every export, the imports back, plain spaCy in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.interchange.brat import read_brat
from pipeline.interchange.conll import read_conll
from pipeline.interchange.records import read_jsonl
from tests.interchange.interchange_strategies import span_set

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpora" / "sample"
FORMATS = ("spacy", "conll", "brat", "labelstudio", "doccano")


def _records(path: Path) -> list[dict[str, Any]]:
    return [row for _, row in read_jsonl(path)]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("interchange") / "run"
    assert main(["run", str(SAMPLE), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def exports(run: Path) -> Path:
    root = run.parent / "exports"
    for fmt in FORMATS:
        assert main(["export", fmt, str(run), "--out", str(root / fmt)]) == 0
    return root


@pytest.fixture(scope="module")
def records(run: Path) -> list[dict[str, Any]]:
    found = _records(run / "records.jsonl")
    assert found and sum(len(r["entities"]) for r in found) > 50 and sum(len(r["links"]) for r in found) > 50
    return found


@pytest.mark.parametrize(
    ("fmt", "file"), [("labelstudio", "labelstudio/tasks.json"), ("doccano", "doccano/records.doccano.jsonl")]
)
def test_import_gives_back_the_runs_spans(
    fmt: str, file: str, exports: Path, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    assert main(["import", fmt, str(exports / file), "--out", str(tmp_path)]) == 0
    back = _records(tmp_path / "records.jsonl")
    assert [(r["id"], r["text"]) for r in back] == [(r["id"], r["text"]) for r in records]
    assert [span_set(r) for r in back] == [span_set(r) for r in records]
    for old, new in zip(records, back, strict=True):
        assert [e["text"] for e in new["entities"]] == [new["text"][e["start"] : e["end"]] for e in new["entities"]]
        assert set(new) >= {"id", "path", "title", "date", "url", "script", "text", "tokens", "links", "entities"}
        if fmt == "labelstudio":
            key = ("start", "end", "surface", "target")
            assert [tuple(k[x] for x in key) for k in new["links"]] == [tuple(k[x] for x in key) for k in old["links"]]


def test_the_import_is_a_jsonl_corpus_with_the_links(
    exports: Path, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    """``zhnews eval links`` and ``zhnews run`` ingest the imported records.jsonl with the same links."""
    from pipeline.ingest.readers import read_source

    assert main(["import", "labelstudio", str(exports / "labelstudio/tasks.json"), "--out", str(tmp_path)]) == 0
    articles = read_source(tmp_path / "records.jsonl")
    assert [a.id for a in articles] == [r["id"] for r in records]
    assert [[(k.start, k.end, k.target) for k in a.links] for a in articles] == [
        [(k["start"], k["end"], k["target"]) for k in r["links"]] for r in records
    ]


# The DocBin read as the brief for spaCy users says, in a fresh interpreter that imports spaCy only. First with
# a bare Vocab, checking nothing of ours got imported; then with spacy.blank("zh").vocab, which imports our
# spaCy factories through their entry points (spaCy loads every installed factory), not because the file needs them.
PLAIN_SPACY = """
import json, sys
import spacy
from spacy.tokens import DocBin
from spacy.vocab import Vocab

def dump(docs):
    return [{"id": d.user_data.get("zhnews_id"), "text": d.text,
             "ents": [[e.start_char, e.end_char, e.label_] for e in d.ents]} for d in docs]

bare = dump(DocBin().from_disk(sys.argv[1]).get_docs(Vocab()))
ours = any(m.split(".")[0] == "pipeline" for m in sys.modules)
zh = dump(DocBin().from_disk(sys.argv[1]).get_docs(spacy.blank("zh").vocab))
print(json.dumps({"bare": bare, "zh": zh, "ours_imported": ours}))
"""


def test_plain_spacy_loads_the_docbin_with_the_same_entities(exports: Path, records: list[dict[str, Any]]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_SPACY, str(exports / "spacy" / "records.spacy")],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    )
    result = json.loads(done.stdout)
    assert result["ours_imported"] is False
    assert result["zh"] == result["bare"]
    assert [(d["id"], d["text"]) for d in result["zh"]] == [(r["id"], r["text"]) for r in records]
    assert [sorted(map(tuple, d["ents"])) for d in result["zh"]] == [span_set(r) for r in records]


def test_the_docbin_trains_a_spacy_ner(exports: Path) -> None:
    """``spacy train`` data: Examples against spaCy's own Chinese tokens, one update of a blank NER."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.training import Example

    nlp = spacy.blank("zh")
    docs = list(DocBin().from_disk(exports / "spacy" / "records.spacy").get_docs(nlp.vocab))
    examples = [Example(nlp.make_doc(doc.text), doc) for doc in docs]
    nlp.add_pipe("ner")
    optimizer = nlp.initialize(lambda: examples)
    losses = nlp.update(examples, sgd=optimizer)
    assert set(nlp.get_pipe("ner").labels) == {e.label_ for d in docs for e in d.ents}
    assert losses["ner"] > 0


def test_conll_and_brat_read_back_the_same_spans(exports: Path, records: list[dict[str, Any]]) -> None:
    conll = read_conll(exports / "conll" / "records.conll")
    assert [r["id"] for r in conll] == [r["id"] for r in records]
    assert [span_set(r) for r in conll] == [span_set(r) for r in records]  # no entity of the run crosses a line
    brat = read_brat(exports / "brat")
    assert [(r["id"], r["text"], span_set(r)) for r in brat] == [(r["id"], r["text"], span_set(r)) for r in records]


def test_the_conll_export_is_a_gold_file_for_eval_ner(exports: Path, records: list[dict[str, Any]]) -> None:
    from pipeline.eval.spans import read_bio

    sentences = read_bio(exports / "conll" / "records.conll")
    assert sum(len(s.char_spans()) for s in sentences) == sum(len(r["entities"]) for r in records)


def test_a_missing_run_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "spacy", str(tmp_path / "absent"), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("zhnews: error: ") and "records.jsonl" in err and "\n" not in err
