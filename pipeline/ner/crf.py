"""A linear-chain CRF in torch: batched forward algorithm (training) and Viterbi (decoding), with masks.

Disallowed transitions (e.g. ``O -> I-PER`` under BIOES) get a large negative constant that is not a
parameter, so every decoded path is a well-formed set of entity spans.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from pipeline.ner.runtime import FORBIDDEN, viterbi


class CRF(nn.Module):
    # buffers registered in __init__ (nn.Module.__getattr__ alone types them as Tensor | Module)
    start_pen: torch.Tensor
    trans_pen: torch.Tensor
    end_pen: torch.Tensor

    def __init__(
        self,
        num_tags: int,
        *,
        start_ok: Sequence[bool] | None = None,
        follow_ok: Sequence[Sequence[bool]] | None = None,
        end_ok: Sequence[bool] | None = None,
    ) -> None:
        super().__init__()
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))

        def penalty(ok: Sequence | None, shape: tuple[int, ...]) -> torch.Tensor:
            if ok is None:
                return torch.zeros(shape)
            return (1.0 - torch.tensor(ok, dtype=torch.float32)) * FORBIDDEN

        self.register_buffer("start_pen", penalty(start_ok, (num_tags,)), persistent=False)
        self.register_buffer("trans_pen", penalty(follow_ok, (num_tags, num_tags)), persistent=False)
        self.register_buffer("end_pen", penalty(end_ok, (num_tags,)), persistent=False)

    def _params(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.start + self.start_pen, self.transitions + self.trans_pen, self.end + self.end_pen

    def score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Unnormalized log score of ``tags`` per sequence. Shapes: (B, L, T), (B, L), (B, L) bool."""
        start, trans, end = self._params()
        maskf = mask.to(emissions.dtype)
        emit = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)  # (B, L)
        total = start[tags[:, 0]] + (emit * maskf).sum(1)
        if tags.size(1) > 1:
            pair = trans[tags[:, :-1], tags[:, 1:]]  # (B, L-1)
            total = total + (pair * maskf[:, 1:]).sum(1)
        lengths = mask.long().sum(1)
        last = tags.gather(1, (lengths - 1).unsqueeze(1)).squeeze(1)
        return total + end[last]

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        start, trans, end = self._params()
        alpha = start.unsqueeze(0) + emissions[:, 0]  # (B, T)
        for i in range(1, emissions.size(1)):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + emissions[:, i]
            alpha = torch.where(mask[:, i].unsqueeze(1), nxt, alpha)
        return torch.logsumexp(alpha + end.unsqueeze(0), dim=1)

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood over the batch."""
        return (self.log_partition(emissions, mask) - self.score(emissions, tags, mask)).mean()

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Best tag sequence per sequence (Viterbi), each as long as its mask: :func:`pipeline.ner.runtime.viterbi`,
        what a run decodes with."""
        start, trans, end = (t.detach().numpy() for t in self._params())
        return viterbi(start, trans, end, emissions.detach().numpy(), mask.numpy())
