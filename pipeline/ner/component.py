"""The spaCy pipeline component ``zhnews_char_ner``: the char BiLSTM-CRF inside a spaCy ``Language``.

Saved with ``nlp.to_disk`` like any spaCy pipeline: the architecture lives in the component's config, the
vocabularies and labels in ``vocab.json``, the weights in ``weights.pt`` (a plain ``state_dict`` of tensors,
embeddings stored as float16 to keep the model small; read with ``torch.load(weights_only=True)``, never pickle).
Predictions become real ``doc.ents`` through :func:`pipeline.ner.charspans.set_char_ents` with source ``"model"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import torch
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch

from pipeline.errors import ModelError
from pipeline.eval.spans import tags_to_spans
from pipeline.ner.charspans import CharSpan, doc_text, set_char_ents
from pipeline.ner.features import FeatureVocab, chunk_bounds, default_lexicon, doc_parts, slice_features
from pipeline.ner.latin import fix_latin_spans
from pipeline.ner.model import CharBiLSTMCRF, NetConfig, collate

FACTORY = "zhnews_char_ner"
FORMAT_VERSION = 1
_FP16_PREFIXES = ("char_emb.", "bigram_emb.")

DEFAULT_CONFIG: dict[str, Any] = {
    "batch_size": 64,
    "max_chunk": 200,
    "threads": 1,
    # padded/real size allowed within one inference batch (the LSTM pays for padding; a CNN hardly does, while
    # each batch costs one Viterbi loop, so CNN models set more)
    "pad_waste": 1.3,
    # post-rules for Latin words (pipeline/ner/latin.py): whole words, multi-word Latin names, no "Terms" PER
    "latin_rules": True,
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
    ) -> None:
        self.name = name
        self.pad_waste = pad_waste
        self.latin_rules = latin_rules
        self.batch_size = batch_size
        self.max_chunk = max_chunk
        self.threads = threads
        self.net_config = net
        self.vocab_: FeatureVocab | None = None
        self.labels_: list[str] = []
        self.model_: CharBiLSTMCRF | None = None

    def initialize_model(self, vocab: FeatureVocab, labels: list[str], *, seed: int = 0) -> CharBiLSTMCRF:
        torch.manual_seed(seed)
        self.vocab_ = vocab
        self.labels_ = list(labels)
        self.model_ = CharBiLSTMCRF(self.net_config, vocab.sizes(), self.labels_)
        return self.model_

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 16) -> Iterator[Doc]:
        for group in minibatch(docs, size=batch_size):
            for doc, spans in zip(group, self.predict_spans(group), strict=True):
                yield set_char_ents(doc, [CharSpan(s, e, lab, "model") for s, e, lab in spans])

    def predict_spans(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        """Entity character spans per Doc (offsets into ``doc.text``); long texts are chunked at sentences."""
        if self.model_ is None or self.vocab_ is None:
            raise ModelError(f"component {self.name!r} has no trained model (load one with nlp.from_disk)")
        chunks: list[tuple[int, int, dict]] = []  # (doc index, chunk start, features)
        lexicon = default_lexicon()
        texts = []
        for d, doc in enumerate(docs):
            text = doc_text(doc)  # Doc.text makes a Token per token on each access
            texts.append(text)
            if not text:
                continue
            feats = self.vocab_.encode(doc_parts(doc, lexicon))
            for s, e in chunk_bounds(text, self.max_chunk):
                chunks.append((d, s, slice_features(feats, s, e)))
        results: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        # sort by length so batches waste little padding; results are placed back by index
        order = sorted(range(len(chunks)), key=lambda i: len(chunks[i][2]["char"]))
        model = self.model_
        was_training = model.training
        model.eval()
        prev_threads = torch.get_num_threads()
        if self.threads > 0:
            torch.set_num_threads(self.threads)
        try:
            for idx in _length_batches(order, [len(c[2]["char"]) for c in chunks], self.batch_size, self.pad_waste):
                paths = model.predict(collate([chunks[j][2] for j in idx]))
                for j, path in zip(idx, paths, strict=True):
                    d, offset, _ = chunks[j]
                    tags = [self.labels_[t] for t in path]
                    results[d].extend((offset + s, offset + e, lab) for s, e, lab in tags_to_spans(tags))
        finally:
            torch.set_num_threads(prev_threads)
            model.train(was_training)
        for d, spans in enumerate(results):
            spans.sort()
            if self.latin_rules and spans:
                results[d] = fix_latin_spans(texts[d], spans)
        return results

    # serialization -------------------------------------------------------------------------------------
    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        if self.model_ is None or self.vocab_ is None:
            raise ModelError(f"component {self.name!r}: nothing to save, the model is not trained")
        out = Path(path)
        out.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT_VERSION, "labels": self.labels_, **self.vocab_.to_json()}
        (out / "vocab.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        state = {
            k: (v.detach().half() if k.startswith(_FP16_PREFIXES) else v.detach()).clone()
            for k, v in self.model_.state_dict().items()
        }
        torch.save(state, out / "weights.pt")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> CharNER:
        src = Path(path)
        try:
            meta = json.loads((src / "vocab.json").read_text(encoding="utf-8"))
            state = torch.load(src / "weights.pt", map_location="cpu", weights_only=True)
        except (OSError, ValueError, RuntimeError) as exc:
            raise ModelError(f"cannot read NER model component at {src}: {exc}") from None
        if meta.get("format") != FORMAT_VERSION:
            raise ModelError(f"{src}: NER model format {meta.get('format')!r}, expected {FORMAT_VERSION}")
        self.vocab_ = FeatureVocab.from_json(meta)
        self.labels_ = list(meta["labels"])
        self.model_ = CharBiLSTMCRF(self.net_config, self.vocab_.sizes(), self.labels_)
        self.model_.load_state_dict({k: v.float() for k, v in state.items()})
        self.model_.eval()
        return self

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        raise NotImplementedError("zhnews_char_ner is saved with to_disk only")


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
