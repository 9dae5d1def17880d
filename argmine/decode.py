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
* a ``premise`` may argue for any unit;
* optionally (``allowed``), layout constraints such as :func:`section_constraints`.

Example:
    >>> import numpy as np
    >>> link = np.log(np.array([[.0, .5, .5], [.8, .0, .2], [.1, .8, .0]]) + 1e-9)
    >>> decode_tree(link, np.log(np.array([.6, .2, .2])), ["conclusion", "claim", "premise"])
    [-1, 0, 1]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
    allowed: np.ndarray | None = None,
) -> list[int]:
    """Parent index of every unit (``-1`` for a root).

    ``link_logp[i, j]`` scores unit ``j`` as the parent of unit ``i``; ``root_logp[i]``
    scores ``i`` as the root. With ``single_root=False`` the result is a forest: any unit
    may have no parent, and label constraints still hold. ``allowed[i, j] = False``
    forbids ``j`` as the parent of ``i`` (see :func:`section_constraints`); where no tree
    satisfies those constraints they are dropped.
    """
    n = len(roles)
    if n == 0:
        return []
    if n == 1:
        return [-1]
    if allowed is not None:
        try:
            return _decode(link_logp, root_logp, roles, candidates, single_root, allowed)
        except nx.NetworkXException:
            pass
    return _decode(link_logp, root_logp, roles, candidates, single_root, None)


def section_constraints(
    roles: Sequence[str], sections: Sequence[int], headed: Mapping[int, bool] | Sequence[bool]
) -> np.ndarray:
    """Web articles put a claim under a heading and its premises in the paragraphs that
    follow: in a section that a heading opens and whose first argumentative unit is a
    claim, a premise argues for that claim, directly or through other premises of the
    section. ``headed[s]`` says whether section ``s`` opens with a heading.

    Example:
        >>> section_constraints(["conclusion", "claim", "premise"], [0, 1, 1],
        ...                     [False, True]).astype(int).tolist()
        [[1, 1, 1], [1, 1, 1], [0, 1, 1]]
    """
    n = len(roles)
    allowed = np.ones((n, n), dtype=bool)
    first: dict[int, int] = {}
    for i in range(n):
        first.setdefault(sections[i], i)
    for i in range(n):
        s = sections[i]
        if roles[i] == "premise" and headed[s] and roles[first[s]] == "claim":
            for j in range(n):
                allowed[i, j] = sections[j] == s and roles[j] in ("claim", "premise")
    return allowed


def _decode(
    link_logp: np.ndarray,
    root_logp: np.ndarray,
    roles: Sequence[str],
    candidates: int,
    single_root: bool,
    allowed: np.ndarray | None,
) -> list[int]:
    n = len(roles)
    ok = allowed if allowed is not None else np.ones((n, n), dtype=bool)
    if not single_root:
        return _forest(link_logp, root_logp, roles, ok)
    order = np.argsort(-root_logp, kind="stable")[: max(candidates, 1)]
    best: tuple[float, list[int]] | None = None
    for r in order.tolist():
        graph = nx.DiGraph()
        graph.add_nodes_from(range(n))
        for i in range(n):
            if i == r:
                continue
            for j in range(n):
                if j != i and ok[i, j] and (j == r or roles[j] in ALLOWED_PARENTS[roles[i]]):
                    graph.add_edge(j, i, weight=float(link_logp[i, j]))
        try:
            parents = _arborescence(graph, n, r)
        except nx.NetworkXException:
            continue  # no tree under the constraints with this root
        score = float(root_logp[r]) + sum(
            float(link_logp[i, p]) for i, p in enumerate(parents) if p >= 0
        )
        if best is None or score > best[0]:
            best = (score, parents)
    if best is None:
        raise nx.NetworkXException("No tree satisfies the constraints.")
    return best[1]


def _arborescence(graph: nx.DiGraph, n: int, root: int) -> list[int]:
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=False)
    parents = [-1] * n
    for j, i in tree.edges():
        parents[i] = j
    if parents[root] != -1 or sum(p == -1 for p in parents) != 1:
        raise nx.NetworkXException("The tree found is not rooted at the chosen root.")
    return parents


def _forest(
    link_logp: np.ndarray, root_logp: np.ndarray, roles: Sequence[str], ok: np.ndarray
) -> list[int]:
    n = len(roles)
    virtual = n
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n + 1))
    for i in range(n):
        graph.add_edge(virtual, i, weight=float(root_logp[i]))
        for j in range(n):
            if j != i and ok[i, j] and roles[j] in ALLOWED_PARENTS[roles[i]]:
                graph.add_edge(j, i, weight=float(link_logp[i, j]))
    tree = nx.maximum_spanning_arborescence(graph, attr="weight", preserve_attrs=False)
    parents = [-1] * n
    for j, i in tree.edges():
        parents[i] = -1 if j == virtual else j
    return parents
