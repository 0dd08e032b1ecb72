"""The parent of worker processes checks the config's stages but never pays for what only the workers need."""

from __future__ import annotations

import subprocess
import sys

from pipeline.core import modelio
from pipeline.core.modelio import checking_only

CHECK_ONLY = """
import sys
from pipeline.core.config import load_config
from pipeline.core.modelio import checking_only
from pipeline.core.runner import build_stages

with checking_only():
    stages = build_stages(load_config())
heavy = sorted(m for m in ("sklearn", "scipy", "skops", "torch", "spacy") if m in sys.modules)
print(",".join(s.name for s in stages), "|", ",".join(heavy))
"""


def test_checking_the_default_stages_imports_no_model_library() -> None:
    out = subprocess.run([sys.executable, "-c", CHECK_ONLY], capture_output=True, text=True, check=True).stdout
    names, heavy = (part.strip() for part in out.split("|"))
    assert names == "normalize,segment,ner,linkcheck,stance,topic"
    assert heavy == ""


def test_checking_only_is_undone_on_exit_even_after_an_error() -> None:
    assert modelio._PREPARING is True
    try:
        with checking_only():
            assert modelio._PREPARING is False
            raise ValueError("a bad stage option")
    except ValueError:
        pass
    assert modelio._PREPARING is True
