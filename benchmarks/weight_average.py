"""Does averaging two runs' weights beat either run? Dev scores of weight averages.

Two models fine-tuned from the same base encoder and the same head initialisation (the
same training seed) often lie in one basin, where the element-wise mean of their weights
scores like an ensemble at the cost of one model (Wortsman et al. 2022, "model soups").
An ensemble does not fit the 30 MB a shipped checkpoint may take; an average would.

This script loads two model folders (``A`` and ``B``), checks that they are the same
network (the same stored tensors and shapes, the same settings but their training
recipes) and that their recipes held out the same dev texts, then scores on those dev
texts, with the model-selection scores training uses (:func:`argmine.train.dev_scores`),
``(1 - share) * A + share * B`` for each share of a grid, 0 (``A`` itself) and 1 (``B``)
included. Only dev texts are read: an average would be chosen by its dev mean, as a
training run chooses its epoch.

    python benchmarks/weight_average.py A B [--shares 0.25 0.5 0.75] [--name NAME]
                                        [--data-dir DIR] [--out-dir DIR]

Writes ``NAME.json`` and ``NAME.md`` (default ``weight_average``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from _common import ROOT, git_revision, write_record  # benchmarks/ is on sys.path when run

#: Recipe settings that decide which texts a run holds out as dev.
DEV_RECIPE = ("corpora", "seed", "split_seed", "dev_fraction", "max_docs")


def averaged(a: dict[str, Any], b: dict[str, Any], share: float) -> dict[str, Any]:
    """``(1 - share) * a + share * b`` for every floating-point tensor (computed in
    float32, stored in ``a``'s dtype); other tensors are ``a``'s.

    Example:
        >>> import torch
        >>> a = {"w": torch.tensor([0.0, 2.0], dtype=torch.float16), "n": torch.tensor(3)}
        >>> b = {"w": torch.tensor([4.0, 2.0], dtype=torch.float16), "n": torch.tensor(5)}
        >>> out = averaged(a, b, 0.25)
        >>> out["w"].tolist(), out["w"].dtype, out["n"].item()
        ([1.0, 2.0], torch.float16, 3)
    """
    if a.keys() != b.keys():
        raise ValueError(
            "the two models store different tensors (only in A: "
            f"{sorted(a.keys() - b.keys())[:3]}, only in B: {sorted(b.keys() - a.keys())[:3]}): "
            "they are not the same network."
        )
    out = {}
    for k, t in a.items():
        if t.shape != b[k].shape:
            raise ValueError(f"tensor {k}: shape {tuple(t.shape)} in A, {tuple(b[k].shape)} in B.")
        if t.is_floating_point():
            out[k] = ((1 - share) * t.float() + share * b[k].float()).to(t.dtype)
        else:
            out[k] = t
    return out


def dev_recipe(training: dict[str, Any]) -> Any:
    """The :class:`~argmine.train.TrainConfig` of a model's recorded training, for drawing
    its dev texts."""
    from argmine.train import TrainConfig

    known = {f.name for f in fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in training.items() if k in known})


def sweep(
    model_a: str, model_b: str, shares: list[float], data_dir: str | None = None
) -> dict[str, Any]:
    """Dev scores of A, of each average and of B."""
    import numpy as np
    from safetensors.torch import load_file

    from argmine.nn.model import WEIGHTS_FILE, ArgmineModel
    from argmine.train import dev_scores, load_training_docs

    net = ArgmineModel.load(model_a)
    other = ArgmineModel.load(model_b)
    ca, cb = net.config, other.config
    differ = sorted(
        f.name
        for f in fields(ca)
        if f.name not in ("training", "argmine_version")
        and getattr(ca, f.name) != getattr(cb, f.name)
    )
    if differ:
        raise ValueError(f"{model_a} and {model_b} differ in {', '.join(differ)}: not one network.")
    ra, rb = dev_recipe(ca.training), dev_recipe(cb.training)
    split = {k: getattr(ra, k) for k in DEV_RECIPE}
    dev = load_training_docs(ra, data_dir)[1]
    if ra.seed != rb.seed or [d.id for d in dev] != [
        d.id for d in load_training_docs(rb, data_dir)[1]
    ]:
        raise ValueError(
            f"{model_a} and {model_b} were trained at different seeds or held out different "
            "dev texts: their heads start apart, or no dev set scores both fairly."
        )
    del other
    wa = load_file(str(Path(model_a) / WEIGHTS_FILE))
    wb = load_file(str(Path(model_b) / WEIGHTS_FILE))
    rows = []
    for share in [0.0, *shares, 1.0]:
        state = averaged(wa, wb, share)
        own = net.state_dict()
        net.load_state_dict({k: v.to(own[k].dtype) for k, v in state.items()}, strict=False)
        net.eval()
        scores = dev_scores(net, dev)
        rows.append(
            {
                "share_of_b": share,
                "dev_mean": round(float(np.mean(list(scores.values()))), 4),
                "dev": {k: round(v, 4) for k, v in scores.items()},
            }
        )
    return {"dev_texts": len(dev), "dev_recipe": split, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("model_a", help="model folder A (share 0)")
    p.add_argument("model_b", help="model folder B (share 1), trained at A's seed")
    p.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.5, 0.75])
    p.add_argument("--name", default="weight_average", help="record name (NAME.json, NAME.md)")
    p.add_argument("--data-dir", default=os.environ.get("ARGMINE_DATA"))
    p.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    args = p.parse_args(argv)
    bad = [s for s in args.shares if not 0 < s < 1]
    if bad:
        p.error(f"--shares {bad}: each share of B must lie strictly between 0 and 1.")
    result = sweep(args.model_a, args.model_b, args.shares, args.data_dir)
    record = {
        "meta": {
            "command": "python benchmarks/weight_average.py "
            + shlex.join(sys.argv[1:] if argv is None else argv),
            "git_revision": git_revision(),
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "model_a": args.model_a,
            "model_b": args.model_b,
        },
        **result,
    }
    keys = list(result["rows"][0]["dev"])
    lines = [
        "# Weight averages of two runs (dev scores)",
        "",
        f"- command: `{record['meta']['command']}`",
        f"- git revision: `{record['meta']['git_revision']}`, {record['meta']['date']}",
        f"- A: `{args.model_a}`; B: `{args.model_b}`",
        f"- dev texts: {result['dev_texts']} (held out by both recipes: "
        + ", ".join(f"{k} {v}" for k, v in result["dev_recipe"].items())
        + ")",
        "",
        "| share of B | dev mean | " + " | ".join(keys) + " |",
        "| ---: | ---: | " + " | ".join("---:" for _ in keys) + " |",
    ]
    for row in result["rows"]:
        tag = {0.0: " (A)", 1.0: " (B)"}.get(row["share_of_b"], "")
        lines.append(
            f"| {row['share_of_b']}{tag} | {row['dev_mean']:.4f} | "
            + " | ".join(f"{row['dev'][k]:.4f}" for k in keys)
            + " |"
        )
    best = max(result["rows"], key=lambda r: r["dev_mean"])
    lines += ["", f"Best on dev: share {best['share_of_b']} (dev mean {best['dev_mean']:.4f}).", ""]
    out = write_record(args.out_dir, args.name, record, "\n".join(lines))
    print(f"wrote {out / args.name}.json and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
