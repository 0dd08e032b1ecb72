"""The network's hyperparameters, apart from the network: a loaded model reads them without importing torch."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class NetConfig:
    """Architecture hyperparameters; stored in the component's config so a saved model rebuilds itself."""

    char_dim: int = 64
    bigram_dim: int = 40
    seg_dim: int = 10
    tag_dim: int = 16
    hidden: int = 128
    layers: int = 1
    dropout: float = 0.3
    # "lstm": BiLSTM of ``layers`` x ``hidden`` per direction; "cnn": a projection to ``hidden`` channels, then
    # one residual block (dilated Conv1d -> ReLU -> dropout, + input, LayerNorm) per entry of ``dilations``
    encoder: str = "lstm"
    kernel: int = 3
    dilations: tuple[int, ...] = (1, 2, 4, 1, 2, 4)

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)
