"""All the NER figures of a model in one process: contiguous MSRA dev (simplified and OpenCC s2t), the
hand-annotated modern-news dev set, and segment+NER throughput next to bare ``jieba.lcut``.

    PYTHONPATH=. python benchmarks/eval_ner_model.py MODEL [--config configs/ner.cfg] [--train PATH]
        [--gnews-annot A.jsonl B.jsonl --gnews-records records.jsonl] [--json out.json] [--no-msra]

The MSRA dev split is the one ``zhnews train ner`` carves from the same config (``corpora.split``). Everything
runs through the real normalize -> segment (HMM off, the default run config) -> ner stages, one torch thread.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from pipeline.nermodel.evalrun import dev_sentences, run_stages, to_traditional
from pipeline.nermodel.evaluate import format_scores, span_scores

REPO = Path(__file__).resolve().parent.parent


def gnews_dev(annots: list[str], records: str) -> tuple[list[str], list[list[tuple[int, int, str]]]]:
    recs = {}
    with open(records, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            recs[r["path"].split("gnews_ourhimalayas/")[-1]] = r["text"]
    texts, gold = [], []
    for path in annots:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                a = json.loads(line)
                text = recs[a["file"]]
                spans = []
                for e in a["entities"]:
                    assert text[e["start"] : e["end"]] == e["text"], (a["file"], e)
                    spans.append((e["start"], e["end"], e["label"]))
                texts.append(text)
                gold.append(sorted(spans))
    return texts, gold


def speed(model: str, texts: list[str], rounds: int) -> dict[str, float]:
    """Best of ``rounds`` interleaved passes each of bare ``jieba.lcut`` and of the stages (on a shared machine
    the load changes within a minute; the best pass of each is the least disturbed one)."""
    import jieba

    jieba.lcut("新华社北京电")
    chars = sum(len(t) for t in texts)
    lcut, seg, ner = [], [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for t in texts:
            jieba.lcut(t)
        lcut.append(time.perf_counter() - t0)
        _, s = run_stages(model, texts, hmm=False)
        seg.append(s["normalize+segment"])
        ner.append(s["ner"])
    best_lcut, best_seg, best_ner = min(lcut), min(seg), min(ner)
    both = min(a + b for a, b in zip(seg, ner, strict=True))
    return {
        "chars": chars,
        "rounds": rounds,
        "jieba_lcut_cps": chars / best_lcut,
        "normalize_segment_cps": chars / best_seg,
        "ner_cps": chars / best_ner,
        "segment_ner_cps": chars / both,
        "ratio_segment_ner_to_lcut": best_lcut / both,
        "ratio_ner_to_lcut": best_lcut / best_ner,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--config", default=str(REPO / "configs" / "ner.cfg"))
    ap.add_argument("--train", default=str(REPO.parent.parent / "shared" / "data" / "msra_ner" / "msra_train_bio"))
    ap.add_argument("--gnews-annot", nargs="*", default=[])
    ap.add_argument("--gnews-records", default="")
    ap.add_argument("--gnews-corpus", default=str(REPO.parent.parent / "shared" / "data" / "gnews_ourhimalayas"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-msra", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(1)
    out: dict = {"model": args.model}
    if not args.no_msra:
        dev = dev_sentences(args.config, {"paths.train": args.train})
        pred, _ = run_stages(args.model, [s.text for s in dev], hmm=False)
        out["msra_dev"] = span_scores([s.spans for s in dev], pred)
        trad, _ = to_traditional(dev)
        tpred, _ = run_stages(args.model, [s.text for s in trad], hmm=False)
        out["msra_dev_traditional"] = span_scores([s.spans for s in trad], tpred)
        print(f"MSRA contiguous dev ({len(dev)} sentences), simplified:\n{format_scores(out['msra_dev'])}")
        print(f"traditional (OpenCC s2t):\n{format_scores(out['msra_dev_traditional'])}")
    if args.gnews_annot:
        texts, gold = gnews_dev(args.gnews_annot, args.gnews_records)
        pred, _ = run_stages(args.model, texts, hmm=False)
        out["gnews_dev"] = span_scores(gold, pred)
        out["gnews_dev_articles"] = len(texts)
        print(f"modern-news dev ({len(texts)} articles):\n{format_scores(out['gnews_dev'])}")
    if not args.no_speed:
        from pipeline.document import Article
        from pipeline.ingest import discover_inputs, read_source

        paths = sorted(discover_inputs([args.gnews_corpus]))
        texts = [a.text for p in paths for a in read_source(p) if isinstance(a, Article)]
        out["speed"] = sp = speed(args.model, texts, args.rounds)
        print(
            f"speed on {sp['chars']:,} chars (best of {sp['rounds']}): jieba.lcut {sp['jieba_lcut_cps']:,.0f}/s, normalize+segment "
            f"{sp['normalize_segment_cps']:,.0f}/s, ner {sp['ner_cps']:,.0f}/s, segment+ner "
            f"{sp['segment_ner_cps']:,.0f}/s = {sp['ratio_segment_ner_to_lcut']:.3f} x lcut "
            f"(ner alone {sp['ratio_ner_to_lcut']:.3f} x)"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
