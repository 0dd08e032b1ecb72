"""The network: embeddings of character, bigrams, soft-word and lexicon features -> BiLSTM -> linear -> CRF."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from pipeline.ner.crf import CRF
from pipeline.ner.features import N_LEX
from pipeline.ner.labels import allowed_transitions
from pipeline.ner.netconfig import NetConfig
from pipeline.ner.runtime import CharNet, collate_arrays


class CharBiLSTMCRF(nn.Module):
    def __init__(self, cfg: NetConfig, sizes: dict[str, int], labels: Sequence[str]) -> None:
        super().__init__()
        self.cfg = cfg
        self.labels = list(labels)
        # sparse gradients: an Adam step then touches only the rows a batch used (the bigram table is most of
        # the parameters, and a dense update of it cost as much as the LSTM's backward pass)
        self.char_emb = nn.Embedding(sizes["chars"], cfg.char_dim, padding_idx=0, sparse=True)
        self.bigram_emb = nn.Embedding(sizes["bigrams"], cfg.bigram_dim, padding_idx=0, sparse=True)
        self.seg_emb = nn.Embedding(5, cfg.seg_dim, padding_idx=0)
        self.tag_emb = nn.Embedding(sizes["tags"], cfg.tag_dim, padding_idx=0)
        in_dim = cfg.char_dim + 2 * cfg.bigram_dim + cfg.seg_dim + cfg.tag_dim + N_LEX
        self.drop = nn.Dropout(cfg.dropout)
        # two one-way LSTMs over left-aligned batches, the backward one on each sequence reversed within its own
        # length: padding then only ever follows the real characters, so a sentence's tags never depend on what
        # it was batched with, without packed sequences (whose backward pass is several times slower on CPU)
        self.fwd = nn.ModuleList()
        self.bwd = nn.ModuleList()
        self.convs = nn.ModuleList()
        self.norms = nn.ModuleList()
        dim = in_dim
        if cfg.encoder == "lstm":
            for _ in range(cfg.layers):
                self.fwd.append(nn.LSTM(dim, cfg.hidden, batch_first=True))
                self.bwd.append(nn.LSTM(dim, cfg.hidden, batch_first=True))
                dim = 2 * cfg.hidden
        elif cfg.encoder == "cnn":
            self.proj = nn.Linear(in_dim, cfg.hidden)
            for d in cfg.dilations:
                pad = d * (cfg.kernel - 1) // 2
                self.convs.append(nn.Conv1d(cfg.hidden, cfg.hidden, cfg.kernel, dilation=int(d), padding=pad))
                self.norms.append(nn.LayerNorm(cfg.hidden))
            dim = cfg.hidden
        else:
            raise ValueError(f"unknown encoder {cfg.encoder!r} (lstm or cnn)")
        self.out = nn.Linear(dim, len(self.labels))
        start_ok, follow_ok, end_ok = allowed_transitions(self.labels)
        self.crf = CRF(len(self.labels), start_ok=start_ok, follow_ok=follow_ok, end_ok=end_ok)

    def emissions(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        x = torch.cat(
            [
                self.char_emb(batch["char"]),
                self.bigram_emb(batch["bl"]),
                self.bigram_emb(batch["br"]),
                self.seg_emb(batch["seg"]),
                self.tag_emb(batch["tag"]),
                batch["lex"],
            ],
            dim=-1,
        )
        h = self.drop(x)
        if self.cfg.encoder == "cnn":
            return self.out(self.drop(self._cnn(h, batch["mask"])))
        rev = _reverse_index(batch["mask"])
        for i, (fwd, bwd) in enumerate(zip(self.fwd, self.bwd, strict=True)):
            if i:
                h = self.drop(h)
            hf, _ = fwd(h)
            hb, _ = bwd(h.gather(1, rev.unsqueeze(2).expand_as(h)))
            hb = hb.gather(1, rev.unsqueeze(2).expand_as(hb))
            h = torch.cat([hf, hb], dim=-1)
        return self.out(self.drop(h))

    def _cnn(self, h: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        # padding is zeroed before every convolution, so a sentence's outputs never depend on its batch
        m = mask.unsqueeze(2).to(h.dtype)
        h = torch.relu(self.proj(h)) * m
        for conv, norm in zip(self.convs, self.norms, strict=True):
            c = torch.relu(conv(h.transpose(1, 2))).transpose(1, 2)
            h = norm(h + self.drop(c)) * m
        return h

    def sparse_parameters(self) -> list[nn.Parameter]:
        # torch's stub types nn.Embedding.weight as Tensor; it is a Parameter
        return [self.char_emb.weight, self.bigram_emb.weight]  # type: ignore[list-item]

    def dense_parameters(self) -> list[nn.Parameter]:
        sparse = {id(p) for p in self.sparse_parameters()}
        return [p for p in self.parameters() if id(p) not in sparse]

    def loss(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.crf.nll(self.emissions(batch), batch["labels"], batch["mask"])


def _reverse_index(mask: torch.Tensor) -> torch.Tensor:
    """Per row, the index that reverses the first ``length`` positions and keeps the padding in place."""
    length = mask.size(1)
    lengths = mask.long().sum(1, keepdim=True)
    pos = torch.arange(length).unsqueeze(0).expand(mask.size(0), length)
    return torch.where(pos < lengths, lengths - 1 - pos, pos)


def collate(examples: Sequence[dict[str, np.ndarray]]) -> dict[str, torch.Tensor]:
    """Pad a list of encoded examples (optionally with ``labels``) into a batch of tensors."""
    return {k: torch.from_numpy(v) for k, v in collate_arrays(examples).items()}


def state_arrays(model: nn.Module) -> dict[str, np.ndarray]:
    """The weights as float32 arrays under their ``state_dict`` names: what :class:`CharNet` and ``weights.npz``
    hold."""
    return {k: v.detach().cpu().float().numpy().copy() for k, v in model.state_dict().items()}


def inference_net(model: CharBiLSTMCRF) -> CharNet:
    """The numpy network of the model's current weights (what a run predicts with)."""
    return CharNet(state_arrays(model), model.cfg.to_dict(), model.labels)
