"""Shared fixtures: where the benchmark corpora are, each corpus split loaded once, and the
benchmark scripts as modules."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from argmine.corpora import load, resolve_data_dir
from argmine.document import Document

ROOT = Path(__file__).resolve().parents[1]

#: In CI nothing may be skipped for want of data or model: a missing one fails.
IN_CI = bool(os.environ.get("CI"))


def skip_or_fail(reason: str) -> None:
    """Skip locally, fail in CI (where corpora and the shipped model must be present)."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The corpus folder (``ARGMINE_DATA`` or ``../shared/data``); skips when absent.

    The corpora cannot ship with the repository, so a checkout without them still
    passes the rest of the suite.
    """
    path = resolve_data_dir()
    if not path.is_dir():
        skip_or_fail(f"benchmark corpora not found at {path}; set ARGMINE_DATA")
    return path


def _load(name: str, split: str, data_dir: Path) -> list[Document]:
    if not (data_dir / name).is_dir():
        skip_or_fail(f"corpus {name} not found under {data_dir}")
    return load(name, split, data_dir)


@pytest.fixture(scope="session")
def aae2(data_dir: Path) -> dict[str, list[Document]]:
    """AAE2 essays by split."""
    return {split: _load("aae2", split, data_dir) for split in ("train", "test")}


@pytest.fixture(scope="session")
def abstrct(data_dir: Path) -> dict[str, list[Document]]:
    """AbstRCT abstracts by split."""
    splits = ("neoplasm_train", "neoplasm_dev", "neoplasm_test", "glaucoma_test", "mixed_test")
    return {split: _load("abstrct", split, data_dir) for split in splits}


@pytest.fixture(scope="session")
def microtext(data_dir: Path) -> list[Document]:
    """The 112 English microtexts."""
    return _load("microtext", "all", data_dir)


@pytest.fixture(scope="session")
def untrained_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved model folder with untrained heads: for testing the machinery, fast."""
    import torch

    from argmine.nn.model import ArgmineModel, ModelConfig

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("untrained")
    ArgmineModel.from_encoder(ModelConfig()).save(folder)
    return folder


@pytest.fixture(scope="session")
def untrained_miner(untrained_model_dir: Path) -> Any:
    """A miner on :func:`untrained_model_dir` (deterministic, meaningless labels)."""
    from argmine.miner import Miner

    return Miner.load(untrained_model_dir)


@pytest.fixture(scope="session")
def float32_miner(untrained_model_dir: Path) -> Any:
    """:func:`untrained_miner` in float32: scores alike to their last printed digit
    whatever the batch shapes.

    bfloat16 kernels (``precision="auto"`` on CPUs that have them) round differently
    for batches of other shapes, as a resumed run or another worker count forms them.
    """
    from argmine.miner import Miner

    return Miner.load(untrained_model_dir, precision="float32")


@pytest.fixture(scope="session")
def shipped_miner() -> Any:
    """The shipped model, loaded once per session."""
    import argmine
    from argmine.miner import default_model_path

    if not (default_model_path() / "config.json").is_file():
        skip_or_fail(f"the shipped model is missing at {default_model_path()}")
    return argmine.load()


@pytest.fixture()
def benchmark(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ModuleType]:
    """Import a script of ``benchmarks/`` by name, with that folder on ``sys.path`` as when
    it is run (the scripts import ``_common`` from beside them)."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    return importlib.import_module
