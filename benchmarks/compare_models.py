"""Compare model folders on the gold-unit benchmarks: the record behind shipping one.

A new checkpoint replaces the shipped one only when its benchmark figures improve; this
script evaluates each folder on AAE2 test and the three AbstRCT test sets (gold units,
the same miner settings ``argmine evaluate`` uses) and writes, per figure, each model's
value and the difference to the first model.

    python benchmarks/compare_models.py OLD_DIR NEW_DIR [--out benchmarks/results]

Writes ``model_comparison.json`` and ``model_comparison.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from _common import ROOT, git_revision, write_record  # benchmarks/ is on sys.path when run

RUNS = (
    ("aae2", "test"),
    ("abstrct", "neoplasm_test"),
    ("abstrct", "glaucoma_test"),
    ("abstrct", "mixed_test"),
)
#: The gold-protocol figures compared (a subset of the headline figures).
KEYS = ("unit_macro_f1", "unit_macro_f1_two_class", "link_f1", "ari", "arc", "root_accuracy")


def figures(folder: str) -> dict[str, dict[str, float]]:
    """Headline gold-protocol figures of one model folder."""
    import argmine
    from argmine.evaluate import evaluate

    miner = argmine.load(folder)
    out = {}
    for corpus, split in RUNS:
        summary = evaluate(corpus, split, protocol="gold", miner=miner, progress=False)["summary"]
        out[f"{corpus}/{split}"] = {k: summary[k] for k in KEYS if summary.get(k) is not None}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", help="model folders; the first is the reference")
    parser.add_argument("--label", action="append", help="a name per model (default: path)")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    labels = args.label or args.models
    if len(labels) != len(args.models):
        parser.error("give one --label per model, or none")
    results = {label: figures(m) for label, m in zip(labels, args.models, strict=True)}
    ref = labels[0]
    up = down = 0
    lines = [
        "# Model comparison (gold units)",
        "",
        f"- command: `{shlex.join([Path(sys.executable).name, *sys.argv])}`",
        f"- git revision: `{git_revision()}`, {dt.datetime.now(dt.UTC).isoformat()}",
        f"- reference: `{ref}`; differences are to it",
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
    record: dict[str, Any] = {
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "revision": git_revision(),
        "models": dict(zip(labels, args.models, strict=True)),
        "results": results,
        "higher": up,
        "lower": down,
    }
    write_record(args.out, "model_comparison", record, "\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
