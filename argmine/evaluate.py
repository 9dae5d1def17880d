"""``argmine evaluate CORPUS``: score a model on a benchmark corpus, beside published figures.

:func:`evaluate` runs one corpus / split / protocol and returns plain data (floats
rounded to 4 decimals, so the same model gives the same figures on every run);
:func:`argmine.evaluation.report.format_table` renders it; :func:`add_command` registers
the ``evaluate`` subcommand of :mod:`argmine.cli` (its handler is the only code here
that prints).

Protocols (details in the modules of :mod:`argmine.evaluation`):

- ``gold`` (AAE2, AbstRCT): the miner labels and links the *gold* units. Unit
  precision / recall / F1 and macro F1 over conclusion / claim / premise
  (:func:`argmine.metrics.unit_scores`; the units are known components, so the miner
  runs with ``all_argumentative=True`` and labels none of them ``none``), AbstRCT's
  two-class figure (claim = conclusion + claim, vs evidence), ARI
  (link / no-link F1 over pairs within a paragraph for AAE2, within the abstract for
  AbstRCT, against the relations the corpus annotates), ARC (the relation scorer's
  support / attack on every gold link), and argmine's tree figures (link F1 against
  every gold relation, root accuracy, UAS / LAS: :func:`argmine.metrics.link_scores`).
- ``end2end`` (AAE2, AbstRCT): the miner segments the raw text; units are matched to
  gold components at 100% and 50% overlap (:mod:`argmine.evaluation.end2end`).
- arg-microtexts (protocol ``gold``, gold ADUs): cross-validation, one model trained per
  fold with the evaluated model's recipe, from the base encoder or (``fine_tune``) from
  the evaluated model; cc / ro / fu / at macro F1 (:mod:`argmine.evaluation.microtext`).
  ``cv=QUICK`` (1 x 5 folds, 2 epochs) for day-to-day use; the result says whether it
  followed the published 10 x 5 protocol.

Example:
    >>> evaluate("essays")
    Traceback (most recent call last):
    ...
    ValueError: Unknown corpus 'essays'; known corpora: aae2, abstrct, microtext.
    >>> check_request("abstrct", None, "gold")
    'neoplasm_test'
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from argmine.document import RELATION_LABELS, UNIT_LABELS, Document
from argmine.errors import LabelMismatchError
from argmine.evaluation.end2end import end2end_scores, match_units
from argmine.evaluation.microtext import FULL, QUICK, CVSettings
from argmine.evaluation.predict import predict_gold
from argmine.miner import PREMISE_PARENT_PENALTY

__all__ = [
    "DEFAULT_SPLITS",
    "FULL",
    "PROTOCOLS",
    "QUICK",
    "CVSettings",
    "add_command",
    "check_labels",
    "check_request",
    "end2end_scores",
    "evaluate",
    "match_units",
    "predict_gold",
]

logger = logging.getLogger(__name__)

#: Evaluation protocols: gold units, or the miner's own segmentation of the raw text.
PROTOCOLS: tuple[str, ...] = ("gold", "end2end")
#: The split each corpus is evaluated on unless told otherwise.
DEFAULT_SPLITS: dict[str, str] = {"aae2": "test", "abstrct": "neoplasm_test", "microtext": "all"}
#: Which gold unit pairs are link candidates: AAE2 relates units within a paragraph.
SCOPES: dict[str, str] = {"aae2": "paragraph", "abstrct": "document", "microtext": "document"}


def check_request(corpus: str, split: str | None, protocol: str) -> str:
    """Validate a request before any work; returns the split (the default if ``None``)."""
    from argmine.corpora import CORPORA

    if corpus not in CORPORA:
        raise ValueError(f"Unknown corpus {corpus!r}; known corpora: {', '.join(CORPORA)}.")
    split = split or DEFAULT_SPLITS[corpus]
    if split not in CORPORA[corpus]:
        raise ValueError(
            f"Unknown split {split!r} for corpus {corpus!r}; known splits: "
            f"{', '.join(CORPORA[corpus])}."
        )
    if protocol not in PROTOCOLS:
        raise ValueError(f"Unknown protocol {protocol!r}; known protocols: {', '.join(PROTOCOLS)}.")
    if corpus == "microtext" and protocol != "gold":
        raise ValueError(
            "arg-microtexts is evaluated by cross-validation on gold ADUs (protocol 'gold'); "
            "the published figures use no other protocol."
        )
    return split


def check_labels(miner: Any) -> None:
    """Raise :class:`~argmine.errors.LabelMismatchError` unless the miner's model predicts
    argmine's unit and relation labels.

    Example:
        >>> class Config:
        ...     unit_labels = ["MajorClaim", "claim", "premise", "none"]
        ...     relation_labels = ["support", "attack"]
        >>> class Model:
        ...     config = Config()
        >>> class FakeMiner:
        ...     model = Model()
        >>> check_labels(FakeMiner())
        Traceback (most recent call last):
        ...
        argmine.errors.LabelMismatchError: The model's unit labels differ from argmine's: \
missing conclusion; unknown MajorClaim. Evaluate a model trained by argmine (argmine train).
    """
    config = miner.model.config
    problems = []
    for kind, expected in (("unit", UNIT_LABELS), ("relation", RELATION_LABELS)):
        have = list(getattr(config, f"{kind}_labels", expected))
        missing = [lab for lab in expected if lab not in have]
        unknown = [lab for lab in have if lab not in expected]
        if missing or unknown:
            parts = []
            if missing:
                parts.append("missing " + ", ".join(missing))
            if unknown:
                parts.append("unknown " + ", ".join(unknown))
            problems.append(f"The model's {kind} labels differ from argmine's: {'; '.join(parts)}.")
    if problems:
        raise LabelMismatchError(
            " ".join(problems) + " Evaluate a model trained by argmine (argmine train)."
        )


def _seed(seed: int = 0) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


#: How the arg-microtexts folds are drawn and scored, and what the levels mean (in the
#: notes of both cross-validations).
_MICROTEXT_FOLDS = (
    "Splits: argmine.corpora.microtext_cv_splits (KFold, shuffled, seed + repetition). "
    "Scores are pooled within a fold and averaged over folds."
)
_MICROTEXT_LEVELS = (
    "cc: is each ADU the root; ro: pro/opp read off the tree (opp after an odd number "
    "of attacks on the path to the root); fu: support/attack of each non-central ADU's "
    "outgoing relation (none counts as wrong); at: attached or not, all ordered ADU "
    "pairs. Each is a macro F1 over its two classes."
)

_NOTES: dict[str, list[str]] = {
    "gold": [
        "Gold protocol: the miner labels and links the corpus's own units, known to be "
        "argument components (none is labelled 'none'), as the published systems do.",
        "ARI and ARC use the relations the corpus annotates; for AAE2 that is the R lines "
        "(supports/attacks), without the claim -> thesis (Stance:For/Against) and "
        "MajorClaim -> MajorClaim (restates) relations argmine derives to make one tree; "
        "likewise a predicted claim -> conclusion or conclusion -> conclusion relation "
        "stands for a stance or restatement, not an R line, and is left out (AAE2 has no "
        "R line ending at a MajorClaim). Tree link F1, root accuracy and UAS/LAS use every "
        "gold and predicted relation.",
        "ARC is the relation scorer's support/attack decision on every gold link, whether "
        "or not the decoded tree keeps that link.",
    ],
    "end2end": [
        "End-to-end protocol: argmine segments the raw text into sentences; AAE2 "
        "components are clauses, so exact (100%) matches are rare by construction and the "
        "50% level is the fairer comparison.",
        "Overlap is counted in characters after stripping surrounding whitespace and "
        "punctuation (Eger et al. 2017 count tokens).",
        "Relation F1 counts a predicted relation whose ends match gold units related by an "
        "annotated relation with the same label; for AAE2 only predicted relations within "
        "a paragraph are scored (the paper's paragraph-level setting), and not the claim "
        "-> conclusion ones, which stand for the claim's stance. 'tree' compares "
        "every predicted relation with every gold relation, derived ones included.",
    ],
    "abstrct": [
        "AbstRCT: MajorClaim -> conclusion, Claim -> claim, Premise -> premise; "
        "Partial-Attack counts as attack. The two-class figure merges conclusion and claim "
        "(claim) against premise (evidence), as Mayer et al. 2020 report it.",
        "AbstRCT texts are mined as genre 'abstract' (the model is told they are abstracts) "
        "and decoded as forests, as the corpus annotates them (most abstracts have no major "
        "claim and several top-level claims); other corpora are decoded as one tree.",
    ],
    "microtext": [
        "arg-microtexts: one model is trained per fold from scratch (argmine.train.train) "
        "with the evaluated model's training recipe; the evaluated model itself is not "
        "scored. " + _MICROTEXT_FOLDS,
        _MICROTEXT_LEVELS,
    ],
    "microtext_fine_tune": [
        "arg-microtexts, fine-tuned: each fold's model starts from the evaluated model "
        "(encoder and heads) and is trained on the fold's training texts with its recipe "
        "(argmine.train.train, start=...); the evaluated model has not seen arg-microtexts "
        "(argmine.evaluation.microtext.check_unseen). It brings what it learnt from its own "
        "corpora, which the published systems, trained on arg-microtexts alone, did not "
        "have. " + _MICROTEXT_FOLDS,
        _MICROTEXT_LEVELS,
    ],
}

#: The note on the paragraph scope of a corpus that annotates it (CORPUS_PARAGRAPH_ARGUMENTS),
#: by whether the miner decoded with it.
_SCOPE_NOTES: dict[bool, str] = {
    True: "AAE2 essays are decoded as the corpus is annotated: each paragraph holds its own "
    "arguments (Miner(paragraph_arguments=True)): a premise argues for a unit of its "
    "paragraph, and every paragraph that argues has a claim; once roles are decided, a "
    f"premise pays premise_parent_penalty (default {PREMISE_PARENT_PENALTY}, chosen on the "
    "AAE2 dev essays) for arguing for another premise rather than a claim. No AAE2 "
    "relation crosses a paragraph (ARI, like the published figures, scores pairs within "
    "a paragraph only). This is not argmine.load()'s default, which decodes news and lets "
    "premises argue across paragraphs; --paragraph-arguments off scores AAE2 that way, and "
    "benchmarks/results/quality.md records both.",
    False: "AAE2 was decoded here with paragraph_arguments=False, as argmine decodes news: "
    "premises may argue for units of other paragraphs, which AAE2 never annotates.",
}


def _model_name(model: str | os.PathLike[str] | None) -> str:
    if model is not None:
        return str(model)
    from argmine.miner import DEFAULT_MODEL

    return f"{DEFAULT_MODEL} (shipped model)"


def evaluate(
    corpus: str,
    split: str | None = None,
    *,
    protocol: str = "gold",
    miner: Any = None,
    model: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    limit: int | None = None,
    batch_size: int = 16,
    cv: CVSettings | None = None,
    progress: bool = False,
    paragraph_arguments: bool | None = None,
    keep_predictions: bool = False,
) -> dict[str, Any]:
    """Evaluate a model on ``corpus`` / ``split`` under ``protocol``; see the module notes.

    ``miner`` is a loaded :class:`~argmine.miner.Miner`; without one, ``model`` (a model
    folder, default the shipped model) is loaded. The miner's ``genre``,
    ``single_root`` and ``paragraph_arguments`` are set for the corpus
    (:func:`corpus_settings`: AbstRCT genre ``abstract`` and forests, AAE2 arguments
    inside paragraphs) and restored afterwards; ``paragraph_arguments=True`` or ``False``
    overrides the corpus's setting (the result records it as ``decoding``). ``limit``
    keeps the first documents only (a smoke test; the result says so). ``cv`` sets the
    arg-microtexts cross-validation (default :data:`FULL`, the published protocol).
    ``keep_predictions=True`` also returns the predicted documents, in the order of the
    corpus, under ``"predictions"`` (gold and end-to-end protocols; not JSON), for callers
    that score them further, such as a bootstrap over documents.

    Raises ``ValueError`` for an unknown corpus, split or protocol,
    :class:`~argmine.errors.CorpusNotFoundError` when the corpus is missing, and
    :class:`~argmine.errors.LabelMismatchError` for a model with other labels.
    """
    from argmine.corpora import load

    split = check_request(corpus, split, protocol)
    if miner is not None:
        check_labels(miner)
    docs = load(corpus, split, data_dir)
    if limit is not None:
        if limit < 1:
            raise ValueError(f"limit must be at least 1; got {limit}.")
        docs = docs[:limit]
    if miner is None:
        import argmine

        miner = argmine.load(None if model is None else str(model))
        check_labels(miner)
    _seed()
    with corpus_settings(miner, corpus, paragraph_arguments=paragraph_arguments):
        result = _evaluate_loaded(
            corpus, split, protocol, docs, miner, model, limit, cv, batch_size, progress
        )
        if not keep_predictions:
            result.pop("predictions", None)
        decoding = {
            k: getattr(miner, k)
            for k in ("single_root", "paragraph_arguments")
            if hasattr(miner, k)
        }
        if decoding.get("paragraph_arguments") and hasattr(miner, "premise_parent_penalty"):
            decoding["premise_parent_penalty"] = miner.premise_parent_penalty
        result["decoding"] = decoding
        return result


@contextlib.contextmanager
def corpus_settings(
    miner: Any, corpus: str, *, paragraph_arguments: bool | None = None
) -> Iterator[Any]:
    """Within the block, ``miner`` mines texts of ``corpus`` as :func:`evaluate` does: as
    the corpus's genre where the model knows it (abstracts for AbstRCT), decoded as the
    corpus annotates them (one tree, or a forest for AbstRCT; arguments inside one
    paragraph for AAE2, unless ``paragraph_arguments`` says otherwise). Restored
    afterwards."""
    from argmine.train import CORPUS_GENRE, CORPUS_PARAGRAPH_ARGUMENTS, CORPUS_SINGLE_ROOT

    genres = getattr(getattr(getattr(miner, "model", None), "config", None), "genres", [])
    keys = ("genre", "single_root", "paragraph_arguments")
    previous = {k: getattr(miner, k) for k in keys if hasattr(miner, k)}
    single = CORPUS_SINGLE_ROOT.get(corpus, True) if "single_root" in previous else True
    roles_from_tree = getattr(miner, "roles_from_tree", True)
    if paragraph_arguments:
        check_paragraph_arguments(corpus, roles_from_tree)
    # Paragraph scope needs roles and one tree decided together (Miner docs).
    joint = single and _no_paragraph_scope(corpus, roles_from_tree) is None
    if "genre" in previous and CORPUS_GENRE.get(corpus) in genres:
        miner.genre = CORPUS_GENRE[corpus]
    if "single_root" in previous:
        miner.single_root = single
    if "paragraph_arguments" in previous:
        wanted = CORPUS_PARAGRAPH_ARGUMENTS.get(corpus, False)
        miner.paragraph_arguments = joint and (
            wanted if paragraph_arguments is None else paragraph_arguments
        )
    try:
        yield miner
    finally:
        for key, value in previous.items():
            setattr(miner, key, value)


def _evaluate_loaded(
    corpus: str,
    split: str,
    protocol: str,
    docs: list[Document],
    miner: Any,
    model: Any,
    limit: int | None,
    cv: Any,
    batch_size: int,
    progress: bool,
) -> dict[str, Any]:
    from argmine.anchors import anchors_for
    from argmine.evaluation.report import rounded

    scope = SCOPES[corpus]
    result: dict[str, Any] = {
        "corpus": corpus,
        "split": split,
        "protocol": protocol,
        "model": _model_name(model),
        "n_docs": len(docs),
        "limit": limit,
        "warnings": [],
    }
    if limit is not None:
        result["warnings"].append(
            f"PARTIAL RUN: the first {len(docs)} documents only; not comparable with the "
            "published figures."
        )
    summary: dict[str, float]
    if corpus == "microtext":
        from argmine.evaluation.microtext import cross_validate, recipe_from

        settings = cv or FULL
        recipe = replace(recipe_from(miner.model.config), device=getattr(miner, "device", "cpu"))
        if settings.fine_tune:
            recipe = replace(recipe, init_from=_model_name(model))
        out = cross_validate(
            docs,
            recipe,
            settings,
            batch_size=batch_size,
            progress=progress,
            start=miner.model if settings.fine_tune else None,
        )
        result["microtext"] = out
        result["setting"] = "full" if out["settings"]["published_protocol"] else "quick"
        summary = dict(out["summary"])
        if not out["settings"]["published_protocol"]:
            st = out["settings"]
            result["warnings"].append(
                f"QUICK SETTING: {st['repetitions']} x {st['folds']}-fold cross-validation, "
                f"{st['epochs']} epoch(s) per fold; the published protocol is 10 x 5-fold."
            )
        notes = _NOTES["microtext_fine_tune" if settings.fine_tune else "microtext"]
    elif protocol == "gold":
        from argmine.evaluation.structure import arc_scores, ari_scores, two_class_scores
        from argmine.metrics import link_scores, unit_scores

        # Gold units are argument components by construction: the published systems
        # classify them among conclusion / claim / premise, so the miner does too.
        was = getattr(miner, "all_argumentative", None)
        if was is not None:
            miner.all_argumentative = True
        try:
            pred, pair_labels = predict_gold(miner, docs, batch_size)
        finally:
            if was is not None:
                miner.all_argumentative = was
        units = unit_scores(docs, pred)
        links = link_scores(docs, pred)
        ari = ari_scores(docs, pred, scope=scope, corpus=corpus)
        links["ari_detail"] = ari
        summary = {"unit_macro_f1": units["macro_f1"]}
        result["units"] = units
        if corpus == "abstrct":
            result["units_two_class"] = two_class_scores(docs, pred)
            summary["unit_macro_f1_two_class"] = result["units_two_class"]["macro_f1"]
        summary["ari"] = ari["ari"]
        if pair_labels is not None:
            links["arc_detail"] = arc_scores(docs, pair_labels)
            summary["arc"] = links["arc_detail"]["arc"]
        for key in ("link_f1", "relation_macro_f1", "root_accuracy", "uas", "las"):
            summary[key] = links[key]
        result["links"] = links
        notes = _NOTES["gold"] + _corpus_notes(corpus, miner)
    else:
        raw = [Document(d.text, id=d.id) for d in docs]
        pred = list(miner.pipe(raw, batch_size=batch_size))
        e2e = end2end_scores(docs, pred, scope=scope, corpus=corpus)
        result["end2end"] = e2e
        summary = {}
        for level, s in e2e.items():
            summary[f"component_f1_{level}"] = s["components"]["macro_f1"]
            summary[f"relation_f1_{level}"] = s["relations"]["f1"]
        notes = _NOTES["end2end"] + _corpus_notes(corpus, miner)
    if corpus != "microtext":
        result["predictions"] = pred
    result["summary"] = summary
    result["anchors"] = [
        {**a.to_dict(), "argmine": summary.get(a.metric)}
        for a in anchors_for(corpus, split, protocol)
    ]
    result["notes"] = notes
    return dict(rounded(result))


def check_paragraph_arguments(corpus: str, roles_from_tree: bool = True) -> None:
    """Refuse ``paragraph_arguments=True`` where the corpus is decoded as forests or the
    miner fixes roles before the tree (it needs both decided together, in one tree).

    Example:
        >>> check_paragraph_arguments("aae2")
        >>> check_paragraph_arguments("abstrct")  # doctest: +NORMALIZE_WHITESPACE
        Traceback (most recent call last):
        ...
        ValueError: paragraph_arguments=True needs roles and one tree decided together
        (abstrct is decoded as forests).
    """
    why = _no_paragraph_scope(corpus, roles_from_tree)
    if why is not None:
        raise ValueError(
            f"paragraph_arguments=True needs roles and one tree decided together ({why})."
        )


def _no_paragraph_scope(corpus: str, roles_from_tree: bool) -> str | None:
    """Why ``corpus`` cannot be decoded with ``paragraph_arguments``, or ``None``."""
    from argmine.train import CORPUS_SINGLE_ROOT

    if not CORPUS_SINGLE_ROOT.get(corpus, True):
        return f"{corpus} is decoded as forests"
    return None if roles_from_tree else "roles_from_tree=False"


def _corpus_notes(corpus: str, miner: Any) -> list[str]:
    """The corpus's notes, with the paragraph-scope note for the decoding the miner used
    where the corpus keeps its arguments inside paragraphs."""
    from argmine.train import CORPUS_PARAGRAPH_ARGUMENTS

    notes = list(_NOTES.get(corpus, []))
    if CORPUS_PARAGRAPH_ARGUMENTS.get(corpus, False):
        notes.append(_SCOPE_NOTES[bool(getattr(miner, "paragraph_arguments", False))])
    return notes


# -- command line ----------------------------------------------------------------------


def add_command(sub: Any) -> None:
    """Register ``argmine evaluate`` on the CLI's subparsers."""
    p = sub.add_parser(
        "evaluate",
        help="score a model on a benchmark corpus, beside published figures",
        description=(
            "Score a model on AAE2, AbstRCT or arg-microtexts and print its figures beside "
            "the published ones. Corpora are read from --data-dir or $ARGMINE_DATA."
        ),
    )
    p.add_argument("corpus", help="aae2, abstrct or microtext")
    p.add_argument(
        "--split", default=None, help="default: aae2 test, abstrct neoplasm_test, microtext all"
    )
    p.add_argument(
        "--protocol",
        default="gold",
        choices=PROTOCOLS,
        help="gold units (default) or end2end (the miner segments the raw text)",
    )
    p.add_argument("--model", default=None, help="a model folder (default: the shipped model)")
    p.add_argument("--data-dir", default=None, help="corpus folder (default: $ARGMINE_DATA)")
    p.add_argument("--format", default="table", choices=("table", "json"))
    p.add_argument("--limit", type=int, default=None, help="first N documents only (smoke test)")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument(
        "--paragraph-arguments",
        choices=("corpus", "on", "off"),
        default="corpus",
        help="keep premises inside their paragraph: as the corpus is annotated (default: "
        "on for aae2), or on / off",
    )
    cv = p.add_argument_group("arg-microtexts cross-validation")
    cv.add_argument(
        "--quick",
        action="store_true",
        help="1 repetition x 5 folds, 2 epochs per fold (not the published protocol)",
    )
    cv.add_argument("--repetitions", type=int, default=None, help="default 10 (1 with --quick)")
    cv.add_argument("--folds", type=int, default=None, help="default 5")
    cv.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs per fold (default: the model's recipe; 2 with --quick)",
    )
    cv.add_argument(
        "--fine-tune",
        action="store_true",
        help="start each fold's model from the evaluated model, not from the base encoder "
        "(the model must not have been trained on arg-microtexts)",
    )
    p.set_defaults(func=_cmd_evaluate)


def _cv_settings(args: argparse.Namespace) -> CVSettings:
    base = QUICK if args.quick else FULL
    return CVSettings(
        repetitions=args.repetitions if args.repetitions is not None else base.repetitions,
        folds=args.folds if args.folds is not None else base.folds,
        epochs=args.epochs if args.epochs is not None else base.epochs,
        seed=base.seed,
        fine_tune=args.fine_tune,
    )


def _cmd_evaluate(args: argparse.Namespace) -> int:
    """The ``argmine evaluate`` handler: the only function here that prints."""
    import sys

    from argmine.evaluation.report import format_table

    try:
        split = check_request(args.corpus, args.split, args.protocol)
        settings = _cv_settings(args)
        if settings.repetitions < 1 or settings.folds < 2:
            raise ValueError("--repetitions must be at least 1 and --folds at least 2.")
        if args.limit is not None and args.limit < 1:
            raise ValueError(f"--limit must be at least 1; got {args.limit}.")
        if args.batch_size < 1:
            raise ValueError(f"--batch-size must be at least 1; got {args.batch_size}.")
        if args.paragraph_arguments == "on":
            check_paragraph_arguments(args.corpus)
    except ValueError as e:
        print(f"argmine evaluate: {e}", file=sys.stderr)
        return 2
    result = evaluate(
        args.corpus,
        split,
        protocol=args.protocol,
        model=args.model,
        data_dir=args.data_dir,
        limit=args.limit,
        batch_size=args.batch_size,
        cv=settings,
        progress=bool(getattr(args, "verbose", False)),
        paragraph_arguments={"corpus": None, "on": True, "off": False}[args.paragraph_arguments],
    )
    if args.format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(format_table(result))
    return 0
