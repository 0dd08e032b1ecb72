"""Files -> articles: which files a run reads, and how each kind of file becomes Article records.

Whole-file problems (missing, empty, binary, undecodable, too large) raise :class:`InputError`, since nothing
in the file can be trusted. A JSONL file is many independent records: a bad line becomes an ``InputError``
item in the returned list (path ``file.jsonl:17``) and the other lines go on.

JSONL records: ``{"id", "text", "title", "date", "url", "links": [{"start", "end", "surface"?, "target"}]}``,
optionally ``"target": "…"`` or ``"targets": ["…", …]``: the stance targets to score for this article, kept in
``meta["targets"]`` (see :mod:`pipeline.stages.stance`).
``text`` is plain text (no Markdown) that may contain wiki-link tags; explicit ``links`` index ``text`` as
given and are carried onto the clean text; a bad one is dropped with a warning naming its line. A record
without ``id`` gets ``<file stem>-<line number>`` (the stem alone would repeat). ``raw_map`` of a JSONL
article maps to the record's ``text`` value, not to the JSON-escaped bytes of the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.article import Article, Link
from pipeline.errors import InputError
from pipeline.ingest.dates import parse_date
from pipeline.ingest.decode import decode_bytes
from pipeline.ingest.markdown import parse_article
from pipeline.ingest.wikilinks import strip_wikilinks

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
INPUT_SUFFIXES = ARTICLE_SUFFIXES | {".jsonl"}
DEFAULT_MAX_BYTES = 50_000_000
# a JSONL file larger than this is read, and processed, in pieces of about this many bytes of whole lines
# (some 80 news records). A chunk's record lines are held until it is written: 14 characters per input byte
# (token records), two bytes each in a Python str with CJK text. A 150 MB file peaked at 1,041 MB with 1 MB
# chunks and at 821 MB with these, at the same speed
CHUNK_BYTES = 256 << 10
_SCAN_BLOCK = 8 << 20


def discover_inputs(paths: list[str | Path]) -> list[Path]:
    """Files as given, and folders expanded recursively to article files (sorted, hidden ones skipped)."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in INPUT_SUFFIXES
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(str(given), "no such file or directory")
    return found


@dataclass(frozen=True)
class Chunk:
    """Whole lines of a JSONL file, bytes ``[start, end)``, the first of them line ``first_line``: one task.

    A big JSONL file is many independent records, so it is cut into chunks that workers process in parallel and
    a resumed run skips chunk by chunk; the cut depends only on the file, so a rerun cuts it the same way.
    """

    path: str
    start: int
    end: int
    first_line: int

    @property
    def key(self) -> str:
        return f"{os.path.abspath(self.path)}#{self.start}-{self.end}"


def jsonl_chunks(path: str, chunk_bytes: int | None = None) -> list[Chunk]:
    """The chunks of a JSONL file, found in one pass over its bytes (newlines counted, nothing decoded)."""
    chunk_bytes = chunk_bytes or CHUNK_BYTES
    size = os.path.getsize(path)
    if size <= chunk_bytes:
        return [Chunk(path, 0, size, 1)]
    chunks: list[Chunk] = []
    start, first_line, line = 0, 1, 1
    with open(path, "rb") as f:
        offset = 0
        while True:
            block = f.read(_SCAN_BLOCK)
            if not block:
                break
            local = 0
            while True:
                cut_from = start + chunk_bytes - offset
                if cut_from >= len(block):
                    break
                nl = block.find(b"\n", max(cut_from, local))
                if nl < 0:
                    break
                line += block.count(b"\n", local, nl + 1)
                local = nl + 1
                chunks.append(Chunk(path, start, offset + local, first_line))
                start, first_line = offset + local, line
            line += block.count(b"\n", local)
            offset += len(block)
    if start < size:
        chunks.append(Chunk(path, start, size, first_line))
    return chunks


def is_big_jsonl(path: str, max_bytes: int) -> bool:
    """Whether a file is read chunk by chunk: a JSONL file over a chunk's size (or over the record limit)."""
    try:
        return path.lower().endswith(".jsonl") and os.path.getsize(path) > min(CHUNK_BYTES, max_bytes)
    except OSError:
        return False  # read_source reports the problem as the file's error record


def read_chunk(chunk: Chunk, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article | InputError]:
    """The records of one chunk of a JSONL file (UTF-8, as JSON Lines are); ``max_bytes`` limits each record."""
    with open(chunk.path, "rb") as f:
        f.seek(chunk.start)
        data = f.read(chunk.end - chunk.start)
    if chunk.start == 0:
        data = data.removeprefix(b"\xef\xbb\xbf")
    stem = Path(chunk.path).stem
    items: list[Article | InputError] = []
    for number, raw in enumerate(data.split(b"\n"), start=chunk.first_line):
        if len(raw) > max_bytes:
            problem = f"record too large ({len(raw):,} bytes, limit {max_bytes:,})"
            items.append(InputError(f"{chunk.path}:{number}", problem))
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            items.append(InputError(f"{chunk.path}:{number}", f"not UTF-8 ({exc.reason} at byte {exc.start})"))
            continue
        items += read_jsonl_text(line, path=chunk.path, stem=stem, first_line=number)
    for item in items:
        if isinstance(item, Article):
            item.meta["encoding"] = "utf-8"
    return items


def read_source(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article | InputError]:
    """The articles in one file: one for Markdown/text, one per line (or an InputError item) for JSONL.

    ``max_bytes`` limits an article file, and each record of a JSONL file (a JSONL file itself may be of any
    size: a big one is read chunk by chunk, see :class:`Chunk`).
    """
    name = str(path)
    p = Path(path)
    if is_big_jsonl(name, max_bytes):
        items = [item for chunk in jsonl_chunks(name) for item in read_chunk(chunk, max_bytes=max_bytes)]
        if not items:
            raise InputError(name, "empty file")
        return items
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise InputError(name, f"file too large ({size:,} bytes, limit {max_bytes:,})")
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputError(name, "is a directory, not a file") from None
    except FileNotFoundError:
        raise InputError(name, "no such file or directory") from None
    except OSError as exc:
        raise InputError(name, f"cannot read: {exc.strerror or exc}") from None
    if p.suffix.lower() == ".jsonl" and _is_utf8(data):
        # line by line, like a big file: one bad line (a NUL byte, broken JSON) is that line's error only
        items = read_chunk(Chunk(name, 0, len(data), 1), max_bytes=max_bytes)
        if not items:
            raise InputError(name, "empty file")
        return items
    text, encoding = decode_bytes(data, name)
    if p.suffix.lower() == ".jsonl":
        items = read_jsonl_text(text, path=name, stem=p.stem)
        for item in items:
            if isinstance(item, Article):
                item.meta["encoding"] = encoding
        if not items:
            raise InputError(name, "empty file")
        return items
    article = parse_article(text, path=name, id=p.stem)
    article.meta["encoding"] = encoding
    return [article]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def read_jsonl_text(text: str, *, path: str, stem: str, first_line: int = 1) -> list[Article | InputError]:
    """One Article (or InputError item) per non-blank line of a JSONL file.

    Lines end at ``\n`` only (``\r\n`` too): JSON strings may hold U+2028, U+0085 and other characters that
    ``str.splitlines`` would also break at, cutting a valid record in two.
    """
    items: list[Article | InputError] = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            items.append(article_from_record(json.loads(line), path=path, default_id=f"{stem}-{number}", where=where))
        except json.JSONDecodeError as exc:
            items.append(InputError(where, f"not valid JSON ({exc.msg} at column {exc.colno})"))
        except InputError as exc:
            items.append(exc)
    return items


def article_from_record(record: Any, *, path: str, default_id: str, where: str) -> Article:
    """An Article from one JSON record; explicit links are checked against the text they index."""
    if not isinstance(record, dict):
        raise InputError(where, "record is not a JSON object")
    raw = record.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise InputError(where, 'record has no "text" string')
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError as exc:  # a JSON escape like \udc00 with no partner: not text at all
        raise InputError(where, f'"text" holds an unpaired surrogate ({raw[exc.start]!r} at {exc.start})') from None
    for key in ("id", "title", "date", "url"):
        value = record.get(key)
        if value is not None and not isinstance(value, str | int):
            raise InputError(where, f'"{key}" must be a string, not {type(value).__name__}')
    clean, links, warnings, raw_map = strip_wikilinks(raw)
    explicit = record.get("links") or []
    if not isinstance(explicit, list):
        raise InputError(where, '"links" must be a list')
    for index, item in enumerate(explicit):
        link, problem = _explicit_link(item, raw, raw_map.to_derived, clean)
        if link is None:
            warnings.append(f"{where}: link {index} dropped: {problem}")
        else:
            links.append(link)
    links.sort(key=lambda k: (k.start, k.end))
    title = record.get("title")
    meta: dict[str, Any] = {"format": "jsonl", "line": int(where.rsplit(":", 1)[1])}
    named = _named_targets(record, where)
    if named is not None:
        meta["targets"] = named
    date = str(record["date"]) if record.get("date") is not None else None
    found = parse_date(date) if date else None
    if found is not None:
        meta["date_iso"] = found[1]
    return Article(
        id=str(record["id"]) if record.get("id") not in (None, "") else default_id,
        path=path,
        text=clean,
        title=str(title) if title is not None else None,
        date=date,
        url=str(record["url"]) if record.get("url") not in (None, "") else None,
        links=links,
        warnings=warnings,
        meta=meta,
        raw_map=raw_map,
    )


def _named_targets(record: dict[str, Any], where: str) -> list[str] | None:
    """The stance targets a record names (``"target": "…"`` or ``"targets": ["…", …]``), trimmed, or None.

    Kept as written: the ``stance`` stage matches them to its model's target names (ingest knows no model).
    A record that names a target wants that target scored, so a malformed one is the record's error, not a
    silent fall-back to the mention gate."""
    single, many = record.get("target"), record.get("targets")
    if single is not None and many is not None:
        raise InputError(where, 'give "target" or "targets", not both')
    if single is not None:
        if not isinstance(single, str) or not single.strip():
            raise InputError(where, f'"target" must be a non-empty string, not {_shown(single)}')
        return [single.strip()]
    if many is None:
        return None
    if not isinstance(many, list) or not many:
        raise InputError(where, f'"targets" must be a non-empty list of strings, not {_shown(many)}')
    for item in many:
        if not isinstance(item, str) or not item.strip():
            raise InputError(where, f'"targets" must hold non-empty strings, not {_shown(item)}')
    return [item.strip() for item in many]


def _shown(value: Any) -> str:
    """A JSON value for a one-line message: its type, and the value itself if short."""
    text = json.dumps(value, ensure_ascii=False)
    return f"{type(value).__name__} {text}" if len(text) <= 40 else type(value).__name__


def _explicit_link(item: Any, raw: str, to_clean: Any, clean: str) -> tuple[Link | None, str]:
    """A JSONL link whose offsets index the record's ``text`` as given, carried onto the clean text."""
    if not isinstance(item, dict):
        return None, "not an object"
    start, end, target = item.get("start"), item.get("end"), item.get("target")
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return None, "start and end must be integers"
    if not 0 <= start < end <= len(raw):
        return None, f"span ({start}, {end}) outside text of length {len(raw)}"
    if not isinstance(target, str) or not target.strip():
        return None, "no target"
    surface = item.get("surface")
    if surface is not None and surface != raw[start:end]:
        return None, f"surface {surface!r} does not match text {raw[start:end]!r}"
    cs, ce = to_clean(start, end)
    if clean[cs:ce] != raw[start:end]:
        return None, "span overlaps link-tag markup or a line break"
    return Link(start=cs, end=ce, surface=clean[cs:ce], target=target.strip()), ""
