"""Layout of a document's units: paragraphs, sections, form and position features.

The network reads every unit's words through the encoder; this module adds what the
encoder cannot see, computed from the text's layout only, for any text:

* **form**: is the unit a line on its own, does its line end like a sentence, how long
  it is, does it start with a bullet, how many of its words are capitalised. Headings,
  navigation, bylines and notices differ from prose by their form in every web page.
* **position**: where the unit's paragraph sits, and where the unit sits inside it.
  Positions are computed twice: over all paragraphs, and over the *body* only (the
  paragraphs that hold argumentative units), so that a page that starts and ends with
  navigation still has its conclusion in the last body paragraph. The body is given by
  gold labels when training and by the model's own first decision when predicting.
* **sections**: a heading line (a paragraph of one short unit that does not end like a
  sentence) opens a section; links between units of one section are told apart from
  links across sections.

Example:
    >>> from argmine.document import Document
    >>> text = "Why it matters\\nWe should act. It is late.\\nSo act now."
    >>> doc = Document.build(text, spans=[(0, 14, None), (15, 29, None), (30, 41, None),
    ...                                   (42, 53, None)])
    >>> lay = layout(doc)
    >>> lay.paragraph
    [0, 1, 1, 2]
    >>> lay.section
    [0, 0, 0, 0]
    >>> lay.heading
    [True, False, False, False]
    >>> lay.form.shape
    (4, 10)
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from argmine.document import Document, Unit

FORM_FEATURES: tuple[str, ...] = (
    "whole_line",
    "line_ends_like_sentence",
    "log_words",
    "few_words",
    "starts_with_symbol",
    "capitalised_ratio",
    "digit_ratio",
    "single_unit_paragraph",
    "ends_with_question",
    "heading",
)
POSITION_FEATURES: tuple[str, ...] = (
    "paragraph_rel",
    "first_paragraph",
    "last_paragraph",
    "unit_in_paragraph_rel",
    "first_in_paragraph",
    "last_in_paragraph",
    "outside_body",
)

_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")
_WORD = re.compile(r"\w[\w'’-]*")
_SYMBOL_START = re.compile(r"^\s*(?:[^\w\s\"'“‘(]|\d+[.)]\s)")
#: A heading has at most this many words (longer lines without a full stop are prose).
HEADING_MAX_WORDS = 14


@dataclass(frozen=True)
class Layout:
    """Per-unit layout of one document (lists indexed like ``doc.units``)."""

    paragraph: list[int]
    section: list[int]
    heading: list[bool]
    form: np.ndarray  # (n_units, len(FORM_FEATURES)) float32
    n_paragraphs: int


def paragraph_spans_of(doc: Document) -> list[tuple[int, int]]:
    """Paragraph spans from ``doc.metadata['paragraphs']`` or, failing that, the text."""
    spans = doc.metadata.get("paragraphs") if doc.metadata else None
    if spans:
        return [(int(s), int(e)) for s, e in spans]
    from argmine.segment import paragraph_spans

    return paragraph_spans(doc.text)


def _paragraph_of(units: Sequence[Unit], paragraphs: Sequence[tuple[int, int]]) -> list[int]:
    starts = [s for s, _ in paragraphs]
    return [max(bisect.bisect_right(starts, u.start) - 1, 0) for u in units]


def layout(doc: Document, paragraphs: Sequence[tuple[int, int]] | None = None) -> Layout:
    """Paragraph and section of each unit, and its form features."""
    pars = list(paragraphs) if paragraphs is not None else paragraph_spans_of(doc)
    if not pars:
        pars = [(0, len(doc.text))]
    par = _paragraph_of(doc.units, pars)
    counts: dict[int, int] = {}
    for p in par:
        counts[p] = counts.get(p, 0) + 1
    n = len(doc.units)
    form = np.zeros((n, len(FORM_FEATURES)), dtype=np.float32)
    heading: list[bool] = []
    for i, unit in enumerate(doc.units):
        ps, pe = pars[par[i]]
        line = doc.text[ps:pe]
        words = _WORD.findall(unit.text)
        n_words = len(words)
        whole = unit.start <= ps and unit.end >= pe
        ends_sentence = bool(_SENTENCE_END.search(line))
        single = counts[par[i]] == 1
        is_heading = single and whole and not ends_sentence and 0 < n_words <= HEADING_MAX_WORDS
        heading.append(is_heading)
        caps = sum(1 for w in words if w[0].isupper()) / n_words if n_words else 0.0
        digits = sum(c.isdigit() for c in unit.text) / max(len(unit.text), 1)
        form[i] = (
            whole,
            ends_sentence,
            math.log1p(n_words) / 5.0,
            n_words <= 4,
            bool(_SYMBOL_START.match(unit.text)),
            caps,
            digits,
            single,
            unit.text.rstrip().endswith("?"),
            is_heading,
        )
    section, current = [], 0
    for i in range(n):
        # A heading opens a section; consecutive heading-like lines (menus) share one.
        if heading[i] and i > 0 and not heading[i - 1]:
            current += 1
        section.append(current)
    return Layout(par, section, heading, form, len(pars))


def position_features(paragraph: Sequence[int], body: Sequence[bool]) -> np.ndarray:
    """Position of each unit among the *body* paragraphs (those where ``body`` is true).

    A unit outside the body gets its position relative to the nearest body paragraph
    before it and ``outside_body = 1``.

    Example:
        >>> position_features([0, 1, 1, 2, 3], [False, True, True, True, False])[:, :3]
        array([[0., 1., 0.],
               [0., 1., 0.],
               [0., 1., 0.],
               [1., 0., 1.],
               [1., 0., 1.]], dtype=float32)
    """
    n = len(paragraph)
    out = np.zeros((n, len(POSITION_FEATURES)), dtype=np.float32)
    body_pars = sorted({p for p, b in zip(paragraph, body, strict=True) if b})
    if not body_pars:
        body_pars = sorted(set(paragraph))
    rank = {p: r for r, p in enumerate(body_pars)}
    last = max(len(body_pars) - 1, 1)
    members: dict[int, list[int]] = {}
    for i, p in enumerate(paragraph):
        if body[i] or not any(body):
            members.setdefault(p, []).append(i)
    for i, p in enumerate(paragraph):
        k = bisect.bisect_right(body_pars, p) - 1
        r = rank.get(p, max(k, 0))
        inside = p in rank and (body[i] or not any(body))
        group = members.get(p, [])
        if inside and group:
            j = group.index(i)
            in_rel = j / max(len(group) - 1, 1)
            first_in, last_in = j == 0, j == len(group) - 1
        else:
            in_rel, first_in, last_in = 0.0, False, False
        out[i] = (
            r / last if len(body_pars) > 1 else 0.0,
            r == 0,
            r == len(body_pars) - 1,
            in_rel,
            first_in,
            last_in,
            not inside,
        )
    return out


def body_rank(paragraph: Sequence[int], body: Sequence[bool]) -> list[int]:
    """Rank of each unit's paragraph among body paragraphs (nearest body one before it).

    Example:
        >>> body_rank([0, 2, 2, 5, 7], [False, True, True, True, False])
        [0, 0, 0, 1, 1]
    """
    body_pars = sorted({p for p, b in zip(paragraph, body, strict=True) if b}) or sorted(
        set(paragraph)
    )
    return [max(bisect.bisect_right(body_pars, p) - 1, 0) for p in paragraph]
