"""Per-process jieba segmenters, one per set of user dictionaries, never the global one.

jieba's module-level tokenizer is shared by everything in the process, so a user dictionary loaded there would
leak into every other stage. Each distinct ``user_dicts`` tuple gets its own ``jieba.Tokenizer`` here instead,
built by copying the prefix dictionary of a base tokenizer (40 ms) rather than loading it again (1–2 s), and
its own ``POSTokenizer`` over it. Everything is built on first use: stages only keep the options.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import jieba

from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from jieba.posseg import POSTokenizer

jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict ..." at DEBUG to stderr on every load

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Segmenter:
    """A jieba tokenizer with its POS tagger; ``cut`` yields ``(word, flag)`` pairs tiling the input."""

    tokenizer: jieba.Tokenizer
    tagger: POSTokenizer

    def cut(self, text: str, *, hmm: bool = True, pos: bool = True) -> Iterator[tuple[str, str]]:
        if pos:
            for p in self.tagger.cut(text, HMM=hmm):
                yield p.word, p.flag
        else:
            for word in self.tokenizer.cut(text, HMM=hmm):
                yield word, ""

    def tag_of(self, word: str, default: str) -> str:
        """The dictionary POS flag of ``word`` (for words we force as tokens), else ``default``."""
        self.tagger.makesure_userdict_loaded()
        return self.tagger.word_tag_tab.get(word, default)


def check_user_dicts(paths: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Resolved paths of user dictionaries; a missing one is a config error now, not a crash mid-run."""
    if isinstance(paths, str) or not all(isinstance(p, str) for p in paths):
        raise ConfigError(f"segment: user_dicts must be a list of file paths, not {paths!r}")
    resolved = []
    for p in paths:
        path = Path(p).expanduser().resolve()
        if not path.is_file():
            raise ConfigError(f"segment: user dictionary {p!r} not found")
        resolved.append(str(path))
    return tuple(resolved)


@cache
def _base() -> Segmenter:
    import jieba.posseg  # importing it reads jieba's dictionary once for the POS table of its global tagger

    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return Segmenter(tokenizer, _tagger(tokenizer, jieba.posseg.dt.word_tag_tab))


def _tagger(tokenizer: jieba.Tokenizer, word_tags: dict[str, str]) -> POSTokenizer:
    from jieba.posseg import POSTokenizer

    # POSTokenizer.__init__ would re-read dict.txt (~1 s) only to rebuild this table: share a copy instead
    tagger = POSTokenizer.__new__(POSTokenizer)
    tagger.tokenizer = tokenizer
    tagger.word_tag_tab = dict(word_tags)
    return tagger


@cache
def segmenter(user_dicts: tuple[str, ...] = ()) -> Segmenter:
    """The process-wide segmenter for these (already resolved) user dictionary paths."""
    with _LOCK:
        base = _base()
        if not user_dicts:
            return base
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ = dict(base.tokenizer.FREQ)
        tokenizer.total = base.tokenizer.total
        tokenizer.initialized = True
        for path in user_dicts:
            try:
                tokenizer.load_userdict(path)
            except (OSError, ValueError, AttributeError) as exc:
                raise ConfigError(f"segment: cannot read user dictionary {path}: {exc}") from None
        return Segmenter(tokenizer, _tagger(tokenizer, base.tagger.word_tag_tab))
