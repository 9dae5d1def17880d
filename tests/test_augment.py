"""Web-page augmentation keeps every labelled unit and relation, adds only `none` units."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argmine.augment import body_order, reorder_paragraphs, webify
from argmine.document import Document
from argmine.features import layout, paragraph_spans_of
from argmine.segment import paragraph_spans

ESSAY = (
    "Should towns plant trees?\n"
    "Many people ask this. I believe towns should plant more trees.\n"
    "First, trees cool streets. Shade lowers the temperature. Cool streets save energy.\n"
    "In conclusion, planting trees is a wise choice."
)


def essay() -> Document:
    return Document.build(
        ESSAY,
        spans=[
            (0, 25, "none"),
            (26, 46, "none"),
            (47, 88, "conclusion"),
            (89, 114, "claim"),
            (115, 145, "premise"),
            (146, 171, "premise"),
            (172, 218, "conclusion"),
        ],
        links=[(3, 6, "support"), (4, 3, "support"), (5, 4, "support"), (2, 6, "support")],
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_units_and_relations_survive(seed: int) -> None:
    doc = essay()
    page = webify(doc, random.Random(seed))
    original = sorted((u.text, u.label) for u in doc.units)
    kept = sorted((u.text, u.label) for u in page.units if u.source_label != "web-furniture")
    assert kept == original
    assert all(u.label == "none" for u in page.units if u.source_label == "web-furniture")
    rels = sorted((r.source.text, r.target.text, r.label) for r in page.relations)
    assert rels == sorted((r.source.text, r.target.text, r.label) for r in doc.relations)
    for u in page.units:
        assert page.text[u.start : u.end] == u.text
    # Every unit sits in a paragraph of its own line structure (layout does not fail).
    assert len(layout(page).paragraph) == len(page.units)


def test_furniture_appears_around_the_body() -> None:
    pages = [webify(essay(), random.Random(s)) for s in range(20)]
    assert sum(p.units[0].source_label == "web-furniture" for p in pages) >= 10
    assert sum(p.units[-1].source_label == "web-furniture" for p in pages) >= 10


def _ngrams(text: str, n: int) -> set[tuple[str, ...]]:
    import re

    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def test_furniture_never_copies_the_test_articles() -> None:
    """Leakage guard: the generated furniture shares no line of two or more words and no
    run of four words with the texts argmine is judged on (the seed article and the
    tests' own article). One-word menu items ("Menu", "Share") are on every site."""
    from pathlib import Path

    import argmine

    root = Path(__file__).resolve().parents[1]
    judged = [
        (root / "examples" / "japan_russia.txt").read_text(),
        (root / "tests" / "data" / "city_trees.txt").read_text(),
    ]
    lines = {" ".join(u.text.lower().split()) for t in judged for u in argmine.segment(t).units}
    grams = set().union(*(_ngrams(t, 4) for t in judged))
    furniture: set[str] = set()
    for seed in range(400):
        page = webify(essay(), random.Random(seed), furniture=1.0)
        furniture.update(u.text for u in page.units if u.source_label == "web-furniture")
    assert len(furniture) > 300
    for text in furniture:
        if len(text.split()) >= 2:
            assert " ".join(text.lower().split()) not in lines, text
        assert not (_ngrams(text, 4) & grams), (text, _ngrams(text, 4) & grams)


BODY = (
    "Should towns plant trees?\n"
    "I believe towns should plant more trees.\n"
    "First, trees cool streets. Shade lowers the temperature.\n"
    "Second, trees clean the air. Leaves catch dust.\n"
    "Third, trees calm people. Parks lower stress.\n"
    "In conclusion, planting trees is wise."
)


def body_essay() -> Document:
    """Three body paragraphs, each a claim and its premise, between thesis and conclusion."""
    spans = []
    for text in (
        "I believe towns should plant more trees.",
        "In conclusion, planting trees is wise.",
    ):
        start = BODY.index(text)
        spans.append((start, start + len(text), "conclusion"))
    for claim, premise in (
        ("First, trees cool streets.", "Shade lowers the temperature."),
        ("Second, trees clean the air.", "Leaves catch dust."),
        ("Third, trees calm people.", "Parks lower stress."),
    ):
        for text, label in ((claim, "claim"), (premise, "premise")):
            start = BODY.index(text)
            spans.append((start, start + len(text), label))
    links = [
        (0, 1, "support"),
        (2, 1, "support"),
        (3, 2, "support"),
        (4, 1, "attack"),
        (5, 4, "support"),
        (6, 1, "support"),
        (7, 6, "support"),
    ]
    return Document.build(BODY, spans=spans, links=links)


def _structure(doc: Document) -> list[tuple[str, str, str]]:
    return sorted((r.source.text, r.target.text, r.label) for r in doc.relations)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_body_order_moves_only_the_body(seed: int) -> None:
    doc = body_essay()
    order = body_order(doc, random.Random(seed))
    assert order is not None
    # Title, thesis paragraph and conclusion stay; the three body paragraphs move.
    assert order[:2] == [0, 1] and order[-1] == 5 and order[2:5] != [2, 3, 4]
    assert sorted(order[2:5]) == [2, 3, 4]
    moved = reorder_paragraphs(doc, order)
    assert sorted(moved.text.split("\n")) == sorted(BODY.split("\n"))
    assert moved.text.split("\n")[2:5] == [BODY.split("\n")[k] for k in order[2:5]]
    assert sorted((u.text, u.label) for u in moved.units) == sorted(
        (u.text, u.label) for u in doc.units
    )
    assert _structure(moved) == _structure(doc)
    # Each unit keeps its id and moves by its paragraph's shift.
    before = {u.id: u for u in doc.units}
    for u in moved.units:
        old = before[u.id]
        assert (u.text, u.label, u.end - u.start) == (old.text, old.label, old.end - old.start)
    assert moved.metadata["paragraphs"] == [list(p) for p in paragraph_spans(moved.text)]


def test_body_order_needs_two_inner_paragraphs() -> None:
    doc = Document.build(
        "A is so.\nB is so.\nSo A.",
        spans=[(0, 8, "claim"), (9, 17, "premise"), (18, 23, "conclusion")],
    )
    assert body_order(doc, random.Random(0)) is None


def test_reorder_paragraphs_refuses_a_wrong_order() -> None:
    doc = body_essay()
    with pytest.raises(ValueError, match="not a permutation of the text's 6 paragraphs"):
        reorder_paragraphs(doc, [0, 1, 2])


def test_reorder_keeps_the_text_around_and_between_paragraphs_in_place() -> None:
    text = "\n  A is so.\n\nNo units here\nB is so.\nC.  \n"
    spans = [(text.index(t), text.index(t) + len(t), "claim") for t in ("A is so.", "B is so.")]
    doc = Document.build(text, spans=spans)
    moved = reorder_paragraphs(doc, [2, 1, 0, 3])
    assert moved.text == "\n  B is so.\n\nNo units here\nA is so.\nC.  \n"
    assert [(u.start, u.text) for u in moved.units] == [(3, "B is so."), (27, "A is so.")]


def test_paragraphs_brought_together_are_still_read_apart() -> None:
    # Without a final stop, a line followed by one in lower case reads as one paragraph.
    doc = Document.build("A is so\nB is so.\nc is so.", spans=[(0, 7, "claim")])
    moved = reorder_paragraphs(doc, [0, 2, 1])
    assert len(paragraph_spans(moved.text)) == 2
    assert moved.metadata["paragraphs"] == [[0, 7], [8, 16], [17, 25]]
    assert len(paragraph_spans_of(moved)) == 3  # what the model reads


def test_reorder_refuses_a_unit_that_spans_two_paragraphs() -> None:
    doc = Document.build("A is so.\nB is so.\nC.", spans=[(0, 17, "claim")])
    with pytest.raises(ValueError, match=r"unit 0-17 .* does not lie inside one paragraph"):
        reorder_paragraphs(doc, [1, 0, 2])


def test_both_training_views_of_an_aae2_essay_move_alike(data_dir: Path) -> None:
    """The gold units and their sentence projection share one text, so one order moves
    both (training encodes that text once for both views)."""
    from argmine.corpora import load
    from argmine.corpora.project import project_to_sentences

    essays = load("aae2", "train", data_dir)[:20]
    moved_any = 0
    for k, gold in enumerate(essays):
        sent = project_to_sentences(gold)
        order = body_order(gold, random.Random(k))
        if order is None:
            continue
        moved_any += 1
        a, b = reorder_paragraphs(gold, order), reorder_paragraphs(sent, order)
        assert a.text == b.text != gold.text
        for before, after in ((gold, a), (sent, b)):
            assert _structure(after) == _structure(before)
            assert sorted((u.text, u.label) for u in after.units) == sorted(
                (u.text, u.label) for u in before.units
            )
    assert moved_any >= 15
