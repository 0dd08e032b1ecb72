"""Records as a spaCy ``DocBin`` (``.spacy``): ``spacy train`` data, loadable by plain spaCy.

Each Doc's text is the record's text exactly (whitespace included: tokens carry no trailing space, whitespace
is its own tokens), and its ``ents`` are the record's entities. spaCy can only place an entity on token
boundaries, so the Doc's tokens are the record's jieba tokens cut again at every entity edge, with the gaps
between them (whitespace) as tokens; a record without tokens gets one token per character. Nothing of ours is
needed to read the file: ``DocBin().from_disk(p).get_docs(spacy.blank("zh").vocab)``. The record id is in
``doc.user_data["zhnews_id"]`` (the DocBin stores user data), so corrected docs can be joined back to records.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import DataError
from pipeline.eval.spans import Span
from pipeline.interchange.records import entity_spans, make_record

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

ID_KEY = "zhnews_id"
FILE_NAME = "records.spacy"


def token_cuts(record: dict[str, Any]) -> list[int]:
    """Token boundaries: the record's tokens' edges (or every character) plus every entity edge."""
    text = record["text"]
    tokens = record.get("tokens") or []
    cuts = {0, len(text)}
    if tokens:
        for t in tokens:
            if 0 <= t["start"] <= t["end"] <= len(text):
                cuts.update((t["start"], t["end"]))
    else:
        cuts.update(range(len(text)))
    for s in entity_spans(record):
        cuts.update((s.start, s.end))
    return sorted(cuts)


def record_doc(record: dict[str, Any], vocab: Vocab) -> Doc:
    """The record as a Doc with its entities as ``doc.ents`` and its id in ``user_data``."""
    from spacy.tokens import Doc

    text = record["text"]
    cuts = token_cuts(record)
    words = [text[a:b] for a, b in pairwise(cuts) if b > a]
    doc = Doc(vocab, words=words, spaces=[False] * len(words))
    spans = []
    for s in entity_spans(record):
        span = doc.char_span(s.start, s.end, label=s.label)
        if span is None:  # cannot happen: every entity edge is a token edge
            raise DataError(f"record {record['id']}: entity {s.start}-{s.end} is not on token boundaries")
        spans.append(span)
    try:
        doc.ents = spans
    except ValueError:
        raise DataError(f"record {record['id']}: overlapping entities cannot be spaCy doc.ents") from None
    doc.user_data[ID_KEY] = record["id"]
    return doc


def write_docbin(records: Iterable[dict[str, Any]], out_dir: str | Path) -> Path:
    """``OUT/records.spacy`` holding one Doc per record."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    docbin = DocBin(store_user_data=True)
    for record in records:
        docbin.add(record_doc(record, vocab))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / FILE_NAME
    docbin.to_disk(path)
    return path


def read_docbin(path: str | Path) -> list[dict[str, Any]]:
    """Records back from a DocBin (ours, or corrected docs of one): id, text and entities."""
    from spacy.tokens import DocBin
    from spacy.vocab import Vocab

    try:
        docs = list(DocBin().from_disk(path).get_docs(Vocab()))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a spaCy DocBin ({exc})") from None
    return [
        make_record(
            str(doc.user_data.get(ID_KEY, i)),
            doc.text,
            [Span(e.start_char, e.end_char, e.label_) for e in doc.ents],
            path=str(path),
            source="annotation",
        )
        for i, doc in enumerate(docs)
    ]
