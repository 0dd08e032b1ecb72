"""Our NER against peers, on the same MSRA dev sentences, in one run: strict typed F1 and characters per second.

Systems:

* ``zhnews ner``: the ``ner`` stage's model (``models/ner`` or ``--model``) behind the normalize and segment
  stages, exactly as ``zhnews run`` uses it (:func:`pipeline.eval.runs.evaluate_ner`); its speed is
  normalize + segment + NER.
* ``jieba.posseg``: proper-noun flags as a NER baseline, nr (and its subtypes nrt, nrfg) -> PER, ns -> LOC,
  nt -> ORG. Speed: ``jieba.posseg.cut`` alone.
* ``THULAC``: np -> PER, ns -> LOC, ni -> ORG. The PyPI wheel (thulac 0.2.2, 53 MB) carries its models, so it
  runs without network, but it is not a project dependency (500 MB installed, pure-Python and slow); install it
  into the venv for this benchmark only: ``pip install thulac==0.2.2``. Skipped cleanly when not importable.

Data: the model engineer's held-out dev split, so nobody is scored on sentences the model trained on. The split
function is imported from ``corpora.msra`` when it has one, else ``pipeline.ner.data.split_dev`` with the
``[corpora]`` settings of ``configs/ner.cfg``, else the last 10 % of ``msra_train_bio``; the script prints which.
From that split a seeded sample of ``--sentences`` sentences is scored (THULAC needs ~2 minutes for 1,000).

Scores are strict typed span P/R/F1 (CoNLL rules, :mod:`pipeline.eval.spans`). Run from the repository root::

    python benchmarks/bench_ner_peers.py --sentences 1000 --json /tmp/peers.json
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipeline.eval.spans import BioSentence, Span, SpanScores, corpus_span_scores, read_bio  # noqa: E402

MSRA = REPO.parent / "shared" / "data" / "msra_ner" / "msra_train_bio"
NER_CFG = REPO / "configs" / "ner.cfg"
JIEBA_TYPES = {"nr": "PER", "nrt": "PER", "nrfg": "PER", "ns": "LOC", "nt": "ORG"}
THULAC_TYPES = {"np": "PER", "ns": "LOC", "ni": "ORG"}


@dataclass
class Row:
    system: str
    scores: SpanScores | None
    chars: int
    seconds: float
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "note": self.note,
            "chars": self.chars,
            "seconds": round(self.seconds, 3),
            "chars_per_second": round(self.chars / self.seconds, 1) if self.seconds else None,
            **(self.scores.to_dict() if self.scores else {}),
        }


def dev_split(path: Path) -> tuple[list[BioSentence], str]:
    """The dev sentences and a description of where the split came from (see the module docstring)."""
    sentences = read_bio(path, fmt="char")
    try:
        import corpora.msra as msra

        split = getattr(msra, "dev_split", None)
        if callable(split):
            dev = split(sentences)
            return list(dev), "corpora.msra.dev_split"
    except ImportError:
        pass
    try:
        from thinc.api import Config

        from pipeline.ner.data import split_dev

        cfg = Config().from_disk(NER_CFG, interpolate=True)
        fraction, seed = float(cfg["corpora"]["dev_fraction"]), int(cfg["corpora"]["split_seed"])
        _, dev_idx = split_dev(len(sentences), fraction, seed)
        return [sentences[i] for i in dev_idx], (
            f"pipeline.ner.data.split_dev(dev_fraction={fraction}, seed={seed}) as in {NER_CFG.name}"
        )
    except (ImportError, KeyError, OSError):
        n = len(sentences) // 10
        return sentences[-n:], f"last {n} sentences of {path.name} (no shared split function found)"


def score_tagger(
    name: str, sentences: list[BioSentence], spans_of: Callable[[str], Iterable[Span]], note: str = ""
) -> Row:
    spans_of(sentences[0].text)  # warm-up: dictionaries and models load here, not in the timing
    pairs = []
    seconds = 0.0
    for sent in sentences:
        t = time.perf_counter()
        pred = list(spans_of(sent.text))
        seconds += time.perf_counter() - t
        pairs.append((sent.char_spans(), pred))
    return Row(name, corpus_span_scores(pairs), sum(len(s.text) for s in sentences), seconds, note)


def tagged_spans(pairs: Iterable[tuple[str, str]], types: dict[str, str]) -> list[Span]:
    """Entity spans from (word, flag) pairs that tile the text."""
    spans = []
    pos = 0
    for word, flag in pairs:
        label = types.get(flag)
        if label:
            spans.append(Span(pos, pos + len(word), label))
        pos += len(word)
    return spans


def jieba_row(sentences: list[BioSentence]) -> Row:
    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(60)
    return score_tagger(
        "jieba.posseg nr/ns/nt",
        sentences,
        lambda text: tagged_spans(((p.word, p.flag) for p in pseg.cut(text)), JIEBA_TYPES),
        f"jieba {jieba.__version__}, HMM on",
    )


def thulac_row(sentences: list[BioSentence]) -> Row:
    try:
        import thulac
    except ImportError:
        return Row("THULAC np/ns/ni", None, 0, 0.0, "skipped: thulac not installed (pip install thulac==0.2.2)")
    with contextlib.redirect_stdout(io.StringIO()):  # it prints "Model loaded succeed" into the table
        tagger = thulac.thulac()

    def spans_of(text: str) -> list[Span]:
        pairs = tagger.cut(text)
        if "".join(w for w, _ in pairs) != text:  # THULAC may normalise characters; never misalign silently
            return _align(text, pairs)
        return tagged_spans(pairs, THULAC_TYPES)

    return score_tagger("THULAC np/ns/ni", sentences, spans_of, "thulac 0.2.2 (pure Python)")


def _align(text: str, pairs: list[list[str]]) -> list[Span]:
    """Spans of tagged words found in order in ``text`` when the tagger changed some characters."""
    spans, pos = [], 0
    for word, flag in pairs:
        at = text.find(word, pos)
        if at < 0:
            continue
        if flag in THULAC_TYPES:
            spans.append(Span(at, at + len(word), THULAC_TYPES[flag]))
        pos = at + len(word)
    return spans


def ours_row(sentences: list[BioSentence], model: str | None) -> Row:
    from pipeline.core.config import config_from_dict
    from pipeline.errors import ZhNewsError
    from pipeline.eval.runs import evaluate_ner

    model_dir = Path(model) if model else REPO / "models" / "ner"
    if not (model_dir / "config.cfg").is_file():
        return Row("zhnews ner (stage path)", None, 0, 0.0, f"skipped: no model at {model_dir}")
    stages = {"normalize": {"opencc": "t2s"}, "segment": {"hmm": True}, "ner": {"model": str(model_dir)}}
    config = config_from_dict({"run": {"stages": list(stages)}, "stages": stages})
    try:
        result = evaluate_ner(sentences, config, path=str(MSRA))
    except ZhNewsError as exc:
        return Row("zhnews ner (stage path)", None, 0, 0.0, f"failed: {exc}")
    per_stage = ", ".join(f"{k} {v:.1f} s" for k, v in result.stage_seconds.items())
    return Row("zhnews ner (stage path)", result.scores, result.chars, result.seconds, f"{model_dir}: {per_stage}")


def format_table(rows: list[Row]) -> str:
    head = f"{'system':<26} {'P':>6} {'R':>6} {'F1':>6} {'PER':>6} {'LOC':>6} {'ORG':>6} {'chars/s':>9}"
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.scores is None:
            lines.append(f"{r.system:<26} {r.note}")
            continue
        m, per = r.scores.micro, r.scores.per_type

        def f1(label: str, per: dict = per) -> str:
            return f"{100 * per[label].f1:6.2f}" if label in per else "     -"

        speed = f"{r.chars / r.seconds:9,.0f}" if r.seconds else "        -"
        lines.append(
            f"{r.system:<26} {100 * m.precision:6.2f} {100 * m.recall:6.2f} {100 * m.f1:6.2f} "
            f"{f1('PER')} {f1('LOC')} {f1('ORG')} {speed}"
        )
    lines.append("")
    lines += [f"{r.system}: {r.note}" for r in rows if r.scores is not None and r.note]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=MSRA, help="msra_train_bio (the dev split is carved from it)")
    parser.add_argument("--sentences", type=int, default=1000, help="seeded sample of the dev split (0 = all)")
    parser.add_argument("--seed", type=int, default=20240603)
    parser.add_argument("--model", help="NER model folder (default models/ner)")
    parser.add_argument("--skip", action="append", default=[], choices=("ours", "jieba", "thulac"))
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(f"no MSRA data at {args.data}", file=sys.stderr)
        return 2
    dev, origin = dev_split(args.data)
    sample = dev
    if args.sentences and args.sentences < len(dev):
        idx = sorted(random.Random(args.seed).sample(range(len(dev)), args.sentences))
        sample = [dev[i] for i in idx]
    chars = sum(len(s.text) for s in sample)
    print(f"dev split: {origin}: {len(dev)} sentences")
    print(
        f"scored: a seeded sample (seed {args.seed}) of {len(sample)} sentences, {chars:,} chars, "
        f"{sum(len(s.char_spans()) for s in sample)} gold entities\n"
    )
    rows = []
    if "ours" not in args.skip:
        rows.append(ours_row(sample, args.model))
    if "jieba" not in args.skip:
        rows.append(jieba_row(sample))
    if "thulac" not in args.skip:
        rows.append(thulac_row(sample))
    print(format_table(rows))
    if args.json:
        payload = {"split": origin, "sentences": len(sample), "chars": chars, "rows": [r.to_dict() for r in rows]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
