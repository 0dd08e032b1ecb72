"""News articles about anything but the stance targets, for measuring how much the stance mention gate lets through.

Three sets of ``../shared/data`` (each optional): the cnews share of THUCNews (701 full articles, 2005-2011), the
THUCNews titles dev set (10,000 headlines) and the GNews corpus (202 articles, 2022-2024, traditional and
simplified). Each text is normalized like the ``normalize`` stage's default (OpenCC t2s, half-width): the gate
looks for its terms in the normalized title and body, so this is exactly what it would search at run time.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.text.normalize import normalize_text

NEWS_SETS: dict[str, str] = {
    "cnews": "cnews_thucnews_subset",
    "thucnews_titles": "thucnews_titles",
    "gnews": "gnews_ourhimalayas",
}


def load_unrelated_news(shared_data: str | Path) -> dict[str, list[str]]:
    """Normalized texts per news set found under ``shared_data`` (sets whose folder is missing are left out)."""
    from corpora.gnews import iter_articles
    from corpora.topic import load_cnews, load_thucnews_titles

    root = Path(shared_data)
    out: dict[str, list[str]] = {}
    for name, folder in NEWS_SETS.items():
        path = root / folder
        if not path.is_dir():
            continue
        if name == "cnews":
            raw = load_cnews(path).texts
        elif name == "thucnews_titles":
            raw = load_thucnews_titles(path).texts
        else:
            raw = [a.text if a.title_in_text or not a.title else f"{a.title}\n{a.text}" for _, a in iter_articles(path)]
        out[name] = [normalize_text(text)[0] for text in raw]
    return out
