"""benchmarks/weight_average.py: the element-wise average of two runs' stored weights."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def weight_average(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    return importlib.import_module("weight_average")


def test_floats_are_averaged_by_share_and_other_tensors_kept(weight_average: ModuleType) -> None:
    a = {"w": torch.tensor([[0.0, 1.0]], dtype=torch.float16), "steps": torch.tensor([7])}
    b = {"w": torch.tensor([[2.0, 5.0]], dtype=torch.float16), "steps": torch.tensor([9])}
    half = weight_average.averaged(a, b, 0.5)
    assert half["w"].tolist() == [[1.0, 3.0]] and half["w"].dtype == torch.float16
    assert half["steps"].tolist() == [7]
    assert weight_average.averaged(a, b, 0.0)["w"].tolist() == a["w"].tolist()
    assert weight_average.averaged(a, b, 1.0)["w"].tolist() == b["w"].tolist()


@pytest.mark.parametrize(
    ("b", "names"),
    [
        ({"w": torch.zeros(2), "extra": torch.zeros(1)}, "extra"),
        ({"w": torch.zeros(3)}, "shape (2,) in A, (3,) in B"),
    ],
)
def test_different_networks_are_refused_naming_the_tensor(
    weight_average: ModuleType, b: dict[str, torch.Tensor], names: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(names)):
        weight_average.averaged({"w": torch.zeros(2)}, b, 0.5)


def test_shares_outside_zero_and_one_are_refused(weight_average: ModuleType) -> None:
    with pytest.raises(SystemExit):
        weight_average.main(["a", "b", "--shares", "0.5", "1.5"])
