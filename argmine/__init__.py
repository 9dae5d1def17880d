"""argmine: find what a text argues and why.

Segment a text into units, label each one ``conclusion``, ``claim``, ``premise`` or
``none`` with a fine-tuned transformer, link them, and decode the argument tree.

Example:
    >>> import argmine
    >>> doc = argmine.Document.build("We must act. It is late.",
    ...                              spans=[(0, 12, "conclusion"), (13, 24, "premise")],
    ...                              links=[(1, 0, "support")])
    >>> doc.tree.root.text
    'We must act.'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from argmine.document import (
    RELATION_LABELS,
    UNIT_LABELS,
    ArgumentTree,
    Document,
    Relation,
    Unit,
)
from argmine.errors import ArgmineError, ArgmineWarning
from argmine.segment import segment

if TYPE_CHECKING:
    from argmine.miner import Miner

__version__ = "0.1.0"

__all__ = [
    "RELATION_LABELS",
    "UNIT_LABELS",
    "ArgmineError",
    "ArgmineWarning",
    "ArgumentTree",
    "Document",
    "Miner",
    "Relation",
    "Unit",
    "__version__",
    "load",
    "segment",
]


def load(name_or_path: str | None = None, **kwargs: Any) -> Miner:
    """Load a miner: the shipped model by default, or a saved model folder.

    Heavy imports (torch, transformers) happen here, not at ``import argmine``.
    """
    from argmine.miner import Miner

    return Miner.load(name_or_path, **kwargs)
