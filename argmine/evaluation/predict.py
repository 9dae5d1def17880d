"""Run a miner on gold units, keeping what :meth:`~argmine.miner.Miner.pipe` throws away.

The ``gold`` protocol needs, besides the decoded documents, the relation scorer's label
for every gold link (ARC), including links the decoded tree drops:
:meth:`~argmine.miner.Miner.run_with_raw` gives both, batched as ``pipe`` batches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from argmine.document import Document

__all__ = ["predict_gold"]


def _blind(doc: Document) -> Document:
    """The document with its gold units unlabelled and no relations (nothing can leak)."""
    units = tuple(replace(u, label=None, score=None) for u in doc.units)
    return Document(doc.text, id=doc.id, units=units, metadata=dict(doc.metadata))


def _pair_labels(raws: Sequence[Any], labels: Sequence[str]) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for raw in raws:
        units = [raw.units[int(a)] for a in raw.arg]
        best = raw.relation_probs.argmax(-1) if len(units) else None
        for c, i in enumerate(units):
            for p, j in enumerate(units):
                if c != p and best is not None:
                    out[(i, j)] = labels[int(best[c, p])]
    return out


def predict_gold(
    miner: Any, docs: Sequence[Document], batch_size: int = 16
) -> tuple[list[Document], list[dict[tuple[int, int], str]] | None]:
    """Label and link the gold units of ``docs``; also the relation scorer's label for
    every pair of units the model kept (``None`` for a miner without raw outputs).
    The documents are those ``miner.pipe(docs)`` gives."""
    blind = [_blind(d) for d in docs]
    if not hasattr(miner, "run_with_raw"):
        return list(miner.pipe(blind, batch_size=batch_size)), None
    labels = list(miner.model.config.relation_labels)
    preds: list[Document] = []
    pairs: list[dict[tuple[int, int], str]] = []
    for start in range(0, len(blind), batch_size):
        for doc, doc_raws in miner.run_with_raw(blind[start : start + batch_size]):
            preds.append(doc)
            pairs.append(_pair_labels(doc_raws, labels))
    return preds, pairs
