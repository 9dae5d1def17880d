"""The paired bootstrap: its counts give the metrics' own figures, and it tells a real
difference from none."""

from __future__ import annotations

import random

import numpy as np
import pytest

from argmine.document import Document
from argmine.evaluation.significance import (
    link_counts,
    link_f1_of,
    macro_f1_of,
    paired_bootstrap,
    unit_counts,
)
from argmine.metrics import link_scores, unit_scores

LABELS = ("conclusion", "claim", "premise")


def _doc(
    rng: random.Random, n: int, *, flip: float = 0.0, base: Document | None = None
) -> Document:
    """A chain of ``n`` one-letter units; with ``base``, its labels and parents, each
    changed with probability ``flip``."""
    text = " ".join("x." for _ in range(n))
    spans = [(3 * i, 3 * i + 2) for i in range(n)]
    if base is None:
        labels = [rng.choice(LABELS) for _ in range(n)]
        parents = [-1] + [rng.randrange(i) for i in range(1, n)]
    else:
        labels = [u.label or "none" for u in base.units]
        parents = [-1] + [
            next(j for j, u in enumerate(base.units) if u == r.target)
            for r in sorted(base.relations, key=lambda r: r.source.start)
        ]
        labels = [rng.choice(LABELS) if rng.random() < flip else lab for lab in labels]
        parents = [-1] + [
            rng.randrange(i) if rng.random() < flip else parents[i] for i in range(1, n)
        ]
    return Document.build(
        text,
        spans=[(s, e, lab) for (s, e), lab in zip(spans, labels, strict=True)],
        links=[(i, parents[i], "support") for i in range(1, n)],
    )


def _corpus(seed: int = 0) -> tuple[list[Document], list[Document], list[Document]]:
    rng = random.Random(seed)
    gold = [_doc(rng, rng.randint(2, 9)) for _ in range(40)]
    worse = [_doc(rng, len(g.units), flip=0.5, base=g) for g in gold]
    better = [_doc(rng, len(g.units), flip=0.1, base=g) for g in gold]
    return gold, worse, better


def test_counts_give_the_figures_of_the_metrics() -> None:
    gold, worse, _ = _corpus()
    macro = macro_f1_of(unit_counts(gold, worse).sum(0))
    assert macro == pytest.approx(unit_scores(gold, worse)["macro_f1"])
    assert link_f1_of(link_counts(gold, worse).sum(0)) == pytest.approx(
        link_scores(gold, worse)["link_f1"]
    )


def test_a_clearly_better_model_is_told_apart_and_an_identical_one_is_not() -> None:
    gold, worse, better = _corpus()
    a, b = link_counts(gold, worse), link_counts(gold, better)
    r = paired_bootstrap(a, b, link_f1_of, n=500)
    assert r.difference == pytest.approx(
        link_scores(gold, better)["link_f1"] - link_scores(gold, worse)["link_f1"], abs=1e-6
    )
    assert 0 < r.low < r.difference < r.high and r.share_higher == 1.0
    # Against itself: no difference in any redrawn set.
    same = paired_bootstrap(b, b, link_f1_of, n=100)
    assert (same.difference, same.low, same.high, same.share_higher) == (0.0, 0.0, 0.0, 0.0)
    # The other way round, the same spread with the sign turned.
    back = paired_bootstrap(b, a, link_f1_of, n=500)
    assert back.high == pytest.approx(-r.low) and back.share_higher == 0.0


def test_the_same_seed_redraws_the_same_sets() -> None:
    gold, worse, better = _corpus(1)
    a, b = unit_counts(gold, worse), unit_counts(gold, better)
    first = paired_bootstrap(a, b, macro_f1_of, n=300, seed=3)
    assert paired_bootstrap(a, b, macro_f1_of, n=300, seed=3) == first
    assert paired_bootstrap(a, b, macro_f1_of, n=300, seed=4) != first


def test_counts_of_different_documents_are_refused() -> None:
    a = np.zeros((3, 3), dtype=np.int64)
    with pytest.raises(ValueError, match="same documents"):
        paired_bootstrap(a, np.zeros((4, 3), dtype=np.int64), link_f1_of)
