"""Quality benchmark: every evaluation argmine reports, beside the published figures.

Runs, with one model (default: the shipped model)::

    aae2       test                                    gold, end2end
    abstrct    neoplasm_test, glaucoma_test, mixed_test gold
    microtext  all                                     cross-validation, QUICK setting
                                                       (1 x 5 folds, 2 epochs per fold)

and, beside them (:data:`ALSO`), AAE2 test gold decoded as argmine decodes news (premises
free to argue across paragraphs), so the record shows what the corpus's own paragraph
scope adds, and the arg-microtexts cross-validation with each fold's model fine-tuned
from the evaluated model instead of trained from the base encoder (it reads the model's
weights, so it is never carried).

and writes ``quality.json`` (every figure, as :func:`argmine.evaluate.evaluate` returns
it) and ``quality.md`` (the same, readable) to ``--out`` (default
``benchmarks/results``), with the git revision (and whether the tree was dirty), the
model's path and training record, the exact command, the date and the machine.

The arg-microtexts figures use the quick setting unless ``--full-cv`` is given (the
published 10 x 5-fold protocol trains 50 models: hours on a CPU); the report marks it.
The cross-validation trains fresh models from the evaluated model's training recipe and
never reads its weights, so ``--carry-microtext FILE`` takes that run from an earlier
``quality.json`` instead of training again, where that record cross-validated the same
recipe (else it stops with an error); the report names the record it came from.

Usage::

    python benchmarks/quality.py [--model DIR] [--skip-microtext] [--out DIR]
                                 [--data-dir DIR] [--full-cv] [--limit N]
                                 [--carry-microtext FILE]

``--limit N`` keeps the first N documents of each corpus: a smoke test, marked partial.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from _common import HEADLINE, git_state, target_rows, write_record  # noqa: E402  (benchmarks/ is on sys.path)

#: (corpus, split, protocol) of every run, in report order.
SUITE: tuple[tuple[str, str, str], ...] = (
    ("aae2", "test", "gold"),
    ("aae2", "test", "end2end"),
    ("abstrct", "neoplasm_test", "gold"),
    ("abstrct", "glaucoma_test", "gold"),
    ("abstrct", "mixed_test", "gold"),
    ("microtext", "all", "gold"),
)
#: Runs recorded beside :data:`SUITE` with other decoding settings (not scored against
#: the targets): (corpus, split, protocol, keyword arguments of ``evaluate``).
ALSO: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("aae2", "test", "gold", {"paragraph_arguments": False}),
    ("microtext", "all", "gold", {"fine_tune": True}),
)


def model_info(model: str | None) -> dict[str, Any]:
    """The model folder, its config's training settings and its training record."""
    from argmine.miner import default_model_path

    path = Path(model) if model is not None else default_model_path()
    info: dict[str, Any] = {"path": str(model) if model is not None else str(path)}
    if model is None:
        info["shipped"] = True
    config = path / "config.json"
    if config.is_file():
        data = json.loads(config.read_text())
        info["encoder"] = data.get("encoder")
        info["argmine_version"] = data.get("argmine_version")
        info["training"] = data.get("training")
    record = path / "training.json"
    if record.is_file():
        data = json.loads(record.read_text())
        info["training_record"] = {
            "seconds": data.get("seconds"),
            "best_dev_mean": data.get("best_dev_mean"),
            "dev_mean_per_epoch": [e.get("dev_mean") for e in data.get("epochs") or []],
        }
    return info


def machine_info() -> dict[str, Any]:
    """CPU count, platform, Python and torch versions, torch threads."""
    import torch

    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
    }


def carried_microtext(path: str | Path, model_config: Any) -> dict[str, Any]:
    """The arg-microtexts run of an earlier ``quality.json``, marked with where it came
    from, if it cross-validated the recipe of ``model_config``; else a ``ValueError``.

    The recipes are compared as :func:`argmine.evaluation.microtext.recipe_from` builds
    them from each model's recorded training settings (exactly; the run's own copy of
    its recipe is rounded, and is checked against the record's model only), leaving out
    ``threads`` and ``device``, which change where the folds train, not what they learn.
    """
    from dataclasses import asdict
    from types import SimpleNamespace

    from argmine.evaluation.microtext import recipe_from
    from argmine.evaluation.report import rounded

    record = json.loads(Path(path).read_text())
    runs = [r for r in record.get("runs", []) if r.get("corpus") == "microtext"]
    if not runs:
        raise ValueError(f"{path} holds no arg-microtexts run to carry.")
    run = runs[0]
    meta = record["meta"]
    old = meta.get("model", {})
    ignore = {"threads", "device"}

    def recipe(config: Any) -> dict[str, Any]:
        return {k: v for k, v in asdict(recipe_from(config)).items() if k not in ignore}

    then = recipe(SimpleNamespace(training=old.get("training"), encoder=old.get("encoder")))
    ran = run["result"]["microtext"]["recipe"]
    if any(rounded(v) != ran[k] for k, v in then.items() if k in ran and k != "epochs"):
        raise ValueError(f"{path}: its microtext run does not match its own model's recipe.")
    now = recipe(model_config)
    differ = sorted(k for k in now if then.get(k) != now[k])
    if differ:
        raise ValueError(
            f"{path} cross-validated another recipe (differs in {', '.join(differ)}): drop "
            "--carry-microtext and run the cross-validation (--full-cv)."
        )
    if run.get("carried_from"):
        return dict(run)  # carried before: it keeps where it first came from
    return {
        **run,
        "carried_from": {
            "file": str(path),
            "revision": meta["git"]["revision"],
            "date": meta["date"],
            "command": meta["command"],
            "encoder_dtype": meta.get("precision", {}).get("encoder_dtype"),
        },
    }


def run_suite(args: argparse.Namespace) -> dict[str, Any]:
    """Run every evaluation of :data:`SUITE` (skipping as asked); return the report data."""
    import argmine
    from argmine.evaluate import FULL, QUICK, evaluate
    from argmine.nn.encoder import compute_dtype

    started = time.time()
    miner = argmine.load(args.model)
    carried = (
        carried_microtext(args.carry_microtext, miner.model.config)
        if args.carry_microtext
        else None
    )

    def run(corpus: str, split: str, protocol: str, **options: Any) -> dict[str, Any]:
        print(f"evaluating {corpus} {split} {protocol} {options or ''}", file=sys.stderr)
        t0 = time.time()
        cv = replace(FULL if args.full_cv else QUICK, fine_tune=options.get("fine_tune", False))
        result = evaluate(
            corpus,
            split,
            protocol=protocol,
            miner=miner,
            model=args.model,
            data_dir=args.data_dir,
            limit=args.limit,
            cv=cv,
            **{k: v for k, v in options.items() if k != "fine_tune"},
        )
        return {
            "corpus": corpus,
            "split": split,
            "protocol": protocol,
            "options": options,
            "seconds": round(time.time() - t0, 1),
            "result": result,
        }

    runs = []
    for corpus, split, protocol in SUITE:
        if corpus == "microtext" and args.skip_microtext:
            continue
        runs.append(carried if corpus == "microtext" and carried else run(corpus, split, protocol))
    also = [
        run(corpus, split, protocol, **options)
        for corpus, split, protocol, options in ALSO
        if not (corpus == "microtext" and args.skip_microtext)
    ]
    return {
        "meta": {
            "command": shlex.join([Path(sys.executable).name, *sys.argv]),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "git": git_state(),
            "model": model_info(args.model),
            "machine": machine_info(),
            "precision": {
                "setting": miner.precision,
                "encoder_dtype": str(compute_dtype(miner.precision)).removeprefix("torch."),
            },
            "microtext_setting": None
            if args.skip_microtext
            else (carried["result"]["setting"] if carried else "full" if args.full_cv else "quick"),
            "limit": args.limit,
            "seconds": round(time.time() - started, 1),
        },
        "runs": runs,
        "also": also,
        "targets": target_rows(runs),
    }


def _headline(result: dict[str, Any]) -> str:
    summary = result.get("summary", {})
    return ", ".join(f"{k} {summary[k]:.4f}" for k in HEADLINE if summary.get(k) is not None)


def to_markdown(report: dict[str, Any]) -> str:
    """The readable report: run facts, one line of figures per run, then every table."""
    from argmine.evaluation.report import format_table

    meta = report["meta"]
    git = meta["git"]
    model = meta["model"]
    machine = meta["machine"]
    dirty = {True: " (dirty: uncommitted changes)", False: "", None: " (status unknown)"}
    lines = [
        "# argmine quality benchmark",
        "",
        f"- command: `{meta['command']}`",
        f"- date: {meta['date']}",
        f"- git revision: `{git['revision']}`{dirty[git['dirty']]}",
        f"- model: `{model['path']}`" + (" (shipped model)" if model.get("shipped") else ""),
        f"- model training: `{json.dumps(model.get('training'), sort_keys=True)}`",
    ]
    if model.get("training_record"):
        lines.append(f"- training record: `{json.dumps(model['training_record'])}`")
    lines += [
        f"- machine: {machine['cpu_count']} CPUs, {machine['platform']}, Python "
        f"{machine['python']}, torch {machine['torch']} ({machine['torch_threads']} threads)",
        f"- precision: `{meta['precision']['setting']}` (encoder computes in "
        f"{meta['precision']['encoder_dtype']}; see `argmine.nn.encoder.compute_dtype`)",
        f"- total time: {meta['seconds']} s",
    ]
    if meta.get("microtext_setting") == "quick":
        lines.append(
            "- **arg-microtexts uses the QUICK setting** (1 x 5 folds, 2 epochs per fold), not "
            "the published 10 x 5-fold protocol."
        )
    if meta.get("limit"):
        lines.append(f"- **PARTIAL RUN**: first {meta['limit']} documents of each corpus only.")
    for run in report["runs"]:
        if run.get("carried_from"):
            c = run["carried_from"]
            lines.append(
                f"- **{run['corpus']} is carried** from `{c['file']}` (revision "
                f"`{c['revision'][:7]}`, {c['date']}, `{c['command']}`, encoder in "
                f"{c['encoder_dtype']}): its cross-validation trains fresh models from the "
                "same recipe and does not read this model's weights."
            )
    lines += [
        "",
        "## Targets (the model issue)",
        "",
        "| target | figure | minimum | measured | met |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for t in report.get("targets", []):
        measured = "not run" if t["measured"] is None else f"{t['measured']:.4f}"
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        lines.append(f"| {t['what']} | `{t['metric']}` | {t['target']} | {measured} | {met} |")
    if report.get("also"):
        lines += ["", "The targets are measured as each corpus is annotated. Beside them:", ""]
        lines += [
            f"- {run['corpus']} {run['split']} {_protocol(run)}: {_headline(run['result'])}"
            for run in report["also"]
        ]
    lines += [
        "",
        "| corpus | split | protocol | figures | seconds |",
        "| --- | --- | --- | --- | --- |",
    ]
    every = [*report["runs"], *report.get("also", [])]
    for run in every:
        lines.append(
            f"| {run['corpus']} | {run['split']} | {_protocol(run)} | "
            f"{_headline(run['result'])} | {run['seconds']} |"
        )
    for run in every:
        lines += [
            "",
            f"## {run['corpus']} {run['split']} ({_protocol(run)})",
            "",
            "```",
            format_table(run["result"]),
            "```",
        ]
    return "\n".join(lines) + "\n"


def _protocol(run: dict[str, Any]) -> str:
    """The run's protocol, with the decoding options it overrides (if any).

    Example:
        >>> _protocol({"protocol": "gold", "options": {"paragraph_arguments": False}})
        'gold, paragraph_arguments=False'
    """
    options = run.get("options") or {}
    if not options and (run.get("result", {}).get("decoding") or {}).get("paragraph_arguments"):
        return f"{run['protocol']}, paragraph_arguments=True (as the corpus is annotated)"
    return ", ".join([run["protocol"], *(f"{k}={v}" for k, v in options.items())])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    parser.add_argument(
        "--skip-microtext",
        action="store_true",
        help="leave out the arg-microtexts cross-validation (it trains models)",
    )
    parser.add_argument(
        "--full-cv",
        action="store_true",
        help="the published 10 x 5-fold protocol instead of the quick setting",
    )
    parser.add_argument(
        "--out",
        default=str(ROOT / "benchmarks" / "results"),
        help="folder for quality.json and quality.md",
    )
    parser.add_argument("--data-dir", default=None, help="corpus folder (default: $ARGMINE_DATA)")
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="first N documents per corpus (smoke test; marked partial)",
    )
    parser.add_argument(
        "--carry-microtext",
        default=None,
        metavar="FILE",
        help="take the arg-microtexts run from this earlier quality.json (same recipe)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    report = run_suite(args)
    out = write_record(args.out, "quality", report, to_markdown(report))
    print(f"wrote {out / 'quality.json'} and {out / 'quality.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
