"""arg-microtexts: the four levels of Peldszus & Stede (2015) and the cross-validation.

Scores on gold ADUs, each a macro F1 over its two classes, pooled over the test texts
of one fold and then averaged over the folds:

- **cc** (central claim): for every ADU, is it the root of the tree or not;
- **ro** (role): for every ADU, proponent (``pro``) or opponent (``opp``), read off the
  tree: ``opp`` when the path up to the root crosses an odd number of ``attack``
  relations, else ``pro`` (the root, and any unit outside the tree, is ``pro``). On the
  gold trees this reproduces the corpus's own pro/opp annotation for all 576 ADUs;
- **fu** (function): for every ADU but the gold central claim, the label of its
  outgoing relation, ``support`` or ``attack``; a predicted unit without a parent
  counts as wrong;
- **at** (attachment): over all ordered pairs of distinct ADUs, attached (a relation
  from the first to the second) or not.

The protocol is 10 repetitions of 5-fold cross-validation
(:func:`argmine.corpora.microtext_cv_splits`), training one model per fold with
:func:`argmine.train.train` on the fold's training texts (labels mapped as the corpus
reader maps them) with the recipe of the model being evaluated. That takes hours on a
CPU; :data:`QUICK` (1 x 5 folds, 2 epochs) is the day-to-day setting, and results say
which one they follow. Each fold's model starts from the base encoder, as in the
published protocol, or (``CVSettings(fine_tune=True)``) from the evaluated model, where
that model has not seen arg-microtexts.

Example:
    >>> from argmine.document import Document
    >>> doc = Document.build("A. B. C.", spans=[(0, 2, "conclusion"), (3, 5, "claim"),
    ...                      (6, 8, "premise")], links=[(1, 0, "attack"), (2, 1, "support")])
    >>> roles(doc), central_claims(doc), functions(doc)
    (['pro', 'opp', 'opp'], [True, False, False], [None, 'attack', 'support'])
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from argmine.document import Document

__all__ = [
    "FULL",
    "QUICK",
    "CVSettings",
    "central_claims",
    "check_unseen",
    "cross_validate",
    "functions",
    "microtext_scores",
    "recipe_from",
    "roles",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CVSettings:
    """Cross-validation settings; ``epochs=None`` keeps the recipe's epochs.

    ``fine_tune=True`` starts each fold's model from the evaluated model (encoder and
    heads, fine-tuned on the fold's training texts) instead of from the base encoder:
    what a user who adapts the model to a small corpus of their own gets. The evaluated
    model must not have seen arg-microtexts (:func:`check_unseen`).
    """

    repetitions: int = 10
    folds: int = 5
    epochs: int | None = None
    seed: int = 0
    fine_tune: bool = False

    def is_published(self, recipe_epochs: int) -> bool:
        """Whether these settings are the published 10 x 5 protocol with the full recipe."""
        return (
            self.repetitions == 10
            and self.folds == 5
            and (self.epochs is None or self.epochs == recipe_epochs)
        )


#: The published protocol: 10 repetitions of 5-fold cross-validation.
FULL = CVSettings()
#: The day-to-day setting: one repetition of 5 folds, 2 epochs per fold.
QUICK = CVSettings(repetitions=1, folds=5, epochs=2)


def _root(doc: Document) -> int | None:
    root = doc.tree.root
    if root is None:
        return None
    for i, u in enumerate(doc.units):
        if (u.start, u.end) == (root.start, root.end):
            return i
    return None


def central_claims(doc: Document) -> list[bool]:
    """For each unit, whether it is the root of the document's tree."""
    root = _root(doc)
    return [i == root for i in range(len(doc.units))]


def roles(doc: Document) -> list[str]:
    """For each unit, ``pro`` or ``opp``: odd number of attacks on the way to the root."""
    tree = doc.tree
    out = []
    for unit in doc.units:
        attacks, seen, u = 0, {unit.id}, unit
        while (rel := tree.relation(u)) is not None:
            attacks += rel.label == "attack"
            u = rel.target
            if u.id in seen:
                break
            seen.add(u.id)
        out.append("opp" if attacks % 2 else "pro")
    return out


def functions(doc: Document) -> list[str | None]:
    """For each unit, the label of its outgoing relation (``None`` without one)."""
    tree = doc.tree
    out: list[str | None] = []
    for u in doc.units:
        rel = tree.relation(u)
        out.append(rel.label if rel is not None else None)
    return out


def _attached(doc: Document) -> set[tuple[int, int]]:
    index = {(u.start, u.end): i for i, u in enumerate(doc.units)}
    return {
        (index[(r.source.start, r.source.end)], index[(r.target.start, r.target.end)])
        for r in doc.relations
    }


def _macro(y_true: list[Any], y_pred: list[Any], labels: list[Any]) -> float:
    from sklearn.metrics import f1_score

    if not y_true:
        return 0.0
    return float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))


def microtext_scores(gold: Sequence[Document], pred: Sequence[Document]) -> dict[str, float]:
    """cc / ro / fu / at macro F1 of ``pred`` against ``gold`` (same units), pooled.

    Example:
        >>> from argmine.document import Document
        >>> spans = [(0, 2, "conclusion"), (3, 5, "claim"), (6, 8, "premise")]
        >>> gold = Document.build("A. B. C.", spans=spans, links=[(1, 0, "attack"),
        ...                       (2, 1, "support")])
        >>> pred = Document.build("A. B. C.", spans=spans, links=[(1, 0, "attack"),
        ...                       (2, 0, "support")])
        >>> {k: round(v, 3) for k, v in microtext_scores([gold], [pred]).items()}
        {'cc': 1.0, 'ro': 0.667, 'fu': 1.0, 'at': 0.625}
    """
    from argmine.evaluation.structure import check_same_units

    check_same_units(gold, pred)
    cc_t: list[int] = []
    cc_p: list[int] = []
    ro_t: list[str] = []
    ro_p: list[str] = []
    fu_t: list[str] = []
    fu_p: list[str] = []
    at_t: list[int] = []
    at_p: list[int] = []
    for g, p in zip(gold, pred, strict=True):
        cc_t += [int(x) for x in central_claims(g)]
        cc_p += [int(x) for x in central_claims(p)]
        ro_t += roles(g)
        ro_p += roles(p)
        for ft, fp in zip(functions(g), functions(p), strict=True):
            if ft is not None:
                fu_t.append(ft)
                fu_p.append(fp or "none")
        g_at, p_at = _attached(g), _attached(p)
        n = len(g.units)
        for i in range(n):
            for j in range(n):
                if i != j:
                    at_t.append(int((i, j) in g_at))
                    at_p.append(int((i, j) in p_at))
    return {
        "cc": _macro(cc_t, cc_p, [1, 0]),
        "ro": _macro(ro_t, ro_p, ["pro", "opp"]),
        "fu": _macro(fu_t, fu_p, ["support", "attack"]),
        "at": _macro(at_t, at_p, [1, 0]),
    }


def recipe_from(model_config: Any) -> Any:
    """The :class:`~argmine.train.TrainConfig` a model was trained with (defaults if unknown).

    Example:
        >>> class Cfg:
        ...     training = {"epochs": 4, "seed": 3, "unknown_setting": 1}
        >>> r = recipe_from(Cfg())
        >>> r.epochs, r.seed, r.corpora
        (4, 3, ['microtext'])
    """
    from argmine.train import TrainConfig

    known = {f.name for f in fields(TrainConfig)}
    training = dict(getattr(model_config, "training", None) or {})
    # Models trained before the precision setting existed were trained in float32.
    training.setdefault("precision", "float32")
    config = TrainConfig(**{k: v for k, v in training.items() if k in known})
    encoder = getattr(model_config, "encoder", None)
    if encoder and "encoder" not in training:
        config = replace(config, encoder=encoder)
    # Where the folds train is the evaluating machine's business, not the recipe's.
    return replace(config, corpora=["microtext"], max_docs=None, device="cpu")


def check_unseen(model_config: Any) -> None:
    """Refuse (:class:`~argmine.errors.TrainConfigError`, a ``ValueError``) to fine-tune
    per fold a model whose weights may have seen arg-microtexts: its test folds would hold
    texts it was trained on.

    Example:
        >>> from argmine.nn.model import ModelConfig
        >>> check_unseen(ModelConfig(training={"corpora": ["aae2", "abstrct"]}))
        >>> check_unseen(ModelConfig(seen_corpora=["microtext"]))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        argmine.errors.TrainConfigError: This model was trained on arg-microtexts ...
    """
    from argmine.errors import TrainConfigError
    from argmine.nn.model import seen_corpora

    seen = seen_corpora(model_config)
    if "microtext" in seen:
        raise TrainConfigError(
            f"This model was trained on arg-microtexts (corpora: {', '.join(seen)}): "
            "fine-tuned per fold, it would be tested on texts it has seen. Cross-validate "
            "it from the base encoder instead (without fine_tune / --fine-tune)."
        )
    if not seen or "unnamed" in seen:
        raise TrainConfigError(
            "This model's config does not record every corpus it was trained on (texts "
            "without a corpus count as 'unnamed'), so it cannot be shown not to have seen "
            "arg-microtexts: cross-validate it from the base encoder instead (without "
            "fine_tune / --fine-tune)."
        )


def cross_validate(
    docs: Sequence[Document],
    recipe: Any,
    settings: CVSettings = FULL,
    *,
    batch_size: int = 16,
    progress: bool = False,
    start: Any = None,
) -> dict[str, Any]:
    """Train and test one model per fold; mean and standard deviation of cc/ro/fu/at.

    ``recipe`` is a :class:`~argmine.train.TrainConfig` (see :func:`recipe_from`). With
    ``settings.fine_tune``, ``start`` is the evaluated model (an
    :class:`~argmine.nn.model.ArgmineModel`, left unchanged) that each fold starts from;
    it is checked with :func:`check_unseen`.
    """
    if settings.fine_tune:
        if start is None:
            raise ValueError("fine_tune=True needs the model to start from (start=...).")
        check_unseen(start.config)
    elif start is not None:
        raise ValueError("start is read only with fine_tune=True.")
    from argmine.corpora import microtext_cv_splits
    from argmine.miner import Miner
    from argmine.train import train

    epochs = settings.epochs or recipe.epochs
    # A quick setting's shorter runs average at most the epochs they have. Without
    # fine_tune every fold starts from the base encoder, whatever model the recipe's own
    # run started from.
    config = replace(
        recipe,
        epochs=epochs,
        average_last=min(recipe.average_last, epochs),
        init_from=recipe.init_from if settings.fine_tune else None,
    )
    splits = list(
        microtext_cv_splits(
            docs, repetitions=settings.repetitions, folds=settings.folds, seed=settings.seed
        )
    )
    per_fold: list[dict[str, Any]] = []
    for k, (train_idx, test_idx) in enumerate(splits):
        logger.info(
            "microtext fold %d/%d: training on %d texts", k + 1, len(splits), len(train_idx)
        )
        test = [docs[i] for i in test_idx]
        with tempfile.TemporaryDirectory(prefix="argmine-cv-") as tmp:
            train(
                config,
                tmp,
                docs=[docs[i] for i in train_idx],
                dev_docs=None,
                progress=progress,
                start=start,
            )
            miner = Miner.load(tmp)
        pred = list(miner.pipe(test, batch_size=batch_size))
        scores = microtext_scores(test, pred)
        per_fold.append({"fold": k + 1, "n_test": len(test), **scores})
    summary: dict[str, float] = {}
    spread: dict[str, float] = {}
    for key in ("cc", "ro", "fu", "at"):
        values = [f[key] for f in per_fold]
        mean = sum(values) / len(values) if values else 0.0
        summary[key] = mean
        spread[key] = (
            math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
            if len(values) > 1
            else 0.0
        )
    return {
        "summary": summary,
        "std": spread,
        "folds": per_fold,
        "settings": {
            "repetitions": settings.repetitions,
            "folds": settings.folds,
            "epochs": config.epochs,
            "seed": settings.seed,
            "fine_tune": settings.fine_tune,
            "published_protocol": settings.is_published(recipe.epochs),
        },
        "recipe": {f.name: getattr(config, f.name) for f in fields(config)},
    }
