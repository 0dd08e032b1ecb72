"""Small real stages for the runner tests, loaded as a plugin file (``[run] plugins``).

They are loaded by path, not imported from the package, so spawned worker processes register them the same
way a user's own stage file would be registered.
"""

from __future__ import annotations

import os
import signal
import time
import zlib

from pipeline.core.article import Article
from pipeline.core.registry import register_stage
from pipeline.errors import ModelError, ZhNewsError


class Mark:
    """Adds ``mark`` to the record: the option label and the text length, so tests see stage output."""

    name = "test_mark"

    def __init__(self, label: str = "seen") -> None:
        self.label = label

    def __call__(self, article: Article) -> Article:
        article.results["mark"] = {"label": self.label, "chars": len(article.text)}
        return article


class Fail:
    """Fails on articles whose text contains ``when``, in the way ``kind`` names."""

    name = "test_fail"

    def __init__(self, when: str = "失败", kind: str = "value") -> None:
        self.when = when
        self.kind = kind

    def __call__(self, article: Article) -> Article:
        if self.when in article.text:
            if self.kind == "value":
                raise ValueError(f"cannot handle {self.when}\nsecond line")
            if self.kind == "user":
                raise ZhNewsError(f"article mentions {self.when}")
            if self.kind == "model":
                raise ModelError("model folder models/missing not found")
            if self.kind == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
        return article


class Sleep:
    """Takes a text-dependent time, so files finish out of order in a pool and a run can be killed midway."""

    name = "test_sleep"

    def __init__(self, seconds: float = 0.05) -> None:
        self.seconds = seconds

    def __call__(self, article: Article) -> Article:
        time.sleep(self.seconds * (1 + zlib.crc32(article.text.encode()) % 4))
        return article


class Tag:
    """Adds ``tag``: the first characters of the normalized text (so it needs normalize before it)."""

    name = "test_tag"

    def __call__(self, article: Article) -> Article:
        article.results["tag"] = (article.norm_text or "")[:2]
        return article


class Sneaky:
    """Declares ``sneaky`` but, on articles containing ``when``, also writes ``key`` (default ``extra``), which
    it never declared (``key = "mark"`` replaces the field of the ``test_mark`` stage)."""

    name = "test_sneaky"

    def __init__(self, when: str = "台湾", key: str = "extra") -> None:
        self.when = when
        self.key = key

    def __call__(self, article: Article) -> Article:
        article.results["sneaky"] = True
        if self.when in article.text:
            article.results[self.key] = "undeclared"
        return article


class Retokenize:
    """Declares the segment stage's ``tokens``: two stages may never assign one field."""

    name = "test_retokenize"

    def __call__(self, article: Article) -> Article:
        return article


class PipeFail:
    """A batch stage whose ``pipe`` raises when any article of the batch contains ``when``; one by one only that
    article fails (the runner reruns a failed batch article by article)."""

    name = "test_pipe_fail"

    def __init__(self, when: str = "失败") -> None:
        self.when = when

    def __call__(self, article: Article) -> Article:
        if self.when in article.text:
            raise ValueError(f"cannot handle {self.when}")
        article.results["piped"] = len(article.text)
        return article

    def pipe(self, articles: list[Article]) -> list[Article]:
        if any(self.when in a.text for a in articles):
            raise RuntimeError("the whole batch failed")
        return [self(a) for a in articles]


register_stage("test_mark", assigns=("mark",))(Mark)
register_stage("test_tag", requires=("norm_text",), assigns=("tag",))(Tag)
register_stage("test_sneaky", assigns=("sneaky",))(Sneaky)
register_stage("test_retokenize", requires=("norm_text",), assigns=("tokens",))(Retokenize)
register_stage("test_pipe_fail", assigns=("piped",))(PipeFail)
register_stage("test_fail")(Fail)
register_stage("test_sleep")(Sleep)
