"""The argument tree as a Graphviz graph: DOT source, or an SVG picture rendered from it.

One box per argumentative unit, filled with the colour of its label
(:data:`argmine.formats.LABEL_COLOURS`: conclusion amber ``#ffd166``, claim sky blue
``#8ecae6``, premise lavender ``#cdb4db``, unlabelled white), titled like the Argdown
outline (``Claim 1``) over the unit's text wrapped at :data:`WRAP` characters. Arrows
run from each unit to the one it argues about, conclusion at the top: support edges
green and solid, attack edges red and dashed (:data:`argmine.formats.RELATION_COLOURS`).
Units labelled ``none`` (and anything hanging below one) are left out; argumentative
units without relations stand alone. Each node's SVG ``id`` is its unit's id.

DOT source needs only the ``graphviz`` Python package; SVG needs Graphviz's ``dot``
program on ``PATH`` (Debian/Ubuntu: ``apt-get install graphviz``), and
:class:`GraphvizNotFoundError` says so when it is missing.

Example:
    >>> from argmine import Document
    >>> doc = Document.build("Act now. It is late. It is costly.",
    ...                      spans=[(0, 8, "conclusion"), (9, 20, "premise"),
    ...                             (21, 34, "premise")],
    ...                      links=[(1, 0, "support"), (2, 0, "attack")])
    >>> dot = to_dot(doc)
    >>> [line.strip() for line in dot.splitlines() if "->" in line]
    ['n1 -> n0 [color="#1a9850" style=solid]', 'n2 -> n0 [color="#d73027" style=dashed]']
    >>> for line in dot.splitlines():
    ...     if line.strip().startswith("n0"):
    ...         print(*line.strip().split(" fill"), sep="\\n fill")
    n0 [label=<<B>Conclusion</B><BR ALIGN="LEFT"/>Act now.<BR ALIGN="LEFT"/>>
     fillcolor="#ffd166" id=u0]
"""

from __future__ import annotations

import html
import textwrap
import unicodedata
from typing import TYPE_CHECKING

import graphviz

from argmine.errors import ArgmineError
from argmine.formats import LABEL_COLOURS, RELATION_COLOURS, tree_items, unit_titles

if TYPE_CHECKING:
    from argmine.document import Document, Unit

__all__ = ["WRAP", "GraphvizNotFoundError", "to_dot", "to_graph", "to_svg"]

#: Characters per line of a node's text.
WRAP = 40
_STYLES = {"support": "solid", "attack": "dashed"}
_ARGUMENTATIVE = ("conclusion", "claim", "premise")


class GraphvizNotFoundError(ArgmineError, RuntimeError):
    """Graphviz's ``dot`` program, which renders SVG, is not installed or not on PATH."""


def _clean(text: str) -> str:
    """One line of text that Graphviz's HTML-label parser accepts."""
    # Control characters and lone surrogates break Graphviz's XML parser or UTF-8 pipe.
    return "".join(
        "\ufffd" if unicodedata.category(ch) in ("Cc", "Cs") else ch
        for ch in " ".join(text.split())
    )


def _label(title: str, text: str) -> str:
    lines = textwrap.wrap(_clean(text), WRAP, break_on_hyphens=False) or [""]
    # A left-aligned <BR/> after every line, the last too, left-aligns the whole block.
    body = "".join(f'{html.escape(line, quote=False)}<BR ALIGN="LEFT"/>' for line in lines)
    return f'<<B>{html.escape(title, quote=False)}</B><BR ALIGN="LEFT"/>{body}>'


def _shown_units(doc: Document) -> list[Unit]:
    """The tree's units (none-labelled ones and their subtrees cut off), then orphans."""
    shown = {unit.id: unit for unit, _ in tree_items(doc)}
    for unit in doc.units:
        if unit.label in _ARGUMENTATIVE and unit.id not in shown:
            shown[unit.id] = unit
    return list(shown.values())


def to_graph(doc: Document) -> graphviz.Digraph:
    """``doc``'s argument tree as a :class:`graphviz.Digraph` (see the module doc)."""
    graph = graphviz.Digraph(name=graphviz.nohtml(doc.id) if doc.id else None)
    graph.attr(rankdir="BT", nodesep="0.3", ranksep="0.5")
    graph.attr(
        "node",
        shape="box",
        style="rounded,filled",
        fontname="Helvetica",
        fontsize="11",
        margin="0.15,0.08",
    )
    graph.attr("edge", penwidth="1.6", arrowsize="0.8")
    titles = unit_titles(doc)
    units = _shown_units(doc)
    # Nodes are named by position: unit ids may hold ':' or '\', which DOT reads as syntax.
    name = {u.id: f"n{i}" for i, u in enumerate(units)}
    for unit in units:
        graph.node(
            name[unit.id],
            label=_label(titles[unit.id], unit.text),
            fillcolor=LABEL_COLOURS.get(unit.label, "#ffffff"),
            id=graphviz.escape(unit.id),
        )
    for rel in doc.relations:
        if rel.source.id in name and rel.target.id in name:
            graph.edge(
                name[rel.source.id],
                name[rel.target.id],
                color=RELATION_COLOURS[rel.label],
                style=_STYLES[rel.label],
            )
    return graph


def to_dot(doc: Document) -> str:
    """``doc``'s argument tree as Graphviz DOT source."""
    return to_graph(doc).source


def to_svg(doc: Document) -> str:
    """``doc``'s argument tree rendered to SVG by Graphviz's ``dot`` program.

    Raises:
        GraphvizNotFoundError: ``dot`` is not installed or not on ``PATH``.
    """
    try:
        svg: str = to_graph(doc).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError(
            "Rendering SVG needs Graphviz's `dot` program, which was not found on PATH. "
            "Install Graphviz (Debian/Ubuntu: `apt-get install graphviz`; macOS: "
            "`brew install graphviz`) or export the `dot` format instead."
        ) from e
    return svg
