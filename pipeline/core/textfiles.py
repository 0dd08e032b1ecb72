"""Reading a whole UTF-8 data file (a BIO corpus, a JSONL export), with the two problems a user can cause —
a missing file, another encoding — as one-line :class:`~pipeline.errors.DataError`\\ s."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import DataError


def read_utf8(path: str | Path) -> str:
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError(f"{p}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
