"""A topic-model corpus from what a user has: a folder of raw articles, or the JSONL records of a ``zhnews run``.

Run output already holds each token's normalized form (``tokens[].norm``): it is used as is, so a topic model
fitted on run output sees exactly the tokens the ``topicmodel`` stage will see. Anything else is read with the
ingest readers and goes through the run config's normalize and segment stages (the runner's own batch loop), and
its tokens are read as the ``topicmodel`` stage reads them (the headline once). Error records of a run and
unreadable files are skipped and counted, never fatal: one bad file must not sink a corpus.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.article import Article
from pipeline.errors import InputError
from pipeline.ingest import discover_inputs, read_source

if TYPE_CHECKING:
    from pipeline.core.config import RunConfig


@dataclass(frozen=True)
class CorpusDoc:
    id: str
    path: str
    tokens: tuple[str, ...]
    # the article's date in ISO form (``2024-03-25...``) when it has one: topics over time group by its month
    date: str | None = None


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


def _iso_date(written: object) -> str | None:
    """The ISO form of a record's date as written (records keep only the written form, ingest's ``meta`` is gone)."""
    from pipeline.ingest.dates import parse_date

    found = parse_date(written) if isinstance(written, str) else None
    return found[1] if found else None


def _analyzed(articles: list[Article], config: RunConfig) -> list[tuple[str, ...]]:
    """Tokens of articles through the config's stages up to ``segment``, as the ``topicmodel`` stage reads them."""
    from pipeline.classify.analyzed import analyze_article
    from pipeline.core.runner import analyze_articles

    return [analyze_article(a, "title+text").tokens for a in analyze_articles(articles, config, until="segment")]


def read_corpus(
    inputs: list[str | Path],
    config: RunConfig | None = None,
    *,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Corpus:
    """Documents (id, path, normalized tokens) from files and folders; see the module doc for the formats.

    ``config``: the run config whose normalize and segment stages read raw articles (default: the shipped one).
    ``progress(1)`` as each input file is done (a bar over ``discover_inputs(inputs)``).
    """
    from pipeline.core.config import load_config

    config = config or load_config()
    corpus = Corpus()
    paths = discover_inputs(list(inputs))
    for index, path in enumerate(paths):
        if progress is not None and index:
            progress(1)  # the file before this one is done (the loop body leaves by several ``continue``s)
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
                    title = record.get("title")
                    if title and not str(record.get("text", "")).startswith(title):  # a title kept apart
                        titled = Article(id="title", path=str(path), text=str(title))
                        norms = _analyzed([titled], config)[0] + norms
                    doc_id = str(record.get("id") or f"{path.stem}-{number}")
                    corpus.docs.append(CorpusDoc(doc_id, str(path), norms, _iso_date(record.get("date"))))
                continue
        try:
            items = read_source(path)
        except InputError as exc:
            corpus.skipped.append(str(exc))
            continue
        articles = []
        for item in items:
            if isinstance(item, InputError):
                corpus.skipped.append(str(item))
            else:
                articles.append(item)
        for article, tokens in zip(articles, _analyzed(articles, config), strict=True):
            corpus.docs.append(CorpusDoc(article.id, article.path, tokens, article.meta.get("date_iso")))
    if progress is not None and paths:
        progress(1)
    if limit is not None:
        corpus.docs = corpus.docs[:limit]
    return corpus
