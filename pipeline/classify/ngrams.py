"""The n-grams a fitted ``TfidfVectorizer`` counts, computed without scikit-learn.

Why: the stance and topic stages predict from arrays exported with the model (:mod:`pipeline.classify.frozen`),
so that a run's worker processes never import scikit-learn and SciPy (about 1.3 s of each worker's start-up,
the largest part of what kept two workers from being twice as fast as one). The analyzer must then be
scikit-learn's, n-gram for n-gram: :class:`Analyzer` reproduces it for the settings our features use (``word``
and ``char`` analyzers, optional lowercasing, a token pattern, a stop list, no custom preprocessor, tokenizer or
accent stripping), and :func:`analyzer_settings` says ``None`` for any other setting, which then goes through
scikit-learn. A property test compares both on arbitrary text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's: runs of two or more collapse to one space before char n-grams
KINDS = ("word", "char")
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's default


@dataclass(frozen=True)
class Analyzer:
    """``vectorizer.build_analyzer()`` of a word or char vectorizer, as plain settings (they save as JSON)."""

    kind: str
    ngram_range: tuple[int, int]
    lowercase: bool = True
    token_pattern: str = DEFAULT_TOKEN_PATTERN
    stop_words: frozenset[str] | None = None
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"analyzer kind must be one of {KINDS}, not {self.kind!r}")
        object.__setattr__(self, "_pattern", re.compile(self.token_pattern))

    def __call__(self, doc: str) -> list[str]:
        if self.lowercase:
            doc = doc.lower()
        if self.kind == "char":
            return char_ngrams(doc, self.ngram_range)
        tokens = self._pattern.findall(doc)
        if self.stop_words is not None:
            tokens = [t for t in tokens if t not in self.stop_words]
        return word_ngrams(tokens, self.ngram_range)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ngram_range": list(self.ngram_range),
            "lowercase": self.lowercase,
            "token_pattern": self.token_pattern,
            "stop_words": None if self.stop_words is None else sorted(self.stop_words),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Analyzer:
        low, high = data["ngram_range"]
        stop = data.get("stop_words")
        return cls(
            str(data["kind"]),
            (int(low), int(high)),
            bool(data["lowercase"]),
            str(data["token_pattern"]),
            None if stop is None else frozenset(str(w) for w in stop),
        )


def token_string(tokens: Iterable[str]) -> str:
    """Tokens joined by spaces for a whitespace-splitting vectorizer (no callables: they would not load safely)."""
    return " ".join(t.replace(" ", "_") for t in tokens if t.strip())


def word_ngrams(tokens: list[str], ngram_range: tuple[int, int]) -> list[str]:
    """Token n-grams joined by a space: unigrams first, then bigrams … (scikit-learn's order)."""
    low, high = ngram_range
    out = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Character n-grams of the text with whitespace runs collapsed to one space."""
    text = WHITE_SPACES.sub(" ", text)
    low, high = ngram_range
    out = list(text) if low == 1 else []
    for n in range(max(low, 2), min(high, len(text)) + 1):
        out.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return out


def analyzer_settings(vectorizer: Any) -> Analyzer | None:
    """The :class:`Analyzer` equal to a fitted vectorizer's own, or ``None`` if it uses a setting we do not
    reproduce (then only scikit-learn can analyse for it). Read from its parameters: no scikit-learn import."""
    params = vars(vectorizer)
    if (
        params.get("analyzer") not in KINDS
        or params.get("input") != "content"
        or params.get("preprocessor") is not None
        or params.get("tokenizer") is not None
        or params.get("strip_accents")
    ):
        return None
    stop = params.get("stop_words")
    if params["analyzer"] == "char":
        stop = None  # scikit-learn ignores the stop list of a char analyzer
    elif isinstance(stop, str):
        return None  # "english": not our features' business
    pattern = params.get("token_pattern")
    if params["analyzer"] == "word" and not isinstance(pattern, str):
        return None
    low, high = params.get("ngram_range", (1, 1))
    return Analyzer(
        str(params["analyzer"]),
        (int(low), int(high)),
        bool(params.get("lowercase", True)),
        pattern if isinstance(pattern, str) else DEFAULT_TOKEN_PATTERN,
        None if stop is None else frozenset(stop),
    )
