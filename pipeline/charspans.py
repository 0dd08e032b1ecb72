"""Character-level entity spans on word-level spaCy Docs.

Our Docs are segmented by jieba, but Chinese entities often sit inside or across jieba words (驻日美军 → 美军,
印度太平洋 → 印度, 太平洋). NER components therefore predict character spans, and this module re-segments: it
splits tokens at entity boundaries so the spans become real ``doc.ents``. The Doc's text never changes, so
every offset still indexes the article's original text.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from spacy.attrs import IDX
from spacy.tokens import Doc, Span

from pipeline.document import Entity

if not Span.has_extension("source"):
    Span.set_extension("source", default=None)


class CharSpan(NamedTuple):
    start: int
    end: int
    label: str
    source: str


def split_tokens_at(doc: Doc, offsets: Iterable[int]) -> None:
    """Split tokens in place so that every offset in ``offsets`` falls on a token boundary."""
    cuts: dict[int, set[int]] = {}
    starts = doc.to_array(IDX).tolist()  # no Token objects: this ran once per token of every article
    # Doc.text joins every token on each access; the last token's end is the same number, for free
    text_len = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    for off in offsets:
        if off <= 0 or off >= text_len:
            continue
        i = _token_index_at(starts, off)
        tok = doc[i]
        if tok.idx < off < tok.idx + len(tok.text):
            cuts.setdefault(i, set()).add(off - tok.idx)
    if not cuts:
        return
    with doc.retokenize() as retok:
        for i, inner in cuts.items():
            tok = doc[i]
            bounds = [0, *sorted(inner), len(tok.text)]
            orths = [tok.text[a:b] for a, b in itertools.pairwise(bounds)]
            norm = tok.norm_
            if len(norm) == len(tok.text):
                norms = [norm[a:b] for a, b in itertools.pairwise(bounds)]
            else:  # a length-changing normalization cannot be cut: keep it whole on the first piece
                norms = [norm, *orths[1:]]
            for piece in norms:  # the retokenizer hashes attribute strings without interning them
                doc.vocab.strings.add(piece)
            n = len(orths)
            retok.split(
                tok,
                orths,
                heads=[(tok, 0)] * n,
                attrs={"TAG": [tok.tag_] * n, "POS": [tok.pos_] * n, "NORM": norms},
            )


def _token_index_at(starts: Sequence[int], off: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= off:
            lo = mid
        else:
            hi = mid - 1
    return lo


def set_char_ents(doc: Doc, spans: Iterable[CharSpan], *, overwrite: bool = False) -> None:
    """Add character spans as ``doc.ents``; on overlap the existing entity wins unless ``overwrite``.

    Among the new spans, longer and earlier spans win, like spaCy's ``filter_spans``.
    """
    existing = [CharSpan(e.start_char, e.end_char, e.label_, e._.source or "model") for e in doc.ents]
    new = sorted(set(spans), key=lambda s: (-(s.end - s.start), s.start))
    chosen: list[CharSpan] = [] if overwrite else list(existing)
    for span in new:
        if span.end <= span.start:
            continue
        if not any(span.start < c.end and c.start < span.end for c in chosen):
            chosen.append(span)
    if overwrite:
        for span in existing:
            if not any(span.start < c.end and c.start < span.end for c in chosen):
                chosen.append(span)
    chosen.sort()
    split_tokens_at(doc, [b for s in chosen for b in (s.start, s.end)])
    ents = []
    for s in chosen:
        span = doc.char_span(s.start, s.end, label=s.label)
        if span is None:  # only whitespace-trimming edge cases; never silently shift: skip and keep going
            continue
        span._.source = s.source
        ents.append(span)
    doc.ents = ents


def entities_of(doc: Doc) -> list[Entity]:
    """The Doc's entities as records; offsets index ``doc.text`` (the article's original clean text)."""
    return [Entity(e.text, e.start_char, e.end_char, e.label_, e._.source or "model") for e in doc.ents]
