"""How essay decoding's premise-parent cost was chosen: AAE2 tree link F1 for each cost.

With ``paragraph_arguments=True`` the miner decides each premise's parent again once the
roles are decided, at a cost ``Miner(premise_parent_penalty=...)`` for arguing for
another premise rather than a claim (:func:`argmine.decode.reattach_premises`). This
script mines the AAE2 essays once (gold units, as ``argmine evaluate aae2`` does) and
decodes the network's outputs under each cost of a grid, on two sets of essays:

- ``dev``: the essays the model held out of training for model selection (its
  recipe's seed and dev fraction, read from its ``config.json``), where the cost is
  chosen;
- ``test``: the AAE2 test essays, reported beside it, not used to choose.

Roles and root do not depend on the cost, so unit figures do not move; the table gives
the tree link F1 (every gold relation, derived ones included, as ``argmine evaluate``
scores it).

    python benchmarks/premise_penalty.py [--model DIR] [--data-dir DIR] [--out-dir DIR]

Writes ``premise_penalty.json`` and ``premise_penalty.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from _common import ROOT, git_revision, write_record  # benchmarks/ is on sys.path when run

#: The costs tried (log-probability; 0: the tree as decoded with roles).
COSTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0)


def sweep(model: str | None, data_dir: str | None = None) -> dict[str, Any]:
    """Tree link F1 on the dev and test essays for each cost in :data:`COSTS`."""
    import argmine
    from argmine.corpora import load
    from argmine.evaluate import corpus_settings
    from argmine.evaluation.predict import _blind
    from argmine.metrics import link_scores
    from argmine.train import TrainConfig, load_training_docs

    miner = argmine.load(model, all_argumentative=True)
    recipe = miner.model.config.training
    config = replace(
        TrainConfig(),
        corpora=["aae2"],
        seed=int(recipe.get("seed", 0)),
        dev_fraction=float(recipe.get("dev_fraction", 0.1)),
    )
    _, dev = load_training_docs(config, data_dir)
    sets = {"dev": dev, "test": load("aae2", "test", data_dir)}
    default = miner.premise_parent_penalty
    out: dict[str, Any] = {
        "default": default,
        "essays": {k: len(v) for k, v in sets.items()},
        "dev_recipe": {"seed": config.seed, "dev_fraction": config.dev_fraction},
        "link_f1": {},
    }
    with corpus_settings(miner, "aae2"):
        mined: dict[str, list[tuple[Any, Any]]] = {}
        for name, docs in sets.items():
            blind = [_blind(d) for d in docs]
            raws = []
            for start in range(0, len(blind), 16):
                raws += [r for _, r in miner.run_with_raw(blind[start : start + 16])]
            mined[name] = list(zip(blind, raws, strict=True))
        for cost in COSTS:
            miner.premise_parent_penalty = cost
            out["link_f1"][str(cost)] = {
                name: round(
                    link_scores(sets[name], [miner.postprocess(b, r) for b, r in pairs])["link_f1"],
                    4,
                )
                for name, pairs in mined.items()
            }
        miner.premise_parent_penalty = default
    best = max(out["link_f1"].items(), key=lambda kv: (kv[1]["dev"], -float(kv[0])))
    out["best_on_dev"] = float(best[0])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="model folder (default: shipped)")
    parser.add_argument("--data-dir", default=None, help="corpus folder (default: $ARGMINE_DATA)")
    parser.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = sweep(args.model, args.data_dir)
    command = shlex.join([Path(sys.executable).name, *sys.argv])
    rows = []
    for cost, f1 in result["link_f1"].items():
        notes = []
        if float(cost) == result["default"]:
            notes.append("default")
        if float(cost) == result["best_on_dev"]:
            notes.append("best on dev")
        rows.append(f"| {cost} | {f1['dev']:.4f} | {f1['test']:.4f} | {', '.join(notes)} |")
    md = [
        "# Premise-parent cost of essay decoding (AAE2, gold units)",
        "",
        f"- command: `{command}`",
        f"- git revision: `{git_revision()}`, {dt.datetime.now(dt.UTC).isoformat()}",
        f"- model: `{args.model or 'shipped model'}`",
        f"- essays: {result['essays']['dev']} dev (held out in training: seed "
        f"{result['dev_recipe']['seed']}, fraction {result['dev_recipe']['dev_fraction']}), "
        f"{result['essays']['test']} test",
        "",
        "| cost | dev tree link F1 | test tree link F1 | |",
        "| ---: | ---: | ---: | --- |",
        *rows,
        "",
        "Cost 0 is the tree as decided together with the roles. Unit figures do not depend "
        "on the cost.",
        "",
    ]
    write_record(args.out_dir, "premise_penalty", result, "\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
