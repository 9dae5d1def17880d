"""Project gold annotation onto sentences, the units argmine's segmenter produces.

Gold units rarely coincide with sentences (AAE2 cuts clauses out of sentences, and one
sentence may hold a premise and a claim), so training and evaluating on
:func:`argmine.segment.segment` output needs gold labels per sentence.
"""

from __future__ import annotations

from collections.abc import Iterable

from argmine.document import Document, Relation, Unit

__all__ = ["LABEL_RANK", "best_overlap", "project_to_sentences"]

#: Which label wins a tie in overlap: the more central role.
LABEL_RANK: dict[str | None, int] = {"conclusion": 3, "claim": 2, "premise": 1}


def _overlap(a: Unit, b: Unit) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def best_overlap(span: Unit, gold: Iterable[Unit]) -> Unit | None:
    """The unit of ``gold`` that overlaps ``span`` most (ties: higher role, then earlier).

    Example:
        >>> best_overlap(Unit(0, 10), [Unit(0, 5, label="premise"), Unit(5, 10, label="claim")])
        Unit(start=5, end=10, label='claim', score=None, source_label=None, id='')
        >>> best_overlap(Unit(0, 10), [Unit(12, 15, label="claim")]) is None
        True
    """
    best: Unit | None = None
    best_key = (0, 0)
    for g in gold:
        key = (_overlap(span, g), LABEL_RANK.get(g.label, 0))
        if key[0] > 0 and key > best_key:  # strict: the earlier unit wins full ties
            best, best_key = g, key
    return best


def project_to_sentences(doc: Document) -> Document:
    """``doc``'s text segmented into sentences, labelled and linked from its gold units.

    The rule:

    - Units: each sentence of ``argmine.segment.segment(doc.text)`` takes the label
      and ``source_label`` of the gold unit it overlaps by the most characters; on a
      tie the higher role wins (``conclusion`` > ``claim`` > ``premise``), then the
      earlier unit. A sentence that overlaps no gold unit is ``none``.
    - Relations: each gold unit is assigned to the sentence it overlaps most (the
      earlier one on a tie; a unit overlapping no sentence is dropped). Each gold
      relation becomes a relation between the sentences its two units are assigned to,
      with the same ``label`` and ``source_label``; relations within one sentence are
      dropped. When a sentence would get several outgoing relations, the one whose
      gold source unit is longest is kept (the earlier relation on a tie); a relation
      that would close a cycle (two sentences each holding a unit that argues for one
      in the other) is dropped, so the result has no cycles.

    ``metadata`` is the original plus ``"projected_from": "gold"``.

    Example:
        >>> gold = Document.build(
        ...     "Tax sugar. It harms teeth, and it costs money.",
        ...     spans=[(0, 10, "conclusion"), (11, 25, "premise"), (31, 46, "premise")],
        ...     links=[(1, 0, "support"), (2, 0, "support")])
        >>> sents = project_to_sentences(gold)
        >>> [(u.text, u.label) for u in sents.units]
        [('Tax sugar.', 'conclusion'), ('It harms teeth, and it costs money.', 'premise')]
        >>> [(r.source.text[:8], r.target.text) for r in sents.relations]
        [('It harms', 'Tax sugar.')]
    """
    # Imported here: argmine.segment pulls in the sentence splitter, which loading a
    # corpus does not need.
    from argmine.segment import segment

    sentences = list(segment(doc.text, id=doc.id).units)
    gold = list(doc.units)

    labelled: list[Unit] = []
    for sent in sentences:
        best = best_overlap(sent, gold)
        labelled.append(
            Unit(
                sent.start,
                sent.end,
                label=best.label if best is not None else "none",
                source_label=best.source_label if best is not None else None,
                id=sent.id,
            )
        )

    home: dict[str, int] = {}  # gold unit id -> index of its sentence
    for g in gold:
        overlaps = [_overlap(s, g) for s in sentences]
        if overlaps and max(overlaps) > 0:
            home[g.id] = overlaps.index(max(overlaps))

    chosen: dict[int, tuple[int, Relation]] = {}  # source sentence -> (gold length, rel)
    for rel in doc.relations:
        src, trg = home.get(rel.source.id), home.get(rel.target.id)
        if src is None or trg is None or src == trg:
            continue
        length = rel.source.end - rel.source.start
        if src in chosen and chosen[src][0] >= length:
            continue
        chosen[src] = (
            length,
            Relation(labelled[src], labelled[trg], rel.label, source_label=rel.source_label),
        )
    # Two sentences can each hold a unit that argues for one in the other; keep the
    # longer-sourced relation first and drop any that would close a cycle.
    parent: dict[int, int] = {}
    index = {id(u): k for k, u in enumerate(labelled)}
    for src, (_, rel) in sorted(chosen.items(), key=lambda kv: -kv[1][0]):
        trg, seen = index[id(rel.target)], set()
        while trg in parent and trg not in seen:
            seen.add(trg)
            trg = parent[trg]
        if trg != src:
            parent[src] = index[id(rel.target)]
    relations = [rel for src, (_, rel) in sorted(chosen.items()) if src in parent]
    return Document(
        doc.text,
        id=doc.id,
        units=tuple(labelled),
        relations=tuple(relations),
        metadata={**doc.metadata, "projected_from": "gold"},
    )
