"""AbstRCT (Mayer, Cabrio & Villata 2020): abstracts of randomised controlled trials.

Layout (brat standoff, one ``<pubmed id>.{txt,ann}`` pair per abstract)::

    <data>/abstrct/train/neoplasm_train/   350 abstracts
    <data>/abstrct/dev/neoplasm_dev/        50
    <data>/abstrct/test/neoplasm_test/     100
    <data>/abstrct/test/glaucoma_test/     100
    <data>/abstrct/test/mixed_test/        100

Mapping to argmine labels (the corpus's own labels stay in ``source_label``):

==================  ==============
AbstRCT             argmine
==================  ==============
``MajorClaim``      ``conclusion``
``Claim``           ``claim``
``Premise``         ``premise``
``Support``         ``support``
``Attack``          ``attack``
``Partial-Attack``  ``attack``
==================  ==============

A partial attack still argues against its target, and argmine has two relation
labels, so it becomes ``attack``; ``source_label`` tells the two apart. AbstRCT
abstracts need not form one tree: many have no MajorClaim, and units are linked only
where the annotators saw a relation; nothing is derived.

Document ids are the file stems (PubMed ids); ``metadata`` holds ``corpus`` and
``split``.
"""

from __future__ import annotations

import os

from argmine.corpora._common import CorpusInfo, corpus_dir, natural_key
from argmine.document import Document
from argmine.formats.brat import read_brat

NAME = "abstrct"
SPLITS: tuple[str, ...] = (
    "neoplasm_train",
    "neoplasm_dev",
    "neoplasm_test",
    "glaucoma_test",
    "mixed_test",
)
INFO = CorpusInfo(
    name=NAME,
    title="AbstRCT",
    folder="abstrct",
    source=(
        "the AbstRCT repository by Tobias Mayer et al. (Université Côte d'Azur, CNRS, "
        "Inria, I3S), https://gitlab.com/tomaye/abstrct"
    ),
    citation=(
        "Tobias Mayer, Elena Cabrio and Serena Villata. 2020. Transformer-Based Argument "
        "Mining for Healthcare Applications. ECAI 2020, pages 2108-2115"
    ),
    splits=SPLITS,
)

#: brat entity type -> argmine unit label.
UNIT_MAP = {"MajorClaim": "conclusion", "Claim": "claim", "Premise": "premise"}
#: brat relation type -> argmine relation label.
RELATION_MAP = {"Support": "support", "Attack": "attack", "Partial-Attack": "attack"}


def split_folder(split: str) -> tuple[str, str]:
    """The folder of ``split`` below ``abstrct/``.

    Example:
        >>> split_folder("glaucoma_test")
        ('test', 'glaucoma_test')
    """
    INFO.check_split(split)
    return split.rsplit("_", 1)[1], split


def load(split: str, data_dir: str | os.PathLike[str] | None = None) -> list[Document]:
    """The abstracts of ``split``, ordered by PubMed id."""
    folder = corpus_dir(INFO, data_dir, *split_folder(split))
    meta = {"corpus": NAME, "split": split}
    docs = []
    for txt in sorted(folder.glob("*.txt"), key=natural_key):
        doc = read_brat(txt, txt.with_suffix(".ann"), label_map=UNIT_MAP, relation_map=RELATION_MAP)
        docs.append(
            Document(
                doc.text,
                id=doc.id,
                units=doc.units,
                relations=doc.relations,
                metadata={**meta, **doc.metadata},
            )
        )
    return docs
