"""Character-level entity spans on word-level spaCy Docs.

Our Docs are segmented by jieba, but Chinese entities often sit inside or across jieba words (驻日美军 → 美军,
印度太平洋 → 印度, 太平洋). NER components therefore predict character spans, and this module re-segments: it
splits tokens at entity boundaries so the spans become real ``doc.ents``. The Doc's text never changes, so
every offset still indexes the article's original text; the work is linear in the length of the Doc.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Iterable
from typing import NamedTuple

import numpy
from spacy.attrs import IDX, NORM, ORTH, POS, SPACY, TAG
from spacy.tokens import Doc, Span

from pipeline.core.article import Entity

if not Span.has_extension("source"):
    Span.set_extension("source", default=None)


class CharSpan(NamedTuple):
    start: int
    end: int
    label: str
    source: str


def split_tokens_at(doc: Doc, offsets: Iterable[int]) -> Doc:
    """``doc`` with its tokens split so that every offset falls on a token boundary (the same Doc if none had to).

    A split Doc is rebuilt in one pass (words, then NORM/TAG/POS arrays) rather than with ``doc.retokenize()``,
    whose every split shifts the whole token array: that made NER quadratic in the length of an article (a
    300k-character article spent 30 s in the retokenizer). The text, and so every offset, stays the same.
    """
    starts = doc.to_array(IDX).tolist()  # arrays, no Token objects: this runs for every article
    text_len = doc_length(doc)
    cuts = sorted({off for off in offsets if 0 < off < text_len})
    if not cuts:
        return doc
    inner: dict[int, list[int]] = {}
    for off in cuts:
        i = bisect_right(starts, off) - 1
        if starts[i] != off:
            inner.setdefault(i, []).append(off - starts[i])
    if not inner:
        return doc
    strings = doc.vocab.strings
    table = doc.to_array([ORTH, NORM, TAG, POS, SPACY])
    orth_ids = table[:, 0].tolist()
    space_flags = table[:, 4].astype(bool).tolist()
    words: list[str] = []
    spaces: list[bool] = []
    row_parts: list[numpy.ndarray] = []
    kept = 0  # tokens before ``kept`` are in the output lists already
    for i in sorted(inner):
        # the unsplit run before token i, copied as slices; only the split token is handled in Python
        words += [strings[o] for o in orth_ids[kept:i]]
        spaces += space_flags[kept:i]
        row_parts.append(table[kept:i, 1:4])
        text = strings[orth_ids[i]]
        bounds = [0, *inner[i], len(text)]
        orths = [text[x:y] for x, y in itertools.pairwise(bounds)]
        norm_id, tag_id, pos_id = table[i, 1:4].tolist()
        norm = strings[norm_id]
        if len(norm) == len(text):
            norms = [norm[x:y] for x, y in itertools.pairwise(bounds)]
        else:  # a length-changing normalization cannot be cut: keep it whole on the first piece
            norms = [norm, *orths[1:]]
        words += orths
        spaces += [False] * (len(orths) - 1) + [space_flags[i]]
        row_parts.append(numpy.array([(strings.add(n), tag_id, pos_id) for n in norms], dtype="uint64"))
        kept = i + 1
    words += [strings[o] for o in orth_ids[kept:]]
    spaces += space_flags[kept:]
    row_parts.append(table[kept:, 1:4])
    out = Doc(doc.vocab, words=words, spaces=spaces)
    rows = numpy.ascontiguousarray(numpy.concatenate(row_parts), dtype="uint64")
    out.from_array([NORM, TAG, POS], rows)  # type: ignore[arg-type]  # spaCy's stub wants thinc's Ints2d
    out.user_data.update(doc.user_data)
    return out


def doc_length(doc: Doc) -> int:
    """``len(doc.text)`` without building the text (``Doc.text`` makes a Token object per token)."""
    if not len(doc):
        return 0
    last = doc[-1]
    return last.idx + len(last.text_with_ws)


def doc_text(doc: Doc) -> str:
    """``doc.text`` from the attribute arrays: the same string at a fraction of the cost on long Docs."""
    strings = doc.vocab.strings
    return "".join(strings[orth] + (" " if space else "") for orth, space in doc.to_array([ORTH, SPACY]).tolist())


def set_char_ents(doc: Doc, spans: Iterable[CharSpan], *, overwrite: bool = False) -> Doc:
    """``doc`` with character spans added as ``doc.ents``; on overlap the existing entity wins unless
    ``overwrite``. Among the new spans, longer and earlier spans win, like spaCy's ``filter_spans``.

    Returns the Doc to use from now on: a new one when tokens had to be split at entity edges (a component
    returns it, as spaCy components may), else ``doc`` itself.
    """
    existing = [CharSpan(e.start_char, e.end_char, e.label_, e._.source or "model") for e in doc.ents]
    new = [s for s in set(spans) if s.end > s.start]
    picked = _choose(new, existing) if overwrite else _choose(existing, new)
    doc = split_tokens_at(doc, [b for s in picked for b in (s.start, s.end)])
    ents: list[Span] = []
    if picked:
        # token index of each span edge: a binary search in the token starts (and the text's end), not a dict
        # of every token of the Doc
        bounds = numpy.append(doc.to_array(IDX), doc_length(doc)).astype(numpy.int64)
        edges = numpy.array([(s.start, s.end) for s in picked], dtype=numpy.int64)
        at = numpy.minimum(numpy.searchsorted(bounds, edges), len(bounds) - 1)
        on_token = (bounds[at] == edges).all(axis=1)
        for s, (i, j), ok in zip(picked, at.tolist(), on_token.tolist(), strict=True):
            if not ok:  # outside the text: never silently shift, skip
                continue
            ent = Span(doc, i, j, label=s.label)
            ent._.source = s.source
            ents.append(ent)
    doc.ents = ents
    return doc


def _choose(first: list[CharSpan], second: list[CharSpan]) -> list[CharSpan]:
    """Non-overlapping spans, sorted: where spans overlap, those of ``first`` win, then longer, then earlier.

    Only spans that overlap something need the ranking, so the spans are swept in start order into clusters of
    mutually overlapping ones and each cluster is resolved alone: linear in the number of entities for the
    usual model output, where comparing every span with every kept one was quadratic (an article with 80,000
    entities spent seconds there).
    """
    ranked = sorted(
        [(0, s) for s in first] + [(1, s) for s in second], key=lambda r: (r[1].start, r[1].end, r[0], r[1])
    )
    picked: list[CharSpan] = []
    i = 0
    while i < len(ranked):
        j, end = i + 1, ranked[i][1].end
        while j < len(ranked) and ranked[j][1].start < end:
            end = max(end, ranked[j][1].end)
            j += 1
        cluster = ranked[i:j]
        if len(cluster) == 1:
            picked.append(cluster[0][1])
        else:
            kept: list[CharSpan] = []
            for _, span in sorted(cluster, key=lambda r: (r[0], -(r[1].end - r[1].start), r[1].start, r[1])):
                if not any(span.start < k.end and k.start < span.end for k in kept):
                    kept.append(span)
            picked += sorted(kept)
        i = j
    return picked


def entities_of(doc: Doc, text: str | None = None) -> list[Entity]:
    """The Doc's entities as records; offsets index ``doc.text`` (the article's original clean text).

    Surfaces are cut from the text, read once (or given: a stage knows its article's text, which is the Doc's):
    ``Span.text`` builds a Token object per token of every entity.
    """
    if text is None:
        text = doc_text(doc)
    return [
        Entity(text[e.start_char : e.end_char], e.start_char, e.end_char, e.label_, e._.source or "model")
        for e in doc.ents
    ]
