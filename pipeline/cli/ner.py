"""``zhnews train ner``: train the char NER from ``configs/ner.cfg`` (overrides spaCy-style, e.g.
``--training.max_epochs 5``), and ``zhnews eval ner-model``: score a saved model on the seeded dev split."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.cli import CommandGroups

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "ner.cfg"


def add_commands(groups: CommandGroups) -> None:
    p = groups.train.add_parser(
        "ner",
        help="train the character-level NER model",
        description="Train the NER model; extra --section.key value arguments override the config.",
    )
    p.add_argument("--config", default=str(DEFAULT_CONFIG), help="training config (default: configs/ner.cfg)")
    p.add_argument("--output", required=True, help="output folder (model-best, model-last, training_log.jsonl)")
    p.set_defaults(func=_train, accepts_overrides=True)

    e = groups.eval.add_parser(
        "ner-dev",
        help="score a saved NER model on the config's dev split, simplified and traditional",
        description="Runs the full Doc path (normalize+segment, then the model) on the held-out dev sentences.",
    )
    e.add_argument("model", help="model folder (e.g. models/ner)")
    e.add_argument("--config", default=str(DEFAULT_CONFIG))
    e.add_argument("--traditional", action="store_true", help="also score an OpenCC s2t copy of the dev split")
    e.add_argument("--no-hmm", action="store_true", help="segment with jieba's HMM off (as the default run config)")
    e.add_argument("--json", dest="json_out", help="write the scores as JSON to this file")
    e.set_defaults(func=_eval_dev, accepts_overrides=True)


def _overrides(args: argparse.Namespace) -> dict:
    from spacy.cli._util import parse_config_overrides

    return parse_config_overrides(list(getattr(args, "extra", []) or []))


def _train(args: argparse.Namespace) -> int:
    from pipeline.nermodel.train import load_ner_config, train_ner

    cfg = load_ner_config(args.config, _overrides(args))
    result = train_ner(cfg, args.output)
    print(f"best epoch {result.best_epoch}: dev F1 {100 * result.best_scores['micro']['f1']:.2f} -> {result.output}")
    return 0


def _eval_dev(args: argparse.Namespace) -> int:
    from pipeline.nermodel.evalrun import evaluate_dev
    from pipeline.nermodel.evaluate import format_scores

    report = evaluate_dev(args.model, args.config, _overrides(args), traditional=args.traditional, hmm=not args.no_hmm)
    for name, scores in report["scores"].items():
        print(f"== {name} ({report['dev_sentences']} sentences, {report['chars']} chars)")
        print(format_scores(scores))
    print(f"throughput (segment+NER, 1 thread): {report['chars_per_second']:.0f} chars/s")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0
