"""The link head: its layout terms, shared and weighed by each unit's vector."""

from __future__ import annotations

import torch

from argmine.nn.heads import LinkHead, pair_features


def _inputs(n: int = 5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    return torch.randn(n, 12), torch.tensor([0, 0, 1, 1, 1]), torch.tensor([0, 0, 0, 1, 1])


def test_unit_weighed_layout_starts_as_the_shared_one_and_learns() -> None:
    z, rank, section = _inputs()
    torch.manual_seed(1)
    plain = LinkHead(12, 8, 0.0).eval()
    torch.manual_seed(1)
    by_unit = LinkHead(12, 8, 0.0, layout_by_unit=True).eval()
    assert plain.child_layout is None and by_unit.child_layout is not None
    # Zero-initialised, the unit weights add nothing until training moves them...
    assert torch.equal(plain(z, rank, section)[0], by_unit(z, rank, section)[0])
    scores = by_unit(z, rank, section)[0]
    scores[0, 1].backward()
    assert by_unit.child_layout is not None and by_unit.parent_layout is not None
    assert by_unit.child_layout.weight.grad is not None
    assert torch.count_nonzero(by_unit.child_layout.weight.grad) > 0
    assert torch.count_nonzero(by_unit.parent_layout.weight.grad) > 0


def test_a_unit_weight_changes_that_units_pairs_by_their_layout_alone() -> None:
    z, rank, section = _inputs()
    head = LinkHead(12, 8, 0.0, layout_by_unit=True).eval()
    before = head(z, rank, section)[0].detach()
    assert head.child_layout is not None
    feats = pair_features(rank, section)
    # Weigh one layout feature (unit distance -1: the parent just before the child).
    k = int(torch.nonzero(feats[1, 0])[1])  # the unit-distance one-hot of pair (1, 0)
    with torch.no_grad():
        head.child_layout.weight[k] = 1.0  # every child: its vector's sum, at that distance
        delta = head(z, rank, section)[0] - before
        expected = head.child(z).sum(dim=1)
    for i in range(5):
        for j in range(5):
            want = float(expected[i]) if feats[i, j, k] else 0.0
            assert abs(float(delta[i, j]) - want) < 1e-5
    assert all(bool(feats[i, i - 1, k]) for i in range(1, 5))
