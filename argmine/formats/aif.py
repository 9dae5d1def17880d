"""AIF and xAIF (the Argument Interchange Format as AIFdb and OVA store it) out and back in.

:func:`to_aif` writes the JSON layout AIFdb serves and OVA opens::

    {"nodes": [{"nodeID": "1", "text": "...", "type": "I", "timestamp": "..."}, ...],
     "edges": [{"edgeID": "1", "fromID": "2", "toID": "4", "formEdgeID": null}, ...],
     "locutions": [], "participants": []}

Each unit is an I-node (its text); each support relation is an RA-node ("Default
Inference") and each attack a CA-node ("Default Conflict"), linked child I-node -> S-node
-> parent I-node. Units labelled ``none`` argue nothing, so they are no propositions and
are left out. A monological text has no speakers, hence no L-nodes: ``locutions`` and
``participants`` are empty lists. :func:`to_xaif` wraps the same graph the way OVA and
ARG-tech's pipelines exchange it: ``{"AIF": {...}, "text": ..., "OVA": {...},
"dialog": false}``, where the AIF part has no timestamps or ``formEdgeID`` but adds
``schemefulfillments``, ``text`` is the document text as HTML (escaped, line breaks as
``<br>``), and ``OVA`` holds the node positions of a top-down tree layout.

:func:`from_aif` reads either back (or AIF from elsewhere). AIF has no notion of
conclusion, claim or premise, so the reader derives them from the tree, following the
argumentative-essay convention argmine uses: a unit others argue about and that argues
about nothing is a ``conclusion``, a unit that argues directly about a conclusion is a
``claim``, deeper units are ``premise``, and I-nodes without relations are unlabelled.

Not built on the ``arguebuf`` package: it reads and writes AIF but does not write
Argdown, and it pulls in gRPC, protobuf, lxml and pendulum (tens of MB of native wheels)
for what is a few dozen lines of JSON here.

Example:
    >>> from argmine import Document
    >>> doc = Document.build("We must act. Delay costs more. It is too late.",
    ...                      spans=[(0, 12, "conclusion"), (13, 30, "claim"),
    ...                             (31, 46, "claim")],
    ...                      links=[(1, 0, "support"), (2, 0, "attack")])
    >>> aif = to_aif(doc, timestamp="2024-05-01 12:00:00")
    >>> for node in aif["nodes"]:
    ...     print(node["nodeID"], node["type"], node["text"])
    1 I We must act.
    2 I Delay costs more.
    3 I It is too late.
    4 RA Default Inference
    5 CA Default Conflict
    >>> [(e["fromID"], e["toID"]) for e in aif["edges"]]
    [('2', '4'), ('4', '1'), ('3', '5'), ('5', '1')]
    >>> from_aif(aif, text=doc.text) == doc
    True
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from argmine.document import Document, Relation, Unit
from argmine.errors import InputError

__all__ = ["SCHEMES", "TIMESTAMP_FORMAT", "from_aif", "to_aif", "to_xaif"]

#: The S-node type and default scheme name of each relation label.
SCHEMES: dict[str, tuple[str, str]] = {
    "support": ("RA", "Default Inference"),
    "attack": ("CA", "Default Conflict"),
}
#: How AIFdb writes node timestamps.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

_RELATION_OF_TYPE = {node_type: label for label, (node_type, _) in SCHEMES.items()}
# OVA layout: pixels between tree levels (an S-node sits half-way) and between leaves.
_ROW, _COLUMN = 240, 320
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")


def _timestamp(value: datetime | str | None) -> str:
    if value is None:
        value = datetime.now(UTC)
    return value if isinstance(value, str) else value.strftime(TIMESTAMP_FORMAT)


def _graph(doc: Document) -> tuple[list[Unit], list[tuple[str, Relation]], dict[str, str]]:
    """The units that become I-nodes, the relations with their S-node ids, and unit ids."""
    units = [u for u in doc.units if u.label != "none"]
    node_of = {u.id: str(i) for i, u in enumerate(units, start=1)}
    rels = [r for r in doc.relations if r.source.id in node_of and r.target.id in node_of]
    s_nodes = [(str(len(units) + i), r) for i, r in enumerate(rels, start=1)]
    return units, s_nodes, node_of


def _edges(s_nodes: list[tuple[str, Relation]], node_of: Mapping[str, str]) -> list[dict[str, Any]]:
    edges: list[dict[str, Any]] = []
    for s_id, rel in s_nodes:
        for src, trg in ((node_of[rel.source.id], s_id), (s_id, node_of[rel.target.id])):
            edges.append({"edgeID": str(len(edges) + 1), "fromID": src, "toID": trg})
    return edges


def to_aif(doc: Document, *, timestamp: datetime | str | None = None) -> dict[str, Any]:
    """``doc`` as an AIF graph (AIFdb's JSON layout), ready for :func:`json.dumps`.

    I-node ids are ``"1"``..``"n"`` in text order, S-node ids follow. ``timestamp``
    (a datetime, or a string already in :data:`TIMESTAMP_FORMAT`) stamps every node;
    it defaults to now, in UTC.
    """
    stamp = _timestamp(timestamp)
    units, s_nodes, node_of = _graph(doc)
    nodes = [
        {"nodeID": node_of[u.id], "text": u.text, "type": "I", "timestamp": stamp} for u in units
    ]
    for s_id, rel in s_nodes:
        node_type, scheme = SCHEMES[rel.label]
        nodes.append({"nodeID": s_id, "text": scheme, "type": node_type, "timestamp": stamp})
    edges = [{**e, "formEdgeID": None} for e in _edges(s_nodes, node_of)]
    return {"nodes": nodes, "edges": edges, "locutions": [], "participants": []}


def _layout(doc: Document, units: Sequence[Unit]) -> dict[str, tuple[int, int]]:
    """Top-down tree positions by unit id: leaves side by side, parents centred above."""
    keep = {u.id for u in units}
    tree = doc.tree
    order = [(u, d) for u, d in tree.walk() if u.id in keep]
    placed = {u.id for u, _ in order}
    kids = {u.id: [c.id for c in tree.children(u) if c.id in placed] for u, _ in order}
    pos: dict[str, tuple[int, int]] = {}
    slot = 0
    for unit, depth in order:  # leaves take the next free column, left to right
        if not kids[unit.id]:
            slot += 1
            pos[unit.id] = (slot * _COLUMN, depth * _ROW)
    for unit, depth in reversed(order):  # children are placed before their parent
        if kids[unit.id]:
            xs = [pos[c][0] for c in kids[unit.id]]
            pos[unit.id] = (sum(xs) // len(xs), depth * _ROW)
    # Units outside the tree go in a row under it.
    bottom = max((y for _, y in pos.values()), default=-_ROW) + _ROW
    for unit in units:
        if unit.id not in pos:
            slot += 1
            pos[unit.id] = (slot * _COLUMN, bottom)
    return pos


def to_xaif(doc: Document, *, timestamp: datetime | str | None = None) -> dict[str, Any]:
    """``doc`` as xAIF: the AIF graph plus the text and OVA's layout (see the module doc).

    Example:
        >>> from argmine import Document
        >>> x = to_xaif(Document.build("A <b> & c.\\nD.", spans=[(0, 10, "conclusion")]),
        ...             timestamp="2024-05-01 12:00:00")
        >>> x["text"], x["AIF"]["nodes"], x["OVA"]["nodes"][0]["x"]
        ('A &lt;b&gt; &amp; c.<br>\\nD.', [{'nodeID': '1', 'text': 'A <b> & c.', 'type': 'I'}], 320)
    """
    stamp = _timestamp(timestamp)
    units, s_nodes, node_of = _graph(doc)
    aif_nodes = [{"nodeID": node_of[u.id], "text": u.text, "type": "I"} for u in units]
    pos = _layout(doc, units)
    ova_nodes = [
        {
            "nodeID": node_of[u.id],
            "visible": True,
            "x": pos[u.id][0],
            "y": pos[u.id][1],
            "timestamp": stamp,
        }
        for u in units
    ]
    for s_id, rel in s_nodes:
        node_type, scheme = SCHEMES[rel.label]
        aif_nodes.append({"nodeID": s_id, "text": scheme, "type": node_type})
        x, y = pos[rel.source.id]
        ova_nodes.append(
            {"nodeID": s_id, "visible": True, "x": x, "y": y - _ROW // 2, "timestamp": stamp}
        )
    edges = _edges(s_nodes, node_of)
    return {
        "AIF": {
            "nodes": aif_nodes,
            "edges": edges,
            "locutions": [],
            "participants": [],
            "schemefulfillments": [],
        },
        "text": html.escape(doc.text, quote=False).replace("\n", "<br>\n"),
        "OVA": {
            "firstname": "",
            "surname": "",
            "url": "",
            "nodes": ova_nodes,
            "edges": [{"fromID": e["fromID"], "toID": e["toID"], "visible": True} for e in edges],
        },
        "dialog": False,
    }


def _plain_text(markup: str) -> str:
    """xAIF's HTML ``text`` as plain text: ``<br>`` (and a newline after it) -> newline."""
    text = _BR_RE.sub("\n", markup.replace("<br>\n", "\n"))
    return html.unescape(_TAG_RE.sub("", text))


def _locate(text: str, needle: str, cursor: int, used: set[tuple[int, int]]) -> int:
    """Where ``needle`` occurs in ``text``: first after ``cursor``, else anywhere unused."""
    for begin in (cursor, 0):
        pos = text.find(needle, begin)
        while pos != -1:
            if (pos, pos + len(needle)) not in used:
                return pos
            pos = text.find(needle, pos + 1)
    return -1


def _derived_labels(n: int, parent: Mapping[int, int], has_relation: set[int]) -> list[str | None]:
    """Conclusion / claim / premise by depth in the tree; ``None`` outside it or in a cycle."""
    labels: list[str | None] = []
    for i in range(n):
        depth, node, seen = 0, i, {i}
        while node in parent:
            node = parent[node]
            if node in seen:
                depth = -1
                break
            seen.add(node)
            depth += 1
        if i not in has_relation or depth < 0:
            labels.append(None)
        else:
            labels.append(("conclusion", "claim")[depth] if depth < 2 else "premise")
    return labels


def from_aif(data: Mapping[str, Any], *, text: str | None = None, id: str = "") -> Document:
    """Read an AIF or xAIF graph (a parsed JSON object) into a :class:`Document`.

    Units come from I-nodes, support relations from RA-nodes and attacks from CA-nodes
    (each premise of an S-node relates to each of its conclusions); other nodes (L, YA,
    TA, MA, PA) are skipped. Each I-node's text is looked up in ``text`` (by default
    the xAIF ``text``, if not empty), in node order; without any text, the document
    text is the I-node texts joined by newlines. Labels are derived from the tree (module doc).

    Example:
        >>> graph = {"nodes": [{"nodeID": 7, "text": "Tax sugar.", "type": "I"},
        ...                    {"nodeID": 8, "text": "It causes harm.", "type": "I"},
        ...                    {"nodeID": 9, "text": "Default Inference", "type": "RA"}],
        ...          "edges": [{"edgeID": 1, "fromID": 8, "toID": 9},
        ...                    {"edgeID": 2, "fromID": 9, "toID": 7}]}
        >>> doc = from_aif(graph)
        >>> doc.text
        'Tax sugar.\\nIt causes harm.'
        >>> [(u.text, u.label) for u in doc.units]
        [('Tax sugar.', 'conclusion'), ('It causes harm.', 'claim')]
    """
    if not isinstance(data, Mapping):
        raise InputError(f"AIF data must be a JSON object; got {type(data).__name__}.")
    graph = data.get("AIF", data)
    if text is None and "AIF" in data and isinstance(data.get("text"), str):
        # Tools that keep no source text write "" here: fall back to joining the nodes.
        text = _plain_text(data["text"]) or None
    nodes, edges = graph.get("nodes"), graph.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise InputError("AIF data needs a 'nodes' list and an 'edges' list.")
    try:
        kinds = {str(n["nodeID"]): str(n["type"]) for n in nodes}
        i_nodes = [(str(n["nodeID"]), str(n.get("text") or "")) for n in nodes if n["type"] == "I"]
        links = [(str(e["fromID"]), str(e["toID"])) for e in edges]
    except (KeyError, TypeError) as e:
        raise InputError(f"Malformed AIF node or edge: missing or bad field {e}.") from e

    spans: list[tuple[int, int]] = []
    if text is None:
        text = "\n".join(needle for _, needle in i_nodes)
        offset = 0
        for _, needle in i_nodes:
            spans.append((offset, offset + len(needle)))
            offset += len(needle) + 1
    else:
        cursor, used = 0, set[tuple[int, int]]()
        for node_id, needle in i_nodes:
            pos = _locate(text, needle, cursor, used)
            if pos == -1:
                raise InputError(
                    f"The text of I-node {node_id} ({needle[:60]!r}) does not occur in the "
                    "document text; pass the text the graph was made from as text=."
                )
            spans.append((pos, pos + len(needle)))
            used.add(spans[-1])
            cursor = pos + len(needle)

    index = {node_id: i for i, (node_id, _) in enumerate(i_nodes)}
    pairs: list[tuple[int, int, str]] = []
    for s_id, kind in kinds.items():
        label = _RELATION_OF_TYPE.get(kind)
        if label is None:
            continue
        sources = [index[a] for a, b in links if b == s_id and a in index]
        targets = [index[b] for a, b in links if a == s_id and b in index]
        pairs.extend((s, t, label) for s in sources for t in targets if (s, t, label) not in pairs)
    parent: dict[int, int] = {}
    for s, t, _ in pairs:
        parent.setdefault(s, t)
    related = {s for s, _, _ in pairs} | {t for _, t, _ in pairs}
    labels = _derived_labels(len(i_nodes), parent, related)
    units = [Unit(s, e, label=lab) for (s, e), lab in zip(spans, labels, strict=True)]
    relations = [Relation(units[s], units[t], lab) for s, t, lab in pairs]
    return Document(text, id=id, units=tuple(units), relations=tuple(relations))
