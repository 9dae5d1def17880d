"""From a document to encoder windows, and from units to their tokens.

Each paragraph is tokenized on its own and the paragraphs are joined with the
tokenizer's separator token, so the encoder sees where a paragraph ends. A document
longer than the encoder's maximum length is cut into overlapping windows; every token
later takes its vector from the window in which it sits furthest from an edge.

Example:
    >>> plan = plan_windows(10, window=6, overlap=2)
    >>> plan.windows
    [(0, 6), (4, 10)]
    >>> plan.owner.tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    >>> plan_windows(10, window=6, overlap=2, breaks=[4, 7]).windows
    [(0, 4), (4, 10)]

A unit's *marker* is the run of tokens just before it that no other unit covers, inside
its paragraph ("Firstly,", "For example,", "Therefore,"): corpora such as AAE2 annotate
components without the connective that introduces them, and the connective says much
of what the unit does (Kuribayashi et al. 2019 pool it as a span of its own).

    >>> marker_spans([(1, 4), (6, 9), (9, 12)], breaks=[5], max_tokens=3)
    [(0, 1), (5, 6), (9, 9)]
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TokenizedDoc:
    """Token ids of a whole document (without [CLS]/[SEP] at the ends) and unit spans."""

    ids: list[int]
    unit_spans: list[tuple[int, int]]  # half-open token spans, one per unit
    n_unknown: int
    starts: list[int]  # character offsets of each token (separators: empty, at a break)
    ends: list[int]
    #: Index of the first token of every paragraph but the first (each after a separator).
    breaks: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class WindowPlan:
    """Windows ``[a, b)`` over a token sequence and, per token, the window it reads from."""

    windows: list[tuple[int, int]]
    owner: np.ndarray
    position: np.ndarray  # index of each token inside its owner window


def tokenize_document(
    tokenizer: Any,
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    units: Sequence[tuple[int, int]],
) -> TokenizedDoc:
    """Tokenize ``text`` paragraph by paragraph and map unit char spans to token spans."""
    pars = [p for p in paragraphs if p[1] > p[0]] or [(0, len(text))]
    enc = tokenizer(
        [text[s:e] for s, e in pars],
        add_special_tokens=False,
        return_offsets_mapping=True,
        return_attention_mask=False,
        return_token_type_ids=False,
    )
    sep = tokenizer.sep_token_id
    unk = tokenizer.unk_token_id
    ids: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    breaks: list[int] = []
    for (ps, _), par_ids, offs in zip(pars, enc["input_ids"], enc["offset_mapping"], strict=True):
        if ids:
            ids.append(sep)
            starts.append(ps)
            ends.append(ps)
            breaks.append(len(ids))
        ids.extend(par_ids)
        for a, b in offs:
            starts.append(ps + a)
            ends.append(ps + b)
    spans: list[tuple[int, int]] = []
    for us, ue in units:
        if not ids:  # nothing the tokenizer keeps (e.g. only zero-width characters)
            spans.append((0, 0))
            continue
        # Tokens overlapping [us, ue): first token ending after us, up to first starting at ue.
        a = bisect.bisect_right(ends, us)
        b = bisect.bisect_left(starts, ue, lo=a)
        if b <= a:  # a unit made only of characters the tokenizer drops: nearest token
            a = min(a, max(len(ids) - 1, 0))
            b = a + 1
        spans.append((a, b))
    n_unknown = sum(1 for t in ids if t == unk)
    return TokenizedDoc(ids, spans, n_unknown, starts, ends, breaks)


def marker_spans(
    unit_spans: Sequence[tuple[int, int]], *, breaks: Sequence[int], max_tokens: int
) -> list[tuple[int, int]]:
    """Token span of each unit's marker: at most ``max_tokens`` tokens right before the
    unit, after the previous unit's end and not before the paragraph's first token
    (``breaks``: the first token of every paragraph but the first). Empty spans are
    ``(a, a)`` with ``a`` the unit's first token.
    """
    cuts = sorted(breaks)
    out: list[tuple[int, int]] = []
    prev_end = 0
    for a, b in unit_spans:
        k = bisect.bisect_right(cuts, a) - 1
        lo = max(prev_end, cuts[k] if k >= 0 else 0, a - max_tokens)
        out.append((min(lo, a), a))
        prev_end = max(prev_end, b)
    return out


def plan_windows(
    length: int, *, window: int, overlap: int, breaks: Sequence[int] = ()
) -> WindowPlan:
    """Cover ``length`` tokens with windows of at most ``window`` tokens.

    A window ends, where it can, at one of ``breaks`` (paragraph boundaries) in its
    second half, and the next one starts there: whole paragraphs, no token encoded
    twice. Where no break fits, windows overlap by ``overlap`` tokens instead.
    """
    if window <= overlap:
        raise ValueError(f"window ({window}) must be larger than overlap ({overlap}).")
    cuts = sorted(set(breaks))
    wins: list[tuple[int, int]] = []
    a = 0
    while True:
        b = min(a + window, length)
        if b >= length:
            wins.append((a, b))
            break
        k = bisect.bisect_right(cuts, b) - 1
        if k >= 0 and cuts[k] > a + window // 2:
            wins.append((a, cuts[k]))
            a = cuts[k]
        else:
            wins.append((a, b))
            a = b - overlap
    t = np.arange(length)
    owner = np.zeros(length, dtype=np.int64)
    position = np.zeros(length, dtype=np.int64)
    best = np.full(length, -1, dtype=np.int64)
    far = 10**9
    for k, (a, b) in enumerate(wins):
        inside = (t >= a) & (t < b)
        # Distance to the nearest edge that cuts context; the text's own ends cut nothing.
        left = t - a if k > 0 else np.full(length, far)
        right = b - 1 - t if k < len(wins) - 1 else np.full(length, far)
        margin = np.minimum(left, right)
        take = inside & (margin > best)
        owner[take] = k
        position[take] = (t - a)[take]
        best[take] = margin[take]
    return WindowPlan(wins, owner, position)


def plan_batches(
    lengths: Sequence[int], *, max_rows: int, multiple: int = 32, limit: int | None = None
) -> list[tuple[int, list[int]]]:
    """Encoder batches as ``(width, indices)``: each sequence is padded to its own length
    rounded up to ``multiple`` (at most ``limit``), and only sequences of one width share
    a batch, at most ``max_rows`` of them.

    A sequence's width depends on nothing else, so it is padded alike whatever texts
    were batched with it: padding to another width changes the arithmetic (by up to 0.02
    in bfloat16). The row count and torch's thread count still choose how the CPU's
    kernels block their sums: about 1e-6 in float32, up to 0.01 in bfloat16 (measured on
    an AMX Xeon, torch 2.13), so results agree to within that whatever the batch size,
    worker count or resume point. Padding wastes at most ``multiple - 1`` tokens a
    sequence.

    Example:
        >>> plan_batches([500, 20, 480, 30, 25], max_rows=2, limit=512)
        [(32, [1, 3]), (32, [4]), (480, [2]), (512, [0])]
    """
    if max_rows < 1:
        raise ValueError(f"max_rows must be >= 1; got {max_rows}.")
    groups: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        width = -(-n // multiple) * multiple
        if limit is not None:
            width = max(min(width, limit), n)
        groups.setdefault(width, []).append(i)
    return [
        (width, members[k : k + max_rows])
        for width, members in sorted(groups.items())
        for k in range(0, len(members), max_rows)
    ]
