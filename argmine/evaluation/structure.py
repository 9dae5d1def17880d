"""Scores on gold units beyond :mod:`argmine.metrics`: ARI, ARC, two-class components.

**Which gold relations count.** Published link figures score the relations the corpus
annotates itself. AAE2's reader adds relations of its own to make each essay one tree
(claim -> thesis from the claim's ``Stance`` attribute, ``Stance:For`` /
``Stance:Against``; other MajorClaims -> the last one, ``restates``) and lists their
``source_label`` values in ``metadata["brat_derived_relations"]``;
:func:`annotated_relations` leaves those out, so ARI and ARC use the ``R`` lines
(``supports`` / ``attacks``) only, which all lie within a paragraph. AbstRCT and
arg-microtexts derive nothing, so all their relations count. A *predicted* AAE2 tree is
mapped back the same way (:func:`predicted_annotated_relations`): its claim ->
conclusion and conclusion -> conclusion relations are argmine's counterparts of the
stance attribute and the restatement, not of ``R`` lines (AAE2 has no ``R`` line ending
at a MajorClaim), so they are left out too; scored against itself, a gold tree gets
ARI 1.

**ARI** (argument relation identification) is the mean of the F1 of the *link* class
and the F1 of the *no-link* class over candidate pairs: every ordered pair (child,
parent) of distinct gold units in the same paragraph (``scope="paragraph"``, AAE2, as
Stab & Gurevych and the papers after them do; paragraphs from
:func:`argmine.segment.paragraph_spans`) or in the same document (``"document"``,
AbstRCT). A predicted link between paragraphs is outside the candidate pairs and so
neither helps nor hurts.

Example:
    >>> from argmine.document import Document
    >>> gold = Document.build("A. B. C.", spans=[(0, 2, "claim"), (3, 5, "premise"),
    ...                       (6, 8, "premise")], links=[(1, 0, "support"), (2, 0, "support")])
    >>> pred = Document.build("A. B. C.", spans=[(0, 2, "claim"), (3, 5, "premise"),
    ...                       (6, 8, "premise")], links=[(1, 0, "support"), (2, 1, "attack")])
    >>> s = ari_scores([gold], [pred], scope="document")
    >>> s["n_pairs"], s["link_f1"], s["no_link_f1"], s["ari"]
    (6, 0.5, 0.75, 0.625)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from argmine.document import Document, Relation
from argmine.formats.brat import DERIVED_KEY

__all__ = [
    "TWO_CLASS",
    "annotated_relations",
    "arc_scores",
    "ari_scores",
    "check_same_units",
    "predicted_annotated_relations",
    "two_class_scores",
    "unit_groups",
]

#: AbstRCT's two-class view (Mayer et al. 2020): MajorClaim merged into claim; premise
#: is evidence. Anything else (``none``) is neither.
TWO_CLASS: dict[str, str] = {"conclusion": "claim", "claim": "claim", "premise": "evidence"}


def annotated_relations(doc: Document) -> list[Relation]:
    """The relations the corpus annotates itself: without those its reader derived.

    Example:
        >>> from argmine.document import Document
        >>> d = Document.build("A. B.", spans=[(0, 2, "conclusion"), (3, 5, "claim")],
        ...                    links=[(1, 0, "support")],
        ...                    metadata={"brat_derived_relations": ["Stance:For"]})
        >>> from dataclasses import replace
        >>> d = d.with_annotations(d.units, [replace(d.relations[0], source_label="Stance:For")])
        >>> annotated_relations(d)
        []
    """
    derived = set(doc.metadata.get(DERIVED_KEY, ()))
    return [r for r in doc.relations if r.source_label is None or r.source_label not in derived]


def predicted_annotated_relations(doc: Document, corpus: str | None = None) -> list[Relation]:
    """The relations of a predicted document that stand for relations ``corpus`` annotates.

    For ``aae2``, claim -> conclusion and conclusion -> conclusion relations stand for the
    claim's stance and the thesis's restatement (which the corpus reader turns into
    relations), so they are left out; for other corpora every relation counts.

    Example:
        >>> from argmine.document import Document
        >>> d = Document.build("A. B. C.", spans=[(0, 2, "conclusion"), (3, 5, "claim"),
        ...                    (6, 8, "premise")], links=[(1, 0, "support"), (2, 1, "support")])
        >>> [r.source.text for r in predicted_annotated_relations(d, "aae2")]
        ['C.']
        >>> len(predicted_annotated_relations(d, "abstrct"))
        2
    """
    if corpus != "aae2":
        return list(doc.relations)
    return [
        r
        for r in doc.relations
        if not (r.target.label == "conclusion" and r.source.label in ("claim", "conclusion"))
    ]


def check_same_units(gold: Sequence[Document], pred: Sequence[Document]) -> None:
    """Raise ``ValueError`` unless each predicted document has its gold document's units."""
    if len(gold) != len(pred):
        raise ValueError(f"Got {len(gold)} gold and {len(pred)} predicted documents.")
    for g, p in zip(gold, pred, strict=True):
        if [(u.start, u.end) for u in g.units] != [(u.start, u.end) for u in p.units]:
            raise ValueError(
                f"Document {g.id!r}: predicted units differ from the gold units; these "
                "scores need the gold protocol (the miner labelling the gold units)."
            )


def unit_groups(doc: Document, scope: str) -> list[int]:
    """For each unit, the index of its candidate-pair group (paragraph or whole document).

    Example:
        >>> from argmine.document import Document
        >>> d = Document.build("A.\\nB. C.", spans=[(0, 2, None), (3, 5, None), (6, 8, None)])
        >>> unit_groups(d, "paragraph"), unit_groups(d, "document")
        ([0, 1, 1], [0, 0, 0])
    """
    if scope == "document" or not doc.units:
        return [0] * len(doc.units)
    if scope != "paragraph":
        raise ValueError(f"scope must be 'paragraph' or 'document'; got {scope!r}.")
    from argmine.segment import paragraph_index, paragraph_spans

    return paragraph_index(doc.units, paragraph_spans(doc.text))


def _index(doc: Document) -> dict[tuple[int, int], int]:
    return {(u.start, u.end): i for i, u in enumerate(doc.units)}


def _link_set(
    doc: Document, index: Mapping[tuple[int, int], int], relations: Sequence[Relation]
) -> set[tuple[int, int]]:
    out = set()
    for r in relations:
        src, trg = (r.source.start, r.source.end), (r.target.start, r.target.end)
        if src in index and trg in index:
            out.add((index[src], index[trg]))
    return out


def ari_scores(
    gold: Sequence[Document],
    pred: Sequence[Document],
    *,
    scope: str = "paragraph",
    corpus: str | None = None,
) -> dict[str, Any]:
    """ARI: mean of link and no-link F1 over the candidate pairs (see the module notes).

    ``corpus`` selects how predicted relations map back onto the corpus's annotated ones
    (:func:`predicted_annotated_relations`).
    """
    from sklearn.metrics import f1_score

    check_same_units(gold, pred)
    y_true: list[int] = []
    y_pred: list[int] = []
    outside = 0
    for g, p in zip(gold, pred, strict=True):
        index = _index(g)
        gold_links = _link_set(g, index, annotated_relations(g))
        pred_links = _link_set(p, index, predicted_annotated_relations(p, corpus))
        groups = unit_groups(g, scope)
        outside += sum(groups[i] != groups[j] for i, j in gold_links)
        n = len(g.units)
        for i in range(n):
            for j in range(n):
                if i != j and groups[i] == groups[j]:
                    y_true.append(int((i, j) in gold_links))
                    y_pred.append(int((i, j) in pred_links))
    if not y_true:
        f1s = [0.0, 0.0]
    else:
        f1s = [
            float(x) for x in f1_score(y_true, y_pred, labels=[1, 0], average=None, zero_division=0)
        ]
    return {
        "ari": (f1s[0] + f1s[1]) / 2,
        "link_f1": f1s[0],
        "no_link_f1": f1s[1],
        "scope": scope,
        "n_pairs": len(y_true),
        "n_gold_links": sum(y_true),
        "n_pred_links": sum(y_pred),
        "n_gold_links_outside_scope": outside,
    }


def arc_scores(
    gold: Sequence[Document], predicted: Sequence[Mapping[tuple[int, int], str]]
) -> dict[str, Any]:
    """ARC: macro F1 of the relation label (support / attack) on each gold annotated link.

    ``predicted[d]`` maps ``(child index, parent index)`` (indices into
    ``gold[d].units``) to the label the model gives that pair; a pair it does not score
    (an end it labelled ``none``) counts as wrong.

    Example:
        >>> from argmine.document import Document
        >>> g = Document.build("A. B. C.", spans=[(0, 2, "claim"), (3, 5, "premise"),
        ...                    (6, 8, "premise")], links=[(1, 0, "support"), (2, 0, "attack")])
        >>> arc_scores([g], [{(1, 0): "support", (2, 0): "attack"}])["arc"]
        1.0
        >>> arc_scores([g], [{(1, 0): "support"}])["n_unscored"]
        1
    """
    from argmine.metrics import label_scores

    y_true: list[str] = []
    y_pred: list[str] = []
    for g, labels in zip(gold, predicted, strict=True):
        index = _index(g)
        for r in annotated_relations(g):
            key = (index[(r.source.start, r.source.end)], index[(r.target.start, r.target.end)])
            y_true.append(r.label)
            y_pred.append(labels.get(key, "none"))
    labs = ["support", "attack"]
    if not y_true:
        return {"arc": 0.0, "per_label": {}, "n_links": 0, "n_unscored": 0}
    per, macro = label_scores(y_true, y_pred, labs)
    return {
        "arc": macro,
        "per_label": per,
        "n_links": len(y_true),
        "n_unscored": y_pred.count("none"),
    }


def two_class_scores(gold: Sequence[Document], pred: Sequence[Document]) -> dict[str, Any]:
    """AbstRCT's two-class component figure: claim (conclusion + claim) vs evidence.

    Example:
        >>> from argmine.document import Document
        >>> g = Document.build("A. B.", spans=[(0, 2, "conclusion"), (3, 5, "premise")])
        >>> p = Document.build("A. B.", spans=[(0, 2, "claim"), (3, 5, "premise")])
        >>> two_class_scores([g], [p])["macro_f1"]
        1.0
    """
    from argmine.metrics import label_scores

    check_same_units(gold, pred)
    y_true = [TWO_CLASS.get(u.label or "none", "none") for d in gold for u in d.units]
    y_pred = [TWO_CLASS.get(u.label or "none", "none") for d in pred for u in d.units]
    labs = ["claim", "evidence"]
    per, macro = label_scores(y_true, y_pred, labs)
    return {
        "labels": labs,
        "per_label": per,
        "macro_f1": macro,
    }
