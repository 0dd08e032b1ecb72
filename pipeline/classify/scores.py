"""Scores, tables and plots for the stance and topic classifiers (used by ``train`` and ``eval`` alike).

Confusion-matrix plots are drawn with matplotlib's Agg backend (no display). Labels are Chinese; when no font
with CJK glyphs is installed (the usual case on a bare server), the plot uses the English names of the labels
we know instead of drawing empty boxes, and says so in its title.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from pipeline.classify.stance import Labels, f_avg

ENGLISH_LABELS: dict[str, str] = {
    "体育": "sports", "财经": "finance", "房产": "realty", "股票": "stocks", "教育": "education",
    "科技": "science", "社会": "society", "时政": "politics", "游戏": "game", "娱乐": "entertainment",
    "家居": "home", "时尚": "fashion", "故事": "story", "文化": "culture", "汽车": "car", "军事": "military",
    "旅游": "travel", "国际": "world", "农业": "agriculture", "电竞": "esports",
}  # fmt: skip

CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN",
)  # fmt: skip


def r4(x: float) -> float:
    return round(float(x), 4)


def stance_scores(targets: Sequence[str], y_true: Labels, y_pred: Labels) -> dict[str, Any]:
    """F_avg overall (pooled, as the shared task scores it) and per target, plus per-class P/R/F1."""
    t = np.asarray(targets, dtype=object)
    yt = np.asarray(y_true, dtype=object)
    yp = np.asarray(y_pred, dtype=object)
    labels = ["FAVOR", "AGAINST", "NONE"]
    p, r, f, s = precision_recall_fscore_support(yt, yp, labels=labels, zero_division=0)
    return {
        "f_avg": r4(f_avg(yt, yp)),
        "accuracy": r4(accuracy_score(yt, yp)),
        "per_target": {
            str(target): {"f_avg": r4(f_avg(yt[t == target], yp[t == target])), "n": int((t == target).sum())}
            for target in sorted(set(t))
        },
        "per_class": {
            lab: {"precision": r4(p[i]), "recall": r4(r[i]), "f1": r4(f[i]), "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
        "n": len(yt),
    }


def topic_scores(y_true: Labels, y_pred: Labels, labels: Sequence[str]) -> dict[str, Any]:
    labels = list(labels)
    p, r, f, s = precision_recall_fscore_support(list(y_true), list(y_pred), labels=labels, zero_division=0)
    return {
        "accuracy": r4(accuracy_score(y_true, y_pred)),
        "macro_f1": r4(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": {
            lab: {"precision": r4(p[i]), "recall": r4(r[i]), "f1": r4(f[i]), "support": int(s[i])}
            for i, lab in enumerate(labels)
        },
        "labels": labels,
        "confusion": confusion_matrix(list(y_true), list(y_pred), labels=labels).tolist(),
        "n": len(y_true),
    }


def confusion_table(matrix: Sequence[Sequence[int]], labels: Sequence[str]) -> str:
    """A Markdown table: rows are gold labels, columns predictions."""
    head = "| gold \\ predicted | " + " | ".join(labels) + " |"
    rule = "|---|" + "---:|" * len(labels)
    rows = [f"| {lab} | " + " | ".join(str(v) for v in row) + " |" for lab, row in zip(labels, matrix, strict=True)]
    return "\n".join([head, rule, *rows])


def per_class_table(per_class: dict[str, dict[str, float]]) -> str:
    lines = ["| label | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
    for lab, v in per_class.items():
        lines.append(f"| {lab} | {v['precision']:.4f} | {v['recall']:.4f} | {v['f1']:.4f} | {v['support']} |")
    return "\n".join(lines)


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    available = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONT_FAMILIES if name in available), None)


def plot_confusion(matrix: Sequence[Sequence[int]], labels: Sequence[str], path: str | Path, title: str) -> Path:
    """Save a confusion-matrix heat map as PNG (row-normalised colours, raw counts written in the cells)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(matrix, dtype=float)
    font = _cjk_font()
    shown = list(labels) if font else [ENGLISH_LABELS.get(lab, lab) for lab in labels]
    if not font and shown != list(labels):
        title += " (labels in English: no CJK font installed)"
    shares = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    size = max(4.0, 0.6 * len(labels) + 2)
    with plt.rc_context({"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"]}):
        fig, ax = plt.subplots(figsize=(size + 1, size))
        im = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        ax.set_xticks(range(len(shown)), shown, rotation=45, ha="right")
        ax.set_yticks(range(len(shown)), shown)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(title, fontsize=10)
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center", fontsize=8,
                        color="white" if shares[i, j] > 0.5 else "black")  # fmt: skip
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of gold row")
        fig.tight_layout()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return path
