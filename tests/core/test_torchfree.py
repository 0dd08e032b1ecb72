"""A run whose stages need no torch never imports it (pipeline/core/torchfree.py): spaCy's thinc would, for 1.3 s
per process."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.article import Article
from pipeline.core.config import load_config
from pipeline.core.modelio import checking_only
from pipeline.core.registry import BatchStage
from pipeline.core.runner import build_stages, config_needs_torch, engine_task
from pipeline.core.torchfree import stages_need_torch
from pipeline.stages.ner import NerStage

REPO = Path(__file__).resolve().parents[2]
ARTICLE = """# 日本首相访问美国

2024-03-05

来源：https://example.com/a

[[zh:日本]]首相岸田文雄周二抵达[[zh:华盛顿]]，与[[美国]]总统拜登会谈。
"""


def _modules() -> list[str]:
    return sorted(m for m in ("torch", "spacy", "thinc") if m in sys.modules)


def test_the_default_stages_need_no_torch_and_a_stage_may_say_it_does(tmp_path: Path) -> None:
    config = load_config()
    with checking_only():
        stages = build_stages(config)
    assert not stages_need_torch(stages) and not config_needs_torch(config)

    @dataclass(frozen=True)
    class PluginStage(BatchStage):  # a stage of another package: assumed to need torch unless it says not
        name: str = "plugin"

        def __call__(self, article: Article) -> Article:
            return article

    class NoMethod:
        name = "bare"

    PluginStage.__module__ = "someone_elses.stages"
    assert stages_need_torch([*stages, PluginStage()])
    assert stages_need_torch([NoMethod()])
    (tmp_path / "config.cfg").write_text('[components.ner]\nfactory = "transformer"\n', encoding="utf-8")
    assert NerStage(model=str(tmp_path)).needs_torch()


HIDDEN_IN_BLOCK = """
import sys
from pipeline.core.torchfree import torch_hidden
with torch_hidden():
    import spacy
    try:
        import torch
    except ImportError as exc:
        refused = "hides torch" in str(exc)
import thinc.compat
print(refused, "torch" in sys.modules, thinc.compat.has_torch)
import torch  # the block is over: importing torch directly works again
print(torch.ones(1).item())
"""


def test_torch_is_hidden_inside_the_block_only() -> None:
    out = subprocess.run([sys.executable, "-c", HIDDEN_IN_BLOCK], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "False", "False", "1.0"]


CLI_RUN = """
import sys
from pipeline.cli import main
code = main(["run", sys.argv[1], "-o", sys.argv[2], "-q", "-w", "1"])
print(code, "torch" in sys.modules, "spacy" in sys.modules)
"""


def test_zhnews_run_in_its_own_process_never_imports_torch(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.md").write_text(ARTICLE, encoding="utf-8")
    cmd = [sys.executable, "-c", CLI_RUN, str(tmp_path / "in"), str(tmp_path / "out")]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["0", "False", "True"]
    record = json.loads((tmp_path / "out" / "records.jsonl").read_text(encoding="utf-8"))
    assert {"日本", "华盛顿"} <= {e["text"] for e in record["entities"]}


def test_a_pool_worker_runs_its_tasks_without_torch(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    config = load_config()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = pool.submit(engine_task, [str(tmp_path / "a.md")], config, True).result()
        assert pool.submit(_modules).result() == ["spacy", "thinc"]
    assert len(results[0].record_lines) == 1 and not results[0].error_lines


LIBRARY_RUN = """
import sys
from pipeline.core.config import load_config
from pipeline.core.runner import run
run([sys.argv[1]], load_config(), sys.argv[2], workers=1)
import thinc.compat
print("torch" in sys.modules, thinc.compat.has_torch)
"""


def test_a_library_callers_process_is_left_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(ARTICLE, encoding="utf-8")
    cmd = [sys.executable, "-c", LIBRARY_RUN, str(tmp_path / "a.md"), str(tmp_path / "out")]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]  # spaCy's thinc found torch, as it does outside a run
