"""The data model: offsets are checked, equality ignores scores, JSON round-trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from argmine.document import Document, Relation, Unit
from argmine.errors import ArgmineError, OffsetError

TEXT = "Cars should be banned downtown. They pollute the air. Noise is a problem too."


def essay() -> Document:
    return Document.build(
        TEXT,
        spans=[(0, 31, "conclusion"), (32, 53, "premise"), (54, 77, "premise")],
        links=[(1, 0, "support"), (2, 0, "attack")],
        id="e1",
        metadata={"corpus": "hand"},
    )


def test_unit_text_is_the_slice_of_the_document_text() -> None:
    doc = essay()
    assert [u.text for u in doc.units] == [TEXT[u.start : u.end] for u in doc.units]


def test_offsets_outside_the_text_raise_an_offset_error_that_is_a_value_error() -> None:
    with pytest.raises(OffsetError, match="past the end"):
        Document("short", units=(Unit(0, 10),))
    with pytest.raises(ValueError):
        Document("short", units=(Unit(0, 10),))
    assert issubclass(OffsetError, ArgmineError)


def test_negative_or_reversed_offsets_are_refused() -> None:
    with pytest.raises(OffsetError):
        Unit(-1, 3)
    with pytest.raises(OffsetError):
        Unit(5, 3)


def test_unit_text_that_disagrees_with_offsets_is_refused() -> None:
    with pytest.raises(OffsetError, match="does not match"):
        Document("abcdef", units=(Unit(0, 3, text="xyz"),))


def test_unknown_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="label"):
        Unit(0, 1, label="MajorClaim")
    with pytest.raises(ValueError, match="label"):
        Relation(Unit(0, 1), Unit(1, 2), label="rebut")


def test_non_str_text_is_a_type_error_naming_the_type() -> None:
    with pytest.raises(TypeError, match="bytes"):
        Document(b"bytes")  # type: ignore[arg-type]


def test_equality_ignores_scores_and_ids() -> None:
    a = Unit(0, 4, label="claim", score=0.9, id="T1")
    b = Unit(0, 4, label="claim", score=0.1, id="u7")
    assert a == b
    assert Unit(0, 4, label="claim") != Unit(0, 4, label="premise")


def test_units_are_sorted_and_get_ids() -> None:
    doc = Document(TEXT, units=(Unit(32, 53), Unit(0, 31)))
    assert [u.start for u in doc.units] == [0, 32]
    assert [u.id for u in doc.units] == ["u0", "u1"]


def test_relations_point_at_the_documents_own_units() -> None:
    doc = essay()
    for rel in doc.relations:
        assert rel.source in doc.units and rel.target in doc.units
        assert doc.unit(rel.source.id) is rel.source


def test_tree_view() -> None:
    doc = essay()
    tree = doc.tree
    root = tree.root
    assert root is not None and root.label == "conclusion"
    kids = tree.children(root)
    assert [k.text for k in kids] == ["They pollute the air.", "Noise is a problem too."]
    assert tree.parent(kids[0]) == root
    assert tree.relation(kids[1]).label == "attack"  # type: ignore[union-attr]
    assert tree.depth(kids[0]) == 1 and tree.depth(root) == 0
    assert [(u.text[:4], d) for u, d in tree.walk()] == [("Cars", 0), ("They", 1), ("Nois", 1)]
    assert len(tree) == 3


def test_none_units_stay_outside_the_tree() -> None:
    doc = Document.build("Menu\nAct now.", spans=[(0, 4, "none"), (5, 13, "conclusion")])
    assert doc.tree.root is not None and doc.tree.root.text == "Act now."
    assert [u.text for u, _ in doc.tree.walk()] == ["Act now."]


def test_json_round_trip_keeps_everything() -> None:
    doc = essay()
    back = Document.from_json(doc.to_json())
    assert back == doc
    assert back.metadata == {"corpus": "hand"}
    assert [u.id for u in back.units] == [u.id for u in doc.units]
    data = json.loads(doc.to_json())
    assert data["relations"][0] == {"source": "u1", "target": "u0", "label": "support"}


def test_from_dict_names_an_unknown_unit_id() -> None:
    data = essay().to_dict()
    data["relations"][0]["target"] = "nope"
    with pytest.raises(ValueError, match="nope"):
        Document.from_dict(data)


def test_empty_text_is_a_document_with_no_units() -> None:
    doc = Document("   ")
    assert doc.units == () and doc.tree.root is None


@given(st.text(max_size=60), st.data())
def test_round_trip_of_arbitrary_spans(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    spans = [(a, b, "premise") for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    doc = Document.build(text, spans=spans)
    assert Document.from_dict(doc.to_dict()) == doc
    for u in doc.units:
        assert text[u.start : u.end] == u.text
