"""The miner: text -> segments -> labelled units -> links -> argument tree.

``Miner`` splits the work the way transformers pipelines and spaCy components do:
:meth:`Miner.preprocess` (segment, tokenize, lay out: no torch), :meth:`Miner.forward`
(the network, under ``torch.inference_mode``, returning numpy arrays) and
:meth:`Miner.postprocess` (decisions, tree decoding, a new :class:`Document`).

Example (needs the shipped model)::

    >>> import argmine
    >>> miner = argmine.load()                                  # doctest: +SKIP
    >>> doc = miner("We should ban cars downtown. They pollute the air.")  # doctest: +SKIP
    >>> doc.tree.root.text                                      # doctest: +SKIP
    'We should ban cars downtown.'
"""

from __future__ import annotations

import logging
import math
import numbers
import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from argmine.decode import (
    decode_tree,
    decode_with_roles,
    paragraph_constraints,
    section_constraints,
)
from argmine.document import Document, Relation, Unit
from argmine.errors import ArgmineWarning, ModelLoadError

logger = logging.getLogger(__name__)

#: What a premise pays (log-probability) for arguing for another premise in essay
#: decoding: among the best costs on the AAE2 dev essays the shipped model held out
#: (``benchmarks/results/premise_penalty.md``).
PREMISE_PARENT_PENALTY = 1.5

#: The model that ``argmine.load()`` returns, inside the repository's ``models/`` folder.
DEFAULT_MODEL = "argmine-minilm-l6"
#: Share of unknown tokens above which the text is probably in a language the encoder
#: does not know; the miner still runs and logs a warning.
UNKNOWN_TOKEN_WARNING = 0.3


def default_model_path() -> Path:
    """``$ARGMINE_MODEL`` if set, else ``models/argmine-minilm-l6`` beside the package."""
    env = os.environ.get("ARGMINE_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / "models" / DEFAULT_MODEL


def model_path(name_or_path: str | os.PathLike[str] | None) -> Path:
    """The folder of a model: a path as given, else the folder of that name in the
    repository's ``models/``; ``None``: :func:`default_model_path`.

    Example:
        >>> model_path("argmine-minilm-l6") == default_model_path().parent / "argmine-minilm-l6"
        True
    """
    if name_or_path is None:
        return default_model_path()
    path = Path(name_or_path)
    if not path.exists():
        candidate = Path(__file__).resolve().parents[1] / "models" / str(name_or_path)
        if candidate.exists():
            return candidate
    return path


@dataclass(frozen=True)
class Raw:
    """The network's outputs for one block of units, as numpy arrays."""

    units: list[int]  # indices into the document's units
    label_probs: np.ndarray  # (n, 4) in config.unit_labels order
    role_probs: np.ndarray  # (n, 3)
    arg: np.ndarray  # indices (into this block) of argumentative units
    link_logp: np.ndarray  # (a, a) log p(parent = j | child = i) among argumentative units
    root_logp: np.ndarray  # (a,)
    relation_probs: np.ndarray  # (a, a, 2)
    section: np.ndarray  # (n,) section of each unit (headings open sections)
    heading: np.ndarray  # (n,) whether the unit is a heading line
    paragraph: np.ndarray | None = None  # (n,) paragraph of each unit


class Miner:
    """Labels units and decodes the argument tree of any English text.

    Settings are keyword-only and stored as given; they are checked when used.
    ``max_units`` bounds the units decoded together: longer documents are mined in
    blocks of whole paragraphs whose trees hang under the best-scoring root.
    ``all_argumentative=True`` says the given units are known argument components (the
    benchmarks' gold protocol): none of them is labelled ``none``. ``genre`` is one of
    the model's genres (``model.config.genres``: ``essay``, the default, for essays,
    opinion and news; ``abstract`` for scientific abstracts). ``sections=True`` applies
    :func:`argmine.decode.section_constraints`: in a section that a heading opens with a
    claim, the premises argue for that claim. ``headings_none=True`` labels heading lines
    (:attr:`argmine.features.Layout.heading`: a line of its own, short, not ending like a
    sentence) ``none`` before anything else is decided: they title sections.
    ``roles_from_tree=True`` (the default, for single-root trees) decides roles and tree
    together (:func:`argmine.decode.decode_with_roles`): the root is the conclusion, its
    children claims, deeper units premises (within each block; see ``max_units``);
    ``False`` fixes each unit's role first and decodes the tree under those roles.
    ``paragraph_arguments=True`` (with the default joint decoding) reads the text as a
    persuasive essay does: each paragraph holds its own arguments, so a premise argues
    for a unit of its own paragraph and every paragraph that argues has a claim
    (:func:`argmine.decode.paragraph_constraints`; ``argmine evaluate`` sets it for AAE2,
    which is annotated so); leave it off for news, where premises follow their claim
    into the next paragraphs. With it, ``premise_parent_penalty`` (default
    :data:`PREMISE_PARENT_PENALTY`, the best of a grid on the AAE2 dev essays; 0 turns it
    off) is what a premise pays for arguing for another premise rather than for a claim
    once the roles are decided
    (:func:`argmine.decode.reattach_premises`); it is not read otherwise. A unit's score
    is P(it argues) x P(its label).
    ``precision`` sets the encoder's arithmetic: ``auto`` (the default) uses bfloat16
    mixed precision where the hardware multiplies bfloat16 natively (several times
    faster on such CPUs; see :func:`argmine.nn.encoder.compute_dtype`), else float32.
    """

    _premise_parent_penalty: float

    def __init__(
        self,
        model: Any,
        *,
        batch_size: int = 16,
        max_windows: int = 16,
        max_units: int = 160,
        single_root: bool = True,
        root_candidates: int = 3,
        none_threshold: float = 0.5,
        all_argumentative: bool = False,
        genre: str | None = None,
        sections: bool = True,
        headings_none: bool = True,
        roles_from_tree: bool = True,
        paragraph_arguments: bool = False,
        premise_parent_penalty: float = PREMISE_PARENT_PENALTY,
        device: str = "cpu",
        precision: str = "auto",
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.max_windows = max_windows
        self.max_units = max_units
        self.single_root = single_root
        self.root_candidates = root_candidates
        self.none_threshold = none_threshold
        self.all_argumentative = all_argumentative
        self.genre = genre
        self.sections = sections
        self.headings_none = headings_none
        self.roles_from_tree = roles_from_tree
        self.paragraph_arguments = paragraph_arguments
        self.premise_parent_penalty = premise_parent_penalty
        self.device = device
        self.precision = precision

    @property
    def premise_parent_penalty(self) -> float:
        """What a premise pays for arguing for another premise in essay decoding."""
        return self._premise_parent_penalty

    @premise_parent_penalty.setter
    def premise_parent_penalty(self, value: float) -> None:
        # Checked when set, not at the first essay decode: a bad cost would otherwise
        # pass unnoticed through every text decoded without paragraph_arguments.
        rule = "must be a number of at least 0 (0 keeps the tree as decoded)."
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"premise_parent_penalty={value!r}: {rule}")
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"premise_parent_penalty={value}: {rule}")
        self._premise_parent_penalty = float(value)

    @classmethod
    def load(cls, name_or_path: str | os.PathLike[str] | None = None, **kwargs: Any) -> Miner:
        """Load a saved model folder (default: the shipped model) into a miner."""
        from argmine.nn.model import ArgmineModel

        path = model_path(name_or_path)
        try:
            model = ArgmineModel.load(path)
        except ModelLoadError:
            raise
        except OSError as e:
            raise ModelLoadError(f"Could not load the model in {str(path)!r}: {e}") from e
        device = kwargs.get("device", "cpu")
        model.to(device)
        return cls(model, **kwargs)

    @property
    def labels(self) -> list[str]:
        """The unit labels this miner's model predicts (from its saved config)."""
        return list(self.model.config.unit_labels)

    # -- public API ---------------------------------------------------------------------

    def __call__(self, text: str | Document) -> Document:
        """Mine one text (or label and link the units of a Document)."""
        return next(iter(self.pipe([text], batch_size=1)))

    def pipe(
        self, texts: Iterable[str | Document], *, batch_size: int | None = None
    ) -> Iterator[Document]:
        """Mine many texts; yields one Document per input, in input order."""
        size = batch_size or self.batch_size
        if size < 1:
            raise ValueError(f"batch_size must be >= 1; got {size}.")
        buffer: list[str | Document] = []
        for item in texts:
            buffer.append(item)
            if len(buffer) >= size:
                yield from self._run(buffer)
                buffer = []
        if buffer:
            yield from self._run(buffer)

    # -- the three steps ----------------------------------------------------------------

    def preprocess(self, item: str | Document) -> tuple[Document, list[Any]]:
        """Segment (if needed) and cut the document into prepared blocks."""
        if isinstance(item, Document):
            doc = item if item.units else _segmented(item)
        elif isinstance(item, str):
            from argmine.segment import segment

            doc = segment(item)
        else:
            raise TypeError(
                f"Miner expects a str or an argmine.Document; got {type(item).__name__}."
            )
        if not doc.units:
            return doc, []
        blocks = []
        from argmine.features import paragraph_spans_of

        paragraphs = paragraph_spans_of(doc)
        groups = _blocks(doc, self.max_units, paragraphs)
        for units in groups:
            meta: dict[str, Any] = dict(doc.metadata)
            if len(groups) > 1:
                # A block reads only its own paragraphs, so a long text is encoded once.
                first, last = doc.units[units[0]].start, doc.units[units[-1]].end
                meta["paragraphs"] = [[s, e] for s, e in paragraphs if e > first and s < last] or [
                    [first, last]
                ]
            sub = Document(
                doc.text, id=doc.id, units=tuple(doc.units[i] for i in units), metadata=meta
            )
            prep = self.model.prepare(sub, self.genre)
            ids = prep.tokens.ids
            if ids and prep.tokens.n_unknown / len(ids) > UNKNOWN_TOKEN_WARNING:
                msg = (
                    f"Document {doc.id!r}: {prep.tokens.n_unknown} of {len(ids)} tokens are "
                    "unknown to the encoder; is the text in a language it was not "
                    "trained on? Labels will be unreliable."
                )
                logger.warning(msg)
                warnings.warn(msg, ArgmineWarning, stacklevel=3)
            blocks.append((units, prep))
        return doc, blocks

    def forward(self, blocks: Sequence[tuple[list[int], Any]]) -> list[Raw]:
        """Run the network on prepared blocks (the only step that touches torch)."""
        import torch

        from argmine.nn.encoder import compute_dtype

        out: list[Raw] = []
        if not blocks:
            return out
        model = self.model
        model.encoder.compute_dtype = compute_dtype(self.precision, self.device)
        unit_labels = model.config.unit_labels
        none = unit_labels.index("none")
        with torch.inference_mode():
            tokens = model.encode([p for _, p in blocks], max_windows=self.max_windows)
            for (units, prep), tok in zip(blocks, tokens, strict=True):
                up = model.unit_pass(tok, prep)
                probs = torch.softmax(up.label_logits, -1)
                if self.all_argumentative:
                    probs[:, none] = 0.0
                elif self.headings_none and any(prep.layout.heading):
                    # A heading titles a section; it argues nothing (decided by form).
                    heads = torch.tensor(prep.layout.heading, device=probs.device)
                    probs[heads] = torch.nn.functional.one_hot(
                        torch.tensor(none), probs.shape[1]
                    ).to(probs.dtype)
                body = (probs[:, none] < self.none_threshold).tolist()
                sp = model.structure_pass(up, prep, body)
                role = torch.softmax(sp.role_logits, -1)
                dev = role.device
                arg = torch.tensor(
                    [i for i, b in enumerate(body) if b], dtype=torch.long, device=dev
                )
                a = len(arg)
                n_rel = len(model.config.relation_labels)
                conclusion = model.config.role_labels.index("conclusion")
                if a:
                    logp = torch.log_softmax(model.parent_logits(sp, arg), dim=1)
                    ci, pj = torch.meshgrid(arg, arg, indexing="ij")
                    rel = torch.softmax(
                        model.relation_logits(sp, ci.reshape(-1), pj.reshape(-1)), -1
                    ).reshape(a, a, n_rel)
                    root = logp[:, a] + torch.log(role[arg, conclusion] + 1e-9)
                else:  # nothing argues: no tree
                    logp = torch.zeros((0, 1), device=dev)
                    rel = torch.zeros((0, 0, n_rel), device=dev)
                    root = torch.zeros(0, device=dev)
                out.append(
                    Raw(
                        units=units,
                        label_probs=probs.cpu().numpy(),
                        role_probs=role.cpu().numpy(),
                        arg=arg.cpu().numpy(),
                        link_logp=logp[:, :a].cpu().numpy(),
                        root_logp=root.cpu().numpy(),
                        relation_probs=rel.cpu().numpy(),
                        section=np.asarray(prep.layout.section),
                        heading=np.asarray(prep.layout.heading),
                        paragraph=np.asarray(prep.layout.paragraph),
                    )
                )
        return out

    def postprocess(self, doc: Document, raws: Sequence[Raw]) -> Document:
        """Decide labels, decode the tree, and build the resulting Document."""
        cfg = self.model.config
        units = list(doc.units)
        labels: list[str] = ["none"] * len(units)
        scores: list[float] = [0.0] * len(units)
        links: list[tuple[int, int, str, float]] = []
        roots: list[tuple[float, int]] = []
        none = cfg.unit_labels.index("none")
        role_order = [cfg.role_labels.index(r) for r in ("conclusion", "claim", "premise")]
        # Each unit's (P(none), role probabilities): its score is P(argues) x P(its role).
        odds: dict[int, tuple[float, np.ndarray]] = {}

        def score_as(i: int, role: str) -> float:
            p_none, role_probs = odds[i]
            return (1 - p_none) * float(role_probs[cfg.role_labels.index(role)])

        for raw in raws:
            roles = [cfg.role_labels[k] for k in raw.role_probs.argmax(1)]
            for k, i in enumerate(raw.units):
                p_none = float(raw.label_probs[k, none])
                odds[i] = (p_none, raw.role_probs[k])
                if p_none >= self.none_threshold:
                    labels[i], scores[i] = "none", p_none
                else:
                    labels[i], scores[i] = roles[k], score_as(i, roles[k])
            arg_roles = [roles[k] for k in raw.arg]
            joint = self.single_root and self.roles_from_tree
            allowed = _section_mask(raw, arg_roles, joint) if self.sections else None
            if self.paragraph_arguments:
                scope = _paragraph_mask(raw, joint)
                allowed = scope if allowed is None else allowed & scope
            if joint:
                role_logp = np.log(raw.role_probs[raw.arg][:, role_order] + 1e-9)
                parents, arg_roles = decode_with_roles(
                    raw.link_logp,
                    raw.root_logp,
                    role_logp,
                    candidates=self.root_candidates,
                    allowed=allowed,
                    premise_parent_penalty=(
                        self.premise_parent_penalty if self.paragraph_arguments else 0.0
                    ),
                )
                for c, role in enumerate(arg_roles):
                    i = raw.units[int(raw.arg[c])]
                    labels[i], scores[i] = role, score_as(i, role)
            else:
                parents = decode_tree(
                    raw.link_logp,
                    raw.root_logp,
                    arg_roles,
                    candidates=self.root_candidates,
                    single_root=self.single_root,
                    allowed=allowed,
                )
            for c, p in enumerate(parents):
                i = raw.units[int(raw.arg[c])]
                if p < 0:
                    roots.append((float(raw.root_logp[c]), i))
                    if self.single_root:
                        labels[i], scores[i] = "conclusion", score_as(i, "conclusion")
                    continue
                j = raw.units[int(raw.arg[p])]
                rp = raw.relation_probs[c, p]
                k = int(rp.argmax())
                links.append((i, j, cfg.relation_labels[k], float(np.exp(raw.link_logp[c, p]))))
        if self.single_root and len(roots) > 1:
            # Blocks of a long document: their trees hang under the best root, and the
            # other blocks' conclusions become claims (one conclusion per document). The
            # model never compared units of different blocks: those links have no score.
            roots.sort(reverse=True)
            top = roots[0][1]
            top_block = next(r.units for r in raws if top in r.units)
            for i, lab in enumerate(labels):
                if lab == "conclusion" and i not in top_block:
                    labels[i], scores[i] = "claim", score_as(i, "claim")
            for _, i in roots[1:]:
                links.append((i, top, "support", float("nan")))
        new_units = [
            replace(u, label=labels[i], score=round(scores[i], 6), id="")
            for i, u in enumerate(units)
        ]
        relations = [
            Relation(new_units[i], new_units[j], lab, score=None if s != s else round(s, 6))
            for i, j, lab, s in links
        ]
        return Document(
            doc.text,
            id=doc.id,
            units=tuple(new_units),
            relations=tuple(relations),
            metadata=dict(doc.metadata),
        )

    # -- internals ----------------------------------------------------------------------

    def run_with_raw(self, items: Sequence[str | Document]) -> list[tuple[Document, list[Raw]]]:
        """One batch through the three steps; each result with the network's raw outputs
        (which evaluation reads, e.g. relation labels of pairs the tree does not keep)."""
        prepared = [self.preprocess(item) for item in items]
        flat = [(d, b) for d, (_, blocks) in enumerate(prepared) for b in blocks]
        raws = self.forward([b for _, b in flat])
        per_doc: list[list[Raw]] = [[] for _ in prepared]
        for (d, _), raw in zip(flat, raws, strict=True):
            per_doc[d].append(raw)
        return [
            (self.postprocess(doc, r), r) for (doc, _), r in zip(prepared, per_doc, strict=True)
        ]

    def _run(self, items: Sequence[str | Document]) -> Iterator[Document]:
        for doc, _ in self.run_with_raw(items):
            yield doc


def _section_mask(raw: Raw, arg_roles: Sequence[str], roles_open: bool = False) -> np.ndarray:
    """The decoder's section constraints for the argumentative units of one block."""
    sections = raw.section[raw.arg].tolist()
    first: dict[int, int] = {}
    for k, s in enumerate(raw.section.tolist()):
        first.setdefault(s, k)
    headed = {s: bool(raw.heading[k]) for s, k in first.items()}
    return section_constraints(arg_roles, sections, headed, roles_open=roles_open)


def _paragraph_mask(raw: Raw, joint: bool) -> np.ndarray:
    """The decoder's paragraph constraints for the argumentative units of one block."""
    if not joint:
        raise ValueError(
            "paragraph_arguments=True decides roles together with the tree: it needs "
            "single_root=True and roles_from_tree=True."
        )
    if raw.paragraph is None:
        raise ValueError("paragraph_arguments=True needs each unit's paragraph in Raw.paragraph.")
    return paragraph_constraints(raw.paragraph[raw.arg].tolist())


def _segmented(doc: Document) -> Document:
    from argmine.segment import segment

    seg = segment(doc.text, id=doc.id)
    return Document(
        doc.text, id=doc.id, units=seg.units, metadata={**seg.metadata, **dict(doc.metadata)}
    )


def _blocks(
    doc: Document, max_units: int, paragraphs: Sequence[tuple[int, int]]
) -> list[list[int]]:
    """Indices of units in blocks of whole paragraphs with at most ``max_units`` each."""
    n = len(doc.units)
    if n <= max_units:
        return [list(range(n))]
    from argmine.segment import paragraph_index

    par = paragraph_index(doc.units, paragraphs)
    blocks: list[list[int]] = [[]]
    for i in range(n):
        new_par = i > 0 and par[i] != par[i - 1]
        if blocks[-1] and (
            len(blocks[-1]) >= max_units or (new_par and len(blocks[-1]) >= max_units // 2)
        ):
            blocks.append([])
        blocks[-1].append(i)
    return blocks


__all__ = ["DEFAULT_MODEL", "Miner", "Raw", "Unit", "default_model_path", "model_path"]
