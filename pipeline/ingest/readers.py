"""Files -> articles: which files a run reads, and how each kind of file becomes Article records.

Whole-file problems (missing, empty, binary, undecodable, too large) raise :class:`InputError`, since nothing
in the file can be trusted. A JSONL file is many independent records: a bad line becomes an ``InputError``
item in the returned list (path ``file.jsonl:17``) and the other lines go on.

JSONL records: ``{"id", "text", "title", "date", "url", "links": [{"start", "end", "surface"?, "target"}]}``.
``text`` is plain text (no Markdown) that may contain wiki-link tags; explicit ``links`` index ``text`` as
given and are carried onto the clean text; a bad one is dropped with a warning naming its line. A record
without ``id`` gets ``<file stem>-<line number>`` (the stem alone would repeat). ``raw_map`` of a JSONL
article maps to the record's ``text`` value, not to the JSON-escaped bytes of the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.document import Article, Link
from pipeline.errors import InputError
from pipeline.ingest.dates import parse_date
from pipeline.ingest.decode import decode_bytes
from pipeline.ingest.markdown import parse_article
from pipeline.ingest.wikilinks import strip_wikilinks

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt"})
INPUT_SUFFIXES = ARTICLE_SUFFIXES | {".jsonl"}
DEFAULT_MAX_BYTES = 50_000_000


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


def read_source(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article | InputError]:
    """The articles in one file: one for Markdown/text, one per line (or an InputError item) for JSONL."""
    name = str(path)
    p = Path(path)
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


def read_jsonl_text(text: str, *, path: str, stem: str) -> list[Article | InputError]:
    """One Article (or InputError item) per non-blank line of a JSONL file."""
    items: list[Article | InputError] = []
    for number, line in enumerate(text.splitlines(), start=1):
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
