"""``zhnews topics fit CORPUS... --k K --method nmf|lda`` and ``zhnews topics show MODEL``.

``--k 5,10,15`` is a sweep: one model per k, a table of mean NPMI coherence per k, so the user can pick k; with
``--out`` each model of a sweep goes to ``OUT/k<K>``. A single k writes its model to ``OUT`` itself. The corpus is
a folder of raw articles, files, or the ``records.jsonl`` of a ``zhnews run`` (see :mod:`pipeline.tm.corpus`).
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
from pipeline.errors import DataError

# pipeline.tm.METHODS, spelled out so that building the parser does not import scikit-learn (tested equal).
TOPIC_MODEL_METHODS: tuple[str, ...] = ("nmf", "lda")


def _ks(value: str) -> list[int]:
    try:
        ks = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--k takes whole numbers separated by commas, not {value!r}") from None
    if not ks or any(k < 1 for k in ks):
        raise argparse.ArgumentTypeError("--k values must be >= 1")
    return list(dict.fromkeys(ks))


def _print_topics(terms: list[list[str]], coherence: Any) -> None:
    for k, words in enumerate(terms):
        print(f"  topic {k:2d} (NPMI {coherence[k]:+.3f}): {' '.join(words)}")


def _command_line(args: argparse.Namespace, k: int) -> str:
    parts = ["zhnews", "topics", "fit", *args.corpus, "--k", str(k), "--method", args.method, "--seed", str(args.seed)]
    parts += ["--max-df", str(args.max_df)] + (["--min-df", str(args.min_df)] if args.min_df is not None else [])
    parts += ["--limit", str(args.limit)] if args.limit else []
    return " ".join(shlex.quote(p) for p in parts)


def cmd_fit(args: argparse.Namespace) -> int:
    from pipeline.modelio import save_model
    from pipeline.tm import TopicModel
    from pipeline.tm.corpus import read_corpus

    t0 = time.perf_counter()
    corpus = read_corpus(args.corpus, limit=args.limit)
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
            print(f"k={k} method={args.method} seed={args.seed}: mean NPMI {model.coherence_.mean():+.4f} "
                  f"({fit_s:.1f} s)")  # fmt: skip
            if not sweep or args.verbose:
                _print_topics(terms, model.coherence_)
        if args.out:
            out = Path(args.out) / f"k{k}" if sweep else Path(args.out)
            meta = {"k": k, "method": args.method, "seed": args.seed, "documents": len(docs),
                    "vocabulary": len(model.vectorizer_.vocabulary_), "npmi": rows[-1]["npmi"],
                    "coherence": rows[-1]["coherence"], "top_terms": model.top_topic_terms(10),
                    "command": _command_line(args, k)}  # fmt: skip
            save_model(model, out, kind="topicmodel", meta=meta)
            rows[-1]["out"] = str(out)
            if not args.json:
                print(f"  saved {out}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif sweep:
        best = max(rows, key=lambda r: r["npmi"])
        print("\n   k  mean NPMI")
        for r in rows:
            print(f"{r['k']:4d}  {r['npmi']:+.4f}" + ("  <- most coherent" if r is best else ""))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from pipeline.modelio import load_model
    from pipeline.tm import TopicModel

    loaded = load_model(args.model, kind="topicmodel", expected=TopicModel)
    model = loaded.estimator
    print(f"{args.model}: k={model.n_topics} method={model.method} seed={model.random_state}")
    _print_topics(model.top_topic_terms(args.top), model.coherence_)
    return 0


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
    p.add_argument("--verbose", action="store_true", help="in a sweep, show the topics of every k")
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.set_defaults(func=cmd_fit)

    p = groups.topics.add_parser("show", help="print the top terms of a fitted topic model")
    p.add_argument("model", help="model directory written by `zhnews topics fit --out`")
    p.add_argument("--top", type=int, default=10, help="terms per topic (default 10)")
    p.set_defaults(func=cmd_show)
