"""Scores of predicted documents against gold ones (scikit-learn does the arithmetic).

Units are matched by their offsets, so gold and predicted documents must share units
(the ``gold`` protocol). End-to-end matching of segments lives in :mod:`argmine.evaluate`.

Example:
    >>> from argmine.document import Document
    >>> gold = Document.build("A. B. C.", spans=[(0, 2, "conclusion"), (3, 5, "claim"),
    ...                       (6, 8, "premise")], links=[(1, 0, "support"), (2, 1, "support")])
    >>> pred = Document.build("A. B. C.", spans=[(0, 2, "conclusion"), (3, 5, "claim"),
    ...                       (6, 8, "claim")], links=[(1, 0, "support"), (2, 0, "support")])
    >>> round(unit_scores([gold], [pred])["macro_f1"], 3)
    0.556
    >>> link_scores([gold], [pred])["link_f1"]
    0.5
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

from argmine.document import Document

ARG_LABELS: tuple[str, ...] = ("conclusion", "claim", "premise")


def _pairs(gold: Sequence[Document], pred: Sequence[Document]) -> list[tuple[Document, Document]]:
    if len(gold) != len(pred):
        raise ValueError(f"Got {len(gold)} gold and {len(pred)} predicted documents.")
    for g, p in zip(gold, pred, strict=True):
        if [(u.start, u.end) for u in g.units] != [(u.start, u.end) for u in p.units]:
            raise ValueError(
                f"Document {g.id!r}: predicted units differ from gold units; the gold "
                "protocol labels the gold units (use the end2end protocol otherwise)."
            )
    return list(zip(gold, pred, strict=True))


def label_scores(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> tuple[dict[str, dict[str, Any]], float]:
    """Per-label precision / recall / F1 / support, and macro F1 over ``labels``.

    Example:
        >>> per, macro = label_scores(["a", "b"], ["a", "a"], ["a", "b"])
        >>> per["a"]["precision"], round(macro, 3)
        (0.5, 0.333)
    """
    labs = list(labels)
    prec, rec, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labs, zero_division=0
    )
    per = {
        lab: {
            "precision": float(prec[i]),
            "recall": float(rec[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, lab in enumerate(labs)
    }
    macro = float(f1_score(y_true, y_pred, labels=labs, average="macro", zero_division=0))
    return per, macro


def unit_scores(
    gold: Sequence[Document], pred: Sequence[Document], labels: Sequence[str] = ARG_LABELS
) -> dict[str, Any]:
    """Per-label precision / recall / F1, macro F1 over ``labels``, confusion matrix."""
    y_true: list[str] = []
    y_pred: list[str] = []
    for g, p in _pairs(gold, pred):
        y_true.extend(u.label or "none" for u in g.units)
        y_pred.extend(u.label or "none" for u in p.units)
    labs = list(labels)
    per, macro = label_scores(y_true, y_pred, labs)
    all_labels = sorted(set(y_true) | set(y_pred) | set(labs), key=_label_order)
    return {
        "labels": labs,
        "per_label": per,
        "macro_f1": macro,
        "confusion": {
            "labels": all_labels,
            "matrix": confusion_matrix(y_true, y_pred, labels=all_labels).tolist(),
        },
        "n_units": len(y_true),
    }


def _label_order(label: str) -> tuple[int, str]:
    order = ["conclusion", "claim", "premise", "none"]
    return (order.index(label) if label in order else len(order), label)


def link_scores(gold: Sequence[Document], pred: Sequence[Document]) -> dict[str, Any]:
    """F1 of predicted (child, parent) pairs, relation-label macro F1 on matched pairs,
    root accuracy, and unlabelled / labelled attachment accuracy."""
    tp = n_gold = n_pred = 0
    rel_true: list[str] = []
    rel_pred: list[str] = []
    roots_ok = roots_n = 0
    att_ok = att_lab_ok = att_n = 0
    for g, p in _pairs(gold, pred):
        gp = {(r.source.start, r.source.end): r for r in g.relations}
        pp = {(r.source.start, r.source.end): r for r in p.relations}
        gold_set = {(k, (r.target.start, r.target.end)) for k, r in gp.items()}
        pred_set = {(k, (r.target.start, r.target.end)) for k, r in pp.items()}
        tp += len(gold_set & pred_set)
        n_gold += len(gold_set)
        n_pred += len(pred_set)
        for k, r in gp.items():
            q = pp.get(k)
            att_n += 1
            if q is not None and (q.target.start, q.target.end) == (r.target.start, r.target.end):
                att_ok += 1
                att_lab_ok += q.label == r.label
                rel_true.append(r.label)
                rel_pred.append(q.label)
        g_root, p_root = g.tree.root, p.tree.root
        if g_root is not None:
            roots_n += 1
            roots_ok += p_root is not None and (p_root.start, p_root.end) == (
                g_root.start,
                g_root.end,
            )
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "link_precision": precision,
        "link_recall": recall,
        "link_f1": f1,
        "relation_macro_f1": float(
            f1_score(
                rel_true, rel_pred, labels=["support", "attack"], average="macro", zero_division=0
            )
        )
        if rel_true
        else 0.0,
        "root_accuracy": roots_ok / roots_n if roots_n else 0.0,
        "uas": att_ok / att_n if att_n else 0.0,
        "las": att_lab_ok / att_n if att_n else 0.0,
        "n_gold_links": n_gold,
        "n_pred_links": n_pred,
        "n_found_links": tp,
    }
