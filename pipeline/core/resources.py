"""Where the files shipped with zhnews are: the default run config, the NER training config and the models.

This module is the one lookup of shipped files; nothing else in the package should build such paths itself.

Two layouts, one rule. The shipped files live in two sibling folders, ``configs/`` and ``models/``, under a
*shipped root*:

* **checkout / editable install** (``pip install -e .``): the root is the repository, the folder holding the
  ``pipeline`` package, so the files are the repository's own top-level ``configs/`` and ``models/`` (edit or
  retrain them there and the next run sees it; nothing is copied).
* **wheel / non-editable install** (``pip install .``, ``pip install zhnews-*.whl``): the root is
  ``pipeline/_shipped`` inside the installed package. pyproject.toml maps the two folders there with
  setuptools' ``package-dir`` (``pipeline._shipped.configs = "configs"``, ``pipeline._shipped.models =
  "models"``) and lists their files as package data, so the wheel carries them while the repository keeps its
  layout (no copies, links or build step in the tree).

:func:`shipped_root` picks ``pipeline/_shipped`` when it holds ``configs/`` (only an installed wheel has it),
else the folder above the package. Why this way: package data sits beside the code in every install scheme
(a venv, ``--user``, ``--target``), so ``__file__`` finds it without metadata look-ups, unlike data files under
``<prefix>/share``; and because ``configs/`` and ``models/`` stay siblings in both layouts, the relative paths of
``configs/default.toml`` (``model = "../models/ner"``, resolved against the config file's folder) name the same
model either way, so the config needs no install-specific rewriting.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the installed or checked-out ``pipeline`` package
_WHEEL_ROOT = _PACKAGE / "_shipped"  # where a wheel puts configs/ and models/ (see pyproject.toml)
_CHECKOUT_ROOT = _PACKAGE.parent  # the repository, in a checkout or an editable install

DEFAULT_CONFIG = ("configs", "default.toml")
NER_CONFIG = ("configs", "ner.cfg")
# the models a wheel must carry, as parts under models/: what the stages and commands use by default
SHIPPED_MODELS: tuple[tuple[str, ...], ...] = (("ner",), ("stance",), ("topic", "fulltext"), ("topic", "titles"))


def shipped_root() -> Path:
    """The folder holding ``configs/`` and ``models/``: ``pipeline/_shipped`` in a wheel install, else the
    repository (checkout or editable install)."""
    return _WHEEL_ROOT if (_WHEEL_ROOT / "configs").is_dir() else _CHECKOUT_ROOT


def configs_dir() -> Path:
    return shipped_root() / "configs"


def models_dir() -> Path:
    return shipped_root() / "models"


def default_config() -> Path:
    """The default run config, ``configs/default.toml`` (what ``zhnews run`` uses without ``--config``)."""
    return shipped_root().joinpath(*DEFAULT_CONFIG)


def ner_config() -> Path:
    """The NER training config, ``configs/ner.cfg`` (``zhnews train ner`` without ``--config``)."""
    return shipped_root().joinpath(*NER_CONFIG)


def model_dir(*parts: str) -> Path:
    """A shipped model folder, e.g. ``model_dir("topic", "fulltext")`` for ``models/topic/fulltext``."""
    return models_dir().joinpath(*parts)
