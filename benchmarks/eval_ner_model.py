"""All the NER figures of a model in one process, through the run's own stages (``pipeline.eval.runs``):
the training config's MSRA dev split (simplified and OpenCC s2t), the hand-annotated modern-news dev set
(``corpora/gnews_dev``), and normalize+segment+NER throughput next to bare ``jieba.lcut`` (best of ``--rounds``
interleaved passes, since the shared machine's load changes within a minute).

    python benchmarks/eval_ner_model.py models/ner [--train-config configs/ner.cfg] [--json out.json]
        [--no-msra] [--no-speed]

Every figure is what ``zhnews run`` with the default config (or ``--config``) would produce with MODEL.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from corpora.gnews_ner import read_gnews_dev  # noqa: E402
from pipeline.core.article import Article  # noqa: E402
from pipeline.core.config import load_config  # noqa: E402
from pipeline.core.runner import build_stages, freeze_loaded, run_articles, stages_until  # noqa: E402
from pipeline.eval.runs import entity_config, evaluate_ner, evaluate_ner_dev, format_ner_table  # noqa: E402
from pipeline.ner.train import load_ner_config  # noqa: E402

SHARED = REPO.parent / "shared" / "data"


def speed(run_config: Any, texts: list[str], rounds: int) -> dict[str, float]:
    import jieba

    jieba.lcut("新华社北京电")
    stages = build_stages(stages_until(run_config, "ner"))
    run_articles([Article(id="w", path="w", text=texts[0])], stages)
    freeze_loaded()  # what a run's processes do after their first task (runner.engine_task)
    chars = sum(map(len, texts))
    lcut, seg, ner = [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for t in texts:
            jieba.lcut(t)
        lcut.append(time.perf_counter() - t0)
        seconds: dict[str, float] = {}
        run_articles([Article(id=str(i), path="s", text=t) for i, t in enumerate(texts)], stages, seconds)
        seg.append(seconds["normalize"] + seconds["segment"])
        ner.append(seconds["ner"])
    both = min(a + b for a, b in zip(seg, ner, strict=True))
    return {
        "chars": chars,
        "rounds": rounds,
        "jieba_lcut_cps": chars / min(lcut),
        "normalize_segment_cps": chars / min(seg),
        "ner_cps": chars / min(ner),
        "segment_ner_cps": chars / both,
        "ratio_segment_ner_to_lcut": min(lcut) / both,
        "ratio_ner_to_lcut": min(lcut) / min(ner),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--train-config", default=str(REPO / "configs" / "ner.cfg"))
    ap.add_argument("--config", help="run config (default: the shipped configs/default.toml)")
    ap.add_argument("--gnews-corpus", default=str(SHARED / "gnews_ourhimalayas"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--articles", type=int, default=20, help="also MSRA dev grouped N sentences to an article (0: not)")
    ap.add_argument("--no-msra", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    run_config = load_config(args.config)
    model = str(Path(args.model).resolve())
    out: dict[str, Any] = {"model": args.model}
    if not args.no_msra:
        results = evaluate_ner_dev(
            model, load_ner_config(args.train_config), run_config, traditional=True, articles=args.articles
        )
        for name, evaluation in results.items():
            out[f"msra_dev_{name.replace(' ', '_')}"] = evaluation.to_dict()
            print(f"== MSRA dev ({name})\n{format_ner_table(evaluation)}")
    gold = read_gnews_dev(args.gnews_corpus)
    modern = evaluate_ner(gold, entity_config(run_config, model=model), path="<gnews dev>")
    out["gnews_dev"] = modern.to_dict()
    print(f"== modern-news dev ({len(gold)} articles)\n{format_ner_table(modern)}")
    if not args.no_speed:
        from pipeline.ingest import discover_inputs, read_source

        texts = [a.text for p in discover_inputs([args.gnews_corpus]) for a in read_source(p) if isinstance(a, Article)]
        out["speed"] = sp = speed(entity_config(run_config, model=model), texts, args.rounds)
        print(
            f"== speed on {sp['chars']:,} chars (best of {sp['rounds']}): jieba.lcut {sp['jieba_lcut_cps']:,.0f}/s, "
            f"normalize+segment {sp['normalize_segment_cps']:,.0f}/s, ner {sp['ner_cps']:,.0f}/s, segment+ner "
            f"{sp['segment_ner_cps']:,.0f}/s = {sp['ratio_segment_ner_to_lcut']:.3f}x lcut "
            f"(ner alone {sp['ratio_ner_to_lcut']:.3f}x)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
