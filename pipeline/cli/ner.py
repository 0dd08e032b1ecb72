"""``zhnews train ner``: train the char NER from ``configs/ner.cfg`` (overrides spaCy-style, e.g.
``--training.max_epochs 5``), and ``zhnews eval ner-model``: score a saved model on the seeded dev split."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.cli import CommandGroups
from pipeline.cli.progress import progress_bar
from pipeline.core.resources import ner_config
from pipeline.errors import ConfigError

DEFAULT_CONFIG = ner_config()


def add_commands(groups: CommandGroups) -> None:
    p = groups.train.add_parser(
        "ner",
        help="train the character-level NER model",
        description="Train the NER model; extra --section.key value arguments override the config.",
    )
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="training config (default: configs/ner.cfg)")
    p.add_argument("--output", required=True, help="output folder (model-best, model-last, training_log.jsonl)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_train, accepts_overrides=True)

    e = groups.eval.add_parser(
        "ner-dev",
        help="score a saved NER model on its training config's dev split, simplified and traditional",
        description="Runs the dev sentences of the training config through the run config's normalize and "
        "segment stages and the ner stage with MODEL, exactly as `zhnews run` would, and prints strict typed "
        "P/R/F1. --set changes run config options (e.g. --set stages.segment.hmm=true).",
    )
    e.add_argument("model", help="model folder (e.g. models/ner)")
    e.add_argument("--train-config", default=str(DEFAULT_CONFIG), help="training config that carved the dev split")
    e.add_argument("--config", "-c", help="run config (default: the shipped configs/default.toml)")
    e.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="override a run option")
    e.add_argument("--traditional", action="store_true", help="also score an OpenCC s2t copy of the dev split")
    e.add_argument(
        "--articles",
        type=int,
        default=0,
        metavar="N",
        help="also score the dev split grouped N consecutive sentences to an article (how whole articles score)",
    )
    e.add_argument("--json", dest="json_out", help="write the scores as JSON to this file")
    e.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    e.set_defaults(func=_eval_dev, accepts_overrides=True)


def _overrides(args: argparse.Namespace) -> dict:
    import click
    from spacy.cli._util import parse_config_overrides

    try:
        return parse_config_overrides(list(getattr(args, "extra", []) or []))
    except click.ClickException as exc:  # spaCy's parser speaks click: make it our one-line error
        raise ConfigError(f"{exc.format_message()} (config overrides look like --section.key value)") from None


def _train(args: argparse.Namespace) -> int:
    from pipeline.ner.train import load_ner_config, train_ner

    cfg = load_ner_config(args.config, _overrides(args))
    epochs = int(cfg["training"]["max_epochs"])
    with progress_bar(args.quiet, total=epochs, desc="train ner", unit="epoch") as bar:
        result = train_ner(cfg, args.output, echo=lambda line: bar.note(line, file=sys.stdout), progress=bar)
    print(f"best epoch {result.best_epoch}: dev F1 {100 * result.best_scores['micro']['f1']:.2f} -> {result.output}")
    return 0


def _eval_dev(args: argparse.Namespace) -> int:
    from pipeline.core.config import load_config
    from pipeline.eval.runs import evaluate_ner_dev, format_ner_table
    from pipeline.ner.train import load_ner_config

    train_cfg = load_ner_config(args.train_config, _overrides(args))
    config = load_config(args.config, args.sets)
    with progress_bar(args.quiet, desc="eval ner-dev", unit="sentence") as bar:
        results = evaluate_ner_dev(
            args.model, train_cfg, config, traditional=args.traditional, articles=args.articles, progress=bar
        )
    for name, evaluation in results.items():
        print(f"== {name}")
        print(format_ner_table(evaluation))
    if args.json_out:
        report = {"model": args.model, **{k: v.to_dict() for k, v in results.items()}}
        Path(args.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
