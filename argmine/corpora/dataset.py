"""Documents <-> a Hugging Face :class:`datasets.Dataset`, one row per document.

Columns (the unit and relation columns are lists, aligned by position):

=====================  ================================================================
``id``, ``text``       the document
``unit_id``            unit ids (brat ``T`` ids, microtext ADU ids...)
``unit_start``         unit start offsets
``unit_end``           unit end offsets (half-open)
``unit_label``         argmine labels (``None`` for unlabelled units)
``unit_source_label``  the corpus's own labels (``None`` where there is none)
``rel_source``         index into the unit lists of each relation's source (the child)
``rel_target``         index of each relation's target
``rel_label``          ``support`` / ``attack``
``rel_source_label``   the corpus's own relation labels
``metadata``           ``Document.metadata`` as a JSON string (its keys vary by corpus,
                       which an Arrow struct column cannot hold)
=====================  ================================================================

Scores are not stored: datasets hold gold annotation.

Example:
    >>> from argmine.document import Document
    >>> doc = Document.build("Act now. It is late.", spans=[(0, 8, "claim"), (9, 20, "premise")],
    ...                      links=[(1, 0, "support")], id="d1", metadata={"corpus": "x"})
    >>> ds = to_dataset([doc])
    >>> ds[0]["unit_label"], ds[0]["rel_source"], ds[0]["rel_target"]
    (['claim', 'premise'], [1], [0])
    >>> from_dataset(ds) == [doc]
    True
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import datasets

from argmine.document import Document, Relation, Unit

__all__ = ["FEATURES", "from_dataset", "to_dataset"]


def _strings() -> datasets.List:
    return datasets.List(datasets.Value("string"))


def _ints() -> datasets.List:
    return datasets.List(datasets.Value("int64"))


#: The schema, fixed so that empty documents and all-``None`` columns still type-check.
FEATURES = datasets.Features(
    {
        "id": datasets.Value("string"),
        "text": datasets.Value("string"),
        "unit_id": _strings(),
        "unit_start": _ints(),
        "unit_end": _ints(),
        "unit_label": _strings(),
        "unit_source_label": _strings(),
        "rel_source": _ints(),
        "rel_target": _ints(),
        "rel_label": _strings(),
        "rel_source_label": _strings(),
        "metadata": datasets.Value("string"),
    }
)


def to_dataset(docs: Iterable[Document]) -> datasets.Dataset:
    """One row per document, with the columns listed in the module docstring."""
    rows: dict[str, list[Any]] = {name: [] for name in FEATURES}
    for doc in docs:
        index = {u.id: i for i, u in enumerate(doc.units)}
        rows["id"].append(doc.id)
        rows["text"].append(doc.text)
        rows["unit_id"].append([u.id for u in doc.units])
        rows["unit_start"].append([u.start for u in doc.units])
        rows["unit_end"].append([u.end for u in doc.units])
        rows["unit_label"].append([u.label for u in doc.units])
        rows["unit_source_label"].append([u.source_label for u in doc.units])
        rows["rel_source"].append([index[r.source.id] for r in doc.relations])
        rows["rel_target"].append([index[r.target.id] for r in doc.relations])
        rows["rel_label"].append([r.label for r in doc.relations])
        rows["rel_source_label"].append([r.source_label for r in doc.relations])
        rows["metadata"].append(json.dumps(dict(doc.metadata), ensure_ascii=False))
    return datasets.Dataset.from_dict(rows, features=FEATURES)


def from_dataset(ds: Iterable[dict[str, Any]]) -> list[Document]:
    """Inverse of :func:`to_dataset`: the documents of a dataset made by it."""
    docs = []
    for row in ds:
        units = [
            Unit(start, end, label=label, source_label=source, id=uid)
            for uid, start, end, label, source in zip(
                row["unit_id"],
                row["unit_start"],
                row["unit_end"],
                row["unit_label"],
                row["unit_source_label"],
                strict=True,
            )
        ]
        relations = [
            Relation(units[s], units[t], label, source_label=source)
            for s, t, label, source in zip(
                row["rel_source"],
                row["rel_target"],
                row["rel_label"],
                row["rel_source_label"],
                strict=True,
            )
        ]
        docs.append(
            Document(
                row["text"],
                id=row["id"],
                units=tuple(units),
                relations=tuple(relations),
                metadata=json.loads(row["metadata"]) if row.get("metadata") else {},
            )
        )
    return docs
