"""Compare model folders on the gold-unit benchmarks: the record behind shipping one.

A new checkpoint replaces the shipped one only when its benchmark figures improve; this
script evaluates each folder on AAE2 test and the three AbstRCT test sets (gold units,
the same miner settings ``argmine evaluate`` uses) and writes, per figure, each model's
value and the difference to the first model.

For unit macro F1 and link F1 it also says how far each difference could be chance in
the choice of test documents: a paired bootstrap over documents
(:mod:`argmine.evaluation.significance`, ``--resamples`` redrawn test sets) gives a 95%
interval of the difference and the share of redrawn sets on which the model scores
higher than the reference. A difference whose interval holds 0 is not shown to be one.

    python benchmarks/compare_models.py OLD_DIR NEW_DIR [--label NAME ...]
                                        [--out benchmarks/results] [--name RECORD]

Writes ``model_comparison.json`` and ``model_comparison.md`` (the record behind the
shipped model); ``--name`` writes another record, for an experiment that ships nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from _common import (  # benchmarks/ is on sys.path when run
    ROOT,
    add_precision_option,
    git_revision,
    write_record,
)

RUNS = (
    ("aae2", "test"),
    ("abstrct", "neoplasm_test"),
    ("abstrct", "glaucoma_test"),
    ("abstrct", "mixed_test"),
)
#: The gold-protocol figures compared (a subset of the headline figures).
KEYS = ("unit_macro_f1", "unit_macro_f1_two_class", "link_f1", "ari", "arc", "root_accuracy")


#: The figures given a bootstrap interval (both are recomputed from per-document counts).
BOOTSTRAPPED = ("unit_macro_f1", "link_f1")


def figures(
    folder: str, precision: str = "auto"
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, Any]], str]:
    """Headline gold-protocol figures of one model folder, per run the per-document
    counts behind :data:`BOOTSTRAPPED`, and the encoder arithmetic they were measured in."""
    import argmine
    from argmine.corpora import load
    from argmine.evaluate import evaluate
    from argmine.evaluation.significance import link_counts, unit_counts
    from argmine.nn.encoder import compute_dtype

    # The gold protocol: the units are known argument components (evaluate sets the same).
    miner = argmine.load(folder, all_argumentative=True, precision=precision)
    dtype = str(compute_dtype(miner.precision)).removeprefix("torch.")
    out, counts = {}, {}
    for corpus, split in RUNS:
        result = evaluate(corpus, split, protocol="gold", miner=miner, keep_predictions=True)
        summary, pred = result["summary"], result["predictions"]
        run = f"{corpus}/{split}"
        out[run] = {k: summary[k] for k in KEYS if summary.get(k) is not None}
        gold = load(corpus, split)
        counts[run] = {"unit_macro_f1": unit_counts(gold, pred), "link_f1": link_counts(gold, pred)}
    return out, counts, dtype


def bootstrap_lines(
    counts: dict[str, dict[str, dict[str, Any]]], labels: list[str], resamples: int
) -> tuple[list[str], dict[str, Any]]:
    """The bootstrap table (markdown lines) and its record, each model against the first."""
    from argmine.evaluation.significance import link_f1_of, macro_f1_of, paired_bootstrap

    of = {"unit_macro_f1": macro_f1_of, "link_f1": link_f1_of}
    ref = labels[0]
    lines = [
        f"Paired bootstrap over test documents ({resamples} redrawn test sets): the "
        "difference to the reference, its 95% interval, and the share of redrawn sets on "
        "which the model scores higher.",
        "",
        "| run | figure | model | difference | 95% interval | higher in |",
        "| --- | --- | --- | ---: | --- | ---: |",
    ]
    record: dict[str, Any] = {}
    for lab in labels[1:]:
        for run, per in counts[ref].items():
            for key in BOOTSTRAPPED:
                r = paired_bootstrap(per[key], counts[lab][run][key], of[key], n=resamples)
                record.setdefault(lab, {}).setdefault(run, {})[key] = r.to_dict()
                lines.append(
                    f"| {run} | {key} | `{lab}` | {r.difference:+.4f} | "
                    f"[{r.low:+.4f}, {r.high:+.4f}] | {r.share_higher:.0%} |"
                )
    return lines, record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", help="model folders; the first is the reference")
    parser.add_argument("--label", action="append", help="a name per model (default: path)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument(
        "--name", default="model_comparison", help="record name (default: model_comparison)"
    )
    parser.add_argument(
        "--resamples", type=int, default=2000, help="redrawn test sets of the bootstrap"
    )
    add_precision_option(parser)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    labels = args.label or args.models
    if len(labels) != len(args.models):
        parser.error("give one --label per model, or none")
    scored = {
        label: figures(m, args.precision) for label, m in zip(labels, args.models, strict=True)
    }
    results = {label: fig for label, (fig, _, _) in scored.items()}
    counts = {label: c for label, (_, c, _) in scored.items()}
    dtypes = {label: d for label, (_, _, d) in scored.items()}
    ref = labels[0]
    up = down = 0
    lines = [
        "# Model comparison (gold units)",
        "",
        f"- command: `{shlex.join([Path(sys.executable).name, *sys.argv])}`",
        f"- git revision: `{git_revision()}`, {dt.datetime.now(dt.UTC).isoformat()}",
        f"- reference: `{ref}`; differences are to it",
        "- encoder arithmetic: "
        + ", ".join(f"`{lab}` {dtypes[lab]}" for lab in labels)
        + " (bfloat16 rounds differently from float32: the same model's figures move "
        "by up to about 0.003 on AAE2 link F1)",
        "",
        "| run | figure | " + " | ".join(f"`{lab}`" for lab in labels) + " |",
        "| --- | --- |" + " ---: |" * len(labels),
    ]
    for run in results[ref]:
        for key in results[ref][run]:
            cells = []
            for lab in labels:
                v = results[lab][run].get(key)
                if v is None:
                    cells.append("")
                    continue
                d = v - results[ref][run][key]
                cells.append(f"{v:.4f}" + ("" if lab == ref else f" ({d:+.4f})"))
                if lab != ref:
                    up += d > 0
                    down += d < 0
            lines.append(f"| {run} | {key} | " + " | ".join(cells) + " |")
    lines += ["", f"Against the reference: {up} figures higher, {down} lower.", ""]
    boot_lines, boot = bootstrap_lines(counts, list(labels), args.resamples)
    lines += [*boot_lines, ""]
    record: dict[str, Any] = {
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "revision": git_revision(),
        "models": dict(zip(labels, args.models, strict=True)),
        "encoder_dtype": dtypes,
        "results": results,
        "higher": up,
        "lower": down,
        "bootstrap": boot,
    }
    write_record(args.out, args.name, record, "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
