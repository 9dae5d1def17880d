"""Web-page augmentation keeps every labelled unit and relation, adds only `none` units."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from argmine.augment import webify
from argmine.document import Document
from argmine.features import layout

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
