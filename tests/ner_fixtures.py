"""A tiny NER corpus of real Chinese sentences and a helper that trains a small model on it in seconds.

Used by the NER model and stage tests, so they exercise real training, saving and loading without the
shared MSRA data; accuracy is not the point (the shipped model's card reports that).
"""

from __future__ import annotations

from pathlib import Path

from corpora.msra import NerSentence, iter_bio_lines


def _s(text: str, *ents: tuple[str, str]) -> NerSentence:
    spans = []
    for surface, label in ents:
        start = text.index(surface)
        spans.append((start, start + len(surface), label))
    return NerSentence(text, tuple(sorted(spans)))


TINY_CORPUS: list[NerSentence] = [
    _s("新华社北京三月五日电", ("新华社", "ORG"), ("北京", "LOC")),
    _s("日本外相林芳正在东京会见美国国务卿", ("日本", "LOC"), ("林芳正", "PER"), ("东京", "LOC"), ("美国", "LOC")),
    _s("路透社报道，白宫发言人表示将继续谈判。", ("路透社", "ORG"), ("白宫", "ORG")),
    _s("驻日美军司令部位于东京都福生市。", ("日", "LOC"), ("美", "LOC"), ("东京都", "LOC"), ("福生市", "LOC")),
    _s("印度太平洋司令部司令阿基里诺访问菲律宾", ("印度太平洋司令部", "ORG"), ("阿基里诺", "PER"), ("菲律宾", "LOC")),
    _s("联合国秘书长古特雷斯呼吁各方保持克制。", ("联合国", "ORG"), ("古特雷斯", "PER")),
    _s("北京大学的学生来到上海参观。", ("北京大学", "ORG"), ("上海", "LOC")),
    _s("江泽民主席在人民大会堂会见了客人。", ("江泽民", "PER"), ("人民大会堂", "LOC")),
    _s("中国外交部发言人在北京表示，中方坚决反对。", ("中国外交部", "ORG"), ("北京", "LOC"), ("中", "LOC")),
    _s("今天天气很好，我们去公园散步。"),
    _s("韩国总统尹锡悦抵达华盛顿。", ("韩国", "LOC"), ("尹锡悦", "PER"), ("华盛顿", "LOC")),
    _s("世界卫生组织总部设在日内瓦。", ("世界卫生组织", "ORG"), ("日内瓦", "LOC")),
]


def write_tiny_corpus(path: Path, repeat: int = 4) -> Path:
    """The tiny corpus repeated (so a seeded dev split still shares names with train) as a char BIO file."""
    lines = list(iter_bio_lines(TINY_CORPUS * repeat))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tiny_overrides(corpus: Path, cache: Path, **extra: object) -> dict[str, object]:
    overrides: dict[str, object] = {
        "paths.train": str(corpus),
        "paths.cache": str(cache),
        "corpora.dev_fraction": 0.1,
        # a random split: the tiny corpus is one "document" repeated, contiguous blocks would hold whole copies
        "corpora.split": "random",
        # the shipped config's extra corpora and pretrained vectors are not part of these fixtures
        "corpora.extra_train": [],
        "paths.vectors": "",
        "training.max_epochs": 6,
        "training.batch_size": 4,
        "training.lr": 0.01,
        "training.min_char_count": 1,
        "training.min_bigram_count": 1,
        "components.ner.net.hidden": 32,
        "components.ner.net.char_dim": 16,
        "components.ner.net.bigram_dim": 8,
    }
    overrides.update(extra)
    return overrides
