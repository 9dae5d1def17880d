"""benchmarks/weight_average.py: the element-wise average of two runs' stored weights."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
import torch
from safetensors.torch import load_file, save_file

RECIPE = {"corpora": ["aae2"], "seed": 0, "dev_fraction": 0.1}


@pytest.fixture()
def weight_average(benchmark: Callable[[str], ModuleType]) -> ModuleType:
    return benchmark("weight_average")


def test_floats_are_averaged_in_float32_by_share_and_other_tensors_kept(
    weight_average: ModuleType,
) -> None:
    g = torch.Generator().manual_seed(0)
    a = {"w": torch.randn(64, generator=g).half(), "steps": torch.tensor([7])}
    b = {"w": torch.randn(64, generator=g).half(), "steps": torch.tensor([9])}
    third = weight_average.averaged(a, b, 1 / 3)
    exact = ((2 / 3) * a["w"].float() + (1 / 3) * b["w"].float()).half()
    in_half = (2 / 3) * a["w"] + (1 / 3) * b["w"]  # what half-precision arithmetic gives
    assert torch.equal(third["w"], exact) and not torch.equal(exact, in_half)
    assert third["w"].dtype == torch.float16 and third["steps"].tolist() == [7]
    assert torch.equal(weight_average.averaged(a, b, 0.0)["w"], a["w"])
    assert torch.equal(weight_average.averaged(a, b, 1.0)["w"], b["w"])


@pytest.mark.parametrize(
    ("b", "names"),
    [
        ({"w": torch.zeros(2), "extra": torch.zeros(1)}, "only in B: ['extra']"),
        ({"w": torch.zeros(3)}, "shape (2,) in A, (3,) in B"),
    ],
)
def test_different_tensors_are_refused_naming_them(
    weight_average: ModuleType, b: dict[str, torch.Tensor], names: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(names)):
        weight_average.averaged({"w": torch.zeros(2)}, b, 0.5)


@pytest.mark.parametrize("share", ["0", "1", "1.5"])
def test_shares_outside_zero_and_one_are_refused(
    weight_average: ModuleType, share: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        weight_average.main(["a", "b", "--shares", "0.5", share])
    assert f"--shares [{float(share)}]: each share of B must lie strictly between 0 and 1" in (
        capsys.readouterr().err
    )


def _run(folder: Path, training: dict[str, Any] | None, **config: Any) -> str:
    """``folder`` with its config's training record (``None``: none) and fields changed."""
    data = json.loads((folder / "config.json").read_text())
    data["training"] = training or {}
    data |= config
    (folder / "config.json").write_text(json.dumps(data))
    return str(folder)


@pytest.fixture()
def two_runs(untrained_model_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of one untrained model, B's floating weights A's plus 1."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(untrained_model_dir, a)
    shutil.copytree(untrained_model_dir, b)
    state = load_file(str(b / "model.safetensors"))
    save_file(
        {k: v + 1 if v.is_floating_point() else v for k, v in state.items()},
        str(b / "model.safetensors"),
    )
    return a, b


def test_each_average_reaches_the_network_and_is_scored_on_the_dev_texts(
    weight_average: ModuleType, two_runs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import argmine.train

    dev = [SimpleNamespace(id="essay001"), SimpleNamespace(id="essay002")]
    seen: list[Any] = []

    def scores(net: Any, docs: list[Any]) -> dict[str, float]:
        seen.append(docs)
        return {"bias": float(net.role_head.classify[-1].bias.detach().float().mean())}

    monkeypatch.setattr(argmine.train, "load_training_docs", lambda config, d=None: ([], dev))
    monkeypatch.setattr(argmine.train, "dev_scores", scores)
    a, b = (_run(f, RECIPE) for f in two_runs)
    out = weight_average.sweep(a, b, [0.5], precision="float32")
    bias = [row["dev"]["bias"] for row in out["rows"]]
    assert [row["share_of_b"] for row in out["rows"]] == [0.0, 0.5, 1.0]
    assert bias[1] == pytest.approx(bias[0] + 0.5, abs=2e-3)
    assert bias[2] == pytest.approx(bias[0] + 1.0, abs=2e-3)
    assert all(docs is dev for docs in seen) and out["encoder_dtype"] == "float32"


@pytest.mark.parametrize(
    ("training_b", "config_b", "message"),
    [
        (RECIPE, {"marker_tokens": 8}, "marker_tokens: 0 in A, 8 in B"),
        ({**RECIPE, "seed": 1}, {}, "different seeds (0 in A, 1 in B)"),
        (None, {}, "records no corpora, seed, dev_fraction under 'training'"),
    ],
)
def test_runs_that_cannot_be_averaged_fairly_are_refused_saying_why(
    weight_average: ModuleType,
    two_runs: tuple[Path, Path],
    training_b: dict[str, Any] | None,
    config_b: dict[str, Any],
    message: str,
) -> None:
    a = _run(two_runs[0], RECIPE)
    b = _run(two_runs[1], training_b, **config_b)
    with pytest.raises(ValueError, match=re.escape(message)):
        weight_average.sweep(a, b, [0.5])


def test_runs_that_held_out_different_dev_texts_are_refused(weight_average: ModuleType) -> None:
    from argmine.train import TrainConfig

    with pytest.raises(ValueError, match=re.escape("split_seed: None in A, 3 in B")):
        weight_average.check_same_start(
            TrainConfig(seed=0), TrainConfig(seed=0, split_seed=3), ["x", "y"], ["x", "z"]
        )
