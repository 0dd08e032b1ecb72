"""The NER network at inference time, in numpy: the trained weights of :class:`pipeline.ner.model.CharBiLSTMCRF`,
the same arithmetic, no torch.

Why a second implementation of the forward pass: a run never trains, and importing torch costs each process
1.3 s (spaCy's thinc imports it whenever it is installed, see :mod:`pipeline.core.torchfree`): that start-up was
a tenth of a one-worker run on 1,005 articles and the main bar to two workers being twice as fast as one. On
the batches the component makes, this forward pass runs at the speed of torch's (both are bound by the same
matrix products), so nothing is lost. Training keeps torch (autograd); the dev scores it reports come from this
module too (``pipeline.ner.train.predict_encoded``), so the figures in a model card are those of the code that
runs. ``tests/ner/test_ner_runtime.py`` checks it against the torch module on random weights, for every
encoder the config offers.

Weights come as a mapping of the torch ``state_dict`` names to arrays (what ``weights.npz`` holds). Batches
are what :func:`collate_arrays` makes: left-aligned rows, padding after each sequence's end.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from pipeline.ner.features import N_LEX
from pipeline.ner.labels import allowed_transitions

FORBIDDEN = -10000.0
_INDEX_KEYS = ("char", "bl", "br", "seg", "tag")


def collate_arrays(examples: Sequence[Mapping[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Pad encoded examples (optionally with ``labels``) into one batch: int64 ids, float32 ``lex``, bool ``mask``."""
    bsz = len(examples)
    length = max(len(e["char"]) for e in examples)
    batch: dict[str, np.ndarray] = {}
    for key in (*_INDEX_KEYS, "labels"):
        if key not in examples[0]:
            continue
        arr = np.zeros((bsz, length), dtype=np.int64)
        for i, e in enumerate(examples):
            arr[i, : len(e[key])] = e[key]
        batch[key] = arr
    lex = np.zeros((bsz, length, N_LEX), dtype=np.float32)
    mask = np.zeros((bsz, length), dtype=bool)
    for i, e in enumerate(examples):
        n = len(e["char"])
        lex[i, :n] = e["lex"]
        mask[i, :n] = True
    batch["lex"] = lex
    batch["mask"] = mask
    return batch


def transition_penalties(labels: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start, transition and end penalties: 0 where BIOES allows a move, :data:`FORBIDDEN` where it does not."""
    start_ok, follow_ok, end_ok = allowed_transitions(labels)

    def penalty(ok: Sequence[Any]) -> np.ndarray:
        return ((1.0 - np.asarray(ok, dtype=np.float32)) * FORBIDDEN).astype(np.float32)

    return penalty(start_ok), penalty(follow_ok), penalty(end_ok)


def viterbi(start: np.ndarray, trans: np.ndarray, end: np.ndarray, em: np.ndarray, mask: np.ndarray) -> list[list[int]]:
    """Best tag sequence per row of ``em`` (B, L, K), each as long as its ``mask`` row.

    The loop over time steps is made of tiny array operations, where numpy's per-call cost is a fraction of
    torch's. Each step's candidates are laid out (B, next, previous), so the max over the previous tag runs
    along contiguous memory, and the best scores are read back with one flat ``take`` (a third faster than
    reducing over the middle axis and ``take_along_axis``).
    """
    bsz, length, num = em.shape
    score = start[None, :] + em[:, 0]
    history = np.empty((max(length - 1, 0), bsz, num), dtype=np.int64)
    ident = np.broadcast_to(np.arange(num), (bsz, num))
    trans_t = np.ascontiguousarray(trans.T, dtype=score.dtype)[None, :, :]  # [0, next, prev]
    cand = np.empty((bsz, num, num), dtype=score.dtype)
    flat = cand.reshape(bsz * num, num)
    row_starts = np.arange(bsz * num) * num
    lengths = mask.sum(axis=1)
    every_row = int(lengths.min()) if bsz else 0  # steps before this one are real in every row: no masking
    for i in range(1, length):
        np.add(score[:, None, :], trans_t, out=cand)
        idx = flat.argmax(axis=1)
        best = np.take(flat, row_starts + idx).reshape(bsz, num)
        if i < every_row:
            score = best + em[:, i]
            history[i - 1] = idx.reshape(bsz, num)
            continue
        step = mask[:, i, None]
        score = np.where(step, best + em[:, i], score)
        # padded steps point to themselves, so one vectorized backtrack serves every length
        history[i - 1] = np.where(step, idx.reshape(bsz, num), ident)
    last = (score + end[None, :]).argmax(axis=1)
    path = np.empty((bsz, length), dtype=np.int64)
    path[:, -1] = last
    rows = np.arange(bsz)
    for i in range(length - 1, 0, -1):
        path[:, i - 1] = history[i - 1][rows, path[:, i]]
    # with identity steps after the end, the real last tag sits at every padded position: read the prefix
    return [path[b, :n].tolist() for b, n in enumerate(lengths.tolist())]


def _gates(w: np.ndarray) -> np.ndarray:
    """torch's gate rows (i, f, g, o) as (i, f, o, g), the sigmoid gates halved.

    Then one ``tanh`` over all four gates serves both activations: sigmoid(x) = (tanh(x / 2) + 1) / 2.
    """
    i, f, g, o = np.split(w.astype(np.float32), 4, axis=0)
    return np.concatenate([0.5 * i, 0.5 * f, 0.5 * o, g], axis=0)


class CharNet:
    """Emissions and Viterbi paths of a trained network (``encoder`` "lstm" or "cnn"), from its state arrays."""

    def __init__(self, state: Mapping[str, np.ndarray], net: Mapping[str, Any], labels: Sequence[str]) -> None:
        # the weights as given (what ``to_disk`` writes back); the embedding tables below are these same arrays
        self.state = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}

        def get(name: str) -> np.ndarray:
            if name not in self.state:
                raise KeyError(f"weights have no {name!r}")
            return self.state[name]

        self.encoder = str(net.get("encoder", "lstm"))
        self.hidden = int(net["hidden"])
        self.tables = {k: get(f"{k}.weight") for k in ("char_emb", "bigram_emb", "seg_emb", "tag_emb")}
        self.lstm: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self.first: tuple[_FirstProjection, _FirstProjection] | None = None
        self.proj: tuple[np.ndarray, np.ndarray] | None = None
        self.convs: list[tuple[np.ndarray, np.ndarray, int]] = []
        self.norms: list[tuple[np.ndarray, np.ndarray]] = []
        if self.encoder == "lstm":
            for layer in range(int(net["layers"])):

                def part(d: str, kind: str, layer: int = layer) -> np.ndarray:
                    return _gates(get(f"{d}.{layer}.{kind}_l0"))

                w_hh = np.stack([part("fwd", "weight_hh").T, part("bwd", "weight_hh").T])
                self.lstm.append(
                    (
                        np.ascontiguousarray(part("fwd", "weight_ih").T),
                        np.ascontiguousarray(part("bwd", "weight_ih").T),
                        part("fwd", "bias_ih") + part("fwd", "bias_hh"),
                        part("bwd", "bias_ih") + part("bwd", "bias_hh"),
                        np.ascontiguousarray(w_hh),
                    )
                )
            w_f, w_b, b_f, b_b, _ = self.lstm[0]
            self.first = (_FirstProjection(w_f, b_f, self.tables), _FirstProjection(w_b, b_b, self.tables))
        elif self.encoder == "cnn":
            self.proj = (get("proj.weight").T.copy(), get("proj.bias"))
            for i, d in enumerate(net["dilations"]):
                self.convs.append((get(f"convs.{i}.weight"), get(f"convs.{i}.bias"), int(d)))
                self.norms.append((get(f"norms.{i}.weight"), get(f"norms.{i}.bias")))
        else:
            raise ValueError(f"unknown encoder {self.encoder!r} (lstm or cnn)")
        self.out_w = get("out.weight").T.copy()
        self.out_b = get("out.bias")
        start_pen, trans_pen, end_pen = transition_penalties(labels)
        self.start = get("crf.start") + start_pen
        self.trans = get("crf.transitions") + trans_pen
        self.end = get("crf.end") + end_pen

    def predict(self, batch: Mapping[str, np.ndarray]) -> list[list[int]]:
        return viterbi(self.start, self.trans, self.end, self.emissions(batch), batch["mask"])

    def emissions(self, batch: Mapping[str, np.ndarray]) -> np.ndarray:
        """(B, L, tags) scores; computed time-major, (L, B, ...), so each recurrent step reads contiguous rows."""
        mask = batch["mask"]
        if self.encoder == "cnn":
            return self._cnn(self._inputs(batch), mask).transpose(1, 0, 2)
        assert self.first is not None
        pad = ~mask.T  # (L, B)
        x = self.first[0].inputs(batch)  # the same inputs serve both directions, in text order
        hf, hb = self._bilstm(self.first[0](batch, x), self.first[1](batch, x), pad, self.lstm[0][4])
        for w_f, w_b, b_f, b_b, w_hh in self.lstm[1:]:
            both = np.concatenate([hf, hb], axis=-1)
            hf, hb = self._bilstm(_affine(both, w_f, b_f), _affine(both, w_b, b_b), pad, w_hh)
        h = self.hidden
        ef = _affine(hf, self.out_w[:h]).transpose(1, 0, 2)
        eb = _affine(hb, self.out_w[h:]).transpose(1, 0, 2)
        return ef + eb + self.out_b

    def _inputs(self, batch: Mapping[str, np.ndarray]) -> np.ndarray:
        """The embedded features, (L, B, D), as the torch module concatenates them."""
        t = self.tables
        parts = [
            t["char_emb"][batch["char"].T],
            t["bigram_emb"][batch["bl"].T],
            t["bigram_emb"][batch["br"].T],
            t["seg_emb"][batch["seg"].T],
            t["tag_emb"][batch["tag"].T],
            batch["lex"].transpose(1, 0, 2),
        ]
        return np.concatenate(parts, axis=-1)

    def _bilstm(
        self, gf: np.ndarray, gb: np.ndarray, pad: np.ndarray, w_hh: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Both directions of one layer, step by step together, each state in text order (L, B, H).

        ``gf``/``gb`` (L, B, 4H) are the input projections of each direction in text order, ``pad`` (L, B) marks
        padding. The backward direction walks the time axis from the end, so a row shorter than the batch meets
        its padding first: there its gate inputs are made to shut the input gate exactly (tanh(-30) is -1 in
        float32), so state and cell stay exactly zero up to the row's last character, where the backward pass
        starts from zero as it would alone. So no row is reversed: no per-row gathers of inputs or outputs, and
        each step reads one contiguous time slice. (``tests/ner/test_ner_runtime.py`` checks the torch module.)
        """
        length, bsz, _ = gf.shape
        h = self.hidden
        if pad.any():
            gb[pad] = _closed_gates(h)
        gb = gb[::-1]  # step t reads position L-1-t
        state = np.zeros((2, bsz, h), dtype=np.float32)
        cell = np.zeros((2, bsz, h), dtype=np.float32)
        gates = np.empty((2, bsz, 4 * h), dtype=np.float32)
        tmp = np.empty_like(cell)
        out = np.empty((length, 2, bsz, h), dtype=np.float32)
        g_f, g_b = gates[0], gates[1]
        # sigmoid(x) = tanh(x / 2) / 2 + 1/2 on the i, f, o columns, tanh itself on g: one scale and one shift
        # over the whole (contiguous) array, which numpy runs faster than the same on the strided i-f-o slice
        scale = np.concatenate([np.full(3 * h, 0.5, dtype=np.float32), np.ones(h, dtype=np.float32)])
        shift = np.concatenate([np.full(3 * h, 0.5, dtype=np.float32), np.zeros(h, dtype=np.float32)])
        i_gate, f_gate, o_gate, g_gate = (gates[:, :, k * h : (k + 1) * h] for k in range(4))
        for t in range(length):
            np.matmul(state, w_hh, out=gates)
            g_f += gf[t]
            g_b += gb[t]
            np.tanh(gates, out=gates)
            gates *= scale
            gates += shift
            cell *= f_gate
            np.multiply(i_gate, g_gate, out=tmp)
            cell += tmp
            np.tanh(cell, out=state)
            state *= o_gate
            out[t] = state
        return out[:, 0], out[::-1, 1]

    def _cnn(self, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
        # padding is zeroed before every convolution, so a sentence's outputs never depend on its batch
        assert self.proj is not None
        m = mask.T[:, :, None].astype(np.float32)
        h = np.maximum(_affine(x, *self.proj), 0.0) * m
        length = h.shape[0]
        for (w, b, d), (gamma, beta) in zip(self.convs, self.norms, strict=True):
            k = w.shape[2]
            pad = d * (k - 1) // 2
            padded = np.zeros((length + 2 * pad, *h.shape[1:]), dtype=np.float32)
            padded[pad : pad + length] = h
            c = np.zeros((length, h.shape[1], w.shape[0]), dtype=np.float32) + b
            for j in range(k):
                c += _affine(padded[j * d : j * d + length], w[:, :, j].T)
            y = h + np.maximum(c, 0.0)
            mean = y.mean(axis=-1, keepdims=True)
            var = y.var(axis=-1, keepdims=True)
            h = ((y - mean) / np.sqrt(var + 1e-5) * gamma + beta) * m
        return _affine(h, self.out_w, self.out_b)


class _FirstProjection:
    """The first LSTM layer's input projection (one direction), with the character, word-position and POS
    tables folded in.

    A row of an embedding table times the projection is a row of (table @ projection): those products are
    computed once, here, and looked up per character, so the per-character matrix product covers only the
    bigram vectors and lexicon bits (95 of 185 input dimensions at the shipped sizes). The input projection
    was half of the network's time, and bound by this CPU's arithmetic.
    """

    def __init__(self, w: np.ndarray, b: np.ndarray, tables: Mapping[str, np.ndarray]) -> None:
        names = ("char_emb", "bigram_emb", "bigram_emb", "seg_emb", "tag_emb")
        w_char, w_left, w_right, w_seg, w_tag, w_lex = np.split(
            w, np.cumsum([tables[k].shape[1] for k in names]), axis=0
        )
        self.bigrams = tables["bigram_emb"]
        self.char = np.ascontiguousarray(tables["char_emb"] @ w_char)
        self.n_tags = tables["tag_emb"].shape[0]
        seg_tag = (tables["seg_emb"] @ w_seg)[:, None, :] + (tables["tag_emb"] @ w_tag)[None, :, :] + b
        self.seg_tag = np.ascontiguousarray(seg_tag.reshape(-1, w.shape[1]))  # row seg * n_tags + tag, bias in
        self.rest = np.ascontiguousarray(np.concatenate([w_left, w_right, w_lex], axis=0))

    def inputs(self, batch: Mapping[str, np.ndarray]) -> np.ndarray:
        """(L, B, 95): the features the product covers (both bigram vectors, the lexicon bits), in text order."""
        bl, br = batch["bl"].T, batch["br"].T
        return np.concatenate([self.bigrams[bl], self.bigrams[br], batch["lex"].transpose(1, 0, 2)], axis=-1)

    def __call__(self, batch: Mapping[str, np.ndarray], x: np.ndarray) -> np.ndarray:
        """(L, B, 4H) gate inputs in text order, from :meth:`inputs`."""
        g = _affine(x, self.rest)
        g += self.char[batch["char"].T]
        g += self.seg_tag[batch["seg"].T * self.n_tags + batch["tag"].T]
        return g


@functools.cache
def _closed_gates(hidden: int) -> np.ndarray:
    """Backward gate inputs at padding, in :func:`_gates` order (i, f, o, g, sigmoid gates halved): the input
    gate shut (sigmoid 0 exactly), the others 0; so a zero state and cell stay exactly zero."""
    row = np.zeros(4 * hidden, dtype=np.float32)
    row[:hidden] = -30.0
    return row


def _affine(x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """``x @ w + b`` over the last axis as one 2-D matrix product: numpy runs a 3-D ``@`` as one small product per
    leading index, which made the input projection three times slower."""
    y = np.dot(x.reshape(-1, x.shape[-1]), w).reshape(*x.shape[:-1], w.shape[1])
    if b is not None:
        y += b
    return y
