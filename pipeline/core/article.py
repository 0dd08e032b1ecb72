"""The article as it travels through the stages, and the JSON record it ends as.

One mutable :class:`Article` per input document. Ingest fills in the source fields; each stage then fills in
the fields it declares in its ``assigns`` (see :mod:`pipeline.core.registry`), and nothing else. Offsets of
tokens, links and entities always index ``Article.text`` (the clean text in its original script), never a
normalized copy. Record field names are a public contract (other tools read them): change them only with a
version bump.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.text.offsets import OffsetMap
from pipeline.text.segment import Token

if TYPE_CHECKING:
    from spacy.tokens import Doc

RECORD_VERSION = 1

# What ingest provides before any stage runs (a stage may require these).
SOURCE_FIELDS: tuple[str, ...] = ("text", "title", "links", "date", "url")
# Fields held as attributes of the article, with the record keys they are written under (None: not written).
# Everything else a stage declares is a key of ``Article.results`` and goes into the record under its own name.
ATTRIBUTE_FIELDS: dict[str, str | None] = {
    "norm_text": None,
    "norm_title": None,
    "script": "script",
    "doc": None,
    "tokens": "tokens",
    "title_tokens": None,
    "entities": "entities",
}


@dataclass(frozen=True)
class Link:
    """A hand (editor) link tag turned into a gold span on the clean text."""

    start: int
    end: int
    surface: str
    target: str


@dataclass(frozen=True)
class Entity:
    """A named entity found by a model or the gazetteer; ``source`` says which."""

    text: str
    start: int
    end: int
    label: str
    source: str = "model"


@dataclass
class Article:
    id: str
    path: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    links: list[Link] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # clean text -> raw file text (character offsets of the decoded file)
    raw_map: OffsetMap | None = None
    # normalize: normalized text and the map from it back to ``text``; the detected script
    norm_text: str | None = None
    norm_map: OffsetMap | None = None
    norm_title: str | None = None
    script: dict[str, Any] | None = None
    # segment: jieba tokens tiling ``text``, a spaCy Doc made of them, the title's normalized tokens
    tokens: list[Token] | None = None
    doc: Doc | None = None
    title_tokens: tuple[str, ...] | None = None
    # ner
    entities: list[Entity] = field(default_factory=list)
    # every other declared field, keyed by its name (``linkcheck``, ``stance``, ``topic``, ``topics`` ...)
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def title_in_text(self) -> bool:
        """Whether ``text`` starts with the title (a Markdown article) rather than holding the body alone."""
        return bool(self.title) and self.text.startswith(self.title or "")

    def to_record(self, result_keys: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The JSON-ready result record (see README, "Output"); ``result_keys`` orders the stage results."""
        record: dict[str, Any] = {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "date": self.date,
            "url": self.url,
            "script": self.script,
            "text": self.text,
            "tokens": token_records(self.text, self.tokens) if self.tokens is not None else [],
            # their fields are plain ints and strings: a copy of each __dict__, not dataclasses.asdict, which
            # deep-copies recursively (a tenth of writing a record)
            "links": [dict(vars(link)) for link in self.links],
            "entities": [dict(vars(ent)) for ent in self.entities],
        }
        for key in result_keys if result_keys is not None else tuple(self.results):
            if key in self.results:
                record[key] = self.results[key]
        if self.warnings:
            record["warnings"] = list(self.warnings)
        return record


def token_records(text: str, tokens: list[Token]) -> list[dict[str, Any]]:
    """Token records: offsets into the original text, jieba's flag, the normalized form; whitespace left out."""
    out = []
    for t in tokens:
        surface = text[t.start : t.end]
        if not surface.isspace():
            out.append({"text": surface, "start": t.start, "end": t.end, "pos": t.tag, "norm": t.norm})
    return out


def error_record(path: str, problem: str, *, id: str | None = None, stage: str | None = None) -> dict[str, Any]:
    """The record written for a document that could not be processed: never silently dropped."""
    return {"id": id, "path": path, "error": problem, "stage": stage}
