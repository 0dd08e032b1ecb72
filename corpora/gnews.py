"""The real GNews corpus in the seed's format (``../shared/data/gnews_ourhimalayas``): files with their
``index.tsv`` metadata, read through the same ingest code a run uses.

``zh_link_tags`` in the index counts ``[[zh:`` occurrences in the file (every one of them is a closed
``[[zh:X]]`` tag in this corpus), so it is the number of links ingest must produce for the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.article import Article
from pipeline.errors import DataError, InputError
from pipeline.ingest import read_source

INDEX = "index.tsv"


@dataclass(frozen=True)
class GnewsEntry:
    """One row of ``index.tsv``: a file of the corpus and what its curator recorded about it."""

    path: Path
    file: str  # relative to the corpus folder, e.g. ``2023/1009379.md``
    year: int
    date: str
    date_source: str  # "dateline" or "first-commit-date"
    script_guess: str  # "simp", "trad" or "mixed/short"
    zh_link_tags: int
    url: str
    title: str


def read_index(root: str | Path) -> list[GnewsEntry]:
    """All rows of the corpus index, in index order; DataError if the folder or index is missing or malformed."""
    folder = Path(root)
    index = folder / INDEX
    if not index.is_file():
        raise DataError(f"GNews corpus index not found: {index}")
    entries: list[GnewsEntry] = []
    with index.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            try:
                entries.append(
                    GnewsEntry(
                        path=folder / row["file"],
                        file=row["file"],
                        year=int(row["year"]),
                        date=row["date"],
                        date_source=row["date_source"],
                        script_guess=row["script_guess"],
                        zh_link_tags=int(row["zh_link_tags"]),
                        url=row["url"],
                        title=row["title"],
                    )
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise DataError(f"{index}:{lineno}: malformed row ({exc})") from None
    return entries


def iter_articles(root: str | Path) -> Iterator[tuple[GnewsEntry, Article]]:
    """Each corpus file ingested, with its index row; a file that fails to ingest raises DataError."""
    for entry in read_index(root):
        try:
            (item,) = read_source(entry.path)
        except InputError as exc:
            raise DataError(f"GNews corpus file unreadable: {exc}") from None
        if not isinstance(item, Article):
            raise DataError(f"GNews corpus file unreadable: {item}")
        yield entry, item
