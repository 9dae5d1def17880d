"""Readers and writers for annotation and export file formats, and one dispatch over them.

Each format lives in its own module: brat standoff (:mod:`argmine.formats.brat`), argmine's
JSON (:mod:`~argmine.formats.jsonfmt`), AIF and xAIF (:mod:`~argmine.formats.aif`), an
Argdown outline (:mod:`~argmine.formats.argdown`), Graphviz DOT and SVG
(:mod:`~argmine.formats.dot`) and a self-contained HTML page (:mod:`~argmine.formats.html`).
:func:`export` and :func:`write` pick one by name from :data:`FORMATS`; the modules are
imported only when their format is asked for, so ``import argmine.formats`` stays cheap.

Example:
    >>> from argmine import Document
    >>> doc = Document.build("We must act. It is late.",
    ...                      spans=[(0, 12, "conclusion"), (13, 24, "premise")],
    ...                      links=[(1, 0, "support")])
    >>> print(export(doc, "argdown"))
    [Conclusion]: We must act.
      <+ <Premise 1>: It is late.
    <BLANKLINE>
    >>> export(doc, "yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    argmine.formats.UnknownFormatError: Unknown format 'yaml'; known formats: json, brat, ...
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from argmine.errors import ArgmineError

if TYPE_CHECKING:
    from argmine.document import Document, Unit

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "LABEL_COLOURS",
    "RELATION_COLOURS",
    "OutputFolderNotFoundError",
    "UnknownFormatError",
    "export",
    "tree_items",
    "unit_titles",
    "write",
]

#: Every format :func:`export` and :func:`write` know, by name.
FORMATS: tuple[str, ...] = ("json", "brat", "aif", "xaif", "argdown", "dot", "svg", "html")

#: The file extension :func:`write` suggests for each format (brat writes ``.txt`` too).
EXTENSIONS: dict[str, str] = {
    "json": ".json",
    "brat": ".ann",
    "aif": ".json",
    "xaif": ".json",
    "argdown": ".argdown",
    "dot": ".dot",
    "svg": ".svg",
    "html": ".html",
}

#: Fill colour of each unit label in the graph and HTML views; ``None`` is "unlabelled".
#: Pastel, so black text stays readable on them, and distinct for common colour blindness.
LABEL_COLOURS: dict[str | None, str] = {
    "conclusion": "#ffd166",  # amber
    "claim": "#8ecae6",  # sky blue
    "premise": "#cdb4db",  # lavender
    "none": "#e5e5e5",  # light grey
    None: "#ffffff",  # white
}

#: Edge colour of each relation label: support green (solid), attack red (dashed).
RELATION_COLOURS: dict[str, str] = {"support": "#1a9850", "attack": "#d73027"}


class UnknownFormatError(ArgmineError, ValueError):
    """A format name that is not in :data:`FORMATS`."""


class OutputFolderNotFoundError(ArgmineError, FileNotFoundError):
    """The folder :func:`write` was asked to write into does not exist."""


def tree_items(doc: Document) -> list[tuple[Unit, int]]:
    """Pre-order ``(unit, depth)`` of the tree, none-labelled units and their subtrees cut.

    Example:
        >>> from argmine import Document
        >>> doc = Document.build("A. B. C.", spans=[(0, 2, "conclusion"), (3, 5, "none"),
        ...     (6, 8, "premise")], links=[(1, 0, "support"), (2, 1, "support")])
        >>> [(u.text, d) for u, d in tree_items(doc)]
        [('A.', 0)]
    """
    tree = doc.tree
    items: list[tuple[Unit, int]] = []
    cut: set[str] = set()
    for unit, depth in tree.walk():
        parent = tree.parent(unit) if depth else None
        if unit.label == "none" or (parent is not None and parent.id in cut):
            cut.add(unit.id)
        else:
            items.append((unit, depth))
    return items


def unit_titles(doc: Document) -> dict[str, str]:
    """Short display titles by unit id: ``Conclusion``, ``Claim 1``, ``Premise 2``...

    Units are numbered per label in text order. A lone conclusion is plain
    ``Conclusion``; unlabelled units are ``Unit n``.

    Example:
        >>> from argmine import Document
        >>> doc = Document.build("A. B. C.", spans=[(0, 2, "conclusion"), (3, 5, "claim"),
        ...                                         (6, 8, None)])
        >>> unit_titles(doc)
        {'u0': 'Conclusion', 'u1': 'Claim 1', 'u2': 'Unit 1'}
    """
    totals = Counter(u.label for u in doc.units)
    seen: Counter[str | None] = Counter()
    titles: dict[str, str] = {}
    for unit in doc.units:
        seen[unit.label] += 1
        name = (unit.label or "unit").capitalize()
        if unit.label == "conclusion" and totals["conclusion"] == 1:
            titles[unit.id] = name
        else:
            titles[unit.id] = f"{name} {seen[unit.label]}"
    return titles


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UnknownFormatError(f"Unknown format {fmt!r}; known formats: {', '.join(FORMATS)}.")


def export(doc: Document, fmt: str) -> str:
    """``doc`` in format ``fmt`` (one of :data:`FORMATS`) as a string.

    ``brat`` gives the ``.ann`` text only (its ``.txt`` is ``doc.text``; :func:`write`
    writes both). ``aif`` and ``xaif`` stamp nodes with the time of export; every other
    format is a pure function of the document. ``svg`` needs the Graphviz ``dot`` program.
    """
    _check_format(fmt)
    # Imports are local so that each format's dependencies load only when it is used.
    if fmt == "json":
        from argmine.formats.jsonfmt import to_json

        return to_json(doc)
    if fmt == "brat":
        from argmine.formats.brat import to_brat

        return to_brat(doc)[1]
    if fmt in ("aif", "xaif"):
        import json

        from argmine.formats.aif import to_aif, to_xaif

        data = to_aif(doc) if fmt == "aif" else to_xaif(doc)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "argdown":
        from argmine.formats.argdown import to_argdown

        return to_argdown(doc)
    if fmt in ("dot", "svg"):
        from argmine.formats.dot import to_dot, to_svg

        return to_dot(doc) if fmt == "dot" else to_svg(doc)
    from argmine.formats.html import to_html

    return to_html(doc)


def write(doc: Document, fmt: str, path: str | Path) -> list[Path]:
    """Write ``doc`` in format ``fmt`` to ``path``; return the paths written.

    Files are UTF-8 with line endings exactly as exported. For ``brat`` two files are
    written, ``<stem>.txt`` and ``<stem>.ann``, where ``path`` may end in either suffix
    or in none (``out/essay1`` -> ``out/essay1.txt`` and ``out/essay1.ann``). The
    folder must exist: :class:`OutputFolderNotFoundError` (a ``FileNotFoundError``)
    names it otherwise, and nothing is written.

    Example:
        >>> import tempfile
        >>> from argmine import Document
        >>> doc = Document.build("Act now.", spans=[(0, 8, "conclusion")])
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     [p.name for p in write(doc, "json", Path(tmp, "doc.json"))]
        ['doc.json']
    """
    _check_format(fmt)
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise OutputFolderNotFoundError(
            f"Cannot write {fmt} output to {str(path)!r}: the folder {str(folder)!r} "
            "does not exist. Create it first."
        )
    if fmt == "brat":
        from argmine.formats.brat import to_brat

        txt, ann = to_brat(doc)
        base = path.with_suffix("") if path.suffix in (".txt", ".ann") else path
        outputs = [
            (base.with_name(base.name + ".txt"), txt),
            (base.with_name(base.name + ".ann"), ann),
        ]
    else:
        outputs = [(path, export(doc, fmt))]
    for target, content in outputs:
        # newline="" keeps "\r\n" in a document's text as it is: brat offsets count it.
        target.write_text(content, encoding="utf-8", newline="")
    return [target for target, _ in outputs]
