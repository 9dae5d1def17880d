"""Tree decoding: exact, one conclusion root, label constraints respected."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from argmine.decode import ALLOWED_PARENTS, decode_tree


def _is_tree(parents: list[int]) -> bool:
    roots = [i for i, p in enumerate(parents) if p == -1]
    if len(roots) != 1:
        return False
    for i in range(len(parents)):
        seen, j = set(), i
        while parents[j] != -1:
            if j in seen:
                return False
            seen.add(j)
            j = parents[j]
    return True


def _score(parents: list[int], link: np.ndarray, root: np.ndarray) -> float:
    return sum(root[i] if p == -1 else link[i, p] for i, p in enumerate(parents))


def _brute_force(link: np.ndarray, root: np.ndarray, roles: list[str]) -> float:
    n = len(roles)
    best = -np.inf
    for parents in itertools.product(range(-1, n), repeat=n):
        ps = list(parents)
        if any(p == i for i, p in enumerate(ps)) or not _is_tree(ps):
            continue
        r = ps.index(-1)
        if any(
            p not in (-1, r) and roles[p] not in ALLOWED_PARENTS[roles[i]] for i, p in enumerate(ps)
        ):
            continue
        best = max(best, _score(ps, link, root))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_decoding_finds_the_best_tree_like_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 5
    roles = list(rng.choice(["conclusion", "claim", "premise"], size=n))
    link = np.log(rng.dirichlet(np.ones(n), size=n))
    root = np.log(rng.random(n))
    parents = decode_tree(link, root, roles, candidates=n)
    assert _is_tree(parents)
    assert _score(parents, link, root) == pytest.approx(_brute_force(link, root, roles))


def test_claims_never_hang_under_premises_and_conclusions_under_the_root() -> None:
    rng = np.random.default_rng(0)
    roles = ["conclusion", "claim", "premise", "conclusion", "claim", "premise"]
    link = np.log(rng.dirichlet(np.ones(6), size=6))
    root = np.array([0.0, -5, -5, -1, -5, -5])
    parents = decode_tree(link, root, roles)
    r = parents.index(-1)
    for i, p in enumerate(parents):
        if p >= 0 and p != r:
            assert roles[p] in ALLOWED_PARENTS[roles[i]]
    assert parents[3] == r or r == 3


def test_small_inputs() -> None:
    assert decode_tree(np.zeros((0, 0)), np.zeros(0), []) == []
    assert decode_tree(np.zeros((1, 1)), np.zeros(1), ["premise"]) == [-1]


def test_forest_mode_lets_several_units_stand_alone() -> None:
    link = np.log(np.array([[1e-9, 0.5], [0.5, 1e-9]]))
    parents = decode_tree(link, np.array([0.0, 0.0]), ["claim", "claim"], single_root=False)
    assert parents == [-1, -1]


def test_training_targets_point_from_child_to_parent() -> None:
    from argmine.document import Document
    from argmine.nn.model import ModelConfig
    from argmine.train import _targets

    doc = Document.build(
        "A. B. C. D.",
        spans=[(0, 2, "conclusion"), (3, 5, "claim"), (6, 8, "premise"), (9, 11, "none")],
        links=[(1, 0, "support"), (2, 1, "attack")],
    )
    model = type("M", (), {"config": ModelConfig()})()
    t = _targets(model, doc)
    cfg = ModelConfig()
    assert t["labels"] == [
        cfg.unit_labels.index(x) for x in ("conclusion", "claim", "premise", "none")
    ]
    assert t["parent"] == [-1, 0, 1, -1]
    assert [cfg.relation_labels[r] for r in t["relation"][1:3]] == ["support", "attack"]


def test_section_constraints_keep_premises_with_the_claim_that_opens_their_section() -> None:
    from argmine.decode import section_constraints

    roles = ["conclusion", "claim", "premise", "premise", "claim", "premise"]
    sections = [0, 1, 1, 1, 2, 2]
    link = np.log(np.full((6, 6), 0.05))
    link[2, 0] = link[3, 0] = np.log(0.9)  # the model prefers the conclusion...
    link[5, 0] = np.log(0.9)
    root = np.array([0.0, -5, -5, -5, -5, -5])
    free = decode_tree(link, root, roles)
    assert free[2] == 0 and free[3] == 0
    allowed = section_constraints(roles, sections, [False, True, False])
    parents = decode_tree(link, root, roles, allowed=allowed)
    assert parents[2] in (1, 3) and parents[3] in (1, 2)  # ...the section says its claim
    assert parents[5] == 0  # section 2 has no heading: no constraint
