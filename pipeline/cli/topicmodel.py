"""``zhnews topics fit CORPUS... --k K --method nmf|lda`` and ``zhnews topics show MODEL``.

``--k 5,10,15`` is a sweep: one model per k, a table of mean NPMI coherence per k, so the user can pick k; with
``--out`` each model of a sweep goes to ``OUT/k<K>``. A single k writes its model to ``OUT`` itself. The corpus is
a folder of raw articles, files, or the ``records.jsonl`` of a ``zhnews run`` (see :mod:`pipeline.topicmodel.corpus`).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.cli import CommandGroups
from pipeline.cli.progress import progress_bar
from pipeline.errors import DataError

# pipeline.topicmodel.METHODS, spelled out so that building the parser does not import scikit-learn (tested equal).
TOPIC_MODEL_METHODS: tuple[str, ...] = ("nmf", "lda")


def _ks(value: str) -> list[int]:
    try:
        ks = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--k takes whole numbers separated by commas, not {value!r}") from None
    if not ks or any(k < 1 for k in ks):
        raise argparse.ArgumentTypeError("--k values must be >= 1")
    return list(dict.fromkeys(ks))


def _print_topics(terms: list[list[str]], coherence: Any, say: Callable[[str], None] = print) -> None:
    for k, words in enumerate(terms):
        say(f"  topic {k:2d} (NPMI {coherence[k]:+.3f}): {' '.join(words)}")


def _command_line(args: argparse.Namespace, k: int) -> str:
    parts = ["zhnews", "topics", "fit", *args.corpus, "--k", str(k), "--method", args.method, "--seed", str(args.seed)]
    parts += ["--max-df", str(args.max_df)] + (["--min-df", str(args.min_df)] if args.min_df is not None else [])
    parts += ["--limit", str(args.limit)] if args.limit else []
    return " ".join(shlex.quote(p) for p in parts)


def cmd_fit(args: argparse.Namespace) -> int:
    from pipeline.core.modelio import save_model
    from pipeline.topicmodel import TopicModel
    from pipeline.topicmodel.corpus import read_corpus

    t0 = time.perf_counter()
    from pipeline.core.config import load_config

    config = load_config(args.config, args.sets)
    with progress_bar(args.quiet, total=_file_count(args.corpus), desc="topics: read corpus", unit="file") as bar:
        corpus = read_corpus(args.corpus, config, limit=args.limit, progress=bar)
    read_s = time.perf_counter() - t0
    if len(corpus.docs) < 2:
        raise DataError(f"{' '.join(args.corpus)}: need at least 2 documents, found {len(corpus.docs)}")
    print(f"corpus: {len(corpus.docs)} documents ({len(corpus.skipped)} skipped), read in {read_s:.1f} s",
          file=sys.stderr)  # fmt: skip
    for problem in corpus.skipped[:5]:
        print(f"  skipped: {problem}", file=sys.stderr)
    docs = corpus.tokens
    min_df = args.min_df if args.min_df is not None else (2 if len(docs) >= 20 else 1)
    sweep = len(args.k) > 1
    rows: list[dict[str, Any]] = []
    with progress_bar(args.quiet, total=len(args.k), desc=f"topics fit ({args.method})", unit="model") as bar:

        def say(line: str) -> None:
            bar.note(line, file=sys.stdout)

        for k in args.k:
            model = TopicModel(k, method=args.method, min_df=min_df, max_df=args.max_df, random_state=args.seed)
            t1 = time.perf_counter()
            try:
                model.fit(docs)
            except ValueError as exc:
                raise DataError(str(exc)) from None
            fit_s = time.perf_counter() - t1
            terms = model.top_topic_terms(args.top)
            rows.append({"k": k, "npmi": round(float(model.coherence_.mean()), 4), "fit_s": round(fit_s, 2),
                         "coherence": [round(float(c), 4) for c in model.coherence_], "terms": terms})  # fmt: skip
            if not args.json:
                say(f"k={k} method={args.method} seed={args.seed}: mean NPMI {model.coherence_.mean():+.4f} "
                    f"({fit_s:.1f} s)")  # fmt: skip
                if not sweep or args.verbose:
                    _print_topics(terms, model.coherence_, say)
            if args.out:
                out = Path(args.out) / f"k{k}" if sweep else Path(args.out)
                meta = {"k": k, "method": args.method, "seed": args.seed, "documents": len(docs),
                        "vocabulary": len(model.vectorizer_.vocabulary_), "npmi": rows[-1]["npmi"],
                        "coherence": rows[-1]["coherence"], "top_terms": model.top_topic_terms(10),
                        "command": _command_line(args, k)}  # fmt: skip
                save_model(model, out, kind="topicmodel", meta=meta)
                rows[-1]["out"] = str(out)
                if not args.json:
                    bar.note(f"  saved {out}")
            bar(1)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif sweep:
        best = max(rows, key=lambda r: r["npmi"])
        print("\n   k  mean NPMI")
        for r in rows:
            print(f"{r['k']:4d}  {r['npmi']:+.4f}" + ("  <- most coherent" if r is best else ""))
    return 0


def _file_count(inputs: list[str]) -> int | None:
    """Input files of the corpus (the reading bar's total); None when listing fails (read_corpus reports it)."""
    from pipeline.errors import InputError
    from pipeline.ingest import discover_inputs

    try:
        return len(discover_inputs(list(inputs)))
    except InputError:
        return None


def cmd_show(args: argparse.Namespace) -> int:
    from pipeline.core.modelio import load_model
    from pipeline.topicmodel import TopicModel

    loaded = load_model(args.model, kind="topicmodel", expected=TopicModel)
    model = loaded.estimator
    print(f"{args.model}: k={model.n_topics} method={model.method} seed={model.random_state}")
    _print_topics(model.top_topic_terms(args.top), model.coherence_)
    if args.over_time:
        _show_over_time(model, args)
    elif args.out:
        raise DataError("--out needs --over-time CORPUS (it holds the topics-over-time table and chart)")
    return 0


def _show_over_time(model: Any, args: argparse.Namespace) -> None:
    """Each topic's share of the articles per month of CORPUS (see :mod:`pipeline.topicmodel.overtime`)."""
    from pipeline.core.config import load_config
    from pipeline.topicmodel.corpus import read_corpus
    from pipeline.topicmodel.overtime import format_timeline, month_of, topic_timeline, write_timeline

    corpus = read_corpus(args.over_time, load_config(args.config, args.sets))
    if not corpus.docs:
        raise DataError(f"{' '.join(args.over_time)}: no documents to place in time")
    for problem in corpus.skipped[:5]:
        print(f"  skipped: {problem}", file=sys.stderr)
    mixtures = model.transform(corpus.tokens)
    timeline = topic_timeline(
        [(month_of(doc.date), row) for doc, row in zip(corpus.docs, mixtures, strict=True)],
        int(mixtures.shape[1]),
        model.top_topic_terms(args.top),
    )
    print(f"\ntopics over time: {len(corpus.docs)} documents ({len(corpus.skipped)} skipped), share in %")
    print(format_timeline(timeline))
    if args.out:
        paths = write_timeline(timeline, args.out)
        print(f"\nwrote {', '.join(str(p) for p in paths)}")


def add_commands(groups: CommandGroups) -> None:
    p = groups.topics.add_parser("fit", help="fit a topic model (NMF or LDA) on a corpus; --k 5,10,15 sweeps k")
    p.add_argument("corpus", nargs="+", help="folders/files of articles, or records.jsonl of a zhnews run")
    p.add_argument("--k", type=_ks, default=[10], help="number of topics, or a comma list to sweep (default 10)")
    p.add_argument("--method", choices=TOPIC_MODEL_METHODS, default="nmf", help="nmf (default) or lda")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", help="model directory to write (a sweep writes OUT/k<K>)")
    p.add_argument("--top", type=int, default=10, help="terms shown per topic (default 10)")
    p.add_argument("--min-df", type=int, help="ignore terms in fewer documents (default 2; 1 below 20 documents)")
    p.add_argument("--max-df", type=float, default=0.5, help="ignore terms in more than this share of documents")
    p.add_argument("--limit", type=int, help="use at most this many documents")
    p.add_argument("--config", "-c", help="run config whose normalize/segment stages read raw articles")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="override a run option")
    p.add_argument("--verbose", action="store_true", help="in a sweep, show the topics of every k")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_fit)

    p = groups.topics.add_parser("show", help="print the top terms of a fitted topic model")
    p.add_argument("model", help="model directory written by `zhnews topics fit --out`")
    p.add_argument("--top", type=int, default=10, help="terms per topic (default 10)")
    p.add_argument(
        "--over-time",
        nargs="+",
        metavar="CORPUS",
        help="also each topic's share of CORPUS's articles per month (folders/files of articles or a records.jsonl)",
    )
    p.add_argument("--out", metavar="DIR", help="with --over-time: write topics_over_time.csv, .json and .png here")
    p.add_argument("--config", "-c", help="run config whose normalize/segment stages read raw articles")
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE", help="override a run option")
    p.set_defaults(func=cmd_show)
