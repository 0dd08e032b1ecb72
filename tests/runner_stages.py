"""Small real stages for the runner tests, loaded as a plugin file (``[run] plugins``).

They are loaded by path, not imported from the package, so spawned worker processes register them the same
way a user's own stage file would be registered.
"""

from __future__ import annotations

import os
import signal
import time
import zlib

from pipeline.document import Article
from pipeline.errors import ModelError, ZhNewsError
from pipeline.registry import register_stage


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


register_stage("test_mark")(Mark)
register_stage("test_fail")(Fail)
register_stage("test_sleep")(Sleep)
