"""``zhnews train ner``: train the char BiLSTM-CRF from a spaCy-style config, keep the best epoch on dev.

The config (``configs/ner.cfg``) is read with spaCy's config system (thinc ``Config``): ``[nlp]`` and
``[components]`` build the spaCy pipeline exactly as ``spacy.load`` rebuilds it later, ``[corpora]`` and
``[training]`` drive this loop. Overrides use spaCy's ``--section.key value`` syntax. Relative paths in
``[paths]`` resolve against the config file's folder. Everything random is seeded from ``training.seed``.
"""

from __future__ import annotations

import json
import logging
import math
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import spacy
import torch
from thinc.api import Config

from pipeline.errors import ConfigError
from pipeline.eval.spans import corpus_span_scores, spans_to_bioes, tags_to_spans
from pipeline.ner.component import FACTORY, CharNER
from pipeline.ner.data import cached_parts, corpus_indices, read_corpus
from pipeline.ner.features import FeatureVocab
from pipeline.ner.labels import bioes_tags
from pipeline.ner.model import collate
from pipeline.ner.runtime import collate_arrays
from pipeline.ner.vectors import load_vectors

log = logging.getLogger(__name__)
Encoded = dict[str, np.ndarray]


def load_ner_config(path: str | Path, overrides: dict[str, Any] | None = None) -> Config:
    """The training config with overrides applied and ``[paths]`` made absolute (relative to the file)."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"NER config not found: {p}")
    try:
        cfg = spacy.util.load_config(p, overrides=overrides or {}, interpolate=False)
        for section in ("paths", "nlp", "components", "corpora", "training"):
            if section not in cfg:
                raise ConfigError(f"{p}: missing section [{section}]")
        for key, value in list(cfg["paths"].items()):
            if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
                cfg["paths"][key] = str((p.parent / value).resolve())
        cfg = cfg.interpolate()
    except ConfigError:
        raise
    except Exception as exc:  # thinc raises several types for syntax, override and interpolation errors
        raise ConfigError(f"{p}: {exc}") from None
    return cfg


def build_nlp(cfg: Config) -> spacy.Language:
    import pipeline.ner.component  # noqa: F401  (registers the factory)

    sub = Config({"nlp": dict(cfg["nlp"]), "components": dict(cfg["components"])})
    nlp = spacy.util.load_model_from_config(sub, auto_fill=True, validate=True)
    return nlp


def ner_pipe(nlp: spacy.Language) -> CharNER:
    for _name, pipe in nlp.pipeline:
        if isinstance(pipe, CharNER):
            return pipe
    raise ConfigError(f"the NER config's pipeline has no {FACTORY!r} component")


@dataclass
class TrainResult:
    best_epoch: int
    best_scores: dict[str, Any]
    epochs: int
    seconds: float
    output: Path


def _seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed batches: shuffle, sort within pools of 50 batches, shuffle the batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for i in range(0, len(idx), pool):
        chunk = sorted(idx[i : i + pool], key=lambda j: lengths[j])
        batches.extend(chunk[k : k + batch_size] for k in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def predict_encoded(pipe: CharNER, feats: Sequence[Encoded], batch_size: int = 128) -> list[list[tuple[int, int, str]]]:
    """Spans for already-encoded sentences (the per-epoch dev evaluation), by the numpy network a run uses."""
    net = pipe.network()
    order = sorted(range(len(feats)), key=lambda i: len(feats[i]["char"]))
    out: list[list[tuple[int, int, str]]] = [[] for _ in feats]
    for i in range(0, len(order), batch_size):
        idx = order[i : i + batch_size]
        for j, path in zip(idx, net.predict(collate_arrays([feats[j] for j in idx])), strict=True):
            out[j] = [(sp.start, sp.end, sp.label) for sp in tags_to_spans([pipe.labels_[t] for t in path])]
    return out


def train_ner(
    cfg: Config,
    output: str | Path,
    *,
    echo: Callable[[str], None] = print,
    progress: Callable[[int], None] | None = None,
) -> TrainResult:
    """Train, evaluate on the seeded dev split after every epoch, save ``model-last`` and ``model-best``.

    ``progress(1)`` after each epoch (a progress bar of ``training.max_epochs``; training may stop earlier)."""
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    tr = cfg["training"]
    co = cfg["corpora"]
    seed = int(tr["seed"])
    _seed_all(seed)
    torch.set_num_threads(int(tr.get("threads", 1)))
    t0 = time.time()

    sentences = read_corpus(co["path"], co.get("format", "msra"))
    train_idx, dev_idx = corpus_indices(cfg, len(sentences))
    # extra training corpora ("format:path" strings; types renamed by their readers), never used for dev
    extra: list[tuple[str, list]] = []
    for spec in co.get("extra_train", []) or []:
        fmt, _, path = str(spec).partition(":")
        extra.append((path, read_corpus(path, fmt)))
    train = [sentences[i] for i in train_idx] + [s for _, sents in extra for s in sents]
    dev = [sentences[i] for i in dev_idx]
    types = sorted({lab for s in train for _, _, lab in s.spans})
    labels = bioes_tags(types)
    label_id = {t: i for i, t in enumerate(labels)}
    echo(
        f"corpus {co['path']}: {len(sentences)} sentences ({co.get('split', 'random')} split); "
        f"train {len(train)} (extra {sum(len(x) for _, x in extra)}), dev {len(dev)}; types {types}"
    )

    variants = [bool(v) for v in tr.get("hmm_variants", [True])]
    cache = cfg["paths"].get("cache") or None
    # features of whole corpus files (one cache entry per file and variant, whatever the split)
    train_parts = {}
    dev_parts = []
    for k, hmm in enumerate(variants):
        t = time.time()
        main = cached_parts([s.text for s in sentences], hmm=hmm, cache_dir=cache)
        train_parts[hmm] = [main[i] for i in train_idx]
        for _, sents in extra:
            train_parts[hmm].extend(cached_parts([s.text for s in sents], hmm=hmm, cache_dir=cache))
        if k == 0:
            dev_parts = [main[i] for i in dev_idx]
        echo(f"features (hmm={hmm}): {time.time() - t:.1f}s")

    vectors = load_vectors(cfg["paths"].get("vectors") or None)
    vocab = FeatureVocab.build(
        (p.norm for p in train_parts[variants[0]]),
        (p.tags for hmm in variants for p in train_parts[hmm]),
        min_char=int(tr["min_char_count"]),
        min_bigram=int(tr["min_bigram_count"]),
        extra_chars=vectors.chars if vectors else (),
        extra_bigrams=vectors.bigrams[: int(tr.get("max_vector_bigrams", 0))] if vectors else (),
    )
    echo(f"vocab sizes {vocab.sizes()}")
    gold_ids = [np.asarray([label_id[t] for t in spans_to_bioes(s.spans, len(s.text))], dtype=np.int64) for s in train]
    enc_train: dict[bool, list[Encoded]] = {}
    for hmm in variants:
        enc_train[hmm] = []
        for p, y in zip(train_parts[hmm], gold_ids, strict=True):
            e = vocab.encode(p)
            e["labels"] = y
            enc_train[hmm].append(e)
    enc_dev = [vocab.encode(p) for p in dev_parts]
    dev_gold = [list(s.spans) for s in dev]

    nlp = build_nlp(cfg)
    pipe = ner_pipe(nlp)
    model = pipe.initialize_model(vocab, labels, seed=seed)
    if vectors:
        n_init = vectors.init_embeddings(model, vocab)
        echo(f"pretrained vectors {cfg['paths']['vectors']}: initialized {n_init}")
    n_params = sum(p.numel() for p in model.parameters())
    echo(f"model parameters: {n_params:,}; setup {time.time() - t0:.1f}s")
    lr = float(tr["lr"])
    opt_dense = torch.optim.Adam(model.dense_parameters(), lr=lr)
    opt_sparse = torch.optim.SparseAdam(model.sparse_parameters(), lr=lr)
    optimizers = (opt_dense, opt_sparse)
    rng = random.Random(seed)
    lengths = [len(s.text) for s in train]
    max_epochs = int(tr["max_epochs"])
    max_seconds = float(tr.get("max_minutes", 0)) * 60 or math.inf
    patience = int(tr.get("patience", 0)) or max_epochs
    decay = float(tr.get("lr_decay", 0.0))
    clip = float(tr.get("grad_clip", 5.0))
    best_f, best_epoch, best_scores, since_best = -1.0, 0, {}, 0
    average = _WeightAverage(model, float(tr.get("ema_decay", 0.0)))
    epoch_seconds: list[float] = []
    log_path = out / "training_log.jsonl"
    log_path.write_text("", encoding="utf-8")
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        te = time.time()
        for opt in optimizers:
            for group in opt.param_groups:
                group["lr"] = lr / (1.0 + decay * (epoch - 1))
        model.train()
        total, n_batches = 0.0, 0
        for batch_idx in _batches(lengths, int(tr["batch_size"]), rng):
            examples = [enc_train[variants[rng.randrange(len(variants))]][j] for j in batch_idx]
            loss = model.loss(collate(examples))
            for opt in optimizers:
                opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.dense_parameters(), clip)
            for opt in optimizers:
                opt.step()
            average.update()
            total += float(loss.detach())
            n_batches += 1
        train_seconds = time.time() - te
        average.swap()  # dev scores, and the saved model, are those of the averaged weights (when averaging)
        scores = corpus_span_scores(zip(dev_gold, predict_encoded(pipe, enc_dev), strict=True)).to_dict()
        f1 = scores["micro"]["f1"]
        record = {
            "epoch": epoch,
            "loss": total / max(n_batches, 1),
            "lr": opt_dense.param_groups[0]["lr"],
            "dev": scores,
            "train_seconds": round(train_seconds, 1),
            "elapsed_seconds": round(time.time() - t0, 1),
        }
        with log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record) + "\n")
        nlp.to_disk(out / "model-last")
        average.swap()  # back to the trained weights
        improved = f1 > best_f
        if improved:
            best_f, best_epoch, best_scores, since_best = f1, epoch, scores, 0
            _replace_dir(out / "model-last", out / "model-best")
        else:
            since_best += 1
        per_type = " ".join(f"{t}={100 * s['f1']:.2f}" for t, s in scores["per_type"].items())
        echo(
            f"epoch {epoch}: loss {record['loss']:.3f} dev F1 {100 * f1:.2f} ({per_type}) "
            f"{'*best* ' if improved else ''}[{time.time() - te:.0f}s, total {time.time() - t0:.0f}s]"
        )
        epoch_seconds.append(time.time() - te)
        if progress is not None:
            progress(1)
        if since_best >= patience:
            echo(f"stopping: no improvement for {patience} epochs")
            break
        if time.time() - t0 + max(epoch_seconds[-2:]) > max_seconds:
            echo(f"stopping: time budget of {max_seconds / 60:.0f} min would be exceeded by another epoch")
            break
    summary = {
        "best_epoch": best_epoch,
        "best_dev": best_scores,
        "epochs": epoch,
        "seconds": round(time.time() - t0, 1),
        "train_sentences": len(train),
        "dev_sentences": len(dev),
        "dev_entities": sum(len(g) for g in dev_gold),
        "parameters": n_params,
        "config": cfg.to_str(),
    }
    (out / "training_summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return TrainResult(best_epoch, best_scores, epoch, time.time() - t0, out)


class _WeightAverage:
    """An exponential moving average of the weights over training steps (Polyak averaging), or nothing when
    ``decay`` is 0: the averaged weights sit in a flatter region than the last step's, and are what is
    evaluated and saved. It draws no random numbers, so the training trajectory is the same with or without it.
    """

    def __init__(self, model: torch.nn.Module, decay: float) -> None:
        self.decay = decay
        self.params = [p for p in model.parameters() if p.requires_grad] if decay else []
        self.shadow = [p.detach().clone() for p in self.params]

    def update(self) -> None:
        if self.params:
            with torch.no_grad():
                torch._foreach_lerp_(self.shadow, [p.detach() for p in self.params], 1.0 - self.decay)

    def swap(self) -> None:
        """Exchange the model's weights and the averaged ones (twice restores the model)."""
        with torch.no_grad():
            for p, s in zip(self.params, self.shadow, strict=True):
                tmp = p.detach().clone()
                p.copy_(s)
                s.copy_(tmp)


def _replace_dir(src: Path, dst: Path) -> None:
    tmp = dst.with_name(dst.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(src, tmp)
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)
