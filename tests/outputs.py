"""Comparing batch outputs: the same records, fields, labels and trees, scores alike to
their last printed digit (float32 kernels that block their sums differently, for
another batch shape or thread count, move the encoder's vectors by about 1e-6).
"""

from __future__ import annotations

import math
from typing import Any

#: Scores are printed with six decimals; one printed digit of slack.
SCORE_TOLERANCE = 2e-6


def same(got: Any, expected: Any, where: str = "output", tol: float = SCORE_TOLERANCE) -> None:
    """Raise AssertionError naming the first place where ``got`` and ``expected`` differ;
    numbers may differ by ``tol``.

    Example:
        >>> same({"a": [1, 0.2500001]}, {"a": [1, 0.25]})
        >>> same({"a": "x"}, {"a": "y"})
        Traceback (most recent call last):
        AssertionError: output['a']: 'x' != 'y'
    """
    if isinstance(got, float) or isinstance(expected, float):
        ok = isinstance(got, int | float) and isinstance(expected, int | float)
        assert ok and math.isclose(got, expected, rel_tol=0.0, abs_tol=tol), (
            f"{where}: {got!r} != {expected!r}"
        )
    elif isinstance(got, dict) and isinstance(expected, dict):
        assert list(got) == list(expected), f"{where}: keys {list(got)} != {list(expected)}"
        for key in got:
            same(got[key], expected[key], f"{where}[{key!r}]", tol)
    elif isinstance(got, list) and isinstance(expected, list):
        assert len(got) == len(expected), f"{where}: {len(got)} items != {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            same(g, e, f"{where}[{i}]", tol)
    else:
        assert got == expected, f"{where}: {got!r} != {expected!r}"
