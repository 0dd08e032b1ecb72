"""The ``zhnews`` command: one argparse tree, one module per command family.

Each module in ``COMMAND_MODULES`` exposes ``add_commands(groups)`` and adds its subcommands to the groups
it needs; a command is a function ``(args) -> int`` stored as ``func`` on its parser. User errors
(:class:`ZhNewsError`) print one line and exit 1; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from dataclasses import dataclass

from pipeline.errors import ZhNewsError

# one line per command module
COMMAND_MODULES: tuple[str, ...] = (
    "pipeline.cli.run",
    "pipeline.cli.ner",
    "pipeline.cli.linkcheck",
    "pipeline.cli.classify",
    "pipeline.cli.topicmodel",
    "pipeline.cli.interchange",
    "pipeline.cli.report",
)


@dataclass
class CommandGroups:
    root: argparse._SubParsersAction
    train: argparse._SubParsersAction
    eval: argparse._SubParsersAction
    topics: argparse._SubParsersAction
    gazetteer: argparse._SubParsersAction


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhnews", description="Chinese news analysis pipeline")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    root = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups = CommandGroups(
        root=root,
        train=root.add_parser("train", help="train a model").add_subparsers(dest="what", metavar="MODEL"),
        eval=root.add_parser("eval", help="evaluate against gold data").add_subparsers(dest="what", metavar="WHAT"),
        topics=root.add_parser("topics", help="topic models").add_subparsers(dest="what", metavar="ACTION"),
        gazetteer=root.add_parser("gazetteer", help="gazetteer of linked entities").add_subparsers(
            dest="what", metavar="ACTION"
        ),
    )
    for module in COMMAND_MODULES:
        try:
            importlib.import_module(module).add_commands(groups)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # spaCy-style config overrides (``--training.max_epochs 5``) are passed through to commands that accept them
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "accepts_overrides", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(message)s")
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(func(args) or 0)
    except ZhNewsError as exc:
        if args.debug:
            raise
        print(f"zhnews: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zhnews: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
