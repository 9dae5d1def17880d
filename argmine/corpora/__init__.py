"""Benchmark corpora as argmine :class:`~argmine.document.Document` lists.

Each corpus has a module that documents how its labels map to argmine's
(:mod:`~argmine.corpora.aae2`, :mod:`~argmine.corpora.abstrct`,
:mod:`~argmine.corpora.microtext`); the corpus's own labels stay in ``source_label``.
The corpora are not shipped (their licences forbid it): argmine reads them from a data
folder holding ``aae2/``, ``abstrct/`` and ``microtext/``, found as described in
:func:`resolve_data_dir` (set ``ARGMINE_DATA=/path/to/data`` or pass ``data_dir=``).

Example:
    >>> sorted(CORPORA)
    ['aae2', 'abstrct', 'microtext']
    >>> load("essays", "train")
    Traceback (most recent call last):
    ...
    ValueError: Unknown corpus 'essays'; known corpora: aae2, abstrct, microtext.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from argmine.corpora import aae2, abstrct, microtext
from argmine.corpora._common import ENV_VAR, resolve_data_dir
from argmine.corpora.microtext import microtext_cv_splits
from argmine.document import Document

__all__ = ["CORPORA", "ENV_VAR", "load", "microtext_cv_splits", "resolve_data_dir"]

#: Corpus name -> its splits.
CORPORA: dict[str, tuple[str, ...]] = {
    aae2.NAME: aae2.SPLITS,
    abstrct.NAME: abstrct.SPLITS,
    microtext.NAME: microtext.SPLITS,
}

_LOADERS: dict[str, Callable[[str, str | os.PathLike[str] | None], list[Document]]] = {
    aae2.NAME: aae2.load,
    abstrct.NAME: abstrct.load,
    microtext.NAME: microtext.load,
}


def load(name: str, split: str, data_dir: str | os.PathLike[str] | None = None) -> list[Document]:
    """The gold documents of corpus ``name``, split ``split`` (see :data:`CORPORA`).

    Raises ``ValueError`` for an unknown corpus or split, and
    :class:`~argmine.errors.CorpusNotFoundError` when the corpus folder is missing.
    """
    if name not in CORPORA:
        raise ValueError(f"Unknown corpus {name!r}; known corpora: {', '.join(CORPORA)}.")
    if split not in CORPORA[name]:
        raise ValueError(
            f"Unknown split {split!r} for corpus {name!r}; known splits: "
            f"{', '.join(CORPORA[name])}."
        )
    return _LOADERS[name](split, data_dir)
