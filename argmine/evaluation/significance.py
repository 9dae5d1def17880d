"""Is one model really better than another on a test set? A paired bootstrap over documents.

Two models scored on the same test documents differ partly by chance: which essays
happen to be in the test set. The paired bootstrap (Efron & Tibshirani 1993; Koehn
2004, Berg-Kirkpatrick et al. 2012 for NLP) redraws the test set, documents with
replacement, many times, scores both models on each redrawn set, and reports how the
difference spreads. Documents, not units, are drawn, because a document's units are
decided together. F1 is not a mean over documents, so each figure is recomputed from
the redrawn documents' counts (true positives, false positives, false negatives).

This measures test-set sampling only. A training run's seed moves the figures too; to
compare training recipes, compare several seeds of each.

Example:
    >>> from argmine.document import Document
    >>> gold = [Document.build("A. B.", spans=[(0, 2, "claim"), (3, 5, "premise")],
    ...                        links=[(1, 0, "support")]) for _ in range(4)]
    >>> counts = link_counts(gold, gold)
    >>> counts.tolist()
    [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]]
    >>> link_f1_of(counts.sum(0))
    1.0
    >>> r = paired_bootstrap(counts, counts, link_f1_of, n=200)
    >>> (r.difference, r.low, r.high, r.share_higher)
    (0.0, 0.0, 0.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from argmine.document import Document
from argmine.metrics import ARG_LABELS, link_scores

__all__ = [
    "BootstrapResult",
    "link_counts",
    "link_f1_of",
    "macro_f1_of",
    "paired_bootstrap",
    "unit_counts",
]


@dataclass(frozen=True)
class BootstrapResult:
    """A figure of model B minus model A, with its spread over redrawn test sets.

    ``difference`` is on the test set as it is; ``low`` and ``high`` bound the central
    ``level`` share of the redrawn differences (a percentile interval);
    ``share_higher`` is the share of redrawn sets on which B scores higher than A.
    """

    difference: float
    low: float
    high: float
    share_higher: float
    level: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def unit_counts(
    gold: Sequence[Document], pred: Sequence[Document], labels: Sequence[str] = ARG_LABELS
) -> np.ndarray:
    """``(documents, labels, 3)`` true positives, false positives, false negatives.

    Units are paired in order, as the gold protocol pairs them (same offsets).
    """
    labs = list(labels)
    out = np.zeros((len(gold), len(labs), 3), dtype=np.int64)
    for d, (g, p) in enumerate(zip(gold, pred, strict=True)):
        for gu, pu in zip(g.units, p.units, strict=True):
            t, q = gu.label or "none", pu.label or "none"
            if t == q and t in labs:
                out[d, labs.index(t), 0] += 1
                continue
            if q in labs:
                out[d, labs.index(q), 1] += 1
            if t in labs:
                out[d, labs.index(t), 2] += 1
    return out


def macro_f1_of(counts: np.ndarray) -> float:
    """Macro F1 from summed ``(labels, 3)`` counts (a label without units scores 0, as
    :func:`argmine.metrics.unit_scores` scores it)."""
    tp, fp, fn = counts[..., 0], counts[..., 1], counts[..., 2]
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros(denom.shape, dtype=float), where=denom > 0)
    return float(f1.mean(-1))


def link_counts(gold: Sequence[Document], pred: Sequence[Document]) -> np.ndarray:
    """``(documents, 3)``: links found, gold links, predicted links
    (:func:`argmine.metrics.link_scores`, one document at a time)."""
    rows = []
    for g, p in zip(gold, pred, strict=True):
        s = link_scores([g], [p])
        rows.append((s["n_found_links"], s["n_gold_links"], s["n_pred_links"]))
    return np.array(rows, dtype=np.int64).reshape(len(rows), 3)


def link_f1_of(counts: np.ndarray) -> float:
    """Link F1 from summed ``(3,)`` counts (found, gold, predicted)."""
    tp, n_gold, n_pred = (float(x) for x in counts)
    return 2 * tp / (n_gold + n_pred) if n_gold + n_pred else 0.0


def paired_bootstrap(
    counts_a: np.ndarray,
    counts_b: np.ndarray,
    figure: Callable[[np.ndarray], float],
    *,
    n: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> BootstrapResult:
    """Model B's ``figure`` minus model A's, on the test set and on ``n`` redrawn ones.

    ``counts_a`` and ``counts_b`` hold one row of counts per test document, in the same
    document order (:func:`unit_counts`, :func:`link_counts`); ``figure`` turns summed
    counts into the score. Each redrawn set takes as many documents as the test set,
    with replacement, the same documents for both models.
    """
    if counts_a.shape != counts_b.shape:
        raise ValueError(
            f"counts of shape {counts_a.shape} and {counts_b.shape}: both models must be "
            "scored on the same documents, in the same order."
        )
    docs = counts_a.shape[0]
    if docs == 0:
        raise ValueError("no documents to redraw")
    rng = np.random.default_rng(seed)
    diffs = np.empty(n)
    for k in range(n):
        # Each document's multiplicity in the redrawn set.
        weight = np.bincount(rng.integers(0, docs, docs), minlength=docs)
        w = weight.reshape((docs,) + (1,) * (counts_a.ndim - 1))
        diffs[k] = figure((counts_b * w).sum(0)) - figure((counts_a * w).sum(0))
    tail = (1 - level) / 2
    low, high = np.quantile(diffs, [tail, 1 - tail])
    return BootstrapResult(
        difference=round(figure(counts_b.sum(0)) - figure(counts_a.sum(0)), 6),
        low=round(float(low), 6),
        high=round(float(high), 6),
        share_higher=round(float((diffs > 0).mean()), 4),
        level=level,
        n=n,
    )
