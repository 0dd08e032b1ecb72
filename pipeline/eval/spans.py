"""Span metrics for NER and link checking: strict (CoNLL) and overlap P/R/F1, tag-scheme conversion, BIO files.

Strict scores must equal seqeval's default (CoNLL ``conlleval``) numbers, because that is how every Chinese NER
paper reports, so our figures are comparable with theirs. We re-implement the chunking rules instead of importing
seqeval so the runtime does not depend on it (the tests compare the two). Overlap scores are for the link check,
where editors' link boundaries are noisy and "did the model find something here" is the useful question.

Spans are ``(start, end, label)`` with ``end`` exclusive, in characters (or tokens for tag sequences).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from pipeline.core.textfiles import read_utf8
from pipeline.errors import DataError


class Span(NamedTuple):
    start: int
    end: int
    label: str


def as_span(obj: Any) -> Span:
    """A :class:`Span` from a tuple or anything with ``start``/``end``/``label`` (Entity, CharSpan, Link-like)."""
    if isinstance(obj, Span):
        return obj
    if isinstance(obj, tuple) and len(obj) >= 3:
        return Span(int(obj[0]), int(obj[1]), str(obj[2]))
    return Span(int(obj.start), int(obj.end), str(obj.label))


# -- tag schemes ---------------------------------------------------------------------------------------


def _split_tag(tag: str) -> tuple[str, str]:
    """(prefix, type) read as seqeval reads a tag: first character, then what follows the first ``-``.

    ``O`` and a bare prefix get the placeholder type ``_``, which matters for garbage tags only.
    """
    if not tag:
        return "O", "_"
    return tag[0], tag[1:].split("-", 1)[-1] or "_"


def tags_to_spans(tags: Sequence[str]) -> list[Span]:
    """Chunks of a BIO/IOB1/BIOES tag sequence, decoded exactly as conlleval and seqeval's default mode do.

    Ill-formed sequences are read the lenient CoNLL way: an ``I-X`` after ``O`` or after another type starts a
    new chunk, and a change of type always closes the current chunk.
    """
    spans: list[Span] = []
    prev_prefix, prev_type = "O", ""
    begin = 0
    for i, tag in enumerate([*tags, "O"]):
        if tag == "O" and prev_prefix == "O":  # outside any chunk: nothing ends or starts (most tags)
            continue
        prefix, type_ = _split_tag(tag)
        if _chunk_ends(prev_prefix, prefix, prev_type, type_):
            spans.append(Span(begin, i, prev_type))
        if _chunk_starts(prev_prefix, prefix, prev_type, type_):
            begin = i
        prev_prefix, prev_type = prefix, type_
    return spans


def _chunk_ends(prev: str, cur: str, prev_type: str, cur_type: str) -> bool:
    if prev in ("E", "S"):
        return True
    if prev in ("B", "I") and cur in ("B", "S", "O"):
        return True
    return prev not in ("O", ".") and prev_type != cur_type


def _chunk_starts(prev: str, cur: str, prev_type: str, cur_type: str) -> bool:
    if cur in ("B", "S"):
        return True
    if prev in ("E", "S", "O") and cur in ("E", "I"):
        return True
    return cur not in ("O", ".") and prev_type != cur_type


def spans_to_bio(spans: Iterable[Any], length: int) -> list[str]:
    """BIO tags for non-overlapping spans over ``length`` positions (earlier, longer spans win overlaps)."""
    tags = ["O"] * length
    for s in _non_overlapping(spans, length):
        tags[s.start] = f"B-{s.label}"
        for i in range(s.start + 1, s.end):
            tags[i] = f"I-{s.label}"
    return tags


def spans_to_bioes(spans: Iterable[Any], length: int) -> list[str]:
    """BIOES tags (S- for one-position spans, E- on the last position) for non-overlapping spans."""
    tags = ["O"] * length
    for s in _non_overlapping(spans, length):
        if s.end - s.start == 1:
            tags[s.start] = f"S-{s.label}"
            continue
        tags[s.start] = f"B-{s.label}"
        for i in range(s.start + 1, s.end - 1):
            tags[i] = f"I-{s.label}"
        tags[s.end - 1] = f"E-{s.label}"
    return tags


def bio_to_bioes(tags: Sequence[str]) -> list[str]:
    return spans_to_bioes(tags_to_spans(tags), len(tags))


def bioes_to_bio(tags: Sequence[str]) -> list[str]:
    return spans_to_bio(tags_to_spans(tags), len(tags))


def _non_overlapping(spans: Iterable[Any], length: int) -> list[Span]:
    chosen: list[Span] = []
    taken = [False] * length
    for s in sorted((as_span(x) for x in spans), key=lambda s: (s.start, -(s.end - s.start))):
        if not 0 <= s.start < s.end <= length:
            raise ValueError(f"span {s} outside a sequence of length {length}")
        if any(taken[s.start : s.end]):
            continue
        taken[s.start : s.end] = [True] * (s.end - s.start)
        chosen.append(s)
    return chosen


# -- scores --------------------------------------------------------------------------------------------


@dataclass
class PRF:
    """Counts behind P/R/F1. Precision and recall keep their own numerators, because under overlap matching
    one prediction can cover two gold spans (and the reverse); under strict matching both numerators are equal.
    An empty denominator scores 0, as seqeval does by default."""

    n_pred: int = 0
    n_gold: int = 0
    pred_matched: int = 0
    gold_matched: int = 0

    @property
    def precision(self) -> float:
        return self.pred_matched / self.n_pred if self.n_pred else 0.0

    @property
    def recall(self) -> float:
        return self.gold_matched / self.n_gold if self.n_gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.n_pred += other.n_pred
        self.n_gold += other.n_gold
        self.pred_matched += other.pred_matched
        self.gold_matched += other.gold_matched

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PRF:
        """Back from :meth:`to_dict` (the counts; the ratios are recomputed), to sum stored results."""
        return cls(int(data["n_pred"]), int(data["n_gold"]), int(data["pred_matched"]), int(data["gold_matched"]))

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
            "n_pred": self.n_pred,
            "n_gold": self.n_gold,
            "pred_matched": self.pred_matched,
            "gold_matched": self.gold_matched,
        }


@dataclass
class SpanScores:
    """Micro-averaged scores plus one :class:`PRF` per label (labels of gold and predictions alike)."""

    micro: PRF = field(default_factory=PRF)
    per_type: dict[str, PRF] = field(default_factory=dict)

    def add(self, other: SpanScores) -> None:
        self.micro.add(other.micro)
        for label, prf in other.per_type.items():
            self.per_type.setdefault(label, PRF()).add(prf)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpanScores:
        return cls(PRF.from_dict(data["micro"]), {k: PRF.from_dict(v) for k, v in data["per_type"].items()})

    def to_dict(self) -> dict[str, Any]:
        return {
            "micro": self.micro.to_dict(),
            "per_type": {label: self.per_type[label].to_dict() for label in sorted(self.per_type)},
        }


MatchMode = Literal["exact", "overlap"]


def span_scores(
    gold: Iterable[Any], pred: Iterable[Any], *, mode: MatchMode = "exact", match_label: bool = True
) -> SpanScores:
    """Scores of one document's predicted spans against its gold spans.

    ``exact``: same start and end. ``overlap``: share at least one position. With ``match_label`` the labels
    must agree too (strict typed scoring); without it, spans are matched on position only and counted under
    their own label (a prediction under its predicted label, a gold span under its gold label).
    Duplicate spans count once, as in seqeval.
    """
    gold_set = sorted({as_span(s) for s in gold})
    pred_set = sorted({as_span(s) for s in pred})
    matched = _overlap_matches if mode == "overlap" else _exact_matches
    gold_hit, pred_hit = matched(gold_set, pred_set, match_label)
    scores = SpanScores()
    for s, hit in zip(pred_set, pred_hit, strict=True):
        prf = scores.per_type.setdefault(s.label, PRF())
        prf.n_pred += 1
        prf.pred_matched += hit
    for s, hit in zip(gold_set, gold_hit, strict=True):
        prf = scores.per_type.setdefault(s.label, PRF())
        prf.n_gold += 1
        prf.gold_matched += hit
    for prf in scores.per_type.values():
        scores.micro.add(prf)
    return scores


def _exact_matches(gold: list[Span], pred: list[Span], match_label: bool) -> tuple[list[bool], list[bool]]:
    key = (lambda s: s) if match_label else (lambda s: (s.start, s.end))
    gold_keys = {key(s) for s in gold}
    pred_keys = {key(s) for s in pred}
    return [key(s) in pred_keys for s in gold], [key(s) in gold_keys for s in pred]


def _overlap_matches(gold: list[Span], pred: list[Span], match_label: bool) -> tuple[list[bool], list[bool]]:
    gold_hit = [False] * len(gold)
    pred_hit = [False] * len(pred)
    # both lists are sorted by start: sweep, comparing each gold span with predictions that can still reach it
    j0 = 0
    for i, g in enumerate(gold):
        while j0 < len(pred) and pred[j0].end <= g.start:  # cannot reach this or any later gold span
            j0 += 1
        for j in range(j0, len(pred)):
            p = pred[j]
            if p.start >= g.end:
                break
            if p.end > g.start and (not match_label or p.label == g.label):
                gold_hit[i] = pred_hit[j] = True
    return gold_hit, pred_hit


def corpus_span_scores(
    pairs: Iterable[tuple[Iterable[Any], Iterable[Any]]], *, mode: MatchMode = "exact", match_label: bool = True
) -> SpanScores:
    """Scores summed over documents given as ``(gold, pred)`` pairs; spans never match across documents."""
    total = SpanScores()
    for gold, pred in pairs:
        total.add(span_scores(gold, pred, mode=mode, match_label=match_label))
    return total


def tag_scores(gold_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> SpanScores:
    """Strict typed scores of tag sequences, equal to seqeval's default-mode per-type and micro figures."""
    if len(gold_tags) != len(pred_tags):
        raise ValueError(f"{len(gold_tags)} gold sequences but {len(pred_tags)} predicted")
    pairs = []
    for g, p in zip(gold_tags, pred_tags, strict=True):
        if len(g) != len(p):
            raise ValueError(f"gold and predicted sequences differ in length ({len(g)} != {len(p)})")
        pairs.append((tags_to_spans(g), tags_to_spans(p)))
    return corpus_span_scores(pairs)


# -- BIO / CoNLL files ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BioSentence:
    """One sentence of a CoNLL-style file: its tokens (usually single characters) and their tags."""

    tokens: tuple[str, ...]
    tags: tuple[str, ...]

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    def char_spans(self) -> list[Span]:
        """Gold spans in character offsets of :attr:`text` (tokens may be longer than one character)."""
        starts = [0]
        for tok in self.tokens:
            starts.append(starts[-1] + len(tok))
        return [Span(starts[s.start], starts[s.end], s.label) for s in tags_to_spans(self.tags)]


BioFormat = Literal["auto", "char", "weibo"]


def read_bio(path: str | Path, *, fmt: BioFormat = "auto") -> list[BioSentence]:
    """Read ``token<TAB>tag`` lines with blank lines between sentences.

    ``weibo``: the token field is the character followed by its position digit in the jieba word (``科0``),
    which is stripped. ``auto`` picks ``weibo`` when every token field is longer than one character and ends
    in a digit, which a plain character file never satisfies.
    """
    path = Path(path)
    text = read_utf8(path)
    rows: list[list[tuple[str, str]]] = [[]]
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if rows[-1]:
                rows.append([])
            continue
        # the tag is after the last tab (a token may itself be a tab or a space), else after the last space
        tabbed = "\t" in line
        token, _, tag = line.rpartition("\t") if tabbed else line.rstrip().rpartition(" ")
        if not token or not tag.strip() or " " in tag.strip() or (not tabbed and " " in token.strip()):
            raise DataError(f"{path}:{lineno}: expected 'token<TAB>tag', got {line[:40]!r}")
        rows[-1].append((token, tag.strip()))
    sentences = [r for r in rows if r]
    if not sentences:
        raise DataError(f"{path}: no sentences")
    if fmt == "auto":
        weibo = all(len(tok) > 1 and tok[-1].isdigit() for sent in sentences for tok, _ in sent)
        fmt = "weibo" if weibo else "char"
    strip = fmt == "weibo"
    return [
        BioSentence(tuple(tok[:-1] if strip else tok for tok, _ in sent), tuple(tag for _, tag in sent))
        for sent in sentences
    ]
