"""A wheel install runs without a checkout: it carries the default config and the models.

The slow test builds a wheel from a copy of the repository (``pip wheel . --no-deps --no-build-isolation``: the
copy keeps ``build/`` and ``*.egg-info`` out of the working tree and stale ``build/lib`` files out of the wheel),
installs it with ``--no-deps`` into a fresh venv, and runs ``zhnews run corpora/sample`` there from an unrelated
folder. The dependencies are not installed again: a ``.pth`` file in the new venv adds this venv's
site-packages to its path (a ``.pth`` found that way is not itself processed, so the editable install's import
hook stays out and ``pipeline`` can only come from the wheel). Nothing is downloaded. The records must equal,
byte for byte, those of the same run through the editable install, which runs meanwhile.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from pipeline.core import resources

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "corpora" / "sample"
# top-level folders of a working tree that are not the project's source (venvs, outputs, caches)
_NOT_SOURCE = {".git", ".venv", "build", "dist", "out", "runs", ".hypothesis", ".pytest_cache", ".ruff_cache"}
_TIMEOUT = 300  # seconds per command; the whole test takes about 20 s


def _code_packages() -> set[str]:
    """Dotted names of the folders under pipeline/ and corpora/ that hold Python modules."""
    return {
        ".".join(py.parent.relative_to(REPO).parts)
        for top in ("pipeline", "corpora")
        for py in (REPO / top).rglob("*.py")
        if "__pycache__" not in py.parts
    }


def _shipped_files() -> dict[str, Path]:
    """Wheel entry name -> repository file, for everything under configs/ and models/."""
    files = {}
    for top in ("configs", "models"):
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files["pipeline/_shipped/" + path.relative_to(REPO).as_posix()] = path
    return files


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _check(cmd: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=_TIMEOUT, env=_env(), **kwargs)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def test_pyproject_lists_every_code_package() -> None:
    """``[tool.setuptools] packages`` is a list (``find`` cannot add the mapped configs/ and models/), so a new
    package must be added there by hand, or the wheel would miss it."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    missing = sorted(_code_packages() - listed)
    assert not missing, f"add {missing} to [tool.setuptools] packages in pyproject.toml"


def test_checkout_uses_the_repository_files() -> None:
    assert resources.shipped_root() == REPO
    assert resources.default_config() == REPO / "configs" / "default.toml"
    assert resources.ner_config().is_file()
    for parts in resources.SHIPPED_MODELS:
        assert resources.model_dir(*parts).is_dir(), parts


@pytest.mark.slow
def test_wheel_install_runs_the_sample_like_the_checkout(tmp_path: Path) -> None:
    env = _env()
    # the reference: the editable install's `zhnews run`, started first so that it runs while the wheel is built
    script = Path(sys.executable).with_name("zhnews")
    editable_cmd = [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline"]
    (tmp_path / "cwd_editable").mkdir()
    reference = subprocess.Popen(
        [*editable_cmd, "run", str(SAMPLE), "--out", str(tmp_path / "out_editable"), "--quiet"],
        cwd=tmp_path / "cwd_editable",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # 1. the wheel, from a copy of the source tree
        src = tmp_path / "src"
        shutil.copytree(
            REPO,
            src,
            ignore=lambda d, names: [
                n
                for n in names
                if n in {"__pycache__"}
                or n.endswith((".pyc", ".egg-info"))
                or (Path(d) == REPO and (n in _NOT_SOURCE or n == "tests"))
            ],
        )
        wheels = tmp_path / "wheels"
        pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
        _check([*pip, "wheel", ".", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels)], cwd=src)
        shutil.rmtree(src)
        (wheel,) = wheels.glob("zhnews-*.whl")

        with zipfile.ZipFile(wheel) as zf:
            entries = {info.filename: info.file_size for info in zf.infolist()}
        shipped = _shipped_files()
        for parts in resources.SHIPPED_MODELS:
            folder = "pipeline/_shipped/models/" + "/".join(parts) + "/"
            assert any(name.startswith(folder) for name in entries), f"model {folder} not in the wheel"
        missing = [name for name, path in shipped.items() if entries.get(name) != path.stat().st_size]
        assert not missing, f"shipped files missing from the wheel or changed: {missing}"
        code = {
            py.relative_to(REPO).as_posix()
            for top in ("pipeline", "corpora")
            for py in (REPO / top).rglob("*.py")
            if "__pycache__" not in py.parts
        }
        assert not sorted(code - set(entries)), f"modules missing from the wheel: {sorted(code - set(entries))}"
        assert not [n for n in entries if "__pycache__" in n or n.endswith(".pyc")]
        # sane size: the shipped files (~29 MB, mostly incompressible weights) plus code and metadata
        assert wheel.stat().st_size < sum(p.stat().st_size for p in shipped.values()) + 5_000_000

        # 2. a fresh venv with the wheel and no dependencies of its own: they come from this venv by a .pth file
        venv = tmp_path / "venv"
        _check([sys.executable, "-m", "venv", "--without-pip", str(venv)])
        vpython = venv / "bin" / "python"
        purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
        site = Path(_check([str(vpython), "-c", purelib]).stdout.strip())
        deps = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
        (site / "zhnews_test_deps.pth").write_text("".join(f"{p}\n" for p in deps), encoding="utf-8")
        _check([*pip, "--python", str(vpython), "install", "--no-deps", "--no-index", str(wheel)])

        where = _check(
            [str(vpython), "-c", "import pipeline.core.resources as r; print(r.__file__); print(r.default_config())"],
            cwd=tmp_path,
        ).stdout.split()
        assert Path(where[0]).is_relative_to(site), f"pipeline imported from {where[0]}, not from the wheel"
        assert Path(where[1]) == site / "pipeline" / "_shipped" / "configs" / "default.toml"

        # 3. the sample run through the wheel, from an unrelated folder
        (tmp_path / "cwd_wheel").mkdir()
        _check(
            [str(venv / "bin" / "zhnews"), "run", str(SAMPLE), "--out", str(tmp_path / "out_wheel"), "--quiet"],
            cwd=tmp_path / "cwd_wheel",
        )
        stdout, stderr = reference.communicate(timeout=_TIMEOUT)
    finally:
        if reference.poll() is None:
            reference.kill()
            reference.wait()
    assert reference.returncode == 0, f"editable zhnews run exited {reference.returncode}\n{stdout}\n{stderr}"

    summary_wheel = json.loads((tmp_path / "out_wheel" / "summary.json").read_text(encoding="utf-8"))
    summary_editable = json.loads((tmp_path / "out_editable" / "summary.json").read_text(encoding="utf-8"))
    assert summary_wheel["config_file"] == where[1]
    assert Path(summary_wheel["config"]["stages"]["ner"]["model"]) == site / "pipeline" / "_shipped" / "models" / "ner"
    assert summary_editable["config_file"] == str(REPO / "configs" / "default.toml")
    records_wheel = (tmp_path / "out_wheel" / "records.jsonl").read_bytes()
    assert records_wheel, "the wheel's run wrote no records"
    assert records_wheel == (tmp_path / "out_editable" / "records.jsonl").read_bytes()
