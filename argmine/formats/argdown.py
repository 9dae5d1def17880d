"""An Argdown outline of the argument tree, for the Argdown editor, VS Code and argdown CLI.

Each root of the tree is a top-level statement, ``[Conclusion]: text``; every unit
below it is an argument on its own line, indented two spaces per level, after ``<+``
when it supports its parent and ``<-`` when it attacks it: ``  <+ <Claim 1>: text``.
Titles come from :func:`argmine.formats.unit_titles`. Argumentative units outside the
tree (no relation) follow as statements of their own, so nothing the miner found is
lost; units labelled ``none`` and unlabelled ones are left out. Blocks are separated by
a blank line, as Argdown needs between top-level elements.

Unit text goes on one line (runs of whitespace become one space, since a line break
would end the statement) and characters Argdown reads as markup (``[ ] < > # * _ @ { }
\\``, and ``//``, ``/*``, ``===``) are escaped with a backslash, so text never turns into a
reference, tag, comment or emphasis.

Example:
    >>> from argmine import Document
    >>> doc = Document.build("Act now. Delay costs #more. It is late. Really?",
    ...                      spans=[(0, 8, "conclusion"), (9, 27, "claim"),
    ...                             (28, 39, "premise"), (40, 47, "premise")],
    ...                      links=[(1, 0, "support"), (2, 1, "support"), (3, 0, "attack")])
    >>> print(to_argdown(doc), end="")
    [Conclusion]: Act now.
      <+ <Claim 1>: Delay costs \\#more.
        <+ <Premise 1>: It is late.
      <- <Premise 2>: Really?
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from argmine.formats import unit_titles

if TYPE_CHECKING:
    from argmine.document import Document

__all__ = ["escape", "to_argdown"]

_MARKUP_RE = re.compile(r"[\\\[\]<>@#*_{}]|/(?=[/*])|=(?==)")
_ARROWS = {"support": "<+", "attack": "<-"}
_ARGUMENTATIVE = ("conclusion", "claim", "premise")
_EMPTY = "// No argument tree: the document has no argumentative units.\n"


def escape(text: str) -> str:
    """``text`` on one line with Argdown's markup characters backslash-escaped.

    Example:
        >>> print(escape("See [1] or <a>,\\n  a // b, *c*."))
        See \\[1\\] or \\<a\\>, a \\// b, \\*c\\*.
    """
    return _MARKUP_RE.sub(lambda m: "\\" + m.group(), " ".join(text.split()))


def to_argdown(doc: Document) -> str:
    """The argument tree of ``doc`` as Argdown text (see the module doc).

    A document without argumentative units gives just an Argdown comment saying so.

    Example:
        >>> from argmine import Document
        >>> print(to_argdown(Document("Nothing here.")), end="")
        // No argument tree: the document has no argumentative units.
    """
    tree = doc.tree
    titles = unit_titles(doc)
    blocks: list[list[str]] = []
    placed: set[str] = set()
    for root in tree.roots:
        lines: list[str] = []
        skipped: set[str] = set()
        for unit, depth in tree.walk(root):
            parent = tree.parent(unit) if depth else None
            # A unit labelled none argues nothing, nor does anything hanging below it.
            if unit.label == "none" or (parent is not None and parent.id in skipped):
                skipped.add(unit.id)
                continue
            placed.add(unit.id)
            text = escape(unit.text)
            if depth == 0:
                lines.append(f"[{titles[unit.id]}]: {text}")
            else:
                rel = tree.relation(unit)
                arrow = _ARROWS[rel.label if rel is not None else "support"]
                lines.append(f"{'  ' * depth}{arrow} <{titles[unit.id]}>: {text}")
        if lines:
            blocks.append(lines)
    for unit in doc.units:
        if unit.label in _ARGUMENTATIVE and unit.id not in placed:
            blocks.append([f"[{titles[unit.id]}]: {escape(unit.text)}"])
    if not blocks:
        return _EMPTY
    return "\n\n".join("\n".join(lines) for lines in blocks) + "\n"
