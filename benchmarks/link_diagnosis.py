"""Where a model's AAE2 link errors come from: its roles, or its link scores.

Runs the model on AAE2 gold units (as ``argmine evaluate aae2`` does, arguments kept
inside their paragraphs; the test split unless ``--split train``) and scores the tree
link F1 (every gold relation, derived ones included) of:

- the tree the miner decodes (roles and tree decided together);
- the model's own link and root scores decoded with the *gold* roles given, as the
  miner decodes essays (what the link scorer reaches if every role were right);
- the model's own scores, roles included, decoded with the *gold root* given (what a
  wrong root costs: in an essay every claim's link goes to the root); and how many
  essays get a wrong root, by what the unit decoded as root is in the corpus (another
  MajorClaim, a restatement that AAE2's convention does not take as root, or a role
  error);
- a reference rule given the gold roles: each premise hangs under the nearest claim of
  its paragraph, every claim and other major claim under the gold root;
- the same rule given the miner's decoded roles (the nearest predicted claim; a premise
  with none in its paragraph hangs under the predicted root).

Each of these trees, like the gold one, gives every unit but the root one parent, so
predicted and gold links are equally many and link F1 is the share of gold links found
(as ``argmine evaluate`` computes it for the decoded tree).

It also gives the share of units whose decoded role is right, breaks the gold premise
links down by whether the premise and its gold parent got the right role, and how many
of each the decoded tree attaches right, and scores the link scorer alone: for each gold
premise link, is the gold parent the best-scored unit of the premise's paragraph (no
roles, no tree), by the gold role of the parent.

On ``--split train`` (the essays a model trained on AAE2 learnt from, with the 32 that
training holds out for model selection) the same figures show how much of the test gap
is a fit that does not carry over to new essays.

    python benchmarks/link_diagnosis.py [--model DIR] [--split test|train]
                                        [--precision auto|float32|bfloat16]
                                        [--data-dir DIR] [--out-dir DIR]

Writes ``link_diagnosis.json`` and ``link_diagnosis.md`` (``link_diagnosis_train.*``
for the train split).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from _common import (  # benchmarks/ is on sys.path when run
    ROOT,
    add_precision_option,
    git_revision,
    write_record,
)

ROLES = ("conclusion", "claim", "premise")


def _parents(doc: Any) -> list[int]:
    """Parent index of every unit of ``doc`` (``-1``: none), from its tree."""
    index = {u.id: i for i, u in enumerate(doc.units)}
    tree = doc.tree
    return [-1 if (p := tree.parent(u)) is None else index[p.id] for u in doc.units]


def nearest_claim_tree(roles: list[str], paragraph: list[int]) -> list[int]:
    """The reference rule: a premise hangs under the nearest claim of its paragraph (or
    the root when it has none); claims and other conclusions under the root, the last
    conclusion (AAE2's convention).

    Example:
        >>> nearest_claim_tree(["claim", "premise", "premise", "conclusion"], [0, 0, 0, 1])
        [3, 0, 0, -1]
    """
    conclusions = [i for i, r in enumerate(roles) if r == "conclusion"]
    root = conclusions[-1] if conclusions else 0
    parents = []
    for i, role in enumerate(roles):
        claims = [j for j, r in enumerate(roles) if r == "claim" and paragraph[j] == paragraph[i]]
        if i == root:
            parents.append(-1)
        elif role == "premise" and claims:
            parents.append(min(claims, key=lambda j: (abs(j - i), j)))
        else:
            parents.append(root)
    return parents


def wrong_root(gold_parents: list[int], parents: list[int], labels: list[str]) -> str | None:
    """The corpus label (``labels``) of the unit decoded as root where it is not the gold
    root, else ``None``: a wrong root that is a gold MajorClaim restates the thesis, one
    that is a Claim or a Premise is a role error.

    Example:
        >>> wrong_root([2, 2, -1], [-1, 0, 0], ["MajorClaim", "Claim", "MajorClaim"])
        'MajorClaim'
        >>> wrong_root([2, 2, -1], [2, 2, -1], ["MajorClaim", "Claim", "MajorClaim"]) is None
        True
    """
    gold, decoded = gold_parents.index(-1), parents.index(-1)
    return None if decoded == gold else labels[decoded]


def diagnose(
    model: str | None, data_dir: str | None = None, split: str = "test", precision: str = "auto"
) -> dict[str, Any]:
    """The figures of the module notes for ``model`` (default: the shipped model), its
    encoder computing in ``precision``."""
    import argmine
    from argmine.corpora import load
    from argmine.evaluate import corpus_settings
    from argmine.nn.encoder import compute_dtype

    miner = argmine.load(model, all_argumentative=True, precision=precision)
    docs = load("aae2", split, data_dir)
    with corpus_settings(miner, "aae2"):  # decoded as `argmine evaluate aae2` decodes
        result = _diagnose(miner, docs, split)
    return {**result, "encoder_dtype": str(compute_dtype(precision)).removeprefix("torch.")}


def _decoded(
    miner: Any,
    raw: Any,
    paragraph: list[int],
    role_logp: np.ndarray,
    root_logp: np.ndarray | None = None,
) -> list[int]:
    """The tree decoded from ``raw`` as the miner decodes essays, with these role scores
    and root scores (default: the model's; any other: only its best root is tried)."""
    from argmine.decode import decode_with_roles, paragraph_constraints

    essay = miner.paragraph_arguments
    return decode_with_roles(
        raw.link_logp,
        raw.root_logp if root_logp is None else root_logp,
        role_logp,
        candidates=miner.root_candidates if root_logp is None else 1,
        allowed=paragraph_constraints(paragraph) if essay else None,
        premise_parent_penalty=miner.premise_parent_penalty if essay else 0.0,
    )[0]


def _diagnose(miner: Any, docs: list[Any], split: str) -> dict[str, Any]:
    from argmine.evaluation.predict import _blind
    from argmine.features import layout, paragraph_spans_of

    hits: Counter[str] = Counter()
    top: Counter[tuple[str, str]] = Counter()
    breakdown: Counter[tuple[str, str, str]] = Counter()
    roots: Counter[str] = Counter()
    n_gold = 0
    n_units = right_roles = 0
    order = [miner.model.config.role_labels.index(r) for r in ROLES]  # as the miner reads them
    for start in range(0, len(docs), 16):
        batch = docs[start : start + 16]
        mined = miner.run_with_raw([_blind(d) for d in batch])
        for gold, (pred, raws) in zip(batch, mined, strict=True):
            if len(raws) != 1:
                raise RuntimeError(f"{gold.id}: mined in {len(raws)} blocks; expected one")
            raw = raws[0]
            g_roles = [str(u.label) for u in gold.units]
            p_roles = [str(u.label) for u in pred.units]
            g_par, p_par = _parents(gold), _parents(pred)
            n_units += len(g_roles)
            right_roles += sum(g == p for g, p in zip(g_roles, p_roles, strict=True))
            paragraph = list(layout(gold, paragraph_spans_of(gold)).paragraph)
            one_hot = np.full((len(g_roles), 3), 0.01 / 2)
            for i, role in enumerate(g_roles):
                one_hot[i, ROLES.index(role)] = 0.99
            given = _decoded(miner, raw, paragraph, np.log(one_hot))
            if len(raw.arg) != len(g_par):
                raise RuntimeError(f"{gold.id}: {len(raw.arg)} of {len(g_par)} units argue")
            role_logp = np.log(raw.role_probs[raw.arg][:, order] + 1e-9)
            if _decoded(miner, raw, paragraph, role_logp) != p_par:
                raise RuntimeError(f"{gold.id}: not decoded here as the miner decodes it")
            wrong = wrong_root(g_par, p_par, [str(u.source_label) for u in gold.units])
            roots[wrong or "right"] += 1
            # Only the gold root may be the root.
            is_root = np.arange(len(g_par)) == g_par.index(-1)
            rooted = _decoded(miner, raw, paragraph, role_logp, np.where(is_root, 0.0, -np.inf))
            trees = {
                "decoded": p_par,
                "decoded, gold root given": rooted,
                "link scores, gold roles": given,
                "nearest claim, gold roles": nearest_claim_tree(g_roles, paragraph),
                "nearest claim, decoded roles": nearest_claim_tree(p_roles, paragraph),
            }
            for i, parent in enumerate(g_par):
                if parent < 0:
                    continue
                n_gold += 1
                for name, tree in trees.items():
                    hits[name] += tree[i] == parent
                if g_roles[i] == "premise":
                    same = [j for j in range(len(g_par)) if j != i and paragraph[j] == paragraph[i]]
                    best = max(same, key=lambda j: raw.link_logp[i, j]) if same else -1
                    top[(g_roles[parent], "n")] += 1
                    top[(g_roles[parent], "top")] += best == parent
                    key = (
                        "premise" if p_roles[i] == "premise" else f"labelled {p_roles[i]}",
                        f"{g_roles[parent]}, labelled {p_roles[parent]}",
                    )
                    breakdown[(*key, "n")] += 1
                    breakdown[(*key, "right")] += p_par[i] == parent
    return {
        "split": split,
        "premise_parent_penalty": miner.premise_parent_penalty
        if miner.paragraph_arguments
        else None,
        "n_gold_links": n_gold,
        "role_accuracy": round(right_roles / n_units, 4),
        "link_f1": {name: round(k / n_gold, 4) for name, k in hits.items()},
        "roots": dict(sorted(roots.items(), key=lambda kv: (kv[0] != "right", -kv[1]))),
        "premise_links": [
            {"premise": a, "gold_parent": b, "n": k, "right": breakdown[(a, b, "right")]}
            for (a, b, what), k in sorted(breakdown.items(), key=lambda kv: -kv[1])
            if what == "n"
        ],
        "link_scorer_top": {
            role: {"n": top[(role, "n")], "top": top[(role, "top")]}
            for role in ROLES
            if top[(role, "n")]
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="model folder (default: shipped)")
    parser.add_argument(
        "--split",
        choices=["test", "train"],
        default="test",
        help="AAE2 split (train: the essays the model learnt from)",
    )
    parser.add_argument("--data-dir", default=None, help="corpus folder (default: $ARGMINE_DATA)")
    parser.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    add_precision_option(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = diagnose(args.model, args.data_dir, args.split, args.precision)
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    lines = [
        f"# Link diagnosis (AAE2 {args.split}, gold units)",
        "",
        f"- command: `{command}`",
        f"- git revision: `{git_revision()}`, {dt.datetime.now(dt.UTC).isoformat()}",
        f"- model: `{args.model or 'shipped model'}`; {result['n_gold_links']} gold links",
        f"- encoder arithmetic: {result['encoder_dtype']} (`--precision {args.precision}`)",
        f"- units whose decoded role is right: {result['role_accuracy']:.4f}",
        "",
        "| tree | link F1 |",
        "| --- | ---: |",
        *(f"| {name} | {value:.4f} |" for name, value in result["link_f1"].items()),
        "",
        "The decoded tree, the one with the gold root given and the one from the link "
        "scores with gold roles are decoded as the miner decodes essays "
        "(premise_parent_penalty="
        f"{result['premise_parent_penalty']}).",
        "",
        "Decoded roots, by the corpus label of the unit decoded as root where it is not "
        "the gold root (a MajorClaim: another statement of the thesis; a Claim or a "
        "Premise: a role error):",
        "",
        "| decoded root | essays |",
        "| --- | ---: |",
        *(
            f"| {'the gold root' if k == 'right' else f'a gold {k}'} | {n} |"
            for k, n in result["roots"].items()
        ),
        "",
        "Gold premise links, by the roles the decoded tree gave the premise and its parent:",
        "",
        "| premise | gold parent | links | attached right |",
        "| --- | --- | ---: | ---: |",
        *(
            f"| {r['premise']} | {r['gold_parent']} | {r['n']} | {r['right']} |"
            for r in result["premise_links"]
        ),
        "",
        "The link scorer alone: gold premise links whose parent is the unit of the premise's",
        "paragraph with the best link score (no roles, no tree decoding):",
        "",
        "| gold parent | links | best-scored |",
        "| --- | ---: | ---: |",
        *(
            f"| {role} | {v['n']} | {v['top']} ({v['top'] / v['n']:.0%}) |"
            for role, v in result["link_scorer_top"].items()
        ),
        "",
    ]
    record = {"command": command, "revision": git_revision(), "model": args.model, **result}
    name = "link_diagnosis" if args.split == "test" else f"link_diagnosis_{args.split}"
    write_record(args.out_dir, name, record, "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
