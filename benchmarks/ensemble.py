"""How far would averaging several runs' outputs take AAE2? Output ensembles, measured.

Runs of one recipe on this encoder land apart on AAE2 test (tree link F1 0.666 to 0.707
over the runs the README records), and the 32 dev essays cannot tell them apart. An
ensemble averages that spread away; this script measures what that is worth. argmine
does not ship one: ``k`` models cost ``k`` times the compute and ``k`` checkpoints,
where the shipped model may take 30 MB.

The model folders must have held out the same dev texts. Each model mines the AAE2 dev
essays it held out and the AAE2 test essays once, on gold units and decoded as
``argmine evaluate aae2`` decodes them; for every subset of the models of the chosen
sizes, the subset's outputs are averaged as probabilities (:func:`average_outputs`) and
decoded by the first model's miner. Each subset's tree link F1 and unit macro F1 are
recorded, and for each size their mean over all its subsets, so that no subset is
picked by its test figure; the subset with the best dev link F1 is shown beside them.

    python benchmarks/ensemble.py MODEL MODEL [MODEL ...] [--label NAME ...]
                                  [--sizes 1 2 3] [--name NAME] [--data-dir DIR]
                                  [--out-dir DIR] [--precision auto]

Writes ``NAME.json`` and ``NAME.md`` (default ``ensemble``). Every model alone and all
of them together are always scored.
"""

from __future__ import annotations

import argparse
import itertools
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from _common import (  # benchmarks/ is on sys.path when run
    ROOT,
    add_precision_option,
    run_meta,
    write_record,
)
from weight_average import DEV_RECIPE, dev_recipe

if TYPE_CHECKING:
    from argmine.miner import Raw

#: Config fields that must agree for two models' outputs to be averaged index by index.
LABEL_SETS = ("unit_labels", "role_labels", "relation_labels")
SPLITS = ("dev", "test")


def mean_of_logs(logs: Sequence[np.ndarray]) -> np.ndarray:
    """``log(mean(exp(logs)))`` element-wise: log-probabilities averaged as probabilities
    (``-inf`` where every member has ``-inf``).

    Example:
        >>> out = mean_of_logs([np.array([np.log(0.2), -np.inf]), np.array([np.log(0.6), -np.inf])])
        >>> np.round(np.exp(out), 6).tolist()
        [0.4, 0.0]
    """
    stack = np.stack([np.asarray(x, dtype=np.float64) for x in logs])
    return np.asarray(np.logaddexp.reduce(stack, axis=0) - np.log(len(stack)))


def average_outputs(raws: Sequence[Raw]) -> Raw:
    """The members' outputs for one block of units, averaged as probabilities: unit,
    role and relation probabilities by their mean, link and root log-probabilities by
    :func:`mean_of_logs`. Raises ``ValueError`` when the members did not see the same
    block (the same units, the same argumentative ones).

    Example:
        >>> from argmine.miner import Raw
        >>> def raw(p):
        ...     q = np.array([[p, 1 - p], [1 - p, p]])
        ...     return Raw(units=[0, 1], label_probs=q, role_probs=q, arg=np.array([0, 1]),
        ...                link_logp=np.log(q), root_logp=np.log(q[0]),
        ...                relation_probs=np.stack([q, q], -1), section=np.zeros(2),
        ...                heading=np.zeros(2, dtype=bool))
        >>> avg = average_outputs([raw(0.9), raw(0.5)])
        >>> avg.role_probs[0].tolist(), np.exp(avg.root_logp).round(6).tolist()
        ([0.7, 0.3], [0.7, 0.3])
    """
    first = raws[0]
    for k, r in enumerate(raws[1:], 1):
        if list(r.units) != list(first.units) or not np.array_equal(r.arg, first.arg):
            raise ValueError(
                f"member {k} saw another block of units than member 0 (units "
                f"{list(r.units)[:5]}... against {list(first.units)[:5]}..., "
                f"{len(r.arg)} against {len(first.arg)} argumentative): their outputs cannot "
                "be averaged; mine the same documents with the same max_units."
            )
    return replace(
        first,
        label_probs=np.mean([r.label_probs for r in raws], 0),
        role_probs=np.mean([r.role_probs for r in raws], 0),
        link_logp=mean_of_logs([r.link_logp for r in raws]),
        root_logp=mean_of_logs([r.root_logp for r in raws]),
        relation_probs=np.mean([r.relation_probs for r in raws], 0),
    )


def subsets(n: int, sizes: Sequence[int]) -> list[tuple[int, ...]]:
    """Every subset of ``range(n)`` of each size in ``sizes`` (sizes above ``n`` are
    skipped), with each single model and all ``n`` always included, smallest first.

    Example:
        >>> subsets(3, [2])
        [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)]
    """
    wanted = sorted({1, n, *(k for k in sizes if 1 <= k <= n)})
    return [c for k in wanted for c in itertools.combinations(range(n), k)]


def check_compatible(configs: Sequence[Any], dev_ids: Sequence[list[str]]) -> None:
    """Refuse models whose label sets differ (their outputs do not line up) or that held
    out different dev texts (no dev set scores them all fairly).

    Example:
        >>> from dataclasses import replace
        >>> from argmine.nn.model import ModelConfig
        >>> check_compatible([ModelConfig(), ModelConfig()], [["a"], ["b"]])
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: model 1 held out other dev texts than model 0 (1 only in model 0, ...
    """
    for k, (config, ids) in enumerate(zip(configs[1:], dev_ids[1:], strict=True), 1):
        for name in LABEL_SETS:
            if getattr(config, name) != getattr(configs[0], name):
                raise ValueError(
                    f"model {k} has {name} {getattr(config, name)} where model 0 has "
                    f"{getattr(configs[0], name)}: their outputs cannot be averaged."
                )
        if ids != dev_ids[0]:
            raise ValueError(
                f"model {k} held out other dev texts than model 0 "
                f"({len(set(dev_ids[0]) - set(ids))} only in model 0, "
                f"{len(set(ids) - set(dev_ids[0]))} only in model {k}): no dev set scores "
                "both fairly; use runs trained with the same --corpora, --split-seed (or "
                "--seed), --dev-fraction and --max-docs."
            )


def _mined(miner: Any, blind: list[Any]) -> list[list[Raw]]:
    from argmine.evaluate import corpus_settings

    out: list[list[Raw]] = []
    with corpus_settings(miner, "aae2"):  # decoded as `argmine evaluate aae2` decodes
        for start in range(0, len(blind), 16):
            out += [raws for _, raws in miner.run_with_raw(blind[start : start + 16])]
    return out


def _scores(
    miner: Any, gold: list[Any], blind: list[Any], members: list[list[list[Raw]]]
) -> dict[str, float]:
    from argmine.evaluate import corpus_settings
    from argmine.evaluation.significance import link_counts, link_f1_of, macro_f1_of, unit_counts

    preds = []
    with corpus_settings(miner, "aae2"):
        for d, doc in enumerate(blind):
            blocks = zip(*(m[d] for m in members), strict=True)
            preds.append(miner.postprocess(doc, [average_outputs(b) for b in blocks]))
    return {
        "link_f1": round(link_f1_of(link_counts(gold, preds).sum(0)), 4),
        "unit_macro_f1": round(macro_f1_of(unit_counts(gold, preds).sum(0)), 4),
    }


def measure(
    models: Sequence[str],
    sizes: Sequence[int],
    data_dir: str | None = None,
    precision: str = "auto",
) -> dict[str, Any]:
    """Dev and test figures of every subset of ``models`` (see the module notes)."""
    import argmine
    from argmine.corpora import load
    from argmine.evaluation.predict import _blind
    from argmine.nn.encoder import compute_dtype
    from argmine.train import load_training_docs

    miners = [argmine.load(m, all_argumentative=True, precision=precision) for m in models]
    configs = [m.model.config for m in miners]
    recipes = [dev_recipe(c.training) for c in configs]
    for k, r in enumerate(recipes):
        if "aae2" not in r.corpora:
            raise ValueError(
                f"model {k} ({models[k]}) was trained on {r.corpora}, not on AAE2: it holds "
                "out no AAE2 dev essays to score it on."
            )
    devs = [load_training_docs(replace(r, corpora=["aae2"]), data_dir)[1] for r in recipes]
    check_compatible(configs, [[d.id for d in dev] for dev in devs])
    gold = {"dev": devs[0], "test": load("aae2", "test", data_dir)}
    blind = {s: [_blind(d) for d in gold[s]] for s in SPLITS}  # gold units, nothing leaks
    mined = [{s: _mined(m, blind[s]) for s in SPLITS} for m in miners]
    rows = []
    for members in subsets(len(models), sizes):
        row: dict[str, Any] = {"members": list(members)}
        for s in SPLITS:
            row[s] = _scores(miners[0], gold[s], blind[s], [mined[k][s] for k in members])
        rows.append(row)
    return {
        "dev_texts": len(gold["dev"]),
        "test_texts": len(gold["test"]),
        "encoder_dtype": str(compute_dtype(precision)).removeprefix("torch."),
        "training": [c.training for c in configs],
        "rows": rows,
        "by_size": by_size(rows),
    }


def by_size(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each subset size: how many subsets, the mean, least and most of each split's
    link F1 over them, and the subset with the best dev link F1 (the first of equals).

    Example:
        >>> rows = [{"members": [0], "dev": {"link_f1": 0.5}, "test": {"link_f1": 0.6}},
        ...         {"members": [1], "dev": {"link_f1": 0.7}, "test": {"link_f1": 0.4}}]
        >>> out = by_size(rows)[0]
        >>> out["size"], out["test"], out["best_on_dev"]
        (1, {'mean': 0.5, 'min': 0.4, 'max': 0.6}, {'members': [1], 'dev': 0.7, 'test': 0.4})
    """
    out = []
    for size in sorted({len(r["members"]) for r in rows}):
        group = [r for r in rows if len(r["members"]) == size]
        entry: dict[str, Any] = {"size": size, "subsets": len(group)}
        for s in SPLITS:
            values = [r[s]["link_f1"] for r in group]
            entry[s] = {
                "mean": round(float(np.mean(values)), 4),
                "min": min(values),
                "max": max(values),
            }
        best = max(group, key=lambda r: r["dev"]["link_f1"])
        entry["best_on_dev"] = {
            "members": best["members"],
            "dev": best["dev"]["link_f1"],
            "test": best["test"]["link_f1"],
        }
        out.append(entry)
    return out


def markdown(record: dict[str, Any], labels: list[str]) -> str:
    """The readable record."""
    meta = record["meta"]
    recipe = record["training"][0]
    lines = [
        "# Output ensembles (AAE2, gold units)",
        "",
        f"- command: `{meta['command']}`",
        f"- git revision: `{meta['git_revision']}`, {meta['date']}",
        f"- dev texts: {record['dev_texts']} AAE2 essays, held out by every model ("
        + ", ".join(f"{k} {recipe.get(k)}" for k in DEV_RECIPE)
        + f"); test texts: {record['test_texts']} AAE2 essays",
        f"- encoder arithmetic: {record['encoder_dtype']} (`--precision {meta['precision']}`)",
        "- figures: tree link F1 and unit macro F1 (conclusion/claim/premise), decoded as "
        "`argmine evaluate aae2` decodes (paragraph arguments)",
        "",
        "| # | model | seed | path |",
        "| ---: | --- | ---: | --- |",
    ]
    for k, (label, path) in enumerate(zip(labels, meta["models"], strict=True)):
        lines.append(f"| {k} | {label} | {record['training'][k].get('seed')} | `{path}` |")
    lines += [
        "",
        "Link F1 over all subsets of each size (no subset picked by its test figure), and the "
        "subset with the best dev link F1:",
        "",
        "| size | subsets | dev mean | test mean | test min | test max | best on dev "
        "| its dev | its test |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for e in record["by_size"]:
        best = e["best_on_dev"]
        lines.append(
            f"| {e['size']} | {e['subsets']} | {e['dev']['mean']:.4f} | {e['test']['mean']:.4f} "
            f"| {e['test']['min']:.4f} | {e['test']['max']:.4f} | "
            f"{' + '.join(labels[k] for k in best['members'])} | {best['dev']:.4f} "
            f"| {best['test']:.4f} |"
        )
    lines += [
        "",
        "Every subset:",
        "",
        "| members | dev link F1 | dev unit F1 | test link F1 | test unit F1 |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in record["rows"]:
        lines.append(
            f"| {' + '.join(labels[k] for k in r['members'])} | {r['dev']['link_f1']:.4f} "
            f"| {r['dev']['unit_macro_f1']:.4f} | {r['test']['link_f1']:.4f} "
            f"| {r['test']['unit_macro_f1']:.4f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("models", nargs="+", help="model folders (at least two)")
    p.add_argument("--label", action="append", default=[], help="a name per model, in order")
    p.add_argument("--sizes", type=int, nargs="+", default=[2, 3], help="subset sizes scored")
    p.add_argument("--name", default="ensemble", help="record name (NAME.json, NAME.md)")
    p.add_argument("--data-dir", default=os.environ.get("ARGMINE_DATA"))
    p.add_argument("--out-dir", default=str(ROOT / "benchmarks" / "results"))
    add_precision_option(p)
    args = p.parse_args(argv)
    if len(args.models) < 2:
        p.error(f"{len(args.models)} model folder given: an ensemble needs at least two.")
    if args.label and len(args.label) != len(args.models):
        p.error(f"{len(args.label)} --label for {len(args.models)} models: give one per model.")
    if any(k < 1 for k in args.sizes):
        p.error(f"--sizes {args.sizes}: a subset holds at least one model.")
    missing = [m for m in args.models if not Path(m).is_dir()]
    if missing:
        p.error(f"no model folder at {', '.join(missing)}.")
    labels = args.label or [Path(m).name for m in args.models]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = measure(args.models, args.sizes, args.data_dir, args.precision)
    record = {
        "meta": {
            **run_meta("ensemble.py", argv),
            "models": list(args.models),
            "labels": labels,
            "precision": args.precision,
        },
        **result,
    }
    out = write_record(args.out_dir, args.name, record, markdown(record, labels))
    print(f"wrote {out / args.name}.json and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
