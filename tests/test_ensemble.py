"""benchmarks/ensemble.py: several runs' outputs averaged as probabilities, then decoded."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from argmine.document import Document
from argmine.miner import Raw

RECIPE = {"corpora": ["aae2"], "seed": 0, "dev_fraction": 0.1}


@pytest.fixture()
def ensemble(benchmark: Callable[[str], ModuleType]) -> ModuleType:
    return benchmark("ensemble")


def _raw(rng: np.random.Generator, n: int = 3, arg: tuple[int, ...] = (0, 1, 2)) -> Raw:
    def probs(*shape: int) -> np.ndarray:
        p = rng.random(shape)
        return np.asarray(p / p.sum(-1, keepdims=True))

    link = np.log(probs(len(arg), len(arg)))
    link[0, 1] = -np.inf  # a forbidden parent in this member
    return Raw(
        units=list(range(n)),
        label_probs=probs(n, 4),
        role_probs=probs(n, 3),
        arg=np.array(arg),
        link_logp=link,
        root_logp=np.log(probs(len(arg))),
        relation_probs=probs(len(arg), len(arg), 2),
        section=np.zeros(n, dtype=int),
        heading=np.zeros(n, dtype=bool),
        paragraph=np.zeros(n, dtype=int),
    )


def test_outputs_are_averaged_as_probabilities(ensemble: ModuleType) -> None:
    rng = np.random.default_rng(0)
    a, b = _raw(rng), _raw(rng)
    b.link_logp[0, 1] = np.log(0.5)  # allowed in b only: half of b's probability survives
    avg = ensemble.average_outputs([a, b])
    assert np.allclose(avg.role_probs, (a.role_probs + b.role_probs) / 2)
    assert np.allclose(avg.label_probs, (a.label_probs + b.label_probs) / 2)
    assert np.allclose(avg.relation_probs, (a.relation_probs + b.relation_probs) / 2)
    assert np.allclose(np.exp(avg.link_logp), (np.exp(a.link_logp) + np.exp(b.link_logp)) / 2)
    assert np.allclose(np.exp(avg.root_logp), (np.exp(a.root_logp) + np.exp(b.root_logp)) / 2)
    assert avg.link_logp[0, 1] == pytest.approx(np.log(0.25))
    both = ensemble.average_outputs([a, a])
    assert np.isneginf(both.link_logp[0, 1])  # forbidden in every member: stays forbidden
    assert np.allclose(
        both.link_logp[np.isfinite(a.link_logp)], a.link_logp[np.isfinite(a.link_logp)]
    )
    assert avg.units == a.units and np.array_equal(avg.section, a.section)


def test_outputs_of_different_blocks_are_refused(ensemble: ModuleType) -> None:
    rng = np.random.default_rng(1)
    with pytest.raises(ValueError, match="member 1 saw another block of units than member 0"):
        ensemble.average_outputs([_raw(rng), _raw(rng, n=4)])
    with pytest.raises(ValueError, match="2 against 3 argumentative"):
        ensemble.average_outputs([_raw(rng), _raw(rng, arg=(0, 2))])


def test_models_that_cannot_be_compared_fairly_are_refused(ensemble: ModuleType) -> None:
    from dataclasses import replace

    from argmine.nn.model import ModelConfig

    base = ModelConfig()
    other = replace(base, role_labels=["claim", "conclusion", "premise"])
    with pytest.raises(ValueError, match=re.escape("model 1 has role_labels")):
        ensemble.check_compatible([base, other], [["a"], ["a"]])
    with pytest.raises(ValueError, match=re.escape("(1 only in model 0, 1 only in model 1)")):
        ensemble.check_compatible([base, base], [["a", "b"], ["a", "c"]])
    ensemble.check_compatible([base, replace(base, marker_tokens=8)], [["a"], ["a"]])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["a"], "1 model folder given: an ensemble needs at least two"),
        (["a", "b", "--label", "x"], "1 --label for 2 models: give one per model"),
        (["a", "b", "--sizes", "0"], "--sizes [0]: a subset holds at least one model"),
        (["/nonexistent/a", "/nonexistent/b"], "no model folder at /nonexistent/a, /nonexistent/b"),
    ],
)
def test_bad_arguments_are_refused_saying_why(
    ensemble: ModuleType, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        ensemble.main(argv)
    assert message in capsys.readouterr().err


def _run(folder: Path, training: dict[str, Any]) -> str:
    data = json.loads((folder / "config.json").read_text())
    data["training"] = training
    (folder / "config.json").write_text(json.dumps(data))
    return str(folder)


def test_each_subset_is_decoded_from_its_averaged_outputs(
    ensemble: ModuleType,
    untrained_model_dir: Path,
    tmp_path: Path,
    aae2: dict[str, list[Document]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two copies of one model and a model with other head weights: the copies together
    decode as either copy alone, and every subset and size is scored on the dev and test
    essays given."""
    import torch
    from safetensors.torch import load_file, save_file

    import argmine.corpora
    import argmine.train

    folders = [tmp_path / n for n in ("a", "a2", "b")]
    for f in folders:
        shutil.copytree(untrained_model_dir, f)
    state = load_file(str(folders[2] / "model.safetensors"))
    g = torch.Generator().manual_seed(3)
    save_file(
        {
            k: v + torch.randn(v.shape, generator=g).to(v.dtype) if "head" in k else v
            for k, v in state.items()
        },
        str(folders[2] / "model.safetensors"),
    )
    dev, test = aae2["train"][:2], aae2["test"][:2]
    monkeypatch.setattr(argmine.train, "load_training_docs", lambda config, d=None: ([], dev))
    monkeypatch.setattr(argmine.corpora, "load", lambda name, split, d=None: test)
    models = [_run(f, RECIPE) for f in folders]
    out = ensemble.measure(models, [2], precision="float32")
    rows = {tuple(r["members"]): r for r in out["rows"]}
    assert list(rows) == [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]
    assert rows[(0, 1)]["dev"] == rows[(0,)]["dev"] and rows[(0, 1)]["test"] == rows[(0,)]["test"]
    assert rows[(0,)] | {"members": []} == rows[(1,)] | {"members": []}
    assert rows[(2,)]["test"] != rows[(0,)]["test"]  # b's heads reached its network
    assert (out["dev_texts"], out["test_texts"]) == (2, 2)
    assert [e["subsets"] for e in out["by_size"]] == [3, 3, 1]
    assert out["by_size"][0]["test"]["mean"] == pytest.approx(
        np.mean([rows[(k,)]["test"]["link_f1"] for k in range(3)]), abs=1e-4
    )


def test_a_model_not_trained_on_aae2_is_refused(
    ensemble: ModuleType, untrained_model_dir: Path, tmp_path: Path
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(untrained_model_dir, a)
    shutil.copytree(untrained_model_dir, b)
    models = [_run(a, RECIPE), _run(b, {**RECIPE, "corpora": ["abstrct"]})]
    with pytest.raises(ValueError, match=re.escape("was trained on ['abstrct'], not on AAE2")):
        ensemble.measure(models, [2])
