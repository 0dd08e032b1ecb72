"""Training data for the char NER: corpus -> seeded train/dev split -> cached per-character features.

Feature extraction runs jieba.posseg over every sentence (minutes for MSRA's 2.2 M characters), so the
extracted :class:`DocParts` are cached under a cache folder (``/tmp`` by default, never in the repository),
keyed by the corpus file, the segmentation variant and the feature code version.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpora.msra import NerSentence, read_cluener, read_conll_chars, read_msra, read_weibo
from pipeline.errors import ConfigError, DataError
from pipeline.ner.docs import make_doc
from pipeline.ner.features import DocParts, default_lexicon, doc_parts

FEATURE_VERSION = 1
READERS = {"msra": read_msra, "weibo": read_weibo, "cluener": read_cluener, "conll": read_conll_chars}


def read_corpus(path: str | Path, fmt: str) -> list[NerSentence]:
    if fmt not in READERS:
        raise ConfigError(f"unknown NER corpus format {fmt!r}; known: {', '.join(sorted(READERS))}")
    return READERS[fmt](path)


def split_dev(n: int, dev_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded random sentence-level split: (train indices, dev indices), both in corpus order."""
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    n_dev = round(n * dev_fraction)
    dev = sorted(idx[:n_dev])
    train = sorted(idx[n_dev:])
    return train, dev


def train_dev_split(cfg: Any) -> tuple[list[NerSentence], list[NerSentence]]:
    """The training and dev sentences of a training config (``[corpora]``), exactly as ``zhnews train ner``
    carves them; ``zhnews eval ner-dev`` scores a saved model on the same dev sentences."""
    co, seed = cfg["corpora"], int(cfg["training"]["seed"])
    sentences = read_corpus(co["path"], co.get("format", "msra"))
    train_idx, dev_idx = split_dev(len(sentences), float(co["dev_fraction"]), int(co.get("split_seed", seed)))
    if int(co.get("max_train_sentences", 0)):
        train_idx = train_idx[: int(co["max_train_sentences"])]
    if int(co.get("max_dev_sentences", 0)):
        dev_idx = dev_idx[: int(co["max_dev_sentences"])]
    if not train_idx or not dev_idx:
        raise DataError(f"{co['path']}: empty train or dev split ({len(train_idx)}/{len(dev_idx)} sentences)")
    return [sentences[i] for i in train_idx], [sentences[i] for i in dev_idx]


def extract_parts(texts: Sequence[str], *, hmm: bool) -> list[DocParts]:
    lexicon = default_lexicon()
    return [doc_parts(make_doc(t, hmm=hmm), lexicon) for t in texts]


def cached_parts(texts: Sequence[str], *, hmm: bool, cache_dir: str | Path | None) -> list[DocParts]:
    """``extract_parts`` with an on-disk cache (npz, no pickle) keyed by the texts and the feature setup."""
    if not cache_dir:
        return extract_parts(texts, hmm=hmm)
    h = hashlib.sha256()
    h.update(json.dumps([FEATURE_VERSION, hmm, "stages", len(texts)]).encode())
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\n")
    path = Path(cache_dir) / f"parts-{h.hexdigest()[:24]}.npz"
    if path.is_file():
        return _load_parts(path)
    parts = extract_parts(texts, hmm=hmm)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_parts(path, parts)
    return parts


def _save_parts(path: Path, parts: Sequence[DocParts]) -> None:
    tag_names = sorted({t for p in parts for t in p.tags})
    tag_id = {t: i for i, t in enumerate(tag_names)}
    lengths = np.array([len(p.norm) for p in parts], dtype=np.int64)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        norm=np.array(["".join(p.norm for p in parts)]),
        lengths=lengths,
        seg=np.concatenate([np.asarray(p.seg, dtype=np.uint8) for p in parts]),
        tags=np.concatenate([np.asarray([tag_id[t] for t in p.tags], dtype=np.int32) for p in parts]),
        tag_names=np.array(tag_names),
        lex=np.concatenate([np.asarray(p.lex, dtype=np.int32) for p in parts]),
    )
    tmp.replace(path)


def _load_parts(path: Path) -> list[DocParts]:
    with np.load(path, allow_pickle=False) as z:
        norm = str(z["norm"][0])
        lengths = z["lengths"].tolist()
        seg = z["seg"].tolist()
        tag_names = [str(t) for t in z["tag_names"]]
        tags = z["tags"].tolist()
        lex = z["lex"].tolist()
    out: list[DocParts] = []
    pos = 0
    for n in lengths:
        out.append(
            DocParts(
                norm[pos : pos + n], seg[pos : pos + n], [tag_names[t] for t in tags[pos : pos + n]], lex[pos : pos + n]
            )
        )
        pos += n
    return out
