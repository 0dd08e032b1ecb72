"""The Dask engine: the local engine's output byte for byte, on a LocalCluster of two worker processes, also
when a worker is killed mid-run; a run interrupted on one engine resumes on the other."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from pipeline.core.config import config_from_dict
from pipeline.core.runner import run

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[2]
STAGES_FILE = str(REPO / "tests" / "runner_stages.py")
ARTICLES = [
    "东京会见美国国务卿布林肯，双方讨论了驻日美军基地。",
    "東京會見美國國務卿布林肯，雙方討論了駐日美軍基地。",
    "新华社北京电，国家主席习近平在人民大会堂会见日本首相。",
    "香港书展今日开幕，吸引大批市民入场。",
    "台风摩羯在海南文昌登陆，最大风力十七级。",
    "欧洲杯决赛西班牙队击败英格兰队夺冠。",
]


def _corpus(tmp_path: Path, n_files: int = 12) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(n_files):
        (folder / f"{i:02d}.txt").write_text(ARTICLES[i % len(ARTICLES)] * (1 + i % 3), encoding="utf-8")
    lines = [json.dumps({"id": f"j{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(ARTICLES)]
    (folder / "zz.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _config(sleep: float = 0.0):  # type: ignore[no-untyped-def]
    stages = ["normalize", "segment", "test_mark"] + (["test_sleep"] if sleep else [])
    return config_from_dict(
        {
            "run": {"stages": stages, "plugins": [STAGES_FILE], "batch_size": 2},
            "stages": {"segment": {"hmm": False}, "test_sleep": {"seconds": sleep}},
        }
    )


def _outputs(out: Path) -> tuple[bytes, bytes]:
    return (out / "records.jsonl").read_bytes(), (out / "errors.jsonl").read_bytes()


def test_dask_engine_writes_what_the_local_engine_writes(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    config = _config()
    local = run([str(corpus)], config, tmp_path / "local", workers=1)
    dask = run([str(corpus)], config, tmp_path / "dask", workers=2, engine="dask")
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "dask")
    assert dask.summary["articles"] == local.summary["articles"] == 18
    assert dask.summary["this_invocation"]["engine"] == "dask"


def test_a_worker_killed_mid_run_loses_nothing_and_writes_nothing_twice(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    config = _config(sleep=0.2)
    run([str(corpus)], config, tmp_path / "local", workers=1)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard": False},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        assert len(pids) == 2

        def kill_one_worker() -> None:
            # once the run has started working, kill one worker process; its nanny starts a new one
            deadline = time.time() + 60
            while time.time() < deadline and not client.processing():
                time.sleep(0.05)
            while time.time() < deadline and not any(client.processing().values()):
                time.sleep(0.05)
            time.sleep(0.3)
            os.kill(pids[0], signal.SIGKILL)

        killer = threading.Thread(target=kill_one_worker)
        killer.start()
        report = run([str(corpus)], config, tmp_path / "dask", engine="dask", scheduler=cluster.scheduler_address)
        killer.join()
        assert pids[0] not in client.run(os.getpid).values()  # the worker really died
    assert _outputs(tmp_path / "local") == _outputs(tmp_path / "dask")
    assert report.summary["errors"] == 0


def test_a_run_interrupted_on_one_engine_resumes_on_the_other(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    config = _config()
    run([str(corpus)], config, tmp_path / "whole", workers=1)
    out = tmp_path / "resumed"
    run([str(corpus)], config, out, workers=1, limit=5)  # the first 5 files, as an interrupted run leaves them
    report = run([str(corpus)], config, out, workers=2, engine="dask", resume=True)
    assert report.summary["this_invocation"]["files"] == 8
    assert _outputs(tmp_path / "whole") == _outputs(out)


def test_the_local_cluster_runs_with_the_shipped_dask_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    import dask

    from pipeline.core.dask_engine import local_cluster

    # a nanny writes its pre-spawn variables into this process's os.environ for good (distributed's
    # WorkerProcess.start), so an earlier test's default cluster left the variable here; `zhnews run` starts one
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with local_cluster(2) as cluster, distributed.Client(cluster) as client:
        # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536, which made a worker 23 % slower on our stages
        assert set(client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values()) == {None}
        assert set(client.run(os.environ.get, "OMP_NUM_THREADS").values()) == {"1"}
        assert set(client.run(dask.config.get, "distributed.worker.profile.enabled").values()) == {False}
        assert client.run_on_scheduler(dask.config.get, "distributed.scheduler.worker-saturation") == 1.0


def test_the_dask_settings_file_is_what_dask_reads_from_DASK_CONFIG() -> None:
    # the README starts user clusters with DASK_CONFIG=configs/dask.yaml: the same keys, read by Dask itself
    import subprocess
    import sys

    from pipeline.core.dask_engine import cluster_settings

    settings = cluster_settings()
    assert settings["distributed.scheduler.worker-saturation"] == 1.0
    script = (
        "import json, sys, distributed, dask.config as c; "
        "print(json.dumps({k: c.get(k) for k in json.loads(sys.argv[1])}))"
    )
    env = {**os.environ, "DASK_CONFIG": str(REPO / "configs" / "dask.yaml")}
    out = subprocess.run(
        [sys.executable, "-c", script, json.dumps(list(settings))], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == settings
