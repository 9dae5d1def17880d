"""Read and write brat standoff annotation (``.txt`` + ``.ann``), as AAE2 and AbstRCT ship.

An ``.ann`` file holds one annotation a line, fields separated by tabs:

- ``T1\\tClaim 591 714\\tthrough cooperation, ...``: a text-bound entity. Discontinuous
  spans (``0 5;8 10``) become one unit from the smallest start to the largest end,
  because argmine units are contiguous.
- ``A1\\tStance T3 For``: an attribute on an entity (``M`` is brat's older spelling).
  argmine has no place for attributes on units, so they are kept, verbatim, as
  ``[id, name, target, value]`` lists in ``Document.metadata["brat_attributes"]``;
  :func:`to_brat` writes them back, which makes the round trip exact.
- ``R1\\tsupports Arg1:T4 Arg2:T3``: a relation from ``Arg1`` (the child) to ``Arg2``.
- ``#`` notes, and ``E`` / ``N`` / ``*`` lines (events, normalisations, equivalences),
  are ignored: argmine has nothing to map them to.

Each unit keeps the brat id as ``id`` and the brat type as ``source_label``; each
relation keeps the brat relation type as ``source_label``. Offsets count characters of
the ``.txt`` file as stored (read with ``newline=""`` so ``\\r\\n`` stays two characters,
as brat counts it), and each entity's text field is checked against them.

Example:
    >>> doc = Document.build("Act now. It is late.", spans=[(0, 8, "claim"), (9, 20, "premise")],
    ...                      links=[(1, 0, "support")])
    >>> txt, ann = to_brat(doc)
    >>> ann.splitlines()
    ['T1\\tclaim 0 8\\tAct now.', 'T2\\tpremise 9 20\\tIt is late.', 'R1\\tsupport Arg1:T2 Arg2:T1']
    >>> parse_brat(txt, ann, label_map={"claim": "claim", "premise": "premise"},
    ...            relation_map={"support": "support"}) == doc
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argmine.document import Document, Relation, Unit
from argmine.errors import CorpusFormatError

__all__ = [
    "ATTRIBUTES_KEY",
    "DERIVED_KEY",
    "parse_brat",
    "read_brat",
    "to_brat",
    "write_brat",
]

#: ``Document.metadata`` key holding the ``A`` lines as ``[id, name, target, value]`` lists.
ATTRIBUTES_KEY = "brat_attributes"
#: ``Document.metadata`` key listing relation ``source_label`` values that a corpus reader
#: derived (e.g. AAE2's stance links) and that :func:`to_brat` must not write as ``R`` lines.
DERIVED_KEY = "brat_derived_relations"

_T_ID = re.compile(r"T\d+")
_NEWLINES = re.compile(r"[\r\n]+")
_SPACES = re.compile(r"\s+")
# Line kinds that are valid brat but carry nothing argmine represents.
_IGNORED_KINDS = ("#", "E", "N", "*")


@dataclass(frozen=True)
class _Entity:
    id: str
    type: str
    start: int
    end: int


def _fail(ann_name: str, lineno: int, problem: str, line: str) -> CorpusFormatError:
    return CorpusFormatError(f"{ann_name}, line {lineno}: {problem}: {line[:120]!r}")


def _norm(s: str) -> str:
    """Whitespace-insensitive form: brat joins fragments with a space, writers vary."""
    return " ".join(s.split())


def _parse_entity(line: str, lineno: int, text: str, ann_name: str) -> _Entity:
    fields = line.split("\t", 2)
    if len(fields) != 3:
        raise _fail(ann_name, lineno, "an entity needs 'ID<TAB>Type start end<TAB>text'", line)
    tid, middle, surface = fields
    type_, _, spans = middle.partition(" ")
    if not type_ or not spans:
        raise _fail(ann_name, lineno, "an entity needs a type and offsets", line)
    fragments: list[tuple[int, int]] = []
    for frag in spans.split(";"):
        parts = frag.split()
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise _fail(ann_name, lineno, f"bad offsets {frag!r}", line)
        start, end = int(parts[0]), int(parts[1])
        if start > end or end > len(text):
            raise _fail(
                ann_name,
                lineno,
                f"offsets {start} {end} do not fit the text ({len(text)} characters)",
                line,
            )
        fragments.append((start, end))
    covered = " ".join(text[s:e] for s, e in fragments)
    if _norm(covered) != _norm(surface):
        raise _fail(
            ann_name,
            lineno,
            f"the entity text does not match the .txt at its offsets ({covered[:60]!r})",
            line,
        )
    start = min(s for s, _ in fragments)
    end = max(e for _, e in fragments)
    return _Entity(tid, type_, start, end)


def parse_brat(
    text: str,
    ann: str,
    *,
    label_map: Mapping[str, str],
    relation_map: Mapping[str, str],
    doc_id: str = "",
    ann_name: str = "<ann>",
) -> Document:
    """Build a :class:`Document` from the contents of a ``.txt`` and an ``.ann`` file.

    ``label_map`` maps brat entity types to argmine unit labels and ``relation_map``
    brat relation types to argmine relation labels; a type missing from them, a line
    that does not parse, or a reference to an unknown id raises
    :class:`~argmine.errors.CorpusFormatError` naming ``ann_name`` and the line number.

    Example:
        >>> doc = parse_brat("Tax it. It harms.", "T1\\tClaim 0 7\\tTax it.\\n"
        ...                  "T2\\tPremise 8 17\\tIt harms.\\nA1\\tStance T1 For\\n"
        ...                  "R1\\tsupports Arg1:T2 Arg2:T1\\n",
        ...                  label_map={"Claim": "claim", "Premise": "premise"},
        ...                  relation_map={"supports": "support"})
        >>> [(u.id, u.label, u.source_label) for u in doc.units]
        [('T1', 'claim', 'Claim'), ('T2', 'premise', 'Premise')]
        >>> doc.metadata["brat_attributes"]
        [['A1', 'Stance', 'T1', 'For']]
    """
    entities: dict[str, _Entity] = {}
    attributes: list[tuple[int, str, list[Any]]] = []
    raw_relations: list[tuple[int, str, str, str, str]] = []
    seen_ids: set[str] = set()
    for lineno, raw in enumerate(ann.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith(_IGNORED_KINDS):
            continue
        ann_id = line.split("\t", 1)[0]
        if ann_id in seen_ids:
            raise _fail(ann_name, lineno, f"duplicate id {ann_id!r}", line)
        seen_ids.add(ann_id)
        kind = line[0]
        if kind == "T":
            entity = _parse_entity(line, lineno, text, ann_name)
            if entity.type not in label_map:
                raise _fail(
                    ann_name,
                    lineno,
                    f"unknown entity type {entity.type!r} (known: {sorted(label_map)})",
                    line,
                )
            entities[entity.id] = entity
        elif kind in ("A", "M"):
            fields = line.split("\t")
            parts = fields[1].split() if len(fields) >= 2 else []
            if len(parts) not in (2, 3):
                raise _fail(
                    ann_name, lineno, "an attribute needs 'ID<TAB>Name Target [Value]'", line
                )
            value = parts[2] if len(parts) == 3 else None
            attributes.append((lineno, line, [ann_id, parts[0], parts[1], value]))
        elif kind == "R":
            fields = line.split("\t")
            parts = fields[1].split() if len(fields) >= 2 else []
            args = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
            if len(parts) != 3 or set(args) != {"Arg1", "Arg2"}:
                raise _fail(
                    ann_name, lineno, "a relation needs 'ID<TAB>Type Arg1:ID Arg2:ID'", line
                )
            if parts[0] not in relation_map:
                raise _fail(
                    ann_name,
                    lineno,
                    f"unknown relation type {parts[0]!r} (known: {sorted(relation_map)})",
                    line,
                )
            raw_relations.append((lineno, line, parts[0], args["Arg1"], args["Arg2"]))
        else:
            raise _fail(ann_name, lineno, f"unknown annotation kind {kind!r}", line)

    units = {
        e.id: Unit(e.start, e.end, label=label_map[e.type], source_label=e.type, id=e.id)
        for e in entities.values()
    }
    relations = []
    for lineno, line, type_, arg1, arg2 in raw_relations:
        for arg in (arg1, arg2):
            if arg not in units:
                raise _fail(
                    ann_name, lineno, f"the relation refers to unknown entity {arg!r}", line
                )
        relations.append(
            Relation(units[arg1], units[arg2], relation_map[type_], source_label=type_)
        )
    for lineno, line, attr in attributes:
        if attr[2] not in units:
            raise _fail(
                ann_name, lineno, f"the attribute refers to unknown entity {attr[2]!r}", line
            )
    metadata: dict[str, Any] = {}
    if attributes:
        metadata[ATTRIBUTES_KEY] = [attr for _, _, attr in attributes]
    return Document(
        text, id=doc_id, units=tuple(units.values()), relations=tuple(relations), metadata=metadata
    )


def read_brat(
    txt_path: str | Path,
    ann_path: str | Path,
    *,
    doc_id: str | None = None,
    label_map: Mapping[str, str],
    relation_map: Mapping[str, str],
) -> Document:
    """Read one brat document; ``doc_id`` defaults to the ``.txt`` file's stem.

    See :func:`parse_brat` for the mapping and the errors.
    """
    txt_path, ann_path = Path(txt_path), Path(ann_path)
    return parse_brat(
        _read(txt_path),
        _read(ann_path),
        label_map=label_map,
        relation_map=relation_map,
        doc_id=txt_path.stem if doc_id is None else doc_id,
        ann_name=str(ann_path),
    )


def _read(path: Path) -> str:
    # newline="" keeps "\r\n" as two characters: brat offsets count them both.
    with path.open(encoding="utf-8", newline="") as f:
        return f.read()


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a span at newlines inside it: brat cannot show an entity across lines.

    Leading or trailing newlines stay inside the first or last fragment so that the
    smallest start and largest end, which is what the reader keeps, are unchanged.
    """
    cuts = [
        m.span()
        for m in _NEWLINES.finditer(text, start, end)
        if m.start() > start and m.end() < end
    ]
    frags, pos = [], start
    for a, b in cuts:
        frags.append((pos, a))
        pos = b
    frags.append((pos, end))
    return frags


def _brat_type(label: str) -> str:
    # Fields are separated by spaces, so a label with spaces would break the line.
    return _SPACES.sub("_", label.strip()) or "Unit"


def to_brat(doc: Document) -> tuple[str, str]:
    """The ``.txt`` and ``.ann`` contents for ``doc``.

    Units become ``T`` lines typed with their ``source_label`` (else their argmine
    label, else ``Unit``); unit ids are kept when they are all brat-style ``T<n>``,
    otherwise units are numbered ``T1``... by position. Relations become ``R`` lines
    typed the same way (whitespace in a type becomes ``_``), except those whose
    ``source_label`` is listed in ``doc.metadata["brat_derived_relations"]`` (relations
    a corpus reader derived from attributes, which the attributes already encode).
    A unit that spans a line break is written as fragments split there, since brat
    cannot show an entity across lines; reading it back gives the same offsets. ``A``
    lines come from ``doc.metadata["brat_attributes"]``; those whose target unit is
    gone are dropped.
    """
    ids = [u.id for u in doc.units]
    if all(_T_ID.fullmatch(i) for i in ids) and len(set(ids)) == len(ids):
        new_id = {i: i for i in ids}
    else:
        new_id = {u.id: f"T{n}" for n, u in enumerate(doc.units, start=1)}
    lines = []
    for u in doc.units:
        frags = _fragments(doc.text, u.start, u.end)
        offsets = ";".join(f"{a} {b}" for a, b in frags)
        surface = " ".join(doc.text[a:b] for a, b in frags)
        surface = surface.replace("\r", " ").replace("\n", " ")
        type_ = _brat_type(u.source_label or u.label or "Unit")
        lines.append(f"{new_id[u.id]}\t{type_} {offsets}\t{surface}")
    for attr_id, name, target, value in doc.metadata.get(ATTRIBUTES_KEY, ()):
        if target in new_id:
            tail = f" {value}" if value is not None else ""
            lines.append(f"{attr_id}\t{name} {new_id[target]}{tail}")
    derived = set(doc.metadata.get(DERIVED_KEY, ()))
    n = 0
    for r in doc.relations:
        if r.source_label is not None and r.source_label in derived:
            continue
        n += 1
        lines.append(
            f"R{n}\t{_brat_type(r.source_label or r.label)} "
            f"Arg1:{new_id[r.source.id]} Arg2:{new_id[r.target.id]}"
        )
    return doc.text, "".join(line + "\n" for line in lines)


def write_brat(doc: Document, txt_path: str | Path, ann_path: str | Path) -> None:
    """Write ``doc`` as a brat ``.txt`` / ``.ann`` pair (see :func:`to_brat`)."""
    text, ann = to_brat(doc)
    for path, content in ((Path(txt_path), text), (Path(ann_path), ann)):
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(content)
