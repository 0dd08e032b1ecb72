"""The one progress bar of every long ``zhnews`` command: tqdm on stderr, only when stderr is a terminal.

Why one helper: each command used to decide on its own whether to draw anything; now ``--quiet`` and a
redirected stderr (a log file, CI, a pipe) mean the same everywhere, and stdout, which carries a command's
results (tables, JSON), never receives a bar. Library functions do not draw: they take a
``progress: Callable[[int], None] | None`` callback (``progress(n)``: n more units done), and the command passes
the bar made here (a :class:`Bar` is such a callable; without a terminal it does nothing).

    with progress_bar(args.quiet, total=len(texts), desc="analyse", unit="text") as bar:
        analyze_all(texts, advance=bar)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

T = TypeVar("T")
Progress = Callable[[int], None]


def bars_enabled(quiet: bool) -> bool:
    """Whether to draw: not ``--quiet``, and stderr is a terminal (a bar in a log file is noise)."""
    if quiet:
        return False
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):  # a replaced or closed stderr
        return False


class Bar:
    """A tqdm bar, or nothing when bars are off; call it with the number of units just done."""

    def __init__(self, tqdm_bar: Any | None) -> None:
        self._bar = tqdm_bar

    @property
    def active(self) -> bool:
        return self._bar is not None

    def __call__(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def note(self, message: str, file: TextIO | None = None) -> None:
        """A line above the bar (a plain print would tear the bar apart); ``file`` default stderr."""
        out = file if file is not None else sys.stderr
        if self._bar is not None:
            self._bar.write(message, file=out)
        else:
            print(message, file=out, flush=True)

    def describe(self, text: str) -> None:
        """Change the label in front of the bar (the phase of a command with several)."""
        if self._bar is not None:
            self._bar.set_description_str(text)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def make_bar(quiet: bool, *, total: int | None = None, desc: str | None = None, unit: str = "it") -> Bar:
    """A :class:`Bar` (close it when done; :func:`progress_bar` does that for you)."""
    if not bars_enabled(quiet):
        return Bar(None)
    from tqdm import tqdm

    return Bar(tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False))


@contextmanager
def progress_bar(quiet: bool, *, total: int | None = None, desc: str | None = None, unit: str = "it") -> Iterator[Bar]:
    """:func:`make_bar` as a context manager: the bar is closed (and erased) however the block ends."""
    bar = make_bar(quiet, total=total, desc=desc, unit=unit)
    try:
        yield bar
    finally:
        bar.close()


def counted(items: Iterable[T], bar: Progress) -> Iterator[T]:
    """``items``, advancing ``bar`` by one as each is taken: progress of a library function that reads an
    iterable (the export writers) without that function knowing about bars."""
    for item in items:
        yield item
        bar(1)


def run_bar(quiet: bool) -> Callable[[int], Any] | None:
    """The factory :func:`pipeline.core.runner.run` takes (``total -> tqdm``), or None when bars are off."""
    if not bars_enabled(quiet):
        return None

    def factory(total: int) -> Any:
        from tqdm import tqdm

        return tqdm(total=total, unit="file", file=sys.stderr, dynamic_ncols=True)

    return factory
