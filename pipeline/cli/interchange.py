"""``zhnews export FORMAT RUN_DIR --out DIR`` and ``zhnews import FORMAT FILE --out DIR``.

Export writes a run's entities (``records.jsonl`` of ``zhnews run``, or of an import) for another tool;
import turns a tool's corrected annotations back into a ``records.jsonl`` (see :mod:`pipeline.interchange`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pipeline.cli import CommandGroups
from pipeline.cli.progress import counted, progress_bar

EXPORT_FORMATS = ("spacy", "conll", "brat", "labelstudio", "doccano")
IMPORT_FORMATS = ("labelstudio", "doccano")


def add_commands(groups: CommandGroups) -> None:
    export = groups.root.add_parser(
        "export",
        help="write a run's entities for annotation tools or training",
        description="Read RUN_DIR/records.jsonl (a zhnews run or import) and write its entities as FORMAT in DIR: "
        "spacy (records.spacy, a DocBin for spacy train), conll (records.conll, char BIO for zhnews eval ner "
        "and train, one block per line of text, with records.offsets.jsonl), brat (NAME.txt + NAME.ann per "
        "record), labelstudio (tasks.json with the entities and hand links as predictions, and "
        "labeling_config.xml), doccano (records.doccano.jsonl). Offsets are code points of the record text.",
    )
    export.add_argument("format", choices=EXPORT_FORMATS, metavar="FORMAT", help=", ".join(EXPORT_FORMATS))
    export.add_argument("run", metavar="RUN_DIR", help="run output folder (or its records.jsonl)")
    export.add_argument("--out", "-o", required=True, metavar="DIR", help="folder to write (created if needed)")
    export.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    export.set_defaults(func=export_command)

    imp = groups.root.add_parser(
        "import",
        help="turn corrected annotations into records.jsonl",
        description="Read a Label Studio JSON export (or JSON-MIN, or our tasks.json) or a doccano JSONL export "
        "and write DIR/records.jsonl in the run's record shape: for Label Studio the latest submitted "
        "annotation of each task, else its prediction.",
    )
    imp.add_argument("format", choices=IMPORT_FORMATS, metavar="FORMAT", help=", ".join(IMPORT_FORMATS))
    imp.add_argument("file", metavar="FILE", help="the tool's export file")
    imp.add_argument("--out", "-o", required=True, metavar="DIR", help="folder to write records.jsonl in")
    imp.set_defaults(func=import_command)


def export_command(args: argparse.Namespace) -> int:
    from pipeline.interchange.records import read_records

    all_records = read_records(args.run)
    out = Path(args.out)
    with progress_bar(args.quiet, total=len(all_records), desc=f"export {args.format}", unit="record") as bar:
        written = _export(args, counted(all_records, bar), out)
    n_ents = sum(len(r.get("entities") or ()) for r in all_records)
    print(f"exported {len(all_records)} records, {n_ents} entities as {args.format}: {written}")
    return 0


def _export(args: argparse.Namespace, records: Iterable[dict[str, Any]], out: Path) -> str:
    """Write ``records`` (an iterable that advances the progress bar as the writer takes them) as ``args.format``."""
    from pipeline.interchange.records import run_model_version

    if args.format == "spacy":
        from pipeline.interchange.spacy_docbin import write_docbin

        written = f"{write_docbin(records, out)}"
    elif args.format == "conll":
        from pipeline.interchange.conll import write_conll

        result = write_conll(records, out)
        written = f"{result.path} ({result.blocks} blocks) and {result.offsets}"
        if result.cut_entities:
            written += f"; {result.cut_entities} entities crossing a line break were cut at it"
    elif args.format == "brat":
        from pipeline.interchange.brat import write_brat

        written = f"{write_brat(records, out)}/ (.txt + .ann per record, ids.jsonl, annotation.conf)"
    elif args.format == "labelstudio":
        from pipeline.interchange.labelstudio import CONFIG_NAME, write_labelstudio

        path = write_labelstudio(records, out, model_version=run_model_version(args.run))
        written = f"{path} and {path.with_name(CONFIG_NAME)}"
    else:
        from pipeline.interchange.doccano import write_doccano

        written = f"{write_doccano(records, out)}"
    return written


def import_command(args: argparse.Namespace) -> int:
    from pipeline.interchange.records import write_records

    reader: Callable[[str], list[dict[str, Any]]]
    if args.format == "labelstudio":
        from pipeline.interchange.labelstudio import read_labelstudio as reader
    else:
        from pipeline.interchange.doccano import read_doccano as reader
    records = reader(args.file)
    path = write_records(records, args.out)
    n_ents = sum(len(r["entities"]) for r in records)
    n_links = sum(len(r["links"]) for r in records)
    repaired = sum(len(r.get("warnings", ())) for r in records)
    print(f"imported {len(records)} records, {n_ents} entities, {n_links} links from {args.file}: wrote {path}")
    if repaired:
        print(f"{repaired} regions had offsets that did not match their text and were repaired (see warnings)")
    return 0
