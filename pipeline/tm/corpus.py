"""A topic-model corpus from what a user has: a folder of raw articles, or the JSONL records of a ``zhnews run``.

Run output already holds each token's normalized form (``tokens[].norm``): it is used as is, so a topic model
fitted on run output sees exactly the tokens the ``topicmodel`` stage will see. Anything else is read with the
ingest readers and segmented with :func:`pipeline.segment.normalized_tokens` (title, then body). Error records of
a run and unreadable files are skipped and counted, never fatal: one bad file must not sink a corpus.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.ingest import discover_inputs, read_source


@dataclass(frozen=True)
class CorpusDoc:
    id: str
    path: str
    tokens: tuple[str, ...]


@dataclass
class Corpus:
    docs: list[CorpusDoc] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> list[tuple[str, ...]]:
        return [d.tokens for d in self.docs]


def _run_records(path: Path) -> list[dict] | None:
    """The records of a run's JSONL output, or None when the file is not run output (e.g. JSONL input articles)."""
    records: list[dict] = []
    try:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                record = json.loads(line)
                if not isinstance(record, dict):
                    return None
                records.append(record)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    has_tokens = any(isinstance(r.get("tokens"), list) and r["tokens"] for r in records)
    only_run_shape = all("tokens" in r or "error" in r for r in records)
    return records if records and has_tokens and only_run_shape else None


def _article_tokens(title: str | None, text: str) -> tuple[str, ...]:
    from pipeline.segment import normalized_tokens

    tokens: list[str] = []
    if title:
        tokens += normalized_tokens(title)
    return tuple(tokens + normalized_tokens(text))


def read_corpus(inputs: list[str | Path], *, limit: int | None = None) -> Corpus:
    """Documents (id, path, normalized tokens) from files and folders; see the module doc for the formats."""
    corpus = Corpus()
    for path in discover_inputs(list(inputs)):
        if limit is not None and len(corpus.docs) >= limit:
            break
        if path.suffix.lower() == ".jsonl":
            records = _run_records(path)
            if records is not None:
                for number, record in enumerate(records, start=1):
                    if "error" in record or not isinstance(record.get("tokens"), list):
                        corpus.skipped.append(f"{path}:{number}: error record")
                        continue
                    norms = tuple(str(t.get("norm", "")) for t in record["tokens"] if isinstance(t, dict))
                    title_tokens = _article_tokens(record.get("title"), "") if record.get("title") else ()
                    doc_id = str(record.get("id") or f"{path.stem}-{number}")
                    corpus.docs.append(CorpusDoc(doc_id, str(path), title_tokens + norms))
                continue
        try:
            items = read_source(path)
        except InputError as exc:
            corpus.skipped.append(str(exc))
            continue
        for item in items:
            if isinstance(item, InputError):
                corpus.skipped.append(str(item))
            else:
                corpus.docs.append(CorpusDoc(item.id, item.path, _article_tokens(item.title, item.text)))
    if limit is not None:
        corpus.docs = corpus.docs[:limit]
    return corpus
