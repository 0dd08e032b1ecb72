"""The article as it travels through the stages, and the JSON record it ends as.

One mutable :class:`Article` per input document; each stage fills in its own fields. Offsets of tokens, links
and entities always index ``Article.text`` (the clean text in its original script), never a normalized copy.
Record field names are a public contract (other tools read them): change them only with a version bump.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.offsets import OffsetMap

if TYPE_CHECKING:
    from spacy.tokens import Doc

RECORD_VERSION = 1


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
    # filled by normalize: normalized text and the map from it back to ``text``
    norm_text: str | None = None
    norm_map: OffsetMap | None = None
    script: dict[str, Any] | None = None
    # filled by segment (spaCy Doc whose text is ``text``), read by later stages
    doc: Doc | None = None
    entities: list[Entity] = field(default_factory=list)
    # classifier outputs: {"label": ..., "probs": {...}} and similar, keyed by stage name
    results: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """The JSON-ready result record (see README, "Output schema")."""
        record: dict[str, Any] = {
            "id": self.id,
            "path": self.path,
            "title": self.title,
            "date": self.date,
            "url": self.url,
            "script": self.script,
            "text": self.text,
            "tokens": tokens_of(self.doc) if self.doc is not None else [],
            "links": [asdict(link) for link in self.links],
            "entities": [asdict(ent) for ent in self.entities],
        }
        record.update(self.results)
        if self.warnings:
            record["warnings"] = list(self.warnings)
        return record


def tokens_of(doc: Doc) -> list[dict[str, Any]]:
    """Token records from a segmented Doc: offsets into the original text, POS, normalized form."""
    return [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "pos": t.tag_, "norm": t.norm_}
        for t in doc
        if not t.is_space
    ]


def error_record(path: str, problem: str, *, id: str | None = None, stage: str | None = None) -> dict[str, Any]:
    """The record written for a document that could not be processed: never silently dropped."""
    return {"id": id, "path": path, "error": problem, "stage": stage}
