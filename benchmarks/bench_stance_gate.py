"""The stance mention gate's two error rates: on-target posts it keeps, unrelated news it lets through.

- kept: NLPCC 2016 training posts whose target the gate finds, cross-validated by the model card's folds
  (5-fold, stratified by target and label, seed 0): terms learned on four folds, applied to the fifth.
- let through: articles of the unrelated news sets (cnews, THUCNews titles, GNews) containing a target's terms,
  with the shipped model's terms (or ``--model``'s).
- with ``--f-avg``: the cross-validated F_avg with every post naming its target vs through the gate (the
  folds are refitted: about 1.5 minutes on one core).

    python benchmarks/bench_stance_gate.py [--data ../shared/data/nlpcc2016_stance] [--news ../shared/data]
                                           [--model models/stance] [--folds 5] [--seed 0] [--f-avg]

The aim of issue 13: at least 95 % kept and at most 5 % let through.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"


def main() -> None:
    from corpora.stance import load_stance
    from pipeline.classify.stance_gate import gate_scores, load_news, news_let_through
    from pipeline.classify.stance_sentiment import background_sentences
    from pipeline.core.modelio import load_model
    from pipeline.core.resources import model_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(SHARED / "nlpcc2016_stance"), help="NLPCC stance training data")
    parser.add_argument("--news", default=str(SHARED), help="folder holding the unrelated news sets")
    parser.add_argument("--model", default=str(model_dir("stance")), help="model whose terms are measured")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--f-avg", action="store_true", help="also F_avg named vs gated (refits the CV folds)")
    args = parser.parse_args()

    data = load_stance(args.data)
    targets = [ex.target for ex in data.examples]
    strata = np.asarray([f"{t}|{lab}" for t, lab in zip(targets, data.labels, strict=True)])
    splits = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(targets, strata))
    t0 = time.perf_counter()
    if args.f_avg:
        pred, texts = _cv_predictions(data, splits, args.seed)
    else:
        texts, pred = _normalized(data.texts), list(data.labels)  # gold stands in: F_avg is not printed
    scores = gate_scores(texts, targets, data.labels, pred, splits, background_sentences())
    print(f"kept (cross-validated, {args.folds} folds, seed {args.seed}; {len(texts)} posts):")
    for target, share in scores["kept"].items():
        print(f"  {target:<14} {100 * share:5.1f} %")
    if args.f_avg:
        print(f"F_avg named {scores['f_avg_named']:.4f}  gated {scores['f_avg_gated']:.4f}")
    terms = load_model(args.model, kind="stance").estimator.mention_terms_
    through = news_let_through(load_news(args.news), terms)
    print(f"let through (unrelated news, terms of {args.model}):")
    names = list(terms)
    print("  " + f"{'set':<16} {'n':>6} " + " ".join(f"{t[:8]:>9}" for t in names) + f" {'any':>7}")
    for name, row in through.items():
        cells = " ".join(f"{100 * row[t]:8.1f}%" for t in names)
        print(f"  {name:<16} {row['n']:>6} {cells} {100 * row['any']:6.1f}%")
    print(f"({time.perf_counter() - t0:.0f} s)")


def _normalized(texts: list[str]) -> list[str]:
    """Posts as the normalize stage writes ``norm_text`` (default run config), without segmenting them."""
    from pipeline.core.config import load_config
    from pipeline.core.runner import analyze_texts

    return [a.norm_text or "" for a in analyze_texts(texts, load_config(), until="normalize")]


def _cv_predictions(data: Any, splits: list[tuple[np.ndarray, np.ndarray]], seed: int) -> tuple[list[str], list[str]]:
    """Out-of-fold predictions of the shipped recipe (the card's command), and the posts' normalized texts."""
    from sklearn.model_selection import cross_val_predict

    from pipeline.classify.linear import CalibratedLinearSVC
    from pipeline.classify.stance import StanceClassifier, stance_features
    from pipeline.classify.training import analyze_all

    examples = data.examples
    analysed = analyze_all([ex.text for ex in examples])
    X = list(zip([ex.target for ex in examples], analysed, strict=True))
    y = np.asarray([ex.label for ex in examples], dtype=object)
    model = StanceClassifier(
        stance_features(sentiment_weight=0.3), CalibratedLinearSVC(C=0.5, random_state=seed), random_state=seed
    )
    pred = cross_val_predict(model, X, y, cv=splits)
    return [str(p) for p in pred], [a.norm_text for a in analysed]


if __name__ == "__main__":
    main()
