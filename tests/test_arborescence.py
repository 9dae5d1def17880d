"""argmine.arborescence against networkx and brute force, and its errors."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from argmine.arborescence import NoArborescence, max_arborescence


def _total(parents: np.ndarray, s: np.ndarray) -> float:
    return float(sum(s[i, p] for i, p in enumerate(parents.tolist()) if p >= 0))


def _brute_force(s: np.ndarray, root: int) -> float:
    n = s.shape[0]
    best = -np.inf
    others = [i for i in range(n) if i != root]
    for choice in itertools.product(range(n), repeat=len(others)):
        parents = dict(zip(others, choice, strict=True))
        if any(i == p or np.isneginf(s[i, p]) for i, p in parents.items()):
            continue

        def reaches_root(i: int, parents: dict[int, int] = parents) -> bool:
            seen = set()
            while i != root:
                if i in seen:
                    return False
                seen.add(i)
                i = parents[i]
            return True

        if all(reaches_root(i) for i in others):
            best = max(best, sum(s[i, p] for i, p in parents.items()))
    return float(best)


def _networkx(s: np.ndarray, root: int) -> float:
    n = s.shape[0]
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    for i in range(n):
        for j in range(n):
            if i != j and i != root and np.isfinite(s[i, j]):
                graph.add_edge(j, i, weight=float(s[i, j]))
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=False)
    return float(sum(s[i, j] for j, i in tree.edges()))


def _is_tree(parents: np.ndarray, root: int) -> bool:
    n = len(parents)
    for i in range(n):
        v, steps = i, 0
        while v != root:
            v = int(parents[v])
            steps += 1
            if v < 0 or steps > n:
                return False
    return parents[root] == -1


@pytest.mark.parametrize("seed", range(60))
def test_matches_brute_force_on_small_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 6))
    s = rng.normal(size=(n, n))
    s[rng.random((n, n)) < 0.2] = -np.inf  # some forbidden edges
    root = int(rng.integers(n))
    try:
        parents = max_arborescence(s, root)
    except NoArborescence:
        assert _brute_force(s, root) == -np.inf
        return
    assert _is_tree(parents, root)
    assert _total(parents, s) == pytest.approx(_brute_force(s, root))


@pytest.mark.parametrize("seed", range(30))
def test_matches_networkx_on_larger_graphs(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(6, 40))
    s = rng.normal(size=(n, n))
    parents = max_arborescence(s, 0)
    assert _is_tree(parents, 0)
    assert _total(parents, s) == pytest.approx(_networkx(s, 0))


def test_nested_cycles_are_contracted_and_expanded() -> None:
    # 1 <-> 2 and 3 <-> 4 are each other's favourites; the root is a poor parent for all.
    s = np.full((5, 5), -1.0)
    s[1, 2] = s[2, 1] = s[3, 4] = s[4, 3] = 5.0
    s[2, 3] = 3.0  # the best way into the first cycle is from the second
    parents = max_arborescence(s, 0)
    assert _is_tree(parents, 0)
    assert _total(parents, s) == pytest.approx(_brute_force(s, 0))


def test_unreachable_node_and_bad_arguments_are_errors() -> None:
    s = np.zeros((3, 3))
    s[2, :] = -np.inf
    with pytest.raises(NoArborescence):
        max_arborescence(s, 0)
    with pytest.raises(ValueError, match="square"):
        max_arborescence(np.zeros((2, 3)), 0)
    with pytest.raises(ValueError, match="root"):
        max_arborescence(np.zeros((2, 2)), 5)
