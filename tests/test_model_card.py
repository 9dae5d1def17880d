"""The shipped model card: written from the recorded results by benchmarks/model_card.py."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "argmine-minilm-l6"
RESULTS = ROOT / "benchmarks" / "results"


@pytest.fixture()
def model_card(benchmark: Callable[[str], ModuleType]) -> ModuleType:
    return benchmark("model_card")


def _card(module: ModuleType, training: dict[str, Any]) -> str:
    config = json.loads((MODEL / "config.json").read_text())
    metrics = module.metrics_from(json.loads((RESULTS / "quality.json").read_text()))
    comparison = json.loads((RESULTS / "model_comparison.json").read_text())
    return str(module.card(MODEL, config, training, metrics, comparison))


def test_the_committed_card_is_what_the_recorded_results_write(model_card: ModuleType) -> None:
    training = json.loads((MODEL / "training.json").read_text())
    assert _card(model_card, training) == (MODEL / "README.md").read_text()


def test_a_refit_card_gives_its_command_and_says_what_it_held_out_and_kept(
    model_card: ModuleType,
) -> None:
    training = json.loads((MODEL / "training.json").read_text())
    training["config"] |= {"dev_fraction": 0.0, "keep_last": True, "webify": 0.25}
    text = _card(model_card, training)
    (command,) = [line for line in text.splitlines() if line.startswith("- Command:")]
    assert "--webify 0.25 --dev-fraction 0.0" in command and "--keep-last" in command
    assert "every AAE2 TRAIN essay (a refit: none held out)" in text
    last = training["epochs"][-1]
    assert f"kept the last epoch, {last['epoch']} (dev mean {last['dev_mean']:.4f})" in text
    assert "less a fixed 10%" not in text and "best epoch" not in text


def test_a_card_names_the_body_shuffle_of_its_recipe(model_card: ModuleType) -> None:
    training = json.loads((MODEL / "training.json").read_text())
    assert "body paragraphs in a random order" not in _card(model_card, training)
    training["config"] |= {"shuffle_body": 0.5}
    text = _card(model_card, training)
    (views,) = [line for line in text.splitlines() if line.startswith("- Views:")]
    assert "50% of the AAE2 essays kept as plain text are read with their body" in views
    (command,) = [line for line in text.splitlines() if line.startswith("- Command:")]
    assert "--shuffle-body 0.5" in command
