"""The link head's layout terms, shared and weighed by each unit's vector, and the unit
head's attention over the units."""

from __future__ import annotations

import pytest
import torch

from argmine.nn.heads import LinkHead, UnitHead, pair_features


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


def test_unit_attention_starts_as_the_bilstm_alone_and_learns() -> None:
    torch.manual_seed(0)
    x = torch.randn(7, 12)
    plain = UnitHead(12, 16, 4, 0.0).eval()
    attending = UnitHead(12, 16, 4, 0.0, attention_layers=2).eval()
    assert len(plain.attention) == 0 and len(attending.attention) == 2
    missing = attending.load_state_dict(plain.state_dict(), strict=False).missing_keys
    assert missing and all(k.startswith("attention.") for k in missing)
    # With the shared weights the same, the zeroed output projections make the attention
    # layers add nothing until training moves them...
    for a, b in zip(plain(x), attending(x), strict=True):
        assert torch.allclose(a, b, atol=1e-6)
    with torch.inference_mode():  # the fused path torch takes where the miner runs
        for a, b in zip(plain(x), attending(x), strict=True):
            assert torch.allclose(a, b, atol=1e-6)
    attending(x)[1][3, 0].backward()
    top = attending.attention[-1]
    assert top.linear2.weight.grad is not None and top.self_attn.out_proj.weight.grad is not None
    assert torch.count_nonzero(top.linear2.weight.grad) > 0
    assert torch.count_nonzero(top.self_attn.out_proj.weight.grad) > 0


def _trained_looking(head: UnitHead) -> UnitHead:
    """``head`` with its zeroed output weights drawn at random, as training moves them."""
    torch.manual_seed(3)
    with torch.no_grad():
        for layer in head.attention:
            for proj in (layer.self_attn.out_proj, layer.linear2):
                proj.weight.normal_(0.0, 0.5)
    return head.eval()


def test_unit_attention_lets_a_unit_read_a_distant_one() -> None:
    torch.manual_seed(0)
    head = _trained_looking(UnitHead(12, 16, 4, 0.0, attention_layers=1))
    x = torch.randn(30, 12)
    changed = x.clone()
    changed[29] += 3.0
    with torch.no_grad():
        delta = (head(changed)[0] - head(x)[0]).abs().sum(dim=1)
    # The BiLSTM alone carries a change 29 units back only faintly; attention reads it.
    plain = UnitHead(12, 16, 4, 0.0).eval()
    plain.load_state_dict({k: v for k, v in head.state_dict().items() if "attention" not in k})
    with torch.no_grad():
        plain_delta = (plain(changed)[0] - plain(x)[0]).abs().sum(dim=1)
    assert float(delta[0]) > 10 * float(plain_delta[0])


def test_unit_attention_stays_inside_its_block_of_units(monkeypatch: pytest.MonkeyPatch) -> None:
    torch.manual_seed(0)
    head = _trained_looking(UnitHead(12, 16, 4, 0.0, attention_layers=1))
    monkeypatch.setattr(UnitHead, "ATTENTION_BLOCK", 4)
    x = torch.randn(10, 12)
    with torch.no_grad():
        whole = head(x)[0]
        # Units 4..7 make up the second block: with the BiLSTM context held fixed, what
        # units 8 and 9 say reaches them only through the BiLSTM, never through attention.
        u = head.project(x)
        c, _ = head.context(u.unsqueeze(0))
        ctx = u + c.squeeze(0)
        block = head.attention[0](ctx[4:8].unsqueeze(0)).squeeze(0)
    assert whole.shape == (10, 16)
    assert torch.allclose(whole[4:8], block, atol=1e-5)
    assert not torch.allclose(whole[4:8], ctx[4:8], atol=1e-3)
