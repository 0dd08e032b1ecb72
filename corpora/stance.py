"""Loader for stance data in the NLPCC 2016 task 4 layout (``ID<TAB>TARGET<TEXT>STANCE`` with a header).

The official files are UTF-8 with a BOM (training) or GBK (test gold), and a few TEXT fields are quoted and span
several lines, so they are read with :mod:`csv`, never by splitting lines. Target names differ between the
official train and test files (``IphoneSE`` / ``iPhone SE``): every target goes through
:func:`pipeline.classify.targets.canonical_target`, the same function the model uses at prediction time.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.classify.targets import canonical_target
from pipeline.errors import DataError

STANCE_LABELS: tuple[str, ...] = ("FAVOR", "AGAINST", "NONE")
DEFAULT_FILE = "evasampledata4-TaskAA.txt"


@dataclass(frozen=True)
class StanceExample:
    id: str
    target: str
    text: str
    label: str | None


@dataclass
class StanceData:
    """Examples plus what the loader dropped, so a training report can say why counts differ from the file."""

    examples: list[StanceExample]
    path: Path
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def targets(self) -> list[str]:
        return sorted({ex.target for ex in self.examples})

    @property
    def texts(self) -> list[str]:
        return [ex.text for ex in self.examples]

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """``(target, text)`` pairs: the input format of :class:`pipeline.classify.stance.StanceClassifier`."""
        return [(ex.target, ex.text) for ex in self.examples]

    @property
    def labels(self) -> list[str]:
        return [ex.label or "" for ex in self.examples]


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: neither UTF-8 nor GBK/GB18030 text")


def resolve_stance_file(path: str | Path) -> Path:
    """A folder stands for its official training file (or its only ``.txt`` data file)."""
    path = Path(path)
    if path.is_file():
        return path
    if not path.is_dir():
        raise DataError(f"{path}: no such file or folder")
    if (path / DEFAULT_FILE).is_file():
        return path / DEFAULT_FILE
    candidates = [p for p in sorted(path.glob("*.txt")) if p.name.lower() != "readme.txt"]
    if len(candidates) == 1:
        return candidates[0]
    raise DataError(f"{path}: expected {DEFAULT_FILE} or a single .txt stance file, found {len(candidates)}")


def load_stance(path: str | Path, *, labelled: bool = True) -> StanceData:
    """Read a stance TSV; with ``labelled`` rows without a FAVOR/AGAINST/NONE label are dropped and counted."""
    file = resolve_stance_file(path)
    text = _decode(file.read_bytes(), file)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    header = next(reader, None)
    if header is None:
        raise DataError(f"{file}: empty file")
    columns = [h.strip().upper() for h in header]
    missing = {"TARGET", "TEXT"} - set(columns)
    if missing:
        raise DataError(f"{file}: header {header!r} lacks column(s) {sorted(missing)} (want ID, TARGET, TEXT, STANCE)")
    col = {name: columns.index(name) for name in ("ID", "TARGET", "TEXT", "STANCE") if name in columns}
    examples: list[StanceExample] = []
    dropped: Counter[str] = Counter()
    for lineno, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(col["TARGET"], col["TEXT"]):
            dropped["short row"] += 1
            continue
        label = row[col["STANCE"]].strip().upper() if "STANCE" in col and len(row) > col["STANCE"] else ""
        if label not in STANCE_LABELS:
            if labelled:
                dropped["empty label" if not label else f"label {label}"] += 1
                continue
            label = ""
        ident = row[col["ID"]].strip() if "ID" in col else str(lineno)
        examples.append(
            StanceExample(
                id=ident,
                target=canonical_target(row[col["TARGET"]]),
                text=row[col["TEXT"]].strip(),
                label=label or None,
            )
        )
    if not examples:
        raise DataError(f"{file}: no usable rows")
    return StanceData(examples=examples, path=file, dropped=dropped)
