"""End-to-end scores: the miner segments raw text itself; its units are matched to gold.

**Matching.** Each span is first reduced to its *core*: surrounding whitespace and
punctuation stripped. A predicted unit matches a gold unit

- at **100%** when their cores are the same characters;
- at **50%** when ``|overlap| / max(len gold, len pred) >= 0.5`` over the cores.

Eger et al. (2017) count the overlap in tokens; argmine counts characters, which is
close for English and needs no tokenizer. Matching is one-to-one: the pairs with the
largest overlap ratio are taken first. Only predicted units with an argumentative label
(``conclusion`` / ``claim`` / ``premise``) take part; ``none`` means "no component".

**Component F1** (per level): a matched pair is a true positive when the labels agree;
precision divides by the predicted argumentative units, recall by the gold ones.
``macro_f1`` averages the F1 of the three labels, ``micro_f1`` pools them.

**Relation F1** (per level): a predicted relation is a true positive when both its ends
match gold units that the corpus relates, with the same label (``f1``; ``unlabelled_f1``
ignores the label). Gold relations are the ones the corpus annotates
(:func:`~argmine.evaluation.structure.annotated_relations`), predicted ones those that
stand for them (:func:`~argmine.evaluation.structure.predicted_annotated_relations`:
for AAE2, not the claim -> conclusion links that stand for a claim's stance); with
``scope="paragraph"`` (AAE2, whose relations all lie within a paragraph, as
paragraph-level systems predict them) only predicted relations within a paragraph
count. ``tree_f1`` instead compares
every predicted relation with every gold relation, derived ones included: argmine's
own tree, claim -> thesis links and all.

argmine's units are sentences, and AAE2's components are clauses (often a sentence
minus its discourse marker, or half of one): the 100% level is therefore harsh on
argmine by construction, and the 50% level is the fairer of the two.

Example:
    >>> from argmine.document import Document
    >>> text = "So we must act. Because it is late, and cheap."
    >>> gold = Document.build(text, spans=[(3, 14, "claim"), (24, 34, "premise")],
    ...                       links=[(1, 0, "support")])
    >>> pred = Document.build(text, spans=[(0, 15, "claim"), (16, 46, "premise")],
    ...                       links=[(1, 0, "support")])
    >>> s = end2end_scores([gold], [pred], scope="document")
    >>> s["100"]["components"]["micro_f1"], s["50"]["components"]["micro_f1"]
    (0.0, 0.5)
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

from argmine.document import Document, Unit
from argmine.evaluation.structure import (
    annotated_relations,
    predicted_annotated_relations,
    unit_groups,
)

__all__ = ["LEVELS", "core_span", "end2end_scores", "match_units"]

#: Match levels: exact core span ("100") and at least half overlap ("50").
LEVELS: tuple[str, ...] = ("100", "50")
_STRIP = string.whitespace + string.punctuation + "“”‘’«»‹›…–—‐‒―•·\u00a0"


def core_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without surrounding whitespace and punctuation.

    Example:
        >>> core_span(' "Yes, really." ', 0, 16)
        (2, 13)
    """
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def match_units(
    text: str, gold: Sequence[Unit], pred: Sequence[Unit], level: str
) -> dict[int, int]:
    """One-to-one matches ``{predicted index: gold index}`` at ``level`` ("100" or "50").

    Example:
        >>> from argmine.document import Unit
        >>> text = "We act. It is late and cheap."
        >>> gold, pred = [Unit(0, 6), Unit(8, 18)], [Unit(0, 7), Unit(8, 29)]
        >>> match_units(text, gold, pred, "100"), match_units(text, gold, pred, "50")
        ({0: 0}, {0: 0, 1: 1})
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; got {level!r}.")
    g_core = [core_span(text, u.start, u.end) for u in gold]
    p_core = [core_span(text, u.start, u.end) for u in pred]
    if level == "100":
        by_span = {span: i for i, span in reversed(list(enumerate(g_core))) if span[0] < span[1]}
        out: dict[int, int] = {}
        taken: set[int] = set()
        for k, span in enumerate(p_core):
            i = by_span.get(span)
            if i is not None and i not in taken:
                out[k] = i
                taken.add(i)
        return out
    candidates: list[tuple[float, int, int]] = []
    for k, (ps, pe) in enumerate(p_core):
        for i, (gs, ge) in enumerate(g_core):
            longest = max(ge - gs, pe - ps)
            overlap = min(ge, pe) - max(gs, ps)
            if longest > 0 and overlap > 0 and overlap / longest >= 0.5:
                candidates.append((-overlap / longest, k, i))
    candidates.sort()
    out = {}
    used: set[int] = set()
    for _, k, i in candidates:
        if k not in out and i not in used:
            out[k] = i
            used.add(i)
    return out


def _f1(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def end2end_scores(
    gold: Sequence[Document],
    pred: Sequence[Document],
    *,
    scope: str = "paragraph",
    corpus: str | None = None,
) -> dict[str, Any]:
    """Component and relation scores at both match levels (see the module notes).

    ``corpus`` selects how predicted relations map back onto the corpus's annotated ones.
    """
    from argmine.metrics import ARG_LABELS

    if len(gold) != len(pred):
        raise ValueError(f"Got {len(gold)} gold and {len(pred)} predicted documents.")
    out: dict[str, Any] = {}
    for level in LEVELS:
        tp = dict.fromkeys(ARG_LABELS, 0)
        n_pred = dict.fromkeys(ARG_LABELS, 0)
        n_gold = dict.fromkeys(ARG_LABELS, 0)
        rel = {"tp": 0, "tp_unlabelled": 0, "pred": 0, "gold": 0}
        tree = {"tp": 0, "pred": 0, "gold": 0}
        matched_units = 0
        for g, p in zip(gold, pred, strict=True):
            if g.text != p.text:
                raise ValueError(f"Document {g.id!r}: gold and predicted texts differ.")
            g_units = [u for u in g.units if u.label in ARG_LABELS]
            p_units = [u for u in p.units if u.label in ARG_LABELS]
            match = match_units(g.text, g_units, p_units, level)
            matched_units += len(match)
            for u in g_units:
                n_gold[str(u.label)] += 1
            for k, u in enumerate(p_units):
                n_pred[str(u.label)] += 1
                i = match.get(k)
                if i is not None and g_units[i].label == u.label:
                    tp[str(u.label)] += 1
            g_index = {(u.start, u.end): i for i, u in enumerate(g_units)}
            p_index = {(u.start, u.end): k for k, u in enumerate(p_units)}

            def gold_set(
                rels: Sequence[Any], g_index: dict[tuple[int, int], int] = g_index
            ) -> set[tuple[int, int, str]]:
                return {
                    (
                        g_index[(r.source.start, r.source.end)],
                        g_index[(r.target.start, r.target.end)],
                        r.label,
                    )
                    for r in rels
                    if (r.source.start, r.source.end) in g_index
                    and (r.target.start, r.target.end) in g_index
                }

            annotated = gold_set(annotated_relations(g))
            everything = gold_set(g.relations)
            groups = unit_groups(p, scope)
            position = {(u.start, u.end): n for n, u in enumerate(p.units)}
            p_all = [
                (
                    position[(r.source.start, r.source.end)],
                    position[(r.target.start, r.target.end)],
                    r,
                )
                for r in p.relations
            ]
            kept = {id(r) for r in predicted_annotated_relations(p, corpus)}
            rel["gold"] += len(annotated)
            tree["gold"] += len(everything)
            unlabelled = {(a, b) for a, b, _ in annotated}
            for si, ti, r in p_all:
                ks = p_index.get((r.source.start, r.source.end))
                kt = p_index.get((r.target.start, r.target.end))
                mapped = None
                if ks is not None and kt is not None and ks in match and kt in match:
                    mapped = (match[ks], match[kt], r.label)
                tree["pred"] += 1
                tree["tp"] += mapped in everything
                if groups[si] != groups[ti] or id(r) not in kept:
                    continue
                rel["pred"] += 1
                rel["tp"] += mapped in annotated
                rel["tp_unlabelled"] += mapped is not None and mapped[:2] in unlabelled
        per_label = {
            lab: {**_f1(tp[lab], n_pred[lab], n_gold[lab]), "support": n_gold[lab]}
            for lab in ARG_LABELS
        }
        micro = _f1(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
        relations = _f1(rel["tp"], rel["pred"], rel["gold"])
        out[level] = {
            "components": {
                "per_label": per_label,
                "macro_f1": sum(v["f1"] for v in per_label.values()) / len(per_label),
                "micro_f1": micro["f1"],
                "micro_precision": micro["precision"],
                "micro_recall": micro["recall"],
                "n_gold": sum(n_gold.values()),
                "n_pred": sum(n_pred.values()),
                "n_matched": matched_units,
            },
            "relations": {
                **relations,
                "unlabelled_f1": _f1(rel["tp_unlabelled"], rel["pred"], rel["gold"])["f1"],
                "tree_f1": _f1(tree["tp"], tree["pred"], tree["gold"])["f1"],
                "n_gold": rel["gold"],
                "n_pred": rel["pred"],
                "scope": scope,
            },
        }
    return out
