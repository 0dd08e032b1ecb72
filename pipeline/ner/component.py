"""The spaCy pipeline component ``zhnews_char_ner``: the char BiLSTM-CRF inside a spaCy ``Language``.

Saved with ``nlp.to_disk`` like any spaCy pipeline: the architecture lives in the component's config, the
vocabularies and labels in ``vocab.json``, the weights in ``weights.npz`` (the torch ``state_dict`` as plain
arrays, embeddings stored as float16 to keep the model small; read with ``allow_pickle=False``). A loaded
component predicts with :class:`pipeline.ner.runtime.CharNet` and never imports torch; torch is needed only to
train, and to read a model of format 1 (``weights.pt``, read with ``torch.load(weights_only=True)``).
Predictions become real ``doc.ents`` through :func:`pipeline.ner.charspans.set_char_ents` with source ``"model"``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch
from threadpoolctl import ThreadpoolController

from pipeline.errors import ModelError
from pipeline.eval.spans import tags_to_spans
from pipeline.ner.charspans import CharSpan, set_char_ents
from pipeline.ner.consistency import propagate_labels
from pipeline.ner.features import FeatureVocab, chunk_bounds, default_lexicon, doc_text_and_parts, slice_features
from pipeline.ner.latin import fix_latin_spans
from pipeline.ner.netconfig import NetConfig
from pipeline.ner.runtime import CharNet, collate_arrays

if TYPE_CHECKING:
    from pipeline.ner.model import CharBiLSTMCRF

FACTORY = "zhnews_char_ner"
# 2: weights.npz; 1: weights.pt (torch), still read
FORMAT_VERSION = 2
WEIGHTS = "weights.npz"
_FP16_PREFIXES = ("char_emb.", "bigram_emb.")

DEFAULT_CONFIG: dict[str, Any] = {
    "batch_size": 64,
    "max_chunk": 200,
    # BLAS threads for the network's matrix products (0: the library's default); a run has a process per core
    "threads": 1,
    # padded/real size allowed within one inference batch (the LSTM pays for padding; a CNN hardly does, while
    # each batch costs one Viterbi loop, so CNN models set more)
    "pad_waste": 1.3,
    # post-rules for Latin words (pipeline/ner/latin.py): whole words, multi-word Latin names, no "Terms" PER
    "latin_rules": True,
    # a name tagged twice in a text is tagged at its other whole-word places too (pipeline/ner/consistency.py)
    "propagate": True,
    "net": NetConfig().to_dict(),
}


@Language.factory(FACTORY, default_config=DEFAULT_CONFIG)
def make_char_ner(
    nlp: Language,
    name: str,
    batch_size: int,
    max_chunk: int,
    threads: int,
    pad_waste: float,
    latin_rules: bool,
    propagate: bool,
    net: dict[str, Any],
) -> CharNER:
    if "dilations" in net:
        net = {**net, "dilations": tuple(int(d) for d in net["dilations"])}
    return CharNER(
        name,
        batch_size=batch_size,
        max_chunk=max_chunk,
        threads=threads,
        net=NetConfig(**net),
        pad_waste=pad_waste,
        latin_rules=latin_rules,
        propagate=propagate,
    )


class CharNER:
    """Character-level NER over jieba-segmented Docs; works from ``token.norm_`` / ``token.tag_``."""

    def __init__(
        self,
        name: str,
        *,
        batch_size: int,
        max_chunk: int,
        threads: int,
        net: NetConfig,
        pad_waste: float = 1.3,
        latin_rules: bool = True,
        propagate: bool = True,
    ) -> None:
        self.name = name
        self.propagate = propagate
        self.pad_waste = pad_waste
        self.latin_rules = latin_rules
        self.batch_size = batch_size
        self.max_chunk = max_chunk
        self.threads = threads
        self.net_config = net
        self.vocab_: FeatureVocab | None = None
        self.labels_: list[str] = []
        # the torch module while training; a loaded component has only its numpy network
        self.model_: CharBiLSTMCRF | None = None
        self.net_: CharNet | None = None

    def initialize_model(self, vocab: FeatureVocab, labels: list[str], *, seed: int = 0) -> CharBiLSTMCRF:
        import torch

        from pipeline.ner.model import CharBiLSTMCRF

        torch.manual_seed(seed)
        self.vocab_ = vocab
        self.labels_ = list(labels)
        self.model_ = CharBiLSTMCRF(self.net_config, vocab.sizes(), self.labels_)
        self.net_ = None
        return self.model_

    def network(self) -> CharNet:
        """What predicts: the loaded network, or the numpy copy of the weights being trained right now."""
        if self.model_ is not None:
            from pipeline.ner.model import inference_net

            return inference_net(self.model_)
        if self.net_ is None:
            raise ModelError(f"component {self.name!r} has no trained model (load one with nlp.from_disk)")
        return self.net_

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        for group in minibatch(docs, size=batch_size):
            for doc, spans in zip(group, self.predict_spans(group), strict=True):
                yield set_char_ents(doc, [CharSpan(s, e, lab, "model") for s, e, lab in spans])

    def predict_spans(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        """Entity character spans per Doc (offsets into ``doc.text``); long texts are chunked at sentences."""
        if self.vocab_ is None:
            raise ModelError(f"component {self.name!r} has no trained model (load one with nlp.from_disk)")
        net = self.network()
        chunks: list[tuple[int, int, dict]] = []  # (doc index, chunk start, features)
        lexicon = default_lexicon()
        texts = []
        doc_parts: list[tuple[str, np.ndarray]] = []
        for d, doc in enumerate(docs):
            text, parts = doc_text_and_parts(doc, lexicon)  # Doc.text would make a Token per token
            texts.append(text)
            doc_parts.append((parts.norm, parts.seg))  # not the features: a long text's would stay in memory
            if not text:
                continue
            feats = self.vocab_.encode(parts)
            for s, e in chunk_bounds(text, self.max_chunk):
                chunks.append((d, s, slice_features(feats, s, e)))
        results: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        # sort by length so batches waste little padding; results are placed back by index
        order = sorted(range(len(chunks)), key=lambda i: len(chunks[i][2]["char"]))
        with _blas_threads(self.threads):
            for idx in _length_batches(order, [len(c[2]["char"]) for c in chunks], self.batch_size, self.pad_waste):
                paths = net.predict(collate_arrays([chunks[j][2] for j in idx]))
                for j, path in zip(idx, paths, strict=True):
                    d, offset, _ = chunks[j]
                    tags = [self.labels_[t] for t in path]
                    results[d].extend((offset + s, offset + e, lab) for s, e, lab in tags_to_spans(tags))
        for d, spans in enumerate(results):
            spans.sort()
            if self.latin_rules and spans:
                results[d] = spans = fix_latin_spans(texts[d], spans)
            if self.propagate and spans:
                results[d] = propagate_labels(*doc_parts[d], spans)
        return results

    # serialization -------------------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        if self.vocab_ is None or (self.model_ is None and self.net_ is None):
            raise ModelError(f"component {self.name!r}: nothing to save, the model is not trained")
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "labels": self.labels_, **self.vocab_.to_json()}
        (out / "vocab.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if self.model_ is not None:
            from pipeline.ner.model import state_arrays

            state = state_arrays(self.model_)
        else:
            assert self.net_ is not None
            state = self.net_.state
        arrays = {k: v.astype(np.float16) if k.startswith(_FP16_PREFIXES) else v for k, v in state.items()}
        with open(out / WEIGHTS, "wb") as f:  # a file object: np.savez would append ".npz" to a name
            np.savez(f, allow_pickle=False, **arrays)
        (out / "weights.pt").unlink(missing_ok=True)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> CharNER:
        src = Path(path)
        try:
            meta = json.loads((src / "vocab.json").read_text(encoding="utf-8"))
            fmt = meta.get("format")
            if fmt == FORMAT_VERSION:
                with np.load(src / WEIGHTS, allow_pickle=False) as npz:
                    state = {k: npz[k].astype(np.float32) for k in npz.files}
            elif fmt == 1:
                state = _read_torch_weights(src / "weights.pt")
            else:
                raise ModelError(f"{src}: NER model format {fmt!r}, expected {FORMAT_VERSION} (or 1)")
            self.vocab_ = FeatureVocab.from_json(meta)
            self.labels_ = list(meta["labels"])
            self.model_ = None
            self.net_ = CharNet(state, self.net_config.to_dict(), self.labels_)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f"cannot read NER model component at {src}: {exc}") from None
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        raise NotImplementedError("zhnews_char_ner is saved with to_disk only")


@functools.cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()  # finding the loaded BLAS libraries takes milliseconds: once per process


def _blas_threads(threads: int) -> AbstractContextManager[Any]:
    """The matrix products on ``threads`` threads (0: the BLAS default): one per process, as a run has one
    process per core."""
    return _blas_controller().limit(limits=threads, user_api="blas") if threads > 0 else nullcontext()


def _read_torch_weights(path: Path) -> dict[str, np.ndarray]:
    """A format-1 model's ``weights.pt``: tensors only (``weights_only=True``), so no pickled code runs."""
    import torch

    state = torch.load(path, map_location="cpu", weights_only=True)
    return {k: v.float().numpy() for k, v in state.items()}


def _length_batches(order: list[int], lengths: list[int], max_size: int, waste: float = 1.3) -> list[list[int]]:
    """Cut length-sorted chunk indices into batches whose padded size stays within ``waste`` x their real size.

    The LSTM pays for padding, and one article's chunks range from a few characters to ``max_chunk``.
    """
    batches: list[list[int]] = []
    current: list[int] = []
    total = 0
    for i in order:
        n = lengths[i]
        if current and (len(current) >= max_size or (len(current) + 1) * n > waste * (total + n)):
            batches.append(current)
            current, total = [], 0
        current.append(i)
        total += n
    if current:
        batches.append(current)
    return batches
