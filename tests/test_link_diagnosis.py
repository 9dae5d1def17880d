"""benchmarks/link_diagnosis.py: the wrong-root breakdown (its docstring examples, like every
benchmark script's, run as doctests: `testpaths` in pyproject.toml)."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.fixture()
def link_diagnosis(benchmark: Callable[[str], ModuleType]) -> ModuleType:
    return benchmark("link_diagnosis")


@pytest.mark.parametrize(
    ("parents", "expected"),
    [
        ([3, 0, 0, -1], None),  # the gold root
        ([-1, 0, 0, 0], "Claim"),  # a claim taken for the thesis: a role error
        ([1, -1, 1, 1], "Premise"),  # a premise as root
    ],
)
def test_a_wrong_root_is_named_by_its_corpus_label(
    link_diagnosis: ModuleType, parents: list[int], expected: str | None
) -> None:
    gold = [3, 0, 0, -1]
    labels = ["Claim", "Premise", "Premise", "MajorClaim"]
    assert link_diagnosis.wrong_root(gold, parents, labels) == expected


def test_an_earlier_statement_of_the_thesis_as_root_is_told_from_a_role_error(
    link_diagnosis: ModuleType,
) -> None:
    labels = ["MajorClaim", "Claim", "Premise", "MajorClaim"]
    gold = [3, 3, 1, -1]  # AAE2's convention: the last MajorClaim is the root
    assert link_diagnosis.wrong_root(gold, [-1, 0, 1, 0], labels) == "MajorClaim"
