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
scores it), and a paired bootstrap over essays
(:mod:`argmine.evaluation.significance`) says how far the miner's default cost differs
from none on each set beyond the chance of which essays were drawn.

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
    from argmine.evaluation.significance import link_counts, link_f1_of, paired_bootstrap
    from argmine.train import TrainConfig, load_training_docs

    miner = argmine.load(model, all_argumentative=True)
    # The dev essays as the model's training drew them (its recorded recipe, else the
    # defaults training would have used).
    recipe = {
        k: v
        for k, v in miner.model.config.training.items()
        if k in ("seed", "dev_fraction", "max_docs")
    }
    config = replace(TrainConfig(), corpora=["aae2"], **recipe)
    _, dev = load_training_docs(config, data_dir)
    sets = {"dev": dev, "test": load("aae2", "test", data_dir)}
    default = miner.premise_parent_penalty
    out: dict[str, Any] = {
        "default": default,
        "essays": {k: len(v) for k, v in sets.items()},
        "gold_links": {},
        "dev_recipe": {k: getattr(config, k) for k in ("seed", "dev_fraction", "max_docs")},
        "link_f1": {},
        "default_against_none": {},
    }
    counts: dict[tuple[str, float], Any] = {}
    with corpus_settings(miner, "aae2"):
        try:
            mined: dict[str, list[tuple[Any, Any]]] = {}
            for name, docs in sets.items():
                blind = [_blind(d) for d in docs]
                raws = []
                for start in range(0, len(blind), 16):
                    raws += [r for _, r in miner.run_with_raw(blind[start : start + 16])]
                mined[name] = list(zip(blind, raws, strict=True))
            for cost in COSTS:
                miner.premise_parent_penalty = cost
                out["link_f1"][str(cost)] = {}
                for name, pairs in mined.items():
                    preds = [miner.postprocess(b, r) for b, r in pairs]
                    counts[name, cost] = link_counts(sets[name], preds)
                    f1 = link_f1_of(counts[name, cost].sum(0))
                    out["link_f1"][str(cost)][name] = round(f1, 4)
        finally:
            miner.premise_parent_penalty = default
    out["gold_links"] = {name: int(counts[name, 0.0][:, 1].sum()) for name in sets}
    if default in COSTS:
        for name in sets:
            r = paired_bootstrap(counts[name, 0.0], counts[name, default], link_f1_of)
            out["default_against_none"][name] = {
                "difference": round(r.difference, 4),
                "low": round(r.low, 4),
                "high": round(r.high, 4),
                "share_higher": round(r.share_higher, 4),
            }
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
        f"{result['dev_recipe']['seed']}, fraction {result['dev_recipe']['dev_fraction']}; "
        f"{result['gold_links']['dev']} gold links), {result['essays']['test']} test "
        f"({result['gold_links']['test']} gold links)",
        "",
        "| cost | dev tree link F1 | test tree link F1 | |",
        "| ---: | ---: | ---: | --- |",
        *rows,
        "",
        "Cost 0 is the tree as decided together with the roles. Unit figures do not depend "
        "on the cost.",
        "",
        *(
            [
                f"The default cost ({result['default']}) against none, paired bootstrap over "
                "essays (2000 redrawn sets, 95% interval of the link F1 difference):",
                "",
                "| set | difference | interval | redrawn sets where it is higher |",
                "| --- | ---: | --- | ---: |",
                *(
                    f"| {name} | {r['difference']:+.4f} | [{r['low']:+.4f}, {r['high']:+.4f}] "
                    f"| {r['share_higher']:.1%} |"
                    for name, r in result["default_against_none"].items()
                ),
                "",
            ]
            if result["default_against_none"]
            else []
        ),
    ]
    write_record(args.out_dir, "premise_penalty", result, "\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
