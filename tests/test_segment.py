"""Tests of argmine.segment: paragraphs, sentences and units with character offsets."""

from __future__ import annotations

import importlib
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from argmine.document import Document, Unit
from argmine.segment import paragraph_index, paragraph_spans, segment, sentence_spans

# ``argmine.segment`` the attribute is the function (argmine re-exports it); the module
# itself comes from the import system.
segment_module = importlib.import_module("argmine.segment")

# -- strategies -----------------------------------------------------------------------

WORDS = st.sampled_from(
    ["the", "argument", "Policy", "we", "Schools", "é", "café", "Über", "naïve", "ß",
     "中文", "句子", "😀", "👍🏽", "e\u0301", "x" * 60, "U.S.", "Dr.", "3.5"]
)  # fmt: skip
PUNCT = st.sampled_from(
    [".", "!", "?", ",", ";", ":", "...", '"', "”", ")", "(", "'", "。", "…", ".)", '?"']
)
SPACE = st.sampled_from(
    [" ", " ", " ", "\t", "\n", "\r\n", "\r", "\n\n", "\r\n\r\n", " \n \t\n", "\r\r\n",
     "\u00a0", "\u2028", "\f", "\x85", "\u3000"]
)  # fmt: skip
BULLETS = st.sampled_from(["• ", "- ", "* ", "– ", "1. ", "12) ", "a) ", "ii. ", "(b) "])
TOKENS = st.one_of(WORDS, WORDS, PUNCT, SPACE, SPACE, BULLETS, st.text(max_size=4))
LONG = st.text(alphabet="ab .\n", min_size=300, max_size=3000)

# Token soup with, now and then, one long line inserted somewhere.
texts = st.tuples(
    st.lists(TOKENS, max_size=80),
    st.one_of(st.just(""), st.just(""), LONG),
    st.integers(min_value=0, max_value=80),
).map(lambda t: "".join(t[0][: t[2]]) + t[1] + "".join(t[0][t[2] :]))
# Lines of prose in the shapes the paragraph rule distinguishes.
lines = st.tuples(
    st.sampled_from(["", "", "• ", "1. ", "a) ", "  "]),
    st.lists(WORDS, min_size=1, max_size=6).map(" ".join),
    st.sampled_from(["", "", ".", "!", ":", ",", '."', ".)", " "]),
).map("".join)
line_texts = st.tuples(
    st.lists(lines, min_size=1, max_size=12),
    st.lists(st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\n \t\n", "\r\n\r\n"]), min_size=11),
).map(lambda p: "".join(line + brk for line, brk in zip(p[0], p[1], strict=False)))

# -- a slow reference for the paragraph rule ------------------------------------------

BREAKS = "\n\r\v\f\x85\u2028\u2029"
FINAL_RE = re.compile("[.!?:;…。！？；：][\"'”’»›)\\]}」』）]*$")
LOWER_MARKER_RE = re.compile(r"(?:[a-z]|i{1,3}|iv|vi{0,3}|ix|xi{0,3})[.)](?:\s|$)")


def reference_paragraphs(text: str) -> list[tuple[int, int]]:
    """The paragraph rule written as a plain character loop."""
    raw_lines, i, line_start = [], 0, 0
    while i < len(text):
        if text[i] in BREAKS:
            raw_lines.append((line_start, i))
            i += 2 if text[i : i + 2] == "\r\n" else 1
            line_start = i
        else:
            i += 1
    raw_lines.append((line_start, len(text)))
    paras: list[tuple[int, int]] = []
    open_line, blank = False, False
    for s, e in raw_lines:
        raw = text[s:e]
        if not raw.strip():
            blank = True
            continue
        start = s + len(raw) - len(raw.lstrip())
        end = s + len(raw.rstrip())
        line = text[start:end]
        if open_line and not blank and line[0].islower() and not LOWER_MARKER_RE.match(line):
            paras[-1] = (paras[-1][0], end)
        else:
            paras.append((start, end))
        open_line, blank = not FINAL_RE.search(line), False
    return paras


# -- invariants -----------------------------------------------------------------------


def assert_partition(text: str, spans: list[tuple[int, int]], lo: int = 0, hi: int | None = None):
    """Spans are ordered, disjoint, stripped, non-empty and cover text[lo:hi]'s non-spaces."""
    hi = len(text) if hi is None else hi
    prev = lo
    for start, end in spans:
        assert prev <= start < end <= hi
        piece = text[start:end]
        assert piece == piece.strip()
        assert text[prev:start].strip() == "", "non-whitespace text dropped"
        prev = end
    assert text[prev:hi].strip() == "", "non-whitespace text dropped"


def assert_well_formed(doc: Document, max_unit_chars: int) -> None:
    text = doc.text
    spans = [(u.start, u.end) for u in doc.units]
    assert_partition(text, spans)
    for u in doc.units:
        assert text[u.start : u.end] == u.text
        assert len(u.text) <= max_unit_chars
        assert u.label is None
    paragraphs = [tuple(p) for p in doc.metadata["paragraphs"]]
    assert_partition(text, paragraphs)  # type: ignore[arg-type]
    json.dumps(doc.metadata)
    # Every unit lies inside the paragraph that paragraph_index gives it.
    for u, i in zip(doc.units, paragraph_index(doc.units, paragraphs), strict=True):
        assert paragraphs[i][0] <= u.start and u.end <= paragraphs[i][1]


# -- properties -----------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(texts, st.integers(min_value=1, max_value=80))
def test_units_partition_the_text(text: str, max_unit_chars: int) -> None:
    assert_well_formed(segment(text, max_unit_chars=max_unit_chars), max_unit_chars)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_unicode_is_segmented_without_loss(text: str) -> None:
    assert_well_formed(segment(text), 1500)


@settings(max_examples=150, deadline=None)
@given(st.one_of(line_texts, texts))
def test_paragraphs_follow_the_line_rule(text: str) -> None:
    assert paragraph_spans(text) == reference_paragraphs(text)


@settings(max_examples=100, deadline=None)
@given(texts, st.integers(min_value=-50, max_value=400), st.integers(min_value=-50, max_value=400))
def test_sentence_spans_stay_inside_the_range(text: str, start: int, end: int) -> None:
    lo, hi, _ = slice(start, end).indices(len(text))
    assert_partition(text, sentence_spans(text, start, end), lo, max(lo, hi))


@settings(max_examples=100, deadline=None)
@given(st.one_of(texts, st.text(max_size=100)).filter(str.strip))
def test_native_blingfire_call_matches_the_wrapper(text: str) -> None:
    # segment calls blingfire's C function itself and maps byte offsets to characters;
    # it must agree with blingfire's own Python wrapper, which does that mapping too.
    data = text.encode("utf-8", "replace")
    native = segment_module._native_sentence_starts(data, text.isascii())
    assert native is not None
    assert native == segment_module._wrapper_sentence_starts(data.decode("utf-8"))


def test_wrapper_fallback_gives_the_same_units(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Café 😀 ok. 中文句子。第二句。 End!\r\n• Bullet. 1. Item.\n\x00A. B."
    expected = segment(text)
    monkeypatch.setattr(segment_module, "_TEXT_TO_SENTENCES", None)
    assert segment(text) == expected
    assert len(expected.units) == 8


# -- examples -------------------------------------------------------------------------


def texts_of(text: str, **kwargs: int) -> list[str]:
    return [u.text for u in segment(text, **kwargs).units]


def test_crlf_text() -> None:
    text = "First paragraph here. It has two sentences.\r\nSecond one!\r\n\r\nThird.\r\n"
    doc = segment(text)
    assert [u.text for u in doc.units] == [
        "First paragraph here.",
        "It has two sentences.",
        "Second one!",
        "Third.",
    ]
    assert doc.metadata["paragraphs"] == [[0, 43], [45, 56], [60, 66]]
    assert paragraph_index(doc.units, doc.metadata["paragraphs"]) == [0, 0, 1, 2]


def test_lone_carriage_returns_end_lines() -> None:
    assert texts_of("One line.\rAnother line.\r\rThird.") == [
        "One line.",
        "Another line.",
        "Third.",
    ]


def test_blank_lines_separate_paragraphs() -> None:
    text = "Cities should invest\n\nin public transport.\n  \t\nIt reduces traffic."
    assert [text[s:e] for s, e in paragraph_spans(text)] == [
        "Cities should invest",  # no joining across a blank line, even before lowercase
        "in public transport.",
        "It reduces traffic.",
    ]


def test_single_newlines_separate_paragraphs() -> None:
    text = "We agree on this.\nThey disagree\nYet both sides argue well."
    assert len(paragraph_spans(text)) == 3
    assert texts_of(text) == ["We agree on this.", "They disagree", "Yet both sides argue well."]


def test_heading_without_punctuation_is_its_own_unit() -> None:
    text = "Why Public Transport Matters\nTransport funds growth. Growth matters."
    assert texts_of(text) == [
        "Why Public Transport Matters",
        "Transport funds growth.",
        "Growth matters.",
    ]


def test_hard_wrapped_paragraph_is_joined() -> None:
    text = (
        "This essay argues that cities should\n"
        "invest in public transport, because it\n"
        "reduces traffic. Critics disagree:\n"
        "they cite costs.\n"
        "Home | About | Contact"
    )
    assert texts_of(text) == [
        "This essay argues that cities should\ninvest in public transport, because it\n"
        "reduces traffic.",
        "Critics disagree:",
        "they cite costs.",
        "Home | About | Contact",
    ]


def test_bullets_stay_inside_their_units() -> None:
    text = (
        "Reasons:\n"
        "• It is cheap. It is clean.\n"
        "- It is fast\n"
        "* It works\n"
        "– It scales\n"
        "1. Numbered item.\n"
        "12) Another item\n"
        "Options include\n"
        "a) the first\n"
        "(b) the second"
    )
    assert texts_of(text) == [
        "Reasons:",
        "• It is cheap.",
        "It is clean.",
        "- It is fast",
        "* It works",
        "– It scales",
        "1. Numbered item.",
        "12) Another item",
        "Options include",
        "a) the first",
        "(b) the second",
    ]


def test_lone_list_marker_joins_the_next_sentence() -> None:
    text = "Two steps follow. 1. Measure it. 2. Fix it."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Two steps follow.",
        "1. Measure it.",
        "2. Fix it.",
    ]


def test_very_long_line_gives_bounded_units() -> None:
    words = ("word " * 40_000).strip()  # 200k characters, no punctuation
    doc = segment(words)
    assert all(len(u.text) <= 1500 for u in doc.units)
    assert len(doc.units) == 134
    assert " ".join(u.text for u in doc.units) == words
    assert_well_formed(doc, 1500)

    solid = "x" * 200_000  # no whitespace either: cut hard at the limit
    doc = segment(solid, max_unit_chars=1000)
    assert [len(u.text) for u in doc.units] == [1000] * 200
    assert_well_formed(doc, 1000)


def test_text_without_punctuation() -> None:
    text = "just some words without any stops\nand more words here\nNew Line"
    assert texts_of(text) == [
        "just some words without any stops\nand more words here",
        "New Line",
    ]


def test_unicode_offsets_are_character_offsets() -> None:
    # blingfire's C library works on UTF-8 bytes; offsets here must be characters.
    text = "Café au lait. Emoji 😀 here! 中文句子。第二句。\tNaïve end."
    doc = segment(text)
    assert [u.text for u in doc.units] == [
        "Café au lait.",
        "Emoji 😀 here!",
        "中文句子。",
        "第二句。",
        "Naïve end.",
    ]
    assert [(u.start, u.end) for u in doc.units] == [
        (0, 13),
        (14, 27),
        (28, 33),
        (33, 37),
        (38, 48),
    ]


def test_inputs_blingfire_cannot_handle() -> None:
    for text in [
        "Bad \ud800 char. Next sentence.",
        "A\x00B. C d.",
        "\x01\x02. x.",
        "\ufeffHi. Yo.",
    ]:
        assert_well_formed(segment(text), 1500)


@pytest.mark.parametrize("text", ["", " ", "\n\r\n\t ", "\u3000\u2028"])
def test_empty_or_blank_text_has_no_units(text: str) -> None:
    doc = segment(text, id="blank")
    assert doc.units == ()
    assert doc.id == "blank"
    assert doc.metadata["paragraphs"] == []
    assert sentence_spans(text) == []


@pytest.mark.parametrize("bad", [None, b"bytes", 3, ["a list"]])
def test_non_str_raises_type_error(bad: object) -> None:
    for func in (segment, paragraph_spans, sentence_spans):
        with pytest.raises(TypeError, match=type(bad).__name__):
            func(bad)  # type: ignore[operator]


def test_bad_max_unit_chars() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        segment("Text.", max_unit_chars=0)
    with pytest.raises(TypeError):
        segment("Text.", max_unit_chars=1.5)  # type: ignore[arg-type]


def test_sentence_spans_range_uses_slice_semantics() -> None:
    text = "Skip this. Keep this one. And this."
    assert [text[s:e] for s, e in sentence_spans(text, 10, -5)] == ["Keep this one.", "And"]


def test_paragraph_index() -> None:
    paragraphs = [(2, 5), (10, 20)]
    units = [Unit(0, 1), Unit(2, 4), Unit(6, 8), Unit(10, 12), Unit(25, 30)]
    # before the first -> 0; between paragraphs -> the previous one
    assert paragraph_index(units, paragraphs) == [0, 0, 0, 1, 1]
    assert paragraph_index([], []) == []
    with pytest.raises(ValueError, match="paragraph"):
        paragraph_index(units, [])


def test_segmented_document_round_trips_through_json() -> None:
    doc = segment("A claim.\n\nA premise, because reasons.", id="d7")
    back = Document.from_json(doc.to_json())
    assert back == doc
    assert back.metadata == {"paragraphs": [[0, 8], [10, 37]]}
