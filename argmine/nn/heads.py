"""The heads on top of the unit vectors: unit labels, roles, links and relation labels.

The pipeline decides in this order, each step reading the previous one's result:

1. :class:`UnitHead` reads each unit in the context of the whole document (a BiLSTM over
   the units) and says whether it argues at all (``none`` or not) and, first guess, how.
2. The *body* (paragraphs with argumentative units) is fixed from step 1, and positions
   are recomputed inside it (:func:`argmine.features.position_features`).
3. :class:`RoleHead` decides conclusion / claim / premise from the context and the body
   positions; :class:`LinkHead` scores every (child, parent) pair and a "no parent"
   option with a biaffine scorer plus distance and section terms; :class:`RelationHead`
   says support or attack for a pair.
"""

from __future__ import annotations

import torch
from torch import nn

#: Paragraph and unit distances are clipped to these ranges before embedding.
MAX_PARAGRAPH_DISTANCE = 6
MAX_UNIT_DISTANCE = 12


def _mlp(n_in: int, n_hidden: int, n_out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(n_in, n_hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(n_hidden, n_out)
    )


class UnitHead(nn.Module):
    """Unit vector + form + position features -> context vectors and 4-way label logits."""

    def __init__(self, n_in: int, dim: int, n_labels: int, dropout: float) -> None:
        super().__init__()
        self.project = nn.Sequential(nn.Linear(n_in, dim), nn.GELU(), nn.Dropout(dropout))
        self.context = nn.LSTM(dim, dim // 2, batch_first=True, bidirectional=True)
        self.classify = _mlp(dim, dim, n_labels, dropout)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        u = self.project(x)
        if u.shape[0] == 0:
            return u, self.classify(u)
        c, _ = self.context(u.unsqueeze(0))
        ctx = u + c.squeeze(0)
        return ctx, self.classify(ctx)


class RoleHead(nn.Module):
    """Context + body positions -> conclusion / claim / premise logits."""

    def __init__(self, n_in: int, dim: int, n_roles: int, dropout: float) -> None:
        super().__init__()
        self.classify = _mlp(n_in, dim, n_roles, dropout)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.classify(z)


class LinkHead(nn.Module):
    """Biaffine (child, parent) scores plus a "no parent" score for every unit."""

    def __init__(self, n_in: int, dim: int, dropout: float) -> None:
        super().__init__()
        self.child = _mlp(n_in, dim, dim, dropout)
        self.parent = _mlp(n_in, dim, dim, dropout)
        self.bilinear = nn.Parameter(torch.zeros(dim, dim))
        self.parent_bias = nn.Linear(dim, 1)
        self.root = _mlp(n_in, dim, 1, dropout)
        self.paragraph_distance = nn.Embedding(2 * MAX_PARAGRAPH_DISTANCE + 1, 1)
        self.unit_distance = nn.Embedding(2 * MAX_UNIT_DISTANCE + 1, 1)
        self.same = nn.Linear(2, 1, bias=False)  # same paragraph, same section
        nn.init.zeros_(self.paragraph_distance.weight)
        nn.init.zeros_(self.unit_distance.weight)

    def forward(
        self,
        z: torch.Tensor,
        paragraph_rank: torch.Tensor,
        section: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """Pair scores ``(n, n)`` (row: child, column: parent), root scores ``(n,)``, and
        the child and parent vectors (for :class:`RelationHead`)."""
        hc, hp = self.child(z), self.parent(z)
        scores = hc @ self.bilinear @ hp.T + self.parent_bias(hp).T
        n = z.shape[0]
        idx = torch.arange(n, device=z.device)
        ud = (idx.unsqueeze(0) - idx.unsqueeze(1)).clamp(-MAX_UNIT_DISTANCE, MAX_UNIT_DISTANCE)
        pd = (paragraph_rank.unsqueeze(0) - paragraph_rank.unsqueeze(1)).clamp(
            -MAX_PARAGRAPH_DISTANCE, MAX_PARAGRAPH_DISTANCE
        )
        same = torch.stack(
            [
                (pd == 0).float(),
                (section.unsqueeze(0) == section.unsqueeze(1)).float(),
            ],
            dim=-1,
        )
        scores = (
            scores
            + self.unit_distance(ud + MAX_UNIT_DISTANCE).squeeze(-1)
            + self.paragraph_distance(pd + MAX_PARAGRAPH_DISTANCE).squeeze(-1)
            + self.same(same).squeeze(-1)
        )
        return scores, self.root(z).squeeze(-1), hc, hp


class RelationHead(nn.Module):
    """(child, parent) vectors -> support / attack logits."""

    def __init__(self, dim: int, n_labels: int, dropout: float) -> None:
        super().__init__()
        self.classify = _mlp(3 * dim, dim, n_labels, dropout)

    def forward(self, child: torch.Tensor, parent: torch.Tensor) -> torch.Tensor:
        return self.classify(torch.cat([child, parent, child * parent], dim=-1))
