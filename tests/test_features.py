"""Layout features: paragraphs, headings, sections and body-relative positions."""

from __future__ import annotations

from argmine.features import FORM_FEATURES, body_rank, layout, position_features
from argmine.segment import segment

PAGE = """Home | News | Sport
Why towns need trees

Trees cool the streets in summer. They also clean the air.

Costs and benefits

Planting is cheap. Cities should plant more trees.
Subscribe X"""


def test_headings_open_sections_and_menus_share_one() -> None:
    doc = segment(PAGE)
    lay = layout(doc)
    texts = [u.text for u in doc.units]
    heading = dict(zip(texts, lay.heading, strict=True))
    assert heading["Why towns need trees"] and heading["Costs and benefits"]
    assert not heading["Trees cool the streets in summer."]
    section = dict(zip(texts, lay.section, strict=True))
    assert section["Home | News | Sport"] == section["Why towns need trees"]
    assert section["Trees cool the streets in summer."] < section["Planting is cheap."]
    assert section["Planting is cheap."] == section["Cities should plant more trees."]


def test_form_features_tell_a_heading_from_prose() -> None:
    doc = segment(PAGE)
    lay = layout(doc)
    col = {name: i for i, name in enumerate(FORM_FEATURES)}
    i = [u.text for u in doc.units].index("Costs and benefits")
    j = [u.text for u in doc.units].index("Planting is cheap.")
    assert lay.form[i, col["whole_line"]] == 1 and lay.form[j, col["whole_line"]] == 0
    assert lay.form[i, col["line_ends_like_sentence"]] == 0
    assert lay.form[j, col["line_ends_like_sentence"]] == 1


def test_positions_are_relative_to_the_body_not_to_the_page() -> None:
    # Navigation before and after: the last body paragraph is still "last".
    paragraph = [0, 1, 2, 3, 4]
    body = [False, True, True, True, False]
    pos = position_features(paragraph, body)
    assert pos[3, 2] == 1.0  # last body paragraph
    assert pos[1, 1] == 1.0  # first body paragraph
    assert pos[0, 6] == 1.0 and pos[4, 6] == 1.0  # outside the body
    assert body_rank(paragraph, body) == [0, 0, 1, 2, 2]


def test_without_body_everything_counts() -> None:
    pos = position_features([0, 1], [False, False])
    assert pos[1, 2] == 1.0 and pos[:, 6].sum() == 0
