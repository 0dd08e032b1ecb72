"""The output folder of a run, written so that a run killed at any instant can be resumed exactly.

Files: ``records.jsonl`` (one result record per article), ``errors.jsonl`` (one error record per document or
file that failed), ``done.jsonl`` (the manifest: one line per finished input file), ``run.json`` (what the run
is: config fingerprint and inputs) and, at the end, ``summary.json``.

Crash safety rests on one ordering: a file's records and errors are appended (each in one write, then
flushed), and only then its manifest line, which carries the byte length of ``records.jsonl`` and
``errors.jsonl`` after that file. The manifest is therefore the truth: on resume, a partial trailing manifest
line is dropped and both JSONL files are cut back to the lengths named by the last complete manifest line,
which removes a half-written record line and the records of a file whose manifest line never made it. Files
named in the manifest are skipped, every other input is processed again. This holds against the process being
killed (Ctrl-C, ``kill -9``, out of memory); it does not fsync, so it promises nothing after a power cut.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from pipeline.errors import ConfigError, ZhNewsError

RECORDS = "records.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "done.jsonl"
STATE = "run.json"
SUMMARY = "summary.json"
OUR_FILES = (RECORDS, ERRORS, MANIFEST, STATE, SUMMARY)


# JSON leaves these raw, but str.splitlines (and JavaScript) break lines at them
_RAW_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_line(obj: Any) -> str:
    """One JSONL line: compact, UTF-8 as is (Chinese stays readable), numpy scalars/arrays as plain numbers.

    Written by orjson: a run's record lines (every token with its offsets, flag and normal form) took 7 % of its
    time in ``json.dumps``, and orjson writes them 6x faster. Its output is ``json.dumps``'s with compact
    separators and raw UTF-8, except for floats below 1e-4 or from 1e16 (``1e-05`` becomes ``0.00001``) and
    NaN/infinity, which become ``null`` (valid JSON, where ``json.dumps`` wrote ``NaN``).

    Text holding lone surrogates (possible from a JSONL input's ``\\ud800`` escapes) cannot be written as
    UTF-8; such a line is written with ASCII escapes instead, so it stays valid JSON in a valid UTF-8 file.
    U+0085, U+2028 and U+2029 are escaped (valid raw in JSON, but line breaks to ``str.splitlines`` and
    JavaScript), so every reader sees one record per line.
    """
    try:
        line = orjson.dumps(obj, default=_plain, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
    except orjson.JSONEncodeError as exc:
        if "surrogates" not in str(exc):  # "str is not valid UTF-8: surrogates not allowed"
            raise TypeError(str(exc)) from None
        return json.dumps(obj, ensure_ascii=True, separators=(",", ":"), default=_plain) + "\n"
    for raw, escaped in _RAW_BREAKS.items():
        if raw in line:
            line = line.replace(raw, escaped)
    return line + "\n"


def _plain(obj: Any) -> Any:
    tolist = getattr(obj, "tolist", None)  # numpy scalars and arrays, without importing numpy here
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def inputs_digest(sources: Iterable[str]) -> str:
    """Identity of an ordered input list, stored in ``run.json`` to recognise a rerun of the same inputs."""
    h = hashlib.sha256()
    for s in sources:
        h.update(s.encode("utf-8", "surrogatepass") + b"\0")
    return h.hexdigest()


@dataclass
class FileEntry:
    """One manifest line: an input file that is completely written, with its counts and timings."""

    source: str
    records: int
    errors: int
    warnings: int
    chars: int
    seconds: float
    stage_seconds: dict[str, float]
    records_end: int
    errors_end: int

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> FileEntry:
        return cls(**{k: obj[k] for k in cls.__dataclass_fields__})


@dataclass
class OpenedOutput:
    """What :meth:`OutputDir.open` found: the files already done and whether this continues an earlier run."""

    done: list[FileEntry] = field(default_factory=list)
    resumed: bool = False


class OutputDir:
    """Appends finished input files to the output folder; see the module docstring for the protocol."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._records: IO[bytes] | None = None
        self._errors: IO[bytes] | None = None
        self._manifest: IO[bytes] | None = None

    # -- opening -----------------------------------------------------------------------------------------
    def open(
        self,
        *,
        fingerprint: str,
        sources: Sequence[str],
        state: dict[str, Any],
        resume: bool = False,
        overwrite: bool = False,
    ) -> OpenedOutput:
        """Start a new run or continue the one in the folder.

        A folder holding a run of the same config and the same inputs is continued without asking (rerunning
        an interrupted command just finishes it); ``resume=True`` also continues a run over other inputs (for
        example after ``--limit``). A run of another config is never continued: its records would mix two
        configs in one file.
        """
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot use {self.path} as output folder: {exc.strerror or exc}") from None
        digest = inputs_digest(sources)
        state = {**state, "fingerprint": fingerprint, "inputs_sha256": digest, "inputs_count": len(sources)}
        if overwrite:
            for name in OUR_FILES:
                (self.path / name).unlink(missing_ok=True)
        old = self._read_state()
        opened = OpenedOutput()
        if old is not None:
            if old.get("fingerprint") != fingerprint:
                raise ConfigError(
                    f"{self.path} holds a run made with another config (or zhnews version); "
                    "use another --out, or --overwrite to replace it"
                )
            if old.get("inputs_sha256") != digest and not resume:
                raise ConfigError(
                    f"{self.path} holds a run over other inputs; pass --resume to continue it with these inputs, "
                    "--overwrite to replace it, or use another --out"
                )
            opened = OpenedOutput(done=self._recover(), resumed=True)
        elif any((self.path / name).exists() for name in (RECORDS, ERRORS, MANIFEST)):
            raise ConfigError(f"{self.path} holds output files without {STATE}; use --overwrite or another --out")
        (self.path / SUMMARY).unlink(missing_ok=True)  # stale until this run ends
        _write_atomic(self.path / STATE, json.dumps(state, ensure_ascii=False, indent=2) + "\n")
        self._records = open(self.path / RECORDS, "ab")  # closed in close()
        self._errors = open(self.path / ERRORS, "ab")
        self._manifest = open(self.path / MANIFEST, "ab")
        return opened

    def _read_state(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.path / STATE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{self.path / STATE} is unreadable ({exc}); use --overwrite or another --out") from None

    def _recover(self) -> list[FileEntry]:
        """Cut the folder back to its last complete manifest line and return the manifest's entries."""
        manifest = self.path / MANIFEST
        data = manifest.read_bytes() if manifest.exists() else b""
        complete = data[: data.rfind(b"\n") + 1]
        entries: list[FileEntry] = []
        lines = complete.split(b"\n")[:-1]
        for line in lines:
            try:
                entries.append(FileEntry.from_json(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise ZhNewsError(f"{manifest} has a damaged line ({exc}); use --overwrite or another --out") from None
        sizes = {name: _size(self.path / name) for name in (RECORDS, ERRORS)}
        # keep the longest prefix of entries whose bytes are really on disk
        keep = 0
        for i, entry in enumerate(entries):
            if entry.records_end <= sizes[RECORDS] and entry.errors_end <= sizes[ERRORS]:
                keep = i + 1
            else:
                break
        entries = entries[:keep]
        _truncate(manifest, sum(len(line) + 1 for line in lines[:keep]))
        records_end = entries[-1].records_end if entries else 0
        errors_end = entries[-1].errors_end if entries else 0
        _truncate(self.path / RECORDS, records_end)
        _truncate(self.path / ERRORS, errors_end)
        return entries

    # -- writing -----------------------------------------------------------------------------------------
    def write(
        self,
        source: str,
        record_lines: Sequence[str],
        error_lines: Sequence[str],
        *,
        warnings: int,
        chars: int,
        seconds: float,
        stage_seconds: dict[str, float],
    ) -> FileEntry:
        """Append one input file's output; its manifest line goes last, so the file counts only once whole."""
        assert self._records and self._errors and self._manifest, "open() first"
        _append(self._records, "".join(record_lines))
        _append(self._errors, "".join(error_lines))
        entry = FileEntry(
            source=source,
            records=len(record_lines),
            errors=len(error_lines),
            warnings=warnings,
            chars=chars,
            seconds=round(seconds, 6),
            stage_seconds={k: round(v, 6) for k, v in stage_seconds.items()},
            records_end=self._records.tell(),
            errors_end=self._errors.tell(),
        )
        _append(self._manifest, json_line(entry.__dict__))
        return entry

    def write_summary(self, summary: dict[str, Any]) -> Path:
        path = self.path / SUMMARY
        _write_atomic(path, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return path

    def close(self) -> None:
        for f in (self._records, self._errors, self._manifest):
            if f is not None:
                f.close()
        self._records = self._errors = self._manifest = None


def _append(f: IO[bytes], text: str) -> None:
    if text:
        f.write(text.encode("utf-8"))
        f.flush()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _truncate(path: Path, length: int) -> None:
    if path.exists() and path.stat().st_size != length:
        with open(path, "r+b") as f:
            f.truncate(length)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
