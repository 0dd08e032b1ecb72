"""A gazetteer of entity names as a spaCy component, matched on the characters of the normalized text.

It plays the part of spaCy's ``EntityRuler``/``SpanRuler`` (patterns are JSONL data, ``add_patterns``,
``initialize``, ``to_disk``/``from_disk``) but cannot reuse their token matchers: our tokens come from jieba,
and a name often sits inside or across jieba words (驻日美军 → 美军, 印度太平洋 → 印度). So it matches on the
characters of ``token.norm_``, as the character-level NER model reads them, and hands character spans to
:func:`pipeline.ner.charspans.set_char_ents`, which splits tokens where needed. Patterns go through the same
normalization (OpenCC ``t2s`` + half-width), so a traditional article matches simplified patterns and the
reverse.

Matching is a dictionary lookup keyed by first character (each first character knows the lengths of its
patterns), never a regex per pattern, so it costs the same with ten patterns or a hundred thousand. Among
overlapping matches the longest wins, then the earliest (like ``filter_spans``); a match may not cut a run of
Latin letters or digits (``AI`` inside ``SAID``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import DataError
from pipeline.ner.charspans import CharSpan, doc_text, set_char_ents
from pipeline.text.names import fold, normalize_name
from pipeline.text.normalize import FULLWIDTH_TABLE
from pipeline.text.opencc_align import converter

SOURCE = "gazetteer"
PATTERNS_FILE = "patterns.jsonl"
CFG_FILE = "cfg"

__all__ = ["Gazetteer", "normalize_name", "read_patterns", "write_patterns"]


def _is_alnum_ascii(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


class Gazetteer:
    """Finds known names in a Doc and adds them as entities with ``span._.source == "gazetteer"``.

    A pattern is ``{"label": "LOC", "pattern": "日本", "id": "日本"}`` (``id``, the link target, optional).
    When two patterns normalize to the same string, the one added last wins, so a typed list loaded after a
    built gazetteer overrides its types.
    """

    def __init__(
        self,
        nlp: Language | None = None,
        name: str = "zhnews_gazetteer",
        *,
        overwrite_ents: bool = False,
        convert: str | None = "t2s",
        min_length: int = 1,
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.overwrite_ents = overwrite_ents
        self.convert = convert
        self.min_length = min_length
        self._patterns: dict[str, dict[str, str]] = {}  # normalized pattern -> pattern dict as given
        self._lengths: dict[str, tuple[int, ...]] = {}  # first char -> pattern lengths, longest first

    # -- patterns ----------------------------------------------------------------------------------------
    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add ``{"label", "pattern", "id"?}`` dicts; a pattern shorter than ``min_length`` is skipped."""
        lengths: dict[str, set[int]] = {ch: set(ls) for ch, ls in self._lengths.items()}
        for i, raw in enumerate(patterns):
            pattern, label = raw.get("pattern"), raw.get("label")
            if not isinstance(pattern, str) or not isinstance(label, str) or not label:
                raise DataError(f"gazetteer pattern {i}: needs string 'pattern' and 'label', got {raw!r}")
            key = normalize_name(pattern, self.convert)
            if len(key) < self.min_length or not key:
                continue
            entry = {"label": label, "pattern": pattern}
            if raw.get("id") not in (None, ""):
                entry["id"] = str(raw["id"])
            self._patterns.pop(key, None)  # re-insert so the last added keeps its place at the end
            self._patterns[key] = entry
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}

    def load_patterns(self, path: str | Path) -> int:
        """Add the patterns of a JSONL file (one object a line); returns how many lines were read."""
        patterns = read_patterns(path)
        self.add_patterns(patterns)
        return len(patterns)

    def clear(self) -> None:
        self._patterns.clear()
        self._lengths.clear()

    @property
    def patterns(self) -> list[dict[str, str]]:
        return [dict(p) for p in self._patterns.values()]

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({p["label"] for p in self._patterns.values()}))

    def label_of(self, name: str) -> str | None:
        """The label of a name (any script) if it is a pattern; the link check types link targets with it."""
        entry = self._patterns.get(normalize_name(name, self.convert))
        return entry["label"] if entry else None

    def __len__(self) -> int:
        return len(self._patterns)

    def __contains__(self, name: str) -> bool:
        return normalize_name(name, self.convert) in self._patterns

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Any]] | None = None,
        *,
        nlp: Language | None = None,
        patterns: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """Replace the patterns (spaCy calls this from ``nlp.initialize``; patterns come from the config)."""
        self.clear()
        if patterns:
            self.add_patterns(patterns)

    # -- matching -----------------------------------------------------------------------------------------
    def match(self, doc: Doc) -> list[tuple[CharSpan, str | None]]:
        """Non-overlapping matches as ``(CharSpan, id)``, offsets into ``doc.text``."""
        if not self._patterns:
            return []
        original = doc_text(doc)  # Doc.text makes a Token per token on each access
        chars, starts, ends = _normalized_chars(doc)
        text = "".join(chars)
        if self.convert:  # idempotent on norms the normalize stage made; covers Docs built without it
            converted = converter(self.convert).convert(text)
            if len(converted) == len(text):
                text = converted
        candidates: list[tuple[int, int, dict[str, str]]] = []
        n = len(text)
        for i, ch in enumerate(text):
            lens = self._lengths.get(ch)
            if not lens:
                continue
            first = starts[i]
            if first is None:
                continue
            for length in lens:
                j = i + length
                if j > n:
                    continue
                last = ends[j - 1]
                if last is None:
                    continue
                entry = self._patterns.get(text[i:j])
                if entry is not None and _latin_bounds_ok(original, first, last):
                    candidates.append((first, last, entry))
        candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken = bytearray(len(original))
        chosen: list[tuple[CharSpan, str | None]] = []
        for start, end, entry in candidates:
            if any(taken[start:end]):
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((CharSpan(start, end, entry["label"], SOURCE), entry.get("id")))
        chosen.sort(key=lambda c: c[0].start)
        return chosen

    def __call__(self, doc: Doc) -> Doc:
        matches = self.match(doc)
        if not matches:
            return doc
        doc = set_char_ents(doc, [span for span, _ in matches], overwrite=self.overwrite_ents)
        ids = {(span.start, span.end): ent_id for span, ent_id in matches if ent_id}
        if ids:
            ents = list(doc.ents)
            for ent in ents:
                ent_id = ids.get((ent.start_char, ent.end_char))
                if ent_id and ent._.source == SOURCE:
                    ent.id_ = ent_id
            doc.ents = ents
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # -- serialization -------------------------------------------------------------------------------------
    def _cfg(self) -> dict[str, Any]:
        return {"overwrite_ents": self.overwrite_ents, "convert": self.convert, "min_length": self.min_length}

    def _set_cfg(self, cfg: dict[str, Any]) -> None:
        self.overwrite_ents = bool(cfg.get("overwrite_ents", self.overwrite_ents))
        self.convert = cfg.get("convert", self.convert)
        self.min_length = int(cfg.get("min_length", self.min_length))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """A folder with ``patterns.jsonl`` and ``cfg``; a path ending in ``.jsonl`` gets the patterns only."""
        path = Path(path)
        if path.suffix == ".jsonl":
            write_patterns(path, self.patterns)
            return
        path.mkdir(parents=True, exist_ok=True)
        write_patterns(path / PATTERNS_FILE, self.patterns)
        srsly.write_json(path / CFG_FILE, self._cfg())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Gazetteer:
        path = Path(path)
        self.clear()
        if path.suffix == ".jsonl":
            self.load_patterns(path)
            return self
        if (path / CFG_FILE).is_file():
            self._set_cfg(srsly.read_json(path / CFG_FILE))
        if (path / PATTERNS_FILE).is_file():
            self.load_patterns(path / PATTERNS_FILE)
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.msgpack_dumps({"cfg": self._cfg(), "patterns": self.patterns})

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> Gazetteer:
        msg = srsly.msgpack_loads(data)
        self.clear()
        self._set_cfg(msg.get("cfg", {}))
        self.add_patterns(msg.get("patterns", []))
        return self


def _normalized_chars(doc: Doc) -> tuple[list[str], list[int | None], list[int | None]]:
    """The Doc's normalized characters with the original offset each starts at and ends at.

    A token whose norm has the text's length maps char by char. One whose normalization changed its length
    (s2twp 内存 → 記憶體) maps only as a whole: its inner characters carry ``None`` so no match can start or
    end inside it.
    """
    chars: list[str] = []
    starts: list[int | None] = []
    ends: list[int | None] = []
    for tok in doc:
        norm = tok.norm_ or tok.text
        norm = fold(norm.translate(FULLWIDTH_TABLE))
        if len(norm) == len(tok.text):
            chars.extend(norm)
            starts.extend(range(tok.idx, tok.idx + len(norm)))
            ends.extend(range(tok.idx + 1, tok.idx + len(norm) + 1))
            continue
        for k, ch in enumerate(norm):
            chars.append(ch)
            starts.append(tok.idx if k == 0 else None)
            ends.append(tok.idx + len(tok.text) if k == len(norm) - 1 else None)
    return chars, starts, ends


def _latin_bounds_ok(text: str, start: int, end: int) -> bool:
    if start > 0 and _is_alnum_ascii(text[start - 1]) and _is_alnum_ascii(text[start]):
        return False
    return not (end < len(text) and _is_alnum_ascii(text[end - 1]) and _is_alnum_ascii(text[end]))


def read_patterns(path: str | Path) -> list[dict[str, Any]]:
    """Pattern dicts from a JSONL file; a bad line is a :class:`DataError` naming the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataError(f"gazetteer file {path} not found") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"gazetteer file {path}: not UTF-8 ({exc.reason})") from None
    patterns: list[dict[str, Any]] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{lineno}: not JSON: {exc.msg}") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("pattern"), str) or not obj.get("label"):
            raise DataError(f"{path}:{lineno}: expected {{'label': ..., 'pattern': ...}}, got {line[:60]!r}")
        patterns.append(obj)
    return patterns


def write_patterns(path: str | Path, patterns: Iterable[dict[str, Any]]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for p in patterns:
            fh.write(json.dumps(p, ensure_ascii=False, sort_keys=True) + "\n")


@Language.factory(
    "zhnews_gazetteer",
    default_config={"overwrite_ents": False, "convert": "t2s", "min_length": 1},
)
def make_gazetteer(nlp: Language, name: str, overwrite_ents: bool, convert: str | None, min_length: int) -> Gazetteer:
    return Gazetteer(nlp, name, overwrite_ents=overwrite_ents, convert=convert, min_length=min_length)
