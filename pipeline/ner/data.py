"""Training data for the char NER: corpus -> seeded train/dev split -> cached per-character features.

Feature extraction runs jieba.posseg over every sentence (minutes for MSRA's 2.2 M characters), so the
extracted :class:`DocParts` are cached under a cache folder (``/tmp`` by default, never in the repository),
keyed by the corpus file, the segmentation variant and the feature code version.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpora.gnews_ner import read_gnews_train
from corpora.msra import NerSentence, read_cluener, read_cluener_msra, read_conll_chars, read_msra, read_weibo
from pipeline.errors import ConfigError, DataError
from pipeline.ner.docs import make_doc
from pipeline.ner.features import DocParts, default_lexicon, doc_parts

FEATURE_VERSION = 1
READERS: dict[str, Callable[[str | Path], list[NerSentence]]] = {
    "gnews": read_gnews_train,
    "msra": read_msra,
    "weibo": read_weibo,
    "cluener": read_cluener,
    "cluener_msra": read_cluener_msra,
    "conll": read_conll_chars,
}


def read_corpus(path: str | Path, fmt: str) -> list[NerSentence]:
    """The sentences of a corpus; ``fmt`` may end in ``*N`` to repeat them N times (a small in-domain set, e.g.
    ``gnews*3``, weighed against MSRA's 40,000 sentences)."""
    fmt, _, times = fmt.partition("*")
    if times:
        if not times.isdigit() or int(times) < 1:
            raise ConfigError(f"NER corpus format {fmt}*{times}: the repeat count must be a positive integer")
        return read_corpus(path, fmt) * int(times)
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


def split_blocks(n: int, dev_fraction: float, n_blocks: int, gap: int) -> tuple[list[int], list[int]]:
    """Contiguous dev blocks: ``n_blocks`` runs of consecutive sentences, evenly spaced, the last one ending the file.

    MSRA's neighbouring sentences come from one article and share names, so a random sentence-level dev split
    overstates accuracy (the shipped model's random dev said 93.1 F1, the MSRA test 89.5). ``gap`` sentences on
    each side of every block are left out of training too, so an article cut by a block edge leaks little.
    """
    n_dev = round(n * dev_fraction)
    n_blocks = max(1, min(n_blocks, n_dev))
    size = n_dev // n_blocks
    dev: list[int] = []
    held: set[int] = set()
    stride = n // n_blocks
    for b in range(n_blocks):
        end = n - (n_blocks - 1 - b) * stride
        start = end - size
        dev.extend(range(start, end))
        held.update(range(max(0, start - gap), min(n, end + gap)))
    train = [i for i in range(n) if i not in held]
    return train, sorted(dev)


def corpus_split(n: int, co: dict, seed: int) -> tuple[list[int], list[int]]:
    """(train, dev) indices of the main corpus as the ``[corpora]`` section asks: ``split = "random"`` (seeded
    sentence-level shuffle) or ``"blocks"`` (``dev_blocks`` contiguous blocks, ``dev_gap`` sentences dropped
    around each); ``max_dev_sentences`` caps the dev list."""
    mode = str(co.get("split", "random"))
    fraction = float(co["dev_fraction"])
    if mode == "random":
        train, dev = split_dev(n, fraction, int(co.get("split_seed", seed)))
    elif mode == "blocks":
        train, dev = split_blocks(n, fraction, int(co.get("dev_blocks", 1)), int(co.get("dev_gap", 0)))
    else:
        raise ConfigError(f"corpora.split must be 'random' or 'blocks', not {mode!r}")
    if int(co.get("max_dev_sentences", 0)):
        dev = dev[: int(co["max_dev_sentences"])]
    return train, dev


def corpus_indices(cfg: Any, n: int) -> tuple[list[int], list[int]]:
    """(train, dev) indices into the main corpus of a training config: :func:`corpus_split`, then
    ``max_train_sentences``; an empty side is a DataError."""
    co = cfg["corpora"]
    train_idx, dev_idx = corpus_split(n, co, int(cfg["training"]["seed"]))
    if int(co.get("max_train_sentences", 0)):
        train_idx = train_idx[: int(co["max_train_sentences"])]
    if not train_idx or not dev_idx:
        raise DataError(f"{co['path']}: empty train or dev split ({len(train_idx)}/{len(dev_idx)} sentences)")
    return train_idx, dev_idx


def train_dev_split(cfg: Any) -> tuple[list[NerSentence], list[NerSentence]]:
    """The main corpus's training and dev sentences of a training config, exactly as ``zhnews train ner``
    carves them (it adds ``extra_train`` corpora to training only); ``zhnews eval ner-dev`` scores on the dev."""
    co = cfg["corpora"]
    sentences = read_corpus(co["path"], co.get("format", "msra"))
    train_idx, dev_idx = corpus_indices(cfg, len(sentences))
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
    tag_names = sorted({t for p in parts for t in p.tag_names})
    tag_id = {t: i for i, t in enumerate(tag_names)}
    lengths = np.array([len(p.norm) for p in parts], dtype=np.int64)
    tmp = path.with_suffix(".tmp.npz")

    def global_tags(p: DocParts) -> np.ndarray:
        if not p.tag_names:
            return np.zeros(0, dtype=np.int32)
        return np.array([tag_id[t] for t in p.tag_names], dtype=np.int32)[p.tag_index]

    np.savez(
        tmp,
        norm=np.array(["".join(p.norm for p in parts)]),
        lengths=lengths,
        seg=np.concatenate([np.asarray(p.seg, dtype=np.uint8) for p in parts]),
        tags=np.concatenate([global_tags(p) for p in parts]),
        tag_names=np.array(tag_names),
        lex=np.concatenate([np.asarray(p.lex, dtype=np.int32) for p in parts]),
    )
    tmp.replace(path)


def _load_parts(path: Path) -> list[DocParts]:
    """Every part indexes the file's whole tag list (``tag_names``), which is the union of the parts' tags."""
    with np.load(path, allow_pickle=False) as z:
        norm = str(z["norm"][0])
        lengths = z["lengths"].tolist()
        seg = z["seg"]
        tag_names = [str(t) for t in z["tag_names"]]
        tags = z["tags"].astype(np.int32)
        lex = z["lex"].astype(np.int32)
    out: list[DocParts] = []
    pos = 0
    for n in lengths:
        end = pos + n
        out.append(DocParts(norm[pos:end], seg[pos:end], tag_names, tags[pos:end], lex[pos:end]))
        pos = end
    return out
