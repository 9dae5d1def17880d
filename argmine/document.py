"""The data model: a text, its argumentative units, the relations between them, and the tree.

Everything is immutable and addressed by half-open character offsets into
``Document.text``: ``doc.text[unit.start:unit.end] == unit.text``. Scores, ids and a
corpus's own labels are kept out of equality, so a gold and a predicted unit compare
equal when their offsets and argmine label agree, which makes set-based F1 trivial.

Example:
    >>> text = "We should act now. The evidence is clear."
    >>> doc = Document.build(text, spans=[(0, 18, "conclusion"), (19, 41, "premise")],
    ...                      links=[(1, 0, "support")])
    >>> doc.units[1].text
    'The evidence is clear.'
    >>> doc.tree.root.text
    'We should act now.'
    >>> [u.text for u in doc.tree.children(doc.tree.root)]
    ['The evidence is clear.']
    >>> Document.from_json(doc.to_json()) == doc
    True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from argmine.errors import OffsetError

#: argmine's unit labels. ``none`` marks text that argues nothing (headlines, navigation...).
UNIT_LABELS: tuple[str, ...] = ("conclusion", "claim", "premise", "none")
#: argmine's relation labels; a relation points from the child to what it argues about.
RELATION_LABELS: tuple[str, ...] = ("support", "attack")
#: Version of the JSON layout written by :meth:`Document.to_dict`.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Unit:
    """A span of the document's text with an argumentative label.

    ``label`` is one of :data:`UNIT_LABELS`, or ``None`` before labelling.
    ``source_label`` keeps the corpus's own label (``MajorClaim``, ``Claim``...).

    Example:
        >>> Unit(0, 5, label="claim") == Unit(0, 5, label="claim", score=0.3)
        True
        >>> Unit(4, 2)
        Traceback (most recent call last):
        ...
        argmine.errors.OffsetError: Unit offsets must satisfy 0 <= start <= end; got start=4, end=2.
    """

    start: int
    end: int
    label: str | None = None
    score: float | None = field(default=None, compare=False)
    source_label: str | None = field(default=None, compare=False)
    id: str = field(default="", compare=False)
    text: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if not (isinstance(self.start, int) and isinstance(self.end, int)):
            raise TypeError(
                f"Unit offsets must be int; got start={self.start!r}, end={self.end!r}."
            )
        if not 0 <= self.start <= self.end:
            raise OffsetError(
                f"Unit offsets must satisfy 0 <= start <= end; got start={self.start}, "
                f"end={self.end}."
            )
        if self.label is not None and self.label not in UNIT_LABELS:
            raise ValueError(
                f"Unit label must be one of {UNIT_LABELS} or None; got {self.label!r}."
            )

    def to_dict(self) -> dict[str, Any]:
        """The unit as plain JSON-ready data (see :meth:`Document.to_dict`)."""
        out: dict[str, Any] = {"id": self.id, "start": self.start, "end": self.end}
        out["label"] = self.label
        if self.score is not None:
            out["score"] = self.score
        if self.source_label is not None:
            out["source_label"] = self.source_label
        out["text"] = self.text
        return out


@dataclass(frozen=True)
class Relation:
    """``source`` (the child, which argues) supports or attacks ``target``.

    Example:
        >>> a, b = Unit(0, 3, label="claim"), Unit(4, 9, label="premise")
        >>> Relation(b, a, "support").label
        'support'
    """

    source: Unit
    target: Unit
    label: str = "support"
    score: float | None = field(default=None, compare=False)
    source_label: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.label not in RELATION_LABELS:
            raise ValueError(
                f"Relation label must be one of {RELATION_LABELS}; got {self.label!r}."
            )


@dataclass(frozen=True)
class Document:
    """A text with its units (sorted by offset) and the relations between them.

    Build it with :meth:`build` from offsets, or directly from :class:`Unit` objects;
    units whose ``text`` is empty get it filled from ``text``; a unit whose offsets fall
    outside the text raises :class:`~argmine.errors.OffsetError`.
    """

    text: str
    id: str = ""
    units: tuple[Unit, ...] = ()
    relations: tuple[Relation, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise TypeError(
                f"Document text must be str; got {type(self.text).__name__}. "
                "Decode bytes first, e.g. data.decode('utf-8')."
            )
        fixed: list[Unit] = []
        for unit in self.units:
            if unit.end > len(self.text):
                raise OffsetError(
                    f"Unit {unit.id or unit!r} ends at {unit.end}, past the end of "
                    f"the document text ({len(self.text)} characters)."
                )
            span = self.text[unit.start : unit.end]
            if not unit.text:
                unit = replace(unit, text=span)
            elif unit.text != span:
                raise OffsetError(
                    f"Unit {unit.id or ''} text {unit.text[:40]!r} does not match "
                    f"text[{unit.start}:{unit.end}] = {span[:40]!r}."
                )
            fixed.append(unit)
        order = sorted(range(len(fixed)), key=lambda i: (fixed[i].start, fixed[i].end))
        ids = {fixed[i].id for i in order}
        need_ids = "" in ids or len(ids) != len(order)
        remap: dict[int, Unit] = {}
        ordered: list[Unit] = []
        for rank, i in enumerate(order):
            unit = fixed[i]
            if need_ids:
                unit = replace(unit, id=f"u{rank}")
            remap[id(self.units[i])] = unit
            ordered.append(unit)
        relations = []
        for rel in self.relations:
            try:
                relations.append(
                    replace(rel, source=remap[id(rel.source)], target=remap[id(rel.target)])
                )
            except KeyError:
                relations.append(self._rebind(rel, ordered))
        object.__setattr__(self, "units", tuple(ordered))
        object.__setattr__(self, "relations", tuple(relations))

    @staticmethod
    def _rebind(rel: Relation, units: Sequence[Unit]) -> Relation:
        """Point a relation at this document's own unit objects (matched by equality)."""
        by_key = {(u.start, u.end, u.label): u for u in units}
        try:
            src = by_key[(rel.source.start, rel.source.end, rel.source.label)]
            trg = by_key[(rel.target.start, rel.target.end, rel.target.label)]
        except KeyError as e:
            raise ValueError(
                f"Relation {rel.source.id or rel.source!r} -> {rel.target.id or rel.target!r} "
                "refers to a unit that is not in Document.units."
            ) from e
        return replace(rel, source=src, target=trg)

    # -- construction -------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        text: str,
        *,
        spans: Iterable[tuple[int, int, str | None]] = (),
        links: Iterable[tuple[int, int, str]] = (),
        id: str = "",
        metadata: Mapping[str, Any] | None = None,
    ) -> Document:
        """Build from ``(start, end, label)`` spans and ``(child, parent, label)`` links.

        Link endpoints index into ``spans`` as given.

        Example:
            >>> Document.build("A. B.", spans=[(0, 2, "claim"), (3, 5, "premise")],
            ...                links=[(1, 0, "attack")]).relations[0].label
            'attack'
        """
        units = [Unit(s, e, label=lab) for s, e, lab in spans]
        rels = [Relation(units[c], units[p], lab) for c, p, lab in links]
        return cls(
            text, id=id, units=tuple(units), relations=tuple(rels), metadata=dict(metadata or {})
        )

    def with_annotations(
        self, units: Sequence[Unit], relations: Sequence[Relation] = ()
    ) -> Document:
        """A copy of this document with other units and relations (ids reassigned)."""
        units = [replace(u, id="") for u in units]
        return Document(
            self.text,
            id=self.id,
            units=tuple(units),
            relations=tuple(self._rebind(r, units) for r in relations),
            metadata=dict(self.metadata),
        )

    # -- views --------------------------------------------------------------------------

    @cached_property
    def tree(self) -> ArgumentTree:
        """The argument tree view over :attr:`units` and :attr:`relations`."""
        return ArgumentTree(self)

    def unit(self, unit_id: str) -> Unit:
        """The unit with id ``unit_id``."""
        for u in self.units:
            if u.id == unit_id:
                return u
        raise KeyError(f"No unit with id {unit_id!r} in document {self.id!r}.")

    # -- serialisation ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data in argmine's JSON schema (``argmine/schema/document.schema.json``).

        Units are listed with their ids; relations refer to units by id::

            {"schema_version": 1, "id": ..., "text": ..., "metadata": {...},
             "units": [{"id", "start", "end", "label", "score"?, "source_label"?, "text"}],
             "relations": [{"source", "target", "label", "score"?, "source_label"?}]}
        """
        rels = []
        for r in self.relations:
            d: dict[str, Any] = {"source": r.source.id, "target": r.target.id, "label": r.label}
            if r.score is not None:
                d["score"] = r.score
            if r.source_label is not None:
                d["source_label"] = r.source_label
            rels.append(d)
        return {
            "schema_version": SCHEMA_VERSION,
            "id": self.id,
            "text": self.text,
            "metadata": dict(self.metadata),
            "units": [u.to_dict() for u in self.units],
            "relations": rels,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Document:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, Mapping) or "text" not in data:
            raise ValueError("Document.from_dict expects a mapping with a 'text' key.")
        units = {}
        for u in data.get("units", ()):
            units[u["id"]] = Unit(
                int(u["start"]),
                int(u["end"]),
                label=u.get("label"),
                score=u.get("score"),
                source_label=u.get("source_label"),
                id=u["id"],
                text=u.get("text", ""),
            )
        rels = []
        for r in data.get("relations", ()):
            try:
                src, trg = units[r["source"]], units[r["target"]]
            except KeyError as e:
                raise ValueError(f"Relation refers to unknown unit id {e.args[0]!r}.") from e
            rels.append(
                Relation(
                    src,
                    trg,
                    r.get("label", "support"),
                    score=r.get("score"),
                    source_label=r.get("source_label"),
                )
            )
        return cls(
            data["text"],
            id=data.get("id", ""),
            units=tuple(units.values()),
            relations=tuple(rels),
            metadata=dict(data.get("metadata") or {}),
        )

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as a JSON string (keyword arguments go to :func:`json.dumps`)."""
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.to_dict(), **kwargs)

    @classmethod
    def from_json(cls, s: str) -> Document:
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(json.loads(s))


class ArgumentTree:
    """A read-only view of a document's units and relations as a tree (or forest).

    The root is the unit labelled ``conclusion`` that argues for nothing else (the
    first such, by position); units labelled ``none`` are outside the tree. If a unit
    has several outgoing relations (possible in gold corpora), the first is its parent.
    """

    def __init__(self, doc: Document) -> None:
        self._doc = doc
        self._parent: dict[str, Relation] = {}
        self._children: dict[str, list[Relation]] = {u.id: [] for u in doc.units}
        for rel in doc.relations:
            if rel.source.id not in self._parent:
                self._parent[rel.source.id] = rel
                self._children[rel.target.id].append(rel)
        for kids in self._children.values():
            kids.sort(key=lambda r: r.source.start)

    @property
    def roots(self) -> tuple[Unit, ...]:
        """Argumentative units without a parent, conclusions first."""
        tops = [
            u
            for u in self._doc.units
            if u.id not in self._parent
            and u.label not in (None, "none")
            and (self._children[u.id] or u.label == "conclusion")
        ]
        return tuple(sorted(tops, key=lambda u: (u.label != "conclusion", u.start)))

    @property
    def root(self) -> Unit | None:
        """The conclusion at the top of the tree, or ``None`` when there is none."""
        roots = self.roots
        return roots[0] if roots else None

    def parent(self, unit: Unit) -> Unit | None:
        """The unit that ``unit`` argues for or against."""
        rel = self._parent.get(unit.id)
        return rel.target if rel else None

    def relation(self, unit: Unit) -> Relation | None:
        """The relation from ``unit`` to its parent."""
        return self._parent.get(unit.id)

    def children(self, unit: Unit) -> list[Unit]:
        """Units that argue directly for or against ``unit``, by position."""
        return [r.source for r in self._children.get(unit.id, ())]

    def depth(self, unit: Unit) -> int:
        """Number of edges from ``unit`` up to its root (0 for a root)."""
        depth, seen = 0, {unit.id}
        while (rel := self._parent.get(unit.id)) is not None:
            unit = rel.target
            if unit.id in seen:
                raise ValueError("The relations contain a cycle; they do not form a tree.")
            seen.add(unit.id)
            depth += 1
        return depth

    def walk(self, start: Unit | None = None) -> Iterator[tuple[Unit, int]]:
        """Pre-order ``(unit, depth)`` pairs from ``start`` (default: every root)."""
        starts = [start] if start is not None else list(self.roots)
        seen: set[str] = set()
        for top in starts:
            stack = [(top, 0)]
            while stack:
                unit, depth = stack.pop()
                if unit.id in seen:
                    continue
                seen.add(unit.id)
                yield unit, depth
                stack.extend((c, depth + 1) for c in reversed(self.children(unit)))

    def __len__(self) -> int:
        return sum(1 for _ in self.walk())
