"""arg-microtexts part 1 (Peldszus & Stede 2015), English: 112 short argumentative texts.

Layout: ``<data>/microtext/en/micro_*.xml`` (argumentation graphs, ``arggraph.dtd``)
with the text of each in ``micro_*.txt``. One split, ``all``; published results use
10 x 5-fold cross-validation, see :func:`microtext_cv_splits`.

The XML graph has EDUs (text segments), ADUs (argumentative units, role ``pro`` for
the proponent or ``opp`` for the opponent), optional joints of EDUs, and edges:
``seg`` (EDU or joint to ADU), ``sup`` / ``exa`` (support, support by example) and
``reb`` (rebut) between ADUs, ``und`` (undercut: an ADU attacks an *edge*) and ``add``
(an ADU joins an edge as an additional, linked premise).

Mapping to argmine (offsets come from finding each EDU's text in the ``.txt`` file, in
order, whitespace-insensitively):

- Units: one per ADU, spanning its EDUs; ``id`` is the ADU id, ``source_label`` its
  role (``pro`` / ``opp``). The central claim, the one ADU without an outgoing edge,
  is ``conclusion``; ADUs whose relation (below) points at it are ``claim``; every
  other ADU is ``premise``.
- Relations, ``source_label`` = the original edge type:

  ========  ==========  =====================================================
  edge      label       target
  ========  ==========  =====================================================
  ``sup``   ``support`` the target ADU
  ``exa``   ``support`` the target ADU
  ``reb``   ``attack``  the target ADU
  ``und``   ``attack``  the *source* ADU of the attacked edge (an undercut
                        denies that the premise supports its target, so it
                        argues against using that premise)
  ``add``   as the      the target of the joined edge: a linked premise argues
            joined edge for what its partner argues for (resolved through
                        ``und`` / ``add`` edges when the joined edge is one)
  ========  ==========  =====================================================

Every ADU but the central claim then has exactly one outgoing relation, so each text
is one tree rooted at its conclusion; a file that breaks this raises
:class:`~argmine.errors.CorpusFormatError`.

Document ids are the file stems (``micro_b001``); ``metadata`` holds ``corpus``,
``split``, ``topic_id`` and ``stance`` (``pro`` / ``con`` / ``unclear``); the last two
are ``None`` where the XML gives none (the 23 ``micro_d*`` texts).
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from argmine.corpora._common import CorpusInfo, corpus_dir, natural_key
from argmine.document import Document, Relation, Unit
from argmine.errors import CorpusFormatError

NAME = "microtext"
SPLITS: tuple[str, ...] = ("all",)
INFO = CorpusInfo(
    name=NAME,
    title="arg-microtexts (part 1)",
    folder="microtext",
    source=(
        "https://github.com/peldszus/arg-microtexts (copy its corpus/en folder to microtext/en)"
    ),
    citation=(
        "Andreas Peldszus and Manfred Stede. 2015. An annotated corpus of argumentative "
        "microtexts. First European Conference on Argumentation, Lisbon"
    ),
    splits=SPLITS,
)

#: Edge type -> argmine relation label, for edges between two ADUs.
EDGE_MAP = {"sup": "support", "exa": "support", "reb": "attack"}


def _locate(text: str, edu: str, pos: int) -> tuple[int, int] | None:
    """Find ``edu`` in ``text`` at or after ``pos``, ignoring differences in whitespace."""
    tokens = edu.split()
    if not tokens:
        return None
    match = re.compile(r"\s*".join(map(re.escape, tokens))).search(text, pos)
    return match.span() if match else None


def parse_arggraph(xml: str, text: str, *, doc_id: str = "", source: str = "") -> Document:
    """Build a :class:`Document` from an ``arggraph`` XML string and the text it segments.

    ``source`` names the file in error messages.

    Example:
        >>> xml = '''<arggraph id="x" stance="pro">
        ...   <edu id="e1">We should.</edu><edu id="e2">It helps.</edu>
        ...   <edu id="e3">Not always.</edu>
        ...   <adu id="a1" type="pro"/><adu id="a2" type="pro"/><adu id="a3" type="opp"/>
        ...   <edge id="c1" src="e1" trg="a1" type="seg"/>
        ...   <edge id="c2" src="e2" trg="a2" type="seg"/>
        ...   <edge id="c3" src="e3" trg="a3" type="seg"/>
        ...   <edge id="c4" src="a2" trg="a1" type="sup"/>
        ...   <edge id="c5" src="a3" trg="c4" type="und"/>
        ... </arggraph>'''
        >>> doc = parse_arggraph(xml, "We should. It helps. Not always.")
        >>> [(u.id, u.label, u.source_label) for u in doc.units]
        [('a1', 'conclusion', 'pro'), ('a2', 'claim', 'pro'), ('a3', 'premise', 'opp')]
        >>> [(r.source.id, r.label, r.target.id, r.source_label) for r in doc.relations]
        [('a2', 'support', 'a1', 'sup'), ('a3', 'attack', 'a2', 'und')]
    """
    where = source or doc_id or "<arggraph>"
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as e:
        raise CorpusFormatError(f"{where}: not well-formed XML ({e}).") from e

    # EDU offsets, searching forward so that repeated wording lands on the right copy.
    edu_span: dict[str, tuple[int, int]] = {}
    pos = 0
    for edu in root.iter("edu"):
        span = _locate(text, edu.text or "", pos)
        if span is None:
            raise CorpusFormatError(
                f"{where}: EDU {edu.get('id')} ({(edu.text or '')[:60]!r}) was not found in "
                f"the text after character {pos}."
            )
        edu_span[edu.get("id", "")] = span
        pos = span[1]

    adu_role = {a.get("id", ""): a.get("type", "") for a in root.iter("adu")}
    edges = {e.get("id", ""): e for e in root.iter("edge")}
    seg_parts: dict[str, list[str]] = {}
    for edge in edges.values():
        if edge.get("type") == "seg":
            seg_parts.setdefault(edge.get("trg", ""), []).append(edge.get("src", ""))

    def spans_of(node: str, depth: int = 0) -> list[tuple[int, int]]:
        # An ADU rests on EDUs directly or through joints of EDUs.
        if node in edu_span:
            return [edu_span[node]]
        if depth > len(seg_parts) or node not in seg_parts:
            raise CorpusFormatError(f"{where}: {node} is not grounded in any EDU.")
        return [s for part in seg_parts[node] for s in spans_of(part, depth + 1)]

    units = {}
    for adu, role in adu_role.items():
        spans = spans_of(adu)
        units[adu] = (min(s for s, _ in spans), max(e for _, e in spans), role)

    def resolve(edge_id: str, depth: int = 0) -> tuple[str, str]:
        """``(target ADU, label)`` of an argumentative edge."""
        e = edges.get(edge_id)
        if e is None or depth > len(edges):
            raise CorpusFormatError(f"{where}: edge {edge_id!r} is missing or cyclic.")
        type_, trg = e.get("type", ""), e.get("trg", "")
        if type_ in EDGE_MAP:
            if trg not in units:
                raise CorpusFormatError(f"{where}: edge {edge_id} ({type_}) must end at an ADU.")
            return trg, EDGE_MAP[type_]
        if type_ == "und":
            attacked = edges.get(trg)
            if attacked is None or attacked.get("src") not in units:
                raise CorpusFormatError(f"{where}: undercut {edge_id} must attack an edge.")
            return attacked.get("src", ""), "attack"
        if type_ == "add":
            if trg not in edges:
                raise CorpusFormatError(f"{where}: linked premise {edge_id} must join an edge.")
            return resolve(trg, depth + 1)
        raise CorpusFormatError(f"{where}: edge {edge_id} has unknown type {type_!r}.")

    links: list[tuple[str, str, str, str]] = []
    for edge_id, edge in edges.items():
        if edge.get("type") == "seg":
            continue
        target, label = resolve(edge_id)
        links.append((edge.get("src", ""), target, label, edge.get("type", "")))

    outgoing: dict[str, int] = {adu: 0 for adu in units}
    for src, *_ in links:
        if src not in outgoing:
            raise CorpusFormatError(
                f"{where}: an argumentative edge starts at {src!r}, which is not an ADU."
            )
        outgoing[src] += 1
    roots = [adu for adu, n in outgoing.items() if n == 0]
    if len(roots) != 1 or any(n > 1 for n in outgoing.values()):
        raise CorpusFormatError(
            f"{where}: not a tree; central claims (no outgoing edge): {roots}, ADUs with "
            f"several outgoing edges: {[a for a, n in outgoing.items() if n > 1]}."
        )
    central = roots[0]
    claims = {src for src, trg, *_ in links if trg == central}

    def label_of(adu: str) -> str:
        return "conclusion" if adu == central else "claim" if adu in claims else "premise"

    unit_objs = {
        adu: Unit(start, end, label=label_of(adu), source_label=role, id=adu)
        for adu, (start, end, role) in units.items()
    }
    relations = [
        Relation(unit_objs[src], unit_objs[trg], label, source_label=type_)
        for src, trg, label, type_ in links
    ]
    # Always present, None when absent, so every document has the same keys.
    metadata: dict[str, Any] = {key: root.get(key) for key in ("topic_id", "stance")}
    return Document(
        text,
        id=doc_id or root.get("id", ""),
        units=tuple(unit_objs.values()),
        relations=tuple(relations),
        metadata=metadata,
    )


def read_microtext(xml_path: str | Path, txt_path: str | Path | None = None) -> Document:
    """Read one microtext; the text comes from ``txt_path`` (default: beside the XML)."""
    xml_path = Path(xml_path)
    txt = Path(txt_path) if txt_path is not None else xml_path.with_suffix(".txt")
    return parse_arggraph(
        xml_path.read_text(encoding="utf-8"),
        txt.read_text(encoding="utf-8"),
        doc_id=xml_path.stem,
        source=str(xml_path),
    )


def load(split: str = "all", data_dir: str | os.PathLike[str] | None = None) -> list[Document]:
    """All 112 English microtexts, ordered by id."""
    INFO.check_split(split)
    folder = corpus_dir(INFO, data_dir, "en")
    docs = []
    for xml in sorted(folder.glob("*.xml"), key=natural_key):
        doc = read_microtext(xml)
        docs.append(
            Document(
                doc.text,
                id=doc.id,
                units=doc.units,
                relations=doc.relations,
                metadata={"corpus": NAME, "split": split, **doc.metadata},
            )
        )
    return docs


def microtext_cv_splits(
    docs: Sequence[Any], *, repetitions: int = 10, folds: int = 5, seed: int = 0
) -> Iterator[tuple[list[int], list[int]]]:
    """``repetitions`` x ``folds`` ``(train indices, test indices)`` pairs over ``docs``.

    Each repetition shuffles with ``KFold(shuffle=True, random_state=seed + repetition)``,
    so the splits are the same on every run and every machine; within a repetition the
    test folds partition the documents.

    Example:
        >>> splits = list(microtext_cv_splits(range(10), repetitions=2, folds=5))
        >>> len(splits), sorted(i for _, test in splits[:5] for i in test) == list(range(10))
        (10, True)
    """
    from sklearn.model_selection import KFold

    n = len(docs)
    for rep in range(repetitions):
        kfold = KFold(n_splits=folds, shuffle=True, random_state=seed + rep)
        for train, test in kfold.split(range(n)):
            yield [int(i) for i in train], [int(i) for i in test]
