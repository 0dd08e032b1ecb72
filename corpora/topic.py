"""Loaders for labelled news-topic data: THUCNews titles, cnews full text, TNEWS (FewCLUE) titles.

All three end as :class:`TopicExample` with a Chinese label, so models trained on either title set and on full
text speak the same label language (体育, 财经 …) even though their label sets differ (THUCNews titles have
股票 and 社会, cnews has 家居 and 时尚). :func:`load_topic_data` recognises a folder or file of any of the three.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import DataError

# class.txt of THUCNews titles names its classes in English; the pipeline reports Chinese labels
THUCNEWS_ZH: dict[str, str] = {
    "finance": "财经",
    "realty": "房产",
    "stocks": "股票",
    "education": "教育",
    "science": "科技",
    "society": "社会",
    "politics": "时政",
    "sports": "体育",
    "game": "游戏",
    "entertainment": "娱乐",
}

FORMATS: tuple[str, ...] = ("thucnews_titles", "cnews", "tnews")


@dataclass(frozen=True)
class TopicExample:
    text: str
    label: str


@dataclass
class TopicData:
    examples: list[TopicExample]
    path: Path
    format: str
    # what the text is: "title" (headlines only) or "fulltext" (title run into the body)
    kind: str

    @property
    def texts(self) -> list[str]:
        return [ex.text for ex in self.examples]

    @property
    def labels(self) -> list[str]:
        return [ex.label for ex in self.examples]

    def label_counts(self) -> Counter[str]:
        return Counter(self.labels)


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise DataError(f"{path}: {exc.strerror or exc}") from None


def load_thucnews_titles(path: str | Path, *, class_file: str | Path | None = None) -> TopicData:
    """``title<TAB>label_id`` lines; ids index ``class.txt`` (next to the data file unless given)."""
    path = Path(path)
    if path.is_dir():
        path = path / "dev.txt"
    class_path = Path(class_file) if class_file else path.with_name("class.txt")
    if not class_path.is_file():
        raise DataError(f"{class_path}: class list missing (THUCNews titles need class.txt next to the data)")
    names = [line.strip() for line in _read_lines(class_path) if line.strip()]
    labels = [THUCNEWS_ZH.get(name, name) for name in names]
    examples: list[TopicExample] = []
    for lineno, line in enumerate(_read_lines(path), start=1):
        if not line.strip():
            continue
        title, sep, ident = line.rpartition("\t")
        if not sep or not ident.strip().isdigit() or int(ident) >= len(labels):
            raise DataError(f"{path}:{lineno}: expected 'title<TAB>class id (0-{len(labels) - 1})'")
        examples.append(TopicExample(text=title.strip(), label=labels[int(ident)]))
    return _checked(TopicData(examples, path, "thucnews_titles", "title"))


def load_cnews(path: str | Path) -> TopicData:
    """``label<TAB>title+body`` lines (cnews layout); the label is already Chinese."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("cnews.*.txt"))
        if len(files) != 1:
            raise DataError(f"{path}: expected one cnews.*.txt file, found {len(files)}")
        path = files[0]
    examples: list[TopicExample] = []
    for lineno, line in enumerate(_read_lines(path), start=1):
        if not line.strip():
            continue
        label, sep, text = line.partition("\t")
        if not sep or not label.strip() or len(label) > 10:
            raise DataError(f"{path}:{lineno}: expected 'label<TAB>text'")
        examples.append(TopicExample(text=text.strip(), label=label.strip()))
    return _checked(TopicData(examples, path, "cnews", "fulltext"))


def load_tnews(path: str | Path) -> TopicData:
    """FewCLUE TNEWS JSON lines; a folder means train_few_all.json + dev_few_all.json together."""
    path = Path(path)
    files = (
        [p for p in (path / "train_few_all.json", path / "dev_few_all.json") if p.is_file()]
        if path.is_dir()
        else [path]
    )
    if not files:
        raise DataError(f"{path}: no train_few_all.json / dev_few_all.json")
    label_file = files[0].with_name("label_index2en2zh.json")
    zh: dict[str, str] = {}
    if label_file.is_file():
        for line in _read_lines(label_file):
            if line.strip():
                item = json.loads(line)
                zh[str(item["label"])] = item["label_zh"]
    examples: list[TopicExample] = []
    for file in files:
        for lineno, line in enumerate(_read_lines(file), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                label = str(item["label"])
                text = str(item["sentence"]).strip()
            except (json.JSONDecodeError, KeyError, TypeError):
                raise DataError(f"{file}:{lineno}: expected a JSON object with 'label' and 'sentence'") from None
            examples.append(TopicExample(text=text, label=zh.get(label, item.get("label_desc") or label)))
    return _checked(TopicData(examples, files[0], "tnews", "title"))


def _checked(data: TopicData) -> TopicData:
    if not data.examples:
        raise DataError(f"{data.path}: no examples")
    if len(data.label_counts()) < 2:
        raise DataError(f"{data.path}: needs at least two labels, found {sorted(data.label_counts())}")
    return data


def detect_format(path: str | Path) -> str:
    """Which of :data:`FORMATS` a file or folder holds, from its file names and first line."""
    path = Path(path)
    if path.is_dir():
        if (path / "class.txt").is_file():
            return "thucnews_titles"
        if any(path.glob("*_few_all.json")):
            return "tnews"
        if any(path.glob("cnews.*.txt")):
            return "cnews"
        raise DataError(f"{path}: no topic data recognised (THUCNews titles, cnews or TNEWS)")
    if not path.is_file():
        raise DataError(f"{path}: no such file or folder")
    first = next((line for line in _read_lines(path) if line.strip()), "")
    if first.lstrip().startswith("{"):
        return "tnews"
    _, _, tail = first.rpartition("\t")
    if tail.strip().isdigit():
        return "thucnews_titles"
    if "\t" in first:
        return "cnews"
    raise DataError(f"{path}: first line is neither 'title<TAB>id', 'label<TAB>text' nor JSON")


def load_topic_data(path: str | Path, format: str | None = None) -> TopicData:
    """Load any supported topic dataset; ``format`` (one of :data:`FORMATS`) overrides detection."""
    fmt = format or detect_format(path)
    loaders = {"thucnews_titles": load_thucnews_titles, "cnews": load_cnews, "tnews": load_tnews}
    if fmt not in loaders:
        raise DataError(f"unknown topic data format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return loaders[fmt](path)
