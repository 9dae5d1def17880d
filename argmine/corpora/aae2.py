"""Argument Annotated Essays, version 2 (AAE2; Stab & Gurevych 2017): 402 persuasive essays.

Layout: ``<data>/aae2/brat-project-final/essayNNN.{txt,ann}`` (brat standoff) and
``<data>/aae2/train-test-split.csv`` (``"essay001";"TRAIN"`` rows, separated by
carriage returns), which gives the splits ``train`` (322 essays) and ``test`` (80).

Mapping to argmine labels (the corpus's own labels stay in ``source_label``):

========================  ===========================  ==========================
AAE2                      argmine                      ``source_label``
========================  ===========================  ==========================
``MajorClaim``            ``conclusion``               ``MajorClaim``
``Claim``                 ``claim``                    ``Claim``
``Premise``               ``premise``                  ``Premise``
``supports`` (R line)     ``support``                  ``supports``
``attacks`` (R line)      ``attack``                   ``attacks``
Claim ``Stance`` ``For``  ``support`` claim -> root    ``Stance:For``
Claim ``Stance`` ...      ``attack`` claim -> root     ``Stance:Against``
other MajorClaims         ``support`` -> root          ``restates``
========================  ===========================  ==========================

AAE2 links claims to the thesis only through a ``Stance`` attribute, never with an
``R`` line, and an essay states its thesis (MajorClaim) more than once: in the
introduction and again in the conclusion. To make each essay one tree, the *last*
MajorClaim in the text is the root (the concluding restatement is the author's final
word), every other MajorClaim supports it (``restates``), and every claim supports or
attacks it according to its stance. These derived relations come after the ``R``
relations in ``Document.relations``; their source labels are listed in
``metadata["brat_derived_relations"]`` so that :func:`argmine.formats.brat.to_brat`
writes them back as the ``A`` lines they came from, not as ``R`` lines.

Document ids are the file stems (``essay001``); ``metadata`` holds ``corpus``,
``split`` and the brat ``A`` lines (``brat_attributes``).
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from argmine.corpora._common import CorpusInfo, corpus_dir
from argmine.document import Document, Relation
from argmine.errors import CorpusFormatError, CorpusNotFoundError
from argmine.formats.brat import ATTRIBUTES_KEY, DERIVED_KEY, read_brat

NAME = "aae2"
SPLITS: tuple[str, ...] = ("train", "test")
INFO = CorpusInfo(
    name=NAME,
    title="Argument Annotated Essays (version 2)",
    folder="aae2",
    source=(
        "the TU Darmstadt UKP Lab, 'Argument Annotated Essays (version 2)', "
        "https://tudatalib.ulb.tu-darmstadt.de/handle/tudatalib/2422 "
        "(unzip brat-project-final.zip inside the aae2/ folder)"
    ),
    citation=(
        "Christian Stab and Iryna Gurevych. 2017. Parsing Argumentation Structures in "
        "Persuasive Essays. Computational Linguistics 43(3):619-659"
    ),
    splits=SPLITS,
)

#: brat entity type -> argmine unit label.
UNIT_MAP = {"MajorClaim": "conclusion", "Claim": "claim", "Premise": "premise"}
#: brat relation type -> argmine relation label.
RELATION_MAP = {"supports": "support", "attacks": "attack"}
#: Claim stance -> label of the derived claim -> root relation.
STANCE_MAP = {"For": "support", "Against": "attack"}
#: ``source_label`` of the derived MajorClaim -> root relation.
RESTATES = "restates"
#: ``source_label`` values of every derived relation.
DERIVED_LABELS: tuple[str, ...] = (*(f"Stance:{v}" for v in STANCE_MAP), RESTATES)


def derive_tree(
    doc: Document, *, ann_name: str = "", metadata: Mapping[str, Any] | None = None
) -> Document:
    """Add the stance and restatement relations that make an essay one tree.

    ``metadata`` is merged in front of the document's own.

    Example:
        >>> from argmine.formats.brat import parse_brat
        >>> ann = ("T1\\tMajorClaim 0 6\\tTax it\\nT2\\tClaim 8 16\\tIt works\\n"
        ...        "A1\\tStance T2 For\\nT3\\tMajorClaim 18 27\\tSo tax it\\n")
        >>> doc = derive_tree(parse_brat("Tax it. It works. So tax it.", ann,
        ...                              label_map=UNIT_MAP, relation_map=RELATION_MAP))
        >>> for r in doc.relations:
        ...     print(r.source.text, "->", r.target.text, r.label, r.source_label)
        Tax it -> So tax it support restates
        It works -> So tax it support Stance:For
    """
    majors = [u for u in doc.units if u.source_label == "MajorClaim"]
    stances = [a for a in doc.metadata.get(ATTRIBUTES_KEY, ()) if a[1] == "Stance"]
    relations = list(doc.relations)
    if majors:
        root = max(majors, key=lambda u: (u.start, u.end))
        relations += [
            Relation(m, root, "support", source_label=RESTATES) for m in majors if m is not root
        ]
        for attr_id, _, target, value in stances:
            if value not in STANCE_MAP:
                raise CorpusFormatError(
                    f"{ann_name or doc.id}: attribute {attr_id} has stance {value!r}; "
                    f"expected one of {sorted(STANCE_MAP)}."
                )
            relations.append(
                Relation(doc.unit(target), root, STANCE_MAP[value], source_label=f"Stance:{value}")
            )
    elif stances:
        raise CorpusFormatError(
            f"{ann_name or doc.id}: claims carry a stance but the essay has no MajorClaim."
        )
    merged = {**(metadata or {}), **doc.metadata, DERIVED_KEY: list(DERIVED_LABELS)}
    return Document(
        doc.text, id=doc.id, units=doc.units, relations=tuple(relations), metadata=merged
    )


def read_essay(
    txt_path: str | Path,
    ann_path: str | Path,
    *,
    doc_id: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Document:
    """Read one AAE2 essay with the mapping above (also the inverse of ``write_brat``)."""
    doc = read_brat(
        txt_path, ann_path, doc_id=doc_id, label_map=UNIT_MAP, relation_map=RELATION_MAP
    )
    return derive_tree(doc, ann_name=str(ann_path), metadata=metadata)


def read_split_file(path: Path) -> dict[str, str]:
    """``essay id -> split`` from ``train-test-split.csv`` (``\\r``-separated rows)."""
    with path.open(encoding="utf-8", newline="") as f:
        raw = f.read()
    # The file separates rows with bare carriage returns; normalise before csv sees it.
    rows = list(
        csv.reader(io.StringIO(raw.replace("\r\n", "\n").replace("\r", "\n")), delimiter=";")
    )
    if not rows or [c.strip().upper() for c in rows[0]] != ["ID", "SET"]:
        raise CorpusFormatError(f'{path}, line 1: expected the header "ID";"SET".')
    out = {}
    for lineno, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != 2 or row[1].strip().upper() not in ("TRAIN", "TEST"):
            raise CorpusFormatError(
                f'{path}, line {lineno}: expected "essayNNN";"TRAIN|TEST"; got {row!r}.'
            )
        out[row[0].strip()] = row[1].strip().lower()
    return out


def load(split: str, data_dir: str | os.PathLike[str] | None = None) -> list[Document]:
    """The essays of ``split`` (``train`` or ``test``), in file order."""
    INFO.check_split(split)
    root = corpus_dir(INFO, data_dir)
    essays = corpus_dir(INFO, data_dir, "brat-project-final")
    split_file = root / "train-test-split.csv"
    if not split_file.is_file():
        raise CorpusNotFoundError(
            f"{split_file} is missing; it ships with {INFO.title} ({INFO.source})."
        )
    ids = sorted(i for i, s in read_split_file(split_file).items() if s == split)
    meta = {"corpus": NAME, "split": split}
    return [read_essay(essays / f"{i}.txt", essays / f"{i}.ann", metadata=meta) for i in ids]
