"""Per-process jieba segmenters, one per set of user dictionaries, never the global one.

jieba's module-level tokenizer is shared by everything in the process, so a user dictionary loaded there would
leak into every other stage. Each distinct ``user_dicts`` tuple gets its own ``jieba.Tokenizer`` here instead,
built by copying the prefix dictionary of a base tokenizer (40 ms) rather than loading it again (1–2 s), and
its own ``POSTokenizer`` over it. Everything is built on first use: stages only keep the options.
"""

from __future__ import annotations

import logging
import marshal
import math
import re
import tempfile
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


# jieba.posseg's own patterns (jieba/posseg/__init__.py): the blocks it cuts with the dictionary, the whitespace
# it keeps whole, and the single Latin/digit characters it joins into "eng" words
_HAN_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._]+)")
_SKIP = re.compile("(\r\n|\\s)")
_ALNUM = re.compile("[a-zA-Z0-9]")
_NUMERIC = re.compile("[\\.0-9]+")


@dataclass(frozen=True)
class Segmenter:
    """A jieba tokenizer with its POS tagger; ``cut`` yields ``(word, flag)`` pairs tiling the input."""

    tokenizer: jieba.Tokenizer
    tagger: POSTokenizer

    def cut(self, text: str, *, hmm: bool = True, pos: bool = True) -> Iterator[tuple[str, str]]:
        if pos and not hmm:
            yield from self.tag_no_hmm(text)
        elif pos:
            for p in self.tagger.cut(text, HMM=hmm):
                yield p.word, p.flag
        else:
            for word in self.tokenizer.cut(text, HMM=hmm):
                yield word, ""

    def tag_no_hmm(self, text: str) -> list[tuple[str, str]]:
        """``jieba.posseg.cut(text, HMM=False)``, word for word and flag for flag, at about twice its speed.

        posseg builds the word graph, then scores it, then yields a ``pair`` object per word through three
        generators: half of the segment stage's time. Here the graph is scored while it is built (one backward
        pass, the same floating-point sums and tie-breaking as ``jieba.Tokenizer.calc``) and words go straight
        into a list. ``tests/text/test_segmenter.py`` checks the equality on real and generated text.
        """
        self.tagger.makesure_userdict_loaded()
        tags = self.tagger.word_tag_tab
        tok = self.tokenizer
        tok.check_initialized()
        freq: dict[str, int] = tok.FREQ
        logtotal = math.log(tok.total)
        out: list[tuple[str, str]] = []
        for block in _HAN_BLOCK.split(text):
            if not block:
                continue
            if _HAN_BLOCK.match(block):
                _cut_block(block, freq, logtotal, tags, out)
                continue
            for piece in _SKIP.split(block):
                if not piece:
                    continue
                if _SKIP.match(piece):
                    out.append((piece, "x"))
                    continue
                latin = _ALNUM.match(piece) is not None
                for ch in piece:
                    out.append((ch, "m" if _NUMERIC.match(ch) else "eng" if latin else "x"))
        return out

    def tag_of(self, word: str, default: str) -> str:
        """The dictionary POS flag of ``word`` (for words we force as tokens), else ``default``."""
        self.tagger.makesure_userdict_loaded()
        return self.tagger.word_tag_tab.get(word, default)


def _cut_block(
    block: str, freq: dict[str, int], logtotal: float, tags: dict[str, str], out: list[tuple[str, str]]
) -> None:
    """One dictionary block of :meth:`Segmenter.tag_no_hmm`: its best route, words appended to ``out``."""
    log = math.log
    get = freq.get
    n = len(block)
    score = [0.0] * (n + 1)
    nxt = [0] * (n + 1)
    for i in range(n - 1, -1, -1):
        # jieba: DAG[i] = ends x (inclusive) of dictionary words block[i:x+1] with a non-zero count, else [i];
        # route[i] = max over x of (log(count or 1) - logtotal + route[x+1][0], x). Ends come in increasing
        # order, so ">=" is that tuple max: on a tie the later end wins.
        best: float | None = None
        best_end = i
        k = i
        f = get(block[i])
        while f is not None:
            if f:
                cand = log(f) - logtotal + score[k + 1]
                if best is None or cand >= best:
                    best, best_end = cand, k
            k += 1
            if k == n:
                break
            f = get(block[i : k + 1])
        if best is None:
            best = log(get(block[i]) or 1) - logtotal + score[i + 1]
        score[i], nxt[i] = best, best_end
    buf = ""
    x = 0
    while x < n:
        y = nxt[x] + 1
        word = block[x:y]
        if y - x == 1 and _ALNUM.match(word):
            buf += word
        else:
            if buf:
                out.append((buf, "eng"))
                buf = ""
            out.append((word, tags.get(word, "x")))
        x = y
    if buf:
        out.append((buf, "eng"))


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
    _initialize(tokenizer)
    return Segmenter(tokenizer, _tagger(tokenizer, jieba.posseg.dt.word_tag_tab))


def _initialize(tokenizer: jieba.Tokenizer) -> None:
    """``tokenizer.initialize()`` for jieba's default dictionary, from the same cache file, 1 s sooner.

    jieba reads its prefix-dictionary cache (``jieba.cache`` in the temp folder, written by jieba itself) with
    ``marshal.load(file)``, which reads a 9 MB file object by object: 1.2 s of every process's start-up, against
    0.27 s for ``marshal.loads`` of its bytes. The same file, trusted as jieba trusts it, and the same tables;
    anything unusual (another dictionary, no or a broken cache) goes to jieba's own ``initialize``, which builds
    and writes the cache.
    """
    cache_file = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / "jieba.cache"
    if tokenizer.dictionary is jieba.DEFAULT_DICT and not tokenizer.cache_file and not tokenizer.initialized:
        try:
            freq, total = marshal.loads(cache_file.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            pass
        else:
            if isinstance(freq, dict) and isinstance(total, int):
                tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
                return
    tokenizer.initialize()


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
