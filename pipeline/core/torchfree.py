"""Run processes that need no torch do not import it.

spaCy imports thinc, and thinc's ``compat`` module imports torch whenever it is installed, to offer its PyTorch
wrappers: 1.3 s of a process's start-up, for a run whose models are all numpy (the shipped NER network runs in
:mod:`pipeline.ner.runtime`; torch is there to train). With ``N`` worker processes each paying it, it was the
largest part of what kept two workers from being twice as fast as one.

A run therefore hides torch in the processes it owns (its pool workers, its own Dask LocalCluster, the
``zhnews run`` process itself while it runs the stages; not the process of a library caller of ``runner.run``)
when no configured stage needs it: an import finder
makes ``import torch`` fail, so thinc takes the path it takes on a machine without torch. A stage says it needs
torch through an optional ``needs_torch()`` method; the built-in stages answer from their models, and a plugin
stage without the method is assumed to need it. Processes the run does not own (workers of a Dask scheduler
given with ``--scheduler``) are left alone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

HIDDEN = "torch"


class _HideTorch(MetaPathFinder):
    """Refuses ``torch`` and its submodules, as an environment without torch would."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == HIDDEN or fullname.startswith(HIDDEN + "."):
            raise ModuleNotFoundError(
                f"No module named {fullname!r}: zhnews hides torch in this run's processes, since no configured "
                "stage declared it needs torch (a stage that does defines needs_torch() returning True)",
                name=fullname,
            )
        return None


def stages_need_torch(stages: Sequence[Any]) -> bool:
    """Whether any stage needs torch: its ``needs_torch()`` says so, or it has no such method."""
    for stage in stages:
        needs = getattr(stage, "needs_torch", None)
        if needs is None or needs():
            return True
    return False


def torch_hidden_now() -> bool:
    return any(isinstance(f, _HideTorch) for f in sys.meta_path)


def hide_torch() -> bool:
    """Hide torch for the rest of this process (one the run owns); False when it is already imported."""
    if HIDDEN in sys.modules:
        return False
    if not torch_hidden_now():
        sys.meta_path.insert(0, _HideTorch())
    return True


@contextmanager
def torch_hidden(hide: bool = True) -> Iterator[None]:
    """Hide torch inside the block only (``zhnews run`` running its stages in the caller's process).

    What was imported meanwhile stays imported: thinc then keeps the view of a machine without torch for the
    process's life, which matters only to thinc's PyTorch wrappers, not to torch used directly (training).
    """
    finder = _HideTorch() if hide and HIDDEN not in sys.modules and not torch_hidden_now() else None
    if finder is not None:
        sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        if finder is not None:
            sys.meta_path.remove(finder)
