"""Pretrained character and bigram vectors for the char NER (word2vec over raw Chinese text).

``python -m pipeline.ner.vectors --output vectors.npz`` trains them with gensim (skip-gram, seeded, one
worker so that a rerun gives the same vectors) on the raw text of ``../shared/data`` normalized exactly like the
model's input (OpenCC t2s + half-width, per character, so offsets never move). The file is an npz (no pickle):
``chars`` / ``char_vecs`` and ``bigrams`` / ``bigram_vecs``, each list most frequent first. Training reads it
through ``[paths] vectors`` in ``configs/ner.cfg``: the vocabulary gains the pretrained characters and the
``training.max_vector_bigrams`` most frequent pretrained bigrams, and their embedding rows start from the
vectors (rescaled to the spread of torch's default initialization) instead of random values.

gensim is needed only to make the file, not to train or run the NER model.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from pipeline.errors import DataError
from pipeline.ner.features import BOS, EOS

if TYPE_CHECKING:
    from pipeline.ner.features import FeatureVocab
    from pipeline.ner.model import CharBiLSTMCRF

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"  # the project's layout; pass --shared from a worktree elsewhere
_SPLIT = re.compile(r"[。！？!?；\n]+")


@dataclass
class Vectors:
    chars: list[str]
    char_vecs: np.ndarray
    bigrams: list[str]
    bigram_vecs: np.ndarray

    def init_embeddings(self, model: CharBiLSTMCRF, vocab: FeatureVocab) -> dict[str, int]:
        """Copy vectors into ``model.char_emb`` / ``model.bigram_emb`` rows of the strings ``vocab`` knows."""
        done = {}
        for name, strings, vecs, table in (
            ("chars", self.chars, self.char_vecs, vocab.chars),
            ("bigrams", self.bigrams, self.bigram_vecs, vocab.bigrams),
        ):
            emb = model.char_emb if name == "chars" else model.bigram_emb
            if vecs.shape[1] != emb.weight.shape[1]:
                raise ValueError(f"pretrained {name} have dimension {vecs.shape[1]}, the model {emb.weight.shape[1]}")
            v = vecs.astype(np.float32)
            v = (v - v.mean(0)) / (v.std() + 1e-8)  # torch initializes embeddings N(0, 1)
            rows = [(table[s], i) for i, s in enumerate(strings) if s in table]
            with torch.no_grad():
                idx = torch.tensor([r for r, _ in rows], dtype=torch.long)
                emb.weight[idx] = torch.from_numpy(v[[i for _, i in rows]])
            done[name] = len(rows)
        return done


def load_vectors(path: str | Path | None) -> Vectors | None:
    if not path:
        return None
    if not Path(path).is_file():
        raise DataError(
            f"pretrained NER vectors not found: {path}; build them with `python -m pipeline.ner.vectors "
            f'--output {path} --gnews --exclude-list configs/ner_vectors_exclude.txt` or set paths.vectors = ""'
        )
    with np.load(path, allow_pickle=False) as z:
        return Vectors([str(c) for c in z["chars"]], z["char_vecs"], [str(b) for b in z["bigrams"]], z["bigram_vecs"])


# --- building the file ----------------------------------------------------------------------------------------


def _raw_texts(shared: Path, *, include_gnews: bool, exclude: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every raw Chinese text in ``shared`` (NER corpora's sentences with their labels ignored, too)."""
    from corpora.msra import read_cluener, read_msra, read_weibo

    for s in read_msra(shared / "msra_ner" / "msra_train_bio"):
        yield s.text
    for split in ("train", "dev", "test"):
        for s in read_weibo(shared / "weibo_ner" / f"weiboNER_2nd_conll.{split}"):
            yield s.text
    for split in ("train", "dev"):
        for s in read_cluener(shared / "cluener2020" / f"{split}.json"):
            yield s.text
    for line in (shared / "cnews_thucnews_subset" / "cnews.train.txt").read_text(encoding="utf-8").splitlines():
        yield line.partition("\t")[2] or line
    for line in (shared / "thucnews_titles" / "dev.txt").read_text(encoding="utf-8").splitlines():
        yield line.rpartition("\t")[0] or line
    for name in ("train_few_all.json", "dev_few_all.json"):
        for line in (shared / "tnews_toutiao_fewclue" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                obj = json.loads(line)
                yield f"{obj.get('sentence', '')}。{obj.get('keywords', '')}"
    for line in (
        (shared / "nlpcc2016_stance" / "evasampledata4-TaskAA.txt")
        .read_text(encoding="utf-8", errors="replace")
        .splitlines()
    ):
        yield line
    if include_gnews:
        root = shared / "gnews_ourhimalayas"
        for p in sorted(root.rglob("*.md")):
            if p.relative_to(root).as_posix() not in exclude:
                yield p.read_text(encoding="utf-8", errors="replace")


def _sentences(shared: Path, *, include_gnews: bool, exclude: frozenset[str] = frozenset()) -> list[str]:
    from pipeline.text.normalize import normalize_text

    out = []
    for text in _raw_texts(shared, include_gnews=include_gnews, exclude=exclude):
        for piece in _SPLIT.split(normalize_text(text)[0]):
            piece = piece.strip()
            if len(piece) >= 2:
                out.append(piece)
    return out


def build(
    output: Path,
    *,
    char_dim: int,
    bigram_dim: int,
    epochs: int,
    seed: int,
    include_gnews: bool,
    min_count: int,
    shared: Path = SHARED,
    exclude: frozenset[str] = frozenset(),
) -> None:
    from gensim.models import Word2Vec

    t0 = time.time()
    sents = _sentences(shared, include_gnews=include_gnews, exclude=exclude)
    chars = [list(s) for s in sents]
    bigrams = []
    for s in sents:
        padded = BOS + s + EOS
        bigrams.append([padded[i : i + 2] for i in range(len(padded) - 1)])
    n_chars = sum(len(s) for s in sents)
    print(f"{len(sents):,} sentences, {n_chars:,} characters ({time.time() - t0:.0f}s)", flush=True)
    common = dict(sg=1, window=5, negative=5, workers=1, seed=seed, epochs=epochs, min_count=min_count)
    wc = Word2Vec(chars, vector_size=char_dim, **common)
    print(f"char vectors: {len(wc.wv):,} ({time.time() - t0:.0f}s)", flush=True)
    wb = Word2Vec(bigrams, vector_size=bigram_dim, **common)
    print(f"bigram vectors: {len(wb.wv):,} ({time.time() - t0:.0f}s)", flush=True)
    # index_to_key is sorted by descending count
    np.savez_compressed(
        output,
        chars=np.array(wc.wv.index_to_key),
        char_vecs=wc.wv.vectors.astype(np.float16),
        bigrams=np.array(wb.wv.index_to_key),
        bigram_vecs=wb.wv.vectors.astype(np.float16),
    )
    print(f"wrote {output} ({output.stat().st_size:,} bytes, {time.time() - t0:.0f}s)")


def main() -> None:
    ap = argparse.ArgumentParser(description="pretrain char and bigram word2vec vectors for the char NER")
    ap.add_argument("--output", required=True, type=Path)
    ap.add_argument("--char-dim", type=int, default=64)
    ap.add_argument("--bigram-dim", type=int, default=40)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--gnews",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also the gnews_ourhimalayas articles (off: the modern-news dev set comes from them)",
    )
    ap.add_argument("--shared", type=Path, default=SHARED, help="the shared data folder")
    ap.add_argument(
        "--exclude-annotated",
        nargs="*",
        default=[],
        metavar="JSONL",
        help="annotation files ({'file': '2024/x.md', ...} per line) whose articles to leave out",
    )
    ap.add_argument("--exclude-list", type=Path, help="a file of article paths (2024/x.md), one a line, to leave out")
    args = ap.parse_args()
    exclude: set[str] = set()
    if args.exclude_list:
        exclude.update(x.strip() for x in args.exclude_list.read_text(encoding="utf-8").splitlines() if x.strip())
    for path in args.exclude_annotated:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                exclude.add(json.loads(line)["file"])
    if exclude:
        print(f"leaving out {len(exclude)} annotated articles")
    build(
        args.output,
        char_dim=args.char_dim,
        bigram_dim=args.bigram_dim,
        epochs=args.epochs,
        seed=args.seed,
        include_gnews=args.gnews,
        min_count=args.min_count,
        shared=args.shared,
        exclude=frozenset(exclude),
    )


if __name__ == "__main__":
    main()
