"""Tree decoding: link scores -> the best argument tree under label constraints.

For each candidate root the best tree is found exactly, as a maximum spanning
arborescence (Chu-Liu-Edmonds, as implemented by networkx) over the argumentative
units, with these constraints:

* one root per document, and it is the conclusion; the root is chosen among the
  ``candidates`` units with the best root scores (all units when ``candidates`` is at
  least their number: then the result is the exact optimum), each tried in turn, and
  the tree with the highest total score wins (root score + the scores of its edges);
* a unit labelled ``conclusion`` that is not the root restates it: its parent is the root;
* a ``claim`` argues for the conclusion or another claim, never for a premise;
* a ``premise`` may argue for any unit.

Example:
    >>> import numpy as np
    >>> link = np.log(np.array([[.0, .5, .5], [.8, .0, .2], [.1, .8, .0]]) + 1e-9)
    >>> decode_tree(link, np.log(np.array([.6, .2, .2])), ["conclusion", "claim", "premise"])
    [-1, 0, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np

#: Which parent labels each child label accepts (the root accepts every child).
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    "conclusion": frozenset(),
    "claim": frozenset({"conclusion", "claim"}),
    "premise": frozenset({"conclusion", "claim", "premise"}),
}


def decode_tree(
    link_logp: np.ndarray,
    root_logp: np.ndarray,
    roles: Sequence[str],
    *,
    candidates: int = 3,
    single_root: bool = True,
) -> list[int]:
    """Parent index of every unit (``-1`` for a root).

    ``link_logp[i, j]`` scores unit ``j`` as the parent of unit ``i``; ``root_logp[i]``
    scores ``i`` as the root. With ``single_root=False`` the result is a forest: any unit
    may have no parent, and label constraints still hold.
    """
    n = len(roles)
    if n == 0:
        return []
    if n == 1:
        return [-1]
    if not single_root:
        return _forest(link_logp, root_logp, roles)
    order = np.argsort(-root_logp, kind="stable")[: max(candidates, 1)]
    best: tuple[float, list[int]] | None = None
    for r in order.tolist():
        graph = nx.DiGraph()
        graph.add_nodes_from(range(n))
        for i in range(n):
            if i == r:
                continue
            for j in range(n):
                if j != i and (j == r or roles[j] in ALLOWED_PARENTS[roles[i]]):
                    graph.add_edge(j, i, weight=float(link_logp[i, j]))
        parents = _arborescence(graph, n, r)
        score = float(root_logp[r]) + sum(
            float(link_logp[i, p]) for i, p in enumerate(parents) if p >= 0
        )
        if best is None or score > best[0]:
            best = (score, parents)
    assert best is not None
    return best[1]


def _arborescence(graph: nx.DiGraph, n: int, root: int) -> list[int]:
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=False)
    parents = [-1] * n
    for j, i in tree.edges():
        parents[i] = j
    if parents[root] != -1 or sum(p == -1 for p in parents) != 1:
        raise AssertionError("Decoding produced a tree whose root is not the chosen root.")
    return parents


def _forest(link_logp: np.ndarray, root_logp: np.ndarray, roles: Sequence[str]) -> list[int]:
    n = len(roles)
    virtual = n
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n + 1))
    for i in range(n):
        graph.add_edge(virtual, i, weight=float(root_logp[i]))
        for j in range(n):
            if j != i and roles[j] in ALLOWED_PARENTS[roles[i]]:
                graph.add_edge(j, i, weight=float(link_logp[i, j]))
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=False)
    parents = [-1] * n
    for j, i in tree.edges():
        parents[i] = -1 if j == virtual else j
    return parents
