"""The heads on top of the unit vectors: unit labels, roles, links and relation labels.

The pipeline decides in this order, each step reading the previous one's result:

1. :class:`UnitHead` reads each unit in the context of the whole document (a BiLSTM over
   the units, optionally followed by transformer layers over them) and says whether it
   argues at all (``none`` or not) and, first guess, how.
2. The *body* (paragraphs with argumentative units) is fixed from step 1, and positions
   are recomputed inside it (:func:`argmine.features.position_features`).
3. :class:`RoleHead` decides conclusion / claim / premise from the context and the body
   positions; :class:`LinkHead` scores every (child, parent) pair and a "no parent"
   option with a biaffine scorer plus distance and section terms; :class:`RelationHead`
   says support or attack for a pair.
"""

from __future__ import annotations

import warnings

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
    """Unit vector + form + position features -> context vectors and 4-way label logits.

    The context is a BiLSTM over the document's units, then ``attention_layers``
    pre-norm transformer layers over them (self-attention, 4 heads, and a feed-forward
    block; 0: none). A BiLSTM carries what the neighbours say; attention lets each unit
    compare itself with any other directly (a claim restates part of the thesis several
    paragraphs away). The attention has no position signal of its own: word order
    reaches it through the BiLSTM. Each layer's attention output projection and
    feed-forward output start at zero, so an untrained head scores as without them.
    Units attend within blocks of :attr:`ATTENTION_BLOCK` consecutive units, which
    bounds the memory a very long text takes (an essay's units fit in one block).
    """

    #: Units attend to the others of their block of this many consecutive units.
    ATTENTION_BLOCK = 256

    def __init__(
        self, n_in: int, dim: int, n_labels: int, dropout: float, attention_layers: int = 0
    ) -> None:
        super().__init__()
        self.project = nn.Sequential(nn.Linear(n_in, dim), nn.GELU(), nn.Dropout(dropout))
        self.context = nn.LSTM(dim, dim // 2, batch_first=True, bidirectional=True)
        layers = [
            nn.TransformerEncoderLayer(
                dim,
                nhead=4,
                dim_feedforward=2 * dim,
                dropout=dropout,
                activation="gelu",
                batch_first=True,
                norm_first=True,
            )
            for _ in range(attention_layers)
        ]
        for layer in layers:
            for proj in (layer.self_attn.out_proj, layer.linear2):
                nn.init.zeros_(proj.weight)
                nn.init.zeros_(proj.bias)
        self.attention = nn.ModuleList(layers)
        self.classify = _mlp(dim, dim, n_labels, dropout)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        u = self.project(x)
        if u.shape[0] == 0:
            return u, self.classify(u)
        # oneDNN's CPU LSTM kernel costs ~0.4 s a call whatever the length; the native
        # kernel takes milliseconds for the few dozen units of a document.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a TF32 notice torch emits on every switch
            with torch.backends.mkldnn.flags(enabled=False):
                c, _ = self.context(u.unsqueeze(0))
        ctx = u + c.squeeze(0)
        if len(self.attention):
            blocks = []
            for block in torch.split(ctx, self.ATTENTION_BLOCK):
                h = block.unsqueeze(0)
                for layer in self.attention:
                    h = layer(h)
                blocks.append(h.squeeze(0))
            ctx = torch.cat(blocks)
        return ctx, self.classify(ctx)


class RoleHead(nn.Module):
    """Context + body positions -> conclusion / claim / premise logits."""

    def __init__(self, n_in: int, dim: int, n_roles: int, dropout: float) -> None:
        super().__init__()
        self.classify = _mlp(n_in, dim, n_roles, dropout)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.classify(z)


class LinkHead(nn.Module):
    """Biaffine (child, parent) scores plus a "no parent" score for every unit.

    The pair score adds a small network over the pair's layout: distance in units and
    in body paragraphs (one-hot, clipped), same paragraph, same section. With
    ``layout_by_unit`` the layout also gets a weight that each unit's own vector sets,
    as child and as parent: a premise opened by "For example" backs the unit just
    before it, one opened by "Firstly" the claim that opens the paragraph, which one
    layout network shared by all pairs cannot tell apart. Those weights start at zero,
    so an untrained head scores as without them.
    """

    N_PAIR_FEATURES = (2 * MAX_PARAGRAPH_DISTANCE + 1) + (2 * MAX_UNIT_DISTANCE + 1) + 2

    def __init__(self, n_in: int, dim: int, dropout: float, layout_by_unit: bool = False) -> None:
        super().__init__()
        self.child = _mlp(n_in, dim, dim, dropout)
        self.parent = _mlp(n_in, dim, dim, dropout)
        self.bilinear = nn.Parameter(torch.zeros(dim, dim))
        self.parent_bias = nn.Linear(dim, 1)
        self.root = _mlp(n_in, dim, 1, dropout)
        self.pair = nn.Sequential(nn.Linear(self.N_PAIR_FEATURES, 32), nn.GELU(), nn.Linear(32, 1))
        self.child_layout: nn.Linear | None = None
        self.parent_layout: nn.Linear | None = None
        if layout_by_unit:
            self.child_layout = nn.Linear(dim, self.N_PAIR_FEATURES, bias=False)
            self.parent_layout = nn.Linear(dim, self.N_PAIR_FEATURES, bias=False)
            nn.init.zeros_(self.child_layout.weight)
            nn.init.zeros_(self.parent_layout.weight)

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
        feats = pair_features(paragraph_rank, section)
        scores = scores + self.pair(feats).squeeze(-1)
        if self.child_layout is not None and self.parent_layout is not None:
            scores = scores + torch.einsum("ik,ijk->ij", self.child_layout(hc), feats)
            scores = scores + torch.einsum("jk,ijk->ij", self.parent_layout(hp), feats)
        return (
            scores,
            (self.root(z).squeeze(-1)),
            hc,
            hp,
        )


def pair_features(paragraph_rank: torch.Tensor, section: torch.Tensor) -> torch.Tensor:
    """``(n, n, N_PAIR_FEATURES)`` layout features of every (child, parent) pair."""
    n = paragraph_rank.shape[0]
    idx = torch.arange(n, device=paragraph_rank.device)
    ud = (idx.unsqueeze(0) - idx.unsqueeze(1)).clamp(-MAX_UNIT_DISTANCE, MAX_UNIT_DISTANCE)
    pd = (paragraph_rank.unsqueeze(0) - paragraph_rank.unsqueeze(1)).clamp(
        -MAX_PARAGRAPH_DISTANCE, MAX_PARAGRAPH_DISTANCE
    )
    same_sec = section.unsqueeze(0) == section.unsqueeze(1)
    return torch.cat(
        [
            nn.functional.one_hot(pd + MAX_PARAGRAPH_DISTANCE, 2 * MAX_PARAGRAPH_DISTANCE + 1),
            nn.functional.one_hot(ud + MAX_UNIT_DISTANCE, 2 * MAX_UNIT_DISTANCE + 1),
            (pd == 0).unsqueeze(-1),
            same_sec.unsqueeze(-1),
        ],
        dim=-1,
    ).float()


class RelationHead(nn.Module):
    """(child, parent) vectors -> support / attack logits."""

    def __init__(self, dim: int, n_labels: int, dropout: float) -> None:
        super().__init__()
        self.classify = _mlp(3 * dim, dim, n_labels, dropout)

    def forward(self, child: torch.Tensor, parent: torch.Tensor) -> torch.Tensor:
        return self.classify(torch.cat([child, parent, child * parent], dim=-1))
