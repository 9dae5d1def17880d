"""One self-contained HTML page: the text with its units highlighted, and the tree beside it.

The page needs no network (inline CSS and a few lines of inline JavaScript, no fonts,
images or CDNs), so it can be mailed or opened from disk. Left, the document text with
every unit's background in its label's colour (:data:`argmine.formats.LABEL_COLOURS`,
with a legend above); right, the argument tree as nested lists, each entry marked
``+`` (supports its parent) or ``−`` (attacks it), with units outside the tree listed
after it. Clicking a tree entry outlines its unit in the text and scrolls to it;
clicking a unit in the text marks its tree entry. All document text, ids and titles
are HTML-escaped.

DOM contract (what scripts and tests may rely on): each unit ``i`` (its position in
``doc.units``) has an empty anchor ``<span id="unit-i" data-unit-id="...">`` at its
start, and its text lies in ``span.unit`` elements whose ``data-units`` lists ``i``
(overlapping units share spans, so a span may list several); a tree entry is a
``button`` with ``data-target="i"``. The ``active`` class marks the selection.

Example:
    >>> from argmine import Document
    >>> doc = Document.build("Act <now>. It is late.",
    ...                      spans=[(0, 10, "conclusion"), (11, 22, "premise")],
    ...                      links=[(1, 0, "support")])
    >>> page = to_html(doc, title="Demo")
    >>> "Act &lt;now&gt;." in page and "<now>" not in page
    True
    >>> page.count('data-target="1"')
    1
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from argmine.formats import LABEL_COLOURS, tree_items, unit_titles

if TYPE_CHECKING:
    from argmine.document import Document, Unit

__all__ = ["to_html"]

_ARGUMENTATIVE = ("conclusion", "claim", "premise")
_SIGNS = {"support": ("+", "supports"), "attack": ("\u2212", "attacks")}

_CSS = """
:root { color-scheme: light; }
@media (prefers-reduced-motion: no-preference) { html { scroll-behavior: smooth; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1d1d1f; background: #fafafa; }
header { padding: 12px 24px; border-bottom: 1px solid #ddd; background: #fff; }
h1 { margin: 0 0 6px; font-size: 20px; }
h2 { margin: 0 0 8px; font-size: 15px; text-transform: uppercase; letter-spacing: .05em;
  color: #555; }
.legend { display: flex; flex-wrap: wrap; gap: 16px; margin: 0; padding: 0;
  list-style: none; font-size: 14px; }
.swatch { display: inline-block; width: 14px; height: 14px; margin-right: 6px;
  vertical-align: -2px; border: 1px solid #999; border-radius: 3px; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px;
  padding: 16px 24px; align-items: start; }
#text { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; padding: 16px 20px;
  border: 1px solid #ddd; border-radius: 6px; }
#tree { position: sticky; top: 0; max-height: 100vh; overflow: auto; background: #fff;
  padding: 16px 20px; border: 1px solid #ddd; border-radius: 6px; font-size: 14px; }
.unit { border-radius: 3px; padding: 1px 0; cursor: pointer;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.unit.active { outline: 3px solid #1d1d1f; outline-offset: 1px; }
#tree ul { list-style: none; margin: 0; padding-left: 18px; }
#tree > ul { padding-left: 0; }
#tree li { margin: 4px 0; }
.node { display: block; width: 100%; text-align: left; font: inherit; color: inherit;
  border: 1px solid #bbb; border-radius: 5px; padding: 4px 8px; cursor: pointer; }
.node:hover { border-color: #555; }
.node.active { outline: 3px solid #1d1d1f; }
.rel { display: inline-block; width: 1.2em; font-weight: bold; text-align: center; }
.rel-support { color: #1a9850; }
.rel-attack { color: #d73027; }
.empty { color: #666; font-style: italic; }
"""

# Selection: a tree entry outlines every text span of its unit and scrolls the text to
# the unit's anchor; a text span marks (and reveals) the tree entry of its innermost unit.
_JS = """
(function () {
  "use strict";
  var tree = document.getElementById("tree");
  var text = document.getElementById("text");
  function select(index, scroll) {
    document.querySelectorAll(".active").forEach(function (el) {
      el.classList.remove("active");
    });
    document.querySelectorAll('.unit[data-units~="' + index + '"], ' +
                              '.node[data-target="' + index + '"]').forEach(function (el) {
      el.classList.add("active");
    });
    var anchor = document.getElementById("unit-" + index);
    var node = tree.querySelector('[data-target="' + index + '"]');
    if (scroll && anchor) {
      anchor.scrollIntoView({block: "center"});
    } else if (!scroll && node) {
      node.scrollIntoView({block: "nearest"});
    }
  }
  tree.addEventListener("click", function (event) {
    var node = event.target.closest("[data-target]");
    if (node) { select(node.getAttribute("data-target"), true); }
  });
  text.addEventListener("click", function (event) {
    var span = event.target.closest(".unit");
    if (span) { select(span.getAttribute("data-inner"), false); }
  });
})();
"""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _label_class(label: str | None) -> str:
    return f"label-{label or 'unlabelled'}"


def _text_panel(doc: Document, titles: dict[str, str]) -> str:
    """The text cut at every unit boundary; each piece wrapped with the units covering it."""
    text, units = doc.text, doc.units
    starts: dict[int, list[int]] = {}
    for i, unit in enumerate(units):
        starts.setdefault(unit.start, []).append(i)
    bounds = sorted({0, len(text), *(u.start for u in units), *(u.end for u in units)})
    out: list[str] = []
    active: list[int] = []  # units covering the current piece (a sweep, not a scan)
    for a, b in zip(bounds, [*bounds[1:], None], strict=True):
        active.extend(starts.get(a, ()))
        # Unit ends are bounds too, so a unit covers [a, b) exactly when it ends after a.
        active = [i for i in active if units[i].end > a]
        for i in starts.get(a, ()):
            unit = units[i]
            out.append(
                f'<span class="anchor" id="unit-{i}" data-unit-id="{_esc(unit.id)}" '
                f'data-label="{_esc(unit.label or "")}"></span>'
            )
        if b is None or a == b:
            continue
        cover = sorted(active)
        piece = _esc(text[a:b])
        if not cover:
            out.append(piece)
            continue
        # The innermost (shortest) unit gives the colour, as it is the most specific.
        inner = min(cover, key=lambda i: (units[i].end - units[i].start, -units[i].start))
        unit = units[inner]
        out.append(
            f'<span class="unit {_label_class(unit.label)}" data-units="'
            f'{" ".join(map(str, cover))}" data-inner="{inner}" '
            f'title="{_esc(titles[unit.id])}">{piece}</span>'
        )
    return "".join(out)


def _node(doc: Document, unit: Unit, index: int, titles: dict[str, str], rooted: bool) -> str:
    rel = doc.tree.relation(unit) if rooted else None
    sign, verb = _SIGNS[rel.label] if rel is not None else ("", "")
    title = titles[unit.id]
    hint = f"{title} {verb} {titles[rel.target.id]}" if rel is not None else title
    rel_class = f"rel rel-{rel.label}" if rel is not None else "rel"
    return (
        f'<button type="button" class="node {_label_class(unit.label)}" '
        f'data-target="{index}" data-unit-id="{_esc(unit.id)}" title="{_esc(hint)}">'
        f'<span class="{rel_class}">{sign}</span><b>{_esc(title)}</b>: {_esc(unit.text)}'
        "</button>"
    )


def _tree_panel(doc: Document, titles: dict[str, str]) -> str:
    index = {u.id: i for i, u in enumerate(doc.units)}
    items = tree_items(doc)
    out: list[str] = []
    prev = -1
    for unit, depth in items:
        # Pre-order depths rise one level at a time and may fall several.
        if depth > prev:
            out.append("<ul>")
        else:
            out.append("</li>" + "</ul></li>" * (prev - depth))
        out.append("<li>" + _node(doc, unit, index[unit.id], titles, rooted=True))
        prev = depth
    if items:
        out.append("</li>" + "</ul></li>" * prev + "</ul>")
    else:
        out.append(
            '<p class="empty">No argument tree: the document has no conclusion with relations.</p>'
        )
    placed = {u.id for u, _ in items}
    orphans = [u for u in doc.units if u.label in _ARGUMENTATIVE and u.id not in placed]
    if orphans:
        out.append("<h2>Outside the tree</h2><ul>")
        out.extend(f"<li>{_node(doc, u, index[u.id], titles, rooted=False)}</li>" for u in orphans)
        out.append("</ul>")
    return "".join(out)


def _style() -> str:
    colours = "".join(
        f".{_label_class(label)} {{ background: {colour}; }}\n"
        for label, colour in LABEL_COLOURS.items()
    )
    # Unlabelled units are white on white: a dotted underline shows where they are.
    return _CSS + colours + ".label-unlabelled.unit { border-bottom: 1px dotted #888; }\n"


def to_html(doc: Document, *, title: str | None = None) -> str:
    """``doc`` as one self-contained HTML page (see the module doc).

    ``title`` defaults to the document id, or "Argument analysis" without one.
    """
    titles = unit_titles(doc)
    heading = title if title is not None else (doc.id or "Argument analysis")
    legend = "".join(
        f'<li><span class="swatch {_label_class(label)}"></span>{label or "unlabelled"}</li>'
        for label in LABEL_COLOURS
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(heading)}</title>\n<style>{_style()}</style>\n</head>\n<body>\n"
        f'<header><h1>{_esc(heading)}</h1><ul class="legend">{legend}</ul></header>\n'
        "<main>\n"
        f'<section id="text" aria-label="Text">{_text_panel(doc, titles)}</section>\n'
        f'<nav id="tree" aria-label="Argument tree"><h2>Argument tree</h2>'
        f"{_tree_panel(doc, titles)}</nav>\n"
        "</main>\n"
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )
