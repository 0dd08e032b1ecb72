"""OpenCC conversion that records which source characters produced each piece of its output.

OpenCC converts phrase by phrase, and some phrases change length (s2twp: 内存 → 記憶體, 软件 → 軟體), so the
output cannot be aligned by position. The alignment here rests on three facts about OpenCC's dictionaries:

* every dictionary key is made of Han characters plus ``·``, ``〇``, ``-`` and ASCII letters, so whitespace and
  other punctuation are never converted and no phrase crosses them: the text splits into independent *runs*;
* a character converted alone gives its *char-level* output; where a run's phrase-level output equals the
  concatenation of its char-level outputs, each character maps to its own output (the common case, and the
  fast path: one C-level ``str.translate`` for the whole text);
* elsewhere OpenCC's forward maximum matching is memoryless at phrase boundaries, so a run splits at ``i``
  exactly when ``convert(run[:i]) + convert(run[i:]) == convert(run)``. Probing those splits with OpenCC itself
  cuts the differing middle of a run into the smallest pieces that convert independently: the phrases.

Converters are cached per process (``opencc.OpenCC`` objects cannot be pickled, so callers keep only the config
name and build lazily through :func:`converter`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import opencc

from pipeline.errors import ConfigError
from pipeline.text.offsets import OffsetMap, OffsetMapBuilder

# characters that occur in no OpenCC dictionary key (so never converted and never inside a phrase): whitespace,
# ASCII punctuation except "-", general and CJK punctuation (except 〇 U+3007) and full-width punctuation
_SEPARATORS = re.compile(
    r"([\s!-,./:-@\[-`{-~\u2000-\u206f\u3000-\u3006\u3008-\u303f\ufe10-\ufe6f\uff01-\uff0f\uff1a-\uff20"
    r"\uff3b-\uff40\uff5b-\uff65]+)"
)
# OpenCC dictionary keys are at most 15 chars: a phrase holding a changed char starts at most 14 chars before it
_LONGEST_KEY = 15
# the longest prefix probed for a split; a split is found well before this in any real text
_MAX_PROBE = 48


@cache
def _shipped_configs() -> tuple[str, ...]:
    return tuple(sorted(name.removesuffix(".json") for name in opencc.CONFIGS))


def valid_configs() -> list[str]:
    """OpenCC config names this installation ships (``t2s``, ``s2twp``, ...), sorted."""
    return list(_shipped_configs())


def check_config(name: str) -> str:
    """Return the config name, or raise a ConfigError listing the valid ones."""
    if name not in _shipped_configs():
        raise ConfigError(f"unknown OpenCC config {name!r}; valid: {', '.join([*valid_configs(), 'none'])}")
    return name


@cache
def converter(name: str) -> opencc.OpenCC:
    """The process-wide converter for config ``name`` (loading dictionaries costs a few ms each)."""
    return opencc.OpenCC(f"{check_config(name)}.json")


@dataclass
class CharTable:
    """Char-level conversions of one config, filled lazily with the characters seen so far."""

    convert: Callable[[str], str]
    table: dict[int, str] = field(default_factory=dict)
    multi: set[str] = field(default_factory=set)  # chars whose char-level output is not exactly one char
    known: set[str] = field(default_factory=lambda: {"\n"})

    def learn(self, chars: set[str]) -> None:
        if chars <= self.known:
            return
        new = sorted(chars - self.known)
        self.known.update(new)
        # one OpenCC call for all of them: a newline between chars stops phrases from matching across them
        out = self.convert("\n".join(new)).split("\n")
        if len(out) != len(new):  # cannot happen with OpenCC's dictionaries; stay correct if it ever does
            out = [self.convert(c) for c in new]
        for c, o in zip(new, out, strict=True):
            self.table[ord(c)] = o
            if len(o) != 1:
                self.multi.add(c)

    def char(self, c: str) -> str:
        return self.table.get(ord(c), c)


@cache
def char_table(name: str) -> CharTable:
    return CharTable(converter(name).convert)


def char_level(text: str, name: str) -> str:
    """``text`` converted character by character, ignoring phrases (used by script detection)."""
    table = char_table(name)
    table.learn(set(text))
    return text.translate(table.table)


def convert_aligned(text: str, name: str) -> tuple[str, OffsetMap]:
    """Convert ``text`` with OpenCC config ``name``; the map takes output spans back to ``text``."""
    if not text:
        return "", OffsetMap.identity(0)
    cc = converter(name)
    table = char_table(name)
    chars = set(text)
    table.learn(chars)
    phrased = cc.convert(text)
    simple = text.translate(table.table)
    has_multi = not table.multi.isdisjoint(chars)
    if phrased == simple and not has_multi:
        return phrased, OffsetMap.identity(len(text))
    builder = OffsetMapBuilder()
    src_parts = _SEPARATORS.split(text)
    out_parts = _SEPARATORS.split(phrased)
    if len(src_parts) != len(out_parts) or src_parts[1::2] != out_parts[1::2]:
        # a conversion touched a separator (not true of any shipped dictionary): convert run by run instead
        out_parts = [part if k % 2 else cc.convert(part) for k, part in enumerate(src_parts)]
    pos = 0  # offset of the part in ``text`` (and, without multi-char outputs, in ``simple``)
    for k, (src, out) in enumerate(zip(src_parts, out_parts, strict=True)):
        n = len(src)
        if k % 2:  # separators: never converted
            builder.add(n, len(out), equal=n == len(out))
        elif not has_multi and out == simple[pos : pos + n]:  # the run converts char by char
            builder.add(n, n, equal=True)
        else:
            _align_run(src, out, table, cc.convert, builder)
        pos += n
    return "".join(out_parts), builder.build_map(len(text))


def _align_run(src: str, out: str, table: CharTable, convert: Callable[[str], str], builder: OffsetMapBuilder) -> None:
    """Pieces for one run: chars that convert alone at both ends, probed phrases in the middle."""
    outs = [table.char(c) for c in src]
    if "".join(outs) == out:
        if len(out) == len(src):
            builder.add(len(src), len(out), equal=True)
        else:
            for o in outs:
                builder.add(1, len(o), equal=len(o) == 1)
        return
    # common prefix and suffix, in whole source chars
    lo, pos = 0, 0
    while lo < len(src) and out.startswith(outs[lo], pos):
        pos += len(outs[lo])
        lo += 1
    hi, end = len(src), len(out)
    while hi > lo and end - len(outs[hi - 1]) >= pos and out.endswith(outs[hi - 1], 0, end):
        end -= len(outs[hi - 1])
        hi -= 1
    # a char that converts alone the same way may still belong to the phrase next to it (網路 → 网络, where
    # 網 → 网 alone too): hand the chars a phrase could reach to the probing as well
    back, ahead = max(0, lo - _LONGEST_KEY + 1), min(len(src), hi + _LONGEST_KEY - 1)
    pos -= sum(len(o) for o in outs[back:lo])
    end += sum(len(o) for o in outs[hi:ahead])
    for o in outs[:back]:
        builder.add(1, len(o), equal=len(o) == 1)
    for n_src, piece in _phrases(src[back:ahead], out[pos:end], convert):
        builder.add(n_src, len(piece), equal=n_src == len(piece) == 1)
    for o in outs[ahead:]:
        builder.add(1, len(o), equal=len(o) == 1)


def _phrases(src: str, out: str, convert: Callable[[str], str]) -> list[tuple[int, str]]:
    """Cut ``src`` (converting to ``out``) into the smallest pieces OpenCC converts independently."""
    pieces: list[tuple[int, str]] = []
    while src:
        split = _first_split(src, out, convert)
        if split is None:
            pieces.append((len(src), out))
            break
        i, left = split
        pieces.extend(_phrases(src[:i], left, convert) if i > 1 else [(i, left)])
        src, out = src[i:], out[len(left) :]
    return pieces


def _first_split(src: str, out: str, convert: Callable[[str], str]) -> tuple[int, str] | None:
    for i in range(1, min(len(src), _MAX_PROBE)):
        left = convert(src[:i])
        if out.startswith(left) and convert(src[i:]) == out[len(left) :]:
            return i, left
    return None
