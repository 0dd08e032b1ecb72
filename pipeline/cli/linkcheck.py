"""``zhnews eval links``, ``zhnews eval ner`` and ``zhnews gazetteer build``.

All three run the configured stages (``--config``, ``--set`` as for ``zhnews run``) through the runner's own
stage building, so they evaluate exactly what ``zhnews run`` produces. ``--ner-stage`` names another stage that
sets entities (a plugin) when the model is not the one under test.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.cli import CommandGroups
from pipeline.cli.progress import progress_bar
from pipeline.errors import ConfigError


def add_commands(groups: CommandGroups) -> None:
    links = groups.eval.add_parser(
        "links",
        help="compare entities with the corpus's hand links; write an editor worklist",
        description="Run ingest, normalize, segment, ner and linkcheck over CORPUS and print a corpus report: "
        "exact/overlap P/R/F1 against links to named entities, links to non-entities counted apart, the "
        "noise of the links, and the disagreements, then the SemEval-2013 scores of the entities against the "
        "entity links (nervaluate's strict, exact boundary, partial overlap and type schemas) and a gold x "
        'predicted type confusion table (also under "semeval" in --json). With --out, write worklist.jsonl, '
        "worklist.md and report.json there.",
    )
    links.add_argument("inputs", nargs="+", metavar="CORPUS", help="article files or folders (.md, .txt, .jsonl)")
    _common(links)
    links.add_argument("--out", "-o", metavar="DIR", help="write worklist.jsonl, worklist.md and report.json here")
    links.add_argument("--workers", "-w", type=int, default=1, metavar="N", help="worker processes (default 1)")
    links.add_argument("--limit", type=int, metavar="N", help="only the first N input files")
    links.add_argument("--top", type=int, default=15, metavar="N", help="most frequent disagreements shown")
    links.add_argument("--json", action="store_true", help="print the report as JSON")
    links.add_argument(
        "--html", metavar="FILE", help="also write the report as one self-contained HTML page (as `zhnews report`)"
    )
    links.set_defaults(func=eval_links_command)

    ner = groups.eval.add_parser(
        "ner",
        help="strict span P/R/F1 of the NER stage on a BIO/CoNLL file",
        description="Run each sentence of GOLD (char<TAB>tag, blank line between sentences; the Weibo char+digit "
        "variant too) through normalize, segment and ner, and print strict typed P/R/F1 per type and micro "
        "(CoNLL/seqeval rules) and the characters per second of the stages, then the SemEval-2013 scores "
        "(nervaluate's strict, exact boundary, partial overlap and type schemas: correct, incorrect, partial, "
        'missed, spurious, P/R/F1) and a gold x predicted type confusion table (under "semeval" in --json).',
    )
    ner.add_argument("gold", metavar="GOLD", help="BIO/CoNLL file")
    _common(ner)
    ner.add_argument("--format", choices=("auto", "char", "weibo"), default="auto", help="GOLD's token column")
    ner.add_argument(
        "--map",
        dest="label_map",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="rename gold labels before scoring (GPE.NAM=LOC); NEW empty drops them (PER.NOM=); repeatable",
    )
    ner.add_argument("--limit", type=int, metavar="N", help="only the first N sentences")
    ner.add_argument("--json", action="store_true", help="print the scores as JSON")
    ner.set_defaults(func=eval_ner_command)

    gaz = groups.gazetteer.add_parser(
        "build",
        help="gazetteer patterns from a corpus's link targets, typed by the NER model",
        description="Collect link targets from CORPUS (article folders/files, or records.jsonl of a run with the "
        "ner stage), type each by majority vote of the NER predictions on its linked spans (--types overrides), "
        "drop targets that are not names, and write patterns JSONL for the ner stage's gazetteer option.",
    )
    gaz.add_argument("inputs", nargs="+", metavar="CORPUS")
    _common(gaz)
    gaz.add_argument("--out", "-o", required=True, metavar="FILE.jsonl", help="patterns file to write")
    gaz.add_argument("--types", metavar="TSV", help="typed list target<TAB>label (label O: not a name)")
    gaz.add_argument("--min-count", type=int, default=1, metavar="N", help="keep targets linked at least N times")
    gaz.add_argument(
        "--min-share",
        type=float,
        default=0.2,
        metavar="X",
        help="keep targets the model predicted as entities on at least this share of their links (default 0.2)",
    )
    gaz.add_argument("--workers", "-w", type=int, default=1, metavar="N")
    gaz.add_argument("--limit", type=int, metavar="N", help="only the first N input files")
    gaz.set_defaults(func=gazetteer_build_command)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", "-c", metavar="FILE", help="TOML run config (default: configs/default.toml)")
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a config option"
    )
    p.add_argument("--model", metavar="DIR", help="NER model folder (sets the ner stage's model option)")
    p.add_argument("--ner-stage", default="ner", metavar="NAME", help="the stage that sets entities (default ner)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _config(args: argparse.Namespace, *, then: tuple[str, ...] = (), drop: tuple[str, ...] = ()) -> Any:
    from pipeline.core.config import load_config
    from pipeline.core.registry import stage_names
    from pipeline.eval.runs import entity_config

    config = load_config(args.config, args.overrides)
    if args.ner_stage not in stage_names():
        raise ConfigError(f"unknown stage {args.ner_stage!r} (--ner-stage); known: {', '.join(stage_names())}")
    model = str(Path(args.model).resolve()) if args.model else None
    return entity_config(config, ner_stage=args.ner_stage, model=model, then=then, drop_options=drop)


def _positive(value: int | None, flag: str) -> None:
    if value is not None and value < 1:
        raise ConfigError(f"{flag} must be >= 1, got {value}")


def eval_links_command(args: argparse.Namespace) -> int:
    from pipeline.eval.runs import corpus_records
    from pipeline.eval.semeval import format_semeval
    from pipeline.linkcheck.report import build_report, format_report, write_worklist

    _positive(args.workers, "--workers")
    _positive(args.limit, "--limit")
    config = _config(args, then=("linkcheck",))
    errors: list[dict[str, Any]] = []
    with progress_bar(args.quiet, total=_file_count(args.inputs, args.limit), desc="eval links", unit="file") as bar:
        records, seconds = corpus_records(
            args.inputs, config, workers=args.workers, limit=args.limit, on_error=errors.append, progress=bar
        )
    report = build_report(records)
    report.errors = len(errors)
    report.seconds = seconds
    semeval = _link_semeval(records, config)
    if args.json:
        print(json.dumps({**report.to_dict(args.top), "semeval": semeval.to_dict()}, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, args.top))
        print("\nentities vs entity links, " + format_semeval(semeval))
        for err in errors[:3]:
            print(f"error: {err.get('path')}: {err.get('error')} (stage {err.get('stage')})", file=sys.stderr)
    if args.out:
        jsonl, md = write_worklist(report.worklist, args.out)
        (Path(args.out) / "report.json").write_text(
            json.dumps(report.to_dict(args.top), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if not args.json:
            print(f"\nwrote {jsonl}, {md} and {Path(args.out) / 'report.json'} ({len(report.worklist)} items)")
    if args.html:
        from pipeline.report import write_report

        title = f"zhnews eval links of {' '.join(args.inputs)}"
        html_path = write_report(records, args.html, title=title, errors=len(errors))
        print(f"wrote {html_path}", file=sys.stderr if args.json else sys.stdout)
    return 1 if errors else 0


def _link_semeval(records: list[dict[str, Any]], config: Any) -> Any:
    """SemEval scores of the entities the link check scored against its entity links (same spans, typed)."""
    from pipeline.eval.semeval import corpus_semeval
    from pipeline.linkcheck.semeval_pairs import corpus_span_pairs

    options: dict[str, Any] = next((s.options for s in config.stages if s.name == "linkcheck"), {})
    return corpus_semeval(corpus_span_pairs(records, min_entity_chars=int(options.get("min_entity_chars", 2))))


def _label_map(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        old, sep, new = item.partition("=")
        if not sep or not old:
            raise ConfigError(f"--map {item!r}: expected OLD=NEW (NEW may be empty to drop OLD)")
        mapping[old] = new
    return mapping


def eval_ner_command(args: argparse.Namespace) -> int:
    from pipeline.eval.runs import evaluate_ner, format_ner_table
    from pipeline.eval.semeval import corpus_semeval, format_semeval
    from pipeline.eval.spans import read_bio

    _positive(args.limit, "--limit")
    mapping = _label_map(args.label_map)
    sentences = read_bio(args.gold, fmt=args.format)
    config = _config(args)
    if args.limit:
        sentences = sentences[: args.limit]
    with progress_bar(args.quiet, total=len(sentences), desc="eval ner", unit="sentence") as bar:
        result = evaluate_ner(sentences, config, path=args.gold, gold_map=mapping, progress=bar)
    semeval = corpus_semeval(result.pairs)
    if args.json:
        out = {"gold": args.gold, **result.to_dict(), "semeval": semeval.to_dict()}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"{args.gold}: strict typed span scores (CoNLL), stages {', '.join(s.name for s in config.stages)}")
        print(format_ner_table(result))
        print()
        print(format_semeval(semeval))
    return 0


def gazetteer_build_command(args: argparse.Namespace) -> int:
    from pipeline.eval.runs import corpus_records
    from pipeline.ner.gazetteer_build import build_gazetteer, is_records_file, read_types

    _positive(args.workers, "--workers")
    _positive(args.limit, "--limit")
    if not 0.0 <= args.min_share <= 1.0:
        raise ConfigError(f"--min-share must be between 0 and 1, got {args.min_share}")
    paths = [Path(p) for p in args.inputs]
    given_records = [p for p in paths if p.is_file() and _is_records(p, is_records_file)]
    articles = [p for p in paths if p not in given_records]
    records: list[dict[str, Any]] = []
    for p in given_records:
        with p.open(encoding="utf-8") as fh:
            records.extend(json.loads(line) for line in fh if line.strip())
    errors: list[dict[str, Any]] = []
    if articles:
        config = _config(args, drop=("gazetteer",))
        with progress_bar(args.quiet, total=_file_count(articles, args.limit), desc="gazetteer", unit="file") as bar:
            found, _ = corpus_records(
                articles, config, workers=args.workers, limit=args.limit, on_error=errors.append, progress=bar
            )
        records.extend(found)
    types = read_types(args.types) if args.types else None
    result = build_gazetteer(records, args.out, types=types, min_count=args.min_count, min_share=args.min_share)
    print(result.summary())
    print(f"wrote {args.out}")
    for err in errors[:3]:
        print(f"error: {err.get('path')}: {err.get('error')} (stage {err.get('stage')})", file=sys.stderr)
    return 1 if errors else 0


def _file_count(inputs: Sequence[str | Path], limit: int | None) -> int | None:
    """The files (and JSONL chunks) a corpus command will process: its progress bar's total (listing is cheap);
    None when the listing fails, which the command itself then reports."""
    from pipeline.core.runner import discover
    from pipeline.errors import InputError

    try:
        return len(discover(inputs, limit))
    except InputError:
        return None


def _is_records(path: Path, check: Any) -> bool:
    try:
        return bool(check(path))
    except (OSError, UnicodeDecodeError):
        return False
