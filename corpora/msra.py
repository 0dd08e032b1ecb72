"""Readers for character-level NER corpora: MSRA and Weibo (CoNLL char<TAB>tag) and CLUENER (JSON spans).

Every reader returns :class:`NerSentence` objects (text + character spans), so training and evaluation never
see a corpus's tagging scheme: BIO is decoded once, by :mod:`pipeline.eval.spans` with conlleval's rules (the
ones every score is computed with).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DataError
from pipeline.eval.spans import Span, read_bio


@dataclass(frozen=True)
class NerSentence:
    """A sentence and its gold entities as ``(start, end, label)`` character spans (end exclusive)."""

    text: str
    spans: tuple[tuple[int, int, str], ...]

    def char_spans(self) -> list[Span]:
        return [Span(*s) for s in self.spans]


def read_conll_chars(path: str | Path, *, label_map: dict[str, str] | None = None) -> list[NerSentence]:
    """Read a one-character-per-line ``char<TAB>tag`` file (MSRA, Weibo); blank lines separate sentences.

    The file is read by :func:`pipeline.eval.spans.read_bio` (the one BIO reader, which also strips Weibo's
    position digits) and decoded by its tag rules. ``label_map`` renames or drops types (map to ``""`` to
    drop), e.g. Weibo's ``PER.NAM`` -> ``PER``.
    """
    if not Path(path).is_file():
        raise DataError(f"NER corpus not found: {path}")
    sentences = []
    for sent in read_bio(path):
        spans = [(s.start, s.end, s.label) for s in sent.char_spans()]
        if label_map is not None:
            spans = [(s, e, label_map.get(lab, lab)) for s, e, lab in spans]
            spans = [sp for sp in spans if sp[2]]
        sentences.append(NerSentence(sent.text, tuple(spans)))
    return sentences


def read_msra(path: str | Path) -> list[NerSentence]:
    """MSRA (SIGHAN 2006) train/test in char BIO; types PER, LOC, ORG."""
    return read_conll_chars(path)


def read_weibo(path: str | Path) -> list[NerSentence]:
    """Weibo NER 2nd edition; named mentions only (``.NAM``), GPE folded into LOC to match MSRA's types."""
    mapping = {
        "PER.NAM": "PER",
        "LOC.NAM": "LOC",
        "GPE.NAM": "LOC",
        "ORG.NAM": "ORG",
        "PER.NOM": "",
        "LOC.NOM": "",
        "GPE.NOM": "",
        "ORG.NOM": "",
    }
    return read_conll_chars(path, label_map=mapping)


def read_cluener(path: str | Path, *, label_map: dict[str, str] | None = None) -> list[NerSentence]:
    """CLUENER2020 JSON lines; its span ends are inclusive. Default map keeps name/address/organization/government."""
    mapping = label_map or {"name": "PER", "address": "LOC", "organization": "ORG", "government": "ORG"}
    p = Path(path)
    if not p.is_file():
        raise DataError(f"NER corpus not found: {p}")
    out: list[NerSentence] = []
    for lineno, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{p}:{lineno}: not JSON: {exc}") from None
        spans: list[tuple[int, int, str]] = []
        for typ, surfaces in (obj.get("label") or {}).items():
            if typ not in mapping:
                continue
            for positions in surfaces.values():
                spans.extend((s, e + 1, mapping[typ]) for s, e in positions)
        out.append(NerSentence(obj["text"], tuple(sorted(spans))))
    return out


CLUENER_MSRA = {
    "name": "PER",
    "organization": "ORG",
    "company": "ORG",
    "government": "ORG",
    "address": "LOC",
    "scene": "LOC",
}


def read_cluener_msra(path: str | Path, *, max_loc: int = 6) -> list[NerSentence]:
    """CLUENER mapped onto MSRA's three types, for extra training data.

    name -> PER; organization, company, government -> ORG; address and scene (places: 故宫, 秦淮河) -> LOC.
    CLUENER tags whole street addresses as one address (上海黄浦区南京路步行街世纪广场) where MSRA tags the
    place names inside; sentences with such a LOC longer than ``max_loc`` characters are dropped rather than
    taught as one span. Game, book, movie and position mentions stay O, as in MSRA.
    """
    out = []
    for sent in read_cluener(path, label_map=CLUENER_MSRA):
        if any(lab == "LOC" and e - s > max_loc for s, e, lab in sent.spans):
            continue
        # CLUENER may tag one span under two types; keep the first of overlapping spans
        spans: list[tuple[int, int, str]] = []
        for sp in sent.spans:
            if not spans or sp[0] >= spans[-1][1]:
                spans.append(sp)
        out.append(NerSentence(sent.text, tuple(spans)))
    return out


def iter_bio_lines(sentences: Sequence[NerSentence]) -> Iterator[str]:
    """Write sentences back as char BIO lines (for gold files and the traditional-script copy of dev)."""
    for sent in sentences:
        tags = ["O"] * len(sent.text)
        for s, e, lab in sent.spans:
            tags[s] = f"B-{lab}"
            for i in range(s + 1, e):
                tags[i] = f"I-{lab}"
        for ch, tag in zip(sent.text, tags, strict=True):
            yield f"{ch}\t{tag}"
        yield ""
