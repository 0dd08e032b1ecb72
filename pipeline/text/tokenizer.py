"""The spaCy tokenizer ``zhnews.Tokenizer.v1``: OpenCC normalization + jieba, exactly as a run's stages do it.

spaCy's own Chinese tokenizer (``spacy/lang/zh``) picks its segmenter from the config; ours is registered the same
way (``@tokenizers = "zhnews.Tokenizer.v1"`` in a pipeline's ``config.cfg``, found through the ``spacy_tokenizers``
entry point), so ``spacy.load("models/ner")`` in a fresh interpreter rebuilds the whole pipeline: ``nlp(text)``
normalizes and segments ``text`` with the same functions as the ``normalize`` and ``segment`` stages
(:func:`pipeline.text.normalize.normalize_text`, :func:`pipeline.text.segment.segment_text`) and returns a Doc
whose text is ``text`` itself, traditional or simplified, with the normalized form in ``token.norm_`` and jieba's
flag in ``token.tag_``. Its settings default to those of ``configs/default.toml``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from pipeline.text.normalize import normalize_text
from pipeline.text.opencc_align import check_config
from pipeline.text.segment import build_doc, segment_text
from pipeline.text.segmenter import check_user_dicts

NAME = "zhnews.Tokenizer.v1"
CFG_FILE = "cfg"


class NewsTokenizer:
    """``text -> Doc``: normalize, segment, build the Doc on the original characters."""

    def __init__(
        self,
        vocab: Vocab,
        *,
        opencc: str = "t2s",
        fullwidth: bool = True,
        cleanup: bool = True,
        hmm: bool = False,
        pos: bool = True,
        user_dicts: Iterable[str] = (),
    ) -> None:
        self.vocab = vocab
        self.opencc = opencc if opencc == "none" else check_config(opencc)
        self.fullwidth = fullwidth
        self.cleanup = cleanup
        self.hmm = hmm
        self.pos = pos
        self.user_dicts = check_user_dicts(list(user_dicts))

    def __call__(self, text: str) -> Doc:
        norm_text, norm_map = normalize_text(text, self.opencc, self.fullwidth, cleanup=self.cleanup)
        tokens = segment_text(text, norm_text, norm_map, hmm=self.hmm, pos=self.pos, user_dicts=self.user_dicts)
        return build_doc(text, tokens, self.vocab)

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    # serialization: the settings only (the jieba dictionary is jieba's; user dictionaries are paths) -----------
    def _settings(self) -> dict[str, Any]:
        return {
            "opencc": self.opencc,
            "fullwidth": self.fullwidth,
            "cleanup": self.cleanup,
            "hmm": self.hmm,
            "pos": self.pos,
            "user_dicts": list(self.user_dicts),
        }

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return json.dumps(self._settings(), sort_keys=True).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> NewsTokenizer:
        settings = json.loads(data.decode("utf-8"))
        self.__init__(self.vocab, **settings)  # type: ignore[misc]
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / CFG_FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> NewsTokenizer:
        cfg = Path(path) / CFG_FILE
        return self.from_bytes(cfg.read_bytes()) if cfg.is_file() else self


@registry.tokenizers(NAME)
def create_tokenizer(
    opencc: str = "t2s",
    fullwidth: bool = True,
    cleanup: bool = True,
    hmm: bool = False,
    pos: bool = True,
    user_dicts: list[str] = [],  # noqa: B006  (spaCy configs pass lists; never mutated)
) -> Callable[[Language], NewsTokenizer]:
    def make(nlp: Language) -> NewsTokenizer:
        return NewsTokenizer(
            nlp.vocab, opencc=opencc, fullwidth=fullwidth, cleanup=cleanup, hmm=hmm, pos=pos, user_dicts=user_dicts
        )

    return make
