"""Tree decoding: link scores -> the best argument tree under label constraints.

For each candidate root the best tree is found exactly, as a maximum spanning
arborescence (Chu-Liu/Edmonds: :mod:`argmine.arborescence`) over the argumentative
units, with these constraints:

* one root per document, and it is the conclusion; the root is chosen among the
  ``candidates`` units with the best root scores (all units when ``candidates`` is at
  least their number: then the result is the exact optimum), each tried in turn, and
  the tree with the highest total score wins (root score + the scores of its edges);
* a unit labelled ``conclusion`` that is not the root restates it: its parent is the root;
* a ``claim`` argues for the conclusion or another claim, never for a premise;
* a ``premise`` may argue for any unit;
* optionally (``allowed``), layout constraints such as :func:`section_constraints`
  (and, with :func:`decode_with_roles` only, :func:`paragraph_constraints`).

:func:`decode_with_roles` decides labels and tree together instead: a unit's role is
where it sits in the tree (the root is the conclusion, its children are claims or
restated conclusions, deeper units are premises), so each edge also carries the role
classifier's log-probability of the role it gives its child, and the best tree under
the sum of both is found exactly, in the same way.

:func:`reattach_premises` then re-decides the premises' parents with the roles and the
rest of the tree fixed, at a cost for a premise parent: in the AAE2 training essays a
premise argues for a claim 4.5 times as often as for another premise (2,469 against
554), a preference the link scores alone under-weigh (``Miner(premise_parent_penalty=...)``,
read with ``paragraph_arguments=True``).

Example:
    >>> import numpy as np
    >>> link = np.log(np.array([[.0, .5, .5], [.8, .0, .2], [.1, .8, .0]]) + 1e-9)
    >>> decode_tree(link, np.log(np.array([.6, .2, .2])), ["conclusion", "claim", "premise"])
    [-1, 0, 1]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np

from argmine.arborescence import NoArborescence, max_arborescence

_T = TypeVar("_T")

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
    return _dropping_unsatisfiable(
        lambda ok: _decode(link_logp, root_logp, roles, candidates, single_root, ok), allowed
    )


def decode_with_roles(
    link_logp: np.ndarray,
    root_logp: np.ndarray,
    role_logp: np.ndarray,
    *,
    candidates: int = 3,
    allowed: np.ndarray | None = None,
    premise_parent_penalty: float = 0.0,
) -> tuple[list[int], list[str]]:
    """Parent index of every unit (``-1`` for the root) and its role, decided together.

    ``role_logp[i]`` holds unit ``i``'s log-probabilities of ``conclusion``, ``claim``
    and ``premise``, in that order. Attaching ``i`` to the root scores
    ``link_logp[i, root]`` plus its best of conclusion and claim; attaching it deeper
    scores ``link_logp[i, j]`` plus its premise log-probability. The tree maximising the
    root score plus these edge scores is found exactly for each of the ``candidates``
    units with the best root scores (the global optimum when ``candidates`` is at least
    their number). ``allowed[i, j] = False`` forbids ``j`` as the parent of ``i`` except
    where ``j`` is the root (see :func:`section_constraints` with ``roles_open=True``);
    where no tree satisfies ``allowed`` it is dropped. A ``premise_parent_penalty`` above
    0 then re-decides the premises' parents at that cost for a premise parent
    (:func:`reattach_premises`, under the same ``allowed``).

    Example:
        >>> import numpy as np
        >>> link = np.log(np.array([[.0, .5, .5], [.8, .0, .2], [.1, .8, .0]]) + 1e-9)
        >>> roles = np.log(np.array([[.8, .1, .1], [.1, .4, .5], [.1, .2, .7]]))
        >>> decode_with_roles(link, np.log(np.array([.6, .2, .2])), roles)
        ([-1, 0, 1], ['conclusion', 'claim', 'premise'])
    """
    n = len(root_logp)
    if n == 0:
        return [], []
    if n == 1:
        return [-1], ["conclusion"]
    top = np.maximum(role_logp[:, 0], role_logp[:, 1])
    deeper = link_logp + role_logp[:, 2:3]

    def weights(r: int, ok: np.ndarray | None) -> np.ndarray:
        scores = deeper.copy()
        scores[:, r] = link_logp[:, r] + top
        edges = np.ones((n, n), dtype=bool) if ok is None else ok.copy()
        edges[:, r] = True  # under the root a unit is a claim: no layout rule forbids it
        np.fill_diagonal(edges, False)
        return np.where(edges, scores, -np.inf)

    parents, root = _dropping_unsatisfiable(
        lambda ok: _best_rooted_tree(root_logp, candidates, lambda r: weights(r, ok)), allowed
    )
    roles = []
    for i, p in enumerate(parents):
        if p < 0 or (p == root and role_logp[i, 0] > role_logp[i, 1]):
            roles.append("conclusion")
        elif p == root:
            roles.append("claim")
        else:
            roles.append("premise")
    if premise_parent_penalty:
        parents = reattach_premises(
            link_logp, parents, roles, penalty=premise_parent_penalty, allowed=allowed
        )
    return parents, roles


def reattach_premises(
    link_logp: np.ndarray,
    parents: Sequence[int],
    roles: Sequence[str],
    *,
    penalty: float,
    allowed: np.ndarray | None = None,
) -> list[int]:
    """``parents`` (a tree whose roles follow it, as :func:`decode_with_roles` returns)
    with each premise's parent decided again, the rest fixed: the root, every other
    unit's parent, and every role. A premise may argue for any unit but the root (under
    the root it would be a claim) and itself; arguing for another premise costs
    ``penalty`` on top of the link score. The best such tree is found exactly (a
    maximum arborescence over the premises); with ``penalty=0`` it is the tree given.
    ``allowed[i, j] = False`` forbids ``j`` as the parent of premise ``i``
    (:func:`paragraph_constraints`); a premise may always keep the parent it had.
    Raises ``ValueError`` for a cost below 0 or not finite, and for ``parents`` that
    are not one tree whose roles follow it (one root; premises not under it).

    Example:
        >>> import numpy as np
        >>> link = np.log(np.array([[.1, .1, .1, .7], [.4, .1, .1, .4], [.1, .35, .1, .45],
        ...                         [.2, .2, .2, .4]]))
        >>> roles = ["conclusion", "claim", "premise", "premise"]
        >>> reattach_premises(link, [-1, 0, 3, 1], roles, penalty=0.0)
        [-1, 0, 3, 1]
        >>> reattach_premises(link, [-1, 0, 3, 1], roles, penalty=1.0)
        [-1, 0, 1, 1]
    """
    if not (np.isfinite(penalty) and penalty >= 0):
        raise ValueError(
            f"penalty={penalty} (Miner's premise_parent_penalty): must be a number of at "
            "least 0 (0 keeps the tree as decoded)."
        )
    n = len(parents)
    roots = [i for i, p in enumerate(parents) if p == -1]
    if len(roles) != n or link_logp.shape != (n, n) or len(roots) != 1:
        raise ValueError(
            f"reattach_premises needs one tree: {n} parents with exactly one root (-1; "
            f"got {len(roots)}), as many roles (got {len(roles)} roles) and link scores of "
            f"shape ({n}, {n}) (got {link_logp.shape})."
        )
    root = roots[0]
    premise = np.array([r == "premise" for r in roles], dtype=bool)
    if any(premise[i] and parents[i] == root for i in range(n)):
        raise ValueError(
            "reattach_premises needs roles that follow the tree, as decode_with_roles "
            "returns them: a unit under the root is a claim or conclusion, not a premise."
        )
    if penalty == 0 or n < 3 or not premise.any():
        return list(parents)
    scores = np.full((n, n), -np.inf)
    for i, p in enumerate(parents):
        if p >= 0 and not premise[i]:
            scores[i, p] = 0.0  # fixed
    ok = np.ones((n, n), dtype=bool) if allowed is None else allowed.copy()
    ok[:, root] = False
    np.fill_diagonal(ok, False)
    rows = np.flatnonzero(premise)
    ok[rows, np.asarray(parents)[rows]] = True  # the parent it had stays possible
    cost = np.where(premise, penalty, 0.0)[None, :]
    scores[rows] = np.where(ok[rows], link_logp[rows] - cost, -np.inf)
    return [int(p) for p in max_arborescence(scores, root).tolist()]


def section_constraints(
    roles: Sequence[str],
    sections: Sequence[int],
    headed: Mapping[int, bool] | Sequence[bool],
    *,
    roles_open: bool = False,
) -> np.ndarray:
    """Web articles put a claim under a heading and its premises in the paragraphs that
    follow: in a section that a heading opens and whose first argumentative unit is a
    claim, a premise argues for that claim, directly or through other premises of the
    section. ``headed[s]`` says whether section ``s`` opens with a heading.

    With ``roles_open=True`` (for :func:`decode_with_roles`, where the tree decides
    roles) every other unit of such a section may take a parent only inside the section,
    whatever its role; hanging it under the root instead makes it a claim, which the rule
    allows, and :func:`decode_with_roles` always permits that.

    Example:
        >>> section_constraints(["conclusion", "claim", "premise"], [0, 1, 1],
        ...                     [False, True]).astype(int).tolist()
        [[1, 1, 1], [1, 1, 1], [0, 1, 1]]
        >>> section_constraints(["conclusion", "claim", "claim", "premise"], [0, 1, 1, 1],
        ...                     [False, True], roles_open=True).astype(int).tolist()
        [[1, 1, 1, 1], [1, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]]
    """
    n = len(roles)
    allowed = np.ones((n, n), dtype=bool)
    first: dict[int, int] = {}
    for i in range(n):
        first.setdefault(sections[i], i)
    for i in range(n):
        s = sections[i]
        if not (headed[s] and roles[first[s]] == "claim" and i != first[s]):
            continue
        if roles_open:
            for j in range(n):
                allowed[i, j] = sections[j] == s
        elif roles[i] == "premise":
            for j in range(n):
                allowed[i, j] = sections[j] == s and roles[j] in ("claim", "premise")
    return allowed


def paragraph_constraints(paragraph: Sequence[int]) -> np.ndarray:
    """The persuasive-essay convention: each paragraph holds its own arguments. A unit
    argues for a unit of its own paragraph, or (as a claim, or restating it) for the
    conclusion, wherever that is; ``paragraph[i]`` is unit ``i``'s paragraph.

    Stab & Gurevych annotate essays so (AAE2: each body paragraph is an argument for the
    thesis; no relation crosses a paragraph), and ARI, theirs and argmine's, scores
    candidate pairs within a paragraph only. The mask is for :func:`decode_with_roles`, which
    always lets a unit hang under the root (whatever ``allowed`` says of the root's
    column): the tree then gives every paragraph that argues at least one claim, and
    keeps its premises inside it. :func:`decode_tree` applies ``allowed`` to the root
    too, so there the mask leaves no tree for a text of several paragraphs and is
    dropped. It does not suit news, where a claim's premises often follow it in the
    next paragraphs.

    Example:
        >>> paragraph_constraints([0, 1, 1]).astype(int).tolist()
        [[1, 0, 0], [0, 1, 1], [0, 1, 1]]
    """
    par = np.asarray(paragraph)
    return par[:, None] == par[None, :]


def _dropping_unsatisfiable(
    decode: Callable[[np.ndarray | None], _T], allowed: np.ndarray | None
) -> _T:
    """``decode(allowed)``, or ``decode(None)`` (no layout constraints) when no tree
    satisfies ``allowed``."""
    if allowed is not None:
        try:
            return decode(allowed)
        except NoArborescence:
            pass
    return decode(None)


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
    parent_ok = _label_mask(roles) & ok

    def weights(r: int) -> np.ndarray:
        edges = parent_ok.copy()
        edges[:, r] = ok[:, r]  # the root accepts every child
        np.fill_diagonal(edges, False)
        return np.where(edges, link_logp, -np.inf)

    return _best_rooted_tree(root_logp, candidates, weights)[0]


def _best_rooted_tree(
    root_logp: np.ndarray, candidates: int, weights: Callable[[int], np.ndarray]
) -> tuple[list[int], int]:
    """The best tree, and its root, over the ``candidates`` units with the best root
    scores: for root ``r`` the maximum arborescence under ``weights(r)`` (``-inf``: a
    forbidden edge), scored as ``root_logp[r]`` plus its edge weights."""
    best: tuple[float, list[int], int] | None = None
    for r in np.argsort(-root_logp, kind="stable")[: max(candidates, 1)].tolist():
        w = weights(r)
        try:
            parents = max_arborescence(w, r).tolist()
        except NoArborescence:
            continue  # no tree under the constraints with this root
        score = float(root_logp[r]) + sum(float(w[i, p]) for i, p in enumerate(parents) if p >= 0)
        if best is None or score > best[0]:
            best = (score, parents, r)
    if best is None:
        raise NoArborescence("No tree satisfies the constraints.")
    return best[1], best[2]


def _label_mask(roles: Sequence[str]) -> np.ndarray:
    """``mask[i, j]``: a unit labelled ``roles[j]`` may be the parent of one labelled
    ``roles[i]``."""
    n = len(roles)
    return np.array(
        [[rj in ALLOWED_PARENTS[ri] for rj in roles] for ri in roles], dtype=bool
    ).reshape(n, n)


def _forest(
    link_logp: np.ndarray, root_logp: np.ndarray, roles: Sequence[str], ok: np.ndarray
) -> list[int]:
    n = len(roles)
    # A virtual node n is the parent of every root; its edges carry the root scores.
    edges = _label_mask(roles) & ok
    np.fill_diagonal(edges, False)
    scores = np.full((n + 1, n + 1), -np.inf)
    scores[:n, :n] = np.where(edges, link_logp, -np.inf)
    scores[:n, n] = root_logp
    parents = max_arborescence(scores, n)[:n]
    return [-1 if p == n else int(p) for p in parents.tolist()]
