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
import json
import os
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _common import (  # benchmarks/ is on sys.path when run
    ROOT,
    add_precision_option,
    run_meta,
    write_record,
)

if TYPE_CHECKING:
    from argmine.nn.model import ModelConfig
    from argmine.train import TrainConfig

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
            raise ValueError(
                f"tensor {k}: shape {tuple(t.shape)} in A, {tuple(b[k].shape)} in B: they are "
                "not the same network."
            )
        if t.is_floating_point():
            out[k] = ((1 - share) * t.float() + share * b[k].float()).to(t.dtype)
        else:
            out[k] = t
    return out


def dev_recipe(training: dict[str, Any]) -> TrainConfig:
    """The :class:`~argmine.train.TrainConfig` of a model's recorded training, for drawing
    its dev texts; refuses a record that does not say which texts it held out.

    Example:
        >>> r = dev_recipe({"corpora": ["aae2"], "seed": 1, "dev_fraction": 0.1, "x": 0})
        >>> r.seed, r.split_seed, r.corpora
        (1, None, ['aae2'])
    """
    from argmine.train import TrainConfig

    missing = [k for k in ("corpora", "seed", "dev_fraction") if k not in training]
    if missing:
        raise ValueError(
            f"the model's config.json records no {', '.join(missing)} under 'training': "
            "which dev texts it held out is unknown; average runs trained by argmine train."
        )
    known = {f.name for f in fields(TrainConfig)}
    return TrainConfig(**{k: v for k, v in training.items() if k in known})


def check_same_network(a: ModelConfig, b: ModelConfig) -> None:
    """Refuse two configs that build different networks (their training recipes may
    differ).

    Example:
        >>> from dataclasses import replace
        >>> from argmine.nn.model import ModelConfig
        >>> check_same_network(ModelConfig(), replace(ModelConfig(), training={"seed": 1}))
        >>> check_same_network(ModelConfig(), replace(ModelConfig(), marker_tokens=8))
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: the two models are different networks (marker_tokens: 0 in A, 8 in B); ...
    """
    differ = [
        f"{f.name}: {getattr(a, f.name)!r} in A, {getattr(b, f.name)!r} in B"
        for f in fields(a)
        if f.name not in ("training", "argmine_version")
        and getattr(a, f.name) != getattr(b, f.name)
    ]
    if differ:
        raise ValueError(
            f"the two models are different networks ({'; '.join(differ)}); only runs of one "
            "network configuration can be averaged."
        )


def check_same_start(ra: TrainConfig, rb: TrainConfig, dev_a: list[str], dev_b: list[str]) -> None:
    """Refuse two recipes at different seeds (their heads start apart) or that held out
    different dev texts (no dev set scores both fairly); ``dev_a`` / ``dev_b`` are the
    ids of each recipe's dev texts.

    Example:
        >>> from argmine.train import TrainConfig
        >>> check_same_start(TrainConfig(seed=0), TrainConfig(seed=1), ["x"], ["x"])
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: the two runs were trained at different seeds (0 in A, 1 in B): ...
    """
    if ra.seed != rb.seed:
        raise ValueError(
            f"the two runs were trained at different seeds ({ra.seed} in A, {rb.seed} in B): "
            "their heads start apart; average two runs trained with the same --seed."
        )
    if dev_a != dev_b:
        differ = [
            f"{k}: {getattr(ra, k)!r} in A, {getattr(rb, k)!r} in B"
            for k in DEV_RECIPE
            if getattr(ra, k) != getattr(rb, k)
        ]
        raise ValueError(
            f"the two runs held out different dev texts ({len(set(dev_a) - set(dev_b))} only "
            f"in A, {len(set(dev_b) - set(dev_a))} only in B; {'; '.join(differ) or 'recipes'}"
            "): no dev set scores both fairly; average two runs trained with the same "
            "--corpora, --split-seed (or --seed), --dev-fraction and --max-docs."
        )


def sweep(
    model_a: str,
    model_b: str,
    shares: list[float],
    data_dir: str | None = None,
    precision: str = "auto",
) -> dict[str, Any]:
    """Dev scores of A, of each average and of B, with the encoder computing in
    ``precision`` (as :class:`argmine.Miner` reads it)."""
    import numpy as np
    from safetensors.torch import load_file

    from argmine.nn.encoder import compute_dtype
    from argmine.nn.model import CONFIG_FILE, WEIGHTS_FILE, ArgmineModel, ModelConfig
    from argmine.train import dev_scores, load_training_docs

    cb = ModelConfig.from_dict(json.loads((Path(model_b) / CONFIG_FILE).read_text()))
    net = ArgmineModel.load(model_a)
    check_same_network(net.config, cb)
    ra, rb = dev_recipe(net.config.training), dev_recipe(cb.training)
    dev = load_training_docs(ra, data_dir)[1]
    dev_b = [d.id for d in load_training_docs(rb, data_dir)[1]] if ra.seed == rb.seed else []
    check_same_start(ra, rb, [d.id for d in dev], dev_b)
    net.encoder.compute_dtype = compute_dtype(precision)
    wa = load_file(str(Path(model_a) / WEIGHTS_FILE))
    wb = load_file(str(Path(model_b) / WEIGHTS_FILE))
    rows = []
    for share in [0.0, *shares, 1.0]:
        net.load_weights(averaged(wa, wb, share), f"the average with {share} of {model_b}")
        net.eval()
        scores = dev_scores(net, dev)
        rows.append(
            {
                "share_of_b": share,
                "dev_mean": round(float(np.mean(list(scores.values()))), 4),
                "dev": {k: round(v, 4) for k, v in scores.items()},
            }
        )
    return {
        "dev_texts": len(dev),
        "encoder_dtype": str(net.encoder.compute_dtype).removeprefix("torch."),
        "training": {"a": net.config.training, "b": cb.training},
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("model_a", help="model folder A (share 0)")
    p.add_argument("model_b", help="model folder B (share 1), trained at A's seed")
    p.add_argument("--shares", type=float, nargs="+", default=[0.25, 0.5, 0.75])
    p.add_argument("--name", default="weight_average", help="record name (NAME.json, NAME.md)")
    p.add_argument("--data-dir", default=os.environ.get("ARGMINE_DATA"))
    p.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    add_precision_option(p)
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    bad = [s for s in args.shares if not 0 < s < 1]
    if bad:
        p.error(f"--shares {bad}: each share of B must lie strictly between 0 and 1.")
    result = sweep(args.model_a, args.model_b, args.shares, args.data_dir, args.precision)
    record = {
        "meta": {
            **run_meta("weight_average.py", argv),
            "model_a": args.model_a,
            "model_b": args.model_b,
        },
        **result,
    }
    keys = list(result["rows"][0]["dev"])
    ta, tb = result["training"]["a"], result["training"]["b"]
    differences = {k: tb.get(k) for k in sorted(ta.keys() | tb.keys()) if ta.get(k) != tb.get(k)}
    lines = [
        "# Weight averages of two runs (dev scores)",
        "",
        f"- command: `{record['meta']['command']}`",
        f"- git revision: `{record['meta']['git_revision']}`, {record['meta']['date']}",
        f"- A: `{args.model_a}`; B: `{args.model_b}`",
        f"- dev texts: {result['dev_texts']}, held out by both runs; A's recipe: "
        + ", ".join(f"{k} {ta.get(k)}" for k in DEV_RECIPE),
        "- B's training differs from A's in: "
        + (", ".join(f"{k} {ta.get(k)} -> {v}" for k, v in differences.items()) or "nothing")
        + " (None: not recorded)",
        f"- encoder arithmetic: {result['encoder_dtype']} (`--precision {args.precision}`)",
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
