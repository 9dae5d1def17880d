"""The argument tree as indented text, for people reading a terminal.

Example:
    >>> from argmine.document import Document
    >>> doc = Document.build("Act now. It is late. Menu",
    ...     spans=[(0, 8, "conclusion"), (9, 20, "premise"), (21, 25, "none")],
    ...     links=[(1, 0, "support")])
    >>> print(outline(doc))
    [conclusion] Act now.
    └── supports ─ [premise] It is late.
    <BLANKLINE>
    1 unit labelled none left out (--show-none lists them).
"""

from __future__ import annotations

import textwrap

from argmine.document import Document, Unit

_VERB = {"support": "supports", "attack": "attacks"}


def _tag(unit: Unit) -> str:
    score = f" {unit.score:.2f}" if unit.score is not None else ""
    return f"[{unit.label}{score}]"


def outline(doc: Document, *, show_none: bool = False, width: int = 0) -> str:
    """The tree of ``doc``: root first, children indented under their parent.

    Each line shows the relation to the parent (with its score), the unit's label (with
    its score) and its text; ``width`` > 0 wraps text to that many columns.
    """
    tree = doc.tree
    lines: list[str] = []
    in_tree: set[str] = set()

    def text_of(unit: Unit, prefix: str) -> str:
        body = " ".join(unit.text.split())
        if width and len(prefix) + len(body) > width:
            wrapped = textwrap.wrap(body, max(width - len(prefix), 20))
            pad = prefix.replace("└──", "   ").replace("├──", "│  ")
            return ("\n" + " " * len(pad)).join(wrapped)
        return body

    def visit(unit: Unit, prefix: str, branch: str) -> None:
        in_tree.add(unit.id)
        rel = tree.relation(unit)
        head = ""
        if rel is not None:
            score = f" {rel.score:.2f}" if rel.score is not None else ""
            head = f"{_VERB.get(rel.label, rel.label)}{score} ─ "
        first = f"{prefix}{branch}{head}{_tag(unit)} "
        lines.append(first + text_of(unit, first))
        kids = tree.children(unit)
        child_prefix = prefix + ("    " if branch.startswith("└") else "│   " if branch else "")
        for k, child in enumerate(kids):
            visit(child, child_prefix, "└── " if k == len(kids) - 1 else "├── ")

    for root in tree.roots:
        visit(root, "", "")
    rest = [u for u in doc.units if u.id not in in_tree and u.label not in (None, "none")]
    if rest:
        lines.append("")
        lines.append("Argumentative units outside the tree:")
        lines.extend(f"  {_tag(u)} {' '.join(u.text.split())}" for u in rest)
    nones = [u for u in doc.units if u.label in (None, "none")]
    if not doc.units:
        lines.append("(empty text: no units, no tree)")
    elif not tree.roots:
        lines.append("(no argument found)")
    if nones:
        lines.append("")
        noun = "unit" if len(nones) == 1 else "units"
        if show_none:
            lines.append(f"{len(nones)} {noun} labelled none:")
            lines.extend(f"  {_tag(u)} {' '.join(u.text.split())}" for u in nones)
        else:
            lines.append(f"{len(nones)} {noun} labelled none left out (--show-none lists them).")
    return "\n".join(lines)
